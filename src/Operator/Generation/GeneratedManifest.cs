namespace MetricsOperator.Generation;

/// <summary>A generated Kubernetes manifest and the file name it is committed under.</summary>
/// <param name="FileName">File name inside the output folder, e.g. <c>metrics.lsst.io_appalerts.yaml</c>.</param>
/// <param name="Document">The object (a k8s.Models type), written as YAML by <see cref="ManifestYaml"/>.</param>
public sealed record GeneratedManifest(string FileName, object Document);
