using System.Globalization;
using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>The fake's state rendered in the shapes of Grafana's spec.</summary>
internal static class GrafanaJson
{
    public static string Time(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string ErrorJson(string message) => new JsonObject { ["message"] = message }.ToJsonString();

    public static JsonObject Folder(GrafanaFolder folder) => new()
    {
        ["id"] = folder.Id,
        ["uid"] = folder.Uid,
        ["orgId"] = 1,
        ["title"] = folder.Title,
        ["url"] = $"/dashboards/f/{folder.Uid}/{GrafanaNames.Slug(folder.Title)}",
        ["hasAcl"] = false,
        ["canSave"] = true,
        ["canEdit"] = true,
        ["canAdmin"] = true,
        ["canDelete"] = true,
        ["createdBy"] = "admin",
        ["created"] = Time(folder.Created),
        ["updatedBy"] = "admin",
        ["updated"] = Time(folder.Updated),
        ["version"] = folder.Version,
    };

    public static JsonObject FolderHit(GrafanaFolder folder)
    {
        var hit = new JsonObject { ["id"] = folder.Id, ["uid"] = folder.Uid, ["title"] = folder.Title };
        if (folder.ParentUid is not null)
        {
            hit["parentUid"] = folder.ParentUid;
        }

        return hit;
    }

    public static JsonObject Datasource(GrafanaDatasource datasource)
    {
        var json = (JsonObject)datasource.Body.DeepClone();
        json["id"] = datasource.Id;
        json["uid"] = datasource.Uid;
        json["orgId"] = 1;
        json["version"] = datasource.Version;
        json["readOnly"] = false;
        json["secureJsonFields"] = new JsonObject([.. datasource.SecureJsonData.Keys.Select(k => KeyValuePair.Create(k, (JsonNode?)true))]);
        json.Remove("secureJsonData");
        return json;
    }
}
