using System.Collections.Concurrent;
using System.Diagnostics;

namespace MetricsOperator.Stack.Bench;

/// <summary>Notes when the operator's client has applied every child of a namespace's stack, and counts its requests.</summary>
internal sealed class ApplyClock : DelegatingHandler
{
    private static readonly string[] ChildCollections = ["/statefulsets/", "/deployments/", "/services/", "/configmaps/", "/persistentvolumeclaims/", "/networkpolicies/"];
    private readonly ConcurrentDictionary<string, Expectation> expectations = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> requests = new();

    /// <summary>Completes with the timestamp of the response that made <paramref name="children"/> distinct children applied in <paramref name="ns"/>.</summary>
    public Task<long> Expect(string ns, int children)
    {
        var expectation = new Expectation(children);
        expectations[ns] = expectation;
        return expectation.Done.Task;
    }

    /// <summary>The requests the operator sent for a namespace, by method and resource.</summary>
    public string Describe(string ns) =>
        requests.TryGetValue(ns, out var counts) ? string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} x{c.Value}")) : "none";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        var segments = path.Split('/');
        var at = Array.IndexOf(segments, "namespaces");
        if (at < 0 || at + 2 >= segments.Length || request.RequestUri.Query.Contains("watch=true", StringComparison.Ordinal))
        {
            return response;
        }

        var ns = segments[at + 1];
        requests.GetOrAdd(ns, _ => new()).AddOrUpdate($"{request.Method} {segments[at + 2]}", 1, (_, n) => n + 1);
        if (request.Method == HttpMethod.Patch && response.IsSuccessStatusCode
            && ChildCollections.Any(c => path.Contains(c, StringComparison.Ordinal))
            && expectations.TryGetValue(ns, out var expectation))
        {
            expectation.Applied(path);
        }

        return response;
    }

    private sealed class Expectation(int children)
    {
        private readonly HashSet<string> applied = [];

        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Applied(string path)
        {
            lock (applied)
            {
                if (applied.Add(path) && applied.Count == children)
                {
                    Done.TrySetResult(Stopwatch.GetTimestamp());
                }
            }
        }
    }
}

/// <summary>kubectl against the local control plane, as admin (LocalCluster's runner, failing on a non-zero exit).</summary>
internal sealed class AdminKubectl(string kubeconfig)
{
    public string Kubeconfig { get; } = kubeconfig;

    public async Task RunAsync(params string[] args) =>
        (await MetricsOperator.LocalCluster.Kubectl.RunAsync(Kubeconfig, args)).EnsureSuccess();
}

/// <summary>Finds the checkout (config/ is read from it).</summary>
internal static class Repository
{
    public static string Root()
    {
        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Operator.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the checkout.");
    }
}
