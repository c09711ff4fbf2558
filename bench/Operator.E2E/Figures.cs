namespace MetricsOperator.E2E;

/// <summary>What one run of the published operator measured.</summary>
internal sealed record Figures
{
    public required string Variant { get; init; }

    public double HealthzMs { get; init; }

    public double FirstReconcileMs { get; init; }

    public double StacksReadySeconds { get; init; }

    public double AlertsSyncedSeconds { get; init; }

    /// <summary>
    /// The least time the sync could take on this machine for the control plane's own part: the CPU time kube-apiserver
    /// and etcd used over it, spread over every core with nothing else running.
    /// </summary>
    public double ControlPlaneFloorSeconds { get; init; }

    public double EditP50Ms { get; init; }

    public double EditP99Ms { get; init; }

    /// <summary>The operator's CPU time (user + system) from the first AppAlert create to all synced, per AppAlert.</summary>
    public double SyncCpuMsPerAlert { get; init; }

    /// <summary>The operator's CPU time per edit, in the edit phase (steady state: the code is JIT'd by then).</summary>
    public double EditCpuMs { get; init; }

    public double PeakRssMiB { get; init; }

    public double LoadedRssMiB { get; init; }

    public double RssBeforeRestartsMiB { get; init; }

    public double RssAfterRestartsMiB { get; init; }

    public double HeapBeforeRestartsMiB { get; init; }

    public double HeapAfterRestartsMiB { get; init; }

    public int IdleApiRequests { get; init; }

    public int IdleApiWrites { get; init; }

    public long IdleGrafanaRequests { get; init; }

    public long IdleWrites { get; init; }

    public long ContractViolations { get; init; }
}
