using k8s;
using k8s.Models;
using MetricsOperator.LocalCluster;

namespace MetricsOperator.TestSupport;

/// <summary>Installs the repository's generated manifests on a control plane.</summary>
public static class ClusterSetup
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly HashSet<Uri> Installed = [];

    /// <summary>
    /// Applies <c>config/crd</c> and <c>config/rbac</c> (once per control plane) and waits
    /// until every CRD is Established.
    /// </summary>
    public static async Task InstallGeneratedAsync(ControlPlane plane, CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (Installed.Contains(plane.Server))
            {
                return;
            }

            await plane.EnsureNamespaceAsync(Identity.OperatorNamespace);
            foreach (var folder in new[] { "config/crd", "config/rbac" })
            {
                if (Directory.Exists(RepoPaths.InRepo(folder)))
                {
                    (await plane.KubectlAsync(["apply", "--server-side", "--force-conflicts", "-f", RepoPaths.InRepo(folder)],
                        cancellationToken: cancellationToken)).EnsureSuccess();
                }
            }

            await WaitForCrdsEstablishedAsync(plane, cancellationToken);
            Installed.Add(plane.Server);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Binds the operator's stack-namespace role in <paramref name="ns"/>, as a MetricsStack's namespace needs.</summary>
    public static async Task BindStackNamespaceAsync(ControlPlane plane, string ns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plane);
        (await plane.KubectlAsync(["apply", "-n", ns, "-f", "-"], stdin: StackNamespaceBinding.For(RepoPaths.Root, ns), cancellationToken: cancellationToken))
            .EnsureSuccess();
    }

    /// <summary>Waits until every CustomResourceDefinition on the server reports Established=True.</summary>
    public static async Task WaitForCrdsEstablishedAsync(ControlPlane plane, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var crds = await plane.AdminClient.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: cancellationToken);
            var pending = crds.Items.Where(crd => !IsEstablished(crd)).Select(crd => crd.Metadata.Name).ToList();
            if (pending.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"CRDs not Established: {string.Join(", ", pending)}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static bool IsEstablished(V1CustomResourceDefinition crd) =>
        crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;
}
