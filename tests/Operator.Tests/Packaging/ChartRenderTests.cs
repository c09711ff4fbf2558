using System.CommandLine;
using System.Text.Json.Nodes;
using MetricsOperator.Cli;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// `helm template` of charts/metrics-operator by the test renderer (<see cref="HelmChart"/>), with default values and
/// with overrides: every document parses, and the objects are what Phalanx needs.
/// </summary>
public sealed class ChartRenderTests
{
    private static readonly IReadOnlyList<RenderedManifest> Defaults = HelmChart.Render();

    private static RenderedManifest One(IReadOnlyList<RenderedManifest> manifests, string kind, string? name = null) =>
        manifests.Single(m => m.Kind == kind && (name is null || m.Name == name));

    private static JsonObject Container(IReadOnlyList<RenderedManifest> manifests) =>
        (JsonObject)One(manifests, "Deployment").Json["spec"]!["template"]!["spec"]!["containers"]![0]!;

    private static List<string> Args(IReadOnlyList<RenderedManifest> manifests) =>
        [.. Container(manifests)["args"]!.AsArray().Select(a => (string)a!)];

    [Fact]
    public void Default_values_render_the_operator_objects()
    {
        Defaults.Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal).ShouldBe(
        [
            "ClusterRole/metrics-operator",
            "ClusterRole/metrics-operator-appalert-editor",
            "ClusterRole/metrics-operator-appalert-viewer",
            "ClusterRole/metrics-operator-metricsstack-editor",
            "ClusterRole/metrics-operator-metricsstack-viewer",
            "ClusterRole/metrics-operator-stack-namespace",
            "ClusterRoleBinding/metrics-operator",
            "Deployment/metrics-operator",
            "PodDisruptionBudget/metrics-operator",
            "Role/metrics-operator-leader-election",
            "RoleBinding/metrics-operator-leader-election",
            "RoleBinding/metrics-operator-stack-namespace",
            "Service/metrics-operator-metrics",
            "ServiceAccount/metrics-operator",
        ]);
        foreach (var manifest in Defaults.Where(m => m.Kind is not ("ClusterRole" or "ClusterRoleBinding")))
        {
            var expected = manifest.Kind == "RoleBinding" && manifest.Name.EndsWith("-stack-namespace", StringComparison.Ordinal) ? "metrics" : "metrics-operator";
            manifest.Namespace.ShouldBe(expected, manifest.ToString());
        }

        foreach (var manifest in Defaults)
        {
            var labels = manifest.Json["metadata"]!["labels"]!;
            ((string?)labels["app.kubernetes.io/name"]).ShouldBe("metrics-operator", manifest.ToString());
            ((string?)labels["helm.sh/chart"]).ShouldBe("metrics-operator-0.1.0", manifest.ToString());
        }
    }

    [Fact]
    public void Rendering_is_deterministic_and_holds_nothing_that_changes_per_sync()
    {
        var again = HelmChart.Render();
        again.Select(m => m.Yaml).ShouldBe(Defaults.Select(m => m.Yaml));
        foreach (var file in Directory.GetFiles(Path.Combine(HelmChart.Folder, "templates")))
        {
            var text = File.ReadAllText(file);
            foreach (var churn in new[] { "randAlphaNum", "randAlpha", "uuidv4", "now", "sha256sum", "genCA", "genPrivateKey", "lookup" })
            {
                text.ShouldNotContain(churn + " ", Case.Sensitive, $"{Path.GetFileName(file)} uses {churn}");
            }
        }
    }

    [Fact]
    public void The_deployment_runs_two_leader_elected_replicas_restricted_with_probes()
    {
        var deployment = One(Defaults, "Deployment").Json;
        ((int)deployment["spec"]!["replicas"]!).ShouldBe(2);
        var pod = deployment["spec"]!["template"]!["spec"]!;
        ((string?)pod["serviceAccountName"]).ShouldBe("metrics-operator");
        ((bool)pod["securityContext"]!["runAsNonRoot"]!).ShouldBeTrue();
        ((int)pod["securityContext"]!["runAsUser"]!).ShouldBe(65532);
        ((string?)pod["securityContext"]!["seccompProfile"]!["type"]).ShouldBe("RuntimeDefault");

        var container = Container(Defaults);
        ((string?)container["image"]).ShouldBe("ghcr.io/lsst-sqre/metrics-operator:0.1.0");
        var security = container["securityContext"]!;
        ((bool)security["readOnlyRootFilesystem"]!).ShouldBeTrue();
        ((bool)security["allowPrivilegeEscalation"]!).ShouldBeFalse();
        security["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c).ShouldBe(["ALL"]);
        ((string?)container["livenessProbe"]!["httpGet"]!["path"]).ShouldBe("/healthz");
        ((string?)container["readinessProbe"]!["httpGet"]!["path"]).ShouldBe("/readyz");
        ((string?)container["livenessProbe"]!["httpGet"]!["port"]).ShouldBe("http-metrics");
        ((int)container["ports"]![0]!["containerPort"]!).ShouldBe(8080);
        ((string?)container["resources"]!["limits"]!["memory"]).ShouldBe("256Mi");
        Env(container, "Logging__LogLevel__Default").ShouldBe("Information");
        container["volumeMounts"]!.AsArray().Select(v => (string?)v!["mountPath"]).ShouldContain("/tmp");
        ((string?)pod["affinity"]!["podAntiAffinity"]!["preferredDuringSchedulingIgnoredDuringExecution"]![0]!["podAffinityTerm"]!["labelSelector"]!["matchLabels"]!["app.kubernetes.io/instance"])
            .ShouldBe("metrics-operator");
    }

    [Fact]
    public void The_deployment_args_are_accepted_by_the_run_command()
    {
        var args = Args(HelmChart.Render(valuesOverride: "watchNamespace: apps\nworkers: 3\nresyncPeriod: '00:05:00'\nprobePort: 9090\n"));
        args[0].ShouldBe("run");
        var parse = new RootCommand { RunCommand.Create() }.Parse(args);
        parse.Errors.ShouldBeEmpty();
        parse.GetValue<bool>("--leader-elect").ShouldBeTrue();
        parse.GetValue<string>("--lease-namespace").ShouldBe("metrics-operator");
        parse.GetValue<int>("--workers").ShouldBe(3);
        parse.GetValue<TimeSpan>("--resync-period").ShouldBe(TimeSpan.FromMinutes(5));
        parse.GetValue<string>("--namespace").ShouldBe("apps");
        parse.GetValue<string>("--probe-address").ShouldBe("http://0.0.0.0:9090");
        parse.GetValue<string>("--backup-image").ShouldBe("ghcr.io/lsst-sqre/metrics-operator:0.1.0");
        Args(Defaults).ShouldNotContain("--namespace", "an empty watchNamespace watches every namespace");
    }

    [Fact]
    public void The_pod_disruption_budget_follows_the_cluster_api_versions()
    {
        One(HelmChart.Render(apiVersions: HelmChart.Kubernetes125), "PodDisruptionBudget").ApiVersion.ShouldBe("policy/v1");
        One(HelmChart.Render(apiVersions: HelmChart.Kubernetes120), "PodDisruptionBudget").ApiVersion.ShouldBe("policy/v1beta1");
        var pdb = One(Defaults, "PodDisruptionBudget").Json;
        ((int)pdb["spec"]!["maxUnavailable"]!).ShouldBe(1);
        JsonNode.DeepEquals(pdb["spec"]!["selector"]!["matchLabels"], One(Defaults, "Deployment").Json["spec"]!["selector"]!["matchLabels"]).ShouldBeTrue();
        HelmChart.Render(valuesOverride: "podDisruptionBudget: {enabled: false}").ShouldNotContain(m => m.Kind == "PodDisruptionBudget");
    }

    [Fact]
    public void The_metrics_service_selects_the_pods_and_the_service_monitor_is_optional()
    {
        var service = One(Defaults, "Service").Json;
        JsonNode.DeepEquals(service["spec"]!["selector"], One(Defaults, "Deployment").Json["spec"]!["template"]!["metadata"]!["labels"]).ShouldBeTrue();
        ((string?)service["spec"]!["ports"]![0]!["targetPort"]).ShouldBe("http-metrics");
        Defaults.ShouldNotContain(m => m.Kind == "ServiceMonitor");

        var monitored = HelmChart.Render(valuesOverride: "metrics: {serviceMonitor: {enabled: true, interval: 15s, labels: {release: prometheus}}}");
        var monitor = One(monitored, "ServiceMonitor");
        monitor.ApiVersion.ShouldBe("monitoring.coreos.com/v1");
        ((string?)monitor.Json["metadata"]!["labels"]!["release"]).ShouldBe("prometheus");
        ((string?)monitor.Json["metadata"]!["labels"]!["app.kubernetes.io/name"]).ShouldBe("metrics-operator");
        ((string?)monitor.Json["spec"]!["endpoints"]![0]!["port"]).ShouldBe("http-metrics");
        ((string?)monitor.Json["spec"]!["endpoints"]![0]!["interval"]).ShouldBe("15s");
        JsonNode.DeepEquals(monitor.Json["spec"]!["selector"]!["matchLabels"], service["metadata"]!["labels"]!.DeepClone().AsObject()
            .Where(l => l.Key is "app.kubernetes.io/name" or "app.kubernetes.io/instance").Aggregate(new JsonObject(), (o, l) => { o[l.Key] = l.Value!.DeepClone(); return o; })).ShouldBeTrue();
    }

    [Fact]
    public async Task The_backup_alerts_are_optional_and_name_only_metrics_the_operator_exports()
    {
        Defaults.ShouldNotContain(m => m.Kind == "PrometheusRule");

        var rendered = HelmChart.Render(valuesOverride: "metrics: {prometheusRule: {enabled: true, labels: {release: prometheus}, influxdbBackupMaxAgeSeconds: 180000}}");
        var rule = One(rendered, "PrometheusRule");
        rule.ApiVersion.ShouldBe("monitoring.coreos.com/v1");
        ((string?)rule.Json["metadata"]!["labels"]!["release"]).ShouldBe("prometheus");
        var rules = rule.Json["spec"]!["groups"]![0]!["rules"]!.AsArray().Select(r => (Alert: (string)r!["alert"]!, Expr: (string)r["expr"]!)).ToList();
        rules.Select(r => r.Alert).ShouldBe(["MetricsStackGrafanaBackupStale", "MetricsStackInfluxDBBackupStale", "MetricsStackBackupFailing"]);
        rules.Single(r => r.Alert == "MetricsStackInfluxDBBackupStale").Expr.ShouldEndWith("> 180000", customMessage: "the value reaches the rule");
        rules.Single(r => r.Alert == "MetricsStackGrafanaBackupStale").Expr.ShouldEndWith("> 3600");
        rules.Single(r => r.Alert == "MetricsStackBackupFailing").Expr.ShouldEndWith(">= 3");

        // Every metric a rule names is one the operator exports (after one failed and one successful run).
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new MetricsOperator.Backup.Scheduling.BackupMetrics(new MetricsOperator.Runtime.Metrics.RuntimeMetrics(registry));
        metrics.Observe("grafana", "metrics/metrics", TimeSpan.FromSeconds(1), null, 0, 1);
        metrics.Observe("influxdb", "metrics/metrics", TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow, 10);
        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        var exported = System.Text.Encoding.UTF8.GetString(text.ToArray());
        foreach (var (alert, expr) in rules)
        {
            var named = System.Text.RegularExpressions.Regex.Matches(expr, "backup_[a-z_]+").Select(m => m.Value).ToList();
            named.ShouldNotBeEmpty(alert);
            named.ShouldAllBe(name => exported.Contains("\n" + name + "{", StringComparison.Ordinal), $"{alert} names a metric the operator does not export");
        }
    }

    [Fact]
    public void Overrides_reach_the_objects()
    {
        var manifests = HelmChart.Render(
            releaseName: "mo",
            releaseNamespace: "ops",
            valuesOverride: """
                fullnameOverride: metrics-operator-for-a-very-long-environment-name-that-goes-past-the-limit
                image: {repository: example.org/mo, tag: "1.2.3"}
                imagePullSecrets: [{name: regcred}]
                logLevel: Debug
                stackNamespaces: [metrics, metrics-dev]
                resources: {limits: {memory: 128Mi, cpu: "1"}}
                affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [ops]}]}]}}}
                tolerations: [{key: dedicated, operator: Equal, value: ops, effect: NoSchedule}]
                serviceAccount: {annotations: {owner: sqre}}
                """);
        var fullname = "metrics-operator-for-a-very-long-environment-name-that-goes-pas";
        fullname.Length.ShouldBe(63);
        One(manifests, "Deployment").Name.ShouldBe(fullname);
        var container = Container(manifests);
        ((string?)container["image"]).ShouldBe("example.org/mo:1.2.3");
        var args = Args(manifests);
        args[args.IndexOf("--backup-image") + 1].ShouldBe("example.org/mo:1.2.3", "backup Jobs run the operator's own image");
        var parsed = new RootCommand { RunCommand.Create() }.Parse(args);
        parsed.Errors.ShouldBeEmpty();
        parsed.GetValue<string>("--backup-image-pull-policy").ShouldBe("IfNotPresent");
        parsed.GetValue<string[]>("--backup-image-pull-secret").ShouldBe(["regcred"], "backup Jobs pull with the operator's pull secrets");
        Env(container, "Logging__LogLevel__Default").ShouldBe("Debug");
        ((string?)container["resources"]!["limits"]!["cpu"]).ShouldBe("1");
        ((string?)container["resources"]!["limits"]!["memory"]).ShouldBe("128Mi");
        ((string?)container["resources"]!["requests"]!["memory"]).ShouldBe("96Mi", "Helm merges value maps: an override keeps what it does not name");
        var pod = One(manifests, "Deployment").Json["spec"]!["template"]!["spec"]!;
        pod["affinity"]!["podAntiAffinity"].ShouldBeNull();
        ((string?)pod["affinity"]!["nodeAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]!["nodeSelectorTerms"]![0]!["matchExpressions"]![0]!["values"]![0]).ShouldBe("ops");
        ((string?)pod["tolerations"]![0]!["key"]).ShouldBe("dedicated");
        ((string?)One(manifests, "ServiceAccount").Json["metadata"]!["annotations"]!["owner"]).ShouldBe("sqre");

        var stackBindings = manifests.Where(m => m.Kind == "RoleBinding" && m.Name == fullname + "-stack-namespace").ToList();
        stackBindings.Select(m => m.Namespace).ShouldBe(["metrics", "metrics-dev"]);
        foreach (var binding in manifests.Where(m => m.Kind is "RoleBinding" or "ClusterRoleBinding"))
        {
            var subject = binding.Json["subjects"]![0]!;
            ((string?)subject["name"]).ShouldBe(fullname, binding.ToString());
            ((string?)subject["namespace"]).ShouldBe("ops", binding.ToString());
            var roleRef = binding.Json["roleRef"]!;
            manifests.ShouldContain(m => m.Kind == (string?)roleRef["kind"] && m.Name == (string?)roleRef["name"], binding.ToString());
        }

        Args(manifests).ShouldContain("ops");
        manifests.Where(m => m.Kind is not ("ClusterRole" or "ClusterRoleBinding") && !(m.Kind == "RoleBinding" && m.Name.EndsWith("-stack-namespace", StringComparison.Ordinal)))
            .ShouldAllBe(m => m.Namespace == "ops");
    }

    [Fact]
    public void The_chart_roles_carry_exactly_the_rules_of_config_rbac()
    {
        var configRoles = Directory.GetFiles(RepoPaths.InRepo("config", "rbac"), "*.yaml", SearchOption.AllDirectories)
            .Select(path => (Path: Path.GetFileName(path), Json: (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(HelmYaml.Load(File.ReadAllText(path)))!))
            .Where(role => (string?)role.Json["kind"] is "Role" or "ClusterRole")
            .ToList();
        var chartRoles = Defaults.Where(m => m.Kind is "Role" or "ClusterRole").ToList();
        chartRoles.Count.ShouldBe(configRoles.Count);
        foreach (var (path, json) in configRoles)
        {
            var matches = chartRoles.Where(m => m.Kind == (string?)json["kind"] && JsonNode.DeepEquals(m.Json["rules"], json["rules"])).ToList();
            matches.Count.ShouldBe(1, $"config/rbac/{path}'s rules should be in exactly one {(string?)json["kind"]} of the chart");
        }

        // The leader-election Role is the only namespaced role, and it lives where the operator takes its Lease.
        One(Defaults, "Role").Namespace.ShouldBe("metrics-operator");
    }

    [Fact]
    public void Values_yaml_documents_every_value()
    {
        var lines = File.ReadAllLines(Path.Combine(HelmChart.Folder, "values.yaml"));
        var undocumented = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var indent = line.Length - line.TrimStart().Length;
            var isKey = System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s*[A-Za-z][A-Za-z0-9]*:");
            // Every key with a value needs a comment right above (groups such as image: need none); keys inside resources are Kubernetes' own.
            var parentIsResources = lines.Take(i).Reverse().FirstOrDefault(l => l.Length - l.TrimStart().Length < indent && l.Trim().Length > 0)?.Trim() is "resources:" or "requests:" or "limits:";
            if (isKey && !parentIsResources && !line.TrimEnd().EndsWith(':') && !lines[i - 1].TrimStart().StartsWith('#'))
            {
                undocumented.Add(line.Trim());
            }
        }

        undocumented.ShouldBeEmpty();
    }

    private static string? Env(JsonObject container, string name) =>
        (string?)container["env"]!.AsArray().Single(e => (string?)e!["name"] == name)!["value"];
}
