using System.CommandLine;
using k8s;
using MetricsOperator.Hosting;
using MetricsOperator.Local;
using MetricsOperator.Runtime.Hosting;

namespace MetricsOperator.Cli;

/// <summary>
/// <c>run</c>: the operator itself. Given a cluster (--kubeconfig, KUBECONFIG, ~/.kube/config
/// or the pod's ServiceAccount) it reconciles there; given none, it starts the local control
/// plane, installs CRDs, RBAC and samples, and reconciles those as its own ServiceAccount.
/// </summary>
internal static class RunCommand
{
    /// <summary>The <c>run</c> command.</summary>
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Path of a kubeconfig. Default: KUBECONFIG, ~/.kube/config, or in-cluster; with none of them, a local control plane." };
        var local = new Option<bool>("--local") { Description = "Start the local control plane even when a cluster is configured." };
        var noSamples = new Option<bool>("--no-samples") { Description = "On the local control plane, install CRDs and RBAC but not config/samples." };
        var ns = new Option<string?>("--namespace") { Description = "Watch only this namespace (default: all)." };
        var workers = new Option<int>("--workers") { Description = "Reconcile workers per controller.", DefaultValueFactory = _ => 2 };
        var resync = new Option<TimeSpan>("--resync-period") { Description = "How often unchanged objects are reconciled again (drift repair), e.g. 00:10:00.", DefaultValueFactory = _ => TimeSpan.FromMinutes(10) };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Take a coordination.k8s.io Lease before reconciling (run more than one replica)." };
        var leaseNamespace = new Option<string>("--lease-namespace") { Description = "Namespace of the leader-election Lease.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "metrics-operator" };
        var backupImage = new Option<string?>("--backup-image") { Description = "The operator's own image, run by the Jobs that back up to a PersistentVolumeClaim (the chart passes the Deployment's image). Default: OPERATOR_IMAGE.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("OPERATOR_IMAGE") };
        var backupPullPolicy = new Option<string>("--backup-image-pull-policy") { Description = "imagePullPolicy of the backup Jobs.", DefaultValueFactory = _ => "IfNotPresent" };
        backupPullPolicy.AcceptOnlyFromAmong("Always", "IfNotPresent", "Never");
        var backupPullSecrets = new Option<string[]>("--backup-image-pull-secret") { Description = "A Secret the backup Jobs pull the image with; it must exist in each stack namespace. Repeatable." };
        var influxUrl = new Option<Uri?>("--influxdb-url") { CustomParser = AbsoluteUrl, Description = "Reach every stack's InfluxDB at this URL instead of its in-cluster Service (an operator outside the cluster, through kubectl port-forward; hack/run.sh's simulated InfluxDB)." };
        var grafanaUrl = new Option<Uri?>("--grafana-url") { CustomParser = AbsoluteUrl, Description = "Reach every managed Grafana at this URL instead of its in-cluster Service (as --influxdb-url). External Grafanas keep their spec.grafana.url." };
        var noQueryCheck = new Option<bool>("--no-query-check") { Description = "Sync AppAlert rules without first checking their queries against the stack's InfluxDB (for an operator that cannot reach it)." };
        var probeAddress = new Option<string>("--probe-address") { Description = "Where /healthz, /readyz and /metrics listen.", DefaultValueFactory = _ => "http://0.0.0.0:8080" };
        probeAddress.Validators.Add(result =>
        {
            if (!ProbeAddress.TryParse(result.GetValueOrDefault<string>() ?? "", out _, out var problem))
            {
                result.AddError($"--probe-address: {problem}");
            }
        });

        var command = new Command("run", "Runs the operator (on the local control plane when no cluster is given).")
        {
            kubeconfig, local, noSamples, ns, workers, resync, leaderElect, leaseNamespace, probeAddress, backupImage, backupPullPolicy, backupPullSecrets, influxUrl, grafanaUrl, noQueryCheck,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new OperatorOptions
            {
                Namespace = parse.GetValue(ns),
                Workers = parse.GetValue(workers),
                ResyncPeriod = parse.GetValue(resync),
                LeaderElection = parse.GetValue(leaderElect),
                LeaseNamespace = parse.GetValue(leaseNamespace)!,
                ProbeAddress = parse.GetValue(probeAddress)!,
                BackupImage = parse.GetValue(backupImage) is { Length: > 0 } image ? image : null,
                BackupImagePullPolicy = parse.GetValue(backupPullPolicy)!,
                BackupImagePullSecrets = parse.GetValue(backupPullSecrets) ?? [],
                InfluxDbUrl = parse.GetValue(influxUrl),
                GrafanaUrl = parse.GetValue(grafanaUrl),
                QueryChecks = !parse.GetValue(noQueryCheck),
            };
            var given = GivenCluster.Find(parse.GetValue(kubeconfig));
            if (given is not null && !parse.GetValue(local))
            {
                return await RunAsync(options, given, cancellationToken);
            }

            await using var environment = await LocalEnvironment.StartAsync(RepositoryRoot(), !parse.GetValue(noSamples), Console.Out, cancellationToken);
            PrintLocalSummary(environment, simulated: options.InfluxDbUrl is not null);
            using var stopSummary = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var summary = LocalSummary.PrintPeriodicallyAsync(environment, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), Console.Out, simulated: options.InfluxDbUrl is not null, stopSummary.Token);
            var exitCode = await RunAsync(options, environment.OperatorConfiguration, cancellationToken);
            await stopSummary.CancelAsync();
            await summary;
            return exitCode;
        });
        return command;
    }

    // 1 when the manager stopped on an error (an informer that cannot read what it lists): the container's restart
    // count and the pod's last state then say it failed.
    private static async Task<int> RunAsync(OperatorOptions options, KubernetesClientConfiguration kubernetes, CancellationToken cancellationToken)
    {
        var app = OperatorHost.Build(options, kubernetes); // RunAsync disposes it
        if (OperatorControllers.Names.Count == 0)
        {
            Console.WriteLine("No reconcilers are registered in this build yet: the runtime runs (probes, metrics, leader election) but reconciles nothing.");
        }
        else
        {
            Console.WriteLine($"Controllers: {string.Join(", ", OperatorControllers.Names)}. Probes and metrics on {options.ProbeAddress}.");
        }

        Console.WriteLine(RuntimeSettings.Describe());
        Console.WriteLine(NativeHeap.FixMmapThreshold()
            ? $"C allocator: blocks of {NativeHeap.MmapThresholdBytes / 1024} KiB and more mapped on their own and unmapped when freed."
            : "C allocator: not glibc's, left as it is.");

        var manager = app.Services.GetRequiredService<Runtime.Controller.Manager>(); // before the run disposes the services
        await app.RunAsync(cancellationToken);
        return manager.Failure is null ? 0 : 1;
    }

    // An absolute http(s) URL, or the parse error that names the option.
    private static Uri? AbsoluteUrl(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }

        result.AddError($"{(result.Parent as System.CommandLine.Parsing.OptionResult)?.Option.Name}: \"{text}\" is not an absolute http(s) URL");
        return null;
    }

    private static void PrintLocalSummary(LocalEnvironment environment, bool simulated)
    {
        var pods = simulated
            ? "no kubelet: hack/run.sh's [simulated] kubelet stand-in plays one, and InfluxDB and Grafana are [simulated] stand-ins"
            : "no kubelet: pods are never scheduled or run here, so workloads never become ready";
        Console.WriteLine($"""

            Local control plane ready at {environment.Plane.Server} ({pods}; every object the operator creates is visible with kubectl).
            From another terminal:
              kubectl --kubeconfig {environment.AdminKubeconfig} get metricsstacks,appalerts -A
              kubectl --kubeconfig {environment.AdminKubeconfig} get statefulsets,deployments,services,configmaps,networkpolicies -n metrics
            The operator runs as system:serviceaccount:metrics-operator:metrics-operator, with only config/rbac's permissions.

            """);
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Operator.sln")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new InvalidOperationException("The local control plane installs config/ from this repository: run from inside the checkout.");
    }
}
