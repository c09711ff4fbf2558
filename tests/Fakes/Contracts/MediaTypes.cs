namespace MetricsOperator.Fakes.Contracts;

internal static class MediaTypes
{
    /// <summary>The media type without parameters, lower-case ("application/json; charset=utf-8" → "application/json").</summary>
    public static string Of(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "";
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    public static bool IsJson(string mediaType) =>
        mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);
}
