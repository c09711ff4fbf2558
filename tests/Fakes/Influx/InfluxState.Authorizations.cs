namespace MetricsOperator.Fakes.Influx;

public sealed partial class InfluxState
{
    internal (InfluxAuthorization Authorization, string Token) CreateAuthorization(
        string orgId, string userId, string? description, bool active, IReadOnlyList<InfluxPermission> permissions) => Locked(() =>
    {
        if (!orgs.ContainsKey(orgId))
        {
            throw InfluxException.NotFound("organization not found");
        }

        return AddAuthorizationLocked(orgId, userId, description, active, permissions, token: null);
    });

    internal IReadOnlyList<InfluxAuthorization> ListAuthorizations(Func<InfluxAuthorization, bool> filter) =>
        Locked(() => authorizations.Values.Where(filter).OrderBy(a => a.CreatedAt).ToList());

    internal InfluxAuthorization? FindAuthorization(string id) => Locked(() => authorizations.GetValueOrDefault(id));

    internal InfluxAuthorization UpdateAuthorization(string id, bool? active, string? description) => Locked(() =>
    {
        var found = authorizations.TryGetValue(id, out var a) ? a : throw InfluxException.NotFound("authorization not found");
        var updated = found with { Active = active ?? found.Active, Description = description ?? found.Description, UpdatedAt = Now() };
        authorizations[id] = updated;
        return updated;
    });

    internal void DeleteAuthorization(string id)
    {
        if (!RemoveAuthorization(id))
        {
            throw InfluxException.NotFound("authorization not found");
        }
    }

    private (InfluxAuthorization, string) AddAuthorizationLocked(
        string orgId, string userId, string? description, bool active, IReadOnlyList<InfluxPermission> permissions, string? token)
    {
        var clear = token ?? InfluxIds.NewToken();
        var hash = InfluxIds.Hash(clear);
        if (authorizationByTokenHash.ContainsKey(hash))
        {
            throw new InfluxException(409, "conflict", "token already exists");
        }

        var now = Now();
        var authorization = new InfluxAuthorization(InfluxIds.NewId(), hash, orgId, userId, description, active, permissions, now, now);
        authorizations[authorization.Id] = authorization;
        authorizationByTokenHash[hash] = authorization.Id;
        return (authorization, clear);
    }
}
