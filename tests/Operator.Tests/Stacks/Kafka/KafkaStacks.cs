using MetricsOperator.Crds;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks.Kafka;

/// <summary>MetricsStacks with a Kafka section written as YAML, one per data format and per credential style.</summary>
internal static class KafkaStacks
{
    /// <summary>A stack whose <c>spec.telegraf.kafka</c> is <paramref name="kafkaYaml"/> (indented as under <c>kafka:</c>, 6 spaces).</summary>
    public static V1Alpha1MetricsStack With(string kafkaYaml)
    {
        var yaml = "apiVersion: metrics.lsst.io/v1alpha1\nkind: MetricsStack\nmetadata:\n  name: metrics\n  namespace: metrics\nspec:\n  telegraf:\n    kafka:\n"
            + string.Join("\n", kafkaYaml.Split('\n').Select(line => line.Length == 0 ? line : "      " + line));
        return StackManifests.Read(new StringReader(yaml)).Stacks.ShouldHaveSingleItem();
    }

    public const string Plain = """
        brokers: [kafka:9092]
        consumers:
          - name: app
            topics: [app-metrics]
            dataFormat: influx
        """;

    /// <summary>Strimzi-style: SCRAM with the KafkaUser's name literal, its Secret's password key, the cluster CA Secret.</summary>
    public const string StrimziScram = """
        brokers: [sasquatch-kafka-bootstrap.sasquatch:9093]
        kafkaVersion: "3.9.0"
        sasl:
          username: metrics-telegraf
          secret: {name: metrics-telegraf}
        tls:
          caSecret: {name: sasquatch-cluster-ca-cert}
        schemaRegistry:
          url: http://sasquatch-schema-registry.sasquatch:8081
        consumers:
          - name: gafaelfawr
            topics: [lsst.square.app-metrics.events.gafaelfawr]
            dataFormat: avro
            avro:
              timestamp: timestamp_ns
              timestampFormat: unix_ns
              unionMode: nullable
              tags: [application, username]
        """;

    /// <summary>Strimzi TLS user (client certificate, Strimzi's key names) and a registry with credentials and its own CA.</summary>
    public const string StrimziTlsUser = """
        brokers: [kafka:9093]
        tls:
          caSecret: {name: cluster-ca}
          clientSecret: {name: telegraf-user}
        schemaRegistry:
          url: https://registry.example.org:8081
          credentialsSecret: {name: registry-login}
          caSecret: {name: registry-ca}
          caKey: tls.crt
        consumers:
          - name: app
            topicRegexps: ['^lsst\.square\.app-metrics\.events\..*']
            topicTag: topic
            dataFormat: avro
            avro:
              measurementField: event
              measurement: events
              fields: [count]
              fieldSeparator: _
        """;

    /// <summary>SASL user and password both from keys of a non-Strimzi Secret, PLAIN, configured key names.</summary>
    public const string SecretUser = """
        brokers: [kafka:9092]
        sasl:
          mechanism: PLAIN
          usernameKey: user
          passwordKey: pass
          secret: {name: kafka-login}
        consumers:
          - name: app
            topics: [app-json]
            consumerGroup: metrics
            offset: newest
            maxUndeliveredMessages: 500
            maxProcessingTime: 250ms
            consumerFetchDefault: 1MB
            compressionCodec: zstd
            dataFormat: json
            json:
              tagKeys: [service]
              stringFields: [username]
              nameKey: event
              timeKey: time
              timeFormat: unix_ms
              timezone: UTC
            tags: {source: kafka}
        """;

    public const string JsonV2 = """
        brokers: [kafka:9092]
        consumers:
          - name: app
            topics: [app-json]
            dataFormat: json_v2
            jsonV2:
              - measurementName: logins
                timestampPath: time
                timestampFormat: unix
                tags:
                  - path: user.name
                    rename: username
                fields:
                  - path: elapsed
                    type: float
                  - path: ok
                    type: bool
                    optional: true
        """;

    public const string InfluxPrecision = """
        brokers: [kafka:9092]
        consumers:
          - name: app
            topics: [app-lines]
            dataFormat: influx
            influx: {timestampPrecision: 1ms}
        """;

    /// <summary>Every variant above, by name.</summary>
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["plain-influx"] = Plain,
        ["strimzi-scram-avro"] = StrimziScram,
        ["strimzi-tls-avro-registry-login"] = StrimziTlsUser,
        ["secret-user-json"] = SecretUser,
        ["json_v2"] = JsonV2,
        ["influx-precision"] = InfluxPrecision,
    };

    public static TheoryData<string> Names() => new(All.Keys.Order(StringComparer.Ordinal));
}
