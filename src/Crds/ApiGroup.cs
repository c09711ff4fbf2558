namespace MetricsOperator.Crds;

/// <summary>The API group and version of every kind in this assembly.</summary>
public static class ApiGroup
{
    /// <summary>The API group.</summary>
    public const string Name = "metrics.lsst.io";

    /// <summary>The only version so far.</summary>
    public const string Version = "v1alpha1";

    /// <summary>The apiVersion objects carry: group/version.</summary>
    public const string ApiVersion = Name + "/" + Version;
}
