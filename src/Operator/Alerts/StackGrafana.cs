using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>
/// One stack's Grafana as the AppAlert controller shares it between reconciles: the client, the snapshot (listed at
/// most once per <see cref="AlertSyncOptions.SnapshotMaxAge"/>, by one caller while the others wait), and a shared
/// outage backoff so that a thousand AppAlerts of a stack whose Grafana is down do not each keep probing it.
/// </summary>
public sealed class StackGrafana : IDisposable
{
    private readonly SemaphoreSlim listing = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> folderLocks = new(StringComparer.Ordinal);
    private readonly AlertSyncOptions options;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private GrafanaSnapshot? snapshot;
    private DateTimeOffset? retryAt;
    private int failures;

    /// <summary>A session over <paramref name="client"/> (the benchmark and tests build one without a cluster).</summary>
    public StackGrafana(GrafanaClient client, AlertSyncOptions? options = null, TimeProvider? time = null)
        : this(client ?? throw new ArgumentNullException(nameof(client)), "", options ?? AlertSyncOptions.Default, time ?? TimeProvider.System)
    {
    }

    internal StackGrafana(GrafanaClient client, string credentialsVersion, AlertSyncOptions options, TimeProvider time)
    {
        Client = client;
        CredentialsVersion = credentialsVersion;
        this.options = options;
        this.time = time;
        CredentialsReadAt = time.GetUtcNow();
    }

    /// <summary>The client, authenticated with the stack's credentials.</summary>
    public GrafanaClient Client { get; }

    internal string CredentialsVersion { get; }

    internal DateTimeOffset CredentialsReadAt { get; set; }

    /// <summary>How many times the snapshot was listed (for the benchmark and tests).</summary>
    public int Listings { get; private set; }

    /// <summary>The snapshot, listed again when missing or older than the maximum age.</summary>
    public async Task<GrafanaSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref snapshot);
        if (current is not null && time.GetUtcNow() - current.FetchedAt < options.SnapshotMaxAge)
        {
            return current;
        }

        await listing.WaitAsync(cancellationToken);
        try
        {
            current = Volatile.Read(ref snapshot);
            if (current is not null && time.GetUtcNow() - current.FetchedAt < options.SnapshotMaxAge)
            {
                return current;
            }

            var fetchedAt = time.GetUtcNow();
            var folders = await Client.ListFoldersAsync(cancellationToken);
            var rules = await Client.ListAlertRulesAsync(cancellationToken);
            current = new GrafanaSnapshot(folders, rules, fetchedAt);
            Volatile.Write(ref snapshot, current);
            Listings++;
            return current;
        }
        finally
        {
            listing.Release();
        }
    }

    /// <summary>
    /// The lock of one folder, held while a group is written into it or the folder is deleted: a group PUT does not
    /// check that its folder exists, so a folder must not disappear between "it exists" and the PUT.
    /// </summary>
    public SemaphoreSlim FolderLock(string folderUid) => folderLocks.GetOrAdd(folderUid, _ => new SemaphoreSlim(1, 1));

    /// <summary>Drops the snapshot: after a failed write nothing in it can be trusted.</summary>
    public void Invalidate() => Volatile.Write(ref snapshot, null);

    /// <summary>How long to wait before Grafana is tried again, or null when it may be tried now.</summary>
    public TimeSpan? RetryIn()
    {
        lock (gate)
        {
            var wait = retryAt - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : null;
        }
    }

    /// <summary>What Grafana's last failure was, for the status of AppAlerts that wait out the backoff.</summary>
    public string? LastError { get; private set; }

    /// <summary>Grafana did not answer (or answered 5xx): back off, doubling per failure in a row.</summary>
    public TimeSpan RecordOutage(string error)
    {
        Invalidate();
        lock (gate)
        {
            LastError = error;
            failures = Math.Min(failures + 1, 30);
            var wait = TimeSpan.FromTicks(Math.Min(options.OutageBackoffMax.Ticks, options.OutageBackoffBase.Ticks << Math.Min(failures - 1, 20)));
            retryAt = time.GetUtcNow() + wait;
            return wait;
        }
    }

    /// <summary>Grafana answered: the outage is over.</summary>
    public void RecordAnswer()
    {
        lock (gate)
        {
            failures = 0;
            retryAt = null;
            LastError = null;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Client.Dispose();
        listing.Dispose();
    }
}
