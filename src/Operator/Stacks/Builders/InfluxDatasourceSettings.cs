namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// What Grafana's InfluxDB datasource needs to reach a stack's bucket, per query language: the settings (<c>jsonData</c>)
/// and where the read token goes (<c>secureJsonData</c>). One source for the managed Grafana's provisioning file
/// (<see cref="GrafanaDatasources"/>) and the datasources kept in an external Grafana through its API, so the two
/// cannot drift apart. Keys are those of Grafana's InfluxDB datasource (its <c>InfluxOptions</c>/<c>jsonData</c>).
/// </summary>
public static class InfluxDatasourceSettings
{
    /// <summary>InfluxQL through the v1-compatible endpoint: the DBRP mapping's database is the bucket's name.</summary>
    public static IReadOnlyDictionary<string, string> InfluxQl(string bucket) => new Dictionary<string, string>
    {
        ["version"] = "InfluxQL",
        ["dbName"] = bucket,
        // POST keeps long queries out of URLs (and so out of proxy logs).
        ["httpMode"] = "POST",
        // InfluxDB 2 takes the token as "Authorization: Token …", which the InfluxQL flavour sends as a custom header.
        ["httpHeaderName1"] = "Authorization",
    };

    /// <summary>The InfluxQL flavour's secret: the custom header's value.</summary>
    public static IReadOnlyDictionary<string, string> InfluxQlSecret(string token) =>
        new Dictionary<string, string> { ["httpHeaderValue1"] = "Token " + token };

    /// <summary>Flux through <c>/api/v2/query</c>: organization and default bucket.</summary>
    public static IReadOnlyDictionary<string, string> Flux(string organization, string bucket) => new Dictionary<string, string>
    {
        ["version"] = "Flux",
        ["organization"] = organization,
        ["defaultBucket"] = bucket,
    };

    /// <summary>The Flux flavour's secret: the token itself.</summary>
    public static IReadOnlyDictionary<string, string> FluxSecret(string token) =>
        new Dictionary<string, string> { ["token"] = token };
}
