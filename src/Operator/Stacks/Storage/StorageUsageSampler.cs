using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Reconcile;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Stacks.Storage;

/// <summary>
/// Reads how many bytes the shared bucket's shards use from InfluxDB's <c>/metrics</c> (Prometheus text, no token
/// needed): the sum of <c>storage_shard_disk_size</c> over the series labelled with the bucket's ID. At most once per
/// <see cref="Interval"/> per stack, whatever the number of reconciles (a no-op resync asks nothing); a failed read is
/// not retried before the interval either, and leaves the last usage in status.
/// </summary>
public sealed partial class StorageUsageSampler(IStackEndpoints endpoints, TimeProvider? time = null, HttpMessageHandler? handler = null, ILogger<StorageUsageSampler>? logger = null) : IDisposable
{
    private readonly HttpClient http = new(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly ConcurrentDictionary<ObjectKey, DateTimeOffset> attempts = new();

    /// <summary>How often a stack's usage is read. Default 5 min.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The bucket's bytes on disk now, or null when it is not time to ask (or InfluxDB did not answer).</summary>
    public async Task<long?> SampleAsync(V1Alpha1MetricsStack stack, string bucketId, DateTime? lastSampled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var key = ObjectKey.Of(stack);
        var now = time.GetUtcNow();
        if ((lastSampled is { } last && now - last < Interval) || (attempts.TryGetValue(key, out var tried) && now - tried < Interval))
        {
            return null;
        }

        attempts[key] = now;
        try
        {
            var text = await http.GetStringAsync(new Uri(endpoints.InfluxDb(stack), "/metrics"), cancellationToken).ConfigureAwait(false);
            return ShardBytes(text, bucketId);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Could not read InfluxDB's storage metrics for MetricsStack {Stack}: {Error}", key, e.Message);
            return null;
        }
    }

    /// <summary>Sum of <c>storage_shard_disk_size</c> for <paramref name="bucketId"/> in a Prometheus text exposition.</summary>
    public static long ShardBytes(string metrics, string bucketId)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        double total = 0;
        foreach (Match line in ShardLine().Matches(metrics))
        {
            if (Label().Matches(line.Groups["labels"].Value).Any(l => l.Groups["name"].Value == "bucket" && l.Groups["value"].Value == bucketId))
            {
                total += double.Parse(line.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return (long)total;
    }

    /// <inheritdoc/>
    public void Dispose() => http.Dispose();

    [GeneratedRegex(@"^storage_shard_disk_size\{(?<labels>[^}]*)\}\s+(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex ShardLine();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)=""(?<value>[^""]*)""")]
    private static partial Regex Label();
}
