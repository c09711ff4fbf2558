using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace MetricsOperator.Runtime.Hosting;

/// <summary>
/// Where the probe server listens, from an address like <c>http://0.0.0.0:8080</c>: an IP literal, <c>localhost</c>
/// (loopback) or a wildcard (<c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>: every interface), and a port (80 when none
/// is given, 0 takes a free one). A name that would need DNS is refused: what a pod binds must not depend on a lookup
/// at start.
/// </summary>
public static class ProbeAddress
{
    /// <summary>The endpoint <paramref name="address"/> names, or an <see cref="ArgumentException"/> that says what is wrong.</summary>
    public static IPEndPoint Parse(string address) =>
        TryParse(address, out var endpoint, out var problem) ? endpoint : throw new ArgumentException(problem, nameof(address));

    /// <summary>The endpoint <paramref name="address"/> names, or false and the <paramref name="problem"/> with it.</summary>
    public static bool TryParse(string address, [NotNullWhen(true)] out IPEndPoint? endpoint, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(address);
        endpoint = null;
        // Uri refuses "*" and "+" as hosts, which Kestrel's URLs and HttpListener's prefixes accept for "every interface".
        var normalized = address.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            problem = $"\"{address}\" is not an http:// URL such as http://0.0.0.0:8080";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            problem = $"\"{address}\" has a path or query; the probes are served at /healthz, /readyz and /metrics";
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        if (host == "localhost")
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, uri.Port);
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            endpoint = new IPEndPoint(ip, uri.Port);
        }
        else
        {
            problem = $"\"{address}\": \"{uri.Host}\" is not an IP address, localhost or 0.0.0.0";
            return false;
        }

        problem = null;
        return true;
    }
}
