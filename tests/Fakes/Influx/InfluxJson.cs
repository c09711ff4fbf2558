using System.Globalization;
using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Influx;

/// <summary>The fake's state rendered in the shapes of the InfluxDB spec.</summary>
internal static class InfluxJson
{
    public static string Time(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static JsonObject Org(InfluxOrg org)
    {
        var json = new JsonObject
        {
            ["id"] = org.Id,
            ["name"] = org.Name,
            ["createdAt"] = Time(org.CreatedAt),
            ["updatedAt"] = Time(org.CreatedAt),
            ["links"] = new JsonObject
            {
                ["self"] = $"/api/v2/orgs/{org.Id}",
                ["members"] = $"/api/v2/orgs/{org.Id}/members",
                ["owners"] = $"/api/v2/orgs/{org.Id}/owners",
                ["labels"] = $"/api/v2/orgs/{org.Id}/labels",
                ["secrets"] = $"/api/v2/orgs/{org.Id}/secrets",
                ["buckets"] = $"/api/v2/buckets?org={Uri.EscapeDataString(org.Name)}",
                ["tasks"] = $"/api/v2/tasks?org={Uri.EscapeDataString(org.Name)}",
                ["dashboards"] = $"/api/v2/dashboards?org={Uri.EscapeDataString(org.Name)}",
            },
        };
        if (org.Description is not null)
        {
            json["description"] = org.Description;
        }

        return json;
    }

    public static JsonObject User(InfluxUser user) => new()
    {
        ["id"] = user.Id,
        ["name"] = user.Name,
        ["status"] = "active",
        ["links"] = new JsonObject { ["self"] = $"/api/v2/users/{user.Id}" },
    };

    // InfluxDB always returns one expire rule, everySeconds 0 meaning "forever", with the shard group duration.
    public static JsonObject Bucket(InfluxBucket bucket)
    {
        var json = new JsonObject
        {
            ["id"] = bucket.Id,
            ["orgID"] = bucket.OrgId,
            ["type"] = bucket.IsSystem ? "system" : "user",
            ["name"] = bucket.Name,
            ["retentionRules"] = new JsonArray(new JsonObject
            {
                ["type"] = "expire",
                ["everySeconds"] = bucket.RetentionSeconds,
                ["shardGroupDurationSeconds"] = bucket.ShardGroupSeconds,
            }),
            ["schemaType"] = "implicit",
            ["createdAt"] = Time(bucket.CreatedAt),
            ["updatedAt"] = Time(bucket.UpdatedAt),
            ["labels"] = new JsonArray(),
            ["links"] = new JsonObject
            {
                ["labels"] = $"/api/v2/buckets/{bucket.Id}/labels",
                ["members"] = $"/api/v2/buckets/{bucket.Id}/members",
                ["org"] = $"/api/v2/orgs/{bucket.OrgId}",
                ["owners"] = $"/api/v2/buckets/{bucket.Id}/owners",
                ["self"] = $"/api/v2/buckets/{bucket.Id}",
                ["write"] = $"/api/v2/write?org={bucket.OrgId}&bucket={bucket.Id}",
            },
        };
        if (bucket.Description is not null)
        {
            json["description"] = bucket.Description;
        }

        return json;
    }

    /// <summary>An authorization; <paramref name="token"/> is given only in the response that created it.</summary>
    public static JsonObject Authorization(InfluxAuthorization authorization, InfluxState state, string? token)
    {
        var org = state.FindOrg(authorization.OrgId, null);
        var user = state.FindUser(authorization.UserId);
        var permissions = new JsonArray();
        foreach (var permission in authorization.Permissions)
        {
            var resource = new JsonObject { ["type"] = permission.Type };
            if (permission.Id is not null)
            {
                resource["id"] = permission.Id;
                if (permission.Type == "buckets" && state.FindBucket(permission.Id) is { } bucket)
                {
                    resource["name"] = bucket.Name;
                }
            }
            else if (permission.Name is not null)
            {
                resource["name"] = permission.Name;
            }

            if (permission.OrgId is not null)
            {
                resource["orgID"] = permission.OrgId;
                if (state.FindOrg(permission.OrgId, null) is { } permissionOrg)
                {
                    resource["org"] = permissionOrg.Name;
                }
            }

            permissions.Add(new JsonObject { ["action"] = permission.Action, ["resource"] = resource });
        }

        var json = new JsonObject
        {
            ["id"] = authorization.Id,
            ["status"] = authorization.Active ? "active" : "inactive",
            ["description"] = authorization.Description ?? "",
            ["orgID"] = authorization.OrgId,
            ["org"] = org?.Name ?? "",
            ["userID"] = authorization.UserId,
            ["user"] = user?.Name ?? "",
            ["permissions"] = permissions,
            ["createdAt"] = Time(authorization.CreatedAt),
            ["updatedAt"] = Time(authorization.UpdatedAt),
            ["links"] = new JsonObject
            {
                ["self"] = $"/api/v2/authorizations/{authorization.Id}",
                ["user"] = $"/api/v2/users/{authorization.UserId}",
            },
        };
        if (token is not null)
        {
            json["token"] = token;
        }

        return json;
    }

    public static JsonObject Dbrp(InfluxDbrp dbrp) => new()
    {
        ["id"] = dbrp.Id,
        ["orgID"] = dbrp.OrgId,
        ["bucketID"] = dbrp.BucketId,
        ["database"] = dbrp.Database,
        ["retention_policy"] = dbrp.RetentionPolicy,
        ["default"] = dbrp.IsDefault,
        ["virtual"] = dbrp.IsVirtual,
    };
}
