using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Stacks;

/// <summary>
/// The managed Grafana behind an Ingress and an authenticating proxy (Gafaelfawr): the Ingress, the Grafana settings that
/// must match it, the NetworkPolicy, and every GF_ variable checked against Grafana's own option names (pure).
/// </summary>
public sealed class GrafanaIngressTests
{
    private static V1Alpha1MetricsStack BehindGafaelfawr(string path = "/grafana", Action<GrafanaSpec>? edit = null) => Stacks.MinimalSampleWith(s =>
    {
        s.Grafana!.Ingress = new GrafanaIngressSpec
        {
            Host = "data-dev.lsst.cloud",
            Path = path,
            ClassName = "nginx",
            TlsSecret = "data-dev-tls",
            Annotations = new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/auth-url"] = "http://gafaelfawr.gafaelfawr.svc.cluster.local:8080/ingress/auth?scope=exec:internal-tools" },
        };
        s.Grafana.AuthProxy = new GrafanaAuthProxySpec { RoleHeader = "X-Grafana-Role", Role = GrafanaRole.Editor };
        edit?.Invoke(s.Grafana);
    });

    private static Dictionary<string, string?> GrafanaEnv(V1Alpha1MetricsStack stack) =>
        StackBuilder.Build(DefaultedStack.Of(stack)).OfType<V1Deployment>().Single(d => d.Metadata.Name == "metrics-grafana")
            .Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name, e => (string?)e.Value);

    [Fact]
    public void The_ingress_routes_the_host_and_prefix_to_grafanas_service_with_tls_class_and_annotations()
    {
        var ingress = StackBuilder.Build(DefaultedStack.Of(BehindGafaelfawr())).OfType<V1Ingress>().ShouldHaveSingleItem();

        ingress.Metadata.Name.ShouldBe("metrics-grafana");
        ingress.Metadata.OwnerReferences.ShouldHaveSingleItem().Kind.ShouldBe("MetricsStack");
        ingress.Metadata.Annotations.ShouldContainKey("nginx.ingress.kubernetes.io/auth-url");
        ingress.Spec.IngressClassName.ShouldBe("nginx");
        ingress.Spec.Tls.ShouldHaveSingleItem().SecretName.ShouldBe("data-dev-tls");
        var rule = ingress.Spec.Rules.ShouldHaveSingleItem();
        rule.Host.ShouldBe("data-dev.lsst.cloud");
        var path = rule.Http.Paths.ShouldHaveSingleItem();
        (path.Path, path.PathType, path.Backend.Service.Name, path.Backend.Service.Port.Name).ShouldBe(("/grafana", "Prefix", "metrics-grafana", "http"));
        var service = StackBuilder.Build(DefaultedStack.Of(BehindGafaelfawr())).OfType<V1Service>().Single(s => s.Metadata.Name == "metrics-grafana");
        service.Spec.Ports.ShouldContain(p => p.Name == "http", "the Ingress names a port the Service has");
    }

    [Theory]
    [InlineData("/grafana", "https://data-dev.lsst.cloud/grafana/", "true")]
    [InlineData("/grafana/", "https://data-dev.lsst.cloud/grafana/", "true")]
    [InlineData("/", "https://data-dev.lsst.cloud/", null)]
    public void Grafanas_root_url_and_sub_path_match_the_ingress(string path, string rootUrl, string? serveFromSubPath)
    {
        var env = GrafanaEnv(BehindGafaelfawr(path));

        env["GF_SERVER_ROOT_URL"].ShouldBe(rootUrl);
        env["GF_SERVER_DOMAIN"].ShouldBe("data-dev.lsst.cloud");
        env.GetValueOrDefault("GF_SERVER_SERVE_FROM_SUB_PATH").ShouldBe(serveFromSubPath);
    }

    [Fact]
    public void Without_tls_the_root_url_is_http() =>
        GrafanaEnv(BehindGafaelfawr(edit: g => g.Ingress!.TlsSecret = null))["GF_SERVER_ROOT_URL"].ShouldBe("http://data-dev.lsst.cloud/grafana/");

    [Fact]
    public void The_proxy_header_signs_people_in_with_the_configured_roles_and_the_login_form_is_off()
    {
        var env = GrafanaEnv(BehindGafaelfawr());

        env["GF_AUTH_PROXY_ENABLED"].ShouldBe("true");
        env["GF_AUTH_PROXY_HEADER_NAME"].ShouldBe("X-Auth-Request-User");
        env["GF_AUTH_PROXY_HEADER_PROPERTY"].ShouldBe("username");
        env["GF_AUTH_PROXY_AUTO_SIGN_UP"].ShouldBe("true");
        env["GF_AUTH_PROXY_HEADERS"].ShouldBe("Role:X-Grafana-Role");
        env["GF_USERS_AUTO_ASSIGN_ORG_ROLE"].ShouldBe("Editor");
        env["GF_AUTH_DISABLE_LOGIN_FORM"].ShouldBe("true");
    }

    [Fact]
    public void Without_ingress_or_proxy_grafana_is_rendered_as_before()
    {
        var env = GrafanaEnv(Stacks.MinimalSample());

        env.Keys.ShouldNotContain(k => k.StartsWith("GF_SERVER_", StringComparison.Ordinal) || k.StartsWith("GF_AUTH_", StringComparison.Ordinal));
        StackBuilder.Build(DefaultedStack.Of(Stacks.MinimalSample())).OfType<V1Ingress>().ShouldBeEmpty();
        NetworkPolicyBuilder.Grafana(DefaultedStack.Of(Stacks.MinimalSample())).Spec.Ingress.ShouldHaveSingleItem().FromProperty.ShouldBeNull("open to any source, as before");
    }

    [Fact]
    public void An_external_grafana_gets_no_ingress() =>
        StackBuilder.Build(DefaultedStack.Of(BehindGafaelfawr(edit: g => g.Mode = GrafanaMode.External))).OfType<V1Ingress>().ShouldBeEmpty();

    [Fact]
    public void Behind_the_ingress_grafana_admits_only_the_controller_the_operator_and_its_backups()
    {
        var peers = NetworkPolicyBuilder.Grafana(DefaultedStack.Of(BehindGafaelfawr())).Spec.Ingress.ShouldHaveSingleItem().FromProperty;

        peers.Count.ShouldBe(3);
        peers[0].NamespaceSelector.MatchLabels.ShouldBe(new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "ingress-nginx" });
        peers[0].PodSelector.ShouldBeNull();
        peers[1].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"].ShouldBe(StackBuildOptions.Default.OperatorNamespace);
        peers[2].PodSelector.MatchLabels.ShouldContainKeyAndValue(MetricsOperator.Backup.Jobs.BackupJobBuilder.KindLabel, "grafana");
        peers[2].NamespaceSelector.ShouldBeNull("the stack's own namespace only");

        var custom = NetworkPolicyBuilder.Grafana(DefaultedStack.Of(BehindGafaelfawr(edit: g => g.Ingress!.ControllerNamespaceSelector = new Dictionary<string, string> { ["team"] = "ingress" })));
        custom.Spec.Ingress[0].FromProperty[0].NamespaceSelector.MatchLabels.ShouldBe(new Dictionary<string, string> { ["team"] = "ingress" });
    }

    [Fact]
    public void A_proxy_without_an_ingress_is_refused_naming_the_field()
    {
        var stack = Stacks.MinimalSampleWith(s => s.Grafana!.AuthProxy = new GrafanaAuthProxySpec());

        StackValidation.Validate(DefaultedStack.Of(stack)).ShouldHaveSingleItem().Field.ShouldBe("spec.grafana.authProxy");
        StackValidation.Validate(DefaultedStack.Of(BehindGafaelfawr())).ShouldBeEmpty();
    }
}

/// <summary>Every GF_ variable the operator sets names an option Grafana declares (tests/.../testdata/grafana-options.txt, with its source).</summary>
public sealed class GrafanaOptionNamesTests
{
    private static readonly string[] Options = [.. File.ReadAllLines(RepoPaths.InRepo("tests", "Operator.Tests", "Stacks", "testdata", "grafana-options.txt"))
        .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    // Grafana's override rule (pkg/setting: envKey): GF_ + section upper-cased with "." and "-" as "_" + "_" + key upper-cased.
    private static string EnvNameOf(string option)
    {
        var dot = option.LastIndexOf('.');
        return "GF_" + option[..dot].ToUpperInvariant().Replace('.', '_').Replace('-', '_') + "_" + option[(dot + 1)..].ToUpperInvariant();
    }

    public static TheoryData<string> Variants() => ["minimal", "full", "behind-gafaelfawr"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_GF_variable_names_a_grafana_option(string variant)
    {
        var stack = variant == "behind-gafaelfawr"
            ? Stacks.MinimalSampleWith(s =>
            {
                s.Grafana!.Ingress = new GrafanaIngressSpec { Host = "data-dev.lsst.cloud", Path = "/grafana" };
                s.Grafana.AuthProxy = new GrafanaAuthProxySpec { RoleHeader = "X-Grafana-Role" };
            })
            : Stacks.Variant(variant);
        var known = Options.Select(EnvNameOf).ToHashSet(StringComparer.Ordinal);
        var set = StackBuilder.Build(DefaultedStack.Of(stack)).OfType<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers).SelectMany(c => c.Env ?? [])
            .Select(e => e.Name).Where(n => n.StartsWith("GF_", StringComparison.Ordinal)).ToList();

        set.ShouldNotBeEmpty();
        set.Where(n => !known.Contains(n)).ShouldBeEmpty("each GF_<SECTION>_<KEY> must name an option of Grafana's defaults.ini");
    }

    [Fact]
    public void The_list_is_what_the_check_reads_and_a_misspelt_name_is_caught()
    {
        Options.ShouldContain("auth.proxy.header_name");
        EnvNameOf("auth.proxy.header_name").ShouldBe("GF_AUTH_PROXY_HEADER_NAME");
        Options.Select(EnvNameOf).ShouldNotContain("GF_AUTH_PROXY_HEADER", "a name Grafana does not declare");
    }
}
