using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The names of every object the operator makes for a MetricsStack, derived from its own code (the builders' output for
/// the samples, and <see cref="StackNames"/> for the Secrets it fills), as patterns over the stack's name. Registered with
/// <see cref="OwnedObjectGuard"/> when the test assembly loads, so no fixture can create one.
/// </summary>
internal static class OperatorOwnedNames
{
    // Rendered as the stack's name, then replaced by a pattern matching any stack name.
    private const string Sentinel = "zqstackzq";

    private static readonly Lazy<IReadOnlyList<(string Resource, Regex Name, string Source)>> Patterns = new(Build);

    /// <summary>Every (resource, name pattern, what makes it) the operator owns.</summary>
    public static IReadOnlyList<(string Resource, Regex Name, string Source)> All => Patterns.Value;

    /// <summary>Why the operator owns <paramref name="resource"/> <paramref name="name"/>, or null.</summary>
    public static string? Owner(string resource, string name) =>
        All.FirstOrDefault(p => p.Resource == resource && p.Name.IsMatch(name)) is { Source: { } source } ? source : null;

    [ModuleInitializer]
    internal static void Register() => OwnedObjectGuard.Register(Owner);

    private static List<(string, Regex, string)> Build()
    {
        var found = new List<(string Resource, string Name, string Source)>();
        foreach (var sample in new[] { Stacks.Stacks.FullSample(), Stacks.Stacks.MinimalSample(), Stacks.Stacks.WithDashboardCache(DashboardCacheKind.Bbolt) })
        {
            sample.Metadata.Name = Sentinel;
            found.AddRange(StackBuilder.Build(DefaultedStack.Of(sample)).Select(o => (Plural(o.Kind), o.Metadata.Name, $"StackBuilder's {o.Kind}")));
            found.Add(("secrets", StackNames.TelegrafTokenSecret(sample), "StackNames.TelegrafTokenSecret, filled by the InfluxDB step"));
            found.Add(("secrets", StackNames.GrafanaTokenSecret(sample), "StackNames.GrafanaTokenSecret, filled by the InfluxDB step"));
            found.Add(("secrets", StackNames.GrafanaAdminSecret(sample), "StackNames.GrafanaAdminSecret, made by StackCredentials"));
            found.Add(("secrets", StackNames.ListenerTokenSecret(sample), "StackNames.ListenerTokenSecret, made by ListenerTokens"));
            if (sample.Spec.InfluxDb?.ExistingAdminSecret is null)
            {
                found.Add(("secrets", StackNames.InfluxDbAdminSecret(sample), "StackNames.InfluxDbAdminSecret, made by StackCredentials"));
            }
        }

        return [.. found
            .Where(f => f.Name.Contains(Sentinel, StringComparison.Ordinal))
            .DistinctBy(f => (f.Resource, f.Name))
            .Select(f => (f.Resource, new Regex("^" + Regex.Escape(f.Name).Replace(Sentinel, "[a-z0-9]([-a-z0-9.]*[a-z0-9])?", StringComparison.Ordinal) + "$"), f.Source))];
    }

    private static string Plural(string kind) => kind switch
    {
        "NetworkPolicy" => "networkpolicies",
        _ => kind.ToLowerInvariant() + "s",
    };
}
