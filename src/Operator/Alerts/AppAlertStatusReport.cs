using MetricsOperator.Alerts.QueryChecks;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;

namespace MetricsOperator.Alerts;

/// <summary>The Ready and Synced conditions and the status fields of one reconcile, before they are merged into status.</summary>
/// <param name="Ready">Ready: True, or False with a reason.</param>
/// <param name="ReadyReason">CamelCase reason.</param>
/// <param name="ReadyMessage">For humans; never a secret.</param>
/// <param name="Synced">Synced: True when Grafana holds exactly this generation's rules.</param>
/// <param name="SyncedReason">CamelCase reason.</param>
/// <param name="Grafana">Where the group is; null keeps what status had.</param>
/// <param name="Rules">Per-rule status; null keeps what status had.</param>
public sealed record AppAlertStatusReport(
    bool Ready,
    string ReadyReason,
    string ReadyMessage,
    bool Synced,
    string SyncedReason,
    GrafanaRuleGroupStatus? Grafana,
    IList<AlertRuleStatus>? Rules)
{
    /// <summary>Not ready for a reason outside the spec (stack, Grafana): rules and location stay as last reported.</summary>
    public static AppAlertStatusReport Waiting(string reason, string message) =>
        new(false, reason, message, false, reason, null, null);

    /// <summary>
    /// The report after validation, and after a sync when one happened (<paramref name="sync"/> null: nothing was synced)
    /// to the Grafana of <paramref name="stack"/> at <paramref name="grafanaUrl"/>.
    /// </summary>
    public static AppAlertStatusReport After(V1Alpha1AppAlert alert, AlertPlan plan, RuleGroupSyncResult? sync, string? stack = null, string? grafanaUrl = null)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(plan);
        var problemsByRule = plan.Problems.Where(p => p.Rule is not null).ToLookup(p => p.Rule!, StringComparer.Ordinal);
        var specProblems = plan.Problems.Where(p => p.IsSpecWide).Select(p => p.ToString()).ToList();
        var rules = new List<AlertRuleStatus>();
        foreach (var rule in alert.Spec?.Rules ?? [])
        {
            if (rules.Any(r => r.Name == rule.Name))
            {
                continue;
            }

            var problems = problemsByRule[rule.Name].Select(p => $"{p.Field}: {p.Message}").ToList();
            var inSync = sync is not null && problems.Count == 0 && sync.RulesInSync.GetValueOrDefault(rule.Name);
            string? message = problems.Count > 0
                ? string.Join("; ", problems)
                : inSync ? null
                : sync is null ? (specProblems.Count > 0 ? "not synced: the spec is invalid" : "not synced: another rule is invalid and partialSync is off")
                : "Grafana holds it differently: " + string.Join(", ", sync.Differences.Where(d => d.Contains($"\"{rule.Name}\"", StringComparison.Ordinal)));
            rules.Add(new AlertRuleStatus { Name = rule.Name, Uid = plan.RuleUids.GetValueOrDefault(rule.Name), Synced = inSync, Message = message });
        }

        var location = plan.Group is { } group && sync is not null
            ? new GrafanaRuleGroupStatus { Stack = stack, Url = grafanaUrl, FolderUid = group.FolderUid, RuleGroup = group.Group }
            : null;
        if (!plan.IsValid)
        {
            var message = string.Join("; ", plan.Problems.Select(p => p.ToString()));
            if (sync is not null)
            {
                message += $" (partialSync: {rules.Count(r => r.Synced == true)} of {rules.Count} rules synced)";
            }

            return new(false, AppAlertReasons.InvalidRule, message, false, AppAlertReasons.InvalidRule, location, rules);
        }

        var synced = rules.All(r => r.Synced == true);
        return synced
            ? new(true, AppAlertReasons.Synced, $"{rules.Count} rules in Grafana folder {location?.FolderUid}, group {location?.RuleGroup}", true, AppAlertReasons.Synced, location, rules)
            : new(false, AppAlertReasons.Drifted, "Grafana stores the group differently than sent: " + string.Join("; ", sync?.Differences ?? []), false, AppAlertReasons.Drifted, location, rules);
    }

    /// <summary>
    /// The report when InfluxDB refused a query of a rule the plan would write: nothing of the AppAlert is written (with or
    /// without partialSync), Ready=False <see cref="AppAlertReasons.InvalidQuery"/> naming each rule and field and quoting
    /// InfluxDB. Where the group is stays as status had it (Grafana keeps what it held).
    /// </summary>
    public static AppAlertStatusReport QueriesRefused(V1Alpha1AppAlert alert, AlertPlan plan, QueryCheckResult check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var rules = After(alert, plan, sync: null).Rules!;
        foreach (var rule in rules)
        {
            rule.QueryCheck = QueryCheckStatus.ForRule(check, rule.Name);
            if (check.Refused.Any(p => p.Rule == rule.Name))
            {
                rule.Message = "not synced: " + rule.QueryCheck;
            }
            else if (rule.Message is null || rule.Message.StartsWith("not synced: another rule", StringComparison.Ordinal))
            {
                rule.Message = "not synced: InfluxDB refused a query of another rule of this AppAlert";
            }
        }

        return new(false, AppAlertReasons.InvalidQuery, check.Message, false, AppAlertReasons.InvalidQuery, null, rules);
    }

    /// <summary>This report with what the query check found: per rule, and in Ready's message when InfluxDB could not be asked.</summary>
    public AppAlertStatusReport WithQueries(QueryCheckResult check)
    {
        ArgumentNullException.ThrowIfNull(check);
        foreach (var rule in Rules ?? [])
        {
            rule.QueryCheck = QueryCheckStatus.ForRule(check, rule.Name);
        }

        return this with { ReadyMessage = ReadyMessage + QueryCheckStatus.ReadySuffix(check) };
    }

    /// <summary>Merges the report into <paramref name="alert"/>'s status (conditions with metav1 semantics).</summary>
    public void ApplyTo(V1Alpha1AppAlert alert, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var status = alert.Status ??= new AppAlertStatus();
        var conditions = status.Conditions ??= [];
        var generation = alert.Metadata.Generation;
        ConditionSet.Set(conditions, AppAlertConditions.Ready, Ready, ReadyReason, ReadyMessage, generation, time);
        ConditionSet.Set(conditions, AppAlertConditions.Synced, Synced, SyncedReason, Synced ? "Grafana holds this generation's rules" : ReadyMessage, generation, time);
        status.ObservedGeneration = generation;
        status.RuleCount = alert.Spec?.Rules.Count ?? 0;
        if (Grafana is not null)
        {
            status.Grafana = Grafana;
        }

        if (Rules is not null)
        {
            status.Rules = Rules;
        }

        status.SyncedCount = status.Rules?.Count(r => r.Synced == true) ?? 0;
    }
}
