namespace MetricsOperator.Fakes.Influx;

/// <summary>An organization.</summary>
public sealed record InfluxOrg(string Id, string Name, string? Description, DateTime CreatedAt);

/// <summary>A user (only the one onboarding creates, in practice).</summary>
public sealed record InfluxUser(string Id, string Name);

/// <summary>A bucket. <paramref name="RetentionSeconds"/> 0 is "kept forever".</summary>
public sealed record InfluxBucket(
    string Id, string OrgId, string Name, string? Description, long RetentionSeconds, long ShardGroupSeconds,
    bool IsSystem, long ShardId, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A database/retention-policy mapping for InfluxQL.</summary>
/// <summary>A DBRP mapping; <see cref="IsVirtual"/> ones are not stored but made up from a bucket when listed (see InfluxState.ListDbrps).</summary>
public sealed record InfluxDbrp(string Id, string OrgId, string BucketId, string Database, string RetentionPolicy, bool IsDefault, bool IsVirtual = false);

/// <summary>One permission: an action on a resource type, optionally narrowed to one org and/or one resource id.</summary>
public sealed record InfluxPermission(string Action, string Type, string? Id = null, string? OrgId = null, string? Name = null)
{
    /// <summary>Whether this permission grants <paramref name="action"/> on a resource (InfluxDB's Permission.Matches).</summary>
    public bool Allows(string action, string type, string? orgId, string? id) =>
        Action == action && Type == type &&
        (OrgId is null || OrgId == orgId) &&
        (Id is null || Id == id);
}

/// <summary>
/// An authorization. Only the SHA-256 of its token is kept: like InfluxDB 2.8+ with token hashing on (the 2.9
/// default), the token is shown once, in the creating response, and can never be read back.
/// </summary>
public sealed record InfluxAuthorization(
    string Id, string TokenHash, string OrgId, string UserId, string? Description, bool Active,
    IReadOnlyList<InfluxPermission> Permissions, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>Whether any permission grants the action.</summary>
    public bool Allows(string action, string type, string? orgId, string? id) =>
        Permissions.Any(p => p.Allows(action, type, orgId, id));
}

/// <summary>The Go types of line-protocol field values.</summary>
public enum InfluxFieldType
{
    /// <summary>64-bit float (no suffix).</summary>
    Float,

    /// <summary>Signed integer (<c>i</c> suffix).</summary>
    Integer,

    /// <summary>Unsigned integer (<c>u</c> suffix).</summary>
    UInteger,

    /// <summary>Boolean.</summary>
    Boolean,

    /// <summary>Double-quoted string.</summary>
    String,
}

/// <summary>A field value as written.</summary>
public sealed record InfluxFieldValue(InfluxFieldType Type, object Value);

/// <summary>A point as parsed from line protocol (tags sorted by key, time in nanoseconds since the epoch).</summary>
public sealed record InfluxPoint(
    string Measurement, IReadOnlyList<KeyValuePair<string, string>> Tags,
    IReadOnlyList<KeyValuePair<string, InfluxFieldValue>> Fields, long TimeNs);
