using System.Globalization;

namespace MetricsOperator.E2E;

/// <summary>
/// Where a sync's time went, from the operator's own histograms (controller-runtime's names): per controller, how many
/// reconciles and their mean time; per work queue, the mean wait before a worker took an item and the mean work. Read
/// twice and subtracted, so one phase of the run is seen alone.
/// </summary>
internal sealed class WorkBreakdown
{
    private const string ReconcileTotal = "controller_runtime_reconcile_total";

    private readonly Dictionary<string, (double Sum, double Count)> _series;
    private readonly Dictionary<string, double> _reconcileTotals;

    private WorkBreakdown(Dictionary<string, (double Sum, double Count)> series, Dictionary<string, double> reconcileTotals)
    {
        _series = series;
        _reconcileTotals = reconcileTotals;
    }

    public static WorkBreakdown Parse(string metrics)
    {
        var series = new Dictionary<string, (double Sum, double Count)>(StringComparer.Ordinal);
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var name = line[..space];
            if (name.StartsWith(ReconcileTotal + "{", StringComparison.Ordinal))
            {
                totals[name[ReconcileTotal.Length..]] = value;
            }

            var brace = name.IndexOf('{', StringComparison.Ordinal);
            var metric = brace < 0 ? name : name[..brace];
            foreach (var (suffix, isSum) in new[] { ("_sum", true), ("_count", false) })
            {
                if (!metric.EndsWith(suffix, StringComparison.Ordinal))
                {
                    continue;
                }

                var key = metric[..^suffix.Length] + (brace < 0 ? string.Empty : name[brace..]);
                var (sum, count) = series.GetValueOrDefault(key);
                series[key] = isSum ? (value, count) : (sum, value);
            }
        }

        return new WorkBreakdown(series, totals);
    }

    /// <summary>One line per controller and queue: what happened between <paramref name="before"/> and this reading.</summary>
    public IEnumerable<string> Since(WorkBreakdown before, TimeSpan phase, int workers)
    {
        foreach (var (key, (sum, count)) in _series.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var (sum0, count0) = before._series.GetValueOrDefault(key);
            var n = count - count0;
            var seconds = sum - sum0;
            if (n <= 0)
            {
                continue;
            }

            if (key.StartsWith("controller_runtime_reconcile_time_seconds", StringComparison.Ordinal))
            {
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"reconciles {Label(key)}: {n:F0}, mean {seconds / n * 1000:F1} ms, {seconds:F1} s in all = {seconds / (workers * phase.TotalSeconds):P0} of {workers} workers over the {phase.TotalSeconds:F1} s");
            }
            else if (key.StartsWith("workqueue_queue_duration_seconds", StringComparison.Ordinal))
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"queue {Label(key)}: {n:F0} items waited {seconds / n * 1000:F1} ms on average for a worker");
            }
        }
    }

    /// <summary>Reconciles by controller and result between <paramref name="before"/> and this reading (why there were more than objects).</summary>
    public string ResultsSince(WorkBreakdown before) => string.Join(", ", _reconcileTotals
        .Select(kv => (kv.Key, N: kv.Value - before._reconcileTotals.GetValueOrDefault(kv.Key)))
        .Where(r => r.N > 0)
        .OrderBy(r => r.Key, StringComparer.Ordinal)
        .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.N:F0}")));

    private static string Label(string key)
    {
        var quote = key.IndexOf('"', StringComparison.Ordinal);
        return quote < 0 ? key : key[(quote + 1)..key.LastIndexOf('"')];
    }
}
