using System.Security.Cryptography;
using MetricsOperator.Backup.Destinations;

namespace MetricsOperator.Tests.Backup;

/// <summary>
/// The operator's S3 client against s3rver, a real S3-compatible server: every call the backup makes, keys that need
/// encoding, a multipart upload, and the errors a user sees.
/// </summary>
[Collection(S3rverTests.Name)]
public sealed class S3BackupDestinationTests(S3rverFixture s3)
{
    [Fact]
    public async Task Objects_go_up_whole_come_back_whole_list_with_their_sizes_and_delete()
    {
        using var destination = new S3BackupDestination(s3.Settings($"env-{Guid.NewGuid():N}/"));
        var small = RandomNumberGenerator.GetBytes(1000);
        // Two full parts of 5 MiB and a last one of 1 MiB: a multipart upload of three parts.
        var large = RandomNumberGenerator.GetBytes((11 * 1024 * 1024) + 17);
        const string Awkward = "grafana/2025 snapshot/é & <co>+%.json";

        (await destination.PutAsync("small.bin", new MemoryStream(small), default)).ShouldBe(small.Length);
        (await destination.PutAsync("large.bin", new MemoryStream(large), default)).ShouldBe(large.Length);
        (await destination.PutAsync(Awkward, new MemoryStream(small), default)).ShouldBe(small.Length);

        (await ReadAllAsync(destination, "small.bin")).ShouldBe(small);
        (await ReadAllAsync(destination, "large.bin")).ShouldBe(large);
        (await ReadAllAsync(destination, Awkward)).ShouldBe(small);
        (await destination.OpenAsync("missing.bin", default)).ShouldBeNull();

        var listed = await destination.ListAsync("", default);
        listed.OrderBy(o => o.Key, StringComparer.Ordinal).ShouldBe(
            [new StoredObject(Awkward, small.Length), new StoredObject("large.bin", large.Length), new StoredObject("small.bin", small.Length)]);
        (await destination.ListAsync("grafana/", default)).ShouldHaveSingleItem().Key.ShouldBe(Awkward);

        await destination.DeleteAsync(["small.bin", Awkward, "never-there.bin"], default);
        (await destination.ListAsync("", default)).ShouldHaveSingleItem().Key.ShouldBe("large.bin");
        (await destination.OpenAsync("small.bin", default)).ShouldBeNull();
    }

    [Fact]
    public async Task Unknown_credentials_are_refused_by_the_store_and_the_message_names_the_code_never_the_secret()
    {
        // s3rver knows one key, S3RVER; it checks a request's key ID but not its Signature Version 4 (its source says
        // the V4 calculation is unimplemented), which SignatureV4Tests check against AWS's worked examples instead.
        const string Secret = "the-secret-of-another-key";
        using var destination = new S3BackupDestination(s3.Settings("wrong/") with { AccessKeyId = "SOMEONE-ELSE", SecretAccessKey = Secret });

        var failure = await Should.ThrowAsync<BackupDestinationException>(() => destination.PutAsync("a.bin", new MemoryStream([1, 2, 3]), default));
        failure.Message.ShouldBe($"PUT a.bin on s3://{S3rverFixture.Bucket}/wrong/ at {s3.Endpoint}: 403 InvalidAccessKeyId");
        failure.ToString().ShouldNotContain(Secret);
    }

    [Fact]
    public async Task A_missing_bucket_is_an_error_even_where_a_missing_key_is_not()
    {
        using var destination = new S3BackupDestination(s3.Settings("any/") with { Bucket = "no-such-bucket" });

        (await Should.ThrowAsync<BackupDestinationException>(() => destination.ListAsync("", default))).Message.ShouldContain("404 NoSuchBucket");
        (await Should.ThrowAsync<BackupDestinationException>(() => destination.OpenAsync("a.bin", default))).Message.ShouldContain("404 NoSuchBucket");
    }

    [Fact]
    public async Task A_store_that_is_down_is_not_reachable_after_the_retries()
    {
        var closed = new Uri($"http://127.0.0.1:{MetricsOperator.LocalCluster.FreePort.Next()}/");
        using var destination = new S3BackupDestination(s3.Settings("down/") with { Endpoint = closed, MaxRetries = 2 });

        var failure = await Should.ThrowAsync<BackupDestinationException>(() => destination.ListAsync("", default));
        failure.Message.ShouldBe($"LIST  on s3://{S3rverFixture.Bucket}/down/ at {closed}: not reachable (ConnectionError)");
    }

    private static async Task<byte[]> ReadAllAsync(S3BackupDestination destination, string key)
    {
        await using var stream = await destination.OpenAsync(key, default) ?? throw new InvalidOperationException($"{key} is missing");
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
