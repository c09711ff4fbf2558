using System.Collections.Concurrent;
using System.Net;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Alerts;

/// <summary>Why the operator cannot talk to a stack's Grafana yet (credentials missing, unreadable or malformed).</summary>
public sealed class GrafanaCredentialsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrafanaCredentialsException()
    {
    }

    /// <summary>Creates the exception with a message naming the Secret (never its content).</summary>
    public GrafanaCredentialsException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GrafanaCredentialsException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

/// <summary>
/// The <see cref="StackGrafana"/> of each stack, built from where the stack's Grafana is (<see cref="IStackEndpoints"/>)
/// and its credentials Secret (the managed Grafana's admin Secret, or spec.grafana.credentialsSecret). The Secret is
/// read with a GET (the operator may not list or watch Secrets) at most once per
/// <see cref="AlertSyncOptions.CredentialsMaxAge"/>; a changed Secret or URL gives a new client and snapshot.
/// </summary>
public sealed class GrafanaConnections : IDisposable
{
    private readonly ConcurrentDictionary<string, StackGrafana> sessions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim connecting = new(1, 1);
    private readonly KubeApi api;
    private readonly IStackEndpoints endpoints;
    private readonly AlertSyncOptions options;
    private readonly TimeProvider time;
    private readonly ILoggerFactory? loggers;

    /// <summary>Creates the registry.</summary>
    public GrafanaConnections(KubeApi api, IStackEndpoints endpoints, AlertSyncOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        this.endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        this.options = options ?? AlertSyncOptions.Default;
        this.time = time ?? TimeProvider.System;
        this.loggers = loggers;
    }

    /// <summary>The name of the Secret holding the operator's credentials for <paramref name="stack"/>'s Grafana.</summary>
    public static string CredentialsSecret(V1Alpha1MetricsStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return stack.Spec?.Grafana is { Mode: GrafanaMode.External, CredentialsSecret.Name: { Length: > 0 } name }
            ? name
            : StackNames.GrafanaAdminSecret(stack);
    }

    /// <summary>The stack's Grafana, connecting (reading the credentials) when needed.</summary>
    /// <exception cref="GrafanaCredentialsException">The credentials Secret is missing, unreadable or malformed.</exception>
    public async Task<StackGrafana> ConnectAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var key = KeyOf(stack);
        if (sessions.TryGetValue(key, out var session) && time.GetUtcNow() - session.CredentialsReadAt < options.CredentialsMaxAge)
        {
            return session;
        }

        await connecting.WaitAsync(cancellationToken);
        try
        {
            if (sessions.TryGetValue(key, out session) && time.GetUtcNow() - session.CredentialsReadAt < options.CredentialsMaxAge)
            {
                return session;
            }

            var ns = StackNames.Namespace(stack);
            var secretName = CredentialsSecret(stack);
            V1Secret? secret;
            try
            {
                secret = await api.GetAsync<V1Secret>(ns, secretName, cancellationToken);
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new GrafanaCredentialsException($"the operator may not read Secret {ns}/{secretName}; bind the ClusterRole metrics-operator-stack-namespace in namespace {ns}", e);
            }

            if (secret is null)
            {
                throw new GrafanaCredentialsException($"Secret {ns}/{secretName} with Grafana's credentials does not exist (yet)");
            }

            var version = $"{endpoints.Grafana(stack)}|{secret.Metadata.Uid}|{secret.Metadata.ResourceVersion}";
            if (session is not null && session.CredentialsVersion == version)
            {
                // Same Secret, same URL: keep the client and the snapshot.
                session.CredentialsReadAt = time.GetUtcNow();
                return session;
            }

            var credentials = GrafanaCredentials.FromSecret(secret, out var problem)
                ?? throw new GrafanaCredentialsException(problem!);
            var created = new StackGrafana(
                new GrafanaClient(endpoints.Grafana(stack), credentials, options.Client, loggers?.CreateLogger<GrafanaClient>()),
                version, options, time);
            // The old session is not disposed: reconciles running right now may still use it; it holds no more than a
            // connection pool, which goes with it.
            sessions[key] = created;
            return created;
        }
        finally
        {
            connecting.Release();
        }
    }

    /// <summary>The session of <paramref name="stack"/> if one is open (no I/O).</summary>
    public StackGrafana? Existing(V1Alpha1MetricsStack stack) => sessions.GetValueOrDefault(KeyOf(stack));

    /// <summary>Forgets the stack's session (its credentials were refused, or the stack is gone).</summary>
    public void Forget(V1Alpha1MetricsStack stack)
    {
        // Not disposed, for the same reason as a replaced session.
        sessions.TryRemove(KeyOf(stack), out _);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        sessions.Clear();
        connecting.Dispose();
    }

    private static string KeyOf(V1Alpha1MetricsStack stack) => $"{StackNames.Namespace(stack)}/{stack.Metadata.Name}";
}
