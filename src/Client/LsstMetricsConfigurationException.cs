namespace Lsst.Metrics.Client;

/// <summary>Thrown at startup when a setting of the metrics client is missing or invalid.</summary>
public sealed class LsstMetricsConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LsstMetricsConfigurationException()
    {
        Setting = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public LsstMetricsConfigurationException(string message) : base(message)
    {
        Setting = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public LsstMetricsConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
        Setting = string.Empty;
    }

    /// <summary>Creates the exception for one setting.</summary>
    public LsstMetricsConfigurationException(string setting, string message, Exception? innerException = null)
        : base($"Metrics client setting '{setting}' {message}", innerException)
    {
        Setting = setting;
    }

    /// <summary>The configuration key of the offending setting, e.g. <c>LsstMetrics:Url</c>.</summary>
    public string Setting { get; }
}
