namespace MetricsOperator.Alerts;

/// <summary>Why an AppAlert (or one of its rules) cannot go to Grafana, naming the field.</summary>
/// <param name="Rule">The rule's name, or null for a problem of the whole spec (interval, contact point).</param>
/// <param name="Field">The field's path, e.g. <c>spec.rules[1].condition.upperThreshold</c>.</param>
/// <param name="Message">What is wrong.</param>
public sealed record RuleProblem(string? Rule, string Field, string Message)
{
    /// <summary>True for problems of the whole spec: no rule can be synced while one exists.</summary>
    public bool IsSpecWide => Rule is null;

    /// <inheritdoc/>
    public override string ToString() => Rule is null ? $"{Field}: {Message}" : $"rule \"{Rule}\": {Field}: {Message}";
}
