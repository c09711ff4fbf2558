using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetricsOperator.Cli;
using MetricsOperator.Stacks;
using MetricsOperator.TestSupport;
using MetricsOperator.Validation;
using Tomlyn;
using Tomlyn.Model;

namespace MetricsOperator.Tests.Stacks.Kafka;

/// <summary>
/// docs/kafka.md's worked example is what the operator does: its MetricsStack goes through <c>render</c>, and the
/// telegraf.conf the page shows is compared with the rendered one table by table and option by option (names and
/// values, both ways). Its AppAlert passes the checks <c>render</c> runs and queries a measurement the page lists.
/// </summary>
public sealed partial class KafkaDocTests
{
    private static readonly string Doc = File.ReadAllText(RepoPaths.InRepo("docs", "kafka.md"));

    [Fact]
    public async Task The_documented_telegraf_conf_is_what_render_prints_for_the_documented_stack()
    {
        var rendered = Toml(await RenderedConfAsync(Block("metricsstack", "yaml")));
        var documented = Toml(Block("telegraf.conf", "toml"));

        // The page shows [agent], the Kafka consumers and the internal input; nothing else may appear in its block.
        documented.Keys.Order(StringComparer.Ordinal).ShouldBe(["agent", "inputs"]);
        ((TomlTable)documented["inputs"]).Keys.Order(StringComparer.Ordinal).ShouldBe(["internal", "kafka_consumer"]);

        Differences("agent", (TomlTable)rendered["agent"], (TomlTable)documented["agent"]).ShouldBeEmpty();
        foreach (var plugin in new[] { "kafka_consumer", "internal" })
        {
            var want = (TomlTableArray)((TomlTable)rendered["inputs"])[plugin];
            var shown = (TomlTableArray)((TomlTable)documented["inputs"])[plugin];
            shown.Count.ShouldBe(want.Count, $"inputs.{plugin}: instances shown");
            var differences = want.Zip(shown).SelectMany((pair, i) => Differences($"inputs.{plugin}[{i}]", pair.First, pair.Second)).ToList();
            differences.ShouldBeEmpty();
        }
    }

    [Fact]
    public void The_comparison_catches_an_option_the_page_leaves_out_or_gets_wrong()
    {
        var rendered = new TomlTable { ["alias"] = "mobu", ["offset"] = "oldest", ["max_undelivered_messages"] = 10000L };
        var shown = new TomlTable { ["alias"] = "mobu", ["max_undelivered_messages"] = 1000L };

        Differences("c", rendered, shown).ShouldBe(["c.max_undelivered_messages: rendered 10000, documented 1000", "c.offset: rendered \"oldest\", not documented"]);
    }

    [Fact]
    public void The_documented_AppAlert_is_valid_and_queries_a_measurement_the_page_lists()
    {
        var alert = StackManifests.ReadDocuments(new StringReader(Block("appalert", "yaml"))).ShouldHaveSingleItem();

        ManifestCheck.OwnKind(alert).ShouldBe("AppAlert");
        ManifestCheck.Errors(alert).ShouldBeEmpty();
        var query = alert["spec"]!["rules"]![0]!["query"]!["text"]!.GetValue<string>();
        var measurement = MeasurementInQuery().Match(query).Groups["name"].Value;
        Doc.ShouldContain($"| `{measurement}` |", customMessage: "the measurement the alert reads is one of the table's");
    }

    [Fact]
    public void Each_documented_measurement_is_a_consumed_topic_and_an_event_name()
    {
        var stack = StackManifests.ReadDocuments(new StringReader(Block("metricsstack", "yaml"))).ShouldHaveSingleItem();
        var topics = stack["spec"]!["telegraf"]!["kafka"]!["consumers"]!.AsArray().SelectMany(c => c!["topics"]!.AsArray()).Select(t => t!.GetValue<string>()).ToList();

        var measurements = TableMeasurement().Matches(Doc).Select(m => m.Groups["name"].Value).ToList();

        measurements.Count.ShouldBe(6);
        measurements.ShouldAllBe(m => topics.Any(t => m.StartsWith(t + ".", StringComparison.Ordinal)));
    }

    /// <summary>Every option missing on one side or with another value, as <c>where.name: ...</c>.</summary>
    private static List<string> Differences(string where, TomlTable rendered, TomlTable documented)
    {
        var differences = new List<string>();
        foreach (var name in rendered.Keys.Union(documented.Keys).Order(StringComparer.Ordinal))
        {
            var inRendered = rendered.TryGetValue(name, out var want);
            var inDoc = documented.TryGetValue(name, out var shown);
            if (!inDoc)
            {
                differences.Add($"{where}.{name}: rendered {Canonical(want)}, not documented");
            }
            else if (!inRendered)
            {
                differences.Add($"{where}.{name}: documented {Canonical(shown)}, not rendered");
            }
            else if (Canonical(want) != Canonical(shown))
            {
                differences.Add($"{where}.{name}: rendered {Canonical(want)}, documented {Canonical(shown)}");
            }
        }

        return differences;
    }

    private static string Canonical(object? value) => value switch
    {
        string text => "\"" + text + "\"",
        bool flag => flag ? "true" : "false",
        long or double => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        TomlArray items => "[" + string.Join(", ", items.Select(Canonical)) + "]",
        TomlTable table => "{" + string.Join(", ", table.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} = {Canonical(p.Value)}")) + "}",
        _ => value?.ToString() ?? "null",
    };

    private static TomlTable Toml(string text) => TomlSerializer.Deserialize<TomlTable>(text)!;

    /// <summary>The fenced block of <paramref name="language"/> right after <c>&lt;!-- example: name --&gt;</c>.</summary>
    private static string Block(string name, string language)
    {
        var marker = $"<!-- example: {name} -->";
        var at = Doc.IndexOf(marker, StringComparison.Ordinal);
        at.ShouldBeGreaterThan(0, $"docs/kafka.md has no {marker}");
        var open = Doc.IndexOf("```" + language + "\n", at, StringComparison.Ordinal);
        open.ShouldBe(at + marker.Length + 1, $"the {language} block follows {marker} directly");
        var start = open + 4 + language.Length;
        return Doc[start..Doc.IndexOf("```", start, StringComparison.Ordinal)];
    }

    /// <summary>The telegraf.conf of the ConfigMap <c>render</c> prints for <paramref name="yaml"/>.</summary>
    private static async Task<string> RenderedConfAsync(string yaml)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, yaml);
            var root = new RootCommand { Subcommands = { RenderCommand.Create() } };
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exitCode = await root.Parse(["render", "-f", file]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
            exitCode.ShouldBe(0, error.ToString());
            var configMap = StackManifests.ReadDocuments(new StringReader(output.ToString()))
                .Single(d => d["kind"]?.GetValue<string>() == "ConfigMap" && d["metadata"]!["name"]!.GetValue<string>() == "metrics-telegraf-config");
            return configMap["data"]!["telegraf.conf"]!.GetValue<string>();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex("FROM \"[^\"]+\"\\.\"[^\"]+\"\\.\"(?<name>[^\"]+)\"")]
    private static partial Regex MeasurementInQuery();

    [GeneratedRegex(@"^\| [^|]+ \| `(?<name>lsst\.[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableMeasurement();
}
