using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Grafana settings the managed Grafana takes from its environment (<c>GF_&lt;SECTION&gt;_&lt;KEY&gt;</c>, Grafana's
/// override of conf/defaults.ini), for what the spec asks beyond the defaults: its public URL behind the Ingress
/// (<c>server.root_url</c>, <c>server.serve_from_sub_path</c>) and sign-in by an authenticating proxy's header
/// (<c>auth.proxy.*</c>, the role of users signed in that way, the login form off). Every name is one Grafana 11.4's
/// defaults.ini declares (a test checks them against the list in tests/Operator.Tests/Stacks/testdata).
/// </summary>
public static class GrafanaSettings
{
    /// <summary>The header property Grafana matches the proxy's header against: the user's login name.</summary>
    public const string HeaderProperty = "username";

    /// <summary>The environment variables for <paramref name="grafana"/>; none when neither ingress nor authProxy is set.</summary>
    public static IReadOnlyList<V1EnvVar> Env(GrafanaSpec grafana)
    {
        ArgumentNullException.ThrowIfNull(grafana);
        var env = new List<V1EnvVar>();
        if (grafana.Ingress is { } ingress)
        {
            var path = PathOf(ingress);
            env.Add(Builders.Env.Value("GF_SERVER_DOMAIN", ingress.Host));
            env.Add(Builders.Env.Value("GF_SERVER_ROOT_URL", RootUrl(ingress)));
            if (path != "/")
            {
                // Grafana then serves its pages and API under the prefix itself, so the Ingress passes paths unchanged.
                env.Add(Builders.Env.Value("GF_SERVER_SERVE_FROM_SUB_PATH", "true"));
            }
        }

        if (grafana.AuthProxy is { } proxy)
        {
            env.Add(Builders.Env.Value("GF_AUTH_PROXY_ENABLED", "true"));
            env.Add(Builders.Env.Value("GF_AUTH_PROXY_HEADER_NAME", proxy.HeaderName ?? "X-Auth-Request-User"));
            env.Add(Builders.Env.Value("GF_AUTH_PROXY_HEADER_PROPERTY", HeaderProperty));
            env.Add(Builders.Env.Value("GF_AUTH_PROXY_AUTO_SIGN_UP", proxy.AutoSignUp == false ? "false" : "true"));
            if (proxy.RoleHeader is { Length: > 0 } roleHeader)
            {
                env.Add(Builders.Env.Value("GF_AUTH_PROXY_HEADERS", $"Role:{roleHeader}"));
            }

            env.Add(Builders.Env.Value("GF_USERS_AUTO_ASSIGN_ORG_ROLE", (proxy.Role ?? GrafanaRole.Viewer).ToString()));
            // The proxy signs people in: Grafana's own form and sign-out would only confuse (sign-out cannot end the proxy's session).
            env.Add(Builders.Env.Value("GF_AUTH_DISABLE_LOGIN_FORM", "true"));
            env.Add(Builders.Env.Value("GF_AUTH_DISABLE_SIGNOUT_MENU", "true"));
        }

        return env;
    }

    /// <summary>The Ingress path: the spec's, <c>/</c> by default, without a trailing slash.</summary>
    public static string PathOf(GrafanaIngressSpec ingress)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        var path = string.IsNullOrEmpty(ingress.Path) ? "/" : ingress.Path;
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>Grafana's public URL: https when the Ingress has a TLS Secret, the host, the path, a trailing slash.</summary>
    public static string RootUrl(GrafanaIngressSpec ingress)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        var path = PathOf(ingress);
        return $"{(ingress.TlsSecret is { Length: > 0 } ? "https" : "http")}://{ingress.Host}{(path == "/" ? "/" : path + "/")}";
    }
}
