using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using MetricsOperator.Fakes.Contracts;
using MetricsOperator.Fakes.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>
/// An in-process Grafana 11.4 (folders, alerting provisioning with mute timings and templates, datasources, dashboards) on a loopback port, checked
/// against <c>../shared/contracts/grafana/openapi3.json</c>. See docs/fakes.md for its semantics and gaps.
/// <code>
/// await using var grafana = await GrafanaFake.StartNewAsync();
/// var token = grafana.AddServiceAccountToken();        // or basic auth admin/admin
/// ...
/// grafana.Contract.AssertNoContractViolations();
/// </code>
/// </summary>
public sealed class GrafanaFake : FakeServer
{
    private static readonly UndeclaredStatus[] Undeclared =
    [
        new("PUT", "/api/v1/provisioning/alert-rules/{UID}", 404, "a rule that does not exist is 404; the spec lists only 200 and 400"),
        new("POST", "/api/v1/provisioning/alert-rules", 409, "a UID already taken is a conflict; the spec lists only 201 and 400"),
        new("PUT", "/api/v1/provisioning/contact-points/{UID}", 404, "an unknown contact point is 404"),
        new("DELETE", "/api/v1/provisioning/contact-points/{UID}", 409, "a contact point a policy routes to cannot be deleted"),
        new("PUT", "/api/datasources/uid/{uid}", 404, "an unknown datasource is 404"),
        new("PUT", "/api/datasources/uid/{uid}", 409, "a stale version or a taken name is a conflict"),
        new("POST", "/api/datasources", 400, "a datasource without name or type is refused"),
        new("POST", "/api/folders", 404, "an unknown parent folder is 404"),
        new("PUT", "/api/v1/provisioning/mute-timings/{name}", 404, "UpdateMuteTiming answers ErrTimeIntervalNotFound (errutil NotFound) for an unknown name"),
        new("PUT", "/api/v1/provisioning/templates/{name}", 404, "UpsertTemplate answers ErrTemplateNotFound when a version is given for a template that does not exist"),
    ];

    private readonly ConcurrentDictionary<string, byte> serviceAccountTokens = new(StringComparer.Ordinal);
    private bool adminFromEnvironment;

    private GrafanaFake()
        : base(CreateRules())
    {
    }

    /// <summary>Everything stored: read it in assertions, change it to simulate drift made in the UI.</summary>
    public GrafanaState State { get; } = new();

    /// <summary>Basic-auth user (Grafana's default admin).</summary>
    public string AdminUser { get; set; } = "admin";

    /// <summary>Basic-auth password.</summary>
    public string AdminPassword { get; set; } = "admin";

    /// <summary>
    /// What Grafana does when its container starts with this environment: on the first start (a new database) the admin
    /// login becomes <c>GF_SECURITY_ADMIN_USER</c>/<c>GF_SECURITY_ADMIN_PASSWORD</c>; later starts keep the stored one
    /// (Grafana's docs: "admin_password … only used on first run"). Returns whether the login was taken.
    /// </summary>
    public bool StartedWith(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (adminFromEnvironment || !environment.TryGetValue("GF_SECURITY_ADMIN_PASSWORD", out var password))
        {
            return false;
        }

        AdminUser = environment.TryGetValue("GF_SECURITY_ADMIN_USER", out var user) ? user : "admin";
        AdminPassword = password;
        adminFromEnvironment = true;
        return true;
    }

    /// <summary>Creates and starts a fake on a free loopback port.</summary>
    public static async Task<GrafanaFake> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var fake = new GrafanaFake();
        await fake.StartAsync(cancellationToken);
        return fake;
    }

    /// <summary>Registers a service-account token (accepted as <c>Authorization: Bearer …</c>) and returns it.</summary>
    public string AddServiceAccountToken(string? token = null)
    {
        token ??= "glsa_" + GrafanaNames.NewUid() + GrafanaNames.NewUid();
        serviceAccountTokens[token] = 0;
        return token;
    }

    /// <summary>Revokes a service-account token.</summary>
    public void RevokeServiceAccountToken(string token) => serviceAccountTokens.TryRemove(token, out _);

    /// <inheritdoc />
    protected override async Task AuthenticateAsync(HttpContext context, RequestDelegate continuation)
    {
        if (context.Request.Path == "/api/health" || Authenticated(context.Request))
        {
            await continuation(context);
            return;
        }

        await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized");
    }

    /// <inheritdoc />
    protected override void MapEndpoints(WebApplication application)
    {
        GrafanaLibraryEndpoints.Map(application, State);
        GrafanaAlertingEndpoints.Map(application, State);
    }

    private static ContractRules CreateRules() => new()
    {
        Document = ContractFiles.LoadIfAvailable(ContractFiles.GrafanaFile),
        // The spec lists contact point types as " slack", " email"… (a split of "a, b, c"); Grafana takes "slack".
        TrimEnumValues = true,
        // Authentication, access control and server errors come from Grafana's middleware for any route; the
        // provisioning routes do not list them (the 11.4 group-PUT 500 of grafana/grafana#98283 is one of them).
        ServerWideStatuses = new HashSet<int> { 401, 403, 500, 501, 503 },
        UndeclaredStatuses = Undeclared,
        ErrorJson = static (_, message) => GrafanaJson.ErrorJson(message),
    };

    private bool Authenticated(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || header.Parameter is null)
        {
            return false;
        }

        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return serviceAccountTokens.ContainsKey(header.Parameter);
        }

        if (!header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            return pair == $"{AdminUser}:{AdminPassword}";
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
