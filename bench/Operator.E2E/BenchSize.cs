using System.Globalization;

namespace MetricsOperator.E2E;

/// <summary>How big a run is: the load by default, seconds-long in smoke mode (figures then mean nothing).</summary>
// SettlingGcs: how many full GCs, 2 s apart, each reading of RSS "after a full GC" waits for: the GC gives back the
// regions it freed a little at a time, over several GCs (docs/performance.md, thirteenth pass).
internal sealed record BenchSize(string Name, int Stacks, int Alerts, int Rules, int Edits, int Restarts, TimeSpan Resync, int SettlingGcs)
{
    // Resync 60 s, not the shipped 10 min, so that the idle-resync phase is a minute long; and not 30 s, which fired in
    // the middle of the sync and reconciled some 700 already synced AppAlerts again, counted in the sync time.
    public static BenchSize Full { get; } = new("full", 10, 1000, 5, 100, 5, TimeSpan.FromSeconds(60), 6);

    public static BenchSize Small { get; } = new("small", 2, 20, 5, 5, 1, TimeSpan.FromSeconds(5), 1);

    public static BenchSize Parse(string name) => name switch
    {
        "full" => Full,
        "small" => Small,
        _ when name.StartsWith("alerts=", StringComparison.Ordinal) => Full with { Name = name, Alerts = int.Parse(name["alerts=".Length..], CultureInfo.InvariantCulture), Edits = 50, Restarts = 3 },
        _ => throw new ArgumentException($"--size is full, small or alerts=<n>, not {name}"),
    };

    public override string ToString() =>
        $"{Stacks} MetricsStacks, {Alerts} AppAlerts x {Rules} rules, {Edits} edits, {Restarts} API server restarts, resync every {Resync.TotalSeconds:F0} s";
}
