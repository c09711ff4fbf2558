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

    /// <summary>
    /// The UID prefix of a stack's contact points: "cp-" and a hash of the stack's namespace/name, and of its environment
    /// when it has one (two clusters' stacks are often both <c>metrics/metrics</c>, and may share one Grafana).
    /// </summary>
    public static string ContactPointPrefix(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var identity = $"{StackNames.Namespace(stack)}/{stack.Metadata.Name}";
        if (NotificationNames.Environment(stack) is { } environment)
        {
            identity = $"{environment}/{identity}";
        }

        return $"cp-{AlertNames.Hash(identity, 8)}-";
    }

    /// <summary>The UID of a contact point of <paramref name="stack"/>.</summary>
    public static string ContactPointUid(V1Alpha1MetricsStack stack, string name) => ContactPointPrefix(stack) + AlertNames.Hash(name, 20);

    /// <summary>
    /// The Grafana contact point for <paramref name="contactPoint"/> with its Secret's value, named for the stack's
    /// environment (<see cref="NotificationNames"/>). Its title and text go to the integration's own settings: Slack's
    /// <c>title</c>/<c>text</c>, e-mail's <c>subject</c>/<c>message</c>, the webhook's <c>title</c>/<c>message</c>
    /// (Grafana's integration schemas, pkg/services/ngalert/notifier/channels_config/available_channels.go).
    /// </summary>
    public static EmbeddedContactPoint ContactPoint(V1Alpha1MetricsStack stack, ContactPoint contactPoint, string secretValue)
    {
        ArgumentNullException.ThrowIfNull(contactPoint);
        ArgumentNullException.ThrowIfNull(secretValue);
        var (type, settings, titleKey, textKey) = contactPoint.Type switch
        {
            ContactPointType.Slack => ("slack", new JsonObject { ["url"] = secretValue.Trim() }, "title", "text"),
            ContactPointType.Webhook => ("webhook", new JsonObject { ["url"] = secretValue.Trim(), ["httpMethod"] = "POST" }, "title", "message"),
            ContactPointType.Email => ("email", new JsonObject { ["addresses"] = secretValue.Trim(), ["singleEmail"] = false }, "subject", "message"),
            _ => throw new ArgumentOutOfRangeException(nameof(contactPoint), contactPoint.Type, "unknown contact point type"),
        };
        if (contactPoint.Title is { Length: > 0 } title)
        {
            settings[titleKey] = NotificationContent.WithGrafanaTemplateNames(stack, title);
        }

        if (contactPoint.Text is { Length: > 0 } text)
        {
            settings[textKey] = NotificationContent.WithGrafanaTemplateNames(stack, text);
        }

        return new EmbeddedContactPoint
        {
            Uid = ContactPointUid(stack, contactPoint.Name),
            Name = NotificationNames.InGrafana(stack, contactPoint.Name),
            Type = type,
            Settings = settings,
        };
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
    /// The part of the policy tree the stack owns. Without an environment it is the whole tree, as it always was: the
    /// root to the default contact point, then one route per AppAlert naming another contact point, then the spec's
    /// routes. With one, it is one route matching <c>environment=&lt;env&gt;</c> with the same receiver and children
    /// (every name carrying the environment), which <see cref="PolicyTree.WithSubtree"/> puts into the stored tree.
    /// </summary>
    public static NotificationRoute StackPolicy(V1Alpha1MetricsStack stack, string defaultContactPoint, IEnumerable<V1Alpha1AppAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(defaultContactPoint);
        var appAlertRoutes = Policy(defaultContactPoint, alerts).Routes ?? [];
        var routes = appAlertRoutes.Select(r => r with { Receiver = NotificationNames.InGrafana(stack, r.Receiver!) })
            .Concat((stack.Spec?.Grafana?.Routes ?? []).Select(r => SpecRoute(stack, r)))
            .ToList();
        var owned = new NotificationRoute { Receiver = NotificationNames.InGrafana(stack, defaultContactPoint), GroupBy = GroupBy, Routes = routes };
        return NotificationNames.Environment(stack) is { } environment
            ? owned with { ObjectMatchers = [[NotificationNames.EnvironmentLabel, "=", environment]] }
            : owned;
    }

    /// <summary>One route of <c>spec.grafana.routes</c> as Grafana takes it.</summary>
    public static NotificationRoute SpecRoute(V1Alpha1MetricsStack stack, NotificationRouteSpec route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return new NotificationRoute
        {
            Receiver = NotificationNames.InGrafana(stack, route.ContactPoint),
            ObjectMatchers = [.. route.Matchers.Select(m => (IReadOnlyList<string>)[m.Label, Operator(m.Operator), m.Value])],
            GroupBy = route.GroupBy is { Count: > 0 } groupBy ? [.. groupBy] : null,
            GroupWait = route.GroupWait,
            GroupInterval = route.GroupInterval,
            RepeatInterval = route.RepeatInterval,
            MuteTimeIntervals = route.MuteTimings is { Count: > 0 } timings ? [.. timings.Select(t => NotificationNames.InGrafana(stack, t))] : null,
            Continue = route.Continue == true ? true : null,
        };
    }

    /// <summary>Alertmanager's spelling of a matcher operator.</summary>
    public static string Operator(MatchOperator op) => op switch
    {
        MatchOperator.Equal => "=",
        MatchOperator.NotEqual => "!=",
        MatchOperator.Regex => "=~",
        MatchOperator.NotRegex => "!~",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown matcher operator"),
    };

    /// <summary>
    /// Whether the AppAlert is in the stack's policy at all: only one naming a contact point gets a route
    /// (<see cref="Policy"/>). The stack's AppAlert watch maps only these, so applying a thousand AppAlerts that use the
    /// default contact point reconciles no stack (each of those reconciles read 7 Secrets and asked InfluxDB 5 times).
    /// An update is mapped from its old object too, so a contact point taken out still wakes the stack.
    /// </summary>
    public static bool HasRoute(V1Alpha1AppAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Spec?.ContactPoint is { Length: > 0 };
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
        return SameRoute(desired, stored) && (stored.Provenance ?? "") == "api";
    }

    /// <summary>Whether two routes (and their children) are equal in every field the operator sets; durations by value.</summary>
    public static bool SameRoute(NotificationRoute desired, NotificationRoute stored)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(stored);
        return Key(desired) == Key(stored);
    }

    // Grafana stores durations as Prometheus model.Duration and shows them in its canonical form ("60s" comes back "1m").
    private static string Key(NotificationRoute r) =>
        $"{r.Receiver}|{string.Join(",", r.GroupBy ?? [])}|{string.Join(";", (r.ObjectMatchers ?? []).Select(m => string.Join("", m)))}|{r.Continue ?? false}"
        + $"|{Seconds(r.GroupWait)}|{Seconds(r.GroupInterval)}|{Seconds(r.RepeatInterval)}|{string.Join(",", r.MuteTimeIntervals ?? [])}"
        + $"[{string.Join(",", (r.Routes ?? []).Select(Key))}]";

    private static string Seconds(string? duration) =>
        duration is null ? "" : SpecDuration.TryParse(duration, out var seconds) ? seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) : duration;
}
