using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>A Secret in the same namespace as the object that names it; the field that uses it says which keys it must hold.</summary>
public sealed class SecretReference
{
    /// <summary>Name of the Secret, in the same namespace as this object.</summary>
    [Required]
    [JsonPropertyName("name")]
    [Pattern(Patterns.ObjectName)]
    [MaxLength(253)]
    public string Name { get; set; } = "";
}

/// <summary>One key of a Secret in the same namespace as the object that names it.</summary>
public sealed class SecretKeySelector
{
    /// <summary>Name of the Secret, in the same namespace as this object.</summary>
    [Required]
    [JsonPropertyName("name")]
    [Pattern(Patterns.ObjectName)]
    [MaxLength(253)]
    public string Name { get; set; } = "";

    /// <summary>The key in the Secret's data whose value is used.</summary>
    [Required]
    [JsonPropertyName("key")]
    [Pattern(Patterns.SecretKey)]
    [MaxLength(253)]
    public string Key { get; set; } = "";
}
