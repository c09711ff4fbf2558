using System.Text.Json.Nodes;

namespace MetricsOperator.Tests.Packaging;

/// <summary>The health scripts, run by lua5.4, on a table of objects in the shape the operator writes (camelCase, metav1.Condition).</summary>
public sealed class ArgoHealthTests
{
    public static TheoryData<string, string, string, string> Cases() => new()
    {
        // kind, object (generation 3 unless said), expected status, expected message
        { "MetricsStack", """{"metadata":{"generation":1}}""", "Progressing", "Waiting for the operator to report status" },
        { "MetricsStack", """{"metadata":{"generation":1},"status":{}}""", "Progressing", "Waiting for the operator to report status" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":2,"conditions":[{"type":"Ready","status":"True","reason":"AllComponentsReady","message":"ok","observedGeneration":2}]}}""", "Progressing", "Waiting for the operator to observe generation 3" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"Ready","status":"True","reason":"AllComponentsReady","message":"ok","observedGeneration":2}]}}""", "Progressing", "Waiting for the operator to observe generation 3" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"InfluxDBReady","status":"True","reason":"Ready","message":"x"}]}}""", "Progressing", "Waiting for the Ready condition" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"Ready","status":"True","reason":"AllComponentsReady","message":"InfluxDB, Telegraf and Grafana are ready","observedGeneration":3}]}}""", "Healthy", "InfluxDB, Telegraf and Grafana are ready" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"Ready","status":"True","reason":"AllComponentsReady","message":"fine"}]}}""", "Healthy", "fine" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"Ready","status":"False","reason":"ComponentsNotReady","message":"Telegraf: 0/1 ready","observedGeneration":3}]}}""", "Progressing", "Telegraf: 0/1 ready" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"Ready","status":"Unknown","reason":"Reconciling","message":"","observedGeneration":3}]}}""", "Progressing", "Reconciling" },
        // ComponentsNotReady is transient only while every component that is not ready resolves by itself.
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"TelegrafReady","status":"False","reason":"Progressing","message":"0 of 1 ready"},{"type":"StorageReady","status":"False","reason":"Resizing","message":"growing"},{"type":"AlertingReady","status":"False","reason":"Waiting","message":"Waits for InfluxDBReady"},{"type":"Ready","status":"False","reason":"ComponentsNotReady","message":"several","observedGeneration":3}]}}""", "Progressing", "several" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"TelegrafReady","status":"False","reason":"Progressing","message":"0 of 1 ready"},{"type":"StorageReady","status":"False","reason":"StorageNearlyFull","message":"InfluxDB's data uses 91% of its volume"},{"type":"Ready","status":"False","reason":"ComponentsNotReady","message":"several","observedGeneration":3}]}}""", "Degraded", "StorageReady: InfluxDB's data uses 91% of its volume" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"BackupReady","status":"False","reason":"BackupFailed","message":"S3 answered 403"},{"type":"Ready","status":"False","reason":"ComponentsNotReady","message":"BackupReady: S3 answered 403","observedGeneration":3}]}}""", "Degraded", "BackupReady: S3 answered 403" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"Ready","status":"False","reason":"InvalidSpec","message":"spec.telegraf.replicas: must be 1 with the disk buffer","observedGeneration":3}]}}""", "Degraded", "spec.telegraf.replicas: must be 1 with the disk buffer" },
        { "MetricsStack", """{"metadata":{"generation":3},"status":{"observedGeneration":3,"conditions":[{"type":"Ready","status":"False","reason":"AdminTokenRejected","message":"InfluxDB refused the admin token","observedGeneration":3}]}}""", "Degraded", "InfluxDB refused the admin token" },
        { "MetricsStack", """{"metadata":{"generation":3,"deletionTimestamp":"2026-01-01T00:00:00Z"},"status":{"observedGeneration":3,"conditions":[{"type":"Ready","status":"True","reason":"AllComponentsReady","message":"ok"}]}}""", "Progressing", "Deleting" },
        { "AppAlert", """{"metadata":{"generation":2}}""", "Progressing", "Waiting for the operator to report status" },
        { "AppAlert", """{"metadata":{"generation":2},"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Synced","message":"3 rules"}]}}""", "Progressing", "Waiting for the operator to observe generation 2" },
        { "AppAlert", """{"metadata":{"generation":2},"status":{"observedGeneration":2,"conditions":[{"type":"Synced","status":"True","reason":"Synced","message":"x"},{"type":"Ready","status":"True","reason":"Synced","message":"3 rules in Grafana","observedGeneration":2}]}}""", "Healthy", "3 rules in Grafana" },
        { "AppAlert", """{"metadata":{"generation":2},"status":{"observedGeneration":2,"conditions":[{"type":"Ready","status":"False","reason":"StackNotReady","message":"MetricsStack metrics/metrics is not Ready","observedGeneration":2}]}}""", "Progressing", "MetricsStack metrics/metrics is not Ready" },
        { "AppAlert", """{"metadata":{"generation":2},"status":{"observedGeneration":2,"conditions":[{"type":"Ready","status":"False","reason":"InvalidRule","message":"spec.rules[0].query: empty","observedGeneration":2}]}}""", "Degraded", "spec.rules[0].query: empty" },
        { "AppAlert", """{"metadata":{"generation":2},"status":{"observedGeneration":2,"conditions":[{"type":"Ready","status":"False","reason":"ComponentsNotReady","message":"not an AppAlert reason","observedGeneration":2}]}}""", "Degraded", "not an AppAlert reason" },
        { "AppAlert", """{"metadata":{"generation":2,"deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["metrics.lsst.io/grafana-rules"]}}""", "Progressing", "Deleting" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_script_maps_status_to_argo_cd_health(string kind, string obj, string status, string message)
    {
        var health = await ArgoHealth.EvaluateAsync(kind, JsonNode.Parse(obj)!);
        health.ShouldBe((status, message));
    }

    [Theory]
    [InlineData("MetricsStack")]
    [InlineData("AppAlert")]
    public void The_argocd_cm_snippet_carries_the_scripts_verbatim(string kind) =>
        ((string?)ArgoHealth.ConfigMapSnippet()[$"resource.customizations.health.metrics.lsst.io_{kind}"])
            .ShouldBe(File.ReadAllText(ArgoHealth.Script(kind)), $"regenerate argocd-cm.yaml from {ArgoHealth.RepoScriptPath(kind)}");

    [Theory]
    [InlineData("MetricsStack")]
    [InlineData("AppAlert")]
    public void The_scripts_use_only_lua_5_1(string kind)
    {
        // Argo CD runs gopher-lua (Lua 5.1): no integer division, bit operators, goto or integer-only library calls.
        var script = File.ReadAllText(ArgoHealth.Script(kind));
        foreach (var newer in new[] { "//", "goto ", "<<", ">>", "math.tointeger", "utf8.", "table.move", "<const>", "<close>" })
        {
            script.ShouldNotContain(newer, Case.Sensitive);
        }
    }
}
