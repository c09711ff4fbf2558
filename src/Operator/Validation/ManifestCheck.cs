using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Json;
using MetricsOperator.Stacks;

namespace MetricsOperator.Validation;

/// <summary>
/// What the API server and the reconciler would say about one document, without a cluster: the CRD schema checked as
/// strictly as kubectl's strict field validation (unknown fields, types, enums, bounds, patterns), then, for a
/// MetricsStack that passes, the reconciler's own semantic checks (<see cref="StackValidation.Validate"/>). What needs a
/// cluster (that named Secrets exist, an AppAlert's stack and contact points) is not checked here. Pure.
/// </summary>
public static class ManifestCheck
{
    /// <summary>The kind of a document in <c>metrics.lsst.io/v1alpha1</c>, or null for anyone else's document.</summary>
    public static string? OwnKind(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Text(document, "apiVersion") == ApiGroup.ApiVersion && Text(document, "kind") is { } kind && CrdSchemas.For(kind) is not null
            ? kind
            : null;
    }

    /// <summary>Every field error of <paramref name="document"/>; empty for a valid one or one of a kind the operator does not define.</summary>
    public static IReadOnlyList<FieldError> Errors(JsonObject document)
    {
        if (OwnKind(document) is not { } kind)
        {
            return [];
        }

        var errors = SchemaValidator.Validate(document, CrdSchemas.For(kind)!);
        if (errors.Count > 0 || kind != "MetricsStack")
        {
            return errors;
        }

        try
        {
            return StackValidation.Validate(DefaultedStack.Of(KubeJson.Deserialize<V1Alpha1MetricsStack>(document.ToJsonString())!));
        }
        catch (JsonException e)
        {
            // The schema let it through but the types cannot read it (e.g. a quantity that does not parse).
            return [new FieldError(e.Path is { Length: > 1 } at ? at.TrimStart('$', '.') : "(document)", e.Message)];
        }
    }

    /// <summary><c>Kind namespace/name</c> for messages; the namespace is the document's or <paramref name="defaultNamespace"/>.</summary>
    public static string Label(JsonObject document, string defaultNamespace)
    {
        ArgumentNullException.ThrowIfNull(document);
        var metadata = document["metadata"] as JsonObject;
        var name = metadata is null ? null : Text(metadata, "name");
        var ns = (metadata is null ? null : Text(metadata, "namespace")) ?? defaultNamespace;
        return $"{Text(document, "kind") ?? "(no kind)"} {ns}/{name ?? "(no name)"}";
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
