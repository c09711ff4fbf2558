using System.Text;
using Lsst.Metrics.Client.Tests.Support;

namespace Lsst.Metrics.Client.Tests;

public class LineProtocolTests
{
    public static TheoryData<string, string> KeyEscapes => new()
    {
        { "plain", "plain" },
        { "a,b", @"a\,b" },
        { "a b", @"a\ b" },
        { "a=b", @"a\=b" },
        { "\"quoted\"", "\"quoted\"" },
        { @"C:\temp", @"C:\temp" },
        { @"a\,b", @"a\\,b" },
        { @"a\\b", @"a\\b" },
        { "héllo wörld", @"héllo\ wörld" },
        { "日本語", "日本語" },
        { "emoji 😀", @"emoji\ 😀" },
        { "a, =b", @"a\,\ \=b" },
    };

    [Theory]
    [MemberData(nameof(KeyEscapes))]
    public void Tag_keys_and_values_escape_comma_equals_and_space(string raw, string expected)
    {
        LineProtocol.AppendKey(new StringBuilder(), raw).ToString().ShouldBe(expected);
        LineProtocol.Invalid(raw).ShouldBeNull();
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("a,b", @"a\,b")]
    [InlineData("a b", @"a\ b")]
    [InlineData("a=b", "a=b")]
    [InlineData("\"q\"", "\"q\"")]
    [InlineData(@"back\slash", @"back\slash")]
    public void Measurements_escape_comma_and_space_only(string raw, string expected)
        => LineProtocol.AppendMeasurement(new StringBuilder(), raw).ToString().ShouldBe(expected);

    [Theory]
    [InlineData("", "is empty")]
    [InlineData(@"ends\", "ends with a backslash")]
    [InlineData("new\nline", "contains a control character")]
    [InlineData("tab\there", "contains a control character")]
    [InlineData("del\u007f", "contains a control character")]
    public void What_line_protocol_cannot_carry_is_refused(string raw, string problem)
        => LineProtocol.Invalid(raw).ShouldBe(problem);

    [Fact]
    public void Lone_surrogates_are_refused()
    {
        // Built at run time: attribute strings cannot hold lone surrogates.
        LineProtocol.Invalid("lone" + (char)0xD800).ShouldBe("contains a lone UTF-16 surrogate");
        LineProtocol.Invalid((char)0xDC00 + "lone").ShouldBe("contains a lone UTF-16 surrogate");
        LineProtocol.Invalid("ok" + char.ConvertFromUtf32(0x1F600)).ShouldBeNull();
    }

    [Fact]
    public void A_measurement_starting_with_a_hash_is_refused()
        => LineProtocol.InvalidMeasurement("#comment").ShouldNotBeNull();

    [Theory]
    [InlineData(@"a\,b", ',')]
    [InlineData(@"a\ b", ' ')]
    [InlineData(@"a\=b", '=')]
    [InlineData("a\\\"b", '"')]
    public void A_measurement_with_a_backslash_before_what_InfluxDB_unescapes_is_refused(string name, char after)
        => LineProtocol.InvalidMeasurement(name).ShouldBe($"has a backslash before '{after}', which InfluxDB drops from the name");

    [Theory]
    [InlineData(@"C:\dir")]
    [InlineData(@"x\\y")]
    [InlineData("a,b c=d")]
    public void Other_backslashes_in_a_measurement_are_kept(string name) => LineProtocol.InvalidMeasurement(name).ShouldBeNull();

    [Theory]
    [InlineData("partial write: invalid tag key: input tag \"time\" on measurement \"m\" is invalid dropped=1", 5000, 1)]
    [InlineData("partial write: field type conflict: input field \"value\" on measurement \"m\" is type float, already exists as type integer dropped=2", 10, 2)]
    [InlineData("unable to parse 'm2,a=xx value=1 1': max key length exceeded: 70005 > 65535\nunable to parse 'm,a=b\\ value=3 3': invalid tag format dropped=0", 5, 2)]
    [InlineData("bad line", 7, 7)]
    [InlineData("dropped=9", 3, 3)]
    public void A_400_answer_says_how_many_lines_were_not_stored(string message, int lines, int refused)
        => InfluxLineWriter.RefusedLineCount(message, lines).ShouldBe(refused);

    [Theory]
    [MemberData(nameof(KeyEscapes))]
    public void Escaped_names_round_trip_through_the_strict_parser(string raw, string escaped)
    {
        _ = escaped;
        var sb = new StringBuilder();
        LineProtocol.AppendMeasurement(sb, raw).Append(',');
        LineProtocol.AppendKey(sb, raw).Append('=');
        LineProtocol.AppendKey(sb, raw).Append(' ');
        LineProtocol.AppendKey(sb, raw).Append("=1i 1");
        var p = LineProtocolParser.ParseLine(sb.ToString());
        p.Measurement.ShouldBe(raw);
        p.Tags.ShouldHaveSingleItem().ShouldBe(new KeyValuePair<string, string>(raw, raw));
        p.Fields.Keys.ShouldHaveSingleItem().ShouldBe(raw);
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(1e20, "1E+20")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(0.1, "0.1")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    public void Floats_are_written_in_shortest_round_trip_form_the_grammar_accepts(double value, string expected)
    {
        var text = LineProtocol.AppendFloat(new StringBuilder(), value).ToString();
        text.ShouldBe(expected);
        LineProtocolParser.ParseLine($"m value={text} 1").Fields["value"].FloatValue.ShouldBe(value);
    }

    [Theory]
    [InlineData(0L, "0i")]
    [InlineData(-42L, "-42i")]
    [InlineData(long.MaxValue, "9223372036854775807i")]
    public void Integers_carry_the_i_suffix(long value, string expected)
        => LineProtocol.AppendInteger(new StringBuilder(), value).ToString().ShouldBe(expected);

    [Theory]
    [InlineData("m value=1i 1")]
    [InlineData("m,t=x value=1.5 1")]
    [InlineData("m,t=x value=1.5,other=2i 1")]
    [InlineData(@"m\ x,t\,k=v\=w value=1 1")]
    public void The_parser_accepts_valid_lines(string line) => Should.NotThrow(() => LineProtocolParser.ParseLine(line));

    [Theory]
    [InlineData("m 1")]
    [InlineData("m,t= value=1 1")]
    [InlineData("m,=v value=1 1")]
    [InlineData(",t=v value=1 1")]
    [InlineData("m,t=v value=1 1 2")]
    [InlineData("m,t=v value=1x 1")]
    [InlineData("m,t=v value=NaN 1")]
    [InlineData("m,t=v value=1 12a")]
    [InlineData("m,t=v,t=w value=1 1")]
    [InlineData("m,t=v value=1,value=2 1")]
    [InlineData("m,t=a b value=1 1")]
    [InlineData("m,t=v value=\"open 1")]
    [InlineData("m value=1 1 \\")]
    public void The_parser_rejects_malformed_lines(string line) => Should.Throw<LineProtocolException>(() => LineProtocolParser.Parse(line));

    [Fact]
    public void The_parser_rejects_invalid_utf8()
        => Should.Throw<LineProtocolException>(() => LineProtocolParser.ParseBody([(byte)'m', 0xff, (byte)' ', (byte)'v', (byte)'=', (byte)'1']));
}
