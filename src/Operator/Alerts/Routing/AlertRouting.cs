using System.Text.Json.Nodes;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Alerts.Routing;

/// <summary>
/// Contact points and the notification policy tree of a stack, as pure functions. Each contact point of the spec
/// becomes one Grafana contact point with a deterministic UID; the policy's root goes to the default contact point
/// and has one route per AppAlert that names another one, matching the labels the operator sets on that AppAlert's
/// rules and nobody else can claim: its namespace and its name. An AppAlert so steers its own rules only, never
/// another team's (routing on <c>app</c> let any namespace redirect an app's alerts by naming that app).
/// </summary>
public static class AlertRouting
{
    /// <summary>The label on every rule naming the namespace of the AppAlert it comes from (set by the operator).</summary>
    public const string NamespaceLabel = "namespace";

    /// <summary>The label on every rule naming the AppAlert it comes from (set by the operator).</summary>
    public const string AppAlertLabel = "appalert";

    /// <summary>The labels alerts are grouped by in notifications.</summary>
    public static IReadOnlyList<string> GroupBy { get; } = ["grafana_folder", "alertname"];

    /// <summary>The UID prefix of a stack's contact points: "cp-" and a hash of the stack's namespace/name.</summary>
    public static string ContactPointPrefix(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return $"cp-{AlertNames.Hash($"{StackNames.Namespace(stack)}/{stack.Metadata.Name}", 8)}-";
    }

    /// <summary>The UID of a contact point of <paramref name="stack"/>.</summary>
    public static string ContactPointUid(V1Alpha1MetricsStack stack, string name) => ContactPointPrefix(stack) + AlertNames.Hash(name, 20);

    /// <summary>The Grafana contact point for <paramref name="contactPoint"/> with its Secret's value.</summary>
    public static EmbeddedContactPoint ContactPoint(V1Alpha1MetricsStack stack, ContactPoint contactPoint, string secretValue)
    {
        ArgumentNullException.ThrowIfNull(contactPoint);
        ArgumentNullException.ThrowIfNull(secretValue);
        var (type, settings) = contactPoint.Type switch
        {
            ContactPointType.Slack => ("slack", new JsonObject { ["url"] = secretValue.Trim() }),
            ContactPointType.Webhook => ("webhook", new JsonObject { ["url"] = secretValue.Trim(), ["httpMethod"] = "POST" }),
            ContactPointType.Email => ("email", new JsonObject { ["addresses"] = secretValue.Trim(), ["singleEmail"] = false }),
            _ => throw new ArgumentOutOfRangeException(nameof(contactPoint), contactPoint.Type, "unknown contact point type"),
        };
        return new EmbeddedContactPoint { Uid = ContactPointUid(stack, contactPoint.Name), Name = contactPoint.Name, Type = type, Settings = settings };
    }

    /// <summary>The settings Grafana stores encrypted and returns as <c>[REDACTED]</c>, per type.</summary>
    public static IReadOnlyCollection<string> SecretSettings(string type) => type == "slack" ? ["url"] : [];

    /// <summary>The policy tree for <paramref name="defaultReceiver"/> and the AppAlerts that target the stack.</summary>
    public static NotificationRoute Policy(string defaultReceiver, IEnumerable<V1Alpha1AppAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var routes = alerts
            .Where(a => a.Spec?.ContactPoint is { Length: > 0 } cp && cp != defaultReceiver)
            .OrderBy(a => a.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(a => a.Metadata.Name, StringComparer.Ordinal)
            .Select(a => new NotificationRoute
            {
                Receiver = a.Spec.ContactPoint,
                ObjectMatchers =
                [
                    new[] { NamespaceLabel, "=", a.Metadata.NamespaceProperty ?? "default" },
                    new[] { AppAlertLabel, "=", a.Metadata.Name },
                ],
            })
            .ToList();
        return new NotificationRoute { Receiver = defaultReceiver, GroupBy = GroupBy, Routes = routes };
    }

    /// <summary>
    /// Whether an AppAlert's change can change the stack's policy: what <see cref="Policy"/> and the stack it targets
    /// read (app, contact point, stackRef). Its status and rules never do, so they never wake the stack.
    /// </summary>
    public static bool RoutingChanged(V1Alpha1AppAlert old, V1Alpha1AppAlert updated)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        return AlertDefaults.App(old) != AlertDefaults.App(updated)
            || old.Spec?.ContactPoint != updated.Spec?.ContactPoint
            || StackResolution.Named(old) != StackResolution.Named(updated);
    }

    /// <summary>Whether Grafana's tree equals the desired one in every field the operator sets.</summary>
    public static bool SamePolicy(NotificationRoute desired, NotificationRoute stored)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(stored);
        static string Key(NotificationRoute r) =>
            $"{r.Receiver}|{string.Join(",", r.GroupBy ?? [])}|{string.Join(";", (r.ObjectMatchers ?? []).Select(m => string.Join("", m)))}|{r.Continue ?? false}[{string.Join(",", (r.Routes ?? []).Select(Key))}]";
        return Key(desired) == Key(stored) && (stored.Provenance ?? "") == "api";
    }
}
