using System.Net;
using System.Text;
using k8s;
using MetricsOperator.Runtime.Client;

namespace MetricsOperator.Runtime.Tests.Unit;

/// <summary>A <see cref="KubeApi"/> whose requests go to a recording handler instead of a server.</summary>
internal sealed class FakeApi : IDisposable
{
    public FakeApi(Func<HttpRequestMessage, HttpResponseMessage>? respond = null)
    {
        Handler = new RecordingHandler(respond ?? (r => Json(HttpStatusCode.OK, "{}")));
        Api = new KubeApi(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }, Handler);
    }

    public RecordingHandler Handler { get; }

    public KubeApi Api { get; }

    public static HttpResponseMessage Json(HttpStatusCode code, string body) =>
        new(code) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public void Dispose() => Api.Dispose();

    internal sealed class RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : DelegatingHandler
    {
        public List<(HttpMethod Method, string Uri, string? ContentType, string? Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (Requests)
            {
                Requests.Add((request.Method, request.RequestUri!.PathAndQuery, request.Content?.Headers.ContentType?.MediaType, body));
            }

            return respond(request);
        }
    }
}
