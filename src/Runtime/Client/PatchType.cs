namespace MetricsOperator.Runtime.Client;

/// <summary>The patch formats the API server takes.</summary>
public enum PatchType
{
    /// <summary>RFC 7386 JSON merge patch (<c>application/merge-patch+json</c>).</summary>
    Merge,

    /// <summary>RFC 6902 JSON patch (<c>application/json-patch+json</c>).</summary>
    Json,

    /// <summary>Server-side apply (<c>application/apply-patch+yaml</c>; JSON is YAML).</summary>
    Apply,
}
