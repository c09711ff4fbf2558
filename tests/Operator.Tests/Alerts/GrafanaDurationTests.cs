using MetricsOperator.Alerts;

namespace MetricsOperator.Tests.Alerts;

public sealed class GrafanaDurationTests
{
    [Theory]
    [InlineData("0s", 0L)]
    [InlineData("0", 0L)]
    [InlineData("30s", 30L)]
    [InlineData("1m", 60L)]
    [InlineData("1m30s", 90L)]
    [InlineData("300s", 300L)]
    [InlineData("1h", 3600L)]
    [InlineData("1d", 86400L)]
    [InlineData("1w", 604800L)]
    public void Parses(string text, long seconds) => GrafanaDuration.TryParseSeconds(text).ShouldBe(seconds);

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("30s5m")]
    [InlineData("-1m")]
    [InlineData("1.5m")]
    public void Refuses(string text) => GrafanaDuration.TryParseSeconds(text).ShouldBeNull();

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(300L, "5m")]
    [InlineData(90L, "1m30s")]
    [InlineData(5400L, "1h30m")]
    [InlineData(86400L, "1d")]
    public void Formats_as_grafana_stores(long seconds, string text) => GrafanaDuration.Format(seconds).ShouldBe(text);
}
