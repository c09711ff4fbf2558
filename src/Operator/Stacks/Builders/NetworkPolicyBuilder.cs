using k8s.Models;
using MetricsOperator.Crds;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Ingress rules for the stack's pods: deny by default, then allow exactly the paths the design needs
/// (apps of opted-in namespaces → Telegraf's listener; Telegraf, Grafana, the dashboard cache and the operator → InfluxDB;
/// people → Grafana; Grafana → the dashboard cache).
/// NetworkPolicies are additive, so each allow policy opens one path on top of the default deny.
/// </summary>
public static class NetworkPolicyBuilder
{
    /// <summary>
    /// The namespace label Kubernetes sets on every namespace from 1.21 (on 1.20 it must be added by hand to the
    /// operator's namespace): the stable way to select one namespace by name.
    /// </summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>Every policy of the stack, in apply order.</summary>
    public static IReadOnlyList<V1NetworkPolicy> Build(DefaultedStack stack, StackBuildOptions options)
    {
        var policies = new List<V1NetworkPolicy> { DefaultDeny(stack), InfluxDb(stack, options), Telegraf(stack) };
        if (stack.Grafana.IsManaged)
        {
            policies.Add(Grafana(stack, options));
        }

        if (TricksterBuilder.IsEnabled(stack))
        {
            policies.Add(Trickster(stack));
        }

        return policies;
    }

    /// <summary>Selects every pod of the stack and allows no ingress: anything not allowed below is refused.</summary>
    public static V1NetworkPolicy DefaultDeny(V1Alpha1MetricsStack stack) =>
        Policy(stack, StackNames.DefaultDenyPolicy(stack), StackLabels.Network, StackLabels.AllPods(stack), ingress: []);

    /// <summary>
    /// InfluxDB's port is reachable only from Telegraf (writes), the managed Grafana (reads), the stack's backup Jobs
    /// when InfluxDB is backed up to a claim, and the operator, which bootstraps InfluxDB and makes the tokens: pods
    /// with the operator's labels in the operator's namespace. With spec.influxdb.ingress, also the ingress controller's
    /// namespace (its controllerNamespaceSelector, default <c>kubernetes.io/metadata.name: ingress-nginx</c>), the path
    /// an external Grafana's queries take.
    /// </summary>
    public static V1NetworkPolicy InfluxDb(DefaultedStack stack, StackBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var peers = new List<V1NetworkPolicyPeer>
        {
            new() { PodSelector = Selector(StackLabels.Selector(stack, StackLabels.Telegraf)) },
        };
        if (stack.Grafana.IsManaged)
        {
            peers.Add(new V1NetworkPolicyPeer { PodSelector = Selector(StackLabels.Selector(stack, StackLabels.Grafana)) });
        }

        if (TricksterBuilder.IsEnabled(stack))
        {
            peers.Add(new V1NetworkPolicyPeer { PodSelector = Selector(StackLabels.Selector(stack, StackLabels.Trickster)) });
        }

        if (stack.Spec?.Backup?.InfluxDb?.Destination.Pvc is not null)
        {
            // Backups to a claim run as Jobs in the stack's namespace (Backup/Jobs/BackupJobBuilder).
            // Only InfluxDB's: the Grafana backup pods hold Grafana's admin credentials and have no business here.
            var backupPods = StackLabels.Selector(stack, Backup.Jobs.BackupJobBuilder.Component);
            backupPods[Backup.Jobs.BackupJobBuilder.KindLabel] = Backup.Scheduling.BackupKinds.InfluxDb;
            peers.Add(new V1NetworkPolicyPeer { PodSelector = Selector(backupPods) });
        }

        if (stack.Spec?.InfluxDb?.Ingress is { } ingress)
        {
            peers.Add(new V1NetworkPolicyPeer { NamespaceSelector = Selector(ControllerNamespace(ingress.ControllerNamespaceSelector)) });
        }

        peers.Add(new V1NetworkPolicyPeer
        {
            NamespaceSelector = Selector(new SortedDictionary<string, string>(StringComparer.Ordinal) { [NamespaceNameLabel] = options.OperatorNamespace }),
            PodSelector = Selector(new SortedDictionary<string, string>(options.OperatorPodLabels.ToDictionary(), StringComparer.Ordinal)),
        });

        return Policy(stack, StackNames.AllowPolicy(stack, StackLabels.InfluxDb), StackLabels.InfluxDb,
            StackLabels.Selector(stack, StackLabels.InfluxDb),
            [new V1NetworkPolicyIngressRule { FromProperty = peers, Ports = [Port(StackNames.InfluxDbPort)] }]);
    }

    /// <summary>
    /// Telegraf's listener admits pods of the namespaces that opted in to this stack (label
    /// <c>metrics.lsst.io/write-token=&lt;stack&gt;</c>, the same label that brings them the token) and no one else.
    /// </summary>
    public static V1NetworkPolicy Telegraf(DefaultedStack stack)
    {
        var listenerPort = stack.Telegraf.ListenerPort;
        var writers = new V1NetworkPolicyPeer
        {
            NamespaceSelector = Selector(new SortedDictionary<string, string>(StringComparer.Ordinal) { [WriteTokenSecrets.OptInLabel] = stack.Metadata.Name }),
        };
        return Policy(stack, StackNames.AllowPolicy(stack, StackLabels.Telegraf), StackLabels.Telegraf,
            StackLabels.Selector(stack, StackLabels.Telegraf),
            [new V1NetworkPolicyIngressRule { FromProperty = [writers], Ports = [Port(listenerPort)] }]);
    }

    /// <summary>
    /// Grafana's HTTP port. Without spec.grafana.ingress it is open to any source: people reach it through an ingress
    /// controller whose namespace differs per cluster. With it, the port admits only the controller's namespace
    /// (spec.grafana.ingress.controllerNamespaceSelector, default <c>kubernetes.io/metadata.name: ingress-nginx</c>),
    /// the operator (alerting through the API) and the stack's Grafana backup Jobs: behind an authenticating proxy,
    /// a pod that could reach Grafana directly could set the user header itself.
    /// </summary>
    public static V1NetworkPolicy Grafana(DefaultedStack stack, StackBuildOptions? options = null)
    {
        options ??= StackBuildOptions.Default;
        var ingress = stack.Grafana.Ingress;
        if (ingress is null)
        {
            return Policy(stack, StackNames.AllowPolicy(stack, StackLabels.Grafana), StackLabels.Grafana,
                StackLabels.Selector(stack, StackLabels.Grafana),
                [new V1NetworkPolicyIngressRule { Ports = [Port(StackNames.GrafanaPort)] }]);
        }

        var controller = ControllerNamespace(ingress.ControllerNamespaceSelector);
        var backupPods = StackLabels.Selector(stack, Backup.Jobs.BackupJobBuilder.Component);
        backupPods[Backup.Jobs.BackupJobBuilder.KindLabel] = Backup.Scheduling.BackupKinds.Grafana;
        var peers = new List<V1NetworkPolicyPeer>
        {
            new() { NamespaceSelector = Selector(controller) },
            new()
            {
                NamespaceSelector = Selector(new SortedDictionary<string, string>(StringComparer.Ordinal) { [NamespaceNameLabel] = options.OperatorNamespace }),
                PodSelector = Selector(new SortedDictionary<string, string>(options.OperatorPodLabels.ToDictionary(), StringComparer.Ordinal)),
            },
            new() { PodSelector = Selector(backupPods) },
        };
        return Policy(stack, StackNames.AllowPolicy(stack, StackLabels.Grafana), StackLabels.Grafana,
            StackLabels.Selector(stack, StackLabels.Grafana),
            [new V1NetworkPolicyIngressRule { FromProperty = peers, Ports = [Port(StackNames.GrafanaPort)] }]);
    }

    /// <summary>The ingress controller's namespace when an Ingress spec names none: ingress-nginx's, as in Phalanx.</summary>
    public const string DefaultIngressControllerNamespace = "ingress-nginx";

    // The labels of the ingress controller's namespace: those given, or ingress-nginx's namespace by name.
    private static SortedDictionary<string, string> ControllerNamespace(IDictionary<string, string>? given) =>
        given is { Count: > 0 }
            ? new SortedDictionary<string, string>(given.ToDictionary(), StringComparer.Ordinal)
            : new SortedDictionary<string, string>(StringComparer.Ordinal) { [NamespaceNameLabel] = DefaultIngressControllerNamespace };

    /// <summary>
    /// The dashboard cache: its proxy port admits the managed Grafana only, and it may open connections to InfluxDB's
    /// port and to DNS (to resolve InfluxDB's Service name) and nowhere else. Its metrics port admits no one:
    /// <c>kubectl port-forward</c>, which reaches the pod through the kubelet, is how people read it (docs/cache.md).
    /// </summary>
    public static V1NetworkPolicy Trickster(V1Alpha1MetricsStack stack)
    {
        var policy = Policy(stack, StackNames.AllowPolicy(stack, StackLabels.Trickster), StackLabels.Trickster,
            StackLabels.Selector(stack, StackLabels.Trickster),
            [new V1NetworkPolicyIngressRule
            {
                FromProperty = [new V1NetworkPolicyPeer { PodSelector = Selector(StackLabels.Selector(stack, StackLabels.Grafana)) }],
                Ports = [Port(StackNames.TricksterPort)],
            }]);
        policy.Spec.PolicyTypes = ["Ingress", "Egress"];
        policy.Spec.Egress =
        [
            new V1NetworkPolicyEgressRule
            {
                To = [new V1NetworkPolicyPeer { PodSelector = Selector(StackLabels.Selector(stack, StackLabels.InfluxDb)) }],
                Ports = [Port(StackNames.InfluxDbPort)],
            },
            // The cluster DNS lives in a namespace and under labels that differ per cluster: any destination, port 53 only.
            new V1NetworkPolicyEgressRule
            {
                Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new V1NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
            },
        ];
        return policy;
    }

    private static V1NetworkPolicy Policy(V1Alpha1MetricsStack stack, string name, string component, IDictionary<string, string> pods, IList<V1NetworkPolicyIngressRule> ingress) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = V1NetworkPolicy.KubeKind,
        Metadata = ObjectMetaBuilder.Owned(stack, name, component),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = Selector(pods),
            PolicyTypes = ["Ingress"],
            Ingress = ingress.Count > 0 ? ingress : null,
        },
    };

    private static V1LabelSelector Selector(IDictionary<string, string> labels) => new() { MatchLabels = labels };

    private static V1NetworkPolicyPort Port(int port) => new() { Protocol = "TCP", Port = port };
}
