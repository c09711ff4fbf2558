using System.Net;
using System.Text;
using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Backup.Destinations;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Influx;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using MetricsOperator.Influx;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Backup.Scheduling;

/// <summary>
/// The sources of a backup in the cluster: the S3 credentials from the Secret the spec names, Grafana's credentials
/// from the Secret the alerting sync uses (<see cref="GrafanaConnections.CredentialsSecret"/>), InfluxDB's operator
/// token from the admin Secret the InfluxDB step keeps. Every Secret is read with one GET in the stack's namespace.
/// </summary>
public sealed class ClusterBackupSources(KubeApi api, IStackEndpoints endpoints) : IBackupSources
{
    /// <inheritdoc/>
    public async Task<IBackupDestination> DestinationAsync(V1Alpha1MetricsStack stack, BackupTargetSpec target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Destination.S3 is not { } s3)
        {
            // DestinationBackupRunner sends claims to a Job (Backup/Jobs); only object storage is written from here.
            throw new BackupSetupException(BackupReasons.InvalidSpec, "destination.pvc is written by a backup Job, not from the operator's process");
        }

        Uri? endpoint = null;
        if (s3.Endpoint is { Length: > 0 } text && !Uri.TryCreate(text, UriKind.Absolute, out endpoint))
        {
            throw new BackupSetupException(BackupReasons.InvalidSpec, $"destination.s3.endpoint \"{text}\" is not a URL");
        }

        var secret = await SecretAsync(stack, s3.CredentialsSecret.Name, "destination.s3.credentialsSecret", cancellationToken).ConfigureAwait(false);
        var keyId = Value(secret, S3Settings.AccessKeyIdKey);
        var key = Value(secret, S3Settings.SecretAccessKeyKey);
        if (keyId is null || key is null)
        {
            throw new BackupSetupException(BackupReasons.CredentialsMissing,
                $"Secret {StackNames.Namespace(stack)}/{s3.CredentialsSecret.Name} needs keys {S3Settings.AccessKeyIdKey} and {S3Settings.SecretAccessKeyKey}");
        }

        return new S3BackupDestination(new S3Settings(s3.Bucket, s3.Prefix ?? "", endpoint, s3.Region ?? "us-east-1", keyId, key));
    }

    /// <inheritdoc/>
    public async Task<GrafanaConfigApi> GrafanaAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken)
    {
        var secret = await SecretAsync(stack, GrafanaConnections.CredentialsSecret(stack), "Grafana's credentials", cancellationToken).ConfigureAwait(false);
        var credentials = GrafanaCredentials.FromSecret(secret, out var problem)
            ?? throw new BackupSetupException(BackupReasons.CredentialsMissing, problem ?? "Grafana's credentials are incomplete");
        return new GrafanaConfigApi(endpoints.Grafana(stack), credentials);
    }

    /// <inheritdoc/>
    public async Task<InfluxBackupApi> InfluxAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken)
    {
        var name = StackNames.InfluxDbAdminSecret(stack);
        var secret = await SecretAsync(stack, name, "InfluxDB's admin token", cancellationToken).ConfigureAwait(false);
        var (credentials, missing) = AdminCredentials.From(secret);
        return credentials is null
            ? throw new BackupSetupException(BackupReasons.CredentialsMissing, $"Secret {StackNames.Namespace(stack)}/{name} has no key {missing}")
            : new InfluxBackupApi(endpoints.InfluxDb(stack), credentials.Token);
    }

    private static string? Value(V1Secret secret, string key) =>
        secret.Data?.TryGetValue(key, out var bytes) == true && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes).Trim() : null;

    private async Task<V1Secret> SecretAsync(V1Alpha1MetricsStack stack, string name, string what, CancellationToken cancellationToken)
    {
        var ns = StackNames.Namespace(stack);
        try
        {
            return await api.GetAsync<V1Secret>(ns, name, cancellationToken).ConfigureAwait(false)
                ?? throw new BackupSetupException(BackupReasons.CredentialsMissing, $"Secret {ns}/{name} ({what}) does not exist");
        }
        catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new BackupSetupException(BackupReasons.CredentialsMissing, $"the operator may not read Secret {ns}/{name} ({what})");
        }
    }
}
