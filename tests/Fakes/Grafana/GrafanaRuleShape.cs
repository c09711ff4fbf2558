using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>
/// How Grafana stores and returns a provisioned rule: fields placed from the group, <c>for</c> re-formatted
/// ("300s" comes back "5m"), query models completed with the defaults Grafana adds on save
/// (<c>intervalMs</c> 1000, <c>maxDataPoints</c> 43200), empty label and annotation maps omitted.
/// </summary>
internal static class GrafanaRuleShape
{
    private static readonly string[] Compared =
        ["title", "condition", "data", "noDataState", "execErrState", "for", "annotations", "labels", "isPaused", "notification_settings", "record"];

    public static JsonObject Stored(
        JsonObject request, string uid, long id, string folderUid, string group, string provenance, DateTime updated)
    {
        var rule = new JsonObject
        {
            ["id"] = id,
            ["uid"] = uid,
            ["orgID"] = 1,
            ["folderUID"] = folderUid,
            ["ruleGroup"] = group,
            ["title"] = request["title"]?.DeepClone(),
            ["condition"] = request["condition"]?.DeepClone(),
            ["data"] = Data(request["data"]),
            ["updated"] = GrafanaJson.Time(updated),
            ["noDataState"] = request["noDataState"]?.DeepClone(),
            ["execErrState"] = request["execErrState"]?.DeepClone(),
            ["for"] = For(request["for"]),
            ["isPaused"] = request["isPaused"]?.DeepClone() ?? false,
            ["provenance"] = provenance,
        };
        foreach (var optional in new[] { "annotations", "labels" })
        {
            if (request[optional] is JsonObject { Count: > 0 } map)
            {
                rule[optional] = map.DeepClone();
            }
        }

        foreach (var optional in new[] { "notification_settings", "record" })
        {
            if (request[optional] is JsonObject value)
            {
                rule[optional] = value.DeepClone();
            }
        }

        return rule;
    }

    /// <summary>Whether applying <paramref name="candidate"/> (already <see cref="Stored"/>-shaped) would change <paramref name="stored"/>.</summary>
    public static bool SameContent(JsonObject stored, JsonObject candidate) =>
        Compared.All(name => JsonNode.DeepEquals(stored[name], candidate[name])) &&
        JsonNode.DeepEquals(stored["folderUID"], candidate["folderUID"]) &&
        JsonNode.DeepEquals(stored["ruleGroup"], candidate["ruleGroup"]);

    private static JsonArray Data(JsonNode? data)
    {
        var copy = data?.DeepClone() as JsonArray ?? [];
        foreach (var query in copy.OfType<JsonObject>())
        {
            if (query["model"] is JsonObject model)
            {
                model["intervalMs"] ??= 1000;
                model["maxDataPoints"] ??= 43200;
            }
        }

        return copy;
    }

    private static string For(JsonNode? value)
    {
        var text = value?.GetValue<string>() ?? "0s";
        return GrafanaNames.ParseDurationSeconds(text) is { } seconds
            ? GrafanaNames.FormatDuration(seconds)
            : throw new GrafanaException(400, $"invalid alert rule: invalid duration \"{text}\"");
    }
}
