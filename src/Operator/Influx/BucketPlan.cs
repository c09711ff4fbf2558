namespace MetricsOperator.Influx;

/// <summary>What to do about the shared bucket. Nothing here ever deletes it.</summary>
public enum BucketAction
{
    /// <summary>It exists with the wanted retention.</summary>
    None,

    /// <summary>It does not exist: create it.</summary>
    Create,

    /// <summary>Its retention differs from the spec (changed in the UI, or the spec changed): set it back.</summary>
    UpdateRetention,
}

/// <summary>Decides what to do about the shared bucket.</summary>
public static class BucketPlan
{
    /// <summary>The action for the bucket InfluxDB has (<paramref name="observed"/>, null when missing) and the spec's retention.</summary>
    public static BucketAction Compute(InfluxBucket? observed, long desiredRetentionSeconds) =>
        observed is null ? BucketAction.Create
        : observed.RetentionSeconds != desiredRetentionSeconds ? BucketAction.UpdateRetention
        : BucketAction.None;
}

/// <summary>What to do about the InfluxQL mapping of the shared bucket.</summary>
public enum DbrpAction
{
    /// <summary>The mapping exists, points at the bucket and is the default.</summary>
    None,

    /// <summary>No mapping for the database and retention policy: create it.</summary>
    Create,

    /// <summary>The mapping exists and points at the bucket but is not the default: make it so.</summary>
    MakeDefault,

    /// <summary>The mapping points at another bucket (e.g. one deleted and recreated): delete it and create it again (a mapping's bucket cannot be changed).</summary>
    Replace,
}

/// <summary>
/// Decides what to do about the DBRP mapping: database = bucket name, retention policy <c>autogen</c>, default, and
/// physical (stored by InfluxDB, not made up from the bucket's name).
/// </summary>
public static class DbrpPlan
{
    /// <summary>The retention policy InfluxQL uses when a query names none, and what InfluxDB 1.x called its default.</summary>
    public const string RetentionPolicy = "autogen";

    /// <summary>The action, and the mapping it concerns (null for None-without-mapping and Create).</summary>
    /// <remarks>
    /// A virtual mapping never counts. InfluxDB 2.x lists one for every bucket (database = the bucket's name, retention
    /// policy <c>autogen</c>, <c>"virtual": true</c>; default while no physical mapping targets the bucket: influxdata/influxdb
    /// dbrp/service.go, <c>FindMany</c> and <c>bucketToMapping</c>). It is not the operator's, it vanishes if someone renames the
    /// bucket, and it cannot be made default or repointed; the docs promise a real mapping, so one is created beside it.
    /// </remarks>
    public static (DbrpAction Action, InfluxDbrp? Mapping) Compute(IReadOnlyList<InfluxDbrp> observed, string database, string bucketId)
    {
        ArgumentNullException.ThrowIfNull(observed);
        var mapping = observed.FirstOrDefault(m => !m.IsVirtual && m.Database == database && m.RetentionPolicy == RetentionPolicy);
        if (mapping is null)
        {
            return (DbrpAction.Create, null);
        }

        if (mapping.BucketId != bucketId)
        {
            return (DbrpAction.Replace, mapping);
        }

        return (mapping.IsDefault ? DbrpAction.None : DbrpAction.MakeDefault, mapping);
    }
}
