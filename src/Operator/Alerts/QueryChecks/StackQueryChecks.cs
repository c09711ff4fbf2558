using System.Collections.Concurrent;
using System.Net;
using System.Text;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>
/// The query check of one process (one instance, injected): each stack's InfluxDB is asked where the operator reaches it
/// (<see cref="IStackEndpoints.InfluxDb"/>: the in-cluster Service, also when Grafana is external or reaches InfluxDB
/// through spec.influxdb.externalUrl), in its organization and bucket (the DBRP database Grafana's InfluxQL datasource
/// names), with the read token Grafana's datasources use (Secret <c>&lt;stack&gt;-grafana-token</c>, read by GET only
/// when InfluxDB must be asked, at most once per <see cref="AlertSyncOptions.CredentialsMaxAge"/>). Verdicts come from
/// one <see cref="QueryVerdictCache"/>. When InfluxDB cannot be asked, that InfluxDB is left alone for
/// <see cref="QueryCheckOptions.UnavailableRecheck"/> and the result says why (the rules are synced unchecked).
/// </summary>
public sealed class StackQueryChecks : IDisposable
{
    private readonly KubeApi api;
    private readonly IStackEndpoints endpoints;
    private readonly AlertSyncOptions options;
    private readonly TimeProvider time;
    private readonly HttpClient http;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ReadAt)> tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Why, DateTimeOffset Since, DateTimeOffset Until)> unavailable = new(StringComparer.Ordinal);

    /// <summary>Creates the check; <paramref name="cache"/> is shared by every AppAlert of the process.</summary>
    public StackQueryChecks(KubeApi api, IStackEndpoints endpoints, QueryVerdictCache cache, AlertSyncOptions? options = null, TimeProvider? time = null)
    {
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        this.endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        Cache = cache ?? throw new ArgumentNullException(nameof(cache));
        this.options = options ?? AlertSyncOptions.Default;
        this.time = time ?? TimeProvider.System;
        http = new HttpClient { Timeout = this.options.QueryChecks.RequestTimeout };
    }

    /// <summary>The verdicts, shared by every AppAlert.</summary>
    public QueryVerdictCache Cache { get; }

    /// <summary>Checks the queries of the rules <paramref name="plan"/> would write to <paramref name="stack"/>'s Grafana.</summary>
    public async Task<QueryCheckResult> CheckAsync(DefaultedStack stack, V1Alpha1AppAlert alert, AlertPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (!options.QueryChecks.Enabled)
        {
            return QueryCheckResult.Off;
        }

        var influxDb = stack.InfluxDb;
        var baseUri = endpoints.InfluxDb(stack);
        var target = InfluxQueryChecker.TargetOf(baseUri, influxDb.Organization, influxDb.Bucket);
        var now = time.GetUtcNow();
        if (unavailable.TryGetValue(target, out var down) && now < down.Until)
        {
            return QueryCheckResult.Unavailable(down.Why, down.Since, down.Until);
        }

        try
        {
            // One connection for the AppAlert's queries, which are asked at once: made on the first cache miss, if any.
            var checker = new Lazy<Task<InfluxQueryChecker>>(() => ConnectAsync(stack, baseUri, influxDb, cancellationToken));
            var result = await AppAlertQueryCheck.CheckAsync(alert, plan,
                (language, text, ct) => Cache.GetAsync(target, language, text, _ => checker.Value, ct), Cache, cancellationToken);
            unavailable.TryRemove(target, out _);
            return result;
        }
        catch (QueryCheckUnavailableException e)
        {
            if (e.TokenRefused)
            {
                // Perhaps the Secret changed since it was read: read it again next time.
                tokens.TryRemove(TokenKey(stack), out _);
            }

            // Since the outage's first failure, not this one's: status carries it, and a time that moved on every
            // recheck would rewrite every AppAlert of the stack once per UnavailableRecheck while InfluxDB stays down.
            var failedAt = time.GetUtcNow();
            var since = unavailable.TryGetValue(target, out var earlier) ? earlier.Since : failedAt;
            var until = failedAt + options.QueryChecks.UnavailableRecheck;
            unavailable[target] = (e.Message, since, until);
            return QueryCheckResult.Unavailable(e.Message, since, until);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => http.Dispose();

    private async Task<InfluxQueryChecker> ConnectAsync(V1Alpha1MetricsStack stack, Uri baseUri, DefaultedInfluxDb influxDb, CancellationToken cancellationToken)
    {
        var token = await ReadTokenAsync(stack, cancellationToken);
        return new InfluxQueryChecker(http, baseUri, influxDb.Bucket, influxDb.Organization, token);
    }

    private async Task<string> ReadTokenAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken)
    {
        var key = TokenKey(stack);
        if (!tokens.TryGetValue(key, out var known) || time.GetUtcNow() - known.ReadAt >= options.CredentialsMaxAge)
        {
            var ns = StackNames.Namespace(stack);
            var name = StackNames.GrafanaTokenSecret(stack);
            V1Secret? secret;
            try
            {
                secret = await api.GetAsync<V1Secret>(ns, name, cancellationToken);
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new QueryCheckUnavailableException($"the operator may not read Secret {ns}/{name} (InfluxDB's read token); bind the ClusterRole metrics-operator-stack-namespace in namespace {ns}", e);
            }

            if (secret?.Data is not { } data || !data.TryGetValue(StackNames.TokenKey, out var bytes) || bytes.Length == 0)
            {
                // Not remembered: the InfluxDB is left alone for UnavailableRecheck, then the Secret is read again.
                throw new QueryCheckUnavailableException($"Secret {ns}/{name} has no InfluxDB read token (key {StackNames.TokenKey}) yet");
            }

            known = (Encoding.UTF8.GetString(bytes), time.GetUtcNow());
            tokens[key] = known;
        }

        return known.Token;
    }

    private static string TokenKey(V1Alpha1MetricsStack stack) => $"{StackNames.Namespace(stack)}/{stack.Metadata.Name}";
}
