using System.Net;
using System.Text.Json.Nodes;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Backup.Grafana;

/// <summary>What a Grafana restore did.</summary>
/// <param name="Snapshot">The snapshot restored.</param>
/// <param name="Written">Paths written to Grafana.</param>
/// <param name="Skipped">Paths not written, each with why (e.g. a contact point whose secret the snapshot does not hold).</param>
public sealed record GrafanaRestoreResult(string Snapshot, IReadOnlyList<string> Written, IReadOnlyList<string> Skipped);

/// <summary>
/// Restores a Grafana snapshot: verifies every file against the manifest first (a corrupt snapshot is refused before
/// anything is written), exports what Grafana has now, and writes only what <see cref="GrafanaRestorePlan"/> says
/// differs. Run twice, the second run writes nothing.
/// </summary>
public sealed class GrafanaRestorer(GrafanaConfigApi api, SnapshotStore store)
{
    /// <summary>Restores <paramref name="snapshot"/> (a name or <c>latest</c>).</summary>
    /// <exception cref="CorruptSnapshotException">The snapshot is incomplete or does not match its manifest.</exception>
    public async Task<GrafanaRestoreResult> RestoreAsync(string snapshot, CancellationToken cancellationToken)
    {
        var name = await store.ResolveAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var manifest = await store.VerifyAsync(name, cancellationToken).ConfigureAwait(false);
        var files = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            files[file.Path] = CanonicalJson.Parse(await store.ReadFileAsync(name, file, cancellationToken).ConfigureAwait(false))
                ?? throw new CorruptSnapshotException($"grafana snapshot {name}: {file.Path} is empty");
        }

        var current = await new GrafanaExporter(api).ExportAsync(null, cancellationToken).ConfigureAwait(false);
        var currentFiles = current.Files.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var written = new List<string>();
        var skipped = new List<string>();
        foreach (var path in GrafanaRestorePlan.Writes(files, currentFiles))
        {
            var why = await WriteAsync(path, (JsonObject)files[path], currentFiles, cancellationToken).ConfigureAwait(false);
            if (why is null)
            {
                written.Add(path);
            }
            else
            {
                skipped.Add($"{path}: {why}");
            }
        }

        return new GrafanaRestoreResult(name, written, skipped);
    }

    // Writes one object; returns why it was skipped, or null when written.
    private async Task<string?> WriteAsync(string path, JsonObject content, Dictionary<string, JsonNode> current, CancellationToken cancellationToken)
    {
        var body = (JsonObject)content.DeepClone();
        body.Remove(GrafanaExportLayout.SecureFieldsLeftOut);
        body.Remove(GrafanaExportLayout.SecretRef);
        var exists = current.ContainsKey(path);
        if (path.StartsWith(GrafanaExportLayout.Folders, StringComparison.Ordinal))
        {
            var uid = Str(body, "uid");
            if (exists)
            {
                await api.SendAsync(HttpMethod.Put, $"api/folders/{E(uid)}", new JsonObject { ["title"] = body["title"]?.DeepClone(), ["overwrite"] = true }, false, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await api.SendAsync(HttpMethod.Post, "api/folders", body, false, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (path.StartsWith(GrafanaExportLayout.Datasources, StringComparison.Ordinal))
        {
            if (exists)
            {
                await api.SendAsync(HttpMethod.Put, $"api/datasources/uid/{E(Str(body, "uid"))}", body, false, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await api.SendAsync(HttpMethod.Post, "api/datasources", body, false, cancellationToken).ConfigureAwait(false);
            }

            // Secure fields (tokens, passwords) are not in backups: the datasource is back, its secrets come from
            // Grafana's provisioning (the operator's own datasource) or are entered again.
        }
        else if (path.StartsWith(GrafanaExportLayout.Dashboards, StringComparison.Ordinal))
        {
            body["overwrite"] = true;
            await api.SendAsync(HttpMethod.Post, "api/dashboards/db", body, false, cancellationToken).ConfigureAwait(false);
        }
        else if (path.StartsWith(GrafanaExportLayout.ContactPoints, StringComparison.Ordinal))
        {
            if (content[GrafanaExportLayout.SecureFieldsLeftOut] is JsonArray { Count: > 0 } leftOut)
            {
                // Without its secret the contact point cannot be written faithfully. Those the MetricsStack declares
                // are put back by the operator from their Secret; others need their secret entered again.
                return content[GrafanaExportLayout.SecretRef] is JsonValue secret
                    ? $"its secret ({string.Join(", ", leftOut)}) is not in backups; the operator recreates it from Secret {secret}"
                    : $"its secret ({string.Join(", ", leftOut)}) is not in backups; recreate it in Grafana";
            }

            body.Remove("provenance");
            var provenanceOff = string.IsNullOrEmpty(Str(content, "provenance"));
            if (exists)
            {
                await api.SendAsync(HttpMethod.Put, $"api/v1/provisioning/contact-points/{E(Str(body, "uid"))}", body, provenanceOff, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/contact-points", body, provenanceOff, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (path.StartsWith(GrafanaExportLayout.Templates, StringComparison.Ordinal))
        {
            await api.SendAsync(HttpMethod.Put, $"api/v1/provisioning/templates/{E(Str(body, "name"))}", body, true, cancellationToken).ConfigureAwait(false);
        }
        else if (path.StartsWith(GrafanaExportLayout.MuteTimings, StringComparison.Ordinal))
        {
            await api.SendAsync(exists ? HttpMethod.Put : HttpMethod.Post,
                exists ? $"api/v1/provisioning/mute-timings/{E(Str(body, "name"))}" : "api/v1/provisioning/mute-timings", body, true, cancellationToken).ConfigureAwait(false);
        }
        else if (path.StartsWith(GrafanaExportLayout.AlertRules, StringComparison.Ordinal))
        {
            await RestoreGroupAsync(body, cancellationToken).ConfigureAwait(false);
        }
        else if (path == GrafanaExportLayout.Policies)
        {
            body.Remove("provenance");
            await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/policies", body, string.IsNullOrEmpty(Str(content, "provenance")), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return "not a Grafana object this version knows";
        }

        return null;
    }

    // Grafana before 11.6 answers 500 to a group PUT naming a rule UID no rule has (grafana/grafana#98283): create the
    // missing rules one by one first (409 = there already), then PUT the group for its interval and every rule's content.
    private async Task RestoreGroupAsync(JsonObject group, CancellationToken cancellationToken)
    {
        var folder = Str(group, "folderUid");
        var title = Str(group, "title");
        var rules = (group["rules"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var rule in rules)
        {
            var body = (JsonObject)rule.DeepClone();
            var provenanceOff = string.IsNullOrEmpty(Str(body, "provenance"));
            body.Remove("provenance");
            await api.SendAsync(HttpMethod.Post, "api/v1/provisioning/alert-rules", body, provenanceOff, cancellationToken, HttpStatusCode.Conflict).ConfigureAwait(false);
        }

        var put = (JsonObject)group.DeepClone();
        foreach (var rule in (put["rules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            rule.Remove("provenance");
        }

        var groupProvenanceOff = rules.All(r => string.IsNullOrEmpty(Str(r, "provenance")));
        await api.SendAsync(HttpMethod.Put, $"api/v1/provisioning/folder/{E(folder)}/rule-groups/{E(title)}", put, groupProvenanceOff, cancellationToken).ConfigureAwait(false);
    }

    private static string Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static string E(string segment) => Uri.EscapeDataString(segment);
}
