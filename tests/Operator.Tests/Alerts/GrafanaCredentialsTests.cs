using System.Text;
using k8s.Models;
using MetricsOperator.Grafana;

namespace MetricsOperator.Tests.Alerts;

public sealed class GrafanaCredentialsTests
{
    private static V1Secret Secret(params (string Key, string Value)[] data) => new()
    {
        Metadata = new V1ObjectMeta { Name = "grafana-admin" },
        Data = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value)),
    };

    [Fact]
    public void A_token_wins_over_basic_auth_and_never_shows()
    {
        var credentials = GrafanaCredentials.FromSecret(Secret(("token", "glsa_secret"), ("username", "admin"), ("password", "pw")), out _)!;
        credentials.Header().Scheme.ShouldBe("Bearer");
        credentials.ToString().ShouldNotContain("glsa_secret");
    }

    [Fact]
    public void Basic_auth_never_shows_the_password()
    {
        var credentials = GrafanaCredentials.FromSecret(Secret(("username", "admin"), ("password", "s3cret-pw")), out _)!;
        credentials.Header().Scheme.ShouldBe("Basic");
        credentials.ToString().ShouldBe("basic auth as admin");
        credentials.ToString().ShouldNotContain("s3cret");
    }

    [Fact]
    public void A_secret_with_neither_is_named_without_its_content()
    {
        GrafanaCredentials.FromSecret(Secret(("other", "hidden-value")), out var problem).ShouldBeNull();
        problem.ShouldNotBeNull();
        problem.ShouldContain("grafana-admin");
        problem.ShouldNotContain("hidden-value");
    }
}
