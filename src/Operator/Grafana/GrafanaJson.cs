using System.Text.Json;
using System.Text.Json.Serialization;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Grafana;

/// <summary>The JSON settings of every Grafana request and response.</summary>
public static class GrafanaJson
{
    /// <summary>
    /// Leaves nulls out (the contract refuses null where it does not say nullable); reads case-sensitively; reads short
    /// strings shared (the snapshot of a Grafana's rules repeats each folder's UID, group, datasource UID, label and
    /// annotation keys on every rule or query), and label and annotation maps as <see cref="CompactStringDictionary"/>s.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = GrafanaJsonContext.Default,
        Converters = { SharedStrings.Instance, CompactStringDictionaryConverters.ReadOnly, CompactStringDictionaryConverters.Mutable },
    };
}
