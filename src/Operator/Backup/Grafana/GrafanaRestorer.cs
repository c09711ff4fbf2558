using System.Net;
using System.Text.Json.Nodes;
using MetricsOperator.Backup.Snapshots;
using MetricsOperator.Grafana;

namespace MetricsOperator.Backup.Grafana;

/// <summary>What a Grafana restore did (or, with a dry run, would do).</summary>
/// <param name="Snapshot">The snapshot restored.</param>
/// <param name="Plan">The plan it followed.</param>
/// <param name="Written">The steps done, in order (none on a dry run).</param>
/// <param name="DryRun">Whether nothing was written on purpose.</param>
public sealed record GrafanaRestoreResult(string Snapshot, GrafanaRestorePlan Plan, IReadOnlyList<RestoreStep> Written, bool DryRun);

/// <summary>A restore stopped by a failing write after others were done: what was written and what was not. Running it again continues.</summary>
public sealed class RestoreIncompleteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RestoreIncompleteException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RestoreIncompleteException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RestoreIncompleteException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="written"/> done and <paramref name="notWritten"/> left.</summary>
    public RestoreIncompleteException(IReadOnlyList<RestoreStep> written, IReadOnlyList<RestoreStep> notWritten, Exception cause)
        : base($"{notWritten[0].Action} {notWritten[0].Path} failed after {written.Count} of {written.Count + notWritten.Count} writes: {cause.Message}. Run the restore again to continue: it plans against what Grafana holds now.", cause)
    {
        Written = written;
        NotWritten = notWritten;
    }

    /// <summary>The steps done before the failure.</summary>
    public IReadOnlyList<RestoreStep> Written { get; } = [];

    /// <summary>The failed step and those after it.</summary>
    public IReadOnlyList<RestoreStep> NotWritten { get; } = [];
}

/// <summary>
/// Restores a Grafana snapshot: verifies every file against the manifest first (a corrupt snapshot is refused before
/// anything is written), exports what Grafana has now, builds the whole <see cref="GrafanaRestorePlan"/>, refuses before
/// any write when the plan cannot complete, and then writes its steps in order. Run twice, the second run writes nothing
/// (unless secrets are offered again: they are written each time, as they cannot be compared).
/// </summary>
public sealed class GrafanaRestorer(GrafanaConfigApi api, SnapshotStore store)
{
    /// <summary>The snapshot's files, verified against its manifest.</summary>
    /// <exception cref="CorruptSnapshotException">The snapshot is incomplete or does not match its manifest.</exception>
    public async Task<(string Name, Dictionary<string, JsonNode> Files, SnapshotManifest Manifest)> ReadAsync(string snapshot, CancellationToken cancellationToken)
    {
        var name = await store.ResolveAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var manifest = await store.VerifyAsync(name, cancellationToken).ConfigureAwait(false);
        var files = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            files[file.Path] = CanonicalJson.Parse(await store.ReadFileAsync(name, file, cancellationToken).ConfigureAwait(false))
                ?? throw new CorruptSnapshotException($"grafana snapshot {name}: {file.Path} is empty");
        }

        return (name, files, manifest);
    }

    /// <summary>Restores <paramref name="snapshot"/> (a name or <c>latest</c>) with <paramref name="secrets"/>; with <paramref name="dryRun"/> only plans.</summary>
    /// <exception cref="CorruptSnapshotException">The snapshot is incomplete or does not match its manifest.</exception>
    /// <exception cref="Influx.RestoreRefusedException">The plan cannot complete: nothing was written.</exception>
    /// <exception cref="RestoreIncompleteException">A write failed after others were done.</exception>
    public async Task<GrafanaRestoreResult> RestoreAsync(string snapshot, CancellationToken cancellationToken, RestoreSecrets? secrets = null, bool dryRun = false)
    {
        secrets ??= RestoreSecrets.None;
        var (name, files, manifest) = await ReadAsync(snapshot, cancellationToken).ConfigureAwait(false);
        // An environment's snapshot is planned against that environment's objects only: nothing of another environment
        // is compared, replaced or removed.
        var scope = manifest.Environment is { Length: > 0 } environment ? EnvironmentScope.Of(environment) : null;
        var current = await new GrafanaExporter(api).ExportAsync(null, cancellationToken, scope?.Environment).ConfigureAwait(false);
        var currentFiles = current.Files.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var plan = GrafanaRestorePlan.Build(files, currentFiles, secrets);
        if (dryRun)
        {
            return new GrafanaRestoreResult(name, plan, [], DryRun: true);
        }

        if (plan.Problems.Count > 0)
        {
            throw new Influx.RestoreRefusedException(
                $"the restore of grafana snapshot {name} cannot complete, so nothing was written: {string.Join("; ", plan.Problems)}");
        }

        var written = new List<RestoreStep>();
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            try
            {
                if (step.Action == RestoreAction.RemoveDuplicate)
                {
                    await api.SendAsync(HttpMethod.Delete, $"api/v1/provisioning/contact-points/{E(step.Uid)}", null, false, cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
                }
                else
                {
                    await WriteAsync(step, (JsonObject)files[step.Path], secrets, scope, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is GrafanaApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new RestoreIncompleteException(written, [.. plan.Steps.Skip(i)], e);
            }

            written.Add(step);
        }

        return new GrafanaRestoreResult(name, plan, written, DryRun: false);
    }

    // Writes one object as the step says.
    private async Task WriteAsync(RestoreStep step, JsonObject content, RestoreSecrets secrets, EnvironmentScope? scope, CancellationToken cancellationToken)
    {
        var path = step.Path;
        var body = (JsonObject)content.DeepClone();
        body.Remove(GrafanaExportLayout.SecureFieldsLeftOut);
        body.Remove(GrafanaExportLayout.SecretRef);
        var exists = step.Action == RestoreAction.Replace;
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
            // Left-out secure fields: the offered value; on a new datasource a placeholder; an existing one keeps its own.
            var secure = new JsonObject();
            foreach (var field in GrafanaRestorePlan.LeftOut(content))
            {
                var value = secrets.ValueOf(step.Uid, field) ?? (exists ? null : RestoreSecrets.Placeholder(step.Uid, field));
                if (value is not null)
                {
                    secure[field] = value;
                }
            }

            if (secure.Count > 0)
            {
                body["secureJsonData"] = secure;
            }

            if (exists)
            {
                await api.SendAsync(HttpMethod.Put, $"api/datasources/uid/{E(Str(body, "uid"))}", body, false, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await api.SendAsync(HttpMethod.Post, "api/datasources", body, false, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (path.StartsWith(GrafanaExportLayout.Dashboards, StringComparison.Ordinal))
        {
            body["overwrite"] = true;
            await api.SendAsync(HttpMethod.Post, "api/dashboards/db", body, false, cancellationToken).ConfigureAwait(false);
        }
        else if (path.StartsWith(GrafanaExportLayout.ContactPoints, StringComparison.Ordinal))
        {
            // Left-out secret settings: the offered value; on a new contact point a placeholder (so the policy tree can name
            // it); an existing one gets "[REDACTED]", which Grafana reads as "keep the stored value".
            var settings = body["settings"] as JsonObject ?? [];
            body["settings"] = settings;
            foreach (var field in GrafanaRestorePlan.LeftOut(content))
            {
                settings[field] = secrets.ValueOf(step.Uid, field) ?? (exists ? GrafanaExportLayout.Redacted : RestoreSecrets.Placeholder(step.Uid, field));
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
            // Provenance comes from the header, as for contact points: a provisioned template stays provisioned, one made
            // in the UI stays editable.
            body.Remove("provenance");
            await api.SendAsync(HttpMethod.Put, $"api/v1/provisioning/templates/{E(Str(body, "name"))}", body, string.IsNullOrEmpty(Str(content, "provenance")), cancellationToken).ConfigureAwait(false);
        }
        else if (path.StartsWith(GrafanaExportLayout.MuteTimings, StringComparison.Ordinal))
        {
            body.Remove("provenance");
            await api.SendAsync(exists ? HttpMethod.Put : HttpMethod.Post,
                exists ? $"api/v1/provisioning/mute-timings/{E(Str(body, "name"))}" : "api/v1/provisioning/mute-timings", body,
                string.IsNullOrEmpty(Str(content, "provenance")), cancellationToken).ConfigureAwait(false);
        }
        else if (path.StartsWith(GrafanaExportLayout.AlertRules, StringComparison.Ordinal))
        {
            await RestoreGroupAsync(body, cancellationToken).ConfigureAwait(false);
        }
        else if (path == GrafanaExportLayout.Policies && scope is not null)
        {
            await RestoreSubtreeAsync(scope, body, cancellationToken).ConfigureAwait(false);
        }
        else if (path == GrafanaExportLayout.Policies)
        {
            body.Remove("provenance");
            await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/policies", body, string.IsNullOrEmpty(Str(content, "provenance")), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new InvalidOperationException($"{path} is not a Grafana object this version knows");
        }
    }

    /// <summary>Writes per subtree restore before leaving it to a second run (as the operator's own policy sync does).</summary>
    public const int MaxPolicyWrites = 3;

    // The tree is one object that every environment's operator writes, and Grafana's PUT replaces it whole with no
    // precondition: read it right before the write, put the snapshot's subtree in place of the environment's, keep the
    // root (with its provenance) and every other route as read, and read back; a write of another environment landing
    // in between is found and merged again. The operator's PolicySync does the same with its own subtree.
    private async Task RestoreSubtreeAsync(EnvironmentScope scope, JsonObject subtree, CancellationToken cancellationToken)
    {
        for (var writes = 0; writes < MaxPolicyWrites; writes++)
        {
            var stored = (await api.GetAsync("api/v1/provisioning/policies", cancellationToken).ConfigureAwait(false)).Body as JsonObject ?? [];
            if (writes > 0 && CanonicalJson.Same(scope.Subtree(stored), subtree))
            {
                return;
            }

            var tree = scope.WithSubtree(stored, subtree);
            var provenanceOff = string.IsNullOrEmpty(Str(tree, "provenance"));
            tree.Remove("provenance");
            await api.SendAsync(HttpMethod.Put, "api/v1/provisioning/policies", tree, provenanceOff, cancellationToken).ConfigureAwait(false);
        }
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
