using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetricsOperator.Grafana;

/// <summary>The JSON settings of every Grafana request and response.</summary>
public static class GrafanaJson
{
    /// <summary>Leaves nulls out (the contract refuses null where it does not say nullable); reads case-sensitively.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = GrafanaJsonContext.Default,
    };
}
