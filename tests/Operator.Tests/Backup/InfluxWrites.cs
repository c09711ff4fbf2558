using System.Net.Http.Headers;
using System.Text;
using MetricsOperator.Fakes.Influx;

namespace MetricsOperator.Tests.Backup;

/// <summary>Points written to an InfluxDB fake over its HTTP write API, as Telegraf writes them.</summary>
internal static class InfluxWrites
{
    /// <summary>Writes <paramref name="lines"/> (line protocol, ns precision) to bucket <c>metrics</c> of <paramref name="org"/>; fails the test if refused.</summary>
    public static async Task WriteAsync(InfluxFake influx, string token, string lines, string org = "lsst")
    {
        using var http = influx.CreateClient(TimeSpan.FromSeconds(5));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", token);
        using var content = new StringContent(lines, Encoding.UTF8, "text/plain");
        using var response = await http.PostAsync(new Uri($"/api/v2/write?org={org}&bucket=metrics&precision=ns", UriKind.Relative), content);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
    }
}
