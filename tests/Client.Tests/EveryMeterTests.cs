using System.Diagnostics.Metrics;
using Lsst.Metrics.Client.Tests.Support;

namespace Lsst.Metrics.Client.Tests;

/// <summary>
/// A client listening to every meter (<c>*</c>) also receives every other test's measurements; run beside the
/// record-path allocation test (350,000 calls), its buffer filled with those and dropped the points this test looks
/// for (it failed once in CI). So it runs alone.
/// </summary>
[CollectionDefinition(nameof(EveryMeterTests), DisableParallelization = true)]
public sealed class EveryMeterTestsRunAlone;

[Collection(nameof(EveryMeterTests))]
public sealed class EveryMeterTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Meters_are_chosen_by_name_or_prefix_and_the_clients_own_meter_only_by_exact_name()
    {
        var root = TestOptions.UniqueMeter("Sel");
        using var exact = new Meter(root);
        using var child = new Meter(root + ".Child");
        using var starred = new Meter(root + "Starred");
        using var other = new Meter(TestOptions.UniqueMeter("Other"));
        await using var client = TestOptions.Capturing(TestOptions.For("http://127.0.0.1:1", root, root + "Star*", "*"), out var writer);

        exact.CreateCounter<int>("a").Add(1);
        child.CreateCounter<int>("b").Add(1);
        starred.CreateCounter<int>("c").Add(1);
        other.CreateCounter<int>("d").Add(1);
        client.RecordObservableInstruments();
        await client.FlushAsync().WaitAsync(Guard);

        var names = writer.Points.Select(p => p.Measurement).ToList();
        names.ShouldContain($"{root}.a");
        names.ShouldContain($"{root}.Child.b");
        names.ShouldContain($"{root}Starred.c");
        names.ShouldContain(n => n.EndsWith(".d", StringComparison.Ordinal), "'*' matches every meter");
        names.ShouldNotContain(n => n.StartsWith(LsstMetricsClient.MeterName, StringComparison.Ordinal), "a prefix never feeds the client's own meter back");
    }
}
