using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MetricsOperator.Runtime.Tests.Integration;

/// <summary>A test-only custom resource, so the runtime is tested without the operator's domain types.</summary>
[KubernetesEntity(Group = Group, ApiVersion = "v1", Kind = "Widget", PluralName = "widgets")]
public sealed class Widget : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "runtime.test.metrics.lsst.io";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = Group + "/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Widget";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public WidgetSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public WidgetStatus? Status { get; set; }

    public static Widget Named(string ns, string name, string message = "hello") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new WidgetSpec { Message = message },
    };
}

public sealed class WidgetSpec
{
    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

public sealed class WidgetStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition> Conditions { get; set; } = [];
}

public static class WidgetCrd
{
    public static V1CustomResourceDefinition Definition() => new()
    {
        Metadata = new V1ObjectMeta { Name = "widgets." + Widget.Group },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = Widget.Group,
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
