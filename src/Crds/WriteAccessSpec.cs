using System.Text.Json.Serialization;
using MetricsOperator.Crds.Schema;

namespace MetricsOperator.Crds;

/// <summary>
/// Who may write to Telegraf's listener. A namespace opts in with the label <c>metrics.lsst.io/write-token</c> set to
/// the stack's name: it then receives the Secret <c>metrics-write-token</c> (endpoint, org, bucket and the listener
/// token) and the listener's NetworkPolicy admits its pods. Namespaces without the label get neither.
/// </summary>
public sealed class WriteAccessSpec
{
    /// <summary>
    /// Telegraf's listener refuses writes without the token (HTTP 401). Turning it off leaves only the NetworkPolicy
    /// between any pod of an opted-in namespace and the shared bucket.
    /// </summary>
    [JsonPropertyName("requireToken")]
    [Default(true)]
    public bool? RequireToken { get; set; }

    /// <summary>
    /// Replace the listener token when it is older than this, e.g. <c>2160h</c> (90 days). Left out, it is replaced only
    /// on request: set the annotation <c>metrics.lsst.io/rotate-write-token</c> on the MetricsStack to a new value.
    /// </summary>
    [JsonPropertyName("rotateEvery")]
    [Pattern(Patterns.Duration)]
    public string? RotateEvery { get; set; }
}
