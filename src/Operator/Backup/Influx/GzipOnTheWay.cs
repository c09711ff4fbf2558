using System.IO.Compression;
using System.IO.Pipelines;

namespace MetricsOperator.Backup.Influx;

/// <summary>
/// A readable stream of the gzip of another stream, compressed as it is read (through a pipe with a small buffer), for
/// a server that ignored <c>Accept-Encoding: gzip</c>: shards are always stored gzipped, and never whole in memory.
/// </summary>
internal sealed class GzipOnTheWay : ReadOnlyStream
{
    private readonly Stream reader;
    private readonly Task pump;

    public GzipOnTheWay(Stream source)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        reader = pipe.Reader.AsStream();
        pump = Task.Run(async () =>
        {
            try
            {
                var gzip = new GZipStream(pipe.Writer.AsStream(), CompressionLevel.Fastest);
                await using (gzip.ConfigureAwait(false))
                {
                    await source.CopyToAsync(gzip).ConfigureAwait(false);
                }

                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException)
            {
                await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
            }
            finally
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        });
    }

    public override int Read(byte[] buffer, int offset, int count) => reader.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => reader.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => reader.ReadAsync(buffer, offset, count, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await reader.DisposeAsync().ConfigureAwait(false);
        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
