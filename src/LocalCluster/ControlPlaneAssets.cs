namespace MetricsOperator.LocalCluster;

/// <summary>
/// Finds the kube-apiserver and etcd binaries the control plane runs: a
/// KUBEBUILDER_ASSETS-style folder given by the environment, else the cache that
/// <c>hack/kube-apiserver.sh</c> fills.
/// </summary>
public static class ControlPlaneAssets
{
    /// <summary>The Kubernetes version the cached API server is built from.</summary>
    public const string KubernetesVersion = "1.20.2";

    /// <summary>
    /// The cache folder <c>hack/kube-apiserver.sh</c> builds into: the version plus the build
    /// recipe's revision (keep in step with RECIPE there).
    /// </summary>
    public const string CacheFolder = $"kube-apiserver-{KubernetesVersion}-r2";

    /// <summary>Returns the folder holding <c>kube-apiserver</c> and <c>etcd</c>, or throws saying how to get them.</summary>
    public static string Locate()
    {
        var candidates = new List<string>();
        var fromEnv = Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            candidates.Add(fromEnv);
        }

        var cacheRoot = Environment.GetEnvironmentVariable("METRICS_OPERATOR_CACHE") ?? "/var/cache/metrics-operator";
        candidates.Add(Path.Combine(cacheRoot, CacheFolder));

        foreach (var folder in candidates)
        {
            if (File.Exists(Path.Combine(folder, "kube-apiserver")) && File.Exists(Path.Combine(folder, "etcd")))
            {
                return folder;
            }
        }

        throw new InvalidOperationException(
            $"No kube-apiserver/etcd found in {string.Join(" or ", candidates)}. " +
            "Run `bash hack/kube-apiserver.sh` once (it installs etcd and builds kube-apiserver " +
            $"{KubernetesVersion} from Debian's source package), or set KUBEBUILDER_ASSETS.");
    }
}
