using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;

namespace MetricsOperator.Tests.Alerts;

/// <summary>AppAlerts and stack facts for the alerting tests.</summary>
public static class AlertSamples
{
    public static StackAlertingFacts BothDatasources { get; } =
        new("influxdb-influxql", "influxdb-flux", ["slack-alerts", "email-team"], "slack-alerts");

    public static StackAlertingFacts InfluxQlOnly { get; } = BothDatasources with { FluxDatasourceUid = null };

    public static AlertRule Rule(string name, QueryLanguage language = QueryLanguage.InfluxQL, string? text = null) => new()
    {
        Name = name,
        Query = new AlertQuery
        {
            Language = language,
            Text = text ?? (language == QueryLanguage.Flux
                ? "from(bucket: \"metrics\") |> range(start: v.timeRangeStart) |> filter(fn: (r) => r._measurement == \"login\")"
                : "SELECT count(\"duration\") FROM \"metrics\".\"autogen\".\"login\" WHERE $timeFilter"),
        },
        Condition = new AlertCondition { Reducer = Reducer.Sum, Operator = ThresholdOperator.GreaterThan, Threshold = 50 },
    };

    public static V1Alpha1AppAlert Alert(string ns, string name, params AlertRule[] rules) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Generation = 1 },
        Spec = new AppAlertSpec { Rules = rules.Length == 0 ? [Rule("Login failures")] : [.. rules] },
    };

    /// <summary><paramref name="alert"/> ready for the API server: apiVersion and kind set, no generation (the server assigns it).</summary>
    public static V1Alpha1AppAlert ForApiServer(V1Alpha1AppAlert alert)
    {
        alert.ApiVersion = "metrics.lsst.io/v1alpha1";
        alert.Kind = "AppAlert";
        alert.Metadata.Generation = null;
        return alert;
    }
}
