using MetricsOperator.LocalCluster;

namespace MetricsOperator.TestSupport;

/// <summary>
/// Makes an admin connection act as another identity with Kubernetes impersonation
/// headers. The API server then authorizes every request as that identity, which is how
/// tests check RBAC on a cluster they did not start (no token file to add users to).
/// </summary>
public sealed class ImpersonationHandler(Identity identity) : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove("Impersonate-User");
        request.Headers.Remove("Impersonate-Group");
        request.Headers.Add("Impersonate-User", identity.UserName);
        foreach (var group in identity.Groups)
        {
            request.Headers.Add("Impersonate-Group", group);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
