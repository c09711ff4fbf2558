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
}
