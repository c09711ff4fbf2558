using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>spec.influxdb with its defaults as plain values (<see cref="DefaultedStack"/>).</summary>
public sealed class DefaultedInfluxDb
{
    internal DefaultedInfluxDb(InfluxDbSpec spec)
    {
        Spec = spec;
        Image = Defaulted.Value(spec.Image, "spec.influxdb.image");
        Organization = Defaulted.Value(spec.Organization, "spec.influxdb.organization");
        Bucket = Defaulted.Value(spec.Bucket, "spec.influxdb.bucket");
        Retention = Defaulted.Value(spec.Retention, "spec.influxdb.retention");
        Storage = new DefaultedStorage(Defaulted.Value(spec.Storage, "spec.influxdb.storage"));
        DeletionPolicy = Defaulted.Value(spec.DeletionPolicy, "spec.influxdb.deletionPolicy");
    }

    /// <summary>The defaulted API section, for code that takes <see cref="InfluxDbSpec"/>.</summary>
    public InfluxDbSpec Spec { get; }

    public string Image { get; }

    public string Organization { get; }

    public string Bucket { get; }

    public string Retention { get; }

    public DefaultedStorage Storage { get; }

    public DeletionPolicy DeletionPolicy { get; }

    public SecretReference? ExistingAdminSecret => Spec.ExistingAdminSecret;

    public string? ExternalUrl => Spec.ExternalUrl;

    public InfluxDbIngressSpec? Ingress => Spec.Ingress;

    public ResourceRequirements? Resources => Spec.Resources;

    public PodSettings? Pod => Spec.Pod;
}

/// <summary>spec.influxdb.storage with its defaults as plain values.</summary>
public sealed class DefaultedStorage
{
    internal DefaultedStorage(StorageSpec spec)
    {
        Size = Defaulted.Value(spec.Size, "spec.influxdb.storage.size");
        WarnAtPercent = Defaulted.Value(spec.WarnAtPercent, "spec.influxdb.storage.warnAtPercent");
        StorageClassName = spec.StorageClassName;
    }

    public ResourceQuantity Size { get; }

    public int WarnAtPercent { get; }

    public string? StorageClassName { get; }
}
