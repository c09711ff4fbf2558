namespace MetricsOperator.Alerts.QueryChecks;

/// <summary>What InfluxDB said about one query.</summary>
public enum QueryOutcome
{
    /// <summary>It parsed and found data in the recent range.</summary>
    Data,

    /// <summary>It parsed and found nothing (fine: a new app has written nothing yet).</summary>
    NoData,

    /// <summary>InfluxDB refused it; the message is InfluxDB's.</summary>
    Invalid,
}

/// <summary>InfluxDB's verdict on one query text.</summary>
/// <param name="Outcome">Data, NoData or Invalid.</param>
/// <param name="Message">InfluxDB's error for Invalid; null otherwise.</param>
/// <param name="CheckedAt">When InfluxDB was asked (set by <see cref="QueryVerdictCache"/>; status reports it).</param>
public sealed record QueryVerdict(QueryOutcome Outcome, string? Message = null, DateTimeOffset? CheckedAt = null)
{
    /// <summary>It parsed and found data.</summary>
    public static QueryVerdict WithData { get; } = new(QueryOutcome.Data);

    /// <summary>It parsed and found nothing.</summary>
    public static QueryVerdict Empty { get; } = new(QueryOutcome.NoData);
}

/// <summary>InfluxDB could not be asked (down, 5xx, refused the token): no verdict, nothing cached.</summary>
public sealed class QueryCheckUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>InfluxDB answered 401 or 403: the token is wrong (or was replaced), not InfluxDB down.</summary>
    public bool TokenRefused { get; init; }
}
