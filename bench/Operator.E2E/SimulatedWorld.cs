using k8s;
using MetricsOperator.Fakes.Grafana;
using MetricsOperator.Fakes.Influx;
using MetricsOperator.TestSupport;
using MetricsOperator.TestSupport.Kubelet;

namespace MetricsOperator.E2E;

/// <summary>
/// What is simulated, in this process: one InfluxDB 2 and one Grafana 11.4 fake (contract-checked, counting requests by
/// method and spec template) that every stack reaches, and a kubelet stand-in per stack namespace that starts the
/// stack's pods only when a kubelet would. One InfluxDB for ten stacks works because the stacks share their admin
/// credentials (spec.influxdb.existingAdminSecret): the first onboards it, the others find it set up and log in.
/// Grafana is each stack's external Grafana, reached with the user's credentials Secret. InfluxQL (the operator's query
/// check before each rule is synced) is answered by a real InfluxQL engine, Debian's influxd 1.6.7, behind the fake: the
/// fake's own subset answers the rules' queries 501, and every rule would be synced "not checked".
/// </summary>
internal sealed class SimulatedWorld : IAsyncDisposable
{
    private readonly List<KubeletStandIn> kubelets = [];

    private readonly RealInflux engine;

    private SimulatedWorld(RealInflux engine, InfluxFake influx, GrafanaFake grafana)
    {
        this.engine = engine;
        Influx = influx;
        Grafana = grafana;
    }

    public InfluxFake Influx { get; }

    public GrafanaFake Grafana { get; }

    public static async Task<SimulatedWorld> StartAsync()
    {
        if (!RealInflux.IsInstalled)
        {
            throw new InvalidOperationException("the benchmark needs influxd (Debian's influxdb package) for the operator's query checks: apt-get install influxdb, or run the README's test command once");
        }

        var engine = new RealInflux();
        await engine.InitializeAsync();
        var influx = await InfluxFake.StartNewAsync(new Uri(engine.Url));
        var grafana = await GrafanaFake.StartNewAsync();
        grafana.AdminPassword = $"bench-{Guid.NewGuid():N}";
        return new SimulatedWorld(engine, influx, grafana);
    }

    public void PlayKubelet(IKubernetes admin, string ns) => kubelets.Add(new KubeletStandIn(admin, ns).Start(TimeSpan.FromMilliseconds(500)));

    /// <summary>Stops the kubelet stand-ins (before the API server restarts: their loop does not outlive a refused connection).</summary>
    public async Task StopKubeletsAsync()
    {
        foreach (var kubelet in kubelets)
        {
            await kubelet.DisposeAsync();
        }

        kubelets.Clear();
    }

    /// <summary>Requests to both fakes since the last reset, "METHOD template" → count.</summary>
    public (IReadOnlyDictionary<string, long> Influx, IReadOnlyDictionary<string, long> Grafana) Requests() =>
        (Influx.Requests.Snapshot(), Grafana.Requests.Snapshot());

    public void ResetRequests()
    {
        Influx.Requests.Reset();
        Grafana.Requests.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        await StopKubeletsAsync();
        await Influx.DisposeAsync();
        await Grafana.DisposeAsync();
        await engine.DisposeAsync();
    }
}
