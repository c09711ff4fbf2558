using MetricsOperator.Backup.Destinations;

namespace MetricsOperator.Tests.Backup;

/// <summary>The S3 documents the backup reads, as Amazon S3's API reference shows them (namespaces, escapes, pages).</summary>
public sealed class S3XmlTests
{
    [Fact]
    public void A_truncated_list_page_gives_its_keys_sizes_and_the_next_token_with_escapes_read()
    {
        const string Page = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>env/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <IsTruncated>true</IsTruncated>
              <Contents><Key>env/a &amp; b.json</Key><LastModified>2025-01-01T00:00:00.000Z</LastModified><ETag>&quot;x&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>env/&#233;.json</Key><Size>0</Size><Owner><ID>o</ID></Owner></Contents>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            </ListBucketResult>
            """;
        var page = S3Xml.ReadListPage(Page);
        page.Objects.ShouldBe([("env/a & b.json", 12L), ("env/é.json", 0L)]);
        page.NextContinuationToken.ShouldBe("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
    }

    [Fact]
    public void The_last_page_has_no_next_token_and_an_empty_listing_no_objects()
    {
        var last = S3Xml.ReadListPage("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>3</Size></Contents><NextContinuationToken>t</NextContinuationToken></ListBucketResult>");
        last.Objects.ShouldBe([("k", 3L)]);
        last.NextContinuationToken.ShouldBeNull("a token beside IsTruncated false is not followed");
        var empty = S3Xml.ReadListPage("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>false</IsTruncated></ListBucketResult>");
        empty.Objects.ShouldBeEmpty();
        empty.NextContinuationToken.ShouldBeNull();
    }

    [Theory]
    [InlineData("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>", "NoSuchKey")]
    [InlineData("<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code></Error>", "InternalError")]
    [InlineData("<CompleteMultipartUploadResult><ETag>x</ETag></CompleteMultipartUploadResult>", null)]
    [InlineData("<html><body>502 Bad Gateway</body>", null)]
    [InlineData("", null)]
    public void An_error_document_gives_its_code_and_anything_else_none(string text, string? code) =>
        S3Xml.ErrorCode(text).ShouldBe(code);

    [Fact]
    public void The_complete_request_names_each_part_in_order_with_its_etag_escaped() =>
        S3Xml.CompleteMultipartUpload([(1, "\"a1\""), (2, "\"b&2\"")]).ShouldBe(
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber><ETag>&quot;a1&quot;</ETag></Part>" +
            "<Part><PartNumber>2</PartNumber><ETag>&quot;b&amp;2&quot;</ETag></Part></CompleteMultipartUpload>");

    [Fact]
    public void The_upload_id_of_a_new_multipart_upload_is_read() =>
        S3Xml.ReadField("<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>", "UploadId")
            .ShouldBe("VXBsb2FkIElE");
}
