using MetricsOperator.Crds;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Alerts;

/// <summary>One rule of an AppAlert whose title another AppAlert of the same app claims first.</summary>
/// <param name="Index">The rule's index in <c>spec.rules</c>.</param>
/// <param name="Title">The rule's name, which is its Grafana title.</param>
/// <param name="Other">The AppAlert that keeps the title.</param>
/// <param name="OtherIndex">The index of the other AppAlert's rule.</param>
public sealed record TitleClash(int Index, string Title, ObjectKey Other, int OtherIndex)
{
    /// <summary>The problem, naming the field and the AppAlert and rule that keep the title.</summary>
    public RuleProblem ToProblem(string folderUid) => new(
        Title,
        $"spec.rules[{Index}].name",
        $"the title is taken in Grafana folder {folderUid} by AppAlert {Other} (spec.rules[{OtherIndex}].name); rule names must be unique across the AppAlerts of one app");
}

/// <summary>
/// Rule titles are unique per app: every AppAlert of an app writes into the app's folder, and Grafana 11.4 refuses a
/// second rule with a title its folder holds. Which AppAlert keeps a title is decided from the objects alone, the same
/// way in every reconcile (pure): the one whose status says Grafana holds the rule there, then the older by
/// creationTimestamp, then namespace/name. The others are refused before any write.
/// </summary>
public static class DuplicateTitles
{
    /// <summary>The rules of <paramref name="alert"/> whose title an AppAlert of <paramref name="others"/> (same stack) keeps.</summary>
    /// <param name="alert">The AppAlert to check.</param>
    /// <param name="others">The stack's AppAlerts.</param>
    /// <param name="environment">The stack's environment, which names the app's folder (null when it has none).</param>
    public static IReadOnlyList<TitleClash> Find(V1Alpha1AppAlert alert, IEnumerable<V1Alpha1AppAlert> others, string? environment = null)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(others);
        var folder = AlertNames.FolderUid(AlertDefaults.App(alert), environment);
        var app = AlertDefaults.App(alert);
        var self = ObjectKey.Of(alert);
        // One app, one folder: comparing apps is enough, and cheap (this runs per reconcile over the stack's AppAlerts).
        var rivals = others.Where(o => AlertDefaults.App(o) == app && ObjectKey.Of(o) != self).ToList();
        var clashes = new List<TitleClash>();
        var rules = alert.Spec?.Rules ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            var title = rules[i].Name;
            if (rules.Take(i).Any(r => r.Name == title))
            {
                // A name repeated within one AppAlert is validation's problem (InvalidRule).
                continue;
            }

            var first = rivals.Where(o => IndexOf(o, title) >= 0 && Compare(o, alert, title, folder) < 0)
                .Aggregate((V1Alpha1AppAlert?)null, (best, o) => best is null || Compare(o, best, title, folder) < 0 ? o : best);
            if (first is not null)
            {
                clashes.Add(new TitleClash(i, title, ObjectKey.Of(first), IndexOf(first, title)));
            }
        }

        return clashes;
    }

    private static int IndexOf(V1Alpha1AppAlert alert, string title)
    {
        var rules = alert.Spec?.Rules ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Name == title)
            {
                return i;
            }
        }

        return -1;
    }

    // Holding the title in Grafana first (so an edit of an older AppAlert never takes a title from a synced one), then age, then namespace/name.
    private static int Compare(V1Alpha1AppAlert a, V1Alpha1AppAlert b, string title, string folder)
    {
        var order = Holds(b, title, folder).CompareTo(Holds(a, title, folder));
        order = order != 0 ? order : (a.Metadata.CreationTimestamp ?? DateTime.MaxValue).CompareTo(b.Metadata.CreationTimestamp ?? DateTime.MaxValue);
        order = order != 0 ? order : string.CompareOrdinal(a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty);
        return order != 0 ? order : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
    }

    private static bool Holds(V1Alpha1AppAlert alert, string title, string folder) =>
        alert.Status?.Grafana?.FolderUid == folder && alert.Status?.Rules?.Any(r => r.Name == title && r.Synced == true) == true;
}
