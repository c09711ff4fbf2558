namespace MetricsOperator.Crds.Schema;

/// <summary>An abbreviation <c>kubectl</c> accepts for the kind (<c>names.shortNames</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class ShortNameAttribute(string name) : Attribute
{
    /// <summary>The short name, lower case.</summary>
    public string Name { get; } = name;
}

/// <summary>A column <c>kubectl get</c> prints for the kind (<c>additionalPrinterColumns</c>).</summary>
/// <param name="order">Where the column goes: lower first. Reflection does not promise attribute order.</param>
/// <param name="name">The column header.</param>
/// <param name="type">The OpenAPI type of the value: string, integer, number, boolean or date.</param>
/// <param name="jsonPath">A JSONPath into the object, e.g. <c>.status.conditions[?(@.type=="Ready")].status</c>.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(int order, string name, string type, string jsonPath) : Attribute
{
    /// <summary>Where the column goes: lower first.</summary>
    public int Order { get; } = order;

    /// <summary>The column header.</summary>
    public string Name { get; } = name;

    /// <summary>The OpenAPI type of the value: string, integer, number, boolean or date.</summary>
    public string Type { get; } = type;

    /// <summary>A JSONPath into the object.</summary>
    public string JsonPath { get; } = jsonPath;

    /// <summary>What the column shows (shown by <c>kubectl explain</c>-like tools).</summary>
    public string? Description { get; init; }

    /// <summary>0 shows the column always; higher values only with <c>-o wide</c>.</summary>
    public int Priority { get; init; }
}
