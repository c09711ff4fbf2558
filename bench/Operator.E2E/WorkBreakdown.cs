using System.Globalization;

namespace MetricsOperator.E2E;

/// <summary>
/// Where a sync's time went, from the operator's own histograms (controller-runtime's names): per controller, how many
/// reconciles and their mean time; per work queue, the mean wait before a worker took an item and the mean work. Read
/// twice and subtracted, so one phase of the run is seen alone. Also the operator's own view of each request it sent
/// (.NET's <c>System.Net.Http</c> meter, which the operator's <c>/metrics</c> exports): time from send to the response
/// headers, and time a request waited for a connection, per server and method.
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

    /// <summary>
    /// The operator's requests between <paramref name="before"/> and this reading, by server (named by its port in
    /// <paramref name="servers"/>) and method: how many, their mean time from send to response headers as the operator
    /// saw it, and the mean wait for a connection where there was one.
    /// </summary>
    public IEnumerable<string> RequestsSince(WorkBreakdown before, IReadOnlyDictionary<int, string> servers)
    {
        const string Duration = "system_net_http_http_client_request_duration";
        const string Queue = "system_net_http_http_client_request_time_in_queue";
        var rows = new SortedDictionary<(string Server, string Method), (double N, double Seconds, double Queued, double QueuedSeconds)>();
        foreach (var (key, (sum, count)) in _series)
        {
            var isDuration = key.StartsWith(Duration + "{", StringComparison.Ordinal);
            if (!isDuration && !key.StartsWith(Queue + "{", StringComparison.Ordinal))
            {
                continue;
            }

            var (sum0, count0) = before._series.GetValueOrDefault(key);
            if (count - count0 <= 0)
            {
                continue;
            }

            var port = int.TryParse(LabelValue(key, "server_port"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
            var row = (servers.GetValueOrDefault(port, $"port {port}"), LabelValue(key, "http_request_method") ?? "?");
            var (n, seconds, queued, queuedSeconds) = rows.GetValueOrDefault(row);
            rows[row] = isDuration
                ? (n + count - count0, seconds + sum - sum0, queued, queuedSeconds)
                : (n, seconds, queued + count - count0, queuedSeconds + sum - sum0);
        }

        foreach (var group in rows.GroupBy(r => r.Key.Server))
        {
            yield return $"operator's requests to {group.Key} (send to response headers): " + string.Join(", ", group
                .Where(r => r.Value.N > 0)
                .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key.Method} {r.Value.N:F0} x {r.Value.Seconds / r.Value.N * 1000:F1} ms") + (r.Value.Queued > 0
                    ? string.Create(CultureInfo.InvariantCulture, $" ({r.Value.Queued:F0} waited {r.Value.QueuedSeconds / r.Value.Queued * 1000:F1} ms for a connection)")
                    : string.Empty)));
        }
    }

    private static string? LabelValue(string key, string label)
    {
        var start = key.IndexOf(label + "=\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += label.Length + 2;
        var end = key.IndexOf('"', start);
        return end < 0 ? null : key[start..end];
    }

    private static string Label(string key)
    {
        var quote = key.IndexOf('"', StringComparison.Ordinal);
        return quote < 0 ? key : key[(quote + 1)..key.LastIndexOf('"')];
    }
}
