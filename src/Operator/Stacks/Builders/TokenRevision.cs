namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// The pod-template annotation that rolls Telegraf or Grafana when the operator replaces the InfluxDB token they read
/// from a Secret at start. Its value is the authorization's ID from status, never the token: Kubernetes does not
/// restart pods when a Secret changes, so the template must.
/// </summary>
public static class TokenRevision
{
    /// <summary>The annotation key on pod templates.</summary>
    public const string Annotation = Crds.ApiGroup.Name + "/token-revision";

    /// <summary><paramref name="annotations"/> with the revision added (unchanged when there is none yet).</summary>
    public static IDictionary<string, string> Add(IDictionary<string, string> annotations, string? revision)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        if (!string.IsNullOrEmpty(revision))
        {
            annotations[Annotation] = revision;
        }

        return annotations;
    }
}
