using System.Text.Json.Nodes;
using k8s;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Json;
using MetricsOperator.Stacks;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Json;

/// <summary>
/// The custom resources are read and written through source-generated metadata only (KubeJson has no reflection
/// fallback, so a Native AOT binary reads them the same way). Every field of every example a user has (the samples,
/// the alert and stack test inputs) must survive reading and writing back, exactly as the reflection-based serialiser writes it: a property the generator could not set
/// (an init-only or constructor-bound one) would drop out here.
/// </summary>
public sealed class CrdJsonRoundTripTests
{
    public static TheoryData<string> Examples()
    {
        var files = new TheoryData<string>();
        foreach (var folder in new[] { RepoPaths.InRepo("config", "samples"), RepoPaths.InRepo("tests", "Operator.Tests", "Alerts", "testdata"), RepoPaths.InRepo("tests", "Operator.Tests", "Stacks", "testdata") })
        {
            foreach (var file in Directory.GetFiles(folder, "*.yaml").Where(f => !f.EndsWith(".golden.yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                files.Add(Path.GetRelativePath(RepoPaths.InRepo(), file));
            }
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_field_of_an_example_survives_reading_and_writing_back(string file)
    {
        using var reader = new StreamReader(RepoPaths.InRepo(file));
        var documents = StackManifests.ReadDocuments(reader).Where(d => d["apiVersion"]?.GetValue<string>() == ApiGroup.ApiVersion).ToList();
        documents.ShouldNotBeEmpty($"{file} holds no {ApiGroup.ApiVersion} object");

        foreach (var document in documents)
        {
            var (written, byReflection) = document["kind"]!.GetValue<string>() switch
            {
                "MetricsStack" => (KubeJson.Serialize(KubeJson.Deserialize<V1Alpha1MetricsStack>(document.ToJsonString())!),
                    KubernetesJson.Serialize(KubernetesJson.Deserialize<V1Alpha1MetricsStack>(document.ToJsonString()))),
                "AppAlert" => (KubeJson.Serialize(KubeJson.Deserialize<V1Alpha1AppAlert>(document.ToJsonString())!),
                    KubernetesJson.Serialize(KubernetesJson.Deserialize<V1Alpha1AppAlert>(document.ToJsonString()))),
                var kind => throw new ShouldAssertException($"{file}: unexpected kind {kind}"),
            };

            // Byte for byte what the reflection-based serialiser (KubernetesClient's, used before) writes.
            written.ShouldBe(byReflection, $"{file}: {document["metadata"]?["name"]}");

            // And every field given is there; the model adds only an empty status.
            var back = JsonNode.Parse(written)!.AsObject();
            if (document["status"] is null && back["status"] is JsonObject { Count: 0 })
            {
                back.Remove("status");
            }

            var differences = new List<string>();
            Compare(document, back, "$", differences);
            differences.ShouldBeEmpty($"{file}: {document["metadata"]?["name"]} did not come back as written");
        }
    }

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var name in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                {
                    Compare(e[name], a[name], $"{path}.{name}", differences);
                }

                break;
            case (JsonArray e, JsonArray a) when e.Count == a.Count:
                for (var i = 0; i < e.Count; i++)
                {
                    Compare(e[i], a[i], $"{path}[{i}]", differences);
                }

                break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                {
                    differences.Add($"{path}: {expected?.ToJsonString() ?? "absent"} came back as {actual?.ToJsonString() ?? "absent"}");
                }

                break;
        }
    }
}
