using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>
/// Everything the Grafana fake stores, behind one lock. Rules are indexed by UID and by group, so a group PUT costs
/// the size of the group, not of the whole rule set (the benchmark holds 5000 rules). Tests read state through the
/// snapshot members and simulate "drift made in the UI" with the mutation methods, which bypass the API.
/// </summary>
public sealed partial class GrafanaState
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, GrafanaFolder> folders = new(StringComparer.Ordinal);
    private long nextId = 1;

    /// <summary>All folders.</summary>
    public IReadOnlyList<GrafanaFolder> Folders => Locked(() => folders.Values.OrderBy(f => f.Id).ToList());

    /// <summary>A folder by UID, or null.</summary>
    public GrafanaFolder? Folder(string uid) => Locked(() => folders.GetValueOrDefault(uid));

    /// <summary>Creates a folder (as <c>POST /api/folders</c> does); 409 when the UID is taken.</summary>
    public GrafanaFolder CreateFolder(string title, string? uid = null, string? parentUid = null) => Locked(() =>
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new GrafanaException(400, "folder title cannot be empty");
        }

        uid = string.IsNullOrEmpty(uid) ? GrafanaNames.NewUid() : uid;
        if (GrafanaNames.UidProblem(uid) is { } problem)
        {
            throw new GrafanaException(400, problem);
        }

        if (folders.ContainsKey(uid))
        {
            throw new GrafanaException(409, "a folder with the same uid already exists");
        }

        if (parentUid is not null && !folders.ContainsKey(parentUid))
        {
            throw new GrafanaException(404, "parent folder not found");
        }

        var now = DateTime.UtcNow;
        var folder = new GrafanaFolder(nextId++, uid, title, parentUid, 1, now, now);
        folders[uid] = folder;
        return folder;
    });

    internal GrafanaFolder UpdateFolder(string uid, string? title, long? version, bool overwrite) => Locked(() =>
    {
        var folder = folders.GetValueOrDefault(uid) ?? throw new GrafanaException(404, "folder not found");
        if (!overwrite && version is { } expected && expected != folder.Version)
        {
            throw new GrafanaException(409, "the folder has been changed by someone else");
        }

        var updated = folder with { Title = string.IsNullOrWhiteSpace(title) ? folder.Title : title, Version = folder.Version + 1, Updated = DateTime.UtcNow };
        folders[uid] = updated;
        return updated;
    });

    internal GrafanaFolder DeleteFolder(string uid, bool forceDeleteRules) => Locked(() =>
    {
        var folder = folders.GetValueOrDefault(uid) ?? throw new GrafanaException(404, "folder not found");
        var groupsInFolder = groups.Keys.Where(k => k.FolderUid == uid).ToList();
        if (groupsInFolder.Count > 0 && !forceDeleteRules)
        {
            throw new GrafanaException(400, "folder cannot be deleted: folder contains alert rules");
        }

        foreach (var key in groupsInFolder)
        {
            RemoveGroupLocked(key);
        }

        folders.Remove(uid);
        return folder;
    });

    internal long NextId() => Locked(() => nextId++);

    internal T Locked<T>(Func<T> action)
    {
        lock (gate)
        {
            return action();
        }
    }

    internal void Locked(Action action)
    {
        lock (gate)
        {
            action();
        }
    }

    private static JsonObject Clone(JsonObject source) => (JsonObject)source.DeepClone();
}
