using MetricsOperator.Crds;

namespace MetricsOperator.Alerts;

/// <summary>
/// The AppAlert schema's defaults, for objects read without the API server's defaulting (unit tests, the benchmark).
/// The values are the CRD's <c>[Default]</c>s; a test keeps them equal.
/// </summary>
public static class AlertDefaults
{
    /// <summary>spec.interval.</summary>
    public const string Interval = "1m";

    /// <summary>spec.rules[].for.</summary>
    public const string For = "5m";

    /// <summary>spec.rules[].severity.</summary>
    public const AlertSeverity Severity = AlertSeverity.Warning;

    /// <summary>spec.rules[].condition.reducer.</summary>
    public const Reducer ReducerDefault = Reducer.Last;

    /// <summary>spec.rules[].noDataState.</summary>
    public const NoDataState NoData = NoDataState.NoData;

    /// <summary>spec.rules[].execErrState.</summary>
    public const ExecErrState ExecErr = ExecErrState.Error;

    /// <summary>How far back each query reads: Grafana's relative time range of query A, in seconds.</summary>
    public const long QueryRangeSeconds = 600;

    /// <summary>The app: spec.app, or the AppAlert's namespace.</summary>
    public static string App(V1Alpha1AppAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Spec?.App is { Length: > 0 } app ? app : alert.Metadata.NamespaceProperty ?? "default";
    }
}
