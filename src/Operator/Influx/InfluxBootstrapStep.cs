using System.Globalization;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Events;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks.Steps;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Influx;

/// <summary>
/// Brings a stack's InfluxDB from empty to ready and keeps it so: admin credentials saved in a Secret before
/// <c>POST /api/v2/setup</c>, then (as the admin token) the shared bucket with the spec's retention, its DBRP mapping,
/// and the Telegraf-write and Grafana-read tokens, each saved to its Secret the moment InfluxDB returns it. Decisions
/// are made by <see cref="BucketPlan"/>, <see cref="DbrpPlan"/> and <see cref="AuthorizationPlan"/>; this class only
/// fetches, writes and reports. It never sets InfluxDB up twice and never deletes a bucket.
/// </summary>
public sealed class InfluxBootstrapStep : IStackStep
{
    /// <summary>The InfluxDB user <c>POST /api/v2/setup</c> creates (its password is in the admin Secret).</summary>
    public const string AdminUser = "admin";

    private readonly IEventRecorder events;
    private readonly IStackEndpoints endpoints;
    private readonly IInfluxApiFactory clients;
    private readonly InfluxSecrets secrets;
    private readonly InfluxBackoff backoff;
    private readonly ILogger logger;

    /// <summary>Creates the step.</summary>
    public InfluxBootstrapStep(KubeApi api, IEventRecorder events, IStackEndpoints endpoints, IInfluxApiFactory clients, InfluxClientOptions options, ILogger<InfluxBootstrapStep>? logger = null)
    {
        this.events = events ?? throw new ArgumentNullException(nameof(events));
        this.endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        this.clients = clients ?? throw new ArgumentNullException(nameof(clients));
        ArgumentNullException.ThrowIfNull(options);
        secrets = new InfluxSecrets(api ?? throw new ArgumentNullException(nameof(api)));
        backoff = new InfluxBackoff(options.UnreachableBackoffBase, options.UnreachableBackoffMax);
        this.logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public string ConditionType => MetricsStackConditions.InfluxDBReady;

    /// <inheritdoc />
    public async Task<StepOutcome> RunAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var key = stack.Metadata.Uid ?? $"{StackNames.Namespace(stack)}/{stack.Metadata.Name}";
        try
        {
            var outcome = await ConvergeAsync(stack, cancellationToken).ConfigureAwait(false);
            backoff.Succeeded(key);
            return outcome;
        }
        catch (InfluxApiException e)
        {
            var (reason, message) = Explain(stack, e);
            logger.LogWarning("InfluxDB of MetricsStack {Namespace}/{Name} is not ready: {Reason}: {Message}", StackNames.Namespace(stack), stack.Metadata.Name, reason, message);
            return new StepOutcome(false, reason, message, backoff.Failed(key), KeepStatus(stack));
        }
        catch (StepStopped stopped)
        {
            return stopped.Outcome with { RequeueAfter = backoff.Failed(key), ApplyStatus = KeepStatus(stack) };
        }
    }

    private async Task<StepOutcome> ConvergeAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        var influx = stack.InfluxDb;
        var endpoint = endpoints.InfluxDb(stack);
        var retention = RetentionDuration.Parse(influx.Retention);
        var credentials = await AdminCredentialsAsync(stack, cancellationToken).ConfigureAwait(false);

        using (var anonymous = clients.Create(endpoint, token: null))
        {
            if (await anonymous.IsSetupAllowedAsync(cancellationToken).ConfigureAwait(false))
            {
                await SetupAsync(stack, anonymous, credentials, retention, cancellationToken).ConfigureAwait(false);
            }
        }

        using var admin = clients.Create(endpoint, credentials.Token);
        var org = await OrganizationAsync(stack, admin, cancellationToken).ConfigureAwait(false);
        var bucket = await BucketAsync(stack, admin, org.Id, retention, cancellationToken).ConfigureAwait(false);
        await DbrpAsync(admin, org.Id, bucket, cancellationToken).ConfigureAwait(false);

        var authorizations = await admin.ListAuthorizationsAsync(org.Id, cancellationToken).ConfigureAwait(false);
        var tokenIds = new Dictionary<ScopedToken, string>();
        foreach (var token in ScopedToken.All)
        {
            tokenIds[token] = await TokenAsync(stack, admin, token, org.Id, bucket.Id, authorizations, cancellationToken).ConfigureAwait(false);
        }

        var retentionText = RetentionDuration.Describe(bucket.RetentionSeconds, influx.Retention);
        return new StepOutcome(
            true,
            InfluxReasons.Ready,
            $"Bucket {bucket.Name} (retention {retentionText}) in organization {org.Name}, InfluxQL database {bucket.Name}, Telegraf and Grafana tokens in their Secrets",
            ApplyStatus: status =>
            {
                status.Bucket = new BucketStatus { Name = bucket.Name, Id = bucket.Id, Retention = retentionText };
                status.Secrets ??= new StackSecrets();
                status.Secrets.Admin = StackNames.InfluxDbAdminSecret(stack);
                status.Secrets.TelegrafWriteToken = ScopedToken.TelegrafWrite.SecretName(stack);
                status.Secrets.GrafanaReadToken = ScopedToken.GrafanaRead.SecretName(stack);
                status.Secrets.TelegrafWriteTokenId = tokenIds[ScopedToken.TelegrafWrite];
                status.Secrets.GrafanaReadTokenId = tokenIds[ScopedToken.GrafanaRead];
            });
    }

    /// <summary>
    /// The admin credentials: from spec.influxdb.existingAdminSecret, else from the operator's own Secret, which
    /// <see cref="StackCredentials"/> generated before any child was applied, so long before setup: a run that stops
    /// between the two finds them again.
    /// </summary>
    private async Task<AdminCredentials> AdminCredentialsAsync(DefaultedStack stack, CancellationToken cancellationToken)
    {
        var name = StackNames.InfluxDbAdminSecret(stack);
        var given = stack.InfluxDb.ExistingAdminSecret is not null;
        var which = given ? $"Secret {name} (spec.influxdb.existingAdminSecret)" : $"Secret {name}";
        var existing = await secrets.GetAsync(stack, name, cancellationToken).ConfigureAwait(false)
            // The user's Secret is the user's to make; the operator's own is made by StackCredentials before the children
            // are applied, so gone since then means deleted by hand.
            ?? throw Stop(InfluxReasons.AdminSecretInvalid, given ? $"{which} does not exist" : $"{which} does not exist; the operator makes it again on the next reconcile");

        var (credentials, missing) = AdminCredentials.From(existing);
        // Never regenerate into an existing Secret: its token may be the one InfluxDB was set up with.
        return credentials ?? throw Stop(InfluxReasons.AdminSecretInvalid, given ? $"{which} has no key {missing}" : $"{which} has no key {missing}; restore it (see docs/influxdb.md)");
    }

    private async Task SetupAsync(DefaultedStack stack, IInfluxApi anonymous, AdminCredentials credentials, long retention, CancellationToken cancellationToken)
    {
        var influx = stack.InfluxDb;
        try
        {
            await anonymous.SetupAsync(AdminUser, credentials, influx.Organization, influx.Bucket, retention, cancellationToken).ConfigureAwait(false);
        }
        catch (InfluxApiException e) when (e.Failure == InfluxFailure.Conflict)
        {
            // Set up meanwhile (an earlier try whose answer was lost, or someone else): the token check below decides.
            return;
        }
        catch (InfluxApiException e) when (e.Failure != InfluxFailure.Unreachable)
        {
            throw Stop(InfluxReasons.SetupFailed, $"InfluxDB refused setup: {e.Message}");
        }

        logger.LogInformation("Set up InfluxDB of MetricsStack {Namespace}/{Name}: organization {Organization}, bucket {Bucket}", StackNames.Namespace(stack), stack.Metadata.Name, influx.Organization, influx.Bucket);
        events.Record(stack.Resource, EventTypes.Normal, InfluxReasons.Bootstrapped, $"Set InfluxDB up: organization {influx.Organization}, bucket {influx.Bucket}, admin token in Secret {StackNames.InfluxDbAdminSecret(stack)}");
    }

    /// <summary>The spec's organization, or the only one (the spec's name is used at setup only; changing it later has no effect).</summary>
    private static async Task<InfluxOrganization> OrganizationAsync(DefaultedStack stack, IInfluxApi admin, CancellationToken cancellationToken)
    {
        var orgs = await admin.ListOrganizationsAsync(cancellationToken).ConfigureAwait(false);
        var name = stack.InfluxDb.Organization;
        return orgs.FirstOrDefault(o => o.Name == name)
            ?? (orgs.Count == 1 ? orgs[0] : throw Stop(InfluxReasons.OrganizationNotFound, $"InfluxDB has no organization {name} (it has {orgs.Count})"));
    }

    private async Task<InfluxBucket> BucketAsync(DefaultedStack stack, IInfluxApi admin, string orgId, long retention, CancellationToken cancellationToken)
    {
        var name = stack.InfluxDb.Bucket;
        var observed = await admin.FindBucketAsync(orgId, name, cancellationToken).ConfigureAwait(false);
        switch (BucketPlan.Compute(observed, retention))
        {
            case BucketAction.Create:
                try
                {
                    var created = await admin.CreateBucketAsync(orgId, name, retention, cancellationToken).ConfigureAwait(false);
                    logger.LogInformation("Created bucket {Bucket} of MetricsStack {Namespace}/{Name}", name, StackNames.Namespace(stack), stack.Metadata.Name);
                    return created;
                }
                catch (InfluxApiException e) when (e.Failure == InfluxFailure.Conflict)
                {
                    // Made by a retried request whose answer was lost.
                    return await admin.FindBucketAsync(orgId, name, cancellationToken).ConfigureAwait(false)
                        ?? throw Stop(InfluxReasons.Rejected, $"bucket {name} exists but cannot be found");
                }

            case BucketAction.UpdateRetention:
                var was = SpecDuration.Format(observed!.RetentionSeconds);
                var wanted = SpecDuration.Format(retention);
                InfluxBucket updated;
                try
                {
                    updated = await admin.UpdateRetentionAsync(observed, retention, cancellationToken).ConfigureAwait(false);
                }
                catch (InfluxApiException e) when (e.Failure != InfluxFailure.Unreachable)
                {
                    throw Stop(InfluxReasons.BucketDrift, $"bucket {name} keeps data for {was}, the spec says {wanted}, and InfluxDB refused the change: {e.Message}");
                }

                logger.LogInformation("Set retention of bucket {Bucket} of MetricsStack {Namespace}/{Name} from {Was} to {Wanted}", name, StackNames.Namespace(stack), stack.Metadata.Name, was, wanted);
                events.Record(stack.Resource, EventTypes.Warning, InfluxReasons.BucketDrift, $"Bucket {name} kept data for {was}; set back to {wanted} as the spec says");
                return updated;

            default:
                return observed!;
        }
    }

    private static async Task DbrpAsync(IInfluxApi admin, string orgId, InfluxBucket bucket, CancellationToken cancellationToken)
    {
        var observed = await admin.ListDbrpsAsync(orgId, bucket.Name, cancellationToken).ConfigureAwait(false);
        var (action, mapping) = DbrpPlan.Compute(observed, bucket.Name, bucket.Id);
        switch (action)
        {
            case DbrpAction.Replace:
                await admin.DeleteDbrpAsync(orgId, mapping!.Id, cancellationToken).ConfigureAwait(false);
                await admin.CreateDbrpAsync(orgId, bucket.Id, bucket.Name, DbrpPlan.RetentionPolicy, true, cancellationToken).ConfigureAwait(false);
                break;
            case DbrpAction.Create:
                try
                {
                    await admin.CreateDbrpAsync(orgId, bucket.Id, bucket.Name, DbrpPlan.RetentionPolicy, true, cancellationToken).ConfigureAwait(false);
                }
                catch (InfluxApiException e) when (e.Failure == InfluxFailure.Conflict)
                {
                    // Made by a retried request whose answer was lost; the next run checks it.
                }

                break;
            case DbrpAction.MakeDefault:
                await admin.MakeDbrpDefaultAsync(orgId, mapping!.Id, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Converges one scoped token; returns the ID of the authorization its Secret holds.</summary>
    private async Task<string> TokenAsync(
        V1Alpha1MetricsStack stack, IInfluxApi admin, ScopedToken token, string orgId, string bucketId, IReadOnlyList<InfluxAuthorization> all, CancellationToken cancellationToken)
    {
        var description = token.Description(stack);
        var secretName = token.SecretName(stack);
        var secret = await secrets.GetAsync(stack, secretName, cancellationToken).ConfigureAwait(false);
        var ours = all.Where(a => a.Description == description).ToList();
        var plan = AuthorizationPlan.Compute(ours, InfluxSecrets.StoredAuthorization(secret), token.Permissions(orgId, bucketId));
        var keep = plan.KeepId;
        if (plan.Mint)
        {
            var created = await admin.CreateAuthorizationAsync(orgId, description, token.Permissions(orgId, bucketId), cancellationToken).ConfigureAwait(false);
            // Stored before anything else happens: InfluxDB will never show this token again.
            await secrets.WriteTokenAsync(stack, secretName, created, exists: secret is not null, cancellationToken).ConfigureAwait(false);
            keep = created.Id;
            var first = ours.Count == 0 && secret is null;
            logger.LogInformation("Stored new {Role} token (authorization {Authorization}) of MetricsStack {Namespace}/{Name} in Secret {Secret}: {Why}", token.Role, created.Id, StackNames.Namespace(stack), stack.Metadata.Name, secretName, plan.Why);
            if (!first)
            {
                events.Record(stack, EventTypes.Warning, InfluxReasons.TokenRotated, $"Replaced the {token.Role} token in Secret {secretName} ({plan.Why}); its pods roll onto the new one");
            }
        }

        foreach (var id in plan.Delete)
        {
            await admin.DeleteAuthorizationAsync(id, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Deleted {Role} authorization {Authorization} of MetricsStack {Namespace}/{Name}: {Why}", token.Role, id, StackNames.Namespace(stack), stack.Metadata.Name, plan.Mint ? "replaced" : plan.Why);
        }

        return keep!;
    }

    private static (string Reason, string Message) Explain(V1Alpha1MetricsStack stack, InfluxApiException e) => e.Failure switch
    {
        InfluxFailure.Unreachable => (InfluxReasons.Unreachable, $"{e.Message}; retrying with growing delays"),
        InfluxFailure.Unauthorized => (InfluxReasons.AdminTokenRejected,
            $"InfluxDB is set up but refuses the admin token in Secret {StackNames.InfluxDbAdminSecret(stack)} ({e.Message}). " +
            "The operator never sets InfluxDB up again: put the token InfluxDB was set up with into that Secret (key admin-token), " +
            "or, to start over, delete the data volume (losing the data); see docs/influxdb.md"),
        _ => (InfluxReasons.Rejected, e.Message),
    };

    // Keeps what status says about the bucket and Secrets while InfluxDB cannot be asked (the reconciler writes the whole status).
    private static Action<MetricsStackStatus>? KeepStatus(DefaultedStack stack)
    {
        var bucket = stack.Status?.Bucket;
        var stored = stack.Status?.Secrets;
        return bucket is null && stored is null ? null : status =>
        {
            status.Bucket ??= bucket;
            status.Secrets ??= stored;
        };
    }

    private static StepStopped Stop(string reason, string message) => new(new StepOutcome(false, reason, message));

    /// <summary>Ends a run early with an outcome (a decision, not a bug).</summary>
    private sealed class StepStopped(StepOutcome outcome) : Exception(outcome.Message)
    {
        public StepOutcome Outcome { get; } = outcome;
    }
}
