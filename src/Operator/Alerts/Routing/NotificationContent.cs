using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts.Routing;

/// <summary>
/// The stack's notification templates and mute timings as Grafana takes them, pure. A template without its own
/// <c>{{ define }}</c> is defined under its Grafana name (<see cref="NotificationNames"/>), and a contact point's
/// title or text refers to it by its spec name: <c>{{ template "slack-title" . }}</c> is sent as
/// <c>{{ template "&lt;env&gt;-slack-title" . }}</c>, so environments sharing one Grafana never redefine each other's
/// (defined names are global in a Grafana organisation). Names a template defines itself are sent as written.
/// </summary>
public static partial class NotificationContent
{
    /// <summary>The templates to write: Grafana name → text, wrapped in a define of that name when it has none.</summary>
    public static IReadOnlyList<NotificationTemplate> Templates(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return [.. (stack.Spec?.Grafana?.Templates ?? []).Select(t =>
        {
            var name = NotificationNames.InGrafana(stack, t.Name);
            var text = t.Template.Trim();
            // Grafana wraps text without a define itself (definitions.NotificationTemplate.Validate), and stores it
            // trimmed; wrapping here makes what is sent exactly what is stored, so it compares equal when read back.
            return new NotificationTemplate { Name = name, Template = DefinePattern().IsMatch(text) ? text : $"{{{{ define \"{name}\" }}}}\n{text}\n{{{{ end }}}}" };
        })];
    }

    /// <summary>Whether Grafana's stored template equals the desired one (Grafana trims it).</summary>
    public static bool SameTemplate(NotificationTemplate desired, NotificationTemplate stored)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(stored);
        return desired.Template.Trim() == stored.Template.Trim() && (stored.Provenance ?? "") == "api";
    }

    /// <summary>A contact point's title or text with references to spec templates turned into their Grafana names.</summary>
    public static string WithGrafanaTemplateNames(V1Alpha1MetricsStack stack, string text)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(text);
        var wrapped = (stack.Spec?.Grafana?.Templates ?? []).Where(t => !DefinePattern().IsMatch(t.Template)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return TemplateReference().Replace(text, m => wrapped.Contains(m.Groups["name"].Value)
            ? m.Value.Replace($"\"{m.Groups["name"].Value}\"", $"\"{NotificationNames.InGrafana(stack, m.Groups["name"].Value)}\"", StringComparison.Ordinal)
            : m.Value);
    }

    /// <summary>The names <paramref name="text"/> refers to with <c>{{ template "name" … }}</c>.</summary>
    public static IEnumerable<string> References(string? text) =>
        text is null ? [] : TemplateReference().Matches(text).Select(m => m.Groups["name"].Value);

    /// <summary>The names <paramref name="grafana"/>'s templates make available: each wrapped one's spec name, and every name a template defines itself.</summary>
    public static IReadOnlySet<string> Defined(GrafanaSpec grafana)
    {
        ArgumentNullException.ThrowIfNull(grafana);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var template in grafana.Templates ?? [])
        {
            var defines = DefineName().Matches(template.Template).Select(m => m.Groups["name"].Value).ToList();
            if (defines.Count == 0)
            {
                names.Add(template.Name);
            }

            names.UnionWith(defines);
        }

        return names;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is one of the templates Grafana and Alertmanager define themselves
    /// (<c>__subject</c>, <c>default.title</c>, <c>slack.default.text</c>…: Grafana's default_template.go and
    /// Alertmanager's default.tmpl).
    /// </summary>
    public static bool IsBuiltIn(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith("__", StringComparison.Ordinal) || BuiltInPattern().IsMatch(name);
    }

    /// <summary>The mute timings to write, in Alertmanager's <c>time_intervals</c> shape (day and month names lower case, as it shows them).</summary>
    public static IReadOnlyList<MuteTiming> MuteTimings(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return [.. (stack.Spec?.Grafana?.MuteTimings ?? []).Select(m => new MuteTiming
        {
            Name = NotificationNames.InGrafana(stack, m.Name),
            TimeIntervals = [.. m.TimeIntervals.Select(i => (JsonNode)Interval(i))],
        })];
    }

    /// <summary>Whether Grafana's stored mute timing equals the desired one.</summary>
    public static bool SameMuteTiming(MuteTiming desired, MuteTiming stored)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(stored);
        return JsonNode.DeepEquals(desired.TimeIntervals ?? [], stored.TimeIntervals ?? []) && (stored.Provenance ?? "") == "api";
    }

    private static JsonObject Interval(TimeIntervalSpec interval)
    {
        var json = new JsonObject();
        if (interval.Times is { Count: > 0 } times)
        {
            json["times"] = new JsonArray([.. times.Select(t => (JsonNode)new JsonObject { ["start_time"] = t.StartTime, ["end_time"] = t.EndTime })]);
        }

        Add(json, "weekdays", interval.Weekdays, lower: true);
        Add(json, "days_of_month", interval.DaysOfMonth, lower: false);
        Add(json, "months", interval.Months, lower: true);
        Add(json, "years", interval.Years, lower: false);
        if (interval.Location is { Length: > 0 } location)
        {
            json["location"] = location;
        }

        return json;
    }

    private static void Add(JsonObject json, string key, IList<string>? values, bool lower)
    {
        if (values is { Count: > 0 })
        {
            json[key] = new JsonArray([.. values.Select(v => (JsonNode)(lower ? v.ToLowerInvariant() : v))]);
        }
    }

    [GeneratedRegex(@"\{\{-?\s*define")]
    private static partial Regex DefinePattern();

    [GeneratedRegex(@"\{\{-?\s*define\s+""(?<name>[^""]+)""")]
    private static partial Regex DefineName();

    [GeneratedRegex(@"\{\{-?\s*template\s+""(?<name>[^""]+)""")]
    private static partial Regex TemplateReference();

    [GeneratedRegex(@"^([a-z]+\.)?default\.[a-z_.]+$")]
    private static partial Regex BuiltInPattern();
}
