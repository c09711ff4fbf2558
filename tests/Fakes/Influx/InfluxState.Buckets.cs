namespace MetricsOperator.Fakes.Influx;

public sealed partial class InfluxState
{
    internal InfluxOrg? FindOrg(string? id, string? name) => Locked(() =>
        id is not null ? orgs.GetValueOrDefault(id)
        : name is not null ? orgs.Values.FirstOrDefault(o => o.Name == name)
        : null);

    internal InfluxOrg CreateOrg(string name, string? description) => Locked(() =>
    {
        if (orgs.Values.Any(o => o.Name == name))
        {
            throw new InfluxException(422, "conflict", $"organization with name {name} already exists");
        }

        var org = new InfluxOrg(InfluxIds.NewId(), name, description, Now());
        orgs[org.Id] = org;
        return org;
    });

    internal InfluxBucket? FindBucket(string id) => Locked(() => buckets.GetValueOrDefault(id));

    /// <summary>A bucket by ID or, failing that, by name within the org (the write and query endpoints accept both).</summary>
    internal InfluxBucket? ResolveBucket(string orgId, string idOrName) => Locked(() =>
        buckets.TryGetValue(idOrName, out var byId) && byId.OrgId == orgId
            ? byId
            : buckets.Values.FirstOrDefault(b => b.OrgId == orgId && b.Name == idOrName));

    internal IReadOnlyList<InfluxBucket> ListBuckets(Func<InfluxBucket, bool> filter) =>
        Locked(() => buckets.Values.Where(filter).OrderBy(b => b.IsSystem ? 0 : 1).ThenBy(b => b.CreatedAt).ToList());

    internal InfluxBucket CreateBucket(string orgId, string name, string? description, long retentionSeconds) => Locked(() =>
    {
        if (!orgs.ContainsKey(orgId))
        {
            throw InfluxException.NotFound("organization not found");
        }

        return AddBucketLocked(orgId, name, description, retentionSeconds, isSystem: false);
    });

    internal InfluxBucket UpdateBucket(string id, string? name, string? description, long? retentionSeconds) => Locked(() =>
    {
        var bucket = BucketOrThrow(id);
        if (name is not null && name != bucket.Name)
        {
            if (bucket.IsSystem)
            {
                throw new InfluxException(403, "forbidden", "system buckets cannot be renamed");
            }

            EnsureNameFree(bucket.OrgId, name);
        }

        if (retentionSeconds is { } seconds)
        {
            ValidateRetention(seconds);
        }

        var updated = bucket with
        {
            Name = name ?? bucket.Name,
            Description = description ?? bucket.Description,
            RetentionSeconds = retentionSeconds ?? bucket.RetentionSeconds,
            ShardGroupSeconds = retentionSeconds is { } r ? DefaultShardGroupSeconds(r) : bucket.ShardGroupSeconds,
            UpdatedAt = Now(),
        };
        buckets[id] = updated;
        return updated;
    });

    internal void DeleteBucket(string id) => Locked(() =>
    {
        var bucket = BucketOrThrow(id);
        if (bucket.IsSystem)
        {
            throw new InfluxException(403, "forbidden", "system buckets cannot be deleted");
        }

        buckets.Remove(id);
        data.Remove(id);
        foreach (var mapping in dbrps.Values.Where(d => d.BucketId == id).ToList())
        {
            dbrps.Remove(mapping.Id);
        }
    });

    internal InfluxDbrp CreateDbrp(string orgId, string bucketId, string database, string retentionPolicy, bool? isDefault) => Locked(() =>
    {
        if (!buckets.TryGetValue(bucketId, out var bucket) || bucket.OrgId != orgId)
        {
            throw InfluxException.NotFound("bucket not found");
        }

        if (dbrps.Values.Any(d => d.OrgId == orgId && d.Database == database && d.RetentionPolicy == retentionPolicy))
        {
            throw new InfluxException(409, "conflict", "another DBRP mapping with same orgID, db, and rp exists");
        }

        // The first mapping of a database becomes its default, as InfluxDB does.
        var makeDefault = isDefault ?? !dbrps.Values.Any(d => d.OrgId == orgId && d.Database == database);
        if (makeDefault)
        {
            ClearDefaultLocked(orgId, database);
        }

        var mapping = new InfluxDbrp(InfluxIds.NewId(), orgId, bucketId, database, retentionPolicy, makeDefault);
        dbrps[mapping.Id] = mapping;
        return mapping;
    });

    /// <summary>
    /// The stored (physical) mappings, then a virtual one for every bucket, as InfluxDB 2.7 lists them
    /// (influxdata/influxdb dbrp/service.go, FindMany and bucketToMapping): the virtual mapping's ID is the bucket's,
    /// its database the bucket's name (or the part before a "/", the rest being the retention policy, else
    /// <c>autogen</c>), and it is the default only while no physical mapping targets the bucket. A physical mapping does
    /// not hide it: it stays listed with <c>default</c> false. The filter sees each with its computed default.
    /// </summary>
    internal IReadOnlyList<InfluxDbrp> ListDbrps(Func<InfluxDbrp, bool> filter) => Locked(() =>
        dbrps.Values.Concat(buckets.Values.OrderBy(b => b.CreatedAt).Select(VirtualDbrpLocked)).Where(filter).ToList());

    /// <summary>A stored mapping by ID or, as InfluxDB's FindByID falls back to, the virtual mapping of the bucket with that ID.</summary>
    internal InfluxDbrp? FindDbrp(string id) => Locked(() =>
        dbrps.GetValueOrDefault(id) ?? (buckets.TryGetValue(id, out var bucket) ? VirtualDbrpLocked(bucket) : null));

    internal InfluxDbrp UpdateDbrp(string id, string? retentionPolicy, bool? isDefault) => Locked(() =>
    {
        var mapping = dbrps.TryGetValue(id, out var found) ? found : throw InfluxException.NotFound("unable to find DBRP");
        if (isDefault == true)
        {
            ClearDefaultLocked(mapping.OrgId, mapping.Database);
        }

        var updated = mapping with { RetentionPolicy = retentionPolicy ?? mapping.RetentionPolicy, IsDefault = isDefault ?? mapping.IsDefault };
        dbrps[id] = updated;
        return updated;
    });

    internal void DeleteDbrp(string id) => Locked(() =>
    {
        if (!dbrps.Remove(id))
        {
            throw InfluxException.NotFound("unable to find DBRP");
        }
    });

    private InfluxBucket AddBucketLocked(string orgId, string name, string? description, long retentionSeconds, bool isSystem)
    {
        EnsureNameFree(orgId, name);
        ValidateRetention(retentionSeconds);
        var now = Now();
        var bucket = new InfluxBucket(
            InfluxIds.NewId(), orgId, name, description, retentionSeconds, DefaultShardGroupSeconds(retentionSeconds),
            isSystem, nextShardId++, now, now);
        buckets[bucket.Id] = bucket;
        return bucket;
    }

    private void EnsureNameFree(string orgId, string name)
    {
        if (buckets.Values.Any(b => b.OrgId == orgId && b.Name == name))
        {
            throw new InfluxException(422, "conflict", $"bucket with name {name} already exists");
        }
    }

    private static void ValidateRetention(long seconds)
    {
        if (seconds is < 0 or (> 0 and < 3600))
        {
            throw new InfluxException(422, "unprocessable entity", "retention policy duration must be at least 1h0m0s");
        }
    }

    private InfluxDbrp VirtualDbrpLocked(InfluxBucket bucket)
    {
        var slash = bucket.Name.IndexOf('/', StringComparison.Ordinal);
        var (database, retentionPolicy) = slash < 0 ? (bucket.Name, "autogen") : (bucket.Name[..slash], bucket.Name[(slash + 1)..]);
        var overridden = dbrps.Values.Any(d => d.BucketId == bucket.Id);
        return new InfluxDbrp(bucket.Id, bucket.OrgId, bucket.Id, database, retentionPolicy, IsDefault: !overridden, IsVirtual: true);
    }

    private void ClearDefaultLocked(string orgId, string database)
    {
        foreach (var other in dbrps.Values.Where(d => d.OrgId == orgId && d.Database == database && d.IsDefault).ToList())
        {
            dbrps[other.Id] = other with { IsDefault = false };
        }
    }
}
