using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Generation;

using MetricsOperator.Validation;

namespace MetricsOperator.Tests.Generation;

/// <summary>What the generated schemas must say, read from the CRDs the generator makes now.</summary>
public sealed class CrdSchemaTests
{
    public static TheoryData<string> Kinds() => ["MetricsStack", "AppAlert"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_field_has_a_description_for_kubectl_explain(string kind)
    {
        var undocumented = Generated.Walk(Generated.Schema(kind))
            .Where(node => !node.Path.EndsWith("{}", StringComparison.Ordinal))
            .Where(node => node.Path != "metadata") // 1.20 allows nothing but type there; kubectl explain has ObjectMeta's own docs.
            .Where(node => string.IsNullOrWhiteSpace(node.Schema.Description))
            .Select(node => node.Path);

        undocumented.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_schema_is_structural_every_node_has_a_type_or_is_int_or_string(string kind)
    {
        foreach (var (path, schema) in Generated.Walk(Generated.Schema(kind)))
        {
            if (schema.XKubernetesIntOrString == true)
            {
                schema.Type.ShouldBeNull(path);
                schema.AnyOf.Select(branch => branch.Type).ShouldBe(["integer", "string"], path);
            }
            else
            {
                schema.Type.ShouldNotBeNullOrEmpty(path);
            }

            // Junctors may only carry value validations in a structural schema.
            foreach (var branch in (schema.OneOf ?? []).Concat(schema.AllOf ?? []))
            {
                branch.Type.ShouldBeNull(path);
                branch.Properties.ShouldBeNull(path);
                branch.DefaultProperty.ShouldBeNull(path);
                branch.Description.ShouldBeNull(path);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void No_cel_or_other_feature_the_1_20_api_server_lacks(string kind)
    {
        Generated.Walk(Generated.Schema(kind)).ShouldAllBe(node => node.Schema.XKubernetesValidations == null);
        var yaml = ManifestYaml.Serialize(Generated.Crd(kind), "test");
        yaml.ShouldNotContain("x-kubernetes-validations");
        yaml.ShouldNotContain("self.");
        Generated.Crd(kind).ApiVersion.ShouldBe("apiextensions.k8s.io/v1");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Top_level_metadata_is_a_bare_object(string kind)
    {
        var metadata = Generated.Schema(kind).Properties["metadata"];

        // 1.20: "must not specify anything other than name and generateName" under metadata.
        metadata.Type.ShouldBe("object");
        metadata.Properties.ShouldBeNull();
        metadata.Description.ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_default_validates_against_its_own_schema(string kind)
    {
        var defaulted = Generated.Walk(Generated.Schema(kind)).Where(node => node.Schema.DefaultProperty is not null).ToList();

        defaulted.ShouldNotBeEmpty();
        foreach (var (path, schema) in defaulted)
        {
            var value = JsonNode.Parse(KubernetesJson.Serialize(schema.DefaultProperty));
            SchemaValidator.Validate(value, schema, path).ShouldBeEmpty(path);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_pattern_is_re2_compatible_and_compiles(string kind)
    {
        foreach (var (path, schema) in Generated.Walk(Generated.Schema(kind)).Where(node => node.Schema.Pattern is not null))
        {
            // The API server runs patterns with Go's RE2: no lookaround, no backreferences.
            schema.Pattern.ShouldNotContain("(?", Case.Sensitive, path);
            Regex.IsMatch(schema.Pattern, @"\\[1-9]").ShouldBeFalse(path);
            Should.NotThrow(() => new Regex(schema.Pattern), path);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Conditions_are_a_map_list_of_metav1_conditions(string kind)
    {
        var conditions = Generated.At(kind, "status.conditions");
        var condition = (V1JSONSchemaProps)conditions.Items;

        conditions.XKubernetesListType.ShouldBe("map");
        conditions.XKubernetesListMapKeys.ShouldBe(["type"]);
        condition.Required.ShouldBe(["lastTransitionTime", "message", "reason", "status", "type"], ignoreOrder: true);
        condition.Properties["status"].EnumProperty.ShouldBe(["True", "False", "Unknown"]);
        condition.Properties["lastTransitionTime"].Format.ShouldBe("date-time");
        condition.Properties["reason"].Pattern.ShouldNotBeNull();
        condition.Properties["observedGeneration"].Type.ShouldBe("integer");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_map_list_key_is_required_in_its_items(string kind)
    {
        foreach (var (path, schema) in Generated.Walk(Generated.Schema(kind)).Where(node => node.Schema.XKubernetesListType == "map"))
        {
            var item = (V1JSONSchemaProps)schema.Items;
            foreach (var key in schema.XKubernetesListMapKeys)
            {
                (item.Required ?? []).ShouldContain(key, path);
            }
        }
    }

    [Fact]
    public void Rules_and_contact_points_are_keyed_by_name()
    {
        foreach (var (kind, path) in new[] { ("AppAlert", "spec.rules"), ("AppAlert", "status.rules"), ("MetricsStack", "spec.grafana.contactPoints") })
        {
            var list = Generated.At(kind, path);
            list.XKubernetesListType.ShouldBe("map", path);
            list.XKubernetesListMapKeys.ShouldBe(["name"], path);
        }
    }

    [Fact]
    public void Enums_carry_their_json_names()
    {
        Generated.At("MetricsStack", "spec.grafana.mode").EnumProperty.ShouldBe(["managed", "external"]);
        Generated.At("MetricsStack", "spec.grafana.contactPoints[].type").EnumProperty.ShouldBe(["slack", "email", "webhook"]);
        Generated.At("MetricsStack", "spec.telegraf.kafka.consumers[].dataFormat").EnumProperty.ShouldBe(["avro", "json", "json_v2", "influx"]);
        Generated.At("AppAlert", "spec.rules[].query.language").EnumProperty.ShouldBe(["InfluxQL", "Flux"]);
        Generated.At("AppAlert", "spec.rules[].condition.reducer").EnumProperty.ShouldBe(["last", "mean", "min", "max", "sum", "count", "median"]);
        Generated.At("AppAlert", "spec.rules[].condition.operator").EnumProperty.ShouldBe(["gt", "lt", "gte", "lte", "eq", "ne", "within_range", "outside_range"]);
        Generated.At("AppAlert", "spec.rules[].noDataState").EnumProperty.ShouldBe(["NoData", "Alerting", "OK"]);
        Generated.At("AppAlert", "spec.rules[].execErrState").EnumProperty.ShouldBe(["Error", "Alerting", "OK"]);
    }

    [Fact]
    public void Every_enum_property_of_the_api_types_becomes_a_schema_enum()
    {
        var enumSchemas = Generated.Crds
            .SelectMany(crd => Generated.Walk(crd.Spec.Versions.Single().Schema.OpenAPIV3Schema))
            .Count(node => node.Schema.EnumProperty is { Count: > 0 } && node.Path != "" && !node.Path.EndsWith("conditions[].status", StringComparison.Ordinal));
        var enumTypesUsed = typeof(V1Alpha1MetricsStack).Assembly.GetExportedTypes()
            .SelectMany(type => type.GetProperties())
            .Count(property => (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType).IsEnum);

        // Each enum-typed property appears once per place its declaring type is used; backup targets twice.
        enumSchemas.ShouldBeGreaterThanOrEqualTo(enumTypesUsed);
    }

    [Fact]
    public void Required_fields_are_required()
    {
        Generated.At("AppAlert", "spec").Required.ShouldBe(["rules"]);
        Generated.Schema("AppAlert").Required.ShouldBe(["spec"]);
        // A rule is the short form (query, condition) or the long form (queries, conditionRef): one of query or queries, by oneOf.
        Generated.At("AppAlert", "spec.rules[]").Required.ShouldBe(["name"]);
        Generated.At("AppAlert", "spec.rules[].query").Required.ShouldBe(["language", "text"]);
        Generated.At("AppAlert", "spec.rules[].condition").Required.ShouldBe(["operator", "threshold"]);
        Generated.At("AppAlert", "spec.stackRef").Required.ShouldBe(["name"]);
        Generated.At("MetricsStack", "spec.telegraf.kafka").Required.ShouldBe(["brokers", "consumers"]);
        Generated.At("MetricsStack", "spec.grafana.contactPoints[]").Required.ShouldBe(["name", "secretRef", "type"]);
        Generated.At("MetricsStack", "spec.backup.grafana.destination.s3").Required.ShouldBe(["bucket", "credentialsSecret"]);
        Generated.At("MetricsStack", "spec").Required.ShouldBeNull();
    }

    [Fact]
    public void Defaults_make_an_empty_metrics_stack_spec_complete()
    {
        Generated.Schema("MetricsStack").Properties["spec"].DefaultProperty.ShouldBeAssignableTo<IDictionary<string, object>>();
        foreach (var section in new[] { "spec.influxdb", "spec.influxdb.storage", "spec.telegraf", "spec.telegraf.diskBuffer", "spec.grafana", "spec.grafana.datasources" })
        {
            Generated.At("MetricsStack", section).DefaultProperty.ShouldBeAssignableTo<IDictionary<string, object>>(section);
        }

        Generated.At("MetricsStack", "spec.influxdb.retention").DefaultProperty.ShouldBe("0s");
        Generated.At("MetricsStack", "spec.influxdb.bucket").DefaultProperty.ShouldBe("metrics");
        Generated.At("MetricsStack", "spec.telegraf.replicas").DefaultProperty.ShouldBe(1L);
        Generated.At("MetricsStack", "spec.grafana.mode").DefaultProperty.ShouldBe("managed");
        Generated.At("AppAlert", "spec.interval").DefaultProperty.ShouldBe("1m");
        Generated.At("AppAlert", "spec.rules[].noDataState").DefaultProperty.ShouldBe("NoData");
    }

    [Fact]
    public void Quantities_are_int_or_string_and_never_negative()
    {
        var size = Generated.At("MetricsStack", "spec.influxdb.storage.size");

        size.XKubernetesIntOrString.ShouldBe(true);
        SchemaValidator.Validate(JsonValue.Create("100Gi"), size).ShouldBeEmpty();
        SchemaValidator.Validate(JsonValue.Create(1073741824), size).ShouldBeEmpty();
        SchemaValidator.Validate(JsonValue.Create("-5Gi"), size).ShouldNotBeEmpty();
        SchemaValidator.Validate(JsonValue.Create("lots"), size).ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("10s", true)]
    [InlineData("1m", true)]
    [InlineData("1m30s", true)]
    [InlineData("2h", true)]
    [InlineData("15s", false)]
    [InlineData("1m5s", false)]
    [InlineData("90x", false)]
    [InlineData("", false)]
    public void Alert_interval_accepts_multiples_of_ten_seconds(string interval, bool valid) =>
        SchemaValidator.Validate(JsonValue.Create(interval), Generated.At("AppAlert", "spec.interval")).Count.ShouldBe(valid ? 0 : 1);

    [Fact]
    public void A_backup_destination_is_exactly_one_of_s3_or_pvc()
    {
        var destination = Generated.At("MetricsStack", "spec.backup.influxdb.destination");

        SchemaValidator.Validate(JsonNode.Parse("""{"pvc":{"claimName":"b"}}"""), destination).ShouldBeEmpty();
        SchemaValidator.Validate(JsonNode.Parse("{}"), destination).ShouldNotBeEmpty();
        SchemaValidator.Validate(JsonNode.Parse("""{"pvc":{"claimName":"b"},"s3":{"bucket":"bbb","credentialsSecret":{"name":"s"}}}"""), destination).ShouldNotBeEmpty();
    }

    [Fact]
    public void Names_printer_columns_and_status_subresource()
    {
        var stack = Generated.Crd("MetricsStack");
        var alert = Generated.Crd("AppAlert");

        stack.Metadata.Name.ShouldBe("metricsstacks.metrics.lsst.io");
        stack.Spec.Scope.ShouldBe("Namespaced");
        stack.Spec.Names.ShortNames.ShouldBe(["mstack"]);
        alert.Spec.Names.ShortNames.ShouldBe(["appalert"]);
        stack.Spec.Versions.Single().Subresources.Status.ShouldNotBeNull();
        alert.Spec.Versions.Single().Subresources.Status.ShouldNotBeNull();
        stack.Spec.Versions.Single().AdditionalPrinterColumns.Select(column => column.Name).ShouldBe(["Ready", "Reason", "Bucket", "Endpoint", "Age"]);
        alert.Spec.Versions.Single().AdditionalPrinterColumns.Select(column => column.Name).ShouldBe(["Ready", "Reason", "Rules", "Synced", "Age"]);
        stack.Spec.Versions.Single().AdditionalPrinterColumns[0].JsonPath.ShouldBe(".status.conditions[?(@.type==\"Ready\")].status");
    }

    [Fact]
    public void Descriptions_come_from_the_xml_documentation()
    {
        var documentation = XmlDocumentation.LoadBeside(typeof(V1Alpha1MetricsStack).Assembly);
        var bucket = typeof(InfluxDbSpec).GetProperty(nameof(InfluxDbSpec.Bucket))!;

        Generated.At("MetricsStack", "spec.influxdb.bucket").Description.ShouldBe(documentation.For(bucket));
        Generated.At("MetricsStack", "spec.influxdb.retention").Description!.ShouldContain("0s (the default) keeps data forever");
    }

    [Fact]
    public void Xml_documentation_is_flattened_to_plain_text()
    {
        var documentation = XmlDocumentation.Parse("""
            <doc><members>
              <member name="T:MetricsOperator.Tests.Generation.CrdSchemaTests.FakeForDocs"><summary>
                Uses <c>0s</c> and <see cref="P:A.B.Prop"/>,
                over   two lines.<para>Second paragraph.</para>
              </summary></member>
            </members></doc>
            """);

        documentation.For(typeof(FakeForDocs)).ShouldBe("Uses 0s and Prop, over two lines.\n\nSecond paragraph.");
        documentation.For(typeof(CrdSchemaTests)).ShouldBeNull();
    }

    internal sealed class FakeForDocs;
}
