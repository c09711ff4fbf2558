using System.Globalization;
using MetricsOperator.Crds;

namespace MetricsOperator.Alerts;

/// <summary>
/// Semantic checks the schema cannot express (the test API server is 1.20: no CEL), made before anything is sent to
/// Grafana. Pure: the AppAlert and the stack's facts in, the problems out, each naming the rule and field.
/// </summary>
public static class AppAlertValidation
{
    /// <summary>Grafana evaluates rule groups on a 10-second base tick.</summary>
    public const long BaseIntervalSeconds = 10;

    /// <summary>Every problem of <paramref name="alert"/> against <paramref name="stack"/>.</summary>
    public static IReadOnlyList<RuleProblem> Validate(V1Alpha1AppAlert alert, StackAlertingFacts stack)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(stack);
        var spec = alert.Spec ?? new AppAlertSpec();
        var problems = new List<RuleProblem>();

        var interval = spec.Interval ?? AlertDefaults.Interval;
        if (GrafanaDuration.TryParseSeconds(interval) is not { } seconds)
        {
            problems.Add(new(null, "spec.interval", $"\"{interval}\" is not a duration such as 30s, 1m or 1m30s"));
        }
        else if (seconds <= 0 || seconds % BaseIntervalSeconds != 0)
        {
            problems.Add(new(null, "spec.interval", string.Create(CultureInfo.InvariantCulture, $"\"{interval}\" must be a positive multiple of {BaseIntervalSeconds}s (Grafana's evaluation tick)")));
        }

        if (spec.ContactPoint is { Length: > 0 } contactPoint && !stack.ContactPoints.Contains(contactPoint))
        {
            problems.Add(new(null, "spec.contactPoint", $"the stack declares no contact point \"{contactPoint}\" (it has: {Names(stack.ContactPoints)})"));
        }

        if (spec.Rules is not { Count: > 0 })
        {
            problems.Add(new(null, "spec.rules", "at least one rule is required"));
            return problems;
        }

        var duplicated = spec.Rules.GroupBy(r => r.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < spec.Rules.Count; i++)
        {
            problems.AddRange(ValidateRule(spec.Rules[i], $"spec.rules[{i}]", duplicated, stack));
        }

        return problems;
    }

    private static IEnumerable<RuleProblem> ValidateRule(AlertRule rule, string path, HashSet<string> duplicated, StackAlertingFacts stack)
    {
        var name = string.IsNullOrWhiteSpace(rule.Name) ? $"#{path}" : rule.Name;
        if (string.IsNullOrWhiteSpace(rule.Name))
        {
            yield return new(name, $"{path}.name", "must not be empty");
        }
        else if (rule.Name.Length > AlertNames.MaxTitleLength)
        {
            yield return new(name, $"{path}.name", $"is longer than Grafana's {AlertNames.MaxTitleLength} characters");
        }

        if (duplicated.Contains(rule.Name))
        {
            yield return new(name, $"{path}.name", "another rule of this AppAlert has the same name");
        }

        foreach (var problem in RuleStepValidation.Problems(rule, path, stack))
        {
            yield return new(name, problem.Field, problem.Message);
        }

        var pending = rule.For ?? AlertDefaults.For;
        if (GrafanaDuration.TryParseSeconds(pending) is null)
        {
            yield return new(name, $"{path}.for", $"\"{pending}\" is not a duration such as 0s, 5m or 1h30m (largest unit first)");
        }

        if (rule.Severity is { } severity && !Enum.IsDefined(severity))
        {
            yield return new(name, $"{path}.severity", "must be critical, warning or info");
        }

        if (rule.NoDataState is { } noData && !Enum.IsDefined(noData))
        {
            yield return new(name, $"{path}.noDataState", "must be NoData, Alerting or OK");
        }

        if (rule.ExecErrState is { } execErr && !Enum.IsDefined(execErr))
        {
            yield return new(name, $"{path}.execErrState", "must be Error, Alerting or OK");
        }

        if (rule.Notification is { } notification)
        {
            foreach (var (field, message) in NotificationProblems(notification, stack))
            {
                yield return new(name, $"{path}.notification.{field}", message);
            }
        }

        foreach (var key in rule.Labels?.Keys ?? [])
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                yield return new(name, $"{path}.labels", "label names must not be empty");
            }
        }
    }

    /// <summary>
    /// Grafana 11.4 refuses the rule otherwise (its provisioning API's notification settings validation): an unknown
    /// receiver, and a group_by without alertname and grafana_folder unless it is "..." alone.
    /// </summary>
    private static IEnumerable<(string Field, string Message)> NotificationProblems(AlertNotification notification, StackAlertingFacts stack)
    {
        if (!stack.ContactPoints.Contains(notification.ContactPoint))
        {
            yield return ("contactPoint", $"the stack declares no contact point \"{notification.ContactPoint}\" (it has: {Names(stack.ContactPoints)})");
        }

        if (notification.GroupBy is { Count: > 0 } groupBy && !(groupBy is ["..."]) && !(groupBy.Contains("alertname") && groupBy.Contains("grafana_folder")))
        {
            yield return ("groupBy", "must hold alertname and grafana_folder, or be \"...\" alone");
        }

        foreach (var timing in notification.MuteTimings ?? [])
        {
            if (string.IsNullOrWhiteSpace(timing))
            {
                yield return ("muteTimings", "mute timing names must not be empty");
            }
        }
    }

    private static string Names(IReadOnlyCollection<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
}
