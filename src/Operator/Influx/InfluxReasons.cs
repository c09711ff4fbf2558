namespace MetricsOperator.Influx;

/// <summary>The reasons of <c>InfluxDBReady</c> the bootstrap step reports; docs/influxdb.md says what to do for each.</summary>
public static class InfluxReasons
{
    /// <summary>Set up, the bucket, its DBRP mapping and both scoped tokens exist and match the spec.</summary>
    public const string Ready = "Ready";

    /// <summary>Event only: the operator just set InfluxDB up with the token from the admin Secret.</summary>
    public const string Bootstrapped = "Bootstrapped";

    /// <summary>No answer from InfluxDB (connection refused, timeout, 5xx); retried with growing delays.</summary>
    public const string Unreachable = "Unreachable";

    /// <summary><c>POST /api/v2/setup</c> was refused for a reason other than "already set up".</summary>
    public const string SetupFailed = "SetupFailed";

    /// <summary>InfluxDB is set up, but not with the token in the admin Secret (or that token was revoked).</summary>
    public const string AdminTokenRejected = "AdminTokenRejected";

    /// <summary>The Secret spec.influxdb.existingAdminSecret names is missing or lacks a key.</summary>
    public const string AdminSecretInvalid = "AdminSecretInvalid";

    /// <summary>The organization spec.influxdb.organization names does not exist and there is not exactly one other.</summary>
    public const string OrganizationNotFound = "OrganizationNotFound";

    /// <summary>The bucket's retention differed from the spec; as an Event when repaired, as the condition's reason when repairing failed.</summary>
    public const string BucketDrift = "BucketDrift";

    /// <summary>InfluxDB refused to create or update the bucket, the DBRP mapping or an authorization.</summary>
    public const string Rejected = "Rejected";

    /// <summary>Event only: a scoped token was replaced (its Secret was lost, or its authorization removed or changed).</summary>
    public const string TokenRotated = "TokenRotated";
}
