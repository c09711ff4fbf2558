using MetricsOperator.Backup.Destinations;

namespace MetricsOperator.Tests.Backup;

/// <summary>
/// The signer against the worked examples of S3's "Signature Calculations for the Authorization Header" (Amazon S3 API
/// reference, sig-v4-header-based-auth: example key AKIAIOSFODNN7EXAMPLE, 24 May 2013, us-east-1, host
/// examplebucket.s3.amazonaws.com), the two that sign exactly host, x-amz-content-sha256 and x-amz-date as S3Api does.
/// s3rver, which the backup tests run, checks a request's key ID but not its V4 signature, so this is where it is checked.
/// </summary>
public sealed class SignatureV4Tests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset Day = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("lifecycle", null, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")]
    [InlineData("max-keys", "2", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")]
    public void The_worked_examples_of_the_s3_reference_sign_as_published(string name, string? value, string signature)
    {
        List<(string, string)> query = value is null ? [(name, "")] : [("prefix", "J"), (name, value)];
        var signed = SignatureV4.Sign("GET", "examplebucket.s3.amazonaws.com", "/", SignatureV4.Query(query), SignatureV4.EmptyPayloadHash, "us-east-1", "AKIAIOSFODNN7EXAMPLE", Secret, Day);

        signed.Authorization.ShouldBe($"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}");
        signed.AmzDate.ShouldBe("20130524T000000Z");
        signed.ContentSha256.ShouldBe(SignatureV4.EmptyPayloadHash);
    }

    [Fact]
    public void A_different_secret_time_or_payload_signs_differently()
    {
        string Signature(string secret, DateTimeOffset at, string payload) =>
            SignatureV4.Sign("PUT", "127.0.0.1:9000", "/bucket/key", "", payload, "us-east-1", "id", secret, at).Authorization;

        var payload = SignatureV4.PayloadHash("content"u8);
        var reference = Signature(Secret, Day, payload);
        Signature(Secret + "x", Day, payload).ShouldNotBe(reference);
        Signature(Secret, Day.AddSeconds(1), payload).ShouldNotBe(reference);
        Signature(Secret, Day, SignatureV4.PayloadHash("other"u8)).ShouldNotBe(reference);
        reference.ShouldNotContain(Secret);
    }

    [Fact]
    public void Keys_and_query_values_are_encoded_byte_by_byte_and_the_query_sorted_by_name()
    {
        SignatureV4.Encode("grafana/2025 snapshot~é+&=.json").ShouldBe("grafana%2F2025%20snapshot~%C3%A9%2B%26%3D.json");
        SignatureV4.Query([("uploadId", "a b"), ("partNumber", "2"), ("uploads", "")]).ShouldBe("partNumber=2&uploadId=a%20b&uploads=");
        SignatureV4.PayloadHash([]).ShouldBe(SignatureV4.EmptyPayloadHash);
    }
}
