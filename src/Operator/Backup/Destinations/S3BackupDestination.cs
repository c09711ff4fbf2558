using System.Buffers;

namespace MetricsOperator.Backup.Destinations;

/// <summary>
/// An S3-compatible bucket through <see cref="S3Api"/>: AWS, MinIO, Google Cloud Storage's interoperability API,
/// s3rver. Path-style addressing (MinIO and most self-hosted stores do not serve virtual-host buckets), and no checksum
/// past the signed SHA-256 of each body (the trailing CRC checksums AWS's SDKs add by default are refused by several
/// non-AWS stores). Uploads stream: a small object is one PUT; anything larger than one part goes up as a multipart upload, one part
/// buffer at a time, so memory stays at one part whatever the size (a 1 GiB shard never sits in memory).
/// </summary>
public sealed class S3BackupDestination : IBackupDestination
{
    private readonly S3Settings settings;
    private readonly S3Api s3;
    private readonly string prefix;

    /// <summary>Creates the client.</summary>
    public S3BackupDestination(S3Settings settings)
    {
        this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
        s3 = new S3Api(settings);
        prefix = settings.NormalizedPrefix;
    }

    /// <inheritdoc/>
    public string Description => settings.ToString();

    /// <inheritdoc/>
    public async Task<long> PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var buffer = ArrayPool<byte>.Shared.Rent(settings.PartSize);
        try
        {
            var filled = await FillAsync(content, buffer, settings.PartSize, cancellationToken).ConfigureAwait(false);
            if (filled < settings.PartSize)
            {
                await CallAsync($"PUT {key}", () => s3.PutObjectAsync(prefix + key, buffer.AsMemory(0, filled), cancellationToken)).ConfigureAwait(false);
                return filled;
            }

            return await MultipartAsync(key, content, buffer, filled, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc/>
    public async Task<Stream?> OpenAsync(string key, CancellationToken cancellationToken)
    {
        return await CallAsync<Stream?>($"GET {key}", () => s3.GetObjectAsync(prefix + key, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredObject>> ListAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        var found = new List<StoredObject>();
        string? token = null;
        do
        {
            var after = token;
            var page = await CallAsync($"LIST {keyPrefix}", () => s3.ListObjectsAsync(prefix + keyPrefix, after, cancellationToken)).ConfigureAwait(false);
            found.AddRange(page.Objects.Select(o => new StoredObject(o.Key[prefix.Length..], o.Size)));
            token = page.NextContinuationToken;
        }
        while (token is not null);
        return found;
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);

        // One DELETE per key: DeleteObjects (the batch call) needs a Content-MD5 that several S3-compatible stores
        // check differently; retention deletes a few dozen keys per run at most.
        foreach (var key in keys)
        {
            await CallAsync($"DELETE {key}", () => s3.DeleteObjectAsync(prefix + key, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Nothing to release: the connections are pooled across destinations (S3Api).
    }

    private async Task<long> MultipartAsync(string key, Stream content, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        var uploadId = await CallAsync($"CREATE MULTIPART {key}", () => s3.CreateMultipartUploadAsync(prefix + key, cancellationToken)).ConfigureAwait(false);
        var parts = new List<(int Number, string ETag)>();
        long total = 0;
        try
        {
            for (var number = 1; filled > 0; number++)
            {
                var part = number;
                var size = filled;
                var etag = await CallAsync($"UPLOAD PART {part} of {key}", () => s3.UploadPartAsync(prefix + key, uploadId, part, buffer.AsMemory(0, size), cancellationToken)).ConfigureAwait(false);
                parts.Add((part, etag));
                total += filled;
                filled = await FillAsync(content, buffer, settings.PartSize, cancellationToken).ConfigureAwait(false);
            }

            await CallAsync($"COMPLETE MULTIPART {key}", () => s3.CompleteMultipartUploadAsync(prefix + key, uploadId, parts, cancellationToken)).ConfigureAwait(false);
            return total;
        }
        catch
        {
            // An abandoned upload keeps its parts (and costs storage) until aborted.
            try
            {
                await s3.AbortMultipartUploadAsync(prefix + key, uploadId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransport(e))
            {
            }

            throw;
        }
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, int size, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < size)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, size - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private async Task CallAsync(string operation, Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransport(e))
        {
            throw Failure(operation, e);
        }
    }

    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransport(e))
        {
            throw Failure(operation, e);
        }
    }

    private static bool IsTransport(Exception e) => e is S3Exception or HttpRequestException or IOException or TimeoutException;

    // The status and S3's error code, or why the store was not reached; credentials never appear in them.
    private BackupDestinationException Failure(string operation, Exception e)
    {
        var detail = e switch
        {
            S3Exception s3Error => s3Error.Message,
            HttpRequestException h => $"not reachable ({h.HttpRequestError})",
            TimeoutException t => $"not reachable ({t.Message})",
            _ => e.Message,
        };
        return new BackupDestinationException($"{operation} on {Description}: {detail}", e);
    }
}
