using System.Text.Json;
using k8s.Models;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Tests.Unit;

/// <summary>Short strings read through the runtime's JSON are one instance per text; everything read is unchanged.</summary>
public sealed class SharedStringsTests
{
    [Fact]
    public void The_same_short_text_on_two_objects_is_one_string_and_reads_as_before()
    {
        const string Json = """
            {"metadata":{"name":"%NAME%","namespace":"metrics","labels":{"app.kubernetes.io/managed-by":"metrics-operator"},"uid":"%UID%"},
             "data":{"key":"caf\u00e9 \"quoted\"","long":"%LONG%"}}
            """;
        var longText = new string('x', SharedStrings.MaxLength + 1);
        V1ConfigMap Read(string name) => KubeJson.Deserialize<V1ConfigMap>(
            Json.Replace("%NAME%", name, StringComparison.Ordinal).Replace("%UID%", Guid.NewGuid().ToString(), StringComparison.Ordinal).Replace("%LONG%", longText, StringComparison.Ordinal))!;

        // The first sighting of a text is not kept (unique values would fill the table); the second is, and shared after.
        _ = Read("first");
        _ = Read("second");
        var a = Read("a");
        var b = Read("b");

        a.Metadata.NamespaceProperty.ShouldBe("metrics");
        ReferenceEquals(a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty).ShouldBeTrue("a namespace read twice is one string");
        var aKey = a.Metadata.Labels.Keys.Single();
        ReferenceEquals(aKey, b.Metadata.Labels.Keys.Single()).ShouldBeTrue("dictionary keys are shared too");
        ReferenceEquals(a.Metadata.Labels[aKey], b.Metadata.Labels[aKey]).ShouldBeTrue("and dictionary values");

        // Escapes are read as the built-in reader reads them, and shared all the same.
        a.Data["key"].ShouldBe("café \"quoted\"");
        ReferenceEquals(a.Data["key"], b.Data["key"]).ShouldBeTrue();

        // Longer texts are not kept by the table: read as they are, each its own string.
        a.Data["long"].ShouldBe(longText);
        ReferenceEquals(a.Data["long"], b.Data["long"]).ShouldBeFalse();
        a.Metadata.Name.ShouldBe("a");
        b.Metadata.Name.ShouldBe("b");
    }

    [Fact]
    public void A_text_that_lost_its_slot_is_read_again_correctly_and_a_number_where_a_string_belongs_fails()
    {
        var strings = new SharedStrings();
        // More distinct texts than slots: every one must still come back as its own text.
        var texts = Enumerable.Range(0, SharedStrings.Slots * 2).Select(i => $"text-{i}").ToList();
        foreach (var text in texts)
        {
            strings.Share(text).ShouldBe(text);
        }

        foreach (var text in texts)
        {
            strings.Share(text).ShouldBe(text);
        }

        strings.Share("").ShouldBe("");

        // Kept the second time its slot sees it: a text read once (a UID, a resourceVersion) leaves nothing behind.
        var once = strings.Share("seen-once");
        var twice = strings.Share("seen-once");
        ReferenceEquals(once, twice).ShouldBeFalse();
        ReferenceEquals(twice, strings.Share("seen-once")).ShouldBeTrue();

        Should.Throw<JsonException>(() => KubeJson.Deserialize<V1ConfigMap>("""{"metadata":{"namespace":42}}"""));
    }
}
