namespace MetricsOperator.Fakes.Influx;

/// <summary>What onboarding made, with the operator token in clear (shown once).</summary>
public sealed record InfluxOnboarding(InfluxUser User, InfluxOrg Org, InfluxBucket Bucket, InfluxAuthorization Authorization, string Token);

public sealed partial class InfluxState
{
    /// <summary>
    /// <c>POST /api/v2/setup</c>: the first user, org and bucket, plus an operator token (every permission on every
    /// org). Once only: a second call is refused as InfluxDB refuses it.
    /// </summary>
    public InfluxOnboarding Onboard(string username, string? password, string orgName, string bucketName, long retentionSeconds, string? token)
    {
        if (password is { Length: < 8 })
        {
            throw new InfluxException(422, "unprocessable entity", "passwords must be at least 8 characters long");
        }

        if (retentionSeconds is < 0 or (> 0 and < 3600))
        {
            throw new InfluxException(422, "unprocessable entity", "retention policy duration must be at least 1h0m0s");
        }

        lock (gate)
        {
            if (IsOnboarded)
            {
                throw new InfluxException(422, "conflict", "onboarding has already been completed");
            }

            var now = Now();
            var user = new InfluxUser(InfluxIds.NewId(), username);
            users[user.Id] = user;
            var org = new InfluxOrg(InfluxIds.NewId(), orgName, null, now);
            orgs[org.Id] = org;
            var bucket = AddBucketLocked(org.Id, bucketName, null, retentionSeconds, isSystem: false);
            AddBucketLocked(org.Id, "_monitoring", "System bucket for monitoring logs", 604800, isSystem: true);
            AddBucketLocked(org.Id, "_tasks", "System bucket for task logs", 259200, isSystem: true);

            var operatorPermissions = ResourceTypes
                .SelectMany(type => new[] { new InfluxPermission("read", type), new InfluxPermission("write", type) })
                .ToList();
            var (authorization, clear) = AddAuthorizationLocked(org.Id, user.Id, $"{username}'s Token", true, operatorPermissions, token);
            IsOnboarded = true;
            return new InfluxOnboarding(user, org, bucket, authorization, clear);
        }
    }

    /// <summary>The active authorization a token belongs to, or null.</summary>
    public InfluxAuthorization? Authenticate(string token) => Locked(() =>
        authorizationByTokenHash.TryGetValue(InfluxIds.Hash(token), out var id) ? authorizations[id] : null);

    internal InfluxUser? FindUser(string id) => Locked(() => users.GetValueOrDefault(id));

    /// <summary>InfluxDB's operator check (backup, restore): read and write on every resource type, in every org.</summary>
    internal static bool IsOperator(InfluxAuthorization authorization) =>
        ResourceTypes.All(type =>
            authorization.Permissions.Any(p => p.Action == "read" && p.Type == type && p.OrgId is null && p.Id is null) &&
            authorization.Permissions.Any(p => p.Action == "write" && p.Type == type && p.OrgId is null && p.Id is null));
}
