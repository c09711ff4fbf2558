using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace MetricsOperator.Backup.Grafana;

/// <summary>Grafana's configuration as files: path to content, plus what this Grafana could not give.</summary>
/// <param name="Version">Grafana's version (from <c>/api/health</c>).</param>
/// <param name="Files">Every object, by path in the snapshot.</param>
/// <param name="NotIncluded">APIs this Grafana does not serve (e.g. mute timings on a fake), with the status.</param>
public sealed record GrafanaExport(string? Version, SortedDictionary<string, JsonNode> Files, IReadOnlyList<string> NotIncluded);

/// <summary>
/// Reads Grafana's whole configuration: folders (nested ones too), dashboards, alert rule groups, contact points, the
/// notification policy tree, mute timings, templates and datasources. Read-only; what goes where is
/// <see cref="GrafanaExportLayout"/>'s decision.
/// </summary>
public sealed class GrafanaExporter(GrafanaConfigApi api)
{
    private const int PageSize = 1000;

    /// <summary>Exports everything. <paramref name="secretRefs"/> maps a contact point's name to the Secret the MetricsStack takes its secret from.</summary>
    public async Task<GrafanaExport> ExportAsync(IReadOnlyDictionary<string, string>? secretRefs, CancellationToken cancellationToken)
    {
        var files = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var notIncluded = new List<string>();
        void Add((string Path, JsonObject Content) file) => files[file.Path] = file.Content;

        var health = await api.GetAsync("api/health", cancellationToken).ConfigureAwait(false);
        var version = health.Body?["version"]?.GetValue<string>();

        await ExportFoldersAsync(null, Add, cancellationToken).ConfigureAwait(false);

        foreach (var hit in await PagedAsync("api/search?type=dash-db", cancellationToken).ConfigureAwait(false))
        {
            var uid = hit["uid"]!.GetValue<string>();
            var dashboard = await api.GetAsync($"api/dashboards/uid/{Uri.EscapeDataString(uid)}", cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
            if (dashboard.Body is JsonObject answer && dashboard.Ok)
            {
                Add(GrafanaExportLayout.Dashboard(answer));
            }
        }

        var rules = (await api.GetAsync("api/v1/provisioning/alert-rules", cancellationToken).ConfigureAwait(false)).Body as JsonArray ?? [];
        var groups = rules.OfType<JsonObject>()
            .Select(r => (Folder: r["folderUID"]?.GetValue<string>() ?? "", Group: r["ruleGroup"]?.GetValue<string>() ?? ""))
            .Distinct()
            .OrderBy(g => g.Folder, StringComparer.Ordinal).ThenBy(g => g.Group, StringComparer.Ordinal);
        foreach (var (folder, group) in groups)
        {
            var answer = await api.GetAsync(
                $"api/v1/provisioning/folder/{Uri.EscapeDataString(folder)}/rule-groups/{Uri.EscapeDataString(group)}", cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
            if (answer.Ok && answer.Body is JsonObject body)
            {
                Add(GrafanaExportLayout.RuleGroup(body));
            }
        }

        var contactPoints = (await api.GetAsync("api/v1/provisioning/contact-points", cancellationToken).ConfigureAwait(false)).Body as JsonArray ?? [];
        foreach (var contactPoint in contactPoints.OfType<JsonObject>())
        {
            var name = contactPoint["name"]?.GetValue<string>() ?? "";
            Add(GrafanaExportLayout.ContactPoint(contactPoint, secretRefs?.GetValueOrDefault(name)));
        }

        var policies = await api.GetAsync("api/v1/provisioning/policies", cancellationToken).ConfigureAwait(false);
        if (policies.Body is JsonObject tree)
        {
            files[GrafanaExportLayout.Policies] = tree.DeepClone();
        }

        await OptionalListAsync("api/v1/provisioning/mute-timings", GrafanaExportLayout.MuteTimings, "mute timings", Add, notIncluded, cancellationToken).ConfigureAwait(false);
        await OptionalListAsync("api/v1/provisioning/templates", GrafanaExportLayout.Templates, "notification templates", Add, notIncluded, cancellationToken).ConfigureAwait(false);

        var datasources = (await api.GetAsync("api/datasources", cancellationToken).ConfigureAwait(false)).Body as JsonArray ?? [];
        foreach (var item in datasources.OfType<JsonObject>())
        {
            var uid = item["uid"]?.GetValue<string>() ?? "";
            var datasource = await api.GetAsync($"api/datasources/uid/{Uri.EscapeDataString(uid)}", cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
            if (datasource.Ok && datasource.Body is JsonObject body)
            {
                Add(GrafanaExportLayout.Datasource(body));
            }
        }

        return new GrafanaExport(version, files, notIncluded);
    }

    private async Task ExportFoldersAsync(string? parentUid, Action<(string, JsonObject)> add, CancellationToken cancellationToken)
    {
        var path = parentUid is null ? "api/folders?" : $"api/folders?parentUid={Uri.EscapeDataString(parentUid)}&";
        foreach (var folder in await PagedAsync(path.TrimEnd('?', '&'), cancellationToken).ConfigureAwait(false))
        {
            var uid = folder["uid"]!.GetValue<string>();
            add(GrafanaExportLayout.Folder(uid, folder["title"]?.GetValue<string>() ?? uid, parentUid));
            await ExportFoldersAsync(uid, add, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<JsonObject>> PagedAsync(string path, CancellationToken cancellationToken)
    {
        var all = new List<JsonObject>();
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var page = 1; ; page++)
        {
            var answer = await api.GetAsync(string.Create(CultureInfo.InvariantCulture, $"{path}{separator}limit={PageSize}&page={page}"), cancellationToken).ConfigureAwait(false);
            var hits = (answer.Body as JsonArray ?? []).OfType<JsonObject>().ToList();
            all.AddRange(hits);
            if (hits.Count < PageSize)
            {
                return all;
            }
        }
    }

    private async Task OptionalListAsync(string path, string folder, string what, Action<(string, JsonObject)> add, List<string> notIncluded, CancellationToken cancellationToken)
    {
        var answer = await api.GetAsync(path, cancellationToken, HttpStatusCode.NotFound, HttpStatusCode.NotImplemented).ConfigureAwait(false);
        if (!answer.Ok)
        {
            notIncluded.Add($"{what}: Grafana answered {(int)answer.Status} to GET /{path}");
            return;
        }

        foreach (var item in (answer.Body as JsonArray ?? []).OfType<JsonObject>())
        {
            add(GrafanaExportLayout.Named(folder, item));
        }
    }
}
