using System.Collections.Concurrent;
using System.Text.Json;
using k8s;
using MetricsOperator.Crds;

namespace MetricsOperator.E2E;

/// <summary>
/// Counts the AppAlerts that are synced (Ready for their generation, every rule synced) by watching them through the
/// API server: one list, then a watch from its resourceVersion. Listing all 1000 AppAlerts four times a second, as the
/// benchmark did before, put a read of every AppAlert from etcd on the API server it measures, several times a second.
/// </summary>
internal sealed class SyncedAlertsWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, bool> synced = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();
    private readonly Kubernetes client;
    private readonly int rules;
    private Task running = Task.CompletedTask;

    private SyncedAlertsWatch(Kubernetes client, int rules)
    {
        this.client = client;
        this.rules = rules;
    }

    /// <summary>AppAlerts synced as of the last event seen.</summary>
    public int Synced => synced.Count(kv => kv.Value);

    /// <summary>Lists the AppAlerts and starts watching them.</summary>
    public static async Task<SyncedAlertsWatch> StartAsync(Kubernetes client, int rules, CancellationToken cancellationToken)
    {
        var watch = new SyncedAlertsWatch(client, rules);
        var resourceVersion = await watch.ListAsync(cancellationToken);
        watch.running = Task.Run(() => watch.WatchAsync(resourceVersion), CancellationToken.None);
        return watch;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var raw = await client.CustomObjects.ListClusterCustomObjectAsync(ApiGroup.Name, ApiGroup.Version, "appalerts", cancellationToken: cancellationToken);
        var list = (JsonElement)raw;
        synced.Clear();
        foreach (var item in list.GetProperty("items").EnumerateArray())
        {
            Note(item);
        }

        return list.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    private async Task WatchAsync(string resourceVersion)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var events = client.CustomObjects.WatchListClusterCustomObjectAsync(
                    ApiGroup.Name, ApiGroup.Version, "appalerts", allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: 300, cancellationToken: stop.Token);
                await foreach (var (type, item) in events)
                {
                    if (type == WatchEventType.Error)
                    {
                        break; // a Status, e.g. 410 for a resourceVersion too old: list again below
                    }

                    var alert = (JsonElement)item;
                    resourceVersion = alert.GetProperty("metadata").TryGetProperty("resourceVersion", out var version) ? version.GetString()! : resourceVersion;
                    if (type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        Note(alert);
                    }
                    else if (type == WatchEventType.Deleted)
                    {
                        synced.TryRemove(Key(alert), out _);
                    }
                }

                if (!stop.IsCancellationRequested)
                {
                    resourceVersion = await ListAsync(stop.Token);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or KubernetesException or k8s.Autorest.HttpOperationException && !stop.IsCancellationRequested)
            {
                // The API server closed the watch (a restart, or it expired the resourceVersion): list again, go on.
                await Task.Delay(200, stop.Token);
                resourceVersion = await ListAsync(stop.Token);
            }
        }
    }

    // Read from the JSON as it came (the few fields that say "synced"), not deserialized whole: the benchmark's own
    // CPU competes with the operator's on the machine it measures.
    private void Note(JsonElement alert)
    {
        var generation = alert.GetProperty("metadata").TryGetProperty("generation", out var g) ? g.GetInt64() : 0;
        var done = alert.TryGetProperty("status", out var status)
            && status.TryGetProperty("observedGeneration", out var observed) && observed.GetInt64() == generation
            && status.TryGetProperty("syncedCount", out var count) && count.GetInt32() == rules
            && status.TryGetProperty("conditions", out var conditions)
            && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");
        synced[Key(alert)] = done;
    }

    private static string Key(JsonElement alert)
    {
        var metadata = alert.GetProperty("metadata");
        return $"{metadata.GetProperty("namespace").GetString()}/{metadata.GetProperty("name").GetString()}";
    }
}
