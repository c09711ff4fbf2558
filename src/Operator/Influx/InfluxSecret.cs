namespace MetricsOperator.Influx;

/// <summary>
/// A token or password held in memory. Its <see cref="ToString"/> never shows the value, so one passed by mistake
/// to a log template, an exception message, an Event or a status field shows <c>[secret]</c> instead.
/// </summary>
public sealed class InfluxSecret : IEquatable<InfluxSecret>
{
    private readonly string value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    public InfluxSecret(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        this.value = value;
    }

    /// <summary>The value, for the one place that must send it (an Authorization header, a Secret's data).</summary>
    public string Reveal() => value;

    /// <inheritdoc />
    public override string ToString() => "[secret]";

    /// <inheritdoc />
    public bool Equals(InfluxSecret? other) => other is not null && string.Equals(value, other.value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as InfluxSecret);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(value);
}
