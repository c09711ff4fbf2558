namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// Everything the InfluxDB fake stores. One lock guards it all: operations are short and the operator makes a
/// handful of InfluxDB calls per reconcile. Tests read it through the snapshot properties and change it behind
/// the operator's back ("drift made in the UI") with the mutation methods.
/// </summary>
public sealed partial class InfluxState
{
    /// <summary>Every resource type InfluxDB knows (the spec's Resource.type enum): the operator token gets them all.</summary>
    public static readonly IReadOnlyList<string> ResourceTypes =
    [
        "authorizations", "buckets", "dashboards", "orgs", "tasks", "telegrafs", "users", "variables", "secrets",
        "labels", "views", "documents", "notificationRules", "notificationEndpoints", "checks", "dbrp", "annotations",
        "sources", "scrapers", "notebooks", "remotes", "replications", "instance", "flows", "functions", "subscriptions",
    ];

    private readonly Lock gate = new();
    private readonly Dictionary<string, InfluxOrg> orgs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InfluxUser> users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InfluxBucket> buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InfluxDbrp> dbrps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InfluxAuthorization> authorizations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> authorizationByTokenHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BucketData> data = new(StringComparer.Ordinal);
    private long nextShardId = 1;

    /// <summary>Whether <c>POST /api/v2/setup</c> has succeeded.</summary>
    public bool IsOnboarded { get; private set; }

    /// <summary>All organizations.</summary>
    public IReadOnlyList<InfluxOrg> Orgs => Locked(() => orgs.Values.OrderBy(o => o.CreatedAt).ToList());

    /// <summary>All buckets, system buckets included.</summary>
    public IReadOnlyList<InfluxBucket> Buckets => Locked(() => buckets.Values.OrderBy(b => b.CreatedAt).ToList());

    /// <summary>All authorizations (token hashes only).</summary>
    public IReadOnlyList<InfluxAuthorization> Authorizations => Locked(() => authorizations.Values.OrderBy(a => a.CreatedAt).ToList());

    /// <summary>All DBRP mappings.</summary>
    public IReadOnlyList<InfluxDbrp> Dbrps => Locked(() => dbrps.Values.ToList());

    /// <summary>The bucket named <paramref name="name"/> in any org, or null.</summary>
    public InfluxBucket? FindBucketByName(string name) => Locked(() => buckets.Values.FirstOrDefault(b => b.Name == name));

    /// <summary>Drift: change a bucket's retention behind the operator's back.</summary>
    public void SetRetention(string bucketId, long retentionSeconds) => Locked(() =>
    {
        var bucket = BucketOrThrow(bucketId);
        buckets[bucketId] = bucket with
        {
            RetentionSeconds = retentionSeconds,
            ShardGroupSeconds = DefaultShardGroupSeconds(retentionSeconds),
            UpdatedAt = DateTime.UtcNow,
        };
    });

    /// <summary>Drift: delete an authorization behind the operator's back (its token stops working).</summary>
    public bool RemoveAuthorization(string id) => Locked(() => RemoveAuthorizationLocked(id));

    internal static DateTime Now() => DateTime.UtcNow;

    // InfluxDB's defaults: under 2 days → 1 h shard groups, under 6 months → 1 day, else (and forever) → 7 days.
    internal static long DefaultShardGroupSeconds(long retentionSeconds) => retentionSeconds switch
    {
        0 => 604800,
        < 172800 => 3600,
        < 15552000 => 86400,
        _ => 604800,
    };


    private InfluxBucket BucketOrThrow(string id) =>
        buckets.TryGetValue(id, out var bucket) ? bucket : throw InfluxException.NotFound("bucket not found");

    private bool RemoveAuthorizationLocked(string id)
    {
        if (!authorizations.Remove(id, out var removed))
        {
            return false;
        }

        authorizationByTokenHash.Remove(removed.TokenHash);
        return true;
    }
}
