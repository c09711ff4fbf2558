using System.Text;

namespace MetricsOperator.Runtime.Hosting;

/// <summary>
/// The parts of an HTTP/1.x request head the probe server answers by: method, path (without its query) and whether
/// the client asked for OpenMetrics (Prometheus does, in <c>Accept</c>). Everything else in the head is ignored; a
/// probe or scrape has no body.
/// </summary>
public sealed record ProbeRequest(string Method, string Path, bool WantsOpenMetrics)
{
    /// <summary>
    /// Reads a request head (the bytes up to and including the blank line); null when its request line is not
    /// <c>METHOD SP target SP HTTP/1.x</c> (RFC 9112 section 3) with an origin-form target.
    /// </summary>
    public static ProbeRequest? Parse(ReadOnlySpan<byte> head)
    {
        var text = Encoding.ASCII.GetString(head);
        var lines = text.Split('\n');
        var requestLine = lines[0].TrimEnd('\r').Split(' ');
        if (requestLine.Length != 3 || requestLine[0].Length == 0 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !requestLine[1].StartsWith('/'))
        {
            return null;
        }

        var target = requestLine[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? target : target[..query];
        var openMetrics = false;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("accept", StringComparison.OrdinalIgnoreCase))
            {
                openMetrics |= line.AsSpan(colon + 1).Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase);
            }
        }

        return new ProbeRequest(requestLine[0], path, openMetrics);
    }
}
