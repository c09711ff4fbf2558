namespace MetricsOperator.Generation;

/// <summary>
/// Why the generators' reflection is safe in the Native AOT image, for their <c>UnconditionalSuppressMessage</c>
/// attributes (which both the analysers and the AOT compiler honour).
/// </summary>
internal static class TrimJustifications
{
    /// <summary>For reflection over the API types, which the run path does too (CrdSchemas, SchemaDefaults).</summary>
    public const string ApiTypesRooted =
        "Reflects over the API types, whose assembly (MetricsOperator.Crds) every trimmed or Native AOT build roots " +
        "(Operator.csproj TrimmerRootAssembly), so their members are all kept.";

    /// <summary>For code only the <c>generate</c> commands reach.</summary>
    public const string GenerateOnly =
        "Runs only in `generate`, which runs from source and refuses to run where dynamic code is unsupported (GenerateCommand).";
}
