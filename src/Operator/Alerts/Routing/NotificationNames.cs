using MetricsOperator.Crds;

namespace MetricsOperator.Alerts.Routing;

/// <summary>
/// The names the stack's notification objects (contact points, templates, mute timings) have in Grafana. Without
/// <c>spec.environment</c> a name is the spec's, as it always was; with it, <c>&lt;environment&gt;_&lt;name&gt;</c>, so
/// environments sharing one Grafana never name the same object: an environment is a DNS label, which has no <c>_</c>, so
/// the first <c>_</c> ends it (with <c>-</c>, <c>idf</c>'s <c>dev-slack</c> and <c>idf-dev</c>'s <c>slack</c> were one name). Rule notification settings that name a contact point or
/// mute timing must use these names too.
/// </summary>
public static class NotificationNames
{
    /// <summary>The label every rule carries naming its environment; the environment's subtree of the policy matches it.</summary>
    public const string EnvironmentLabel = AlertNames.EnvironmentLabel;

    /// <summary>The Grafana name of the spec's <paramref name="name"/> in <paramref name="environment"/> (null or empty: none).</summary>
    public static string ForEnvironment(string? environment, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return string.IsNullOrEmpty(environment) ? name : $"{environment}_{name}";
    }

    /// <summary>The Grafana name of the spec's <paramref name="name"/> for <paramref name="stack"/>'s environment.</summary>
    public static string InGrafana(V1Alpha1MetricsStack stack, string name)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return ForEnvironment(Environment(stack), name);
    }

    /// <summary>The stack's environment, or null when it has none.</summary>
    public static string? Environment(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Spec?.Environment is { Length: > 0 } environment ? environment : null;
    }
}
