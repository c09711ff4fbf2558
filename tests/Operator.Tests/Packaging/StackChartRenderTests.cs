using System.Text.Json.Nodes;
using MetricsOperator.Generation;
using MetricsOperator.TestSupport;
using MetricsOperator.Validation;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// `helm template` of charts/metrics-stack (Phalanx's `metrics` app) by the test renderer, with each environment's
/// values file: the MetricsStack is what the file sets and nothing else, valid against the CRD's schema and the
/// reconciler's own checks; a VaultSecret for each Secret the spec names; the operator's RoleBinding; sync waves that
/// put both before the stack.
/// </summary>
public sealed class StackChartRenderTests
{
    // As Phalanx passes them to every app (environments/templates: the Application's helm parameters).
    private const string PhalanxGlobals = "global: {host: data-dev.lsst.cloud, baseUrl: 'https://data-dev.lsst.cloud', vaultSecretsPath: secret/phalanx/idfdev}\n";

    public static TheoryData<string> EnvironmentFiles() =>
        [.. Directory.GetFiles(HelmChart.StackFolder, "values-*.yaml").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    private static IReadOnlyList<RenderedManifest> Render(string values) =>
        HelmChart.Render("metrics", "metrics", PhalanxGlobals + values, chartFolder: HelmChart.StackFolder);

    private static IReadOnlyList<RenderedManifest> RenderEnvironment(string file) =>
        Render(File.ReadAllText(Path.Combine(HelmChart.StackFolder, file)));

    private static JsonObject Stack(IReadOnlyList<RenderedManifest> manifests) => manifests.Single(m => m.Kind == "MetricsStack").Json;

    private static List<string> VaultSecretNames(IReadOnlyList<RenderedManifest> manifests) =>
        [.. manifests.Where(m => m.Kind == "VaultSecret").Select(m => m.Name)];

    [Fact]
    public void There_are_values_files_for_three_environments() =>
        EnvironmentFiles().Count.ShouldBeGreaterThanOrEqualTo(3);

    [Theory]
    [MemberData(nameof(EnvironmentFiles))]
    public void Each_environment_renders_a_valid_stack_holding_exactly_what_its_file_sets(string file)
    {
        var manifests = RenderEnvironment(file);
        var stack = Stack(manifests);

        ManifestCheck.Errors(stack).Select(SchemaValidator.Describe).ShouldBeEmpty($"{file} renders an invalid MetricsStack:\n{stack}");
        var expected = System.Text.Json.JsonSerializer.SerializeToNode(((IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.StackFolder, file)))!)["metricsStack"]);
        JsonNode.DeepEquals(stack["spec"], expected).ShouldBeTrue($"{file}: the spec is not what the file sets\nrendered: {stack["spec"]}\nfile:     {expected}");
        ((string?)stack["metadata"]!["name"]).ShouldBe("metrics");
        ((string?)stack["spec"]!["environment"]).ShouldBe(file["values-".Length..^".yaml".Length], "each environment names itself");
    }

    [Theory]
    [InlineData("values-idfdev.yaml", new[] { "metrics-contact-points", "metrics-backup-s3" })]
    [InlineData("values-idfprod.yaml", new[] { "metrics-influxdb-admin", "metrics-contact-points", "metrics-backup-s3" })]
    [InlineData("values-usdfprod.yaml", new[] { "metrics-telegraf", "sasquatch-cluster-ca-cert", "metrics-grafana-credentials", "metrics-contact-points" })]
    public void Each_secret_the_spec_names_gets_one_vault_secret_from_the_environments_vault_path(string file, string[] secrets)
    {
        var manifests = RenderEnvironment(file);

        VaultSecretNames(manifests).Order(StringComparer.Ordinal).ShouldBe(secrets.Order(StringComparer.Ordinal), file);
        var items = ((IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.StackFolder, file)))!)
            .TryGetValue("vaultSecrets", out var vault) && vault is IDictionary<string, object?> v && v["items"] is IDictionary<string, object?> m ? m : new Dictionary<string, object?>();
        foreach (var secret in manifests.Where(m => m.Kind == "VaultSecret"))
        {
            secret.ApiVersion.ShouldBe("ricoberger.de/v1alpha1");
            ((string?)secret.Json["spec"]!["type"]).ShouldBe("Opaque");
            var item = items.TryGetValue(secret.Name, out var named) ? (string)named! : "metrics";
            ((string?)secret.Json["spec"]!["path"]).ShouldBe($"secret/phalanx/idfdev/{item}", secret.ToString());
            secret.Json["spec"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList().ShouldBe(["path", "type"], "every key of the Vault item is copied");
        }
    }

    [Fact]
    public void Every_secret_reference_in_the_full_sample_gets_a_vault_secret_found_without_the_generated_list()
    {
        // The full sample as an environment's metricsStack values; the names are found here by walking its JSON for
        // the references' shape ({name} under a key naming a Secret), not by the generated template.
        var sample = (IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(RepoPaths.InRepo("config", "samples", "metrics.lsst.io_v1alpha1_metricsstack.yaml")))!;
        var values = new Dictionary<string, object?> { ["metricsStack"] = sample["spec"] };
        var expected = new HashSet<string>(StringComparer.Ordinal);
        Collect(System.Text.Json.JsonSerializer.SerializeToNode(sample["spec"]), null, expected);
        expected.Count.ShouldBeGreaterThanOrEqualTo(4);

        VaultSecretNames(Render(HelmYaml.ToYaml(values))).Order(StringComparer.Ordinal).ShouldBe(expected.Order(StringComparer.Ordinal));

        static void Collect(JsonNode? node, string? key, HashSet<string> names)
        {
            if (node is JsonObject map)
            {
                if (key is not null && (key.EndsWith("Secret", StringComparison.Ordinal) || key is "secret" or "secretRef") && map["name"] is JsonValue name)
                {
                    names.Add((string)name!);
                }

                foreach (var (child, value) in map)
                {
                    Collect(value, child, names);
                }
            }
            else if (node is JsonArray list)
            {
                foreach (var item in list)
                {
                    Collect(item, key, names);
                }
            }
        }
    }

    [Fact]
    public void The_secret_names_template_covers_every_secret_reference_of_the_api_types()
    {
        var paths = SecretReferencePaths.In(typeof(MetricsOperator.Crds.MetricsStackSpec)).Select(p => string.Join('.', p)).ToList();

        paths.ShouldContain("influxdb.existingAdminSecret");
        paths.ShouldContain("grafana.credentialsSecret");
        paths.ShouldContain("grafana.contactPoints[].secretRef");
        paths.ShouldContain("backup.influxdb.destination.s3.credentialsSecret");
        paths.ShouldContain("telegraf.kafka.sasl.secret");
        // Every object in the CRD schema with exactly a required "name" and described as a Secret is one of them.
        var schemaSecrets = MetricsOperator.Tests.Generation.Generated.Walk(MetricsOperator.Tests.Generation.Generated.Schema("MetricsStack").Properties["spec"])
            .Where(node => node.Schema.Properties?.Keys.Order(StringComparer.Ordinal).SequenceEqual(["name"]) == true
                || node.Schema.Properties?.Keys.Order(StringComparer.Ordinal).SequenceEqual(["key", "name"]) == true)
            .Select(node => node.Path.Replace("[]", "", StringComparison.Ordinal))
            .ToList();
        paths.Select(p => p.Replace("[]", "", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ShouldBe(schemaSecrets.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Excluded_secrets_get_no_vault_secret_and_vault_secrets_can_be_turned_off()
    {
        var file = File.ReadAllText(Path.Combine(HelmChart.StackFolder, "values-usdfprod.yaml"));

        VaultSecretNames(Render(file.Replace("vaultSecrets:", "ignored:", StringComparison.Ordinal) + "vaultSecrets: {exclude: [metrics-telegraf, sasquatch-cluster-ca-cert]}\n"))
            .Order(StringComparer.Ordinal).ShouldBe(["metrics-contact-points", "metrics-grafana-credentials"]);
        VaultSecretNames(Render(file.Replace("vaultSecrets:", "ignored:", StringComparison.Ordinal) + "vaultSecrets: {enabled: false}\n")).ShouldBeEmpty();
    }

    [Fact]
    public void Default_values_render_an_empty_spec_and_the_operators_role_binding()
    {
        var manifests = Render("");

        manifests.Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal).ShouldBe(["MetricsStack/metrics", "RoleBinding/metrics-operator-access"]);
        Stack(manifests)["spec"]!.AsObject().Count.ShouldBe(0, "every field is left to the CRD's defaults");
        ManifestCheck.Errors(Stack(manifests)).ShouldBeEmpty();
    }

    [Fact]
    public void The_role_binding_grants_the_operator_charts_stack_namespace_role_to_its_service_account()
    {
        var operatorChart = HelmChart.Render("metrics-operator", "metrics-operator", "stackNamespaces: []\n");
        var binding = Render("").Single(m => m.Kind == "RoleBinding").Json;

        var role = (string)binding["roleRef"]!["name"]!;
        operatorChart.ShouldContain(m => m.Kind == "ClusterRole" && m.Name == role, $"the operator chart renders the ClusterRole {role}");
        ((string?)binding["roleRef"]!["kind"]).ShouldBe("ClusterRole");
        var serviceAccount = operatorChart.Single(m => m.Kind == "ServiceAccount");
        var subject = binding["subjects"]!.AsArray().ShouldHaveSingleItem()!;
        ((string?)subject["kind"]).ShouldBe("ServiceAccount");
        ((string?)subject["name"]).ShouldBe(serviceAccount.Name);
        ((string?)subject["namespace"]).ShouldBe(serviceAccount.Namespace);
        Render("operatorAccess: {enabled: false}\n").ShouldNotContain(m => m.Kind == "RoleBinding");
    }

    [Fact]
    public void Sync_waves_put_the_secrets_and_the_role_binding_before_the_stack()
    {
        var manifests = RenderEnvironment("values-idfprod.yaml");

        int Wave(RenderedManifest m) => int.Parse((string)m.Json["metadata"]!["annotations"]!["argocd.argoproj.io/sync-wave"]!, System.Globalization.CultureInfo.InvariantCulture);
        var stackWave = Wave(manifests.Single(m => m.Kind == "MetricsStack"));
        foreach (var before in manifests.Where(m => m.Kind is "VaultSecret" or "RoleBinding"))
        {
            Wave(before).ShouldBeLessThan(stackWave, before.ToString());
        }
    }

    [Theory]
    [InlineData("metricsStack: {influxdb: {retentoin: 30d}}", "unknown field \"spec.influxdb.retentoin\"")]
    [InlineData("metricsStack: {grafana: {mode: externel}}", "spec.grafana.mode")]
    [InlineData("metricsStack: {telegraf: {replicas: many}}", "spec.telegraf.replicas")]
    [InlineData("metricsStack: {grafana: {mode: external}}", "spec.grafana.url")]
    public void A_value_the_crd_does_not_accept_fails_loudly_naming_the_field(string values, string error)
    {
        var stack = Stack(Render(values));

        ManifestCheck.Errors(stack).Select(SchemaValidator.Describe).ShouldContain(e => e.Contains(error, StringComparison.Ordinal), $"rendered: {stack}");
    }

    [Theory]
    [InlineData("values-idfprod.yaml", "", 0, null)]
    [InlineData("values-idfdev.yaml", "  telegraf: {replicsa: 2}\n", 1, "unknown field \"spec.telegraf.replicsa\"")]
    public async Task The_render_command_checks_the_charts_output_as_a_ci_step_would(string file, string addition, int exitCode, string? error)
    {
        // What docs/phalanx.md tells an admin to run before a merge: helm template ... | metrics-operator render -f -
        var values = File.ReadAllText(Path.Combine(HelmChart.StackFolder, file)).Replace("metricsStack:\n", "metricsStack:\n" + addition, StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"stack-chart-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, string.Join("\n---\n", Render(values).Select(m => m.Yaml)));
        try
        {
            var root = new System.CommandLine.RootCommand { Subcommands = { MetricsOperator.Cli.RenderCommand.Create() } };
            using var output = new StringWriter();
            using var errors = new StringWriter();
            var code = await root.Parse(["render", "-f", path, "-n", "metrics"]).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = errors });

            code.ShouldBe(exitCode, errors.ToString());
            if (error is null)
            {
                output.ToString().ShouldContain("kind: StatefulSet");
            }
            else
            {
                errors.ToString().ShouldContain(error);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void False_and_zero_are_kept_and_empty_values_left_out()
    {
        var spec = Stack(Render("metricsStack: {telegraf: {writeAccess: {requireToken: false}, diskBuffer: {enabled: false, size: ''}}, influxdb: {retention: 0s, pod: {nodeSelector: {}}}}"))["spec"]!;

        spec.ToJsonString().ShouldBe("""{"influxdb":{"retention":"0s"},"telegraf":{"diskBuffer":{"enabled":false},"writeAccess":{"requireToken":false}}}""");
    }

    [Fact]
    public void Every_spec_field_of_the_crd_is_a_documented_value()
    {
        var documented = ChartReadmeGenerator.Values(File.ReadAllText(Path.Combine(HelmChart.StackFolder, "values.yaml")))
            .ToDictionary(v => v.Key, v => v, StringComparer.Ordinal);
        var spec = MetricsOperator.Tests.Generation.Generated.Schema("MetricsStack").Properties["spec"];
        var fields = MetricsOperator.Tests.Generation.Generated.Walk(spec)
            .Where(node => node.Path.Length > 0 && !node.Path.Contains("[]", StringComparison.Ordinal) && !node.Path.Contains("{}", StringComparison.Ordinal))
            .Where(node => node.Schema.Properties is not { Count: > 0 } || node.Schema.XKubernetesPreserveUnknownFields == true)
            .ToList();

        fields.Count.ShouldBeGreaterThan(50);
        foreach (var (path, schema) in fields)
        {
            documented.TryGetValue("metricsStack." + path, out var value).ShouldBeTrue($"metricsStack.{path} is not a documented value");
            value!.Description.ShouldNotBeNullOrWhiteSpace(path);
            if (schema.DefaultProperty is not null)
            {
                value.Default.ShouldBe(System.Text.Json.JsonSerializer.Serialize(schema.DefaultProperty), $"{path} shows the CRD's default");
            }
        }
    }

    [Fact]
    public void With_grafana_ingress_on_grafanas_host_is_the_environments_host_unless_the_values_name_another()
    {
        var onGlobalHost = Stack(Render("grafanaIngress: {enabled: true}\nmetricsStack: {grafana: {ingress: {path: /grafana}}}"))["spec"]!["grafana"]!["ingress"]!;
        var ownHost = Stack(Render("grafanaIngress: {enabled: true}\nmetricsStack: {grafana: {ingress: {host: grafana.example.org}}}"))["spec"]!["grafana"]!["ingress"]!;
        var off = Stack(Render("metricsStack: {grafana: {ingress: {path: /grafana}}}"))["spec"]!;

        onGlobalHost.ToJsonString().ShouldBe("""{"host":"data-dev.lsst.cloud","path":"/grafana"}""");
        ((string?)ownHost["host"]).ShouldBe("grafana.example.org");
        // Off, a path alone makes no Ingress: the host is the field that asks for one, and the schema requires it.
        ManifestCheck.Errors(Stack(Render("metricsStack: {grafana: {ingress: {path: /grafana}}}"))).Select(SchemaValidator.Describe)
            .ShouldContain(error => error.Contains("spec.grafana.ingress.host", StringComparison.Ordinal), off.ToJsonString());
    }

    [Fact]
    public void Grafana_ingress_on_without_a_host_anywhere_fails_naming_global_host()
    {
        var failure = Should.Throw<GoTemplateException>(() => HelmChart.Render(
            "metrics", "metrics", "global: {vaultSecretsPath: secret/phalanx/idfdev}\ngrafanaIngress: {enabled: true}\n", chartFolder: HelmChart.StackFolder));

        failure.Message.ShouldContain("grafanaIngress.enabled needs global.host");
    }

    [Fact]
    public void Rendering_holds_nothing_that_changes_per_sync() =>
        RenderEnvironment("values-idfprod.yaml").Select(m => m.Yaml).ShouldBe(RenderEnvironment("values-idfprod.yaml").Select(m => m.Yaml));
}
