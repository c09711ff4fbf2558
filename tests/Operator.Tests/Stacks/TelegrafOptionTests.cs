using System.Text.RegularExpressions;
using MetricsOperator.Fakes.Contracts;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport;
using Tomlyn;
using Tomlyn.Model;

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
        foreach (var variant in new[] { Stacks.FullSample(), Stacks.MinimalSample(), Stacks.FullSampleWith(s => s.Telegraf!.Kafka!.Tls = null) })
        {
            var unknown = UnknownOptions(TelegrafConfigRenderer.Render(variant), ref checkedOptions);
            unknown.ShouldBeEmpty();
        }

        checkedOptions.ShouldBeGreaterThan(20);
    }

    [ContractFact("telegraf/")]
    public void The_check_names_the_plugin_and_option_it_rejects()
    {
        var checkedOptions = 0;
        var conf = TelegrafConfigRenderer.Render(Stacks.FullSample()) + "\n[[outputs.influxdb_v2]]\n  no_such_option = 1\n";

        UnknownOptions(conf, ref checkedOptions).ShouldBe(["outputs.influxdb_v2: no_such_option"]);

        var noSample = TelegrafConfigRenderer.Render(Stacks.MinimalSample()) + "\n[[inputs.no_such_plugin]]\n  x = 1\n";
        Should.Throw<ShouldAssertException>(() => UnknownOptions(noSample, ref checkedOptions)).Message.ShouldContain("inputs.no_such_plugin");
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
                foreach (var instance in (TomlTableArray)instances)
                {
                    foreach (var option in instance.Keys)
                    {
                        checkedOptions++;
                        if (!known.Contains(option))
                        {
                            unknown.Add($"{section}.{plugin}: {option}");
                        }
                    }
                }
            }
        }

        return unknown;
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
