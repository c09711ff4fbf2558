using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// What the API server decides about the generated CRDs: they install, every sample is
/// accepted, bad objects are rejected naming the field, and unknown fields are pruned.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class CrdAcceptanceTests(ApiServerFixture fixture)
{
    private const string Group = "metrics.lsst.io";
    private const string Version = "v1alpha1";

    [Theory]
    [InlineData("metricsstacks.metrics.lsst.io", "MetricsStack", "mstack")]
    [InlineData("appalerts.metrics.lsst.io", "AppAlert", "appalert")]
    public async Task Each_crd_is_established_namespaced_with_status_and_short_name(string name, string kind, string shortName)
    {
        var crd = await fixture.Plane.AdminClient.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name);

        crd.Status.Conditions.ShouldContain(c => c.Type == "Established" && c.Status == "True");
        crd.Spec.Scope.ShouldBe("Namespaced");
        crd.Spec.Names.Kind.ShouldBe(kind);
        crd.Spec.Names.ShortNames.ShouldContain(shortName);
        var version = crd.Spec.Versions.ShouldHaveSingleItem();
        version.Name.ShouldBe(Version);
        version.Served.ShouldBeTrue();
        version.Storage.ShouldBeTrue();
        version.Subresources.Status.ShouldNotBeNull();
        version.AdditionalPrinterColumns.Select(c => c.Name).ShouldContain("Ready");
        version.AdditionalPrinterColumns.Select(c => c.Name).ShouldContain("Age");
    }

    public static TheoryData<string> Samples() =>
        [.. Directory.GetFiles(RepoPaths.InRepo("config", "samples"), "*.yaml").Select(Path.GetFileName).OfType<string>().Order()];

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Every_sample_is_accepted_by_the_api_server(string file)
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("sample");

        // Server-side dry run: admission, schema validation and defaulting run, nothing is stored.
        var result = await fixture.Plane.KubectlAsync(
            ["create", "--dry-run=server", "-n", ns, "-o", "json", "-f", RepoPaths.InRepo("config", "samples", file)]);

        result.ExitCode.ShouldBe(0, result.StandardError);
        result.StandardOutput.ShouldContain($"\"apiVersion\": \"{Group}/{Version}\"");
    }

    [Fact]
    public async Task Schema_defaults_are_filled_in_by_the_api_server()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("defaults");
        var created = await CreateAsync(ns, "metricsstacks", JsonNode.Parse("""
            {"apiVersion":"metrics.lsst.io/v1alpha1","kind":"MetricsStack","metadata":{"name":"bare"},"spec":{}}
            """)!);

        var spec = created["spec"]!;
        spec["influxdb"]!["bucket"]!.GetValue<string>().ShouldBe("metrics");
        spec["influxdb"]!["retention"]!.GetValue<string>().ShouldBe("0s");
        spec["telegraf"]!["replicas"]!.GetValue<int>().ShouldBe(1);
        spec["grafana"]!["mode"]!.GetValue<string>().ShouldBe("managed");
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_not_stored()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("prune");
        var created = await CreateAsync(ns, "metricsstacks", JsonNode.Parse("""
            {"apiVersion":"metrics.lsst.io/v1alpha1","kind":"MetricsStack","metadata":{"name":"extra"},
             "spec":{"influxdb":{"bucket":"metrics","replicaz":3},"surprise":true}}
            """)!);

        created["spec"]!.AsObject().ContainsKey("surprise").ShouldBeFalse();
        created["spec"]!["influxdb"]!.AsObject().ContainsKey("replicaz").ShouldBeFalse();
        created["spec"]!["influxdb"]!["bucket"]!.GetValue<string>().ShouldBe("metrics");
    }

    [Fact]
    public async Task Kubectl_validation_names_an_unknown_field()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("strict");

        var result = await fixture.Plane.KubectlAsync(["create", "-n", ns, "-f", "-"], stdin: """
            apiVersion: metrics.lsst.io/v1alpha1
            kind: MetricsStack
            metadata: {name: typo}
            spec:
              influxdb: {buckett: metrics}
            """);

        result.ExitCode.ShouldNotBe(0);
        result.StandardError.ShouldContain("buckett");
    }

    /// <summary>
    /// Objects the schema must refuse, each with the field path the refusal must name. The 1.20
    /// schema validator names a field inside a list item without the index (<c>spec.rules.query</c>);
    /// the list-map key check names the item (<c>spec.rules[1]</c>).
    /// </summary>
    public static TheoryData<string, string, string, string> InvalidObjects() => new()
    {
        { "zero Telegraf replicas", "metricsstacks", Stack("""{"telegraf":{"replicas":0}}"""), "spec.telegraf.replicas" },
        { "privileged listener port", "metricsstacks", Stack("""{"telegraf":{"listenerPort":80}}"""), "spec.telegraf.listenerPort" },
        { "unknown Grafana mode", "metricsstacks", Stack("""{"grafana":{"mode":"cloud"}}"""), "spec.grafana.mode" },
        { "retention not a duration", "metricsstacks", Stack("""{"influxdb":{"retention":"forever"}}"""), "spec.influxdb.retention" },
        { "bucket name InfluxDB reserves", "metricsstacks", Stack("""{"influxdb":{"bucket":"_internal"}}"""), "spec.influxdb.bucket" },
        { "negative storage size", "metricsstacks", Stack("""{"influxdb":{"storage":{"size":"-5Gi"}}}"""), "spec.influxdb.storage.size" },
        { "kafka without brokers", "metricsstacks", Stack("""{"telegraf":{"kafka":{"consumers":[{"name":"m","topics":["app-metrics"],"dataFormat":"influx"}]}}}"""), "spec.telegraf.kafka.brokers" },
        { "kafka brokers not a list", "metricsstacks", Stack("""{"telegraf":{"kafka":{"brokers":"kafka:9092","consumers":[{"name":"m","topics":["m"],"dataFormat":"influx"}]}}}"""), "spec.telegraf.kafka.brokers" },
        // The 1.20 API server names a list item's field without its index (consumers.dataFormat); render names consumers[0].
        { "unknown kafka data format", "metricsstacks", Stack("""{"telegraf":{"kafka":{"brokers":["k:9092"],"consumers":[{"name":"m","topics":["m"],"dataFormat":"protobuf"}]}}}"""), "spec.telegraf.kafka.consumers.dataFormat: Unsupported value" },
        { "unknown toleration operator", "metricsstacks", Stack("""{"influxdb":{"pod":{"tolerations":[{"key":"k","operator":"Maybe"}]}}}"""), "spec.influxdb.pod.tolerations.operator" },
        { "priority class not a name", "metricsstacks", Stack("""{"telegraf":{"pod":{"priorityClassName":"High Priority"}}}"""), "spec.telegraf.pod.priorityClassName" },
        { "node selector value not a string", "metricsstacks", Stack("""{"grafana":{"pod":{"nodeSelector":{"pool":3}}}}"""), "spec.grafana.pod.nodeSelector.pool" },
        { "alert without rules", "appalerts", Alert("""{"interval":"1m"}"""), "spec.rules" },
        { "rule without query", "appalerts", Alert($$"""{"rules":[{"name":"r","condition":{{Condition}}}]}"""), "spec.rules.query" },
        { "interval in unknown units", "appalerts", Alert($$"""{"interval":"90x","rules":[{{Rule("r")}}]}"""), "spec.interval" },
        { "unknown severity", "appalerts", Alert($$"""{"rules":[{{Rule("r", "\"severity\":\"urgent\",")}}]}"""), "spec.rules.severity" },
        { "unknown reducer", "appalerts", Alert("""{"rules":[{"name":"r","query":{"language":"InfluxQL","text":"SELECT 1"},"condition":{"reducer":"p95","operator":"gt","threshold":1}}]}"""), "spec.rules.condition.reducer" },
        { "duplicate rule names", "appalerts", Alert($$"""{"rules":[{{Rule("same")}},{{Rule("same")}}]}"""), "spec.rules[1]" },
        { "runbook not http", "appalerts", Alert($$"""{"rules":[{{Rule("r", "\"runbookUrl\":\"ftp://example.org/runbook\",")}}]}"""), "spec.rules.runbookUrl" },
        { "stackRef without name", "appalerts", Alert($$"""{"stackRef":{"namespace":"metrics"},"rules":[{{Rule("r")}}]}"""), "spec.stackRef.name" },
        { "unknown no-data state", "appalerts", Alert($$"""{"rules":[{{Rule("r", "\"noDataState\":\"Maybe\",")}}]}"""), "spec.rules.noDataState" },
    };

    [Theory]
    [MemberData(nameof(InvalidObjects))]
    public async Task Invalid_objects_are_rejected_naming_the_field(string why, string plural, string json, string field)
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("invalid");

        var error = await Should.ThrowAsync<HttpOperationException>(
            () => CreateAsync(ns, plural, JsonNode.Parse(json)!), why);

        error.Response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, why);
        error.Response.Content.ShouldContain(field, Case.Sensitive, $"{why}: {error.Response.Content}");
        var left = await fixture.Plane.AdminClient.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, ns, plural);
        left.GetProperty("items").GetArrayLength().ShouldBe(0, $"{why}: nothing may be stored");
    }

    [Fact]
    public async Task Kubectl_explain_prints_the_field_documentation()
    {
        // The API server publishes a new CRD's OpenAPI a moment after it is Established.
        KubectlResult result = new(1, "", "");
        for (var attempt = 0; attempt < 50 && result.ExitCode != 0; attempt++)
        {
            result = await fixture.Plane.KubectlAsync(["explain", "metricsstack.spec.influxdb"]);
            if (result.ExitCode != 0)
            {
                await Task.Delay(200);
            }
        }

        result.ExitCode.ShouldBe(0, result.StandardError);
        var text = result.StandardOutput;
        text.ShouldContain("The InfluxDB v2 server");
        text.ShouldContain("bucket");
        text.ShouldContain("Name of the one bucket every app writes to");
        text.ShouldContain("retention");
        text.ShouldContain("keeps data forever");
    }

    [Fact]
    public async Task Pod_placement_of_the_full_sample_is_stored_as_given()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("placement");
        var sample = JsonNode.Parse(KubernetesJson.Serialize(MetricsOperator.Tests.Stacks.Stacks.FullSample()))!.AsObject();
        sample["metadata"] = new JsonObject { ["name"] = "placed" };
        sample.Remove("status");

        var created = await CreateAsync(ns, "metricsstacks", sample);

        var influxDb = created["spec"]!["influxdb"]!["pod"]!;
        influxDb["nodeSelector"]!["node-role.kubernetes.io/storage"]!.GetValue<string>().ShouldBe("true");
        influxDb["tolerations"]![0]!["effect"]!.GetValue<string>().ShouldBe("NoSchedule");
        influxDb["priorityClassName"]!.GetValue<string>().ShouldBe("metrics-critical");
        // affinity is kept whole (x-kubernetes-preserve-unknown-fields), not pruned to an empty object.
        influxDb["affinity"]!["nodeAffinity"]!["preferredDuringSchedulingIgnoredDuringExecution"]![0]!["preference"]!["matchExpressions"]![0]!["key"]!
            .GetValue<string>().ShouldBe("topology.kubernetes.io/zone");
        created["spec"]!["telegraf"]!["pod"]!["affinity"]!["podAntiAffinity"].ShouldNotBeNull();
        created["spec"]!["telegraf"]!["pod"]!["annotations"]!["example.org/log-format"]!.GetValue<string>().ShouldBe("logfmt");
        created["spec"]!["grafana"]!["pod"]!["tolerations"]![0]!["operator"]!.GetValue<string>().ShouldBe("Exists");
    }

    [Fact]
    public async Task Kubectl_explain_documents_the_pod_section()
    {
        KubectlResult result = new(1, "", "");
        for (var attempt = 0; attempt < 50 && result.ExitCode != 0; attempt++)
        {
            result = await fixture.Plane.KubectlAsync(["explain", "metricsstack.spec.telegraf.pod"]);
            if (result.ExitCode != 0)
            {
                await Task.Delay(200);
            }
        }

        result.ExitCode.ShouldBe(0, result.StandardError);
        var text = result.StandardOutput;
        text.ShouldContain("Placement and scheduling of the Telegraf pods");
        foreach (var field in new[] { "nodeSelector", "tolerations", "affinity", "priorityClassName", "annotations" })
        {
            text.ShouldContain(field);
        }

        text.ShouldContain("are refused (InvalidSpec)");
    }

    private const string Condition = """{"reducer":"last","operator":"gt","threshold":1}""";

    private static string Rule(string name, string extra = "") =>
        $$"""{{{extra}}"name":"{{name}}","query":{"language":"InfluxQL","text":"SELECT count(\"value\") FROM \"m\""},"condition":{{Condition}}}""";

    private static string Stack(string spec) =>
        $$"""{"apiVersion":"metrics.lsst.io/v1alpha1","kind":"MetricsStack","metadata":{"name":"bad"},"spec":{{spec}}}""";

    private static string Alert(string spec) =>
        $$"""{"apiVersion":"metrics.lsst.io/v1alpha1","kind":"AppAlert","metadata":{"name":"bad"},"spec":{{spec}}}""";

    private async Task<JsonNode> CreateAsync(string ns, string plural, JsonNode body)
    {
        var created = await fixture.Plane.AdminClient.CustomObjects.CreateNamespacedCustomObjectAsync<JsonElement>(
            body, Group, Version, ns, plural);
        return JsonNode.Parse(created.GetRawText())!;
    }
}
