namespace MetricsOperator.Backup.Destinations;

/// <summary>
/// How to reach an S3-compatible bucket. <see cref="ToString"/> leaves the secret key out, so settings can be logged.
/// </summary>
/// <param name="Bucket">Bucket name.</param>
/// <param name="Prefix">Key prefix every object is written under ("" for none; a trailing '/' is added).</param>
/// <param name="Endpoint">Endpoint of a non-AWS store (MinIO, GCS interoperability, s3rver); null for AWS.</param>
/// <param name="Region">Region (signing region for non-AWS stores).</param>
/// <param name="AccessKeyId">Access key ID.</param>
/// <param name="SecretAccessKey">Secret access key.</param>
public sealed record S3Settings(string Bucket, string Prefix, Uri? Endpoint, string Region, string AccessKeyId, string SecretAccessKey)
{
    /// <summary>Key of the access key ID in the credentials Secret.</summary>
    public const string AccessKeyIdKey = "AWS_ACCESS_KEY_ID";

    /// <summary>Key of the secret access key in the credentials Secret.</summary>
    public const string SecretAccessKeyKey = "AWS_SECRET_ACCESS_KEY";

    /// <summary>Size of one multipart part, and so of the one buffer an upload holds: S3's minimum is 5 MiB.</summary>
    public int PartSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>How long one request may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of one request inside the SDK (the backup itself is retried by its schedule).</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>The prefix as used in keys: empty, or ending with exactly one '/'.</summary>
    public string NormalizedPrefix => Prefix.Trim('/') is { Length: > 0 } p ? p + "/" : "";

    /// <inheritdoc/>
    public override string ToString() => $"s3://{Bucket}/{NormalizedPrefix}" + (Endpoint is null ? "" : $" at {Endpoint}");
}
