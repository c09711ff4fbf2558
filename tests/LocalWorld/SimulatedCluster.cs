using System.Text.Json;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport.Kubelet;

namespace MetricsOperator.LocalWorld;

/// <summary>
/// Plays the kubelet in every namespace that holds a MetricsStack (a <see cref="KubeletStandIn"/> each), hands Grafana's
/// pod to the Grafana stand-in when it starts, and tells the person at the terminal, once each, what happened and
/// how to look at it: a pod that cannot start and why, a stack that became Ready, an AppAlert whose rules reached Grafana.
/// </summary>
internal sealed class SimulatedCluster(IKubernetes client, GrafanaFake grafana, string kubeconfig, TextWriter output)
{
    private readonly Dictionary<string, KubeletStandIn> kubelets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> told = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    await PassAsync(cancellationToken);
                }
                catch (k8s.Autorest.HttpOperationException e)
                {
                    // CRDs not installed yet, a namespace going away: the next pass sees the new state.
                    Tell("error", $"[simulated] the API server answered {(int)e.Response.StatusCode}; trying again");
                }

                await Task.Delay(500, cancellationToken);
            }
        }
        finally
        {
            foreach (var kubelet in kubelets.Values)
            {
                await kubelet.DisposeAsync();
            }
        }
    }

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var stacks = await ListAsync<V1Alpha1MetricsStack>("metricsstacks", cancellationToken);
        foreach (var stack in stacks)
        {
            var ns = stack.Metadata.NamespaceProperty;
            if (!kubelets.TryGetValue(ns, out var kubelet))
            {
                kubelet = kubelets[ns] = new KubeletStandIn(client, ns, pod => Started(ns, pod)).Start(TimeSpan.FromMilliseconds(250));
            }

            foreach (var (workload, verdict) in kubelet.Verdicts.Where(v => !v.Value.Starts))
            {
                Tell($"pod {ns}/{workload}", $"[simulated] kubelet: {ns}/{workload} cannot start yet: {verdict.Reason}: {verdict.Message}");
            }

            var ready = stack.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            if (ready?.Status == "True")
            {
                Tell($"stack {ns}/{stack.Metadata.Name}", StackReady(stack));
            }
        }

        foreach (var alert in await ListAsync<V1Alpha1AppAlert>("appalerts", cancellationToken))
        {
            if (alert.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: "True" } && alert.Status.Grafana is { } where)
            {
                var rules = grafana.State.Rules.Count(r => (string?)r["folderUID"] == where.FolderUid && (string?)r["ruleGroup"] == where.RuleGroup);
                Tell($"alert {alert.Metadata.NamespaceProperty}/{alert.Metadata.Name}/{alert.Metadata.Generation}",
                    $"[simulated] AppAlert {alert.Metadata.NamespaceProperty}/{alert.Metadata.Name} is synced: {rules} rules in the Grafana stand-in, folder {where.FolderUid}, group {where.RuleGroup}");
            }
        }
    }

    private Task Started(string ns, StartedPod pod)
    {
        Tell($"pod {ns}/{pod.Workload}", $"[simulated] kubelet: started pod {ns}/{pod.Pod}");
        if (pod.Labels.TryGetValue(StackLabels.Name, out var name) && name == StackLabels.Grafana && pod.Environment.TryGetValue("grafana", out var env)
            && grafana.StartedWith(env))
        {
            output.WriteLine($"[simulated] the Grafana stand-in took its admin login from the pod's environment (Secret {ns}/{pod.Workload}-admin, made by the operator)");
        }

        return Task.CompletedTask;
    }

    private string StackReady(V1Alpha1MetricsStack stack)
    {
        var ns = stack.Metadata.NamespaceProperty;
        var admin = StackNames.GrafanaAdminSecret(stack);
        return $$"""
            [simulated] MetricsStack {{ns}}/{{stack.Metadata.Name}} is Ready. Look at it from another terminal:
              kubectl --kubeconfig {{kubeconfig}} -n {{ns}} get metricsstack {{stack.Metadata.Name}} -o yaml     # conditions, endpoints, the tokens' Secret names
              kubectl --kubeconfig {{kubeconfig}} -n {{ns}} get secrets                                       # admin, telegraf-token, grafana-token: made by the operator
              kubectl --kubeconfig {{kubeconfig}} get appalerts -A
              curl -s -u "admin:$(kubectl --kubeconfig {{kubeconfig}} -n {{ns}} get secret {{admin}} -o jsonpath='{.data.password}' | base64 -d)" {{grafana.BaseUri}}api/v1/provisioning/alert-rules
            """;
    }

    // Says each thing once, and again only when it changes.
    private void Tell(string topic, string message)
    {
        if (told.TryGetValue(topic, out var before) && before == message)
        {
            return;
        }

        told[topic] = message;
        output.WriteLine(message);
    }

    private async Task<IReadOnlyList<T>> ListAsync<T>(string plural, CancellationToken cancellationToken)
    {
        var list = await client.CustomObjects.ListClusterCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, plural, cancellationToken: cancellationToken);
        var items = ((JsonElement)list).GetProperty("items");
        return [.. items.EnumerateArray().Select(i => KubernetesJson.Deserialize<T>(i.GetRawText()))];
    }
}
