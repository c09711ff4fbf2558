using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MetricsOperator.Grafana;

/// <summary>
/// The retry and timeout pipeline around every Grafana request: each attempt has its own timeout; attempts that got no
/// answer, a 5xx or a 429 are retried with exponential backoff and jitter. Every request the operator sends is safe to
/// repeat: rules, folders and contact points carry deterministic UIDs (a repeated POST meets a 409 that the caller
/// treats as "exists"), and PUTs and DELETEs are idempotent.
/// </summary>
public static class GrafanaResilience
{
    /// <summary>Builds the pipeline for <paramref name="options"/>.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Build(GrafanaClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(IsTransient),
                OnRetry = static args =>
                {
                    // The response of a failed attempt is not read: free its connection before the next attempt.
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    /// <summary>True for answers worth retrying: 5xx, 429, 408.</summary>
    public static bool IsTransient(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
    }
}
