using MetricsOperator.Grafana;
using MetricsOperator.Influx;

namespace MetricsOperator.Cli;

/// <summary>
/// The secrets the <c>backup</c> and <c>restore</c> commands take from the environment, never from arguments (which
/// show in process lists and shell history). Values are trimmed as the operator trims Secret values (a Secret made
/// with <c>echo</c> or <c>--from-file</c> ends in a newline).
/// </summary>
internal static class CommandEnvironment
{
    /// <summary>A required environment variable.</summary>
    /// <exception cref="MissingCredentialException">It is not set.</exception>
    public static string Required(string name) =>
        Optional(name) ?? throw new MissingCredentialException($"environment variable {name} is not set");

    /// <summary>An environment variable; null when unset or blank.</summary>
    public static string? Optional(string name) =>
        Environment.GetEnvironmentVariable(name)?.Trim() is { Length: > 0 } value ? value : null;

    /// <summary>Grafana's credentials: <c>GRAFANA_TOKEN</c>, or <c>GRAFANA_USER</c> and <c>GRAFANA_PASSWORD</c>.</summary>
    /// <exception cref="MissingCredentialException">Neither is set.</exception>
    public static GrafanaCredentials Grafana() =>
        Optional("GRAFANA_TOKEN") is { } token ? GrafanaCredentials.Token(token) : GrafanaCredentials.Basic(Required("GRAFANA_USER"), Required("GRAFANA_PASSWORD"));

    /// <summary>InfluxDB's admin token, <c>INFLUX_TOKEN</c>.</summary>
    /// <exception cref="MissingCredentialException">It is not set.</exception>
    public static InfluxSecret InfluxDb() => new(Required("INFLUX_TOKEN"));
}
