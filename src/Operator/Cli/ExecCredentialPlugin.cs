using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using k8s.Authentication;
using k8s.KubeConfigModels;

namespace MetricsOperator.Cli;

/// <summary>
/// A kubeconfig user's <c>exec</c> credential plugin (client-go's credential plugins: gke-gcloud-auth-plugin,
/// <c>aws eks get-token</c>, kubelogin): runs the command and reads the <c>ExecCredential</c> it prints, again once the
/// token's <c>expirationTimestamp</c> has passed.
/// </summary>
/// <remarks>
/// KubernetesClient's plugin runner is not used: it joins the arguments into one string with spaces (an argument
/// holding a space arrives split), and it reads the answer through <c>KubernetesJson</c>, which would put the metadata
/// of all of KubernetesClient's models into the Native AOT binary (docs/performance.md, tenth pass). The answer is
/// read as a JSON document here: four string fields.
/// Source for the protocol: https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The semaphore's wait handle is never asked for, so it holds nothing to release; the plugin lives as long as its client configuration, which has no Dispose.")]
internal sealed class ExecCredentialPlugin : ITokenProvider
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(1);
    private readonly ExternalExecution exec;
    private readonly string user;
    private readonly string command;

    // What a failure of a run that started begins with: the kubeconfig user and the command.
    private readonly string source;
    private readonly SemaphoreSlim running = new(1, 1);
    private ExecCredential? current;

    public ExecCredentialPlugin(ExternalExecution exec, string user, string kubeconfigFolder)
    {
        this.exec = exec;
        this.user = user;
        if (string.IsNullOrWhiteSpace(exec.Command))
        {
            throw new InvalidDataException($"users[{user}].user.exec.command is empty");
        }

        if (string.IsNullOrWhiteSpace(exec.ApiVersion))
        {
            throw new InvalidDataException($"users[{user}].user.exec.apiVersion is empty");
        }

        // As client-go: a command with a path separator is relative to the kubeconfig's folder; a bare name is looked
        // up on PATH.
        command = exec.Command.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(exec.Command)
            ? Path.GetFullPath(Path.Combine(kubeconfigFolder, exec.Command))
            : exec.Command;
        source = $"users[{user}].user.exec: {command}";
    }

    /// <summary>The plugin's answer, run now if there is none yet or the last one expired.</summary>
    public async Task<ExecCredential> CredentialAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref current) is { } fresh && !fresh.Expired(DateTimeOffset.UtcNow))
        {
            return fresh;
        }

        await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var credential = current;
            if (credential is null || credential.Expired(DateTimeOffset.UtcNow))
            {
                credential = await RunAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref current, credential);
            }

            return credential;
        }
        finally
        {
            running.Release();
        }
    }

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        var credential = await CredentialAsync(cancellationToken).ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", credential.Token
            ?? throw new InvalidDataException($"{source} printed no status.token"));
    }

    private async Task<ExecCredential> RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in exec.Arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["KUBERNETES_EXEC_INFO"] =
            "{\"apiVersion\":\"" + JsonEncodedText.Encode(exec.ApiVersion) + "\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}";
        foreach (var variable in exec.EnvironmentVariables ?? [])
        {
            if (!variable.TryGetValue("name", out var name) || string.IsNullOrEmpty(name) || !variable.TryGetValue("value", out var value))
            {
                throw new InvalidDataException($"users[{user}].user.exec.env: every entry needs a name and a value");
            }

            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            var hint = string.IsNullOrWhiteSpace(exec.InstallHint) ? "" : " " + exec.InstallHint.Trim();
            throw new InvalidOperationException($"users[{user}].user.exec: cannot run {command}: {e.Message}.{hint}", e);
        }

        using (process)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(RunLimit);
            var output = process.StandardOutput.ReadToEndAsync(limit.Token);
            var errors = process.StandardError.ReadToEndAsync(limit.Token);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{source} did not finish within {RunLimit.TotalSeconds:F0} s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{source} exited with {process.ExitCode}: {(await errors.ConfigureAwait(false)).Trim()}");
            }

            return ExecCredential.Parse(await output.ConfigureAwait(false), source);
        }
    }
}

/// <summary>The <c>status</c> of an <c>ExecCredential</c>: a bearer token, or a client certificate and key (PEM).</summary>
internal sealed record ExecCredential(string? Token, DateTimeOffset? ExpiresAt, string? ClientCertificatePem, string? ClientKeyPem)
{
    // No expiry: the credential is used for the process's life, as client-go does.
    public bool Expired(DateTimeOffset now) => ExpiresAt is { } at && at <= now;

    public static ExecCredential Parse(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{source} printed an ExecCredential with no status");
            }

            var expiry = Text(status, "expirationTimestamp");
            var credential = new ExecCredential(
                Text(status, "token"),
                expiry is null ? null : DateTimeOffset.Parse(expiry, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                Text(status, "clientCertificateData"),
                Text(status, "clientKeyData"));
            return credential is { Token: null } and ({ ClientCertificatePem: null } or { ClientKeyPem: null })
                ? throw new InvalidDataException($"{source} printed neither status.token nor status.clientCertificateData and status.clientKeyData")
                : credential;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidDataException($"{source} printed no ExecCredential JSON: {e.Message}", e);
        }
    }

    private static string? Text(JsonElement status, string name) =>
        status.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
