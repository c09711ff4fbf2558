using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The Kafka part of a MetricsStack with every schema default applied, read once into plain values, plus where its
/// Secrets reach Telegraf (environment variables and files). The renderer, the pod builder and the Secret checks all
/// read this one view, so the conf names exactly what the pod mounts.
/// </summary>
/// <param name="Brokers">Bootstrap brokers, host:port.</param>
/// <param name="KafkaVersion">kafka_version, or null for Telegraf's default.</param>
/// <param name="Sasl">SASL, or null for none.</param>
/// <param name="Tls">TLS, or null for plain text.</param>
/// <param name="SchemaRegistry">The schema registry, or null.</param>
/// <param name="Consumers">One per [[inputs.kafka_consumer]].</param>
public sealed record KafkaSettings(
    IReadOnlyList<string> Brokers,
    string? KafkaVersion,
    KafkaSaslSettings? Sasl,
    KafkaTlsSettings? Tls,
    SchemaRegistrySettings? SchemaRegistry,
    IReadOnlyList<KafkaConsumerSettings> Consumers)
{
    /// <summary>
    /// Where Kafka's Secret files are mounted, each Secret in a folder of its own; outside /etc/telegraf, whose read-only
    /// ConfigMap volume cannot take nested mount points.
    /// </summary>
    public const string Directory = "/etc/telegraf-kafka";

    /// <summary>The Kafka settings of <paramref name="stack"/>, or null when it has no Kafka section.</summary>
    public static KafkaSettings? From(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (stack.Telegraf.Kafka is not { } kafka)
        {
            return null;
        }

        return new KafkaSettings(
            [.. kafka.Brokers ?? []],
            kafka.KafkaVersion,
            kafka.Sasl is { } sasl ? KafkaSaslSettings.From(sasl) : null,
            kafka.Tls is { } tls ? KafkaTlsSettings.From(tls) : null,
            kafka.SchemaRegistry is { } registry ? SchemaRegistrySettings.From(registry) : null,
            [.. (kafka.Consumers ?? []).Select(KafkaConsumerSettings.From)]);
    }

    /// <summary>Every Secret key the pod reads for Kafka, as environment variables or files.</summary>
    public IEnumerable<KafkaSecretRef> SecretRefs()
    {
        if (Sasl is { } sasl)
        {
            if (sasl.UsernameKey is { } usernameKey)
            {
                yield return new KafkaSecretEnv(KafkaSaslSettings.UsernameEnv, sasl.SecretName, usernameKey, "spec.telegraf.kafka.sasl.secret", "spec.telegraf.kafka.sasl.usernameKey");
            }

            yield return new KafkaSecretEnv(KafkaSaslSettings.PasswordEnv, sasl.SecretName, sasl.PasswordKey, "spec.telegraf.kafka.sasl.secret", "spec.telegraf.kafka.sasl.passwordKey");
        }

        if (Tls?.Ca is { } ca)
        {
            yield return ca;
        }

        if (Tls?.ClientCert is { } cert && Tls.ClientKey is { } key)
        {
            yield return cert;
            yield return key;
        }

        if (SchemaRegistry?.Credentials is { } credentials)
        {
            yield return credentials.Username;
            yield return credentials.Password;
        }

        if (SchemaRegistry?.Ca is { } registryCa)
        {
            yield return registryCa;
        }
    }
}

/// <summary>One Secret key Telegraf reads, as an environment variable or as a file.</summary>
/// <param name="SecretName">The Secret.</param>
/// <param name="Key">The key in it.</param>
/// <param name="SecretField">The spec field that names the Secret.</param>
/// <param name="KeyField">The spec field that names the key.</param>
public abstract record KafkaSecretRef(string SecretName, string Key, string SecretField, string KeyField);

/// <summary>A Secret key read as an environment variable, which telegraf.conf names as <c>${NAME}</c>.</summary>
/// <param name="EnvName">The variable.</param>
/// <param name="SecretName">The Secret.</param>
/// <param name="Key">The key in it.</param>
/// <param name="SecretField">The spec field that names the Secret.</param>
/// <param name="KeyField">The spec field that names the key.</param>
public sealed record KafkaSecretEnv(string EnvName, string SecretName, string Key, string SecretField, string KeyField)
    : KafkaSecretRef(SecretName, Key, SecretField, KeyField)
{
    /// <summary>The <c>${NAME}</c> Telegraf substitutes when it starts.</summary>
    public string Reference => "${" + EnvName + "}";
}

/// <summary>A Secret key mounted as a file (<see cref="FileName"/> in the volume <see cref="Volume"/>), which telegraf.conf names by path.</summary>
/// <param name="Volume">The volume's name, also the folder under <see cref="KafkaSettings.Directory"/>.</param>
/// <param name="FileName">The file's name in that folder.</param>
/// <param name="SecretName">The Secret.</param>
/// <param name="Key">The key in it.</param>
/// <param name="SecretField">The spec field that names the Secret.</param>
/// <param name="KeyField">The spec field that names the key.</param>
public sealed record KafkaSecretFile(string Volume, string FileName, string SecretName, string Key, string SecretField, string KeyField)
    : KafkaSecretRef(SecretName, Key, SecretField, KeyField)
{
    /// <summary>The folder the volume is mounted at.</summary>
    public string MountPath => $"{KafkaSettings.Directory}/{Volume}";

    /// <summary>The file's full path, as telegraf.conf names it.</summary>
    public string FilePath => $"{MountPath}/{FileName}";
}

/// <summary>SASL with the user literal or from a Secret key, and the password from a Secret key.</summary>
/// <param name="Mechanism">sasl_mechanism as Telegraf spells it.</param>
/// <param name="Username">The literal user name, or null when it comes from <paramref name="UsernameKey"/>.</param>
/// <param name="UsernameKey">The Secret key holding the user name, or null.</param>
/// <param name="SecretName">The Secret.</param>
/// <param name="PasswordKey">The Secret key holding the password.</param>
public sealed record KafkaSaslSettings(string Mechanism, string? Username, string? UsernameKey, string SecretName, string PasswordKey)
{
    /// <summary>Environment variable holding the SASL user name when it comes from the Secret.</summary>
    public const string UsernameEnv = "KAFKA_SASL_USERNAME";

    /// <summary>Environment variable holding the SASL password.</summary>
    public const string PasswordEnv = "KAFKA_SASL_PASSWORD";

    internal static KafkaSaslSettings From(KafkaSaslSpec sasl) => new(
        Defaulted.Value(sasl.Mechanism, "spec.telegraf.kafka.sasl.mechanism") switch
        {
            SaslMechanism.Plain => "PLAIN",
            SaslMechanism.ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism.ScramSha512 => "SCRAM-SHA-512",
            var other => throw new ArgumentOutOfRangeException(nameof(sasl), other, "Unknown SASL mechanism."),
        },
        sasl.Username,
        sasl.UsernameKey,
        sasl.Secret.Name,
        Defaulted.Value(sasl.PasswordKey, "spec.telegraf.kafka.sasl.passwordKey"));
}

/// <summary>TLS: the brokers' CA and an optional client certificate, each a Secret key mounted as a file.</summary>
/// <param name="Ca">The CA file, or null for the system's CAs.</param>
/// <param name="ClientCert">The client certificate file, or null.</param>
/// <param name="ClientKey">The client key file, or null.</param>
public sealed record KafkaTlsSettings(KafkaSecretFile? Ca, KafkaSecretFile? ClientCert, KafkaSecretFile? ClientKey)
{
    internal static KafkaTlsSettings From(KafkaTlsSpec tls) => new(
        tls.CaSecret is { } ca
            ? new KafkaSecretFile("kafka-ca", "ca.crt", ca.Name, Defaulted.Value(tls.CaKey, "spec.telegraf.kafka.tls.caKey"), "spec.telegraf.kafka.tls.caSecret", "spec.telegraf.kafka.tls.caKey")
            : null,
        tls.ClientSecret is { } client
            ? new KafkaSecretFile("kafka-client", "tls.crt", client.Name, Defaulted.Value(tls.CertKey, "spec.telegraf.kafka.tls.certKey"), "spec.telegraf.kafka.tls.clientSecret", "spec.telegraf.kafka.tls.certKey")
            : null,
        tls.ClientSecret is { } clientKey
            ? new KafkaSecretFile("kafka-client", "tls.key", clientKey.Name, Defaulted.Value(tls.KeyKey, "spec.telegraf.kafka.tls.keyKey"), "spec.telegraf.kafka.tls.clientSecret", "spec.telegraf.kafka.tls.keyKey")
            : null);
}

/// <summary>The schema registry: its URL, optional basic-auth credentials (as variables) and CA (as a file).</summary>
/// <param name="Url">The URL without credentials.</param>
/// <param name="Credentials">The user name and password variables, or null.</param>
/// <param name="Ca">The CA file, or null.</param>
public sealed record SchemaRegistrySettings(string Url, SchemaRegistryCredentials? Credentials, KafkaSecretFile? Ca)
{
    /// <summary>Environment variable holding the registry's user name.</summary>
    public const string UsernameEnv = "SCHEMA_REGISTRY_USERNAME";

    /// <summary>Environment variable holding the registry's password.</summary>
    public const string PasswordEnv = "SCHEMA_REGISTRY_PASSWORD";

    /// <summary>
    /// The URL as avro_schema_registry takes it: with <c>${USER}:${PASSWORD}@</c> after the scheme when there are
    /// credentials (Telegraf reads basic-auth credentials only from the URL and substitutes the variables at start).
    /// </summary>
    public string UrlWithCredentials()
    {
        if (Credentials is not { } credentials)
        {
            return Url;
        }

        var scheme = Url.IndexOf("://", StringComparison.Ordinal) + 3;
        return $"{Url[..scheme]}{credentials.Username.Reference}:{credentials.Password.Reference}@{Url[scheme..]}";
    }

    internal static SchemaRegistrySettings From(SchemaRegistrySpec registry) => new(
        registry.Url,
        registry.CredentialsSecret is { } credentials
            ? new SchemaRegistryCredentials(
                new KafkaSecretEnv(UsernameEnv, credentials.Name, Defaulted.Value(registry.UsernameKey, "spec.telegraf.kafka.schemaRegistry.usernameKey"), "spec.telegraf.kafka.schemaRegistry.credentialsSecret", "spec.telegraf.kafka.schemaRegistry.usernameKey"),
                new KafkaSecretEnv(PasswordEnv, credentials.Name, Defaulted.Value(registry.PasswordKey, "spec.telegraf.kafka.schemaRegistry.passwordKey"), "spec.telegraf.kafka.schemaRegistry.credentialsSecret", "spec.telegraf.kafka.schemaRegistry.passwordKey"))
            : null,
        registry.CaSecret is { } ca
            ? new KafkaSecretFile("schema-registry-ca", "ca.crt", ca.Name, Defaulted.Value(registry.CaKey, "spec.telegraf.kafka.schemaRegistry.caKey"), "spec.telegraf.kafka.schemaRegistry.caSecret", "spec.telegraf.kafka.schemaRegistry.caKey")
            : null);
}

/// <summary>The registry's user name and password, each an environment variable from a Secret key.</summary>
/// <param name="Username">The user name variable.</param>
/// <param name="Password">The password variable.</param>
public sealed record SchemaRegistryCredentials(KafkaSecretEnv Username, KafkaSecretEnv Password);

/// <summary>One consumer with its defaults applied; the parser sections are the spec's own (they have no defaults).</summary>
/// <param name="Name">The consumer's name (the plugin's alias).</param>
/// <param name="Topics">Topic names.</param>
/// <param name="TopicRegexps">Topic regular expressions.</param>
/// <param name="TopicTag">topic_tag, or null.</param>
/// <param name="ConsumerGroup">consumer_group.</param>
/// <param name="Offset">offset: oldest or newest.</param>
/// <param name="MaxUndeliveredMessages">max_undelivered_messages.</param>
/// <param name="MaxProcessingTime">max_processing_time.</param>
/// <param name="ConsumerFetchDefault">consumer_fetch_default.</param>
/// <param name="CompressionCodec">compression_codec, or null for Telegraf's default.</param>
/// <param name="MaxMessageLen">max_message_len.</param>
/// <param name="DataFormat">data_format.</param>
/// <param name="Avro">avro options, or null.</param>
/// <param name="Json">json options, or null.</param>
/// <param name="JsonV2">json_v2 tables (empty when none).</param>
/// <param name="Influx">influx options, or null.</param>
/// <param name="Tags">Tags added to every point (empty when none).</param>
public sealed record KafkaConsumerSettings(
    string Name,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> TopicRegexps,
    string? TopicTag,
    string ConsumerGroup,
    KafkaOffset Offset,
    int MaxUndeliveredMessages,
    string MaxProcessingTime,
    string ConsumerFetchDefault,
    KafkaCompressionCodec? CompressionCodec,
    int MaxMessageLen,
    KafkaDataFormat DataFormat,
    AvroParserSpec? Avro,
    JsonParserSpec? Json,
    IReadOnlyList<JsonV2TableSpec> JsonV2,
    InfluxParserSpec? Influx,
    IReadOnlyDictionary<string, string> Tags)
{
    internal static KafkaConsumerSettings From(KafkaConsumerSpec consumer, int index)
    {
        var at = $"spec.telegraf.kafka.consumers[{index}]";
        return new KafkaConsumerSettings(
            consumer.Name,
            [.. consumer.Topics ?? []],
            [.. consumer.TopicRegexps ?? []],
            consumer.TopicTag,
            Defaulted.Value(consumer.ConsumerGroup, at + ".consumerGroup"),
            Defaulted.Value(consumer.Offset, at + ".offset"),
            Defaulted.Value(consumer.MaxUndeliveredMessages, at + ".maxUndeliveredMessages"),
            Defaulted.Value(consumer.MaxProcessingTime, at + ".maxProcessingTime"),
            Defaulted.Value(consumer.ConsumerFetchDefault, at + ".consumerFetchDefault"),
            consumer.CompressionCodec,
            Defaulted.Value(consumer.MaxMessageLen, at + ".maxMessageLen"),
            consumer.DataFormat,
            consumer.Avro,
            consumer.Json,
            [.. consumer.JsonV2 ?? []],
            consumer.Influx,
            new SortedDictionary<string, string>(consumer.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal));
    }
}
