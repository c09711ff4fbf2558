using MetricsOperator.Stacks;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Tests.Stacks;

public class GoldenTests
{
    [Theory]
    [MemberData(nameof(GoldenFiles.Inputs), MemberType = typeof(GoldenFiles))]
    public void The_rendered_objects_match_the_reviewed_golden_file(string name, string input)
    {
        GoldenFiles.ShouldMatch(Render(input), name);
    }

    [Theory]
    [MemberData(nameof(GoldenFiles.Inputs), MemberType = typeof(GoldenFiles))]
    public void Building_twice_gives_identical_YAML(string name, string input)
    {
        Render(input).ShouldBe(Render(input), name);
    }

    [Fact]
    public void The_stream_has_apiVersion_and_kind_on_every_document_and_no_nulls()
    {
        var rendered = Render(GoldenFiles.Inputs().Select(row => (string)row[1]).First());
        var documents = rendered.Split("---\n", StringSplitOptions.RemoveEmptyEntries);

        documents.Length.ShouldBeGreaterThan(10);
        documents.ShouldAllBe(d => d.StartsWith("apiVersion: ", StringComparison.Ordinal) && d.Contains("\nkind: ", StringComparison.Ordinal));
        rendered.ShouldNotContain(": null");
        rendered.ShouldNotContain(": []");
        rendered.ShouldNotContain("uid: \"\"");
    }

    private static string Render(string input)
    {
        using var reader = new StreamReader(input);
        var stack = StackManifests.Read(reader).Stacks.Single();
        stack.Metadata.NamespaceProperty ??= Stacks.Namespace;
        return StackManifests.Write(StackBuilder.Build(DefaultedStack.Of(stack)));
    }
}
