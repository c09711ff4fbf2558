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
            Note(KubernetesJson.Deserialize<V1Alpha1AppAlert>(item.GetRawText()));
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

                    var alert = KubernetesJson.Deserialize<V1Alpha1AppAlert>(((JsonElement)item).GetRawText());

                    resourceVersion = alert.Metadata.ResourceVersion ?? resourceVersion;
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

    private void Note(V1Alpha1AppAlert alert) =>
        synced[Key(alert)] = alert.Status?.ObservedGeneration == alert.Metadata.Generation
            && alert.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True"
            && alert.Status.SyncedCount == rules;

    private static string Key(V1Alpha1AppAlert alert) => $"{alert.Metadata.NamespaceProperty}/{alert.Metadata.Name}";
}
