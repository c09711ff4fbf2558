using System.Text.Json.Nodes;
using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>
/// Checks of a mapped Grafana rule that Grafana's provisioning API does not make itself (the condition naming a step,
/// expressions naming existing steps) or makes with an unhelpful 400 (UID, title and group limits). Pure.
/// </summary>
public static class GrafanaRuleChecks
{
    /// <summary>The problems of <paramref name="rule"/> in <paramref name="group"/>, attributed to the spec rule.</summary>
    public static IEnumerable<RuleProblem> Problems(DesiredRule rule, DesiredRuleGroup group)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(group);
        var grafana = rule.Grafana;
        var refIds = grafana.Data.Select(d => d.RefId).ToHashSet(StringComparer.Ordinal);
        if (!refIds.Contains(grafana.Condition))
        {
            yield return new(rule.Name, "condition", $"Grafana condition \"{grafana.Condition}\" names no step of the rule ({string.Join(", ", refIds)})");
        }

        foreach (var step in grafana.Data)
        {
            if (step.DatasourceUid != AppAlertMapping.ExpressionDatasource)
            {
                continue;
            }

            // reduce and threshold name one step; math names its steps as $name or ${name}; a classic condition names
            // one per condition, in query.params[0].
            var expression = step.Model["expression"]?.GetValue<string>() ?? "";
            IReadOnlyList<string> inputs = step.Model["type"]?.GetValue<string>() switch
            {
                "reduce" or "threshold" => [expression],
                "math" => MathReferences.In(expression),
                "classic_conditions" => [.. (step.Model["conditions"] as JsonArray ?? []).Select(c => c?["query"]?["params"]?[0]?.GetValue<string>() ?? "")],
                _ => [],
            };
            foreach (var input in inputs.Where(i => !refIds.Contains(i)))
            {
                yield return new(rule.Name, "condition", $"Grafana step {step.RefId} reads \"{input}\", which is no step of the rule");
            }
        }

        if (!AlertNames.IsValidUid(grafana.Uid))
        {
            yield return new(rule.Name, "name", $"UID \"{grafana.Uid}\" is not a valid Grafana UID");
        }

        if (grafana.Title.Length is 0 or > AlertNames.MaxTitleLength)
        {
            yield return new(rule.Name, "name", $"Grafana titles are 1 to {AlertNames.MaxTitleLength} characters");
        }

        if (!AlertNames.IsValidUid(group.FolderUid) || group.Group.Length is 0 or > AlertNames.MaxTitleLength)
        {
            yield return new(rule.Name, "metadata.name", "the folder UID or rule group name is outside Grafana's limits");
        }
    }
}
