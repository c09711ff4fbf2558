namespace MetricsOperator.Crds.Schema;

/// <summary>
/// Regular expressions shared by several fields, so one kind of value is checked the same way everywhere.
/// They are ECMA-262 (what the API server evaluates) and kept to the subset .NET reads the same way.
/// </summary>
public static class Patterns
{
    /// <summary>
    /// A Go-style duration of whole units: hours, minutes, seconds, optionally days and weeks as InfluxDB
    /// accepts them, e.g. <c>0s</c>, <c>90s</c>, <c>1h30m</c>, <c>30d</c>.
    /// </summary>
    public const string Duration = "^([0-9]+(w|d|h|m|s))+$";

    /// <summary>
    /// A Grafana evaluation interval: hours, minutes and seconds where the seconds are a multiple of 10
    /// (e.g. <c>10s</c>, <c>1m</c>, <c>1m30s</c>). The empty string passes the pattern, so fields using it
    /// also set a minimum length; zero (<c>0s</c>) passes too and the reconciler rejects it.
    /// </summary>
    public const string GrafanaInterval = "^([0-9]+h)?([0-9]+m)?([0-9]*0s)?$";

    /// <summary>A five-field cron expression or a <c>@daily</c>-style macro, as a CronJob accepts it.</summary>
    public const string CronSchedule = @"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|([^\s]+\s+){4}[^\s]+)$";

    /// <summary>A duration as Telegraf (Go) reads it, e.g. <c>100ms</c>, <c>5s</c>, <c>1m30s</c>.</summary>
    public const string TelegrafDuration = "^([0-9]+(ns|us|ms|s|m|h))+$";

    /// <summary>A size as Telegraf reads it, e.g. <c>5MB</c>, <c>512KiB</c>, or a number of bytes.</summary>
    public const string TelegrafSize = "^[0-9]+(B|KB|MB|GB|KiB|MiB|GiB)?$";

    /// <summary>A Kubernetes object name (DNS-1123 subdomain).</summary>
    public const string ObjectName = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

    /// <summary>A DNS-1123 label: what a namespace name or a Service port name must be.</summary>
    public const string DnsLabel = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>A key in a Secret's data.</summary>
    public const string SecretKey = "^[-._a-zA-Z0-9]+$";

    /// <summary>An http or https URL.</summary>
    public const string HttpUrl = "^https?://[^\\s]+$";

    /// <summary>A container image reference; only whitespace is refused here, the registry checks the rest.</summary>
    public const string Image = "^[^\\s]+$";

    /// <summary>
    /// The name of a query or expression of an alert rule (its Grafana refId): a letter, then letters, digits or
    /// underscores, so that math expressions can name it as <c>$name</c>.
    /// </summary>
    public const string AlertStepName = "^[A-Za-z][A-Za-z0-9_]{0,31}$";
}
