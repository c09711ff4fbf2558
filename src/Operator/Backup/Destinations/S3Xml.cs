using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;

namespace MetricsOperator.Backup.Destinations;

/// <summary>
/// The few XML documents of S3's REST API the backup reads and writes, by element name (namespaces ignored, as S3
/// compatible stores differ in them): a ListObjectsV2 page, a new multipart upload's ID, an error's code and the
/// CompleteMultipartUpload request. Element names and depths are those of Amazon S3's API reference.
/// </summary>
internal static class S3Xml
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        XmlResolver = null,
    };

    /// <summary>One page of ListObjectsV2.</summary>
    /// <param name="Objects">Each object's full key and size.</param>
    /// <param name="NextContinuationToken">Where the next page starts; null when this is the last.</param>
    public sealed record ListPage(IReadOnlyList<(string Key, long Size)> Objects, string? NextContinuationToken);

    /// <summary>Reads <c>ListBucketResult</c>: <c>Contents/Key</c>, <c>Contents/Size</c>, <c>IsTruncated</c>, <c>NextContinuationToken</c>.</summary>
    public static ListPage ReadListPage(string xml)
    {
        var objects = new List<(string, long)>();
        var truncated = false;
        string? next = null;
        string? key = null;
        long size = 0;
        using var reader = Open(xml);
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                switch (reader.Depth, reader.LocalName)
                {
                    case (1, "IsTruncated"):
                        truncated = reader.ReadElementContentAsString().Trim() == "true";
                        continue;
                    case (1, "NextContinuationToken"):
                        next = reader.ReadElementContentAsString();
                        continue;
                    case (1, "Contents"):
                        key = null;
                        size = 0;
                        break;
                    case (2, "Key"):
                        key = reader.ReadElementContentAsString();
                        continue;
                    case (2, "Size"):
                        size = long.Parse(reader.ReadElementContentAsString(), NumberStyles.None, CultureInfo.InvariantCulture);
                        continue;
                }
            }
            else if (reader is { NodeType: XmlNodeType.EndElement, Depth: 1, LocalName: "Contents" } && key is not null)
            {
                objects.Add((key, size));
            }

            reader.Read();
        }

        return new(objects, truncated && !string.IsNullOrEmpty(next) ? next : null);
    }

    /// <summary>The text of the first element named <paramref name="name"/> one level below the root, or null.</summary>
    public static string? ReadField(string xml, string name)
    {
        using var reader = Open(xml);
        return ReadField(reader, name);
    }

    /// <summary>
    /// The error code of an S3 error document (<c>&lt;Error&gt;&lt;Code&gt;</c>), or null when the text is not one:
    /// empty (a HEAD's error), HTML from a proxy, or a success.
    /// </summary>
    public static string? ErrorCode(string text)
    {
        if (!text.TrimStart().StartsWith('<'))
        {
            return null;
        }

        try
        {
            using var reader = Open(text);
            return reader.NodeType == XmlNodeType.Element && reader.LocalName == "Error" ? ReadField(reader, "Code") : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>The <c>CompleteMultipartUpload</c> request naming each part's number and ETag, in order.</summary>
    public static string CompleteMultipartUpload(IEnumerable<(int Number, string ETag)> parts)
    {
        var xml = new StringBuilder("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        foreach (var (number, etag) in parts)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<Part><PartNumber>{number}</PartNumber><ETag>{WebUtility.HtmlEncode(etag)}</ETag></Part>");
        }

        return xml.Append("</CompleteMultipartUpload>").ToString();
    }

    // The text of the first element named name one level below the root, the reader standing on the root.
    private static string? ReadField(XmlReader reader, string name)
    {
        while (reader.Read())
        {
            if (reader is { NodeType: XmlNodeType.Element, Depth: 1 } && reader.LocalName == name)
            {
                return reader.ReadElementContentAsString();
            }
        }

        return null;
    }

    private static XmlReader Open(string xml)
    {
        var reader = XmlReader.Create(new StringReader(xml), Settings);
        reader.MoveToContent();
        return reader;
    }
}
