using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Contracts;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Stacks.Kafka;

/// <summary>
/// The values the CRD allows for Telegraf's enumerated options are values Telegraf declares: each enum's JSON names
/// are looked up in the passage of the contract file that lists the option's values.
/// </summary>
public sealed class KafkaContractValuesTests
{
    [ContractFact("telegraf/inputs/kafka_consumer.conf")]
    public void Sasl_mechanisms_are_ones_kafka_consumer_lists() =>
        Undeclared<SaslMechanism>(Passage("inputs/kafka_consumer.conf", "## Optional SASL, one of:", 2)).ShouldBeEmpty();

    [ContractFact("telegraf/inputs/kafka_consumer.conf")]
    public void Offsets_are_ones_kafka_consumer_lists() =>
        Undeclared<KafkaOffset>(Passage("inputs/kafka_consumer.conf", "## Initial offset position", 1)).ShouldBeEmpty();

    [ContractFact("telegraf/inputs/kafka_consumer.conf")]
    public void Compression_codecs_are_written_with_the_numbers_kafka_consumer_gives_them()
    {
        var passage = Passage("inputs/kafka_consumer.conf", "## Compression codec", 8);
        foreach (var codec in Enum.GetValues<KafkaCompressionCodec>())
        {
            // "##  3 : LZ4": the number the renderer writes ((int)codec) names this codec.
            Regex.IsMatch(passage, $@"##\s+{(int)codec}\s*:\s*{Regex.Escape(JsonName(codec))}\b", RegexOptions.IgnoreCase)
                .ShouldBeTrue($"compression_codec {(int)codec} is not {JsonName(codec)} in kafka_consumer.conf");
        }
    }

    [ContractFact("telegraf/parsers/avro.md")]
    public void Avro_union_modes_and_timestamp_formats_are_ones_the_avro_parser_lists()
    {
        Undeclared<AvroUnionMode>(Passage("parsers/avro.md", "## Define handling of union types", 4)).ShouldBeEmpty();
        Undeclared<AvroTimestampFormat>(Passage("parsers/avro.md", "## If avro_timestamp is specified", 3)).ShouldBeEmpty();
    }

    [ContractFact("telegraf/parsers/json_v2.md")]
    public void Json_v2_field_types_are_ones_the_parser_lists() =>
        Undeclared<JsonV2FieldType>(Passage("parsers/json_v2.md", "[[inputs.file.json_v2.field]]", 3)).ShouldBeEmpty();

    [ContractFact("telegraf/parsers/influx.md")]
    public void Influx_timestamp_precisions_are_ones_the_parser_lists() =>
        Undeclared<InfluxTimestampPrecision>(Passage("parsers/influx.md", "## Influx line protocol timestamp precision", 4)).ShouldBeEmpty();

    [ContractFact("telegraf/parsers/")]
    public void Every_data_format_has_the_parser_option_list_the_option_check_reads()
    {
        foreach (var format in Enum.GetValues<KafkaDataFormat>())
        {
            File.Exists(Path.Combine(ContractFiles.Folder!, "telegraf", "parsers", JsonName(format) + ".options")).ShouldBeTrue(JsonName(format));
        }
    }

    [Fact]
    public void The_check_finds_a_value_the_contract_does_not_list()
    {
        // A passage that lists only two of the three mechanisms: the check must name the third.
        Undeclared<SaslMechanism>("## Optional SASL, one of:\n##   PLAIN, SCRAM-SHA-256\n").ShouldBe(["SCRAM-SHA-512"]);
    }

    private static List<string> Undeclared<T>(string passage)
        where T : struct, Enum =>
        [.. Enum.GetValues<T>().Select(JsonName).Where(name => !Regex.IsMatch(passage, $@"(?<![\w-]){Regex.Escape(name)}(?![\w-])"))];

    /// <summary>The line of <paramref name="file"/> containing <paramref name="anchor"/> and the <paramref name="after"/> lines after it.</summary>
    private static string Passage(string file, string anchor, int after)
    {
        var lines = File.ReadAllLines(Path.Combine(ContractFiles.Folder!, "telegraf", file));
        var at = Array.FindIndex(lines, line => line.Contains(anchor, StringComparison.Ordinal));
        at.ShouldBeGreaterThanOrEqualTo(0, $"{file} has no line with \"{anchor}\"");
        return string.Join("\n", lines.Skip(at).Take(after + 1));
    }

    private static string JsonName<T>(T value)
        where T : struct, Enum =>
        typeof(T).GetField(value.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name;
}
