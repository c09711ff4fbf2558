using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Runtime.Leader;

/// <summary>Leader election settings (client-go's defaults).</summary>
public sealed record LeaderElectionOptions
{
    /// <summary>The Lease's name.</summary>
    public string LeaseName { get; init; } = "metrics-operator-leader";

    /// <summary>The Lease's namespace (usually the operator's own).</summary>
    public string LeaseNamespace { get; init; } = "default";

    /// <summary>This instance's identity (default: host name plus a random suffix).</summary>
    public string Identity { get; init; } = Environment.MachineName + "_" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>How long a lease is valid after its last renewal: followers wait this long before taking over. Default 15 s.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it gives up leading. Default 10 s.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often candidates try to acquire and the leader renews. Default 2 s.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Give the lease up on graceful shutdown, so a follower takes over at once. Default true.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, like client-go's: candidates try every retry period to take a
/// lease that is free or expired (expiry judged by this process's clock from when it last saw the record change, so
/// clock skew does not matter); the leader renews every retry period and stops leading when it could not renew within
/// the renew deadline. Leading work gets a token cancelled the moment leadership is lost.
/// </summary>
public sealed class LeaderElector
{
    private readonly KubeApi api;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private string? observedRecord;
    private long observedAt;
    private volatile bool isLeader;

    /// <summary>Creates an elector.</summary>
    public LeaderElector(KubeApi api, LeaderElectionOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.LeaseDuration <= options.RenewDeadline || options.RenewDeadline <= options.RetryPeriod)
        {
            throw new ArgumentException("Leader election needs LeaseDuration > RenewDeadline > RetryPeriod.", nameof(options));
        }

        this.logger = logger ?? NullLogger.Instance;
        time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The settings.</summary>
    public LeaderElectionOptions Options { get; }

    /// <summary>True while this instance holds the lease.</summary>
    public bool IsLeader => isLeader;

    /// <summary>Raised with true when leadership starts and false when it ends.</summary>
    public event EventHandler<bool>? LeadershipChanged;

    /// <summary>
    /// Campaigns until <paramref name="cancellationToken"/> is cancelled. Each time this instance becomes leader it runs
    /// <paramref name="lead"/> with a token cancelled as soon as leadership is lost (or on shutdown), waits for it to
    /// return, and campaigns again. On shutdown it releases the lease when <see cref="LeaderElectionOptions.ReleaseOnCancel"/>.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            SetLeader(true);
            var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
            await RenewUntilLostAsync(work, leading.Token).ConfigureAwait(false);
            SetLeader(false);
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            if (cancellationToken.IsCancellationRequested && Options.ReleaseOnCancel)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One attempt to take or renew the lease; true when this instance holds it afterwards.</summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var lease = await api.GetAsync<V1Lease>(Options.LeaseNamespace, Options.LeaseName, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            try
            {
                await api.CreateAsync(
                    new V1Lease
                    {
                        Metadata = new V1ObjectMeta { Name = Options.LeaseName, NamespaceProperty = Options.LeaseNamespace },
                        Spec = new V1LeaseSpec
                        {
                            HolderIdentity = Options.Identity,
                            LeaseDurationSeconds = (int)Options.LeaseDuration.TotalSeconds,
                            AcquireTime = now,
                            RenewTime = now,
                            LeaseTransitions = 0,
                        },
                    },
                    cancellationToken).ConfigureAwait(false);
                Observe(Options.Identity, now);
                return true;
            }
            catch (KubeApiException e) when (e.IsConflict)
            {
                return false;
            }
        }

        var spec = lease.Spec ??= new V1LeaseSpec();
        var holder = spec.HolderIdentity;
        var record = holder + "|" + spec.RenewTime?.Ticks;
        if (record != observedRecord)
        {
            observedRecord = record;
            observedAt = time.GetTimestamp();
        }

        var duration = spec.LeaseDurationSeconds is > 0 ? TimeSpan.FromSeconds(spec.LeaseDurationSeconds.Value) : Options.LeaseDuration;
        if (!string.IsNullOrEmpty(holder) && holder != Options.Identity && time.GetElapsedTime(observedAt) < duration)
        {
            return false;
        }

        if (holder != Options.Identity)
        {
            spec.AcquireTime = now;
            spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
        }

        spec.HolderIdentity = Options.Identity;
        spec.RenewTime = now;
        spec.LeaseDurationSeconds = (int)Options.LeaseDuration.TotalSeconds;
        try
        {
            await api.ReplaceAsync(lease, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            return false;
        }

        Observe(Options.Identity, now);
        return true;
    }

    private void Observe(string holder, DateTime renewTime)
    {
        observedRecord = holder + "|" + renewTime.Ticks;
        observedAt = time.GetTimestamp();
    }

    private void SetLeader(bool value)
    {
        if (isLeader == value)
        {
            return;
        }

        isLeader = value;
        if (value)
        {
            logger.LogInformation("Became leader ({Identity}) of lease {Lease}", Options.Identity, Options.LeaseName);
        }
        else
        {
            logger.LogInformation("Stopped leading ({Identity}) lease {Lease}", Options.Identity, Options.LeaseName);
        }

        LeadershipChanged?.Invoke(this, value);
    }

    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await TryAsync(cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            try
            {
                await Task.Delay(Jitter(Options.RetryPeriod), time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    private async Task RenewUntilLostAsync(Task work, CancellationToken cancellationToken)
    {
        var lastRenew = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested && !work.IsCompleted)
        {
            try
            {
                await Task.Delay(Options.RetryPeriod, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var left = Options.RenewDeadline - time.GetElapsedTime(lastRenew);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (await TryAsync(deadline.Token).ConfigureAwait(false))
            {
                lastRenew = time.GetTimestamp();
            }
            else if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            else if (time.GetElapsedTime(lastRenew) >= Options.RenewDeadline || (observedRecord is { } r && !r.StartsWith(Options.Identity + "|", StringComparison.Ordinal)))
            {
                logger.LogWarning("Lost lease {Lease}: could not renew it", Options.LeaseName);
                return;
            }
        }
    }

    private async Task<bool> TryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            logger.LogDebug("Lease {Lease} attempt failed: {Error}", Options.LeaseName, ErrorText.Of(e));
            return false;
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(Options.RenewDeadline);
            var lease = await api.GetAsync<V1Lease>(Options.LeaseNamespace, Options.LeaseName, timeout.Token).ConfigureAwait(false);
            if (lease?.Spec?.HolderIdentity != Options.Identity)
            {
                return;
            }

            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = time.GetUtcNow().UtcDateTime;
            await api.ReplaceAsync(lease, timeout.Token).ConfigureAwait(false);
            logger.LogInformation("Released lease {Lease}", Options.LeaseName);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            logger.LogWarning("Could not release lease {Lease}: {Error}", Options.LeaseName, ErrorText.Of(e));
        }
    }

    private static TimeSpan Jitter(TimeSpan delay) => delay * (1 + (Random.Shared.NextDouble() * 0.2));
}
