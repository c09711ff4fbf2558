using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// JSON as the API server reads and writes it (camelCase, nulls left out, RFC 3339 times), with no reflection: every
/// type's metadata comes from a source-generated context. The runtime's own (<see cref="RuntimeJsonContext"/>: Status,
/// Lease, Event) is built in; a program registers the kinds it uses, built-in and custom, with <see cref="Register"/>
/// before it reads or writes them. Not KubernetesClient's context: it names all ~950 of its models, and a Native AOT
/// binary that reaches it carries their metadata whole.
/// <para>
/// Why not <see cref="KubernetesJson"/>: it falls back to reflection for any type its context lacks, which a Native
/// AOT binary cannot do (the fallback fails at the first custom resource, far from where the type was forgotten). Here
/// a type nobody registered fails in every build, tests included, with the type's name.
/// </para>
/// </summary>
public static class KubeJson
{
    private static readonly ResolverChain Resolvers = new(RuntimeJsonContext.Default);

    /// <summary>The options every API object is read and written with. Do not add resolvers to it: use <see cref="Register"/>.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>
    /// Adds the metadata of a program's own types (its custom resources, their lists). Registering the same resolver
    /// twice is a no-op. A type asked for before its resolver was registered stays unknown to these options: register
    /// at start, before the first request.
    /// </summary>
    public static void Register(IJsonTypeInfoResolver resolver) => Resolvers.Add(resolver);

    /// <summary>The metadata of <typeparamref name="T"/>; throws <see cref="NotSupportedException"/> naming the type when no context has it.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>The JSON of <paramref name="value"/> as its runtime type (a derived type's fields included).</summary>
    public static string Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonSerializer.Serialize(value, Options.GetTypeInfo(value.GetType()));
    }

    /// <summary>
    /// The JSON (UTF-8) of <paramref name="value"/>'s <c>status</c> field, null when it has none. Only the status is
    /// written: a status diff on every reconcile would otherwise write and parse the whole object (an AppAlert's rules,
    /// every managed field) to look at one part of it (docs/performance.md, twelfth pass).
    /// </summary>
    public static byte[]? StatusJson(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = Options.GetTypeInfo(value.GetType());
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            // A JSON node or a dictionary: its "status" is an entry, not a property.
            return JsonNode.Parse(Serialize(value))?["status"] is { } node ? Encoding.UTF8.GetBytes(node.ToJsonString()) : null;
        }

        foreach (var property in info.Properties)
        {
            if (property.Name == "status")
            {
                return property.Get?.Invoke(value) is { } status
                    ? JsonSerializer.SerializeToUtf8Bytes(status, Options.GetTypeInfo(status.GetType()))
                    : null;
            }
        }

        return null;
    }

    /// <summary>Reads <paramref name="json"/> as <typeparamref name="T"/>.</summary>
    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, TypeInfo<T>());

    /// <summary>Reads <paramref name="json"/> as <typeparamref name="T"/>.</summary>
    public static T? Deserialize<T>(Stream json) => JsonSerializer.Deserialize(json, TypeInfo<T>());

    /// <summary>Reads <paramref name="json"/> as <typeparamref name="T"/>.</summary>
    public static T? Deserialize<T>(JsonElement json) => json.Deserialize(TypeInfo<T>());

    private static JsonSerializerOptions CreateOptions()
    {
        // The settings of KubernetesClient's own options and source-generated context, converters included (an
        // enum's string form comes from the generated metadata, so no reflection-based JsonStringEnumConverter here).
        var options = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            TypeInfoResolver = Resolvers,
        };
        options.Converters.Add(new KubernetesJson.Iso8601TimeSpanConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeOffsetConverter());
        options.Converters.Add(new V1Status.V1StatusObjectViewConverter());
        // The informers' caches hold the same short texts on every object (namespaces, label keys, condition reasons).
        options.Converters.Add(SharedStrings.Instance);
        // And the label and annotation maps on each of those objects, one to three entries each, as compact maps.
        options.Converters.Add(CompactStringDictionaryConverters.Mutable);
        options.Converters.Add(CompactStringDictionaryConverters.ReadOnly);
        options.MakeReadOnly();
        return options;
    }
}
