using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks;

/// <summary>
/// A MetricsStack with every schema default filled in, made once per reconcile by <see cref="Of"/>: its sections are
/// never null and every field the schema defaults is a plain value, so builders and steps read them without checks.
/// The API server defaults what it stores; this view is what lets code say so in its types, and it also serves
/// <c>render</c> and tests, which have no server. Defaulting copies the stack through JSON, so each reconcile makes one
/// view and passes it down, instead of each builder defaulting again (docs/performance.md, twelfth pass).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A MetricsStack, not a last-in-first-out collection.")]
public sealed class DefaultedStack
{
    private DefaultedStack(V1Alpha1MetricsStack defaulted)
    {
        Resource = defaulted;
        InfluxDb = new DefaultedInfluxDb(Defaulted.Value(defaulted.Spec.InfluxDb, "spec.influxdb"));
        Telegraf = new DefaultedTelegraf(Defaulted.Value(defaulted.Spec.Telegraf, "spec.telegraf"));
        Grafana = new DefaultedGrafana(Defaulted.Value(defaulted.Spec.Grafana, "spec.grafana"));
    }

    /// <summary>The defaulted copy of the stack (a new object: the caller's stack is left as it was).</summary>
    public V1Alpha1MetricsStack Resource { get; }

    /// <summary>The stack's metadata: its names and labels name every child.</summary>
    public V1ObjectMeta Metadata => Resource.Metadata;

    /// <summary>The stack's spec with defaults applied, for code that takes the API types.</summary>
    public MetricsStackSpec Spec => Resource.Spec;

    /// <summary>The stack's status as it was read (a copy: status is written through the stack the reconcile was given).</summary>
    public MetricsStackStatus Status => Resource.Status;

    /// <summary>spec.environment: optional (it names the stack's alerts in an external Grafana).</summary>
    public string? Environment => Resource.Spec.Environment;

    /// <summary>spec.influxdb.</summary>
    public DefaultedInfluxDb InfluxDb { get; }

    /// <summary>spec.telegraf.</summary>
    public DefaultedTelegraf Telegraf { get; }

    /// <summary>spec.grafana.</summary>
    public DefaultedGrafana Grafana { get; }

    /// <summary>spec.backup: optional; its own fields are defaulted when it is given.</summary>
    public BackupSpec? Backup => Resource.Spec.Backup;

    /// <summary>The view of <paramref name="stack"/>: one defaulted copy, the caller's object untouched.</summary>
    public static DefaultedStack Of(V1Alpha1MetricsStack stack) => new(SchemaDefaults.Applied(stack));

    /// <summary>The stack itself, for what reads only its metadata (names, labels, owner references).</summary>
    public static implicit operator V1Alpha1MetricsStack(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Resource;
    }
}
