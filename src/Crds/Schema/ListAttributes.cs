namespace MetricsOperator.Crds.Schema;

/// <summary>
/// The list is a map keyed by these item fields (<c>x-kubernetes-list-type: map</c>): keys are unique, and
/// server-side apply merges items by key instead of replacing the whole list. Key fields must be required.
/// Lists of <c>V1Condition</c> are keyed by <c>type</c> without this attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListMapAttribute(params string[] keys) : Attribute
{
    /// <summary>The JSON names of the item fields that identify an item.</summary>
    public IReadOnlyList<string> Keys { get; } = keys;
}
