using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// Timestamps as the API server writes and reads them (RFC 3339 with microseconds), the same text KubernetesClient's
/// reflection-based <c>KubernetesJson</c> writes, so hashes and patches of existing objects do not change when the
/// runtime serialises through source-generated metadata instead.
/// </summary>
public sealed class KubernetesDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    private const string Micro = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.ffffffK";
    private static readonly string[] Formats = ["yyyy'-'MM'-'dd'T'HH':'mm':'ssK", Micro, "yyyy'-'MM'-'dd'T'HH':'mm':'ss.fffffffK"];

    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("A timestamp is null.");
        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact))
        {
            return exact;
        }

        // RFC3339Nano (up to 9 fraction digits): .NET holds 7, so the rest is cut (not rounded), as KubernetesClient does.
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            ? parsed
            : throw new JsonException($"'{text}' is not an RFC 3339 timestamp.");
    }

    /// <inheritdoc/>
    /// <remarks>As KubernetesClient 21 writes it: UTC with a 'Z', whole seconds without a fraction, otherwise microseconds.</remarks>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        var utc = value.UtcDateTime;
        var format = utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'" : "yyyy'-'MM'-'dd'T'HH':'mm':'ss.ffffff'Z'";
        writer.WriteStringValue(utc.ToString(format, CultureInfo.InvariantCulture));
    }
}

/// <summary><see cref="DateTime"/> through <see cref="KubernetesDateTimeOffsetConverter"/>; read as UTC.</summary>
public sealed class KubernetesDateTimeConverter : JsonConverter<DateTime>
{
    private static readonly KubernetesDateTimeOffsetConverter Inner = new();

    /// <inheritdoc/>
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Inner.Read(ref reader, typeof(DateTimeOffset), options).UtcDateTime;

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        Inner.Write(writer, value, options);
}

/// <summary><see cref="TimeSpan"/> as an ISO 8601 duration, as KubernetesClient writes it.</summary>
public sealed class Iso8601TimeSpanConverter : JsonConverter<TimeSpan>
{
    /// <inheritdoc/>
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        XmlConvert.ToTimeSpan(reader.GetString() ?? throw new JsonException("A duration is null."));

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(XmlConvert.ToString(value));
}
