using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using Tomlyn;
using Tomlyn.Model;

namespace MetricsOperator.Tests.Stacks.Kafka;

public sealed class KafkaConsumerRendererTests
{
    [Fact]
    public void Strimzi_scram_with_a_literal_user_writes_the_user_and_reads_only_the_password_from_the_Secret()
    {
        var stack = KafkaStacks.With(KafkaStacks.StrimziScram);
        var consumer = Consumers(stack).ShouldHaveSingleItem();

        consumer["alias"].ShouldBe("gafaelfawr");
        consumer["kafka_version"].ShouldBe("3.9.0");
        consumer["sasl_mechanism"].ShouldBe("SCRAM-SHA-512");
        consumer["sasl_username"].ShouldBe("metrics-telegraf");
        consumer["sasl_password"].ShouldBe("${KAFKA_SASL_PASSWORD}");
        consumer["enable_tls"].ShouldBe(true);
        consumer["tls_ca"].ShouldBe("/etc/telegraf-kafka/kafka-ca/ca.crt");
        consumer.ContainsKey("tls_cert").ShouldBeFalse("no client certificate was asked for");
        consumer["data_format"].ShouldBe("avro");
        consumer["avro_schema_registry"].ShouldBe("http://sasquatch-schema-registry.sasquatch:8081");
        consumer["avro_timestamp"].ShouldBe("timestamp_ns");
        consumer["avro_timestamp_format"].ShouldBe("unix_ns");
        consumer["avro_union_mode"].ShouldBe("nullable");
        ((TomlArray)consumer["avro_tags"]).ShouldBe(["application", "username"]);

        var pod = Pod(stack);
        ConfReferences.SecretKeys(pod).ShouldBe(["metrics-listener-token/token", "metrics-telegraf-token/token", "metrics-telegraf/password", "sasquatch-cluster-ca-cert/ca.crt"]);
    }

    [Fact]
    public void A_Strimzi_tls_user_presents_its_certificate_and_the_registry_gets_credentials_and_its_CA()
    {
        var stack = KafkaStacks.With(KafkaStacks.StrimziTlsUser);
        var consumer = Consumers(stack).ShouldHaveSingleItem();

        consumer["tls_ca"].ShouldBe("/etc/telegraf-kafka/kafka-ca/ca.crt");
        consumer["tls_cert"].ShouldBe("/etc/telegraf-kafka/kafka-client/tls.crt");
        consumer["tls_key"].ShouldBe("/etc/telegraf-kafka/kafka-client/tls.key");
        consumer.ContainsKey("sasl_mechanism").ShouldBeFalse();
        ((TomlArray)consumer["topics"]).ShouldBeEmpty();
        ((TomlArray)consumer["topic_regexps"]).ShouldBe([@"^lsst\.square\.app-metrics\.events\..*"]);
        consumer["topic_tag"].ShouldBe("topic");
        consumer["avro_schema_registry"].ShouldBe("https://${SCHEMA_REGISTRY_USERNAME}:${SCHEMA_REGISTRY_PASSWORD}@registry.example.org:8081");
        consumer["avro_schema_registry_cert"].ShouldBe("/etc/telegraf-kafka/schema-registry-ca/ca.crt");
        consumer["avro_measurement_field"].ShouldBe("event");
        consumer["avro_measurement"].ShouldBe("events");
        ((TomlArray)consumer["avro_fields"]).ShouldBe(["count"]);
        consumer["avro_field_separator"].ShouldBe("_");

        var pod = Pod(stack);
        ConfReferences.SecretKeys(pod).ShouldBe(
        [
            "cluster-ca/ca.crt",
            "metrics-listener-token/token",
            "metrics-telegraf-token/token",
            "registry-ca/tls.crt",
            "registry-login/password",
            "registry-login/username",
            "telegraf-user/user.crt",
            "telegraf-user/user.key",
        ]);
        var client = pod.Volumes.Single(v => v.Name == "kafka-client").Secret;
        client.Items.Select(i => $"{i.Key}->{i.Path}").ShouldBe(["user.crt->tls.crt", "user.key->tls.key"]);
        client.DefaultMode.ShouldBe(0x120, "0440: the key is readable by the pod's group only");
    }

    [Fact]
    public void A_user_from_a_Secret_key_and_the_json_parser_options()
    {
        var stack = KafkaStacks.With(KafkaStacks.SecretUser);
        var consumer = Consumers(stack).ShouldHaveSingleItem();

        consumer["sasl_mechanism"].ShouldBe("PLAIN");
        consumer["sasl_username"].ShouldBe("${KAFKA_SASL_USERNAME}");
        consumer["sasl_password"].ShouldBe("${KAFKA_SASL_PASSWORD}");
        consumer.ContainsKey("enable_tls").ShouldBeFalse();
        consumer["consumer_group"].ShouldBe("metrics");
        consumer["offset"].ShouldBe("newest");
        consumer["max_undelivered_messages"].ShouldBe(500L);
        consumer["max_processing_time"].ShouldBe("250ms");
        consumer["consumer_fetch_default"].ShouldBe("1MB");
        consumer["compression_codec"].ShouldBe(4L, "zstd is Kafka's codec 4");
        consumer["data_format"].ShouldBe("json");
        ((TomlArray)consumer["tag_keys"]).ShouldBe(["service"]);
        ((TomlArray)consumer["json_string_fields"]).ShouldBe(["username"]);
        consumer["json_name_key"].ShouldBe("event");
        consumer["json_time_key"].ShouldBe("time");
        consumer["json_time_format"].ShouldBe("unix_ms");
        consumer["json_timezone"].ShouldBe("UTC");
        ((TomlTable)consumer["tags"])["source"].ShouldBe("kafka");

        var env = Pod(stack).Containers.Single().Env.Where(e => e.Name.StartsWith("KAFKA", StringComparison.Ordinal)).Select(e => $"{e.Name}={e.ValueFrom.SecretKeyRef.Name}/{e.ValueFrom.SecretKeyRef.Key}");
        env.ShouldBe(["KAFKA_SASL_USERNAME=kafka-login/user", "KAFKA_SASL_PASSWORD=kafka-login/pass"]);
    }

    [Fact]
    public void Json_v2_tables_are_sub_tables_of_their_consumer()
    {
        var consumer = Consumers(KafkaStacks.With(KafkaStacks.JsonV2)).ShouldHaveSingleItem();

        consumer["data_format"].ShouldBe("json_v2");
        var table = ((TomlTableArray)consumer["json_v2"]).ShouldHaveSingleItem();
        table["measurement_name"].ShouldBe("logins");
        table["timestamp_path"].ShouldBe("time");
        table["timestamp_format"].ShouldBe("unix");
        var tag = ((TomlTableArray)table["tag"]).ShouldHaveSingleItem();
        tag["path"].ShouldBe("user.name");
        tag["rename"].ShouldBe("username");
        var fields = (TomlTableArray)table["field"];
        fields.Select(f => $"{f["path"]}:{f["type"]}").ShouldBe(["elapsed:float", "ok:bool"]);
        fields[1]["optional"].ShouldBe(true);
    }

    [Fact]
    public void Influx_takes_its_timestamp_precision_and_defaults_fill_the_throughput_options()
    {
        var consumer = Consumers(KafkaStacks.With(KafkaStacks.InfluxPrecision)).ShouldHaveSingleItem();

        consumer["data_format"].ShouldBe("influx");
        consumer["influx_timestamp_precision"].ShouldBe("1ms");
        consumer["consumer_group"].ShouldBe("telegraf-metrics");
        consumer["offset"].ShouldBe("oldest");
        consumer["max_undelivered_messages"].ShouldBe(10000L);
        consumer["max_processing_time"].ShouldBe("5s");
        consumer["consumer_fetch_default"].ShouldBe("5MB");
        consumer["max_message_len"].ShouldBe(1000000L);
        consumer.ContainsKey("compression_codec").ShouldBeFalse("left out, Telegraf's default");
    }

    [Fact]
    public void Each_consumer_is_its_own_plugin_instance_sharing_the_connection()
    {
        var stack = Stacks.FullSample();

        var consumers = Consumers(stack);

        consumers.Select(c => (string)c["alias"]).ShouldBe(["gafaelfawr", "mobu"]);
        consumers.ShouldAllBe(c => (string)c["sasl_username"] == "metrics-telegraf" && (string)c["tls_ca"] == "/etc/telegraf-kafka/kafka-ca/ca.crt");
    }

    [Theory]
    [MemberData(nameof(KafkaStacks.Names), MemberType = typeof(KafkaStacks))]
    public void The_pod_reads_exactly_the_Secrets_the_conf_names(string variant)
    {
        var stack = KafkaStacks.With(KafkaStacks.All[variant]);
        StackValidation.Validate(DefaultedStack.Of(stack)).ShouldBeEmpty();

        var conf = TelegrafConfigRenderer.Render(DefaultedStack.Of(stack));

        ConfReferences.FromSecrets(Pod(stack)).ShouldBe(ConfReferences.InConf(conf));
        ConfReferences.InConf(conf).ShouldContain("env:INFLUX_TOKEN", "the check sees variables at all");
    }

    [Theory]
    [MemberData(nameof(KafkaStacks.Names), MemberType = typeof(KafkaStacks))]
    public void No_secret_value_and_no_literal_credential_reaches_the_conf(string variant)
    {
        var conf = TelegrafConfigRenderer.Render(DefaultedStack.Of(KafkaStacks.With(KafkaStacks.All[variant])));
        var document = TomlSerializer.Deserialize<TomlTable>(conf)!;

        foreach (var consumer in Consumers(document))
        {
            if (consumer.TryGetValue("sasl_password", out var password))
            {
                ((string)password).ShouldBe("${KAFKA_SASL_PASSWORD}");
            }
        }
    }

    [Fact]
    public void Internal_metrics_are_on_by_default_and_the_agent_batches_5000()
    {
        var document = TomlSerializer.Deserialize<TomlTable>(TelegrafConfigRenderer.Render(DefaultedStack.Of(Stacks.MinimalSample())))!;

        var agent = (TomlTable)document["agent"];
        agent["metric_batch_size"].ShouldBe(5000L);
        agent["metric_buffer_limit"].ShouldBe(100000L);
        agent["flush_interval"].ShouldBe("10s");
        agent["omit_hostname"].ShouldBe(true);
        var internalInput = ((TomlTableArray)((TomlTable)document["inputs"])["internal"]).ShouldHaveSingleItem();
        internalInput["name_prefix"].ShouldBe("telegraf_");
        internalInput["collect_memstats"].ShouldBe(true);
        ((TomlTable)internalInput["tags"])["pod"].ShouldBe("${POD_NAME}", "replicas' counters must not share a series");

        var off = TelegrafConfigRenderer.Render(DefaultedStack.Of(Stacks.MinimalSampleWith(s => s.Telegraf!.InternalMetrics!.Enabled = false)));
        off.ShouldNotContain("inputs.internal");
    }

    private static List<TomlTable> Consumers(V1Alpha1MetricsStack stack) =>
        Consumers(TomlSerializer.Deserialize<TomlTable>(TelegrafConfigRenderer.Render(DefaultedStack.Of(stack)))!);

    private static List<TomlTable> Consumers(TomlTable document) =>
        ((TomlTable)document["inputs"]).TryGetValue("kafka_consumer", out var consumers) ? [.. (TomlTableArray)consumers] : [];

    private static V1PodSpec Pod(V1Alpha1MetricsStack stack) => TelegrafBuilder.Workload(DefaultedStack.Of(stack)) switch
    {
        V1Deployment deployment => deployment.Spec.Template.Spec,
        V1StatefulSet statefulSet => statefulSet.Spec.Template.Spec,
        var other => throw new InvalidOperationException(other.Kind),
    };
}
