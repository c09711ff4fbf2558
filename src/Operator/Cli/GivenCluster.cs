using k8s;

namespace MetricsOperator.Cli;

/// <summary>Which cluster a command talks to when none is built for it.</summary>
internal static class GivenCluster
{
    /// <summary>
    /// The cluster named by the flag, else the pod's ServiceAccount, else the file KUBECONFIG names, else
    /// ~/.kube/config; null if none. Read with <see cref="KubeconfigFile"/>, never KubernetesClient's readers (its
    /// remarks say why).
    /// </summary>
    public static KubernetesClientConfiguration? Find(string? kubeconfigFlag)
    {
        if (!string.IsNullOrEmpty(kubeconfigFlag))
        {
            return KubeconfigFile.Load(kubeconfigFlag);
        }

        if (KubernetesClientConfiguration.IsInCluster())
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG");
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        var path = !string.IsNullOrEmpty(fromEnvironment) ? fromEnvironment : File.Exists(home) ? home : null;
        return path is null ? null : KubeconfigFile.Load(path);
    }
}
