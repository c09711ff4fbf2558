using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Stacks;

/// <summary>
/// Golden files (as prometheus-operator's testdata/*.golden): the reviewed output of render. After an intended
/// change, regenerate with <c>UPDATE_GOLDEN=1 dotnet test tests/Operator.Tests --filter "FullyQualifiedName~Stacks"</c>
/// and review the diff before committing it.
/// </summary>
internal static class GoldenFiles
{
    public static string Folder => RepoPaths.InRepo("tests", "Operator.Tests", "Stacks", "testdata");

    public static bool Updating => Environment.GetEnvironmentVariable("UPDATE_GOLDEN") is "1" or "true";

    /// <summary>The golden inputs: a name and the YAML file rendered.</summary>
    public static TheoryData<string, string> Inputs() => new()
    {
        { "metricsstack", RepoPaths.InRepo("config", "samples", "metrics.lsst.io_v1alpha1_metricsstack.yaml") },
        { "metricsstack_minimal", RepoPaths.InRepo("config", "samples", "metrics.lsst.io_v1alpha1_metricsstack_minimal.yaml") },
        { "external-grafana", Path.Combine(Folder, "external-grafana.yaml") },
        { "influxdb-ingress", Path.Combine(Folder, "influxdb-ingress.yaml") },
        { "dashboard-cache", Path.Combine(Folder, "dashboard-cache.yaml") },
        { "dashboard-cache-filesystem", Path.Combine(Folder, "dashboard-cache-filesystem.yaml") },
    };

    public static string PathOf(string name) => Path.Combine(Folder, name + ".golden.yaml");

    /// <summary>Compares with the golden file, or writes it when updating.</summary>
    public static void ShouldMatch(string actual, string name)
    {
        var path = PathOf(name);
        if (Updating)
        {
            File.WriteAllText(path, actual);
            return;
        }

        File.Exists(path).ShouldBeTrue($"{path} is missing: run the tests with UPDATE_GOLDEN=1 and review it");
        var expected = File.ReadAllText(path);
        if (actual != expected)
        {
            var expectedLines = expected.Split('\n');
            var actualLines = actual.Split('\n');
            var first = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length)).FirstOrDefault(i => expectedLines[i] != actualLines[i], Math.Min(expectedLines.Length, actualLines.Length));
            var shown = (string[] lines) => first < lines.Length ? lines[first] : "<end>";
            actual.ShouldBe(expected, $"{name}.golden.yaml differs from line {first + 1}: expected '{shown(expectedLines)}', got '{shown(actualLines)}' (UPDATE_GOLDEN=1 regenerates)");
        }
    }
}
