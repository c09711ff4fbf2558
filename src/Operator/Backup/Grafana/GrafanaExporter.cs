using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace MetricsOperator.Backup.Grafana;

/// <summary>Grafana's configuration as files: path to content, plus what this Grafana could not give.</summary>
/// <param name="Version">Grafana's version (from <c>/api/health</c>).</param>
/// <param name="Files">Every object, by path in the snapshot.</param>
/// <param name="NotIncluded">APIs this Grafana does not serve (e.g. mute timings on a fake), with the status.</param>
/// <param name="Environment">The environment the export is limited to (<see cref="EnvironmentScope"/>); null: the whole Grafana.</param>
public sealed record GrafanaExport(string? Version, SortedDictionary<string, JsonNode> Files, IReadOnlyList<string> NotIncluded, string? Environment = null);

/// <summary>
/// Reads Grafana's whole configuration: folders (nested ones too), dashboards, alert rule groups, contact points, the
/// notification policy tree, mute timings, templates and datasources. Read-only; what goes where is
/// <see cref="GrafanaExportLayout"/>'s decision. Given an environment, only what <see cref="EnvironmentScope"/> says
/// it owns: in a Grafana several environments share, one environment's backup holds nothing of another's, and the
/// policy file holds its subtree only.
/// </summary>
public sealed class GrafanaExporter(GrafanaConfigApi api)
{
    private const int PageSize = 1000;

    /// <summary>
    /// Exports everything, or with <paramref name="environment"/> only what that environment owns.
    /// <paramref name="secretRefs"/> maps a contact point's name to the Secret the MetricsStack takes its secret from.
    /// </summary>
    public async Task<GrafanaExport> ExportAsync(IReadOnlyDictionary<string, string>? secretRefs, CancellationToken cancellationToken, string? environment = null)
    {
        var files = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var notIncluded = new List<string>();
        var ownedFolders = new HashSet<string>(StringComparer.Ordinal);
        var scope = environment is null ? null : EnvironmentScope.Of(environment);

        void Add((string Path, JsonObject Content) file)
        {
            if (scope is null || Owned(file.Path, file.Content))
            {
                files[file.Path] = file.Content;
            }
        }

        // Folders (their UIDs decide the rest), the policy tree (it names the other environments), then the rest.
        bool Owned(string path, JsonObject content) => path switch
        {
            _ when path.StartsWith(GrafanaExportLayout.Folders, StringComparison.Ordinal) => ownedFolders.Contains(Str(content, "uid")),
            _ when path.StartsWith(GrafanaExportLayout.Dashboards, StringComparison.Ordinal) => ownedFolders.Contains(Str(content, "folderUid")),
            _ when path.StartsWith(GrafanaExportLayout.AlertRules, StringComparison.Ordinal) => ownedFolders.Contains(Str(content, "folderUid")),
            _ when path.StartsWith(GrafanaExportLayout.Datasources, StringComparison.Ordinal) => scope!.OwnsDatasource(Str(content, "uid")),
            _ => scope!.OwnsName(Str(content, "name")),
        };

        var health = await api.GetAsync("api/health", cancellationToken).ConfigureAwait(false);
        var version = health.Body?["version"]?.GetValue<string>();

        var folders = new List<(string Path, JsonObject Content)>();
        await ExportFoldersAsync(null, folders.Add, cancellationToken).ConfigureAwait(false);
        if (scope is not null)
        {
            foreach (var (_, folder) in folders.Where(f => !f.Content.ContainsKey("parentUid")))
            {
                var (uid, title) = (Str(folder, "uid"), Str(folder, "title"));
                if (scope.OwnsFolder(uid, title))
                {
                    ownedFolders.Add(uid);
                }
            }

            // Folders nested in an owned one are owned (listed parents first).
            foreach (var (_, folder) in folders.Where(f => f.Content["parentUid"] is JsonValue p && ownedFolders.Contains(p.GetValue<string>())))
            {
                ownedFolders.Add(Str(folder, "uid"));
            }
        }

        folders.ForEach(Add);

        var policies = await api.GetAsync("api/v1/provisioning/policies", cancellationToken).ConfigureAwait(false);
        if (scope is null && policies.Body is JsonObject tree)
        {
            files[GrafanaExportLayout.Policies] = tree.DeepClone();
        }
        else if (scope is not null)
        {
            if (scope.Subtree(policies.Body) is { } subtree)
            {
                files[GrafanaExportLayout.Policies] = subtree;
            }
        }

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

        return new GrafanaExport(version, files, notIncluded, environment);
    }

    private static string Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

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
