using System.Text.RegularExpressions;
using MetricsOperator.Fakes.Contracts;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Stacks.Kafka;
using MetricsOperator.TestSupport;
using Tomlyn;
using Tomlyn.Model;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

/// <summary>
/// Every option the rendered telegraf.conf sets must exist in Telegraf 1.39: in the plugin's sample.conf under
/// the contracts folder's telegraf/&lt;kind&gt;/&lt;plugin&gt;.conf, or for [agent] in CONFIGURATION.md's Agent section.
/// </summary>
public partial class TelegrafOptionTests
{
    [ContractFact("telegraf/")]
    public void Every_rendered_option_exists_in_the_plugin_sample_conf()
    {
        var checkedOptions = 0;
        var variants = new List<V1Alpha1MetricsStack>
        {
            Stacks.FullSample(),
            Stacks.MinimalSample(),
            Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Tls = null),
            Stacks.MinimalSampleWith(s => s.Telegraf!.InternalMetrics!.Enabled = false),
        };
        variants.AddRange(KafkaStacks.All.Values.Select(KafkaStacks.With));
        foreach (var variant in variants)
        {
            var unknown = UnknownOptions(TelegrafConfigRenderer.Render(DefaultedStack.Of(variant)), ref checkedOptions);
            unknown.ShouldBeEmpty();
        }

        checkedOptions.ShouldBeGreaterThan(200);
    }

    [ContractFact("telegraf/")]
    public void The_check_names_the_plugin_and_option_it_rejects()
    {
        var checkedOptions = 0;
        var conf = TelegrafConfigRenderer.Render(DefaultedStack.Of(Stacks.FullSample())) + "\n[[outputs.influxdb_v2]]\n  no_such_option = 1\n";

        UnknownOptions(conf, ref checkedOptions).ShouldBe(["outputs.influxdb_v2: no_such_option"]);

        var noSample = TelegrafConfigRenderer.Render(DefaultedStack.Of(Stacks.MinimalSample())) + "\n[[inputs.no_such_plugin]]\n  x = 1\n";
        Should.Throw<ShouldAssertException>(() => UnknownOptions(noSample, ref checkedOptions)).Message.ShouldContain("inputs.no_such_plugin");
    }

    [ContractFact("telegraf/parsers/")]
    public void A_parser_option_is_accepted_only_with_its_own_data_format()
    {
        var checkedOptions = 0;
        // avro_tags is the avro parser's; under data_format = "json" Telegraf would refuse it.
        var wrongParser = "[[inputs.kafka_consumer]]\n  brokers = [\"k:9092\"]\n  data_format = \"json\"\n  avro_tags = [\"a\"]\n  tag_keys = [\"b\"]\n";
        UnknownOptions(wrongParser, ref checkedOptions).ShouldBe(["inputs.kafka_consumer: avro_tags"]);

        var nested = "[[inputs.kafka_consumer]]\n  data_format = \"json_v2\"\n  [[inputs.kafka_consumer.json_v2]]\n    measurement_name = \"m\"\n    [[inputs.kafka_consumer.json_v2.field]]\n      path = \"a\"\n      no_such_key = 1\n";
        UnknownOptions(nested, ref checkedOptions).ShouldBe(["inputs.kafka_consumer: json_v2.field.no_such_key"]);
    }

    private static List<string> UnknownOptions(string conf, ref int checkedOptions)
    {
        var document = TomlSerializer.Deserialize<TomlTable>(conf)!;
        var unknown = new List<string>();
        foreach (var (section, value) in document)
        {
            if (section == "agent")
            {
                var known = AgentOptions();
                foreach (var option in ((TomlTable)value).Keys)
                {
                    checkedOptions++;
                    if (!known.Contains(option))
                    {
                        unknown.Add($"agent: {option}");
                    }
                }

                continue;
            }

            // inputs / outputs / processors / aggregators: each plugin is an array of tables.
            foreach (var (plugin, instances) in (TomlTable)value)
            {
                var known = SampleOptions(section, plugin);
                if (section == "inputs")
                {
                    // Any input takes CONFIGURATION.md's input parameters (alias, name_prefix, tags, ...).
                    known.UnionWith(InputParameters());
                }

                foreach (var instance in (TomlTableArray)instances)
                {
                    var allowed = new HashSet<string>(known, StringComparer.Ordinal);
                    if (instance.TryGetValue("data_format", out var format))
                    {
                        // A parser's options are valid in the plugin that uses it (parsers/<format>.options).
                        allowed.UnionWith(ParserOptions((string)format));
                    }

                    Check(instance, allowed, $"{section}.{plugin}", "", unknown, ref checkedOptions);
                }
            }
        }

        return unknown;
    }

    // A plugin's options; sub-tables (json_v2's) are checked with the same names, as the parser declares them all.
    private static void Check(TomlTable table, HashSet<string> allowed, string plugin, string prefix, List<string> unknown, ref int checkedOptions)
    {
        foreach (var (option, value) in table)
        {
            checkedOptions++;
            if (!allowed.Contains(option))
            {
                unknown.Add($"{plugin}: {prefix}{option}");
                continue;
            }

            if (value is TomlTableArray subTables)
            {
                foreach (var subTable in subTables)
                {
                    Check(subTable, allowed, plugin, $"{prefix}{option}.", unknown, ref checkedOptions);
                }
            }
        }
    }

    /// <summary>The toml names a parser declares: contracts/telegraf/parsers/&lt;format&gt;.options, one a line.</summary>
    private static HashSet<string> ParserOptions(string format)
    {
        var path = Path.Combine(ContractFiles.Folder!, "telegraf", "parsers", format + ".options");
        File.Exists(path).ShouldBeTrue($"data_format {format}: no option list at {path}");
        return [.. File.ReadLines(path).Select(line => line.Trim()).Where(line => line.Length > 0)];
    }

    /// <summary>The parameters every input takes: the <c>- **name**:</c> list under CONFIGURATION.md's "### Input Plugins".</summary>
    private static HashSet<string> InputParameters()
    {
        var text = File.ReadAllText(Path.Combine(ContractFiles.Folder!, "telegraf", "CONFIGURATION.md"));
        var start = text.IndexOf("\n### Input Plugins", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, "CONFIGURATION.md has no Input Plugins section");
        var end = text.IndexOf("\n#", start + 1, StringComparison.Ordinal);
        var options = AgentOption().Matches(text[start..end]).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        options.ShouldContain("alias");
        return options;
    }

    /// <summary>Option names of a sample.conf: set (<c>name = ...</c>) or commented out (<c># name = ...</c>); <c>##</c> lines are prose.</summary>
    private static HashSet<string> SampleOptions(string kind, string plugin)
    {
        var path = Path.Combine(ContractFiles.Folder!, "telegraf", kind, plugin + ".conf");
        File.Exists(path).ShouldBeTrue($"{kind}.{plugin}: no sample configuration at {path}");
        return [.. File.ReadLines(path).Select(line => SampleOption().Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value)];
    }

    /// <summary>The agent options CONFIGURATION.md documents (<c>- **name**:</c> under <c>## Agent</c>), plus contracts/telegraf/agent if it exists.</summary>
    private static HashSet<string> AgentOptions()
    {
        var telegraf = Path.Combine(ContractFiles.Folder!, "telegraf");
        var path = Path.Combine(telegraf, "CONFIGURATION.md");
        File.Exists(path).ShouldBeTrue($"agent: no {path}");
        var text = File.ReadAllText(path);
        var start = text.IndexOf("\n## Agent", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, "CONFIGURATION.md has no Agent section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end > 0 ? text[start..end] : text[start..];
        var options = AgentOption().Matches(section).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var agentFolder = Path.Combine(telegraf, "agent");
        if (Directory.Exists(agentFolder))
        {
            options.UnionWith(Directory.EnumerateFiles(agentFolder, "*.conf").SelectMany(File.ReadLines)
                .Select(line => SampleOption().Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value));
        }

        return options;
    }

    [GeneratedRegex(@"^\s*(?:#\s?)?(?<name>[a-z][a-z0-9_]*)\s*=")]
    private static partial Regex SampleOption();

    [GeneratedRegex(@"^- \*\*(?<name>[a-z][a-z0-9_]*)\*\*:", RegexOptions.Multiline)]
    private static partial Regex AgentOption();
}
