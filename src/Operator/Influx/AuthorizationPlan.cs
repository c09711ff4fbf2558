namespace MetricsOperator.Influx;

/// <summary>What to do about one scoped token.</summary>
/// <param name="Mint">Make a new authorization and store its token (before deleting anything).</param>
/// <param name="KeepId">The authorization kept as it is (null when minting).</param>
/// <param name="Delete">Authorizations with the token's description to delete — after the new token is stored when minting.</param>
/// <param name="Why">For the log and the Event: why a token is minted, or why stale ones go.</param>
public sealed record AuthorizationPlan(bool Mint, string? KeepId, IReadOnlyList<string> Delete, string Why)
{
    /// <summary>True when nothing is to be written.</summary>
    public bool IsNoOp => !Mint && Delete.Count == 0;

    /// <summary>
    /// Decides from what InfluxDB lists with the token's description (<paramref name="observed"/>), the authorization
    /// the token Secret says it holds (<paramref name="storedId"/>, null when the Secret or its token is missing), and
    /// the permissions the token must have. The stored authorization is kept when it exists, is active and has exactly
    /// those permissions; otherwise a new one is minted. Every other authorization with the description is deleted:
    /// a replaced one, or one made by a run that stopped before it stored the token (it was never used by anyone).
    /// </summary>
    public static AuthorizationPlan Compute(IReadOnlyList<InfluxAuthorization> observed, string? storedId, IReadOnlyList<InfluxGrant> desired)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(desired);
        var stored = storedId is null ? null : observed.FirstOrDefault(a => a.Id == storedId);
        var problem = storedId is null ? "its Secret holds no token"
            : stored is null ? $"authorization {storedId} that its Secret names no longer exists"
            : !stored.Active ? $"authorization {storedId} was set inactive"
            : !SamePermissions(stored.Permissions, desired) ? $"authorization {storedId} has other permissions than wanted"
            : null;

        var others = observed.Where(a => problem is not null || a.Id != storedId).Select(a => a.Id).ToList();
        if (problem is not null)
        {
            return new AuthorizationPlan(true, null, others, problem);
        }

        return new AuthorizationPlan(false, storedId, others, others.Count == 0 ? "up to date" : "authorizations left over from an interrupted run");
    }

    /// <summary>Whether two permission lists grant the same (order and duplicates aside).</summary>
    public static bool SamePermissions(IReadOnlyList<InfluxGrant> a, IReadOnlyList<InfluxGrant> b) =>
        a.ToHashSet().SetEquals(b);
}
