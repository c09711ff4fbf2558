namespace MetricsOperator.Crds.Schema;

// Schema metadata read by the CRD generator (src/Operator/Generation). Each attribute maps to one plain
// OpenAPI v3 keyword the API server checks itself, because the test API server (1.20) has no CEL.

/// <summary>The field must be present: listed under <c>required</c> of the enclosing object.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredAttribute : Attribute;

/// <summary>A string field must match this regular expression (<c>pattern</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string regex) : Attribute
{
    /// <summary>The ECMA-262 regular expression the value must match.</summary>
    public string Regex { get; } = regex;
}

/// <summary>A number must be at least this value (<c>minimum</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumAttribute(double value) : Attribute
{
    /// <summary>The smallest allowed value.</summary>
    public double Value { get; } = value;
}

/// <summary>A number must be at most this value (<c>maximum</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaximumAttribute(double value) : Attribute
{
    /// <summary>The largest allowed value.</summary>
    public double Value { get; } = value;
}

/// <summary>A string must have at least this many characters (<c>minLength</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinLengthAttribute(long length) : Attribute
{
    /// <summary>The smallest allowed length.</summary>
    public long Length { get; } = length;
}

/// <summary>A string must have at most this many characters (<c>maxLength</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxLengthAttribute(long length) : Attribute
{
    /// <summary>The largest allowed length.</summary>
    public long Length { get; } = length;
}

/// <summary>A list must have at least this many items (<c>minItems</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinItemsAttribute(long count) : Attribute
{
    /// <summary>The smallest allowed number of items.</summary>
    public long Count { get; } = count;
}

/// <summary>A list must have at most this many items (<c>maxItems</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxItemsAttribute(long count) : Attribute
{
    /// <summary>The largest allowed number of items.</summary>
    public long Count { get; } = count;
}

/// <summary>
/// The object must set exactly one of the named fields (a <c>oneOf</c> of <c>required</c> lists, which
/// structural schemas allow and 1.20 enforces).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ExactlyOneOfAttribute(params string[] jsonNames) : Attribute
{
    /// <summary>The JSON names of the mutually exclusive fields.</summary>
    public IReadOnlyList<string> JsonNames { get; } = jsonNames;
}
