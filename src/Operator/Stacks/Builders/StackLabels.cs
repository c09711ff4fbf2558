using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The labels the operator puts on what it makes. Set by the operator only: nothing is copied from the
/// MetricsStack's own labels, because Argo CD's tracking label key is configurable (any copied label could be
/// it) and a child carrying it would be adopted or pruned by Argo CD.
/// </summary>
public static class StackLabels
{
    /// <summary>The recommended label naming the application (<c>influxdb</c>, <c>telegraf</c>, <c>grafana</c>).</summary>
    public const string Name = "app.kubernetes.io/name";

    /// <summary>The recommended label naming the instance: the MetricsStack's name.</summary>
    public const string Instance = "app.kubernetes.io/instance";

    /// <summary>The recommended label naming the component's role in the stack.</summary>
    public const string Component = "app.kubernetes.io/component";

    /// <summary>The recommended label naming the larger application.</summary>
    public const string PartOf = "app.kubernetes.io/part-of";

    /// <summary>The recommended label naming the tool that manages the object; the runtime watches children by it.</summary>
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>
    /// The operator's own label naming the MetricsStack. Selectors and NetworkPolicies use it rather than
    /// <see cref="Instance"/>, so that data volumes can leave <see cref="Instance"/> out (see <see cref="ForData"/>).
    /// </summary>
    public const string Stack = ApiGroup.Name + "/stack";

    /// <summary>Value of <see cref="ManagedBy"/>.</summary>
    public const string ManagedByValue = "metrics-operator";

    /// <summary>Value of <see cref="PartOf"/>.</summary>
    public const string PartOfValue = "metrics-stack";

    /// <summary>The InfluxDB component.</summary>
    public const string InfluxDb = "influxdb";

    /// <summary>The Telegraf component.</summary>
    public const string Telegraf = "telegraf";

    /// <summary>The Grafana component.</summary>
    public const string Grafana = "grafana";

    /// <summary>The Trickster component (the dashboard cache).</summary>
    public const string Trickster = "trickster";

    /// <summary>Objects that belong to the whole stack rather than one component (the default-deny policy).</summary>
    public const string Network = "network";

    /// <summary>Every label of an object of <paramref name="component"/>.</summary>
    public static IDictionary<string, string> For(V1Alpha1MetricsStack stack, string component)
    {
        var labels = ForData(stack, component);
        labels[Instance] = StackName(stack);
        return labels;
    }

    /// <summary>
    /// Labels of a PersistentVolumeClaim that may outlive the stack: all but <see cref="Instance"/>. A claim
    /// without an ownerReference that carried Argo CD's default tracking label with a matching value would be
    /// pruned by Argo CD as not in Git (owned objects are ignored by Argo CD's pruning, unowned ones are not).
    /// </summary>
    public static IDictionary<string, string> ForData(V1Alpha1MetricsStack stack, string component) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [Name] = component,
            [Component] = component,
            [PartOf] = PartOfValue,
            [ManagedBy] = ManagedByValue,
            [Stack] = StackName(stack),
        };

    /// <summary>The immutable selector of a component's pods: the component and the stack, nothing that could change.</summary>
    public static IDictionary<string, string> Selector(V1Alpha1MetricsStack stack, string component) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [Name] = component,
            [Stack] = StackName(stack),
        };

    /// <summary>Selects every pod of the stack.</summary>
    public static IDictionary<string, string> AllPods(V1Alpha1MetricsStack stack) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ManagedBy] = ManagedByValue,
            [Stack] = StackName(stack),
        };

    private static string StackName(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Metadata.Name;
    }
}
