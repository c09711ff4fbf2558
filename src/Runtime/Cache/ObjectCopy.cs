using k8s;
using MetricsOperator.Runtime.Json;

namespace MetricsOperator.Runtime.Cache;

/// <summary>Deep copies through the API's own JSON form, so a reconciler never mutates the cache.</summary>
public static class ObjectCopy
{
    /// <summary>A deep copy of <paramref name="value"/>.</summary>
    public static T Clone<T>(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return KubeJson.Deserialize<T>(KubeJson.Serialize(value))!;
    }
}
