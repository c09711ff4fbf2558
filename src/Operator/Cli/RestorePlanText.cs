using MetricsOperator.Backup.Grafana;

namespace MetricsOperator.Cli;

/// <summary>A Grafana restore plan as the restore command prints it: every step, every secret's source (never its value), every problem.</summary>
internal static class RestorePlanText
{
    public static void Write(TextWriter output, string snapshot, GrafanaRestorePlan plan)
    {
        var creates = plan.Steps.Count(s => s.Action == RestoreAction.Create);
        var replaces = plan.Steps.Count(s => s.Action == RestoreAction.Replace);
        var removals = plan.Steps.Count(s => s.Action == RestoreAction.RemoveDuplicate);
        output.WriteLine($"Plan for grafana snapshot {snapshot}: {creates} to create, {replaces} to replace, {removals} duplicate contact points to remove.");
        foreach (var step in plan.Steps)
        {
            output.WriteLine($"  {Describe(step)}");
        }

        foreach (var secret in plan.Secrets)
        {
            output.WriteLine(secret.IsPlaceholder
                ? $"  PLACEHOLDER {secret.Path} {secret.Field}: not in the snapshot and not supplied; enter it in Grafana, or rerun with --secret-file {Uid(plan, secret)}/{secret.Field}=FILE"
                : $"  secret {secret.Path} {secret.Field}: from {secret.Source}");
        }

        foreach (var problem in plan.Problems)
        {
            output.WriteLine($"  PROBLEM {problem}");
        }
    }

    public static string Describe(RestoreStep step) => step.Action switch
    {
        RestoreAction.Create => $"create  {step.Path}",
        RestoreAction.Replace => $"replace {step.Path}",
        _ => $"remove  contact point {step.Uid} ({step.Path}): the snapshot holds its name under another UID",
    };

    private static string Uid(GrafanaRestorePlan plan, SecretFill secret) => plan.Steps.FirstOrDefault(s => s.Path == secret.Path)?.Uid ?? "UID";
}
