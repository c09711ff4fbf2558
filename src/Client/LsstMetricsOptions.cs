namespace Lsst.Metrics.Client;

/// <summary>
/// Settings of the metrics client. Bound from the <c>LsstMetrics</c> configuration section; the connection
/// settings fall back to the <c>METRICS_*</c> environment variables that the MetricsStack publishes.
/// </summary>
public sealed class LsstMetricsOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "LsstMetrics";

    /// <summary>Environment variable holding the write endpoint (Telegraf's influxdb_v2_listener or InfluxDB).</summary>
    public const string UrlVariable = "METRICS_URL";

    /// <summary>Environment variable holding the InfluxDB organization.</summary>
    public const string OrgVariable = "METRICS_ORG";

    /// <summary>Environment variable holding the bucket.</summary>
    public const string BucketVariable = "METRICS_BUCKET";

    /// <summary>Environment variable holding the write token (from the stack's write-token Secret).</summary>
    public const string TokenVariable = "METRICS_TOKEN";

    /// <summary>
    /// Environment variable holding the path of a file that holds the write token (a mounted key of the
    /// <c>metrics-write-token</c> Secret). It wins over <see cref="TokenVariable"/> and is re-read after a 401.
    /// </summary>
    public const string TokenFileVariable = "METRICS_TOKEN_FILE";

    /// <summary>Environment variable holding the <c>app</c> tag.</summary>
    public const string AppVariable = "METRICS_APP";

    /// <summary>Environment variable holding the <c>environment</c> tag.</summary>
    public const string EnvironmentVariable = "METRICS_ENVIRONMENT";

    /// <summary>Turns the client off entirely (nothing is subscribed, nothing is sent). Default <c>true</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Write endpoint base URL, e.g. <c>http://telegraf.metrics:8086</c>. Falls back to <c>METRICS_URL</c>.</summary>
    public string? Url { get; set; }

    /// <summary>InfluxDB organization. Falls back to <c>METRICS_ORG</c>.</summary>
    public string? Org { get; set; }

    /// <summary>Bucket. Falls back to <c>METRICS_BUCKET</c>.</summary>
    public string? Bucket { get; set; }

    /// <summary>Write token. Falls back to <c>METRICS_TOKEN</c>.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Path of a file holding the write token, e.g. <c>/etc/metrics-write-token/METRICS_TOKEN</c> (a mounted Secret).
    /// Falls back to <c>METRICS_TOKEN_FILE</c>. When set it wins over <see cref="Token"/>; it is read at start and
    /// again after every 401, so a rotated token is picked up without a restart.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>The <c>app</c> tag. Falls back to <c>METRICS_APP</c>, then to the entry assembly's name.</summary>
    public string? App { get; set; }

    /// <summary>The <c>environment</c> tag. Falls back to <c>METRICS_ENVIRONMENT</c>; omitted when neither is set.</summary>
    public string? Environment { get; set; }

    /// <summary>
    /// Meters to listen to. An entry <c>Foo</c> matches the meter <c>Foo</c> and every meter whose name starts with
    /// <c>Foo.</c>; an entry ending in <c>*</c> matches every meter whose name starts with what precedes the star.
    /// The client's own meter (<see cref="LsstMetricsClient.MeterName"/>) is shipped only when named exactly.
    /// </summary>
    public IList<string> Meters { get; } = [];

    /// <summary>Extra tags added to every point (after <c>app</c>, <c>environment</c> and <c>host</c>).</summary>
    public IDictionary<string, string> GlobalTags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Adds the instrument's unit as the tag <c>unit</c> when it has one. Default <c>true</c>.</summary>
    public bool UnitTag { get; set; } = true;

    /// <summary>Ring buffer size in measurements: a power of two between 1,024 and 4,194,304. Default 32,768.</summary>
    public int BufferCapacity { get; set; } = 32_768;

    /// <summary>Most lines per write request. Default 5,000 (InfluxDB's advice).</summary>
    public int BatchSize { get; set; } = 5_000;

    /// <summary>Longest time a measurement waits in the buffer before it is sent. Default 1 s.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often observable instruments are polled. Default 10 s.</summary>
    public TimeSpan ObservableInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline for the final flush when the client stops. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one write request. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay after a failed write; doubles up to <see cref="MaxRetryDelay"/>. Default 200 ms.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest retry delay (a server's Retry-After is honoured up to 5 minutes). Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Compresses write requests with gzip. Default <c>false</c> (it costs CPU in the app's pod).</summary>
    public bool Gzip { get; set; }

    /// <summary>
    /// Stamps each measurement with the exact monotonic clock instead of the kernel's coarse one. Default <c>false</c>:
    /// a coarse reading is up to about one kernel tick old (4 ms on a <c>CONFIG_HZ=250</c> kernel, measured 1–5.4 ms)
    /// and costs a few nanoseconds; an exact one costs 20–30 ns on every call.
    /// </summary>
    public bool ExactTimestamps { get; set; }

    /// <summary>Reads an environment variable; replaceable by tests.</summary>
    internal Func<string, string?> ReadEnvironment { get; set; } = System.Environment.GetEnvironmentVariable;
}
