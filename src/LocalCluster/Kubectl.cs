using System.Diagnostics;

namespace MetricsOperator.LocalCluster;

/// <summary>What a kubectl invocation printed and returned.</summary>
public sealed record KubectlResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Throws with both streams when kubectl failed.</summary>
    public KubectlResult EnsureSuccess() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"kubectl exited {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
}

/// <summary>Runs the machine's kubectl against a kubeconfig (the local control plane's, or a test's).</summary>
public static class Kubectl
{
    /// <summary>Runs <c>kubectl --kubeconfig=<paramref name="kubeconfig"/> args…</c>, feeding <paramref name="stdin"/> if given.</summary>
    public static async Task<KubectlResult> RunAsync(string kubeconfig, IEnumerable<string> args, string? stdin = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--kubeconfig={kubeconfig}");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("kubectl could not be started; is it installed?");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }
}
