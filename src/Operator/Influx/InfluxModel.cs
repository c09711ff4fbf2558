namespace MetricsOperator.Influx;

/// <summary>A permission: what a token may do on one resource: <c>read</c> or <c>write</c> on e.g. <c>buckets</c> with an ID.</summary>
/// <param name="Action"><c>read</c> or <c>write</c>.</param>
/// <param name="Type">Resource type, e.g. <c>buckets</c>.</param>
/// <param name="Id">The resource's ID; null means every resource of the type.</param>
/// <param name="OrgId">The organization the resource belongs to; null means any.</param>
public sealed record InfluxGrant(string Action, string Type, string? Id, string? OrgId);

/// <summary>An authorization as listed (the token itself is never returned after creation).</summary>
/// <param name="Id">InfluxDB's ID.</param>
/// <param name="Description">Free text; the operator identifies its own by it.</param>
/// <param name="Active">False when someone set the status to inactive (the token is refused).</param>
/// <param name="Permissions">What the token may do.</param>
public sealed record InfluxAuthorization(string Id, string? Description, bool Active, IReadOnlyList<InfluxGrant> Permissions);

/// <summary>A bucket as InfluxDB reports it.</summary>
/// <param name="Id">InfluxDB's ID.</param>
/// <param name="Name">Its name.</param>
/// <param name="OrgId">Its organization.</param>
/// <param name="RetentionSeconds">The expire rule's seconds; 0 keeps data forever.</param>
public sealed record InfluxBucket(string Id, string Name, string OrgId, long RetentionSeconds);

/// <summary>A DBRP mapping (InfluxQL database + retention policy to bucket).</summary>
/// <param name="Id">InfluxDB's ID.</param>
/// <param name="BucketId">The bucket queries go to.</param>
/// <param name="Database">The InfluxQL database name.</param>
/// <param name="RetentionPolicy">The InfluxQL retention policy name.</param>
/// <param name="IsDefault">Whether it is the database's default retention policy.</param>
/// <param name="IsVirtual">
/// Whether InfluxDB made it up from a bucket's name rather than stored it (the DBRP schema's <c>virtual</c> field): it
/// exists only while the bucket keeps its name, and no one created it.
/// </param>
public sealed record InfluxDbrp(string Id, string BucketId, string Database, string RetentionPolicy, bool IsDefault, bool IsVirtual = false);

/// <summary>An organization.</summary>
/// <param name="Id">InfluxDB's ID.</param>
/// <param name="Name">Its name.</param>
public sealed record InfluxOrganization(string Id, string Name);

/// <summary>A newly made authorization: the only moment its token can be seen.</summary>
/// <param name="Id">InfluxDB's ID.</param>
/// <param name="Token">The token.</param>
public sealed record CreatedAuthorization(string Id, InfluxSecret Token);

/// <summary>What <c>POST /api/v2/setup</c> made.</summary>
/// <param name="OrgId">The organization.</param>
/// <param name="BucketId">The first bucket (the shared one).</param>
public sealed record SetupResult(string OrgId, string BucketId);
