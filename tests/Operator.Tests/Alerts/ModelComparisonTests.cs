using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetricsOperator.Alerts;

namespace MetricsOperator.Tests.Alerts;

public sealed class ModelComparisonTests
{
    // Values as Grafana's models hold them, with near misses of each other.
    private static readonly string[] Texts =
    [
        "null", "true", "false", "0", "50", "50.0", "5e1", "50.5", "-1", "\"50\"", "\"gt\"", "\"GT\"", "\"\"", "\"é\\u00e9\"",
        "[]", "[5]", "[5,6]", "[6,5]", "[5.0]", "[\"5\"]", "[[1]]",
        "{}", "{\"type\":\"gt\"}", "{\"type\":\"lt\"}", "{\"type\":\"gt\",\"params\":[5]}", "{\"params\":[5],\"type\":\"gt\"}",
        "{\"type\":\"gt\",\"params\":[5.0]}", "{\"type\":null}", "{\"evaluator\":{\"type\":\"gt\",\"params\":[5]}}",
        "{\"evaluator\":{\"type\":\"gt\",\"params\":[5],\"extra\":1}}",
    ];

    [Fact]
    public void Every_pair_of_values_compares_as_json_node_deep_equals_does()
    {
        var compared = 0;
        foreach (var a in Texts)
        {
            foreach (var b in Texts)
            {
                using var stored = JsonDocument.Parse(b);
                var expected = JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
                ModelComparison.Equal(JsonNode.Parse(a), stored.RootElement).ShouldBe(expected, $"{a} vs {b}");
                compared++;
            }
        }

        compared.ShouldBe(Texts.Length * Texts.Length);
    }

    [Fact]
    public void Numbers_built_in_memory_equal_the_same_value_stored_as_text()
    {
        var desired = new JsonObject { ["threshold"] = JsonValue.Create(50.0), ["count"] = JsonValue.Create(3), ["ratio"] = JsonValue.Create(0.1m) };

        ModelComparison.Covers(Utf8("""{"threshold":50,"count":3.0,"ratio":0.10}"""), desired).ShouldBeTrue();
        ModelComparison.Covers(Utf8("""{"threshold":50.5,"count":3,"ratio":0.1}"""), desired).ShouldBeFalse();
    }

    [Fact]
    public void Keys_grafana_adds_at_the_top_do_not_count_but_inside_a_value_they_do()
    {
        var desired = new JsonObject
        {
            ["refId"] = "A",
            ["datasource"] = new JsonObject { ["type"] = "__expr__", ["uid"] = "__expr__" },
            ["unset"] = null,
        };

        ModelComparison.Covers(Utf8("""{"refId":"A","datasource":{"type":"__expr__","uid":"__expr__"},"hide":false,"intervalMs":1000}"""), desired).ShouldBeTrue();
        ModelComparison.Covers(Utf8("""{"refId":"A","datasource":{"type":"__expr__","uid":"__expr__","name":"Expression"}}"""), desired).ShouldBeFalse();
        ModelComparison.Covers(Utf8("""{"refId":"A","datasource":{"type":"__expr__","uid":"__expr__"},"unset":"x"}"""), desired).ShouldBeFalse();
        ModelComparison.Covers(Utf8("""{"refId":"B","datasource":{"type":"__expr__","uid":"__expr__"}}"""), desired).ShouldBeFalse();
        ModelComparison.Covers(Utf8("""["refId"]"""), desired).ShouldBeFalse();
    }

    private static ReadOnlyMemory<byte> Utf8(string json) => Encoding.UTF8.GetBytes(json);
}
