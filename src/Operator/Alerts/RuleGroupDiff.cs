using System.Text.Json.Nodes;
using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>What it takes to make Grafana's group equal to the desired one.</summary>
/// <param name="ToCreate">Rules no rule in Grafana has the UID of: POSTed before the group PUT (grafana/grafana#98283).</param>
/// <param name="NeedsPut">Whether the group must be PUT.</param>
/// <param name="Differences">What differs, for logs and status ("rule \"x\": for", "interval", "unexpected rule …").</param>
/// <param name="RulesInSync">Per desired rule name: whether Grafana holds it as desired.</param>
public sealed record RuleGroupChanges(
    IReadOnlyList<ProvisionedAlertRule> ToCreate,
    bool NeedsPut,
    IReadOnlyList<string> Differences,
    IReadOnlyDictionary<string, bool> RulesInSync)
{
    /// <summary>True when Grafana already holds the desired group: no request at all.</summary>
    public bool IsEmpty => !NeedsPut && ToCreate.Count == 0;
}

/// <summary>
/// Compares the desired group with Grafana's, field by field, after normalisation: durations by value, absent and
/// empty maps alike, query models by the keys the operator sets (Grafana adds its own). Pure.
/// </summary>
public static class RuleGroupDiff
{
    /// <summary>The changes that take <paramref name="observed"/> (null: no such group) to <paramref name="desired"/>.</summary>
    /// <param name="desired">The mapped group.</param>
    /// <param name="observed">Grafana's group, or null.</param>
    /// <param name="ruleExists">Whether any rule in Grafana (in any group) has a UID.</param>
    public static RuleGroupChanges Compare(DesiredRuleGroup desired, ObservedRuleGroup? observed, Func<string, bool> ruleExists)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(ruleExists);
        var stored = (observed?.Rules ?? []).Where(r => r.Uid is not null).GroupBy(r => r.Uid!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var differences = new List<string>();
        var inSync = new Dictionary<string, bool>(StringComparer.Ordinal);
        var toCreate = new List<ProvisionedAlertRule>();
        foreach (var rule in desired.Rules)
        {
            var uid = rule.Grafana.Uid!;
            if (!stored.TryGetValue(uid, out var existing))
            {
                differences.Add($"rule \"{rule.Name}\": missing");
                inSync[rule.Name] = false;
                if (!ruleExists(uid))
                {
                    toCreate.Add(rule.Grafana);
                }

                continue;
            }

            var fields = RuleDifferences(rule.Grafana, existing, desired.Provenance);
            inSync[rule.Name] = fields.Count == 0;
            differences.AddRange(fields.Select(f => $"rule \"{rule.Name}\": {f}"));
        }

        var wanted = desired.Rules.Select(r => r.Grafana.Uid!).ToHashSet(StringComparer.Ordinal);
        differences.AddRange(stored.Keys.Where(uid => !wanted.Contains(uid)).Select(uid => $"unexpected rule {uid}"));
        if (observed?.IntervalSeconds is { } interval && interval != desired.IntervalSeconds)
        {
            differences.Add("interval");
        }

        return new RuleGroupChanges(toCreate, differences.Count > 0, differences, inSync);
    }

    /// <summary>The fields of <paramref name="observed"/> that differ from <paramref name="desired"/>; empty when equal.</summary>
    public static IReadOnlyList<string> RuleDifferences(ProvisionedAlertRule desired, ObservedRule observed, string provenance)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(observed);
        var stored = observed.Fields;
        var fields = new List<string>();
        void Check(bool equal, string field)
        {
            if (!equal)
            {
                fields.Add(field);
            }
        }

        Check(desired.FolderUid == stored.FolderUid && desired.RuleGroup == stored.RuleGroup, "group");
        Check(desired.Title == stored.Title, "title");
        Check(desired.Condition == stored.Condition, "condition");
        Check(desired.NoDataState == stored.NoDataState, "noDataState");
        Check(desired.ExecErrState == stored.ExecErrState, "execErrState");
        Check(GrafanaDuration.TryParseSeconds(desired.For) == GrafanaDuration.TryParseSeconds(stored.For), "for");
        Check(SameMap(desired.Labels, stored.Labels), "labels");
        Check(SameMap(desired.Annotations, stored.Annotations), "annotations");
        Check(desired.IsPaused == stored.IsPaused, "isPaused");
        Check(SameNotification(desired.NotificationSettings, stored.NotificationSettings), "notification_settings");
        Check(SameData(desired.Data, observed.Data), "data");
        Check((stored.Provenance ?? "") == provenance, "provenance");
        return fields;
    }

    private static bool SameNotification(AlertRuleNotificationSettings? desired, AlertRuleNotificationSettings? stored) =>
        desired?.Receiver == stored?.Receiver
        && (desired?.GroupBy ?? []).SequenceEqual(stored?.GroupBy ?? [], StringComparer.Ordinal)
        && (desired?.MuteTimeIntervals ?? []).SequenceEqual(stored?.MuteTimeIntervals ?? [], StringComparer.Ordinal);

    private static bool SameMap(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        a ??= new Dictionary<string, string>();
        b ??= new Dictionary<string, string>();
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private static bool SameData(IReadOnlyList<AlertQuery> desired, IReadOnlyList<ObservedQuery> stored)
    {
        if (desired.Count != stored.Count)
        {
            return false;
        }

        for (var i = 0; i < desired.Count; i++)
        {
            var (d, s) = (desired[i], stored[i]);
            if (d.RefId != s.RefId
                || d.DatasourceUid != s.DatasourceUid
                || (d.QueryType ?? "") != (s.QueryType ?? "")
                || (d.RelativeTimeRange ?? new RelativeTimeRange()) != (s.RelativeTimeRange ?? new RelativeTimeRange())
                || !ModelComparison.Covers(s.ModelJson, d.Model))
            {
                return false;
            }
        }

        return true;
    }
}
