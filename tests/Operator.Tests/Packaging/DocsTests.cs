using System.Reflection;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Packaging;

/// <summary>docs/troubleshooting.md has a section for every condition reason the code defines, and the docs link to pages that exist.</summary>
public sealed class DocsTests
{
    [Fact]
    public void Troubleshooting_covers_every_reason_in_the_code()
    {
        var reasons = typeof(MetricsOperator.Program).Assembly.GetTypes()
            .Where(type => type.Name.EndsWith("Reasons", StringComparison.Ordinal) || type.Name == "StackStepRunner")
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.IsLiteral && field.FieldType == typeof(string) && (field.DeclaringType!.Name.EndsWith("Reasons", StringComparison.Ordinal) || field.Name.EndsWith("Reason", StringComparison.Ordinal)))
            .Select(field => (string)field.GetRawConstantValue()!)
            .Distinct()
            .ToList();
        reasons.ShouldContain("InvalidSpec");
        reasons.ShouldContain("StackNotReady");
        var headings = File.ReadAllLines(RepoPaths.InRepo("docs", "troubleshooting.md"))
            .Where(line => line.StartsWith("### ", StringComparison.Ordinal))
            .SelectMany(line => line[4..].Split('—')[0].Split(',').Select(word => word.Trim()))
            .ToHashSet(StringComparer.Ordinal);
        reasons.Where(reason => !headings.Contains(reason)).ShouldBeEmpty("add a ### section to docs/troubleshooting.md for each new reason");
    }

    [Theory]
    [InlineData("phalanx.md")]
    [InlineData("architecture.md")]
    [InlineData("troubleshooting.md")]
    [InlineData("cache.md")]
    public void Relative_links_point_to_files_that_exist(string page)
    {
        var text = File.ReadAllText(RepoPaths.InRepo("docs", page));
        foreach (System.Text.RegularExpressions.Match link in System.Text.RegularExpressions.Regex.Matches(text, @"\]\(([^)#:]+)(#[^)]*)?\)"))
        {
            File.Exists(RepoPaths.InRepo("docs", link.Groups[1].Value)).ShouldBeTrue($"{page} links to {link.Groups[1].Value}");
        }
    }
}
