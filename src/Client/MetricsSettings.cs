using System.Numerics;
using System.Reflection;

namespace Lsst.Metrics.Client;

/// <summary>Validated, resolved settings: every value the client runs with.</summary>
internal sealed class MetricsSettings
{
    private const string Section = LsstMetricsOptions.SectionName;

    public required Uri Url { get; init; }
    public required string Org { get; init; }
    public required string Bucket { get; init; }
    public required string Token { get; init; }
    public required string? TokenFile { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> GlobalTags { get; init; }
    public required IReadOnlyList<string> Meters { get; init; }
    public required bool UnitTag { get; init; }
    public required int BufferCapacity { get; init; }
    public required int BatchSize { get; init; }
    public required TimeSpan FlushInterval { get; init; }
    public required TimeSpan ObservableInterval { get; init; }
    public required TimeSpan ShutdownTimeout { get; init; }
    public required TimeSpan RequestTimeout { get; init; }
    public required TimeSpan InitialRetryDelay { get; init; }
    public required TimeSpan MaxRetryDelay { get; init; }
    public required bool Gzip { get; init; }
    public required bool ExactTimestamps { get; init; }

    /// <summary>Resolves and validates the options; throws <see cref="LsstMetricsConfigurationException"/> naming the setting.</summary>
    public static MetricsSettings Resolve(LsstMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var env = options.ReadEnvironment;

        var urlText = Required(options.Url, "Url", LsstMetricsOptions.UrlVariable, env);
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new LsstMetricsConfigurationException($"{Section}:Url",
                $"(or {LsstMetricsOptions.UrlVariable}) must be an absolute http or https URL, got '{urlText}'.");
        }

        var org = Required(options.Org, "Org", LsstMetricsOptions.OrgVariable, env);
        var bucket = Required(options.Bucket, "Bucket", LsstMetricsOptions.BucketVariable, env);
        // A mounted Secret (METRICS_TOKEN_FILE) wins over METRICS_TOKEN: it survives rotation without a restart.
        var tokenFile = FirstNonEmpty(options.TokenFile, env(LsstMetricsOptions.TokenFileVariable));
        var token = tokenFile is not null
            ? ReadTokenFile(tokenFile)
            : Required(options.Token, "Token", LsstMetricsOptions.TokenVariable, env);

        var meters = options.Meters.Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (meters.Count == 0)
        {
            throw new LsstMetricsConfigurationException($"{Section}:Meters",
                "is empty: name at least one meter (or a prefix ending in '*') to listen to.");
        }

        var app = FirstNonEmpty(options.App, env(LsstMetricsOptions.AppVariable), Assembly.GetEntryAssembly()?.GetName().Name) ?? "unknown";
        var environment = FirstNonEmpty(options.Environment, env(LsstMetricsOptions.EnvironmentVariable));
        var host = FirstNonEmpty(env("POD_NAME"), env("HOSTNAME"), System.Environment.MachineName);

        var tags = new List<KeyValuePair<string, string>>();
        AddTag(tags, "app", app, $"{Section}:App");
        if (environment is not null)
        {
            AddTag(tags, "environment", environment, $"{Section}:Environment");
        }

        if (host is not null)
        {
            AddTag(tags, "host", host, "POD_NAME/HOSTNAME");
        }

        foreach (var (key, value) in options.GlobalTags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var setting = $"{Section}:GlobalTags:{key}";
            if (LineProtocol.Invalid(key) is { } keyProblem)
            {
                throw new LsstMetricsConfigurationException(setting, $"has a key that line protocol cannot carry: it {keyProblem}.");
            }

            if (key is "unit" || tags.Any(t => t.Key == key))
            {
                throw new LsstMetricsConfigurationException(setting, "repeats a tag the client sets itself (app, environment, host, unit).");
            }

            if (key == LineProtocol.TimeKey)
            {
                throw new LsstMetricsConfigurationException(setting, "is named 'time', a tag key InfluxDB refuses (with every point that carries it).");
            }

            if (!string.IsNullOrEmpty(value))
            {
                AddTag(tags, key, value, setting);
            }
        }

        var capacity = options.BufferCapacity;
        if (capacity < 1024 || capacity > 4 * 1024 * 1024 || !BitOperations.IsPow2(capacity))
        {
            throw new LsstMetricsConfigurationException($"{Section}:BufferCapacity",
                $"must be a power of two between 1024 and 4194304, got {capacity}.");
        }

        if (options.BatchSize < 1 || options.BatchSize > capacity)
        {
            throw new LsstMetricsConfigurationException($"{Section}:BatchSize",
                $"must be between 1 and BufferCapacity ({capacity}), got {options.BatchSize}.");
        }

        Positive(options.FlushInterval, "FlushInterval");
        Positive(options.ObservableInterval, "ObservableInterval");
        Positive(options.ShutdownTimeout, "ShutdownTimeout");
        Positive(options.RequestTimeout, "RequestTimeout");
        Positive(options.InitialRetryDelay, "InitialRetryDelay");
        Positive(options.MaxRetryDelay, "MaxRetryDelay");
        if (options.MaxRetryDelay < options.InitialRetryDelay)
        {
            throw new LsstMetricsConfigurationException($"{Section}:MaxRetryDelay", "must not be shorter than InitialRetryDelay.");
        }

        return new MetricsSettings
        {
            Url = url,
            Org = org,
            Bucket = bucket,
            Token = token,
            TokenFile = tokenFile,
            GlobalTags = tags,
            Meters = meters,
            UnitTag = options.UnitTag,
            BufferCapacity = capacity,
            BatchSize = options.BatchSize,
            FlushInterval = options.FlushInterval,
            ObservableInterval = options.ObservableInterval,
            ShutdownTimeout = options.ShutdownTimeout,
            RequestTimeout = options.RequestTimeout,
            InitialRetryDelay = options.InitialRetryDelay,
            MaxRetryDelay = options.MaxRetryDelay,
            Gzip = options.Gzip,
            ExactTimestamps = options.ExactTimestamps,
        };
    }

    /// <summary>Whether a meter is one the client listens to.</summary>
    public bool Matches(string meterName)
    {
        foreach (var entry in Meters)
        {
            if (entry == meterName)
            {
                return true;
            }

            // The client's own meter is shipped only when named exactly, so a broad prefix cannot feed it back.
            if (meterName == LsstMetricsClient.MeterName)
            {
                continue;
            }

            if (entry.EndsWith('*'))
            {
                if (meterName.StartsWith(entry.AsSpan(0, entry.Length - 1), StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (meterName.Length > entry.Length && meterName[entry.Length] == '.' && meterName.StartsWith(entry, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the token from <paramref name="path"/>, trimmed; a missing, unreadable or empty file is a configuration error.</summary>
    public static string ReadTokenFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LsstMetricsConfigurationException($"{Section}:TokenFile",
                $"(or {LsstMetricsOptions.TokenFileVariable}) cannot be read: {e.Message}");
        }

        return text.Length > 0 ? text : throw new LsstMetricsConfigurationException($"{Section}:TokenFile",
            $"(or {LsstMetricsOptions.TokenFileVariable}) names an empty file ({path}).");
    }

    private static string Required(string? value, string name, string variable, Func<string, string?> env)
    {
        var resolved = FirstNonEmpty(value, env(variable));
        return resolved ?? throw new LsstMetricsConfigurationException($"{Section}:{name}",
            $"is not set: set it in configuration or in the environment variable {variable}.");
    }

    private static string? FirstNonEmpty(params string?[] values)
        => values.Select(v => v?.Trim()).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    private static void AddTag(List<KeyValuePair<string, string>> tags, string key, string value, string setting)
    {
        if (LineProtocol.Invalid(value) is { } problem)
        {
            throw new LsstMetricsConfigurationException(setting, $"has a value that line protocol cannot carry as a tag: it {problem}.");
        }

        tags.Add(new(key, value));
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new LsstMetricsConfigurationException($"{Section}:{name}", $"must be positive, got {value}.");
        }
    }
}
