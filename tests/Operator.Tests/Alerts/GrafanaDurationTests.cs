using System.Globalization;
using System.Text.RegularExpressions;
using MetricsOperator.Alerts;

namespace MetricsOperator.Tests.Alerts;

public sealed partial class GrafanaDurationTests
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
    [InlineData("5m\n")]
    [InlineData("1m1m")]
    [InlineData("m")]
    [InlineData("99999999999999999999s")]
    public void Refuses(string text) => GrafanaDuration.TryParseSeconds(text).ShouldBeNull();

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(300L, "5m")]
    [InlineData(90L, "1m30s")]
    [InlineData(5400L, "1h30m")]
    [InlineData(86400L, "1d")]
    public void Formats_as_grafana_stores(long seconds, string text) => GrafanaDuration.Format(seconds).ShouldBe(text);

    [Fact]
    public void Reads_what_the_grammar_reads_for_every_short_text_of_digits_and_units()
    {
        // Every text of up to five characters over the units, two digits and two characters of no duration, read by
        // the parser and by the grammar as a regular expression (the parser's first form): the same answer for each.
        const string alphabet = "ywdhms07x.";
        var texts = new List<string> { "" };
        var checkedCount = 0;
        for (var length = 1; length <= 5; length++)
        {
            texts = [.. texts.SelectMany(t => alphabet.Select(c => t + c))];
            foreach (var text in texts)
            {
                GrafanaDuration.TryParseSeconds(text).ShouldBe(ByGrammar(text), $"\"{text}\"");
                checkedCount++;
            }
        }

        checkedCount.ShouldBe(111_110);
    }

    private static long? ByGrammar(string text)
    {
        var match = Grammar().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return text == "0" ? 0 : null;
        }

        long total = 0;
        foreach (var (unit, seconds) in new[] { ("y", 31_536_000L), ("w", 604_800L), ("d", 86_400L), ("h", 3_600L), ("m", 60L), ("s", 1L) })
        {
            if (match.Groups[unit].Success)
            {
                total += long.Parse(match.Groups[unit].Value, CultureInfo.InvariantCulture) * seconds;
            }
        }

        return total;
    }

    [GeneratedRegex(@"\A((?<y>[0-9]+)y)?((?<w>[0-9]+)w)?((?<d>[0-9]+)d)?((?<h>[0-9]+)h)?((?<m>[0-9]+)m)?((?<s>[0-9]+)s)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
