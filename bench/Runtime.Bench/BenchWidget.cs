using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MetricsOperator.Runtime.Bench;

/// <summary>The benchmark's own tiny custom resource (the runtime tests have their own; this project does not reference them).</summary>
[KubernetesEntity(Group = Group, ApiVersion = "v1", Kind = "Widget", PluralName = "widgets")]
internal sealed class BenchWidget : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "bench.runtime.metrics.lsst.io";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = Group + "/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Widget";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public BenchWidgetSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public BenchWidgetStatus? Status { get; set; }

    public static BenchWidget Named(string ns, string name, string message) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new BenchWidgetSpec { Message = message },
    };

    public static V1CustomResourceDefinition Definition() => new()
    {
        Metadata = new V1ObjectMeta { Name = "widgets." + Group },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = Group,
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames { Plural = "widgets", Singular = "widget", Kind = "Widget", ListKind = "WidgetList" },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = "v1",
                    Served = true,
                    Storage = true,
                    Subresources = new V1CustomResourceSubresources { Status = new object() },
                    Schema = new V1CustomResourceValidation
                    {
                        OpenAPIV3Schema = new V1JSONSchemaProps
                        {
                            Type = "object",
                            Properties = new Dictionary<string, V1JSONSchemaProps>
                            {
                                ["spec"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true },
                                ["status"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true },
                            },
                        },
                    },
                },
            ],
        },
    };
}

internal sealed class BenchWidgetSpec
{
    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

internal sealed class BenchWidgetStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition> Conditions { get; set; } = [];
}
