using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MetricsOperator.TestSupport;

/// <summary>
/// Refuses, in every client a test makes (except the operator's own identity), a request that would create an object
/// the operator owns: a fixture that made one would hide that the operator does not (the first wave's tests created
/// the managed Grafana's admin Secret, so nothing noticed the operator never did). The names come from the code
/// under test: a test assembly registers them (<see cref="Register"/>) from the operator's own naming functions.
/// </summary>
public sealed partial class OwnedObjectGuard : DelegatingHandler
{
    private static readonly List<Func<string, string, string?>> Rules = [];

    /// <summary>
    /// Adds a rule: given a resource (plural, e.g. <c>secrets</c>) and an object name, why the operator owns it, or null.
    /// </summary>
    public static void Register(Func<string, string, string?> rule)
    {
        lock (Rules)
        {
            Rules.Add(rule);
        }
    }

    /// <summary>Why a fixture may not create <paramref name="resource"/> <paramref name="name"/>, or null when it may.</summary>
    public static string? Refusal(string resource, string name)
    {
        lock (Rules)
        {
            return Rules.Select(rule => rule(resource, name)).FirstOrDefault(r => r is not null);
        }
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await CreatedAsync(request, cancellationToken) is { } created && Refusal(created.Resource, created.Name) is { } why)
        {
            throw new InvalidOperationException(
                $"A test fixture tried to create {created.Resource} \"{created.Name}\", which the operator owns ({why}). " +
                "Tests may assume nothing the product does not make: let the operator make it, or make it with the operator's own code.");
        }

        return await base.SendAsync(request, cancellationToken);
    }

    // POST to a collection creates; a server-side apply PATCH creates when the object is missing. Merge/JSON patches and
    // PUTs change what exists (a test may play a user editing the operator's objects).
    private static async Task<(string Resource, string Name)?> CreatedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var match = ObjectPath().Match(path);
        if (!match.Success)
        {
            return null;
        }

        var resource = match.Groups["resource"].Value;
        if (request.Method == HttpMethod.Post && !match.Groups["name"].Success && request.Content is not null)
        {
            var body = await request.Content.ReadAsStringAsync(cancellationToken);
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("name", out var name)
                ? (resource, name.GetString() ?? "")
                : null;
        }

        var apply = request.Content?.Headers.ContentType is MediaTypeHeaderValue { MediaType: "application/apply-patch+yaml" };
        return request.Method == HttpMethod.Patch && apply && match.Groups["name"].Success && !match.Groups["sub"].Success
            ? (resource, match.Groups["name"].Value)
            : null;
    }

    [GeneratedRegex(@"^/(?:api/v1|apis/[^/]+/[^/]+)/namespaces/[^/]+/(?<resource>[^/]+)(?:/(?<name>[^/]+)(?:/(?<sub>[^/]+))?)?$")]
    private static partial Regex ObjectPath();
}
