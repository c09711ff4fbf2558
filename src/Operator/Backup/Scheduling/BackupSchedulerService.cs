using MetricsOperator.Crds;
using MetricsOperator.Runtime.Controller;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// The loop driving <see cref="BackupScheduler"/>: every <see cref="Tick"/> it hands the scheduler the MetricsStacks in
/// the manager's cache, when this replica leads (a standby runs no backups). Runs it starts are not awaited here.
/// </summary>
public sealed class BackupSchedulerService(Manager manager, BackupScheduler scheduler, ILogger<BackupSchedulerService> logger, BackupSchedulerOptions? options = null) : BackgroundService
{
    /// <summary>How often due times are checked by default.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options?.Tick ?? Tick);
        var running = new List<Task>();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (manager.Elector is not null && !manager.IsLeader)
                {
                    continue;
                }

                var stacks = manager.Cache.TryGetStore<V1Alpha1MetricsStack>()?.List() ?? [];
                running.RemoveAll(t => t.IsCompleted);
                running.AddRange(scheduler.StartDue(stacks, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Backup scheduler stopping; {Count} runs cancelled", running.Count(t => !t.IsCompleted));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }
}

/// <summary>Settings of the backup scheduler loop.</summary>
public sealed class BackupSchedulerOptions
{
    /// <summary>How often due times are checked (tests shorten it).</summary>
    public TimeSpan Tick { get; init; } = BackupSchedulerService.Tick;
}
