using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Timeout;

namespace MetricsOperator.Grafana;

/// <summary>
/// Grafana's HTTP API as the operator uses it: health, folders, dashboard search, datasources, provisioned alert rules
/// and rule groups, contact points and the notification policy tree. Requests carry the credentials; logs and
/// exceptions carry the method, path template and Grafana's message only. Thread-safe; one per Grafana.
/// </summary>
public sealed class GrafanaClient : IDisposable
{
    /// <summary>Header that provisions rules, contact points and policies as editable in the UI (no provenance).</summary>
    public const string DisableProvenanceHeader = "X-Disable-Provenance";

    private readonly HttpClient http;
    private readonly bool ownsHttp;
    private readonly GrafanaCredentials credentials;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;
    private readonly ILogger logger;

    /// <summary>Creates a client of the Grafana at <paramref name="baseUri"/> (its root; the API is under <c>/api</c>).</summary>
    public GrafanaClient(Uri baseUri, GrafanaCredentials credentials, GrafanaClientOptions? options = null, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        this.credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        var root = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan }
            : new HttpClient(handler, disposeHandler: false) { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
        ownsHttp = true;
        pipeline = GrafanaResilience.Build(options ?? GrafanaClientOptions.Default);
        this.logger = logger ?? NullLogger.Instance;
        BaseUri = root;
    }

    /// <summary>Grafana's root URL.</summary>
    public Uri BaseUri { get; }

    /// <summary><c>GET /api/health</c>.</summary>
    public Task<GrafanaHealth> HealthAsync(CancellationToken cancellationToken = default) =>
        GetAsync<GrafanaHealth>("api/health", "GET health", cancellationToken)!;

    // ----- folders -----

    /// <summary>Every top-level folder (<c>GET /api/folders</c>, one page of up to 1000… repeated until a short page).</summary>
    public async Task<IReadOnlyList<GrafanaFolder>> ListFoldersAsync(CancellationToken cancellationToken = default)
    {
        const int pageSize = 1000;
        var all = new List<GrafanaFolder>();
        for (var page = 1; ; page++)
        {
            var hits = await GetAsync<List<GrafanaFolder>>(
                string.Create(CultureInfo.InvariantCulture, $"api/folders?limit={pageSize}&page={page}"), "GET folders", cancellationToken) ?? [];
            all.AddRange(hits);
            if (hits.Count < pageSize)
            {
                return all;
            }
        }
    }

    /// <summary>Creates a folder; true when created, false when the UID already existed (409).</summary>
    public async Task<bool> CreateFolderAsync(string uid, string title, CancellationToken cancellationToken = default)
    {
        var (status, _) = await SendAsync(HttpMethod.Post, "api/folders", new CreateFolderCommand { Uid = uid, Title = title },
            $"POST folder {uid}", editable: null, [HttpStatusCode.Conflict], cancellationToken);
        return status != HttpStatusCode.Conflict;
    }

    /// <summary>
    /// Deletes a folder unless it still holds alert rules (Grafana then answers 400 and nothing is deleted); true when
    /// it was deleted or was not there.
    /// </summary>
    public async Task<bool> DeleteFolderIfNoRulesAsync(string uid, CancellationToken cancellationToken = default)
    {
        var (status, _) = await SendAsync(HttpMethod.Delete, $"api/folders/{Escape(uid)}?forceDeleteRules=false", null,
            $"DELETE folder {uid}", editable: null, [HttpStatusCode.NotFound, HttpStatusCode.BadRequest], cancellationToken);
        return status != HttpStatusCode.BadRequest;
    }

    /// <summary>Dashboards in a folder (<c>GET /api/search?type=dash-db&amp;folderUIDs=…</c>), at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<GrafanaSearchHit>> DashboardsInFolderAsync(string folderUid, int limit = 1, CancellationToken cancellationToken = default) =>
        await GetAsync<List<GrafanaSearchHit>>(
            string.Create(CultureInfo.InvariantCulture, $"api/search?type=dash-db&folderUIDs={Escape(folderUid)}&limit={limit}"), $"GET dashboards in folder {folderUid}", cancellationToken) ?? [];

    // ----- datasources -----

    /// <summary>A datasource by UID, or null.</summary>
    public Task<GrafanaDatasource?> GetDatasourceAsync(string uid, CancellationToken cancellationToken = default) =>
        GetOrNullAsync<GrafanaDatasource>($"api/datasources/uid/{Escape(uid)}", $"GET datasource {uid}", cancellationToken);

    /// <summary>Creates a datasource with the UID it carries (<c>POST /api/datasources</c>).</summary>
    public Task CreateDatasourceAsync(DataSourceCommand datasource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(datasource);
        return SendAsync(HttpMethod.Post, "api/datasources", datasource, $"POST datasource {datasource.Uid}", editable: null, [], cancellationToken);
    }

    /// <summary>Replaces a datasource (<c>PUT /api/datasources/uid/{uid}</c>, without a version: the operator's spec wins).</summary>
    public Task UpdateDatasourceAsync(DataSourceCommand datasource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(datasource);
        return SendAsync(HttpMethod.Put, $"api/datasources/uid/{Escape(datasource.Uid)}", datasource, $"PUT datasource {datasource.Uid}", editable: null, [], cancellationToken);
    }

    /// <summary>Deletes a datasource; true when it existed.</summary>
    public async Task<bool> DeleteDatasourceAsync(string uid, CancellationToken cancellationToken = default)
    {
        var (status, _) = await SendAsync(HttpMethod.Delete, $"api/datasources/uid/{Escape(uid)}", null, $"DELETE datasource {uid}", editable: null, [HttpStatusCode.NotFound], cancellationToken);
        return status != HttpStatusCode.NotFound;
    }

    // ----- alert rules -----

    /// <summary>Every provisioned alert rule of the organisation: one request, whatever the number of groups.</summary>
    public async Task<IReadOnlyList<ProvisionedAlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<List<ProvisionedAlertRule>>("api/v1/provisioning/alert-rules", "GET alert rules", cancellationToken) ?? [];

    /// <summary>
    /// Creates one rule (<c>POST /api/v1/provisioning/alert-rules</c>); false when its UID exists already (409), which
    /// the caller treats as "there". Grafana also answers 409 when another rule of the folder has the title: a 409 is
    /// read as "there" only when a GET finds the UID; otherwise it is thrown as a title conflict
    /// (<see cref="GrafanaApiException.IsTitleConflict"/>), never read as "there" (the group PUT would then meet an unknown
    /// UID and answer 500). <paramref name="editable"/> sends <see cref="DisableProvenanceHeader"/>.
    /// </summary>
    public async Task<bool> CreateAlertRuleAsync(ProvisionedAlertRule rule, bool editable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var operation = $"POST alert rule {rule.Uid}";
        var (status, body) = await SendAsync(HttpMethod.Post, "api/v1/provisioning/alert-rules", rule with { Provenance = null },
            operation, editable, [HttpStatusCode.Conflict], cancellationToken);
        if (status != HttpStatusCode.Conflict)
        {
            return true;
        }

        // Grafana 11.4 words every unique-index violation of a rule (UID or title) the same way: ask for the UID.
        return await GetAlertRuleAsync(rule.Uid ?? "", cancellationToken) is not null
            ? false
            : throw new GrafanaApiException(operation, status, MessageOf(body)) { TitleConflict = true };
    }

    /// <summary>One rule by UID, or null when no rule has it (404).</summary>
    public Task<ProvisionedAlertRule?> GetAlertRuleAsync(string uid, CancellationToken cancellationToken = default) =>
        GetOrNullAsync<ProvisionedAlertRule>($"api/v1/provisioning/alert-rules/{Escape(uid)}", $"GET alert rule {uid}", cancellationToken);

    /// <summary>A rule group as stored, or null when it has no rules (404).</summary>
    public Task<AlertRuleGroup?> GetRuleGroupAsync(string folderUid, string group, CancellationToken cancellationToken = default) =>
        GetOrNullAsync<AlertRuleGroup>(GroupPath(folderUid, group), $"GET rule group {folderUid}/{group}", cancellationToken);

    /// <summary>
    /// Replaces the whole group (rules left out are deleted). Every rule must exist already (Grafana before 11.6 answers
    /// 500 to an unknown UID). The answer only echoes the request, so nothing is returned: read the group back.
    /// </summary>
    public async Task PutRuleGroupAsync(string folderUid, string group, AlertRuleGroup body, bool editable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var sent = body with { Rules = [.. body.Rules.Select(r => r with { Provenance = null })] };
        await SendAsync(HttpMethod.Put, GroupPath(folderUid, group), sent, $"PUT rule group {folderUid}/{group}", editable, [], cancellationToken);
    }

    /// <summary>Deletes a rule group and its rules; true when it existed.</summary>
    public async Task<bool> DeleteRuleGroupAsync(string folderUid, string group, CancellationToken cancellationToken = default)
    {
        var (status, _) = await SendAsync(HttpMethod.Delete, GroupPath(folderUid, group), null,
            $"DELETE rule group {folderUid}/{group}", editable: null, [HttpStatusCode.NotFound], cancellationToken);
        return status != HttpStatusCode.NotFound;
    }

    // ----- contact points and policies -----

    /// <summary>Every contact point (secret settings come back as <c>[REDACTED]</c>).</summary>
    public async Task<IReadOnlyList<EmbeddedContactPoint>> ListContactPointsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<List<EmbeddedContactPoint>>("api/v1/provisioning/contact-points", "GET contact points", cancellationToken) ?? [];

    /// <summary>Creates a contact point with the UID it carries.</summary>
    public Task CreateContactPointAsync(EmbeddedContactPoint contactPoint, bool editable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contactPoint);
        return SendAsync(HttpMethod.Post, "api/v1/provisioning/contact-points", contactPoint with { Provenance = null },
            $"POST contact point {contactPoint.Uid}", editable, [], cancellationToken);
    }

    /// <summary>Replaces a contact point.</summary>
    public Task UpdateContactPointAsync(EmbeddedContactPoint contactPoint, bool editable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contactPoint);
        return SendAsync(HttpMethod.Put, $"api/v1/provisioning/contact-points/{Escape(contactPoint.Uid ?? "")}", contactPoint with { Provenance = null },
            $"PUT contact point {contactPoint.Uid}", editable, [], cancellationToken);
    }

    /// <summary>Deletes a contact point (idempotent).</summary>
    public Task DeleteContactPointAsync(string uid, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/provisioning/contact-points/{Escape(uid)}", null, $"DELETE contact point {uid}", editable: null, [HttpStatusCode.NotFound], cancellationToken);

    /// <summary>The notification policy tree.</summary>
    public async Task<NotificationRoute> GetPolicyTreeAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<NotificationRoute>("api/v1/provisioning/policies", "GET policy tree", cancellationToken) ?? new NotificationRoute();

    /// <summary>Replaces the notification policy tree.</summary>
    public Task PutPolicyTreeAsync(NotificationRoute tree, bool editable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tree);
        return SendAsync(HttpMethod.Put, "api/v1/provisioning/policies", WithoutProvenance(tree), "PUT policy tree", editable, [], cancellationToken);
    }

    // ----- notification templates and mute timings -----

    /// <summary>Every notification template.</summary>
    public async Task<IReadOnlyList<NotificationTemplate>> ListTemplatesAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<List<NotificationTemplate>>("api/v1/provisioning/templates", "GET templates", cancellationToken) ?? [];

    /// <summary>Creates or replaces a notification template (<c>PUT /api/v1/provisioning/templates/{name}</c>).</summary>
    public Task PutTemplateAsync(string name, string template, bool editable, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/provisioning/templates/{Escape(name)}", new NotificationTemplateContent { Template = template },
            $"PUT template {name}", editable, [], cancellationToken);

    /// <summary>Deletes a notification template (idempotent: Grafana answers 204 for a name it does not have).</summary>
    public Task DeleteTemplateAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/provisioning/templates/{Escape(name)}", null, $"DELETE template {name}", editable: null, [], cancellationToken);

    /// <summary>Every mute timing.</summary>
    public async Task<IReadOnlyList<MuteTiming>> ListMuteTimingsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync<List<MuteTiming>>("api/v1/provisioning/mute-timings", "GET mute timings", cancellationToken) ?? [];

    /// <summary>Creates a mute timing.</summary>
    public Task CreateMuteTimingAsync(MuteTiming timing, bool editable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timing);
        return SendAsync(HttpMethod.Post, "api/v1/provisioning/mute-timings", timing with { Provenance = null }, $"POST mute timing {timing.Name}", editable, [], cancellationToken);
    }

    /// <summary>Replaces a mute timing (no version sent: the operator's spec wins).</summary>
    public Task UpdateMuteTimingAsync(MuteTiming timing, bool editable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timing);
        return SendAsync(HttpMethod.Put, $"api/v1/provisioning/mute-timings/{Escape(timing.Name)}", timing with { Provenance = null },
            $"PUT mute timing {timing.Name}", editable, [], cancellationToken);
    }

    /// <summary>Deletes a mute timing (idempotent); Grafana refuses with 409 while a route or rule names it.</summary>
    public Task DeleteMuteTimingAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/provisioning/mute-timings/{Escape(name)}", null, $"DELETE mute timing {name}", editable: null, [], cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (ownsHttp)
        {
            http.Dispose();
        }
    }

    private static NotificationRoute WithoutProvenance(NotificationRoute route) =>
        route with { Provenance = null, Routes = route.Routes?.Select(WithoutProvenance).ToList() };

    private static string GroupPath(string folderUid, string group) =>
        $"api/v1/provisioning/folder/{Escape(folderUid)}/rule-groups/{Escape(group)}";

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private async Task<T?> GetAsync<T>(string path, string operation, CancellationToken cancellationToken)
    {
        var (_, body) = await SendAsync(HttpMethod.Get, path, null, operation, editable: null, [], cancellationToken);
        return Parse<T>(body, operation);
    }

    private async Task<T?> GetOrNullAsync<T>(string path, string operation, CancellationToken cancellationToken)
        where T : class
    {
        var (status, body) = await SendAsync(HttpMethod.Get, path, null, operation, editable: null, [HttpStatusCode.NotFound], cancellationToken);
        return status == HttpStatusCode.NotFound ? null : Parse<T>(body, operation);
    }

    private static T? Parse<T>(string body, string operation)
    {
        try
        {
            return body.Length == 0 ? default : JsonSerializer.Deserialize(body, (JsonTypeInfo<T>)GrafanaJson.Options.GetTypeInfo(typeof(T)));
        }
        catch (JsonException e)
        {
            throw new GrafanaApiException(operation, HttpStatusCode.OK, $"unexpected answer: {e.Message}", e);
        }
    }

    /// <summary>
    /// Sends one request through the retry pipeline; returns the status and body of a success or of one of the
    /// <paramref name="accepted"/> statuses; throws <see cref="GrafanaApiException"/> otherwise.
    /// </summary>
    private async Task<(HttpStatusCode Status, string Body)> SendAsync(
        HttpMethod method, string path, object? body, string operation, bool? editable, HttpStatusCode[] accepted, CancellationToken cancellationToken)
    {
        var json = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, GrafanaJson.Options.GetTypeInfo(body.GetType()));
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(
                async ct =>
                {
                    using var request = new HttpRequestMessage(method, path);
                    request.Headers.Authorization = credentials.Header();
                    if (editable == true)
                    {
                        request.Headers.Add(DisableProvenanceHeader, "true");
                    }

                    if (json is not null)
                    {
                        request.Content = new ByteArrayContent(json);
                        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    }

                    return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                },
                cancellationToken);
        }
        catch (TimeoutRejectedException e)
        {
            throw new GrafanaApiException(operation, null, "timed out", e);
        }
        catch (HttpRequestException e)
        {
            // The transport's message names host and port only; headers never appear in it.
            throw new GrafanaApiException(operation, null, $"not reachable ({e.HttpRequestError})", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = response.StatusCode;
            if (response.IsSuccessStatusCode || accepted.Contains(status))
            {
                logger.LogDebug("Grafana {Operation}: {Status}", operation, (int)status);
                return (status, text);
            }

            throw new GrafanaApiException(operation, status, MessageOf(text));
        }
    }

    // Grafana's errors are {"message": "..."}; anything else is cut short rather than echoed whole.
    private static string MessageOf(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject o && o["message"] is JsonValue message)
            {
                return message.ToString();
            }
        }
        catch (JsonException)
        {
        }

        return body.Length > 200 ? body[..200] + "…" : body;
    }
}
