namespace MetricsOperator.Crds.Schema;

/// <summary>
/// The API server fills in this value when the field is left out (<c>default</c>). Written as it appears in
/// YAML: enum values by their JSON name (e.g. <c>"managed"</c>); a test checks every default against its schema.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultAttribute(object value) : Attribute
{
    /// <summary>The default value: a string, number or boolean.</summary>
    public object Value { get; } = value;
}

/// <summary>
/// The API server fills in <c>{}</c> when the section is left out, so the defaults of the section's own
/// fields apply too. Only for objects none of whose fields is required.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultEmptyObjectAttribute : Attribute;
