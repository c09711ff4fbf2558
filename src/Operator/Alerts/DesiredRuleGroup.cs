using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>One AppAlert as Grafana should hold it: its rule group in the app's folder.</summary>
/// <param name="FolderUid">The app's folder.</param>
/// <param name="FolderTitle">The folder's title (the app).</param>
/// <param name="Group">The group's name.</param>
/// <param name="IntervalSeconds">Evaluation interval.</param>
/// <param name="Editable">Provisioned without provenance (<c>X-Disable-Provenance</c>).</param>
/// <param name="Rules">The rules, in spec order.</param>
public sealed record DesiredRuleGroup(
    string FolderUid,
    string FolderTitle,
    string Group,
    long IntervalSeconds,
    bool Editable,
    IReadOnlyList<DesiredRule> Rules)
{
    /// <summary>The provenance Grafana should report for the rules: "api", or "" when editable.</summary>
    public string Provenance => Editable ? "" : "api";

    /// <summary>The body of the group PUT.</summary>
    public AlertRuleGroup ToGrafana() => new()
    {
        Title = Group,
        FolderUid = FolderUid,
        Interval = IntervalSeconds,
        Rules = [.. Rules.Select(r => r.Grafana)],
    };
}

/// <summary>One rule of the spec and the Grafana rule it maps to.</summary>
/// <param name="Name">The rule's name in the spec.</param>
/// <param name="Grafana">The Grafana rule.</param>
public sealed record DesiredRule(string Name, ProvisionedAlertRule Grafana);

/// <summary>What the reconciler may do with an AppAlert after validation and mapping.</summary>
/// <param name="Group">The group to sync: every rule, or with partialSync only the valid ones. Null when nothing may be synced.</param>
/// <param name="Problems">Every problem found (empty when valid).</param>
/// <param name="RuleUids">Each spec rule's deterministic UID, valid or not, for status.</param>
public sealed record AlertPlan(DesiredRuleGroup? Group, IReadOnlyList<RuleProblem> Problems, IReadOnlyDictionary<string, string> RuleUids)
{
    /// <summary>True when the spec is valid as a whole and every rule with it.</summary>
    public bool IsValid => Problems.Count == 0;
}
