using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public sealed class StackValidationTests
{
    public static TheoryData<string, string> InvalidSpecs() => new()
    {
        { "external-no-url", "spec.grafana.url: required when mode is external" },
        { "external-no-credentials", "spec.grafana.credentialsSecret: required when mode is external" },
        { "managed-with-url", "spec.grafana.url: must be left out when mode is managed" },
        { "retention-30m", "spec.influxdb.retention: 30m is shorter than 1h" },
        { "kafka-no-brokers", "spec.telegraf.kafka.brokers: at least one broker" },
        { "kafka-no-topics", "spec.telegraf.kafka.consumers[0].topics: set topics, topicRegexps or both" },
        { "kafka-broker-no-port", "spec.telegraf.kafka.brokers[0]: \"kafka\" is not host:port" },
        { "unknown-default-contact-point", "spec.grafana.defaultContactPoint: \"nowhere\" is not the name" },
        { "agent-buffer-below-batch", "spec.telegraf.agent.metricBufferLimit: 1000 is smaller than metricBatchSize (5000)" },
        { "kafka-no-consumers", "spec.telegraf.kafka.consumers: at least one consumer is required" },
        { "kafka-json-v2-no-tables", "spec.telegraf.kafka.consumers[0].jsonV2: at least one table is required with dataFormat json_v2" },
        { "kafka-json-v2-empty-table", "spec.telegraf.kafka.consumers[0].jsonV2[0]: a table needs at least one tag or field" },
        { "kafka-avro-no-registry", "spec.telegraf.kafka.consumers[0].dataFormat: avro needs spec.telegraf.kafka.schemaRegistry" },
        { "kafka-options-of-another-format", "spec.telegraf.kafka.consumers[1].json: options of the json parser, but dataFormat is avro" },
        { "kafka-json-time-without-format", "spec.telegraf.kafka.consumers[0].json.timeFormat: required with json.timeKey" },
        { "kafka-sasl-two-users", "spec.telegraf.kafka.sasl: set exactly one of username" },
        { "kafka-sasl-no-user", "spec.telegraf.kafka.sasl: set exactly one of username" },
        { "external-no-environment", "spec.environment: required when spec.grafana.mode is external" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Each_rule_names_the_field(string variant, string expected)
    {
        var errors = StackValidation.Validate(DefaultedStack.Of(Invalid(variant)));

        errors.Select(e => e.ToString()).ShouldContain(e => e.StartsWith(expected, StringComparison.Ordinal), $"got: {string.Join(" | ", errors)}");
    }

    [Theory]
    [InlineData("full")]
    [InlineData("minimal")]
    [InlineData("delete-policy")]
    public void The_samples_are_valid(string variant) =>
        StackValidation.Validate(DefaultedStack.Of(Stacks.Variant(variant))).ShouldBeEmpty();

    [Fact]
    public void External_grafana_with_url_and_credentials_is_valid() =>
        StackValidation.Validate(DefaultedStack.Of(ExternalGrafana())).ShouldBeEmpty();

    [Theory]
    [InlineData("0s", true)]
    [InlineData("0h0m", true)]
    [InlineData("1h", true)]
    [InlineData("59m", false)]
    [InlineData("3599s", false)]
    [InlineData("52w", true)]
    public void Retention_is_forever_or_at_least_an_hour(string retention, bool valid)
    {
        var stack = Stacks.MinimalSampleWith(s => s.InfluxDb!.Retention = retention);

        StackValidation.Validate(DefaultedStack.Of(stack)).Any(e => e.Field == "spec.influxdb.retention").ShouldBe(!valid);
    }

    [Theory]
    [InlineData("1h30m", 90 * 60)]
    [InlineData("2d", 2 * 86400)]
    [InlineData("1w1s", (7 * 86400) + 1)]
    public void Durations_parse_with_every_unit(string text, int seconds) =>
        StackValidation.ParseDuration(text).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void Secret_uses_cover_every_field_that_names_a_secret()
    {
        var uses = StackValidation.SecretUses(DefaultedStack.Of(Stacks.FullSample()));

        uses.Select(u => $"{u.Field}={u.Name}").ShouldBe(
        [
            "spec.influxdb.existingAdminSecret=influxdb-admin",
            "spec.telegraf.kafka.sasl.secret=metrics-telegraf",
            "spec.telegraf.kafka.tls.caSecret=sasquatch-cluster-ca-cert",
            "spec.grafana.contactPoints[0].secretRef=grafana-contact-points",
            "spec.grafana.contactPoints[1].secretRef=grafana-contact-points",
            "spec.grafana.contactPoints[2].secretRef=grafana-contact-points",
        ]);
        StackValidation.SecretUses(DefaultedStack.Of(ExternalGrafana())).ShouldContain(u => u.Field == "spec.grafana.credentialsSecret" && u.Name == "grafana-credentials");
    }

    [Fact]
    public void Missing_secrets_and_missing_keys_name_the_field_and_never_a_value()
    {
        var uses = new[]
        {
            new SecretUse("spec.influxdb.existingAdminSecret", "absent"),
            new SecretUse("spec.grafana.contactPoints[0].secretRef", "contacts", "slack"),
            new SecretUse("spec.grafana.contactPoints[1].secretRef", "contacts", "email"),
        };
        var found = new Dictionary<string, V1Secret?>
        {
            ["absent"] = null,
            ["contacts"] = new V1Secret { Data = new Dictionary<string, byte[]> { ["email"] = "very-secret-address"u8.ToArray() } },
        };

        var errors = StackValidation.MissingSecrets("metrics", uses, found).Select(e => e.ToString()).ToList();

        errors.ShouldBe(
        [
            "spec.influxdb.existingAdminSecret: Secret \"absent\" not found in namespace metrics",
            "spec.grafana.contactPoints[0].secretRef: Secret \"contacts\" has no key \"slack\"",
        ]);
        errors.ShouldAllBe(e => !e.Contains("very-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void The_oldest_stack_holds_the_namespace()
    {
        var older = Named("alpha", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var younger = Named("beta", new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc));

        StackValidation.NamespaceClaim(older, [older, younger]).ShouldBeNull();
        var error = StackValidation.NamespaceClaim(younger, [older, younger]).ShouldNotBeNull();
        error.ToString().ShouldBe("metadata.name: namespace metrics already holds MetricsStack \"alpha\" (one MetricsStack per namespace)");
    }

    [Fact]
    public void A_stack_being_deleted_no_longer_holds_the_namespace()
    {
        var older = Named("alpha", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        older.Metadata.DeletionTimestamp = new DateTime(2026, 1, 3, 0, 0, 0, DateTimeKind.Utc);
        var younger = Named("beta", new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc));

        StackValidation.NamespaceClaim(younger, [older, younger]).ShouldBeNull();
    }

    private static V1Alpha1MetricsStack Named(string name, DateTime created)
    {
        var stack = Stacks.MinimalSample();
        stack.Metadata.Name = name;
        stack.Metadata.Uid = name;
        stack.Metadata.CreationTimestamp = created;
        return stack;
    }

    private static V1Alpha1MetricsStack ExternalGrafana() => Stacks.MinimalSampleWith(s =>
    {
        s.Environment = "summit";
        s.Grafana!.Mode = GrafanaMode.External;
        s.Grafana.Url = "https://grafana.example.org";
        s.Grafana.CredentialsSecret = new SecretReference { Name = "grafana-credentials" };
    });

    private static V1Alpha1MetricsStack SchemaDefaultsAppliedWith(V1Alpha1MetricsStack stack, Action<MetricsStackSpec> edit)
    {
        var copy = SchemaDefaults.Applied(stack);
        edit(copy.Spec);
        return copy;
    }

    [Fact]
    public void A_consumer_with_only_topic_regexps_is_valid_and_one_with_neither_is_not()
    {
        StackValidation.Validate(DefaultedStack.Of(Kafka.KafkaStacks.With(Kafka.KafkaStacks.StrimziTlsUser))).ShouldBeEmpty();
        StackValidation.Validate(DefaultedStack.Of(SchemaDefaultsAppliedWith(Kafka.KafkaStacks.With(Kafka.KafkaStacks.StrimziTlsUser), s => s.Telegraf!.Kafka!.Consumers[0].TopicRegexps = null)))
            .Select(e => e.Field).ShouldBe(["spec.telegraf.kafka.consumers[0].topics"]);
    }

    [Fact]
    public void Kafka_secret_uses_name_each_key_with_the_field_that_names_it()
    {
        var uses = StackValidation.SecretUses(DefaultedStack.Of(Kafka.KafkaStacks.With(Kafka.KafkaStacks.StrimziTlsUser)));
        var missingKey = StackValidation.MissingSecrets("metrics", uses, new Dictionary<string, V1Secret?>
        {
            ["cluster-ca"] = new V1Secret { Data = new Dictionary<string, byte[]> { ["ca.crt"] = [1] } },
            ["telegraf-user"] = new V1Secret { Data = new Dictionary<string, byte[]> { ["user.crt"] = [1], ["ca.crt"] = [1] } },
            ["registry-login"] = null,
            ["registry-ca"] = new V1Secret { Data = new Dictionary<string, byte[]> { ["tls.crt"] = [1] } },
        });

        missingKey.Select(e => e.ToString()).ShouldBe(
        [
            "spec.telegraf.kafka.tls.keyKey: Secret \"telegraf-user\" has no key \"user.key\"",
            "spec.telegraf.kafka.schemaRegistry.credentialsSecret: Secret \"registry-login\" not found in namespace metrics",
        ]);
    }

    private static V1Alpha1MetricsStack Invalid(string variant) => variant switch
    {
        "external-no-url" => Stacks.MinimalSampleWith(s =>
        {
            s.Environment = "summit";
            s.Grafana!.Mode = GrafanaMode.External;
            s.Grafana.CredentialsSecret = new SecretReference { Name = "grafana-credentials" };
        }),
        "external-no-credentials" => Stacks.MinimalSampleWith(s =>
        {
            s.Environment = "summit";
            s.Grafana!.Mode = GrafanaMode.External;
            s.Grafana.Url = "https://grafana.example.org";
        }),
        "external-no-environment" => Stacks.MinimalSampleWith(s =>
        {
            s.Grafana!.Mode = GrafanaMode.External;
            s.Grafana.Url = "https://grafana.example.org";
            s.Grafana.CredentialsSecret = new SecretReference { Name = "grafana-credentials" };
        }),
        "managed-with-url" => Stacks.MinimalSampleWith(s => s.Grafana!.Url = "https://grafana.example.org"),
        "retention-30m" => Stacks.MinimalSampleWith(s => s.InfluxDb!.Retention = "30m"),
        "kafka-no-brokers" => Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Brokers = []),
        "kafka-no-topics" => Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Consumers[0].Topics = []),
        "kafka-broker-no-port" => Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Brokers = ["kafka"]),
        "unknown-default-contact-point" => Stacks.FullSampleWith(s => s.Grafana!.DefaultContactPoint = "nowhere"),
        "agent-buffer-below-batch" => Stacks.MinimalSampleWith(s => s.Telegraf!.Agent!.MetricBufferLimit = 1000),
        "kafka-no-consumers" => Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Consumers = []),
        "kafka-json-v2-no-tables" => Kafka.KafkaStacks.With(Kafka.KafkaStacks.JsonV2.Replace("dataFormat: json_v2\n    jsonV2:", "dataFormat: json_v2\n    unused:", StringComparison.Ordinal)),
        "kafka-json-v2-empty-table" => SchemaDefaultsAppliedWith(Kafka.KafkaStacks.With(Kafka.KafkaStacks.JsonV2), s => s.Telegraf!.Kafka!.Consumers[0].JsonV2![0] = new JsonV2TableSpec { MeasurementName = "m" }),
        "kafka-avro-no-registry" => SchemaDefaultsAppliedWith(Kafka.KafkaStacks.With(Kafka.KafkaStacks.StrimziScram), s => s.Telegraf!.Kafka!.SchemaRegistry = null),
        "kafka-options-of-another-format" => Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Consumers[1].Json = new JsonParserSpec { TagKeys = ["a"] }),
        "kafka-json-time-without-format" => SchemaDefaultsAppliedWith(Kafka.KafkaStacks.With(Kafka.KafkaStacks.SecretUser), s => s.Telegraf!.Kafka!.Consumers[0].Json!.TimeFormat = null),
        "kafka-sasl-two-users" => Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Sasl!.UsernameKey = "user"),
        "kafka-sasl-no-user" => Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Sasl!.Username = null),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };
}
