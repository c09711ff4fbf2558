using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Controller;
using MetricsOperator.Stack.Bench;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

// Stack apply benchmark, on the local control plane (etcd + kube-apiserver 1.20, no kubelet):
//   operator: time from `kubectl apply -f <MetricsStack>` until the operator (in this process, as its ServiceAccount,
//             through the real runtime Manager) has applied every child;
//   kubectl:  time of `kubectl apply --server-side -f <render output of the same stack>`.
// Alternating, in fresh namespaces, after one warm-up of each; prints each median and the ratio (goal <= 1.2).
//   dotnet run -c Release --project bench/Stack.Bench -- [repetitions=9] [sample=config/samples/metrics.lsst.io_v1alpha1_metricsstack.yaml]
var repetitions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
var root = Repository.Root();
var samplePath = Path.GetFullPath(args.Length > 1 ? args[1] : Path.Combine(root, "config", "samples", "metrics.lsst.io_v1alpha1_metricsstack.yaml"));
using var sampleReader = new StreamReader(samplePath);
var sample = StackManifests.Read(sampleReader).Stacks.Single();

await using var plane = await LocalControlPlane.StartAsync();
var kubectl = new AdminKubectl(Path.Combine(plane.RunFolder, "admin.kubeconfig"));
await File.WriteAllTextAsync(kubectl.Kubeconfig, Kubeconfig.Render(plane.Server, "admin", plane.AdminToken));
await kubectl.RunAsync("create", "namespace", Identity.OperatorNamespace);
await kubectl.RunAsync("apply", "--server-side", "-f", Path.Combine(root, "config", "crd"));
await kubectl.RunAsync("apply", "--server-side", "-f", Path.Combine(root, "config", "rbac"));
await kubectl.RunAsync("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");

using var admin = new KubeApi(new KubernetesClientConfiguration { Host = plane.Server.ToString(), AccessToken = plane.AdminToken, SkipTlsVerify = true });
var clock = new ApplyClock();
using var operatorApi = new KubeApi(new KubernetesClientConfiguration { Host = plane.Server.ToString(), AccessToken = plane.OperatorToken, SkipTlsVerify = true }, clock);
await using var manager = new Manager(operatorApi, new ManagerOptions { Workers = 2 });
manager.NewController().For<V1Alpha1MetricsStack>()
    .Named(MetricsStackReconciler.ControllerName)
    .Owns<V1StatefulSet>().Owns<V1Deployment>().Owns<V1Service>().Owns<V1ConfigMap>().Owns<V1PersistentVolumeClaim>().Owns<V1NetworkPolicy>()
    .WithFinalizer(new MetricsStackFinalizer(operatorApi))
    .Complete(new MetricsStackReconciler(manager, StackBuildOptions.Default));
using var stop = new CancellationTokenSource();
var running = Task.Run(() => manager.RunAsync(stop.Token));
while (!manager.IsReady)
{
    await Task.Delay(20);
}

var childCount = StackBuilder.Build(DefaultedStack.Of(sample)).Count;
Console.WriteLine($"Stack apply benchmark: {Path.GetFileName(samplePath)} ({childCount} children), kube-apiserver 1.20.2 at {plane.Server}, {repetitions} repetitions after a warm-up");

var operatorTimes = new List<double>();
var kubectlTimes = new List<double>();
for (var i = 0; i <= repetitions; i++)
{
    var viaOperator = await ViaOperatorAsync(i);
    var viaKubectl = await ViaKubectlAsync(i);
    if (i == 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up  operator {viaOperator,7:F0} ms   kubectl {viaKubectl,7:F0} ms"));
        continue;
    }

    operatorTimes.Add(viaOperator);
    kubectlTimes.Add(viaKubectl);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {i,-4} operator {viaOperator,7:F0} ms   kubectl {viaKubectl,7:F0} ms"));
}

var operatorMedian = Median(operatorTimes);
var kubectlMedian = Median(kubectlTimes);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: operator {operatorMedian:F0} ms (kubectl apply of the MetricsStack until every child applied), kubectl {kubectlMedian:F0} ms (kubectl apply --server-side of the render output)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio operator/kubectl: {operatorMedian / kubectlMedian:F2} (goal <= 1.2)"));
Console.WriteLine($"operator requests per stack (last run): {clock.Describe($"bench-op-{repetitions}")}");

await stop.CancelAsync();
await running;
return 0;

async Task<double> ViaOperatorAsync(int run)
{
    var ns = $"bench-op-{run}";
    await PrepareNamespaceAsync(ns);
    var applied = clock.Expect(ns, childCount);
    var started = Stopwatch.GetTimestamp();
    await kubectl.RunAsync("apply", "-n", ns, "-f", samplePath);
    var finished = await applied.WaitAsync(TimeSpan.FromSeconds(60));
    return Stopwatch.GetElapsedTime(started, finished).TotalMilliseconds;
}

async Task<double> ViaKubectlAsync(int run)
{
    var ns = $"bench-kc-{run}";
    await PrepareNamespaceAsync(ns);
    // The render output as `render` prints it, with an owner uid as the API server would have assigned (no stack
    // exists here, so the operator leaves these objects alone).
    var stack = SchemaDefaults.Applied(sample);
    stack.Metadata.NamespaceProperty = ns;
    stack.Metadata.Uid = Guid.NewGuid().ToString();
    var file = Path.Combine(plane.RunFolder, $"{ns}.yaml");
    await File.WriteAllTextAsync(file, StackManifests.Write(StackBuilder.Build(DefaultedStack.Of(stack))));
    var started = Stopwatch.GetTimestamp();
    await kubectl.RunAsync("apply", "--server-side", "--field-manager=metrics-operator", "-n", ns, "-f", file);
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

// Not timed: the namespace, the stack-namespace RoleBinding and the Secrets the sample names (Phalanx's VaultSecrets).
async Task PrepareNamespaceAsync(string ns)
{
    await admin.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
    await admin.CreateAsync(new V1RoleBinding
    {
        Metadata = new V1ObjectMeta { Name = "metrics-operator-stack-namespace", NamespaceProperty = ns },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "metrics-operator-stack-namespace" },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = Identity.OperatorServiceAccount, NamespaceProperty = Identity.OperatorNamespace }],
    });
    foreach (var use in StackValidation.SecretUses(DefaultedStack.Of(sample)).GroupBy(u => u.Name))
    {
        var keys = use.Select(u => u.Key).OfType<string>().DefaultIfEmpty("value").Distinct();
        await admin.CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = use.Key, NamespaceProperty = ns },
            Data = keys.ToDictionary(k => k, _ => "not-a-real-value"u8.ToArray()),
        });
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
