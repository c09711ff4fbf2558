using System.Buffers;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace MetricsOperator.Backup.Destinations;

/// <summary>
/// An S3-compatible bucket through AWSSDK.S3: AWS, MinIO, Google Cloud Storage's interoperability API, s3rver.
/// Path-style addressing (MinIO and most self-hosted stores do not serve virtual-host buckets), checksums only
/// where the API requires them (the SDK's default trailing CRC checksums are refused by several non-AWS stores).
/// Uploads stream: a small object is one PUT; anything larger than one part goes up as a multipart upload, one part
/// buffer at a time, so memory stays at one part whatever the size (a 1 GiB shard never sits in memory).
/// </summary>
public sealed class S3BackupDestination : IBackupDestination
{
    private readonly S3Settings settings;
    private readonly AmazonS3Client s3;
    private readonly string prefix;

    /// <summary>Creates the client.</summary>
    public S3BackupDestination(S3Settings settings)
    {
        this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            AuthenticationRegion = settings.Region,
            Timeout = settings.Timeout,
            MaxErrorRetry = settings.MaxRetries,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.Endpoint is null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(settings.Region);
        }
        else
        {
            config.ServiceURL = settings.Endpoint.AbsoluteUri;
        }

        s3 = new AmazonS3Client(new BasicAWSCredentials(settings.AccessKeyId, settings.SecretAccessKey), config);
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
                await CallAsync($"PUT {key}", () => s3.PutObjectAsync(
                    new PutObjectRequest { BucketName = settings.Bucket, Key = prefix + key, InputStream = new MemoryStream(buffer, 0, filled, writable: false), UseChunkEncoding = false, AutoCloseStream = false },
                    cancellationToken)).ConfigureAwait(false);
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
        try
        {
            var response = await s3.GetObjectAsync(settings.Bucket, prefix + key, cancellationToken).ConfigureAwait(false);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey")
        {
            return null;
        }
        catch (Exception e) when (IsTransport(e))
        {
            throw Failure($"GET {key}", e);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredObject>> ListAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        var found = new List<StoredObject>();
        string? token = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = settings.Bucket, Prefix = prefix + keyPrefix, ContinuationToken = token };
            var page = await CallAsync($"LIST {keyPrefix}", () => s3.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
            found.AddRange((page.S3Objects ?? []).Select(o => new StoredObject(o.Key[prefix.Length..], o.Size ?? 0)));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
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
            await CallAsync($"DELETE {key}", () => s3.DeleteObjectAsync(settings.Bucket, prefix + key, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => s3.Dispose();

    private async Task<long> MultipartAsync(string key, Stream content, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        var started = await CallAsync($"CREATE MULTIPART {key}", () => s3.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = settings.Bucket, Key = prefix + key }, cancellationToken)).ConfigureAwait(false);
        var parts = new List<PartETag>();
        long total = 0;
        try
        {
            for (var number = 1; filled > 0; number++)
            {
                var request = new UploadPartRequest
                {
                    BucketName = settings.Bucket,
                    Key = prefix + key,
                    UploadId = started.UploadId,
                    PartNumber = number,
                    PartSize = filled,
                    InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                    UseChunkEncoding = false,
                };
                var uploaded = await CallAsync($"UPLOAD PART {number} of {key}", () => s3.UploadPartAsync(request, cancellationToken)).ConfigureAwait(false);
                parts.Add(new PartETag(number, uploaded.ETag));
                total += filled;
                filled = await FillAsync(content, buffer, settings.PartSize, cancellationToken).ConfigureAwait(false);
            }

            await CallAsync($"COMPLETE MULTIPART {key}", () => s3.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = settings.Bucket, Key = prefix + key, UploadId = started.UploadId, PartETags = parts },
                cancellationToken)).ConfigureAwait(false);
            return total;
        }
        catch
        {
            // An abandoned upload keeps its parts (and costs storage) until aborted.
            try
            {
                await s3.AbortMultipartUploadAsync(settings.Bucket, prefix + key, started.UploadId, CancellationToken.None).ConfigureAwait(false);
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

    private static bool IsTransport(Exception e) => e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException;

    // The SDK's messages name the bucket, key and error code; credentials never appear in them.
    private BackupDestinationException Failure(string operation, Exception e)
    {
        var detail = e switch
        {
            AmazonServiceException { StatusCode: var status, ErrorCode: { Length: > 0 } code } => $"{(int)status} {code}",
            AmazonServiceException { InnerException: HttpRequestException inner } => $"not reachable ({inner.HttpRequestError})",
            HttpRequestException h => $"not reachable ({h.HttpRequestError})",
            _ => e.Message,
        };
        return new BackupDestinationException($"{operation} on {Description}: {detail}", e);
    }
}
