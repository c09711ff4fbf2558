using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MetricsOperator.Runtime.Json;

/// <summary>
/// Resolvers asked in turn, newest first, to which more can be added after the options using it were frozen
/// (<c>JsonTypeInfoResolver.Combine</c> is fixed once made, and the options must exist before a program's
/// start-up code runs). Adding copies the array, so reads take no lock.
/// </summary>
internal sealed class ResolverChain : IJsonTypeInfoResolver
{
    private readonly Lock gate = new();
    private IJsonTypeInfoResolver[] resolvers;

    public ResolverChain(params IJsonTypeInfoResolver[] resolvers) => this.resolvers = resolvers;

    public void Add(IJsonTypeInfoResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        lock (gate)
        {
            if (Array.IndexOf(resolvers, resolver) < 0)
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

        return null;
    }
}
