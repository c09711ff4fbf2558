using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MetricsOperator.Grafana;

namespace MetricsOperator.Backup.Grafana;

/// <summary>An answer of Grafana: status, and the JSON body when there was one.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Body">Parsed body, null when empty or not JSON.</param>
public sealed record GrafanaAnswer(HttpStatusCode Status, JsonNode? Body)
{
    /// <summary>True for 2xx.</summary>
    public bool Ok => (int)Status is >= 200 and < 300;

    /// <summary>Grafana's <c>message</c>, or the status.</summary>
    public string Message => Body is JsonObject o && o["message"] is JsonValue m ? m.ToString() : ((int)Status).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Grafana's HTTP API as raw JSON, for export and restore. The typed <see cref="GrafanaClient"/> serves the alerting
/// sync; a backup must carry every field Grafana returns, including ones no model here knows, so it never
/// deserialises into types. Credentials go into the Authorization header only; messages carry method, path and
/// Grafana's message.
/// </summary>
public sealed class GrafanaConfigApi : IDisposable
{
    private readonly HttpClient http;
    private readonly GrafanaCredentials credentials;

    /// <summary>Creates the client of the Grafana at <paramref name="baseUri"/>.</summary>
    public GrafanaConfigApi(Uri baseUri, GrafanaCredentials credentials, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        this.credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        var root = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = root;
        http.Timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>GET; throws <see cref="GrafanaApiException"/> unless 2xx or one of <paramref name="accepted"/>.</summary>
    public Task<GrafanaAnswer> GetAsync(string path, CancellationToken cancellationToken, params HttpStatusCode[] accepted) =>
        SendAsync(HttpMethod.Get, path, null, provenanceOff: false, cancellationToken, accepted);

    /// <summary>Sends a JSON body; throws <see cref="GrafanaApiException"/> unless 2xx or one of <paramref name="accepted"/>.</summary>
    public async Task<GrafanaAnswer> SendAsync(HttpMethod method, string path, JsonNode? body, bool provenanceOff, CancellationToken cancellationToken, params HttpStatusCode[] accepted)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = credentials.Header();
        if (provenanceOff)
        {
            request.Headers.Add(GrafanaClient.DisableProvenanceHeader, "true");
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var operation = $"{method} {path.Split('?')[0]}";
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new GrafanaApiException(operation, null, $"not reachable ({e.HttpRequestError})", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GrafanaApiException(operation, null, "timed out", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? parsed = null;
            try
            {
                parsed = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
            }

            var answer = new GrafanaAnswer(response.StatusCode, parsed);
            return answer.Ok || accepted.Contains(response.StatusCode)
                ? answer
                : throw new GrafanaApiException(operation, response.StatusCode, answer.Message);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => http.Dispose();
}
