using MetricsOperator.Crds;

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

    /// <summary>
    /// UID of the InfluxQL datasource through the dashboard cache (spec.grafana.cache), present only while the cache is
    /// on. Alert rules never name it: they keep <see cref="InfluxQlUid"/>, so alert evaluation always sees fresh data.
    /// </summary>
    public const string CachedInfluxQlUid = "influxdb-influxql-cached";

    /// <summary>Name of the cached datasource, which is how Grafana's <c>deleteDatasources</c> finds it again.</summary>
    public const string CachedInfluxQlName = "InfluxDB (InfluxQL, cached)";

    /// <summary>UID of the Flux datasource.</summary>
    public const string FluxUid = "influxdb-flux";

    /// <summary>The token as the file names it: Grafana replaces it with the variable's value when it reads the file.</summary>
    private const string TokenReference = "${" + TokenEnv + "}";

    /// <summary>The file name in the provisioning ConfigMap.</summary>
    public const string FileName = "datasources.yaml";

    /// <summary>The provisioning file for <paramref name="stack"/>.</summary>
    public static string Render(DefaultedStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var influxDb = stack.InfluxDb;
        var wanted = stack.Grafana.Datasources;
        var url = StackNames.InfluxDbUrl(stack);
        var datasources = new List<object>();
        var cached = TricksterBuilder.IsEnabled(stack) && wanted.InfluxQL;
        if (wanted.InfluxQL)
        {
            // With the cache on, the cached twin is the default, so new dashboard panels go through Trickster.
            datasources.Add(InfluxQl("InfluxDB (InfluxQL)", InfluxQlUid, url, isDefault: !cached, influxDb.Bucket));
        }

        if (cached)
        {
            datasources.Add(InfluxQl(CachedInfluxQlName, CachedInfluxQlUid, StackNames.TricksterUrl(stack), isDefault: true, influxDb.Bucket));
        }

        // Flux stays direct: Trickster gives invalid data for Flux queries with more than one from() (its influxdb.md).
        if (wanted.Flux)
        {
            datasources.Add(new Dictionary<string, object>
            {
                ["name"] = "InfluxDB (Flux)",
                ["type"] = "influxdb",
                ["uid"] = FluxUid,
                ["access"] = "proxy",
                ["url"] = url,
                ["isDefault"] = !wanted.InfluxQL,
                ["editable"] = false,
                ["jsonData"] = InfluxDatasourceSettings.Flux(influxDb.Organization, influxDb.Bucket),
                ["secureJsonData"] = InfluxDatasourceSettings.FluxSecret(TokenReference),
            });
        }

        var file = new Dictionary<string, object> { ["apiVersion"] = 1 };
        if (!cached)
        {
            // Grafana keeps a provisioned datasource in its database when it leaves the file; only deleteDatasources
            // removes it (Grafana docs, "Provision Grafana", data sources). Listed whenever the cache is off, since the
            // file cannot know whether it was on before; deleting an absent datasource does nothing.
            file["deleteDatasources"] = new List<object> { new Dictionary<string, object> { ["name"] = CachedInfluxQlName, ["orgId"] = 1 } };
        }

        file["datasources"] = datasources;
        return PlainYaml.Write(file);
    }

    private static Dictionary<string, object> InfluxQl(string name, string uid, string url, bool isDefault, string bucket) => new()
    {
        ["name"] = name,
        ["type"] = "influxdb",
        ["uid"] = uid,
        ["access"] = "proxy",
        ["url"] = url,
        ["isDefault"] = isDefault,
        ["editable"] = false,
        ["jsonData"] = InfluxDatasourceSettings.InfluxQl(bucket),
        // Through the cache too: Trickster passes the header on to InfluxDB and holds no token itself.
        ["secureJsonData"] = InfluxDatasourceSettings.InfluxQlSecret(TokenReference),
    };
}
