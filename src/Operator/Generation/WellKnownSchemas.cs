using k8s.Models;

namespace MetricsOperator.Generation;

/// <summary>
/// Schemas of Kubernetes types the API types embed, written as Kubernetes itself publishes them (what
/// controller-gen emits), because their documentation is not in our XML file.
/// </summary>
internal static class WellKnownSchemas
{
    /// <summary>The pattern Kubernetes gives resource quantities (e.g. <c>1Gi</c>, <c>500m</c>), without the sign: sizes are never negative.</summary>
    public const string QuantityPattern =
        @"^(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

    /// <summary>A resource quantity: an integer or a string such as <c>10Gi</c>, as Kubernetes accepts it.</summary>
    public static V1JSONSchemaProps Quantity(string? description) => new()
    {
        Description = description,
        AnyOf = [new V1JSONSchemaProps { Type = "integer" }, new V1JSONSchemaProps { Type = "string" }],
        Pattern = QuantityPattern,
        XKubernetesIntOrString = true,
    };

    /// <summary>
    /// Object metadata: the API server validates it itself, so the schema only says it is an object. Not even a
    /// description: 1.20 refuses anything but type (and name/generateName) there.
    /// </summary>
    public static V1JSONSchemaProps ObjectMeta() => new() { Type = "object" };

    /// <summary>metav1.Condition, with Kubernetes' own descriptions and validation.</summary>
    public static V1JSONSchemaProps Condition() => new()
    {
        Description = "Condition contains details for one aspect of the current state of this API Resource.",
        Type = "object",
        Required = ["lastTransitionTime", "message", "reason", "status", "type"],
        Properties = Sorted(new Dictionary<string, V1JSONSchemaProps>
        {
            ["lastTransitionTime"] = new()
            {
                Description = "lastTransitionTime is the last time the condition transitioned from one status to another. " +
                    "This should be when the underlying condition changed. If that is not known, then using the time when the API field changed is acceptable.",
                Type = "string",
                Format = "date-time",
            },
            ["message"] = new()
            {
                Description = "message is a human readable message indicating details about the transition. This may be an empty string.",
                Type = "string",
                MaxLength = 32768,
            },
            ["observedGeneration"] = new()
            {
                Description = "observedGeneration represents the .metadata.generation that the condition was set based upon. " +
                    "For instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, " +
                    "the condition is out of date with respect to the current state of the instance.",
                Type = "integer",
                Format = "int64",
                Minimum = 0,
            },
            ["reason"] = new()
            {
                Description = "reason contains a programmatic identifier indicating the reason for the condition's last transition. " +
                    "Producers of specific condition types may define expected values and meanings for this field, and whether the values " +
                    "are considered a guaranteed API. The value should be a CamelCase string. This field may not be empty.",
                Type = "string",
                MinLength = 1,
                MaxLength = 1024,
                Pattern = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
            },
            ["status"] = new()
            {
                Description = "status of the condition, one of True, False, Unknown.",
                Type = "string",
                EnumProperty = ["True", "False", "Unknown"],
            },
            ["type"] = new()
            {
                Description = "type of condition in CamelCase or in foo.example.com/CamelCase.",
                Type = "string",
                MaxLength = 316,
                Pattern = @"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
            },
        }),
    };

    /// <summary>core/v1 Toleration, with Kubernetes' own descriptions and the operator and effect values it accepts.</summary>
    public static V1JSONSchemaProps Toleration() => new()
    {
        Description = "The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.",
        Type = "object",
        Properties = Sorted(new Dictionary<string, V1JSONSchemaProps>
        {
            ["effect"] = new()
            {
                Description = "Effect indicates the taint effect to match. Empty means match all taint effects. When specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute.",
                Type = "string",
                EnumProperty = ["", "NoSchedule", "PreferNoSchedule", "NoExecute"],
            },
            ["key"] = new()
            {
                Description = "Key is the taint key that the toleration applies to. Empty means match all taint keys. If the key is empty, operator must be Exists.",
                Type = "string",
            },
            ["operator"] = new()
            {
                Description = "Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal.",
                Type = "string",
                EnumProperty = ["Exists", "Equal"],
            },
            ["tolerationSeconds"] = new()
            {
                Description = "TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute) tolerates the taint. " +
                    "By default it is not set, which means tolerate the taint forever.",
                Type = "integer",
                Format = "int64",
            },
            ["value"] = new()
            {
                Description = "Value is the taint value the toleration matches to. If the operator is Exists, the value should be empty, otherwise just a regular string.",
                Type = "string",
            },
        }),
    };

    /// <summary>
    /// core/v1 Affinity, kept as given (<c>x-kubernetes-preserve-unknown-fields</c>): its full schema would add tens of
    /// kilobytes to the CRD per component, and the API server validates it anyway when the pod template is applied.
    /// </summary>
    public static V1JSONSchemaProps Affinity(string? description) => new()
    {
        Description = description,
        Type = "object",
        XKubernetesPreserveUnknownFields = true,
    };

    /// <summary>Properties in ordinal key order, so the YAML is the same on every run.</summary>
    public static SortedDictionary<string, V1JSONSchemaProps> Sorted(IDictionary<string, V1JSONSchemaProps> properties) =>
        new(properties, StringComparer.Ordinal);
}
