using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Tests.Stacks;

public sealed class PlainYamlTests
{
    [Fact]
    public void A_string_that_yaml_would_read_as_another_type_is_quoted_and_the_rest_stay_plain()
    {
        var text = PlainYaml.Write(new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["bool-like"] = "true",
            ["int-like"] = "10",
            ["null-like"] = "~",
            ["date-like"] = "2026-12-02",
            ["empty"] = "",
            ["duration"] = "60s",
            ["url"] = "http://metrics-influxdb.metrics:8086",
            ["flag"] = false,
            ["count"] = 2048,
            ["list"] = new List<object> { "a", 1 },
            ["nested"] = new Dictionary<string, object> { ["key"] = "on" },
        });

        text.ShouldBe("""
            bool-like: "true"
            count: 2048
            date-like: "2026-12-02"
            duration: 60s
            empty: ""
            flag: false
            int-like: "10"
            list:
            - a
            - 1
            nested:
              key: "on"
            null-like: "~"
            url: http://metrics-influxdb.metrics:8086

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_json_document_keeps_its_order_and_types_a_key_yaml_would_read_as_a_bool_is_quoted_and_a_multi_line_text_is_a_literal_block()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse("""{"kind":"ConfigMap","data":{"a.conf":"[agent]\n  interval = \"10s\"\n","port":"8086"},"replicas":1,"ratio":0.5,"on":true}""")!;

        PlainYaml.Write(json).ShouldBe("""
            kind: ConfigMap
            data:
              a.conf: |
                [agent]
                  interval = "10s"
              port: "8086"
            replicas: 1
            ratio: 0.5
            "on": true

            """.ReplaceLineEndings("\n"));
    }
}
