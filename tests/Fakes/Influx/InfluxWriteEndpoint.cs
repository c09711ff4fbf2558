using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Influx;

/// <summary>
/// <c>POST /api/v2/write</c>: line protocol, gzip or not, parsed strictly; the caller needs write on that bucket.
/// A parse error rejects the whole batch (400 with the line number); a field type conflict keeps the other points.
/// With an <see cref="InfluxQlEngine"/>, accepted points are copied there before the answer, so a query that follows sees them.
/// </summary>
internal static class InfluxWriteEndpoint
{
    public static void Map(WebApplication app, InfluxState state, InfluxQlEngine? engine) => app.Map("POST", "/api/v2/write", async context =>
    {
        var org = InfluxHttp.ResolveOrg(state, InfluxHttp.Query(context, "orgID"), InfluxHttp.Query(context, "org"));
        var bucketName = InfluxHttp.Query(context, "bucket")!;
        var bucket = state.ResolveBucket(org.Id, bucketName) ?? throw InfluxException.NotFound($"bucket \"{bucketName}\" not found");
        if (!InfluxHttp.Can(context, "write", "buckets", org.Id, bucket.Id))
        {
            throw InfluxException.Unauthorized("insufficient permissions for write");
        }

        var body = await ReadBodyAsync(context);
        var nowNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var (points, error) = LineProtocol.Parse(body, InfluxHttp.Query(context, "precision") ?? "ns", nowNs);
        if (error is not null)
        {
            await InfluxHttp.WriteJsonAsync(context, 400, new JsonObject { ["code"] = "invalid", ["message"] = error.Message, ["line"] = error.Line });
            return;
        }

        if (points.Count == 0)
        {
            throw InfluxException.Invalid("writing requires points");
        }

        var partial = state.WritePoints(bucket.Id, points);
        if (engine is not null)
        {
            await engine.MirrorAsync(bucket.Name, points, context.RequestAborted);
        }

        if (partial is not null)
        {
            throw InfluxException.Invalid(partial);
        }

        await InfluxHttp.NoContent(context);
    });

    internal static async Task<string> ReadBodyAsync(HttpContext context)
    {
        Stream source = context.Request.Body;
        if (string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            source = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
        }

        try
        {
            using var reader = new StreamReader(source, Encoding.UTF8, leaveOpen: true);
            return await reader.ReadToEndAsync(context.RequestAborted);
        }
        catch (InvalidDataException e)
        {
            throw InfluxException.Invalid($"unable to decode gzip body: {e.Message}");
        }
        finally
        {
            if (!ReferenceEquals(source, context.Request.Body))
            {
                await source.DisposeAsync();
            }
        }
    }
}
