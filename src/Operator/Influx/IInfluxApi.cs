namespace MetricsOperator.Influx;

/// <summary>
/// The InfluxDB v2 calls the bootstrap step makes, as one token sees them. Every failure is an
/// <see cref="InfluxApiException"/>; no token appears in a message.
/// </summary>
public interface IInfluxApi : IDisposable
{
    /// <summary><c>GET /api/v2/setup</c>: true while InfluxDB has never been set up. Needs no token.</summary>
    Task<bool> IsSetupAllowedAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /api/v2/setup</c> with the given operator token. A second setup fails with <see cref="InfluxFailure.Conflict"/>.</summary>
    Task<SetupResult> SetupAsync(string username, AdminCredentials credentials, string organization, string bucket, long retentionSeconds, CancellationToken cancellationToken);

    /// <summary><c>GET /api/v2/orgs</c>: every organization the token sees. Fails with <see cref="InfluxFailure.Unauthorized"/> for a rejected token.</summary>
    Task<IReadOnlyList<InfluxOrganization>> ListOrganizationsAsync(CancellationToken cancellationToken);

    /// <summary><c>GET /api/v2/buckets?orgID=&amp;name=</c>: the bucket, or null.</summary>
    Task<InfluxBucket?> FindBucketAsync(string orgId, string name, CancellationToken cancellationToken);

    /// <summary><c>POST /api/v2/buckets</c>.</summary>
    Task<InfluxBucket> CreateBucketAsync(string orgId, string name, long retentionSeconds, CancellationToken cancellationToken);

    /// <summary><c>PATCH /api/v2/buckets/{id}</c> with only the retention rule.</summary>
    Task<InfluxBucket> UpdateRetentionAsync(InfluxBucket bucket, long retentionSeconds, CancellationToken cancellationToken);

    /// <summary><c>GET /api/v2/dbrps?orgID=&amp;db=</c>.</summary>
    Task<IReadOnlyList<InfluxDbrp>> ListDbrpsAsync(string orgId, string database, CancellationToken cancellationToken);

    /// <summary><c>POST /api/v2/dbrps</c>.</summary>
    Task CreateDbrpAsync(string orgId, string bucketId, string database, string retentionPolicy, bool isDefault, CancellationToken cancellationToken);

    /// <summary><c>PATCH /api/v2/dbrps/{id}</c> making it the database's default.</summary>
    Task MakeDbrpDefaultAsync(string orgId, string id, CancellationToken cancellationToken);

    /// <summary><c>DELETE /api/v2/dbrps/{id}</c>.</summary>
    Task DeleteDbrpAsync(string orgId, string id, CancellationToken cancellationToken);

    /// <summary><c>GET /api/v2/authorizations?orgID=</c> (tokens are not returned).</summary>
    Task<IReadOnlyList<InfluxAuthorization>> ListAuthorizationsAsync(string orgId, CancellationToken cancellationToken);

    /// <summary><c>POST /api/v2/authorizations</c>: the only answer that carries the token.</summary>
    Task<CreatedAuthorization> CreateAuthorizationAsync(string orgId, string description, IReadOnlyList<InfluxGrant> permissions, CancellationToken cancellationToken);

    /// <summary><c>DELETE /api/v2/authorizations/{id}</c>; a missing one is not an error.</summary>
    Task DeleteAuthorizationAsync(string id, CancellationToken cancellationToken);
}

/// <summary>Makes <see cref="IInfluxApi"/> clients for an endpoint and a token (none for setup).</summary>
public interface IInfluxApiFactory
{
    /// <summary>A client of <paramref name="endpoint"/> authenticating with <paramref name="token"/> (null: anonymous, for setup).</summary>
    IInfluxApi Create(Uri endpoint, InfluxSecret? token);
}
