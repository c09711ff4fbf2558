using System.Text;
using System.Text.Json.Nodes;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Backup.Grafana;

/// <summary>
/// Where each Grafana object goes in a snapshot and what of it is kept: pure functions from Grafana's answers to
/// files. Fields Grafana changes by itself (database IDs, versions, update times) are dropped, so an unchanged
/// configuration exports to the same bytes and writes no snapshot. Secrets are never in a file: contact-point settings
/// Grafana redacts and datasource secure fields are left out and listed by name in <c>secureFieldsLeftOut</c>.
/// </summary>
public static class GrafanaExportLayout
{
    /// <summary>Folder of folders.</summary>
    public const string Folders = "folders/";

    /// <summary>Folder of dashboards, then one folder per Grafana folder UID (<c>general</c> for the root).</summary>
    public const string Dashboards = "dashboards/";

    /// <summary>Folder of alert rule groups (provisioning format), one folder per Grafana folder UID.</summary>
    public const string AlertRules = "alert-rules/";

    /// <summary>Folder of contact points.</summary>
    public const string ContactPoints = "contact-points/";

    /// <summary>The notification policy tree.</summary>
    public const string Policies = "notification-policies.json";

    /// <summary>Folder of mute timings.</summary>
    public const string MuteTimings = "mute-timings/";

    /// <summary>Folder of notification templates.</summary>
    public const string Templates = "templates/";

    /// <summary>Folder of datasources.</summary>
    public const string Datasources = "datasources/";

    /// <summary>Key listing the secure fields a file's object had in Grafana and the snapshot does not hold.</summary>
    public const string SecureFieldsLeftOut = "secureFieldsLeftOut";

    /// <summary>Key naming the Secret (from the MetricsStack) a contact point's secure field comes from.</summary>
    public const string SecretRef = "secretRef";

    /// <summary>What Grafana shows instead of a contact point's secret setting.</summary>
    public const string Redacted = "[REDACTED]";

    /// <summary>The file of a folder.</summary>
    public static (string Path, JsonObject Content) Folder(string uid, string title, string? parentUid)
    {
        var content = new JsonObject { ["uid"] = uid, ["title"] = title };
        if (!string.IsNullOrEmpty(parentUid))
        {
            content["parentUid"] = parentUid;
        }

        return (Folders + FileName(uid), content);
    }

    /// <summary>The file of a dashboard from <c>GET /api/dashboards/uid/{uid}</c>: its model (without id and version) and its folder.</summary>
    public static (string Path, JsonObject Content) Dashboard(JsonObject answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var model = (JsonObject)(answer["dashboard"]?.DeepClone() ?? new JsonObject());
        model.Remove("id");
        model.Remove("version");
        var uid = model["uid"]?.GetValue<string>() ?? throw new InvalidOperationException("a dashboard without uid");
        var folderUid = answer["meta"]?["folderUid"]?.GetValue<string>() is { Length: > 0 } f ? f : null;
        var content = new JsonObject { ["dashboard"] = model };
        if (folderUid is not null)
        {
            content["folderUid"] = folderUid;
        }

        return ($"{Dashboards}{Segment(folderUid ?? "general")}/{FileName(uid)}", content);
    }

    /// <summary>The file of a rule group from <c>GET …/folder/{f}/rule-groups/{g}</c> (Grafana's provisioning format).</summary>
    public static (string Path, JsonObject Content) RuleGroup(JsonObject group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var content = (JsonObject)group.DeepClone();
        if (content["rules"] is JsonArray rules)
        {
            // The group's order is kept: Grafana keeps it, and it is the order people see the rules in.
            foreach (var rule in rules.OfType<JsonObject>())
            {
                rule.Remove("id");
                rule.Remove("updated");
            }
        }

        var folder = content["folderUid"]?.GetValue<string>() ?? "";
        var title = content["title"]?.GetValue<string>() ?? "";
        return ($"{AlertRules}{Segment(folder)}/{FileName(title)}", content);
    }

    /// <summary>The file of a contact point: redacted settings left out (and named), with the Secret they come from when the MetricsStack declares it.</summary>
    public static (string Path, JsonObject Content) ContactPoint(JsonObject contactPoint, string? secretRef)
    {
        ArgumentNullException.ThrowIfNull(contactPoint);
        var content = (JsonObject)contactPoint.DeepClone();
        var leftOut = new List<string>();
        if (content["settings"] is JsonObject settings)
        {
            foreach (var (key, value) in settings.ToList())
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var text) && text == Redacted)
                {
                    settings.Remove(key);
                    leftOut.Add(key);
                }
            }
        }

        if (leftOut.Count > 0)
        {
            content[SecureFieldsLeftOut] = new JsonArray([.. leftOut.Order(StringComparer.Ordinal).Select(k => (JsonNode)k)]);
        }

        if (secretRef is not null)
        {
            content[SecretRef] = secretRef;
        }

        var uid = content["uid"]?.GetValue<string>() ?? content["name"]?.GetValue<string>() ?? "";
        return (ContactPoints + FileName(uid), content);
    }

    /// <summary>The file of a datasource from <c>GET /api/datasources/uid/{uid}</c>, without its secure fields (named) or database fields.</summary>
    public static (string Path, JsonObject Content) Datasource(JsonObject datasource)
    {
        ArgumentNullException.ThrowIfNull(datasource);
        var content = (JsonObject)datasource.DeepClone();
        content.Remove("id");
        content.Remove("version");
        content.Remove("secureJsonData");
        if (content["secureJsonFields"] is JsonObject fields)
        {
            var names = fields.Where(f => f.Value?.GetValue<bool>() == true).Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
            if (names.Count > 0)
            {
                content[SecureFieldsLeftOut] = new JsonArray([.. names.Select(n => (JsonNode)n)]);
            }
        }

        content.Remove("secureJsonFields");
        return (Datasources + FileName(content["uid"]?.GetValue<string>() ?? ""), content);
    }

    /// <summary>The file of a named object (mute timing, template) under <paramref name="folder"/>.</summary>
    public static (string Path, JsonObject Content) Named(string folder, JsonObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var content = (JsonObject)item.DeepClone();
        content.Remove("version");
        return (folder + FileName(content["name"]?.GetValue<string>() ?? ""), content);
    }

    /// <summary>
    /// A file name for a UID or title: kept as is when it is made of <c>[A-Za-z0-9._-]</c>, otherwise those characters
    /// plus a short hash of the original, so two names never share a file and the name stays readable.
    /// </summary>
    public static string FileName(string name) => Segment(name) + ".json";

    /// <summary>A folder name in a snapshot for a UID (see <see cref="FileName"/>).</summary>
    public static string Segment(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var safe = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var text = safe.ToString().Trim('.');
        if (text == name && text.Length is > 0 and <= 100)
        {
            return name;
        }

        var hash = CanonicalJson.Sha256(Encoding.UTF8.GetBytes(name))[..8];
        return $"{(text.Length > 80 ? text[..80] : text)}-{hash}";
    }
}
