using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>
/// Mute timings and notification templates as Grafana 11.4's provisioning services keep them
/// (pkg/services/ngalert/provisioning/mute_timings.go and templates.go; errors from provisioning/errors.go).
/// </summary>
public sealed partial class GrafanaState
{
    private const string TimeIntervalInvalidId = "alerting.notifications.time-intervals.invalidFormat";

    // errors.go: ErrTimeIntervalInvalid's public text (the cause is not in it).
    private const string TimeIntervalInvalidMessage = "Time interval is in invalid format. Correct the payload and try again.";

    private static readonly string[] Weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    private static readonly string[] Months =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    private readonly SortedDictionary<string, (JsonObject Timing, string Provenance)> muteTimings = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, (string Content, string Provenance)> templates = new(StringComparer.Ordinal);

    /// <summary>Mute timings as stored (name → <c>{name, time_intervals}</c>), with their provenance.</summary>
    public IReadOnlyDictionary<string, (JsonObject Timing, string Provenance)> MuteTimings =>
        Locked(() => muteTimings.ToDictionary(m => m.Key, m => (Clone(m.Value.Timing), m.Value.Provenance), StringComparer.Ordinal));

    /// <summary>Notification templates as stored (name → content as Grafana normalised it), with their provenance.</summary>
    public IReadOnlyDictionary<string, (string Content, string Provenance)> Templates =>
        Locked(() => templates.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal));

    // GetMuteTimings sorts by name; provenance is omitted when there is none (json:"provenance,omitempty").
    internal JsonArray ListMuteTimings() => Locked(() => new JsonArray([.. muteTimings.Values.Select(m => (JsonNode)MuteTimingJson(m.Timing, m.Provenance))]));

    internal JsonObject MuteTiming(string name) => Locked(() =>
        muteTimings.TryGetValue(name, out var found) ? MuteTimingJson(found.Timing, found.Provenance) : throw TimeIntervalNotFound());

    internal JsonObject CreateMuteTiming(JsonObject request, string provenance) => Locked(() =>
    {
        var timing = ValidMuteTiming(request);
        var name = timing["name"]!.GetValue<string>();
        if (muteTimings.ContainsKey(name))
        {
            // errors.go: ErrTimeIntervalExists is a BadRequest with this public message.
            throw new GrafanaException(400, "alerting.notifications.time-intervals.nameExists",
                "Time interval with this name already exists. Use a different name or update existing one.");
        }

        muteTimings[name] = (timing, provenance);
        return MuteTimingJson(timing, provenance);
    });

    // UpdateMuteTiming: the name in the path finds it (404 ErrTimeIntervalNotFound otherwise); a stale "version" is a 409.
    internal JsonObject UpdateMuteTiming(string name, JsonObject request, string provenance) => Locked(() =>
    {
        var timing = ValidMuteTiming(request);
        if (!muteTimings.TryGetValue(name, out var stored))
        {
            throw TimeIntervalNotFound();
        }

        CheckVersion(request["version"], Fingerprint(stored.Timing), $"time interval {name}");
        if (timing["name"]!.GetValue<string>() != name)
        {
            throw new GrafanaException(501, "the fake does not rename mute timings");
        }

        muteTimings[name] = (timing, provenance);
        return MuteTimingJson(timing, provenance);
    });

    /// <summary>
    /// DeleteMuteTiming: one that is not there is no error (204); one a route or a rule's notification settings use is
    /// refused with <c>MakeErrTimeIntervalInUse</c> (409, errutil "alerting.notifications.time-intervals.used" with no
    /// public message, so Grafana says "Conflict" and names the users in <c>extra</c>).
    /// </summary>
    internal void DeleteMuteTiming(string name, string? version) => Locked(() =>
    {
        if (!muteTimings.TryGetValue(name, out var stored))
        {
            return;
        }

        var usedByRoutes = MuteTimingNames(policy).Contains(name);
        var usedByRules = rules.Values
            .Where(r => (r["notification_settings"]?["mute_time_intervals"] as JsonArray ?? []).Any(v => v?.GetValue<string>() == name))
            .Select(r => r["uid"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        if (usedByRoutes || usedByRules.Count > 0)
        {
            var extra = new JsonObject();
            if (usedByRoutes)
            {
                extra["UsedByRoutes"] = true;
            }

            if (usedByRules.Count > 0)
            {
                extra["UsedByRules"] = new JsonArray([.. usedByRules.Select(u => (JsonNode)u)]);
            }

            throw new GrafanaException(409, "alerting.notifications.time-intervals.used", "Conflict", extra);
        }

        CheckVersion(version is null ? null : JsonValue.Create(version), Fingerprint(stored.Timing), $"time interval {name}");
        muteTimings.Remove(name);
    });

    internal JsonArray ListTemplates() => Locked(() => new JsonArray([.. templates.Select(t => (JsonNode)TemplateJson(t.Key, t.Value.Content, t.Value.Provenance))]));

    internal JsonObject Template(string name) => Locked(() =>
        templates.TryGetValue(name, out var found)
            ? TemplateJson(name, found.Content, found.Provenance)
            : throw new GrafanaException(404, "alerting.notifications.templates.notFound", "Not found"));

    /// <summary>
    /// UpsertTemplate: a PUT creates or replaces. Validation (definitions.NotificationTemplate.Validate) trims the
    /// content and wraps content without a <c>{{ define }}</c> as <c>{{ define "name" }}\n…\n{{ end }}</c>, which is what
    /// is stored and shown. A "version" for a template that does not exist is a 404; a stale one a 409.
    /// </summary>
    internal JsonObject PutTemplate(string name, JsonObject request, string provenance) => Locked(() =>
    {
        var content = (request["template"]?.GetValue<string>() ?? "").Trim();
        if (content.Length == 0 || !BalancedActions(content))
        {
            throw new GrafanaException(400, "alerting.notifications.templates.invalidFormat", "Template is in invalid format. Correct the payload and try again.");
        }

        if (!DefinePattern().IsMatch(content))
        {
            content = $"{{{{ define \"{name}\" }}}}\n{content}\n{{{{ end }}}}";
        }

        var version = request["version"]?.GetValue<string>();
        if (templates.TryGetValue(name, out var stored))
        {
            CheckVersion(request["version"], Fingerprint(stored.Content), $"template {name}");
        }
        else if (!string.IsNullOrEmpty(version))
        {
            throw new GrafanaException(404, "alerting.notifications.templates.notFound", "Not found");
        }

        templates[name] = (content, provenance);
        return TemplateJson(name, content, provenance);
    });

    // DeleteTemplate: a template that is not there is no error.
    internal void DeleteTemplate(string name, string? version) => Locked(() =>
    {
        if (templates.TryGetValue(name, out var stored))
        {
            CheckVersion(version is null ? null : JsonValue.Create(version), Fingerprint(stored.Content), $"template {name}");
            templates.Remove(name);
        }
    });

    private static GrafanaException TimeIntervalNotFound() => new(404, "alerting.notifications.time-intervals.notFound", "Not found");

    // ErrVersionConflict (errutil Conflict "alerting.notifications.conflict", no public message).
    private static void CheckVersion(JsonNode? requested, string current, string what)
    {
        if (requested is JsonValue v && v.TryGetValue<string>(out var version) && version.Length > 0 && version != current)
        {
            throw new GrafanaException(409, "alerting.notifications.conflict", "Conflict", new JsonObject { ["what"] = what });
        }
    }

    private static JsonObject MuteTimingJson(JsonObject timing, string provenance)
    {
        var json = Clone(timing);
        json["version"] = Fingerprint(timing);
        if (provenance.Length > 0)
        {
            json["provenance"] = provenance;
        }

        return json;
    }

    private static JsonObject TemplateJson(string name, string content, string provenance)
    {
        var json = new JsonObject { ["name"] = name, ["template"] = content };
        if (provenance.Length > 0)
        {
            json["provenance"] = provenance;
        }

        json["version"] = Fingerprint(content);
        return json;
    }

    // Grafana's versions are FNV fingerprints of the content; the fake's are of its JSON: stable, and changed by any edit.
    private static string Fingerprint(JsonNode node) => Fingerprint(node.ToJsonString());

    private static string Fingerprint(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>
    /// MuteTimeInterval.Validate round-trips the interval through Alertmanager's parser (prometheus/alertmanager
    /// config.MuteTimeInterval and timeinterval): a name is required, times are <c>HH:MM</c> with the end after the
    /// start, weekdays and months are names (or ranges <c>a:b</c>; months also 1–12), days of month ±1–31, years numbers,
    /// a location an IANA zone. What is stored is the interval's fields, nothing else.
    /// </summary>
    private static JsonObject ValidMuteTiming(JsonObject request)
    {
        var name = request["name"] is JsonValue n && n.TryGetValue<string>(out var s) ? s : "";
        var intervals = new JsonArray();
        var valid = name.Length > 0;
        foreach (var item in request["time_intervals"] as JsonArray ?? [])
        {
            if (item is not JsonObject interval)
            {
                valid = false;
                continue;
            }

            var kept = new JsonObject();
            foreach (var (key, value) in interval)
            {
                valid &= key switch
                {
                    "times" => value is JsonArray times && times.All(ValidTimeRange),
                    "weekdays" => Strings(value).All(w => ValidRange(w, x => Array.IndexOf(Weekdays, x.ToLowerInvariant()) is var i && i >= 0 ? i : null)),
                    "months" => Strings(value).All(m => ValidRange(m, x => Array.IndexOf(Months, x.ToLowerInvariant()) is var i && i >= 0 ? i + 1 : Int(x) is >= 1 and <= 12 ? Int(x) : null)),
                    "days_of_month" => Strings(value).All(d => ValidRange(d, x => Int(x) is { } v && v != 0 && Math.Abs(v) <= 31 ? v : null, signed: true)),
                    "years" => Strings(value).All(y => ValidRange(y, x => Int(x) is > 0 and var v ? v : null)),
                    "location" => value is JsonValue l && l.TryGetValue<string>(out var zone) && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _),
                    _ => true,
                };
            }

            // Stored as Alertmanager's timeinterval.TimeInterval struct, so shown in its field order whatever the request's.
            foreach (var key in (string[])["times", "weekdays", "days_of_month", "months", "years", "location"])
            {
                if (interval[key] is { } value)
                {
                    kept[key] = key == "times" && value is JsonArray times
                        ? new JsonArray([.. times.Select(t => (JsonNode)new JsonObject { ["start_time"] = t?["start_time"]?.DeepClone(), ["end_time"] = t?["end_time"]?.DeepClone() })])
                        : value.DeepClone();
                }
            }

            intervals.Add(kept);
        }

        if (!valid || (request["time_intervals"] is not null and not JsonArray))
        {
            throw new GrafanaException(400, TimeIntervalInvalidId, TimeIntervalInvalidMessage);
        }

        var timing = new JsonObject { ["name"] = name };
        if (intervals.Count > 0)
        {
            timing["time_intervals"] = intervals;
        }

        return timing;
    }

    private static bool ValidTimeRange(JsonNode? node)
    {
        if (node is not JsonObject range || Minutes(range["start_time"]) is not { } start || Minutes(range["end_time"]) is not { } end)
        {
            return false;
        }

        return end > start;
    }

    private static int? Minutes(JsonNode? node)
    {
        if (node is not JsonValue v || !v.TryGetValue<string>(out var text) || !TimePattern().IsMatch(text))
        {
            return null;
        }

        return text == "24:00" ? 1440 : (int.Parse(text[..2], CultureInfo.InvariantCulture) * 60) + int.Parse(text[3..], CultureInfo.InvariantCulture);
    }

    private static bool ValidRange(string text, Func<string, int?> parse, bool signed = false)
    {
        var parts = text.Split(':');
        if (parts.Length > 2 || parts.Any(p => parse(p) is null))
        {
            return false;
        }

        return parts.Length == 1 || signed || parse(parts[0]) <= parse(parts[1]);
    }

    private static int? Int(string text) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(v => v is JsonValue s && s.TryGetValue<string>(out var text) ? text : "\0") : ["\0"];

    // text/template would refuse an action left open; the fake checks that the delimiters pair up.
    private static bool BalancedActions(string content)
    {
        var depth = 0;
        for (var i = 0; i + 1 < content.Length; i++)
        {
            if (content[i] == '{' && content[i + 1] == '{')
            {
                if (++depth > 1)
                {
                    return false;
                }

                i++;
            }
            else if (content[i] == '}' && content[i + 1] == '}')
            {
                if (--depth < 0)
                {
                    return false;
                }

                i++;
            }
        }

        return depth == 0;
    }

    private static HashSet<string> MuteTimingNames(JsonObject tree)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonObject route)
        {
            foreach (var name in route["mute_time_intervals"] as JsonArray ?? [])
            {
                if (name is JsonValue v && v.TryGetValue<string>(out var text))
                {
                    found.Add(text);
                }
            }

            foreach (var child in (route["routes"] as JsonArray ?? []).OfType<JsonObject>())
            {
                Walk(child);
            }
        }

        Walk(tree);
        return found;
    }

    [GeneratedRegex(@"\{\{-?\s*define")]
    private static partial Regex DefinePattern();

    [GeneratedRegex("^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)")]
    private static partial Regex TimePattern();
}
