namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// Reads a field that has a schema default, after <see cref="SchemaDefaults.Applied"/> (or the API server) filled it in:
/// a plain value, or an exception naming the field when a caller skipped the defaulting.
/// </summary>
internal static class Defaulted
{
    public static T Value<T>(T? value, string field)
        where T : class =>
        value ?? throw new InvalidOperationException($"{field} has a schema default but was not defaulted.");

    public static T Value<T>(T? value, string field)
        where T : struct =>
        value ?? throw new InvalidOperationException($"{field} has a schema default but was not defaulted.");
}
