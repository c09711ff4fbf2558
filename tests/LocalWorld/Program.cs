using System.Runtime.InteropServices;
using k8s;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.LocalWorld;
using MetricsOperator.TestSupport;

// hack/run.sh starts this beside `metrics-operator run` when no cluster is given: the InfluxDB 2 and Grafana 11.4
// stand-ins (the in-repo fakes) and, once the local control plane is up, the kubelet stand-in in every namespace that
// holds a MetricsStack. Everything it prints starts with [simulated].
var repository = args.Length >= 2 && args[0] == "--repo" ? args[1] : Directory.GetCurrentDirectory();
var state = Path.Combine(repository, ".local");
Directory.CreateDirectory(state);
var startedAt = DateTime.UtcNow;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });

// The operator checks each AppAlert's queries against InfluxDB before syncing them: with influxd 1.6.7 installed
// (Debian's influxdb package), the stand-in's InfluxQL is run by that real engine; without it, the stand-in answers
// only its small subset and the operator reports the other queries as unchecked (docs/alerts.md).
var influxQl = RealInflux.IsInstalled ? new RealInflux() : null;
if (influxQl is not null)
{
    await influxQl.InitializeAsync();
}

await using var influx = await InfluxFake.StartNewAsync(influxQl is null ? null : new Uri(influxQl.Url));
await using var grafana = await GrafanaFake.StartNewAsync();
var endpoints = Path.Combine(state, "standins.env");
await File.WriteAllTextAsync(endpoints + ".tmp", $"INFLUXDB_URL={influx.BaseUri}\nGRAFANA_URL={grafana.BaseUri}\n");
File.Move(endpoints + ".tmp", endpoints, overwrite: true);
Console.WriteLine($"""
    [simulated] InfluxDB 2 stand-in at {influx.BaseUri} and Grafana 11.4 stand-in at {grafana.BaseUri}: the repository's
    [simulated] fakes (tests/Fakes), not the real servers. A kubelet stand-in (tests/TestSupport/Kubelet) starts the stack's
    [simulated] pods only when a kubelet would; nothing runs in them. The operator is real and reaches the stand-ins.
    [simulated] InfluxQL: {(influxQl is null ? "the stand-in's subset only (install Debian's influxdb package for the real engine)" : $"run by a real influxd 1.6.7 at {influxQl.Url}")}.
    """);

var kubeconfig = Path.Combine(state, "kubeconfig");
try
{
    while (!(File.Exists(kubeconfig) && File.GetLastWriteTimeUtc(kubeconfig) >= startedAt.AddSeconds(-1)))
    {
        await Task.Delay(200, stop.Token);
    }

    using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    await new SimulatedCluster(client, grafana, Path.GetRelativePath(Directory.GetCurrentDirectory(), kubeconfig), Console.Out).RunAsync(stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}
finally
{
    File.Delete(endpoints);
    if (influxQl is not null)
    {
        await influxQl.DisposeAsync();
    }
}
