using System.Text.Json;
using k8s.Models;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Tests.Unit;

/// <summary>
/// Label and annotation maps read through the runtime's JSON are compact maps that behave as the dictionaries they
/// replace: same lookups, writes and order, same JSON written back, and the errors a dictionary gives.
/// </summary>
public sealed class CompactStringDictionaryTests
{
    [Fact]
    public void An_objects_labels_and_annotations_are_read_as_compact_maps_and_written_back_unchanged()
    {
        const string Json = """{"metadata":{"name":"a","labels":{"b":"2","a":"1","app":"x"},"annotations":{"only":null}},"data":{"k":"v"}}""";
        var map = KubeJson.Deserialize<V1ConfigMap>(Json)!;

        map.Metadata.Labels.ShouldBeOfType<CompactStringDictionary>();
        map.Metadata.Labels.Keys.ShouldBe(["b", "a", "app"], "in the order read");
        map.Metadata.Labels["a"].ShouldBe("1");
        map.Metadata.Annotations["only"].ShouldBeNull();
        map.Data.ShouldBeOfType<CompactStringDictionary>();
        var written = KubeJson.Serialize(map);
        written.ShouldContain("""
            "labels":{"b":"2","a":"1","app":"x"}
            """);
        written.ShouldContain("""
            "annotations":{"only":null}
            """);
        written.ShouldContain("""
            "data":{"k":"v"}
            """);
    }

    [Fact]
    public void A_map_past_the_compact_size_is_read_into_a_dictionary_and_a_repeated_key_keeps_its_last_value()
    {
        var entries = Enumerable.Range(0, CompactStringDictionary.MaxEntries + 1).Select(i => $"\"k{i}\":\"v{i}\"");
        var large = KubeJson.Deserialize<V1ConfigMap>("{\"data\":{" + string.Join(',', entries) + "}}")!;
        large.Data.ShouldBeOfType<Dictionary<string, string>>();
        large.Data.Count.ShouldBe(CompactStringDictionary.MaxEntries + 1);
        large.Data[$"k{CompactStringDictionary.MaxEntries}"].ShouldBe($"v{CompactStringDictionary.MaxEntries}");

        var repeated = KubeJson.Deserialize<V1ConfigMap>("""{"data":{"a":"1","b":"2","a":"3"}}""")!;
        repeated.Data.Count.ShouldBe(2);
        repeated.Data["a"].ShouldBe("3");
        repeated.Data.Keys.ShouldBe(["a", "b"]);
    }

    [Theory]
    [InlineData("""{"data":{"a":1}}""", "\"a\"")]
    [InlineData("""{"data":{"a":{"b":"c"}}}""", "\"a\"")]
    [InlineData("""{"data":["a"]}""", "StartArray")]
    public void A_value_that_is_not_a_string_fails_naming_what_was_found(string json, string named)
    {
        var failure = Should.Throw<JsonException>(() => KubeJson.Deserialize<V1ConfigMap>(json));
        failure.Message.ShouldContain(named);
    }

    [Fact]
    public void Writes_behave_as_a_dictionarys()
    {
        var map = new CompactStringDictionary();
        map.Count.ShouldBe(0);
        map["a"] = "1";
        map.Add("b", "2");
        map.Add(new KeyValuePair<string, string>("c", "3"));
        Should.Throw<ArgumentException>(() => map.Add("a", "again"));
        map["a"] = "one";
        map.ShouldBe([new("a", "one"), new("b", "2"), new("c", "3")]);

        map.Remove("b").ShouldBeTrue();
        map.Remove("b").ShouldBeFalse();
        map.Remove(new KeyValuePair<string, string>("c", "other")).ShouldBeFalse("a pair is removed only with its value");
        map.Keys.ShouldBe(["a", "c"], "the rest keep their order");
        map.Values.ShouldBe(["one", "3"]);
        map.Contains(new("c", "3")).ShouldBeTrue();
        map.ContainsKey("b").ShouldBeFalse();
        Should.Throw<KeyNotFoundException>(() => map["b"]).Message.ShouldContain("'b'");
        map.TryGetValue("A", out _).ShouldBeFalse("keys compare ordinally");

        var copy = new KeyValuePair<string, string>[3];
        map.CopyTo(copy, 1);
        copy[1..].ShouldBe([new("a", "one"), new("c", "3")]);
        Should.Throw<ArgumentException>(() => map.CopyTo(copy, 2));

        Should.Throw<InvalidOperationException>(() =>
        {
            foreach (var entry in map)
            {
                map["added while enumerating " + entry.Key] = "x";
            }
        });

        map.Clear();
        map.Count.ShouldBe(0);
        map["after clear"] = "z";
        ((IReadOnlyDictionary<string, string>)map)["after clear"].ShouldBe("z");
        Should.Throw<ArgumentNullException>(() => map.ContainsKey(null!));
    }

    [Fact]
    public void A_map_read_from_json_takes_writes_past_the_entries_it_was_read_with()
    {
        var map = KubeJson.Deserialize<V1ConfigMap>("""{"metadata":{"labels":{"a":"1"}}}""")!;
        map.Metadata.Labels["b"] = "2";
        map.Metadata.Labels.Add("c", "3");
        KubeJson.Serialize(map).ShouldBe("""{"metadata":{"labels":{"a":"1","b":"2","c":"3"}}}""");
    }
}
