using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Client;

/// <summary>
/// The runtime's REST client: list, watch, get, create, replace, patch (merge, JSON, server-side apply) and delete for
/// any kind, built-in or custom, addressed by its <see cref="ResourceType"/>.
/// <para>
/// It sends requests through its own <see cref="ApiServerConnection"/> (TLS, credentials, and any
/// <see cref="DelegatingHandler"/> passed to it), or through an existing <see cref="Kubernetes"/> client's.
/// It exists because the generated client's watch helpers do not track resourceVersion and hide the HTTP status:
/// here every failure is a <see cref="KubeApiException"/> carrying the status code, and a watch is a plain
/// <see cref="IAsyncEnumerable{T}"/> of events whose ERROR events carry their Status.
/// </para>
/// </summary>
public sealed class KubeApi : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMedia = new("application/json");
    private readonly ApiServerConnection connection;
    private readonly IDisposable? owned;

    /// <summary>
    /// Sends through an existing client's HTTP pipeline and credentials (tests and tools that also use the generated
    /// client). It is disposed with this object only when <paramref name="ownsClient"/> is true.
    /// </summary>
    public KubeApi(Kubernetes kubernetes, bool ownsClient = false)
    {
        connection = ApiServerConnection.Of(kubernetes);
        owned = ownsClient ? kubernetes : null;
    }

    /// <summary>Creates (and owns) the HTTP pipeline <paramref name="configuration"/> describes, with optional handlers in it.</summary>
    public KubeApi(KubernetesClientConfiguration configuration, params DelegatingHandler[] handlers)
    {
        connection = ApiServerConnection.Create(configuration, handlers);
        owned = connection;
    }

    /// <summary>Timeout of each non-watch request. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Lists one page. With <paramref name="keepCached"/>, an item it says the caller already holds at the listed
    /// resourceVersion is not built: it comes back as null in <see cref="ObjectList{T}.Items"/> (an informer's relist).
    /// </summary>
    public async Task<ObjectList<T>> ListAsync<T>(
        string? @namespace,
        string? labelSelector = null,
        int? limit = null,
        string? continueToken = null,
        KeepCached? keepCached = null,
        CancellationToken cancellationToken = default)
        where T : class
    {
        var type = ResourceType.For<T>();
        var query = new QueryBuilder().Add("labelSelector", labelSelector).Add("limit", limit?.ToString(CultureInfo.InvariantCulture)).Add("continue", continueToken);
        var json = keepCached is null ? ObjectListJson<T>.Info : ObjectListJson<T>.SkippingCached(keepCached);
        return await SendAsync(HttpMethod.Get, type.CollectionPath(@namespace) + query, null, json, cancellationToken).ConfigureAwait(false)
            ?? new ObjectList<T>();
    }

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> with bookmarks. The sequence ends when the server closes the
    /// stream (after <paramref name="timeoutSeconds"/>); ERROR events are yielded with their Status (410 = relist).
    /// A failed request throws <see cref="KubeApiException"/>; a dropped connection throws an I/O exception.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(
        string? @namespace,
        string resourceVersion,
        string? labelSelector = null,
        int timeoutSeconds = 300,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var type = ResourceType.For<T>();
        var query = new QueryBuilder()
            .Add("watch", "true")
            .Add("allowWatchBookmarks", "true")
            .Add("resourceVersion", resourceVersion)
            .Add("labelSelector", labelSelector)
            .Add("timeoutSeconds", timeoutSeconds.ToString(CultureInfo.InvariantCulture));
        using var response = await SendRawAsync(HttpMethod.Get, type.CollectionPath(@namespace) + query, null, streaming: true, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                yield return ParseWatchLine<T>(line);
            }
        }
    }

    /// <summary>Reads one object; null when it does not exist.</summary>
    public async Task<T?> GetAsync<T>(string? @namespace, string name, CancellationToken cancellationToken = default)
        where T : class
    {
        try
        {
            return await SendAsync<T>(HttpMethod.Get, ResourceType.For<T>().ObjectPath(@namespace, name), null, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Creates an object (POST).</summary>
    public Task<T?> CreateAsync<T>(T entity, CancellationToken cancellationToken = default)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(entity);
        var type = Prepare(entity);
        return SendAsync<T>(HttpMethod.Post, type.CollectionPath(entity.Metadata.NamespaceProperty), JsonContent(entity, JsonMedia), cancellationToken);
    }

    /// <summary>Replaces an object (PUT); its resourceVersion makes it conditional (409 when stale).</summary>
    public Task<T?> ReplaceAsync<T>(T entity, CancellationToken cancellationToken = default)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(entity);
        var type = Prepare(entity);
        return SendAsync<T>(HttpMethod.Put, type.ObjectPath(entity.Metadata.NamespaceProperty, entity.Metadata.Name), JsonContent(entity, JsonMedia), cancellationToken);
    }

    /// <summary>Server-side apply of <paramref name="entity"/> as <paramref name="fieldManager"/>, taking over conflicting fields when <paramref name="force"/>.</summary>
    public Task<T?> ApplyAsync<T>(T entity, string fieldManager, bool force = true, CancellationToken cancellationToken = default)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(entity);
        var type = Prepare(entity);
        var query = new QueryBuilder().Add("fieldManager", fieldManager).Add("force", force ? "true" : null);
        return SendAsync<T>(HttpMethod.Patch, type.ObjectPath(entity.Metadata.NamespaceProperty, entity.Metadata.Name) + query,
            JsonContent(entity, new MediaTypeHeaderValue("application/apply-patch+yaml")), cancellationToken);
    }

    /// <summary>Patches an object, or its <paramref name="subresource"/> (e.g. <c>status</c>).</summary>
    public Task<T?> PatchAsync<T>(
        string? @namespace,
        string name,
        PatchType patchType,
        string patch,
        string? subresource = null,
        string? fieldManager = null,
        CancellationToken cancellationToken = default)
    {
        var path = ResourceType.For<T>().ObjectPath(@namespace, name) + (subresource is null ? string.Empty : "/" + subresource);
        var media = patchType switch
        {
            PatchType.Merge => "application/merge-patch+json",
            PatchType.Json => "application/json-patch+json",
            _ => "application/apply-patch+yaml",
        };
        var content = new StringContent(patch, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(media);
        return SendAsync<T>(HttpMethod.Patch, path + new QueryBuilder().Add("fieldManager", fieldManager), content, cancellationToken);
    }

    /// <summary>Deletes an object (background propagation). Returns false when it was already gone.
    /// <paramref name="uid"/>, when given, is a precondition: a same-named newer object is left alone.</summary>
    public Task<bool> DeleteAsync<T>(string? @namespace, string name, string? uid = null, CancellationToken cancellationToken = default) =>
        DeleteAsync<T>(@namespace, name, uid, "Background", cancellationToken);

    /// <summary>
    /// Deletes an object with <paramref name="propagationPolicy"/> (<c>Background</c>, <c>Foreground</c>, or <c>Orphan</c>:
    /// its dependents stay, e.g. a StatefulSet's pods). Returns false when it was already gone.
    /// </summary>
    public async Task<bool> DeleteAsync<T>(string? @namespace, string name, string? uid, string propagationPolicy, CancellationToken cancellationToken = default)
    {
        var options = new JsonObject { ["propagationPolicy"] = propagationPolicy };
        if (uid is not null)
        {
            options["preconditions"] = new JsonObject { ["uid"] = uid };
        }

        var content = new StringContent(options.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = JsonMedia;
        try
        {
            using var response = await SendRawAsync(HttpMethod.Delete, ResourceType.For<T>().ObjectPath(@namespace, name), content, streaming: false, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (KubeApiException e) when (e.IsNotFound || (e.IsConflict && uid is not null))
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        owned?.Dispose();
    }

    internal static WatchEvent<T> ParseWatchLine<T>(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var typeName = root.GetProperty("type").GetString();
        var type = typeName switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => WatchEventType.Error,
            _ => throw new JsonException($"Unknown watch event type '{typeName}'."),
        };
        var body = root.GetProperty("object");
        return type == WatchEventType.Error
            ? new WatchEvent<T>(type, default, KubeJson.Deserialize<V1Status>(body))
            : new WatchEvent<T>(type, KubeJson.Deserialize<T>(body), null);
    }

    private static ResourceType Prepare<T>(T entity)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var type = ResourceType.For<T>();
        entity.ApiVersion ??= type.ApiVersion;
        entity.Kind ??= type.Kind;
        if (entity.Metadata?.Name is null)
        {
            throw new ArgumentException($"{type.Kind} has no metadata.name.", nameof(entity));
        }

        return type;
    }

    private static StringContent JsonContent(object body, MediaTypeHeaderValue media)
    {
        var content = new StringContent(KubeJson.Serialize(body), Encoding.UTF8);
        content.Headers.ContentType = media;
        return content;
    }

    private Task<T?> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken) =>
        SendAsync(method, path, content, KubeJson.TypeInfo<T>(), cancellationToken);

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> json, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        // Read from the socket as it arrives: a buffered response goes through an ArrayPool array as large as the body
        // (a relist of 1000 AppAlerts: 16 MiB), which the shared pool then keeps for the process's life.
        using var response = await SendRawAsync(method, path, content, streaming: true, timeout.Token).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, json, timeout.Token).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, bool streaming, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(connection.Server, path))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (connection.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await connection.Http.SendAsync(
            request,
            streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            V1Status? status = null;
            try
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                status = body.Length > 0 && body[0] == '{' ? KubeJson.Deserialize<V1Status>(body) : null;
            }
            catch (JsonException)
            {
                // Not a Status object (e.g. a proxy's error page): the status code is all we have.
            }

            throw new KubeApiException(response.StatusCode, status, method.Method + " " + StripQuery(path));
        }
    }

    private static string StripQuery(string path)
    {
        var q = path.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? path : path[..q];
    }

    private sealed class QueryBuilder
    {
        private readonly StringBuilder builder = new();

        public QueryBuilder Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }

            return this;
        }

        public override string ToString() => builder.ToString();
    }
}
