using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>spec.grafana with its defaults as plain values (<see cref="DefaultedStack"/>).</summary>
public sealed class DefaultedGrafana
{
    internal DefaultedGrafana(GrafanaSpec spec)
    {
        Spec = spec;
        Mode = Defaulted.Value(spec.Mode, "spec.grafana.mode");
        Image = Defaulted.Value(spec.Image, "spec.grafana.image");
        Datasources = new DefaultedDatasources(Defaulted.Value(spec.Datasources, "spec.grafana.datasources"));
        // The schema has no default for the cache section: left out, it reads as its defaults, which turn it off.
        Cache = new DefaultedDashboardCache(spec.Cache ?? SchemaDefaults.NewSection<DashboardCacheSpec>());
    }

    /// <summary>The defaulted API section, for code that takes <see cref="GrafanaSpec"/>.</summary>
    public GrafanaSpec Spec { get; }

    public GrafanaMode Mode { get; }

    /// <summary>Whether the operator runs this Grafana (mode managed) rather than writing to one at <see cref="Url"/>.</summary>
    public bool IsManaged => Mode == GrafanaMode.Managed;

    public string Image { get; }

    public string? Url => Spec.Url;

    public SecretReference? CredentialsSecret => Spec.CredentialsSecret;

    public DefaultedDatasources Datasources { get; }

    /// <summary>spec.grafana.cache, or its defaults (off) when it is left out.</summary>
    public DefaultedDashboardCache Cache { get; }

    public string? DefaultContactPoint => Spec.DefaultContactPoint;

    public GrafanaIngressSpec? Ingress => Spec.Ingress;

    public ResourceRequirements? Resources => Spec.Resources;

    public PodSettings? Pod => Spec.Pod;
}

/// <summary>spec.grafana.datasources with its defaults as plain values.</summary>
public sealed class DefaultedDatasources
{
    internal DefaultedDatasources(GrafanaDatasourcesSpec spec)
    {
        InfluxQL = Defaulted.Value(spec.InfluxQL, "spec.grafana.datasources.influxql");
        Flux = Defaulted.Value(spec.Flux, "spec.grafana.datasources.flux");
    }

    public bool InfluxQL { get; }

    public bool Flux { get; }
}

/// <summary>spec.grafana.cache with its defaults as plain values.</summary>
public sealed class DefaultedDashboardCache
{
    internal DefaultedDashboardCache(DashboardCacheSpec spec)
    {
        Enabled = Defaulted.Value(spec.Enabled, "spec.grafana.cache.enabled");
        Image = Defaulted.Value(spec.Image, "spec.grafana.cache.image");
        Replicas = Defaulted.Value(spec.Replicas, "spec.grafana.cache.replicas");
        Kind = Defaulted.Value(spec.Kind, "spec.grafana.cache.kind");
        Size = Defaulted.Value(spec.Size, "spec.grafana.cache.size");
        StorageClassName = spec.StorageClassName;
        MaxPointsPerQuery = Defaulted.Value(spec.MaxPointsPerQuery, "spec.grafana.cache.maxPointsPerQuery");
        Resources = spec.Resources;
    }

    public bool Enabled { get; }

    public string Image { get; }

    public int Replicas { get; }

    public DashboardCacheKind Kind { get; }

    /// <summary>Whether the cache lives on a claim (filesystem or bbolt) rather than in memory.</summary>
    public bool UsesClaim => Kind is DashboardCacheKind.Filesystem or DashboardCacheKind.Bbolt;

    public ResourceQuantity Size { get; }

    public string? StorageClassName { get; }

    public int MaxPointsPerQuery { get; }

    public ResourceRequirements? Resources { get; }
}
