namespace Lsst.Metrics.Client;

/// <summary>Counts kept by the client since it started (also published as the instruments of the meter <c>Lsst.Metrics.Client</c>).</summary>
/// <param name="Recorded">Measurements accepted into the buffer.</param>
/// <param name="Sent">Points the endpoint acknowledged.</param>
/// <param name="Dropped">Measurements discarded because the buffer was full, or still unsent at the shutdown deadline.</param>
/// <param name="Failed">Points the endpoint refused for good (a 4xx answer other than 401/408/429), not retried; of a partly stored batch only the lines InfluxDB says it dropped.</param>
/// <param name="NonFinite">Measurements skipped because they were NaN or infinite.</param>
/// <param name="Invalid">Measurements skipped because a tag could not be written in line protocol or the series key would exceed 65,535 bytes.</param>
/// <param name="Retries">Write attempts that failed and were retried.</param>
/// <param name="Buffered">Measurements waiting in the buffer now.</param>
/// <param name="Unauthorized">Write attempts answered 401 (the token file is re-read and the batch retried; also counted in <paramref name="Retries"/>).</param>
/// <param name="Renamed">Tags named <c>time</c>, which InfluxDB refuses, written as <c>time_</c>.</param>
public readonly record struct LsstMetricsStatistics(
    long Recorded,
    long Sent,
    long Dropped,
    long Failed,
    long NonFinite,
    long Invalid,
    long Retries,
    int Buffered,
    long Unauthorized,
    long Renamed);
