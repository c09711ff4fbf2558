using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace MetricsOperator.Backup.Bench;

/// <summary>
/// InfluxDB's backup API in process: the metadata (one bucket with one shard) and a shard of <c>size</c> bytes,
/// generated as it is read (never held), sent as gzip the way InfluxDB sends shards, so the operator stores it as is.
/// </summary>
internal sealed class SyntheticInflux(long size) : HttpMessageHandler
{
    public const long ShardId = 1;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        if (path.EndsWith("/backup/metadata", StringComparison.Ordinal))
        {
            const string boundary = "bench";
            const string buckets = """[{"bucketName":"metrics","bucketID":"b1","organizationName":"lsst","organizationID":"o1","retentionPolicies":[{"name":"autogen","shardGroups":[{"id":1,"shards":[{"id":1}]}]}]}]""";
            var body = $"--{boundary}\r\nContent-Disposition: attachment; name=\"kv\"\r\nContent-Type: application/octet-stream\r\n\r\nkv\r\n"
                + $"--{boundary}\r\nContent-Disposition: attachment; name=\"buckets\"\r\nContent-Type: application/json\r\n\r\n{buckets}\r\n--{boundary}--\r\n";
            response.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/mixed; boundary={boundary}");
        }
        else
        {
            response.Content = new StreamContent(new SyntheticStream(size), 64 * 1024);
            response.Content.Headers.ContentEncoding.Add("gzip");
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }

        return Task.FromResult(response);
    }

    /// <summary>Pseudo-random bytes (incompressible, like gzip output), made on the fly.</summary>
    private sealed class SyntheticStream(long length) : Stream
    {
        private readonly Random random = new(42);
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - position);
            random.NextBytes(buffer[..n]);
            position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
