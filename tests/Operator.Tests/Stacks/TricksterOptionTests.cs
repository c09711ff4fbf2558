using MetricsOperator.Fakes.Contracts;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.TestSupport;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

/// <summary>
/// Every option the rendered trickster.yaml sets must be one Trickster declares: a path of its exhaustive example
/// configuration (contracts/trickster/example.full.yaml, which its configuring.md calls the full documentation of the format).
/// </summary>
public class TricksterOptionTests
{
    private const string Example = "trickster/example.full.yaml";

    private static HashSet<string> Declared() => TricksterOptions.Declared(File.ReadAllText(ContractFiles.Locate(Example)));

    public static TheoryData<string> Kinds() => new(Enum.GetNames<DashboardCacheKind>());

    [ContractTheory(Example)]
    [MemberData(nameof(Kinds))]
    public void Every_rendered_option_is_declared_in_Trickster_s_full_example(string kind)
    {
        var stack = Stacks.WithDashboardCache(Enum.Parse<DashboardCacheKind>(kind));
        var rendered = TricksterConfigRenderer.Render(DefaultedStack.Of(stack));

        TricksterOptions.Undeclared(rendered, Declared()).ShouldBeEmpty();
        TricksterOptions.Rendered(rendered).Count.ShouldBeGreaterThanOrEqualTo(12);
    }

    [ContractFact(Example)]
    public void The_check_rejects_a_misspelt_option_and_one_at_the_wrong_level()
    {
        var declared = Declared();
        var rendered = TricksterConfigRenderer.Render(DefaultedStack.Of(Stacks.WithDashboardCache(DashboardCacheKind.Filesystem)));

        var misspelt = rendered.Replace("timeseries_retention_factor", "timeseries_retention_factr", StringComparison.Ordinal);
        TricksterOptions.Undeclared(misspelt, declared).ShouldBe(["backends.*.timeseries_retention_factr"]);

        // cache_path belongs under the cache's filesystem section, not on the cache itself.
        var misplaced = rendered + "\n";
        misplaced = misplaced.Replace("    filesystem:\n      cache_path:", "    cache_path:", StringComparison.Ordinal);
        TricksterOptions.Undeclared(misplaced, declared).ShouldBe(["caches.*.cache_path"]);
    }

    [ContractFact(Example)]
    public void The_parser_reads_commented_options_and_leaves_prose_out()
    {
        var declared = Declared();

        declared.ShouldContain("backends.*.origin_url");                      // uncommented in the file
        declared.ShouldContain("backends.*.timeseries_retention_factor");     // commented out one level
        declared.ShouldContain("backends.*.healthcheck.headers.*");           // a free map
        declared.ShouldContain("caches.*.memory.max_size_bytes");
        declared.ShouldContain("caches.*.bbolt.filename");
        declared.ShouldContain("mgmt.ping_handler_path");
        declared.ShouldContain("backends.*.paths.match_type");                // keys of list items
        declared.ShouldNotContain("instance_id");                             // under main, not top level
        declared.ShouldContain("main.instance_id");
        declared.ShouldAllBe(path => !path.Contains(' ', StringComparison.Ordinal));
        declared.Count.ShouldBeGreaterThan(150);
    }
}
