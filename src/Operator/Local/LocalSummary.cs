using System.Text;

namespace MetricsOperator.Local;

/// <summary>
/// What a Phalanx admin would look at, printed for the local control plane: the stacks with
/// their conditions, the children the operator created, the AppAlerts, and where apps write.
/// It is kubectl's own output, so it reads the same as on a real cluster.
/// </summary>
internal static class LocalSummary
{
    private const string Conditions =
        "{range .items[*]}{.kind} {.metadata.namespace}/{.metadata.name} (generation {.metadata.generation}, observed {.status.observedGeneration})\n" +
        "{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}\n{end}" +
        "{range .status.endpoints}  apps write line protocol to: {.write}\n{end}{end}";

    /// <summary>Prints the summary now, then every <paramref name="every"/> until cancelled.</summary>
    public static async Task PrintPeriodicallyAsync(LocalEnvironment environment, TimeSpan first, TimeSpan every, TextWriter output, bool simulated, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(first, cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                await output.WriteAsync(await RenderAsync(environment, simulated, cancellationToken));
                await Task.Delay(every, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
#pragma warning disable CA1031 // The summary is a convenience: it must never stop the operator.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await output.WriteLineAsync($"(summary unavailable: {e.Message})");
        }
    }

    /// <summary>The summary as text; <paramref name="simulated"/>: hack/run.sh's stand-ins run beside the operator.</summary>
    public static async Task<string> RenderAsync(LocalEnvironment environment, bool simulated, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        text.Append("\n===== metrics stacks (kubectl get metricsstacks -A) =====\n");
        text.Append(await environment.KubectlAsync(["get", "metricsstacks", "-A"], cancellationToken: cancellationToken));
        text.Append('\n');
        text.Append(await environment.KubectlAsync(["get", "metricsstacks", "-A", "-o", $"jsonpath={Conditions}"], cancellationToken: cancellationToken));
        text.Append("\n===== what the operator created (namespace metrics) =====\n");
        text.Append(await environment.KubectlAsync(
            ["get", "statefulsets,deployments,services,configmaps,networkpolicies,secrets", "-n", "metrics", "-l", "app.kubernetes.io/managed-by=metrics-operator"],
            cancellationToken: cancellationToken));
        text.Append("\n===== app alerts (kubectl get appalerts -A) =====\n");
        text.Append(await environment.KubectlAsync(["get", "appalerts", "-A"], cancellationToken: cancellationToken));
        text.Append(simulated
            ? "\n[simulated] Pods are played by a kubelet stand-in and InfluxDB and Grafana are stand-ins (tests/Fakes): the operator and\n" +
              "the API server are real, the workloads and the servers they would run are not.\n\n"
            : "\nNo pods run on the local control plane (no kubelet), so InfluxDB and Grafana never answer here:\n" +
              "workloads stay unready and InfluxDBReady says why. On a real cluster the same resources converge to Ready.\n\n");
        return text.ToString();
    }
}
