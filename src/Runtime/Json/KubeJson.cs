using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// The JSON form of Kubernetes objects for the runtime: KubernetesClient's settings (camelCase, nulls omitted,
/// RFC 3339 timestamps, enums as strings) with metadata from source-generated <see cref="JsonSerializerContext"/>s,
/// so a trimmed or Native AOT binary serialises exactly what it did before.
/// <para>
/// The runtime's own types come from <see cref="RuntimeJsonContext"/>; an application registers a context for the
/// kinds it reconciles with <see cref="Register"/> before it starts. A type in no context fails with an error naming
/// it, in every build, so a test finds a missing type before a trimmed or AOT binary would; code that cannot list its
/// types (tests with their own kinds) opts in to reflection with <see cref="AllowReflection"/>, which the trim and
/// AOT analyzers flag wherever it is called.
/// </para>
/// </summary>
public static class KubeJson
{
    private static readonly ResolverChain Chain = new(reflection: true);

    /// <summary>The options every runtime serialisation uses.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions(Chain);

    /// <summary>The same options resolving through the registered contexts alone, never by reflection: what a trimmed
    /// or AOT binary resolves (tests prove a context covers a type with it).</summary>
    public static JsonSerializerOptions ContextsOnly { get; } = CreateOptions(new ResolverChain(reflection: false));

    /// <summary>Adds <paramref name="resolver"/> (a source-generated context) ahead of reflection. Call before the first
    /// serialisation of its types: the options cache each type's metadata once.</summary>
    public static void Register(IJsonTypeInfoResolver resolver) => ResolverChain.Add(resolver);

    /// <summary>Resolves types that no registered context covers by reflection, after the contexts.</summary>
    [RequiresUnreferencedCode("Reflection-based JSON of types no context covers: their members may be trimmed.")]
    [RequiresDynamicCode("Reflection-based JSON of types no context covers needs code generated at run time.")]
    public static void AllowReflection() => ResolverChain.Fallback = new DefaultJsonTypeInfoResolver();

    /// <summary>Options with KubernetesClient's settings resolving through <paramref name="resolver"/> alone (tests
    /// use it to prove a context covers a type without the reflection fallback).</summary>
    public static JsonSerializerOptions CreateOptions(IJsonTypeInfoResolver resolver)
    {
        var options = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            TypeInfoResolver = resolver,
        };
        options.Converters.Add(new Iso8601TimeSpanConverter());
        options.Converters.Add(new KubernetesDateTimeConverter());
        options.Converters.Add(new KubernetesDateTimeOffsetConverter());
        return options;
    }

    /// <summary>The metadata of <typeparamref name="T"/>; throws <see cref="NotSupportedException"/> naming it when no
    /// registered context covers it and reflection is off.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>The JSON text of <paramref name="value"/>, by its runtime type (as <c>KubernetesJson.Serialize</c>).</summary>
    public static string Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonSerializer.Serialize(value, Options.GetTypeInfo(value.GetType()));
    }

    /// <summary>The JSON tree of <paramref name="value"/>, by its runtime type.</summary>
    public static JsonNode? SerializeToNode(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonSerializer.SerializeToNode(value, Options.GetTypeInfo(value.GetType()));
    }

    /// <summary>Reads a <typeparamref name="T"/> from JSON text.</summary>
    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, TypeInfo<T>());

    /// <summary>Reads a <typeparamref name="T"/> from UTF-8 JSON.</summary>
    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8Json) => JsonSerializer.Deserialize(utf8Json, TypeInfo<T>());

    /// <summary>Reads a <typeparamref name="T"/> from a parsed element.</summary>
    public static T? Deserialize<T>(JsonElement element) => element.Deserialize(TypeInfo<T>());

    /// <summary>Reads a <typeparamref name="T"/> from a JSON tree.</summary>
    public static T? Deserialize<T>(JsonNode node) => node.Deserialize(TypeInfo<T>());

    /// <summary>Reads a Status, or null when the body is not one (e.g. a watch ERROR event carrying something else).</summary>
    public static V1Status? DeserializeStatus(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return Deserialize<V1Status>(element);
    }

    // The registered contexts, newest first, then reflection if allowed. Registration replaces the array, so readers
    // never lock.
    private sealed class ResolverChain(bool reflection) : IJsonTypeInfoResolver
    {
        private static readonly Lock Gate = new();
        private static IJsonTypeInfoResolver[] resolvers = [RuntimeJsonContext.Default];

        public static DefaultJsonTypeInfoResolver? Fallback { get; set; }

        public static void Add(IJsonTypeInfoResolver resolver)
        {
            ArgumentNullException.ThrowIfNull(resolver);
            lock (Gate)
            {
                if (!resolvers.Contains(resolver))
                {
                    resolvers = [resolver, .. resolvers];
                }
            }
        }

        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
        {
            foreach (var resolver in Volatile.Read(ref resolvers))
            {
                if (resolver.GetTypeInfo(type, options) is { } info)
                {
                    return info;
                }
            }

            // Reflection only where the app enables it (the System.Text.Json.JsonSerializer.IsReflectionEnabledByDefault
            // feature switch): trimmed and AOT publishes turn it off and the trimmer removes this branch.
            return reflection ? Fallback?.GetTypeInfo(type, options) : null;
        }
    }
}
