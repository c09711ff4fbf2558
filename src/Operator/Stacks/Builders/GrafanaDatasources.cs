using MetricsOperator.Crds;
using YamlDotNet.Serialization;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Grafana's datasource provisioning file (<c>apiVersion: 1</c>, <c>datasources:</c>) for the managed Grafana:
/// one InfluxDB datasource per flavour the spec asks for. The read token is written as <c>${INFLUX_READ_TOKEN}</c>,
/// which Grafana interpolates from its environment when it reads the file, so it only ever lives in a Secret.
/// </summary>
public static class GrafanaDatasources
{
    /// <summary>Environment variable of the Grafana container holding the read token (from <c>&lt;stack&gt;-grafana-token</c>).</summary>
    public const string TokenEnv = "INFLUX_READ_TOKEN";

    /// <summary>UID of the InfluxQL datasource; fixed, because a managed Grafana serves exactly one stack and alert rules name it.</summary>
    public const string InfluxQlUid = "influxdb-influxql";

    /// <summary>UID of the Flux datasource.</summary>
    public const string FluxUid = "influxdb-flux";

    /// <summary>The file name in the provisioning ConfigMap.</summary>
    public const string FileName = "datasources.yaml";

    /// <summary>The provisioning file for <paramref name="stack"/>.</summary>
    public static string Render(V1Alpha1MetricsStack stack)
    {
        stack = SchemaDefaults.Applied(stack);
        var influxDb = stack.Spec.InfluxDb!;
        var wanted = stack.Spec.Grafana!.Datasources!;
        var url = StackNames.InfluxDbUrl(stack);
        var datasources = new List<object>();
        if (wanted.InfluxQL == true)
        {
            datasources.Add(new Dictionary<string, object>
            {
                ["name"] = "InfluxDB (InfluxQL)",
                ["type"] = "influxdb",
                ["uid"] = InfluxQlUid,
                ["access"] = "proxy",
                ["url"] = url,
                ["isDefault"] = true,
                ["editable"] = false,
                ["jsonData"] = new Dictionary<string, object>
                {
                    ["version"] = "InfluxQL",
                    // InfluxQL reaches the bucket through the DBRP mapping the operator makes, whose database is the bucket's name.
                    ["dbName"] = influxDb.Bucket!,
                    // POST keeps long queries out of URLs (and so out of proxy logs).
                    ["httpMode"] = "POST",
                    ["httpHeaderName1"] = "Authorization",
                },
                ["secureJsonData"] = new Dictionary<string, object> { ["httpHeaderValue1"] = "Token ${" + TokenEnv + "}" },
            });
        }

        if (wanted.Flux == true)
        {
            datasources.Add(new Dictionary<string, object>
            {
                ["name"] = "InfluxDB (Flux)",
                ["type"] = "influxdb",
                ["uid"] = FluxUid,
                ["access"] = "proxy",
                ["url"] = url,
                ["isDefault"] = wanted.InfluxQL != true,
                ["editable"] = false,
                ["jsonData"] = new Dictionary<string, object>
                {
                    ["version"] = "Flux",
                    ["organization"] = influxDb.Organization!,
                    ["defaultBucket"] = influxDb.Bucket!,
                },
                ["secureJsonData"] = new Dictionary<string, object> { ["token"] = "${" + TokenEnv + "}" },
            });
        }

        var file = new Dictionary<string, object> { ["apiVersion"] = 1, ["datasources"] = datasources };
        return new SerializerBuilder().Build().Serialize(file);
    }
}
