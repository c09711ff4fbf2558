using System.Text.Json.Nodes;
using MetricsOperator.Tests.Packaging;
using MetricsOperator.TestSupport;
using Xunit.Abstractions;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// charts/metrics-stack as Argo CD would sync it for each environment, on the test API server (1.20) with the
/// generated CRDs: rendered by the test renderer, applied server-side as Argo CD's field manager, applied again
/// without a change. The MetricsStack is stored with every field the values set (nothing pruned by the server). The
/// walkthrough's AppAlert (docs/phalanx.md) is accepted too.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class StackChartInstallTests(ApiServerFixture fixture, ITestOutputHelper output)
{
    // The vault-secrets-operator's CRD is not this repository's, and no vault-secrets-operator runs here: a minimal CRD
    // with the kind, group, scope and the spec fields Phalanx's VaultSecrets use (path, type, keys), after
    // ricoberger/vault-secrets-operator's config/crd/bases/ricoberger.de_vaultsecrets.yaml, so the server checks the
    // rendered VaultSecrets' kind and shape. No Secret comes of them.
    private const string VaultSecretCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: vaultsecrets.ricoberger.de
        spec:
          group: ricoberger.de
          names: {kind: VaultSecret, listKind: VaultSecretList, plural: vaultsecrets, singular: vaultsecret}
          scope: Namespaced
          versions:
            - name: v1alpha1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [path]
                      properties:
                        path: {type: string}
                        type: {type: string}
                        keys: {type: array, items: {type: string}}
        """;

    public static TheoryData<string> Environments() =>
        [.. Directory.GetFiles(HelmChart.StackFolder, "values-*.yaml").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal), "values.yaml"];

    [Theory]
    [MemberData(nameof(Environments))]
    public async Task The_rendered_stack_chart_applies_and_every_value_is_stored(string file)
    {
        var plane = fixture.Plane;
        (await plane.KubectlAsync(["apply", "--server-side", "-f", "-"], stdin: VaultSecretCrd)).EnsureSuccess();
        (await plane.KubectlAsync(["wait", "--for=condition=Established", "crd/vaultsecrets.ricoberger.de", "--timeout=30s"])).EnsureSuccess();
        var ns = await plane.CreateNamespaceAsync("stack-chart");
        var values = "global: {vaultSecretsPath: secret/phalanx/idfdev}\n"
            + (file == "values.yaml" ? "" : File.ReadAllText(Path.Combine(HelmChart.StackFolder, file)));
        var manifests = HelmChart.Render("metrics", ns, values, chartFolder: HelmChart.StackFolder);
        var path = Path.Combine(Path.GetTempPath(), $"{ns}.yaml");
        await File.WriteAllTextAsync(path, string.Join("\n---\n", manifests.Select(m => m.Yaml)));

        (await plane.KubectlAsync(["apply", "--server-side", "--field-manager=argocd-controller", "-n", ns, "-f", path])).EnsureSuccess();
        var before = await ResourceVersionsAsync(plane, ns, path);
        var first = await StoredStackAsync(plane, ns);
        (await plane.KubectlAsync(["apply", "--server-side", "--field-manager=argocd-controller", "-n", ns, "-f", path])).EnsureSuccess();
        // Measured on this 1.20 server: re-applying a MetricsStack whose spec has Kafka consumers (list items the CRD
        // defaults fields of) writes it again with nothing changed but its resourceVersion (usdfprod; the same file
        // without telegraf.kafka does not). The object, its generation and every other object stay as they were.
        var after = await ResourceVersionsAsync(plane, ns, path);
        after.Where(v => !v.Key.StartsWith("MetricsStack/", StringComparison.Ordinal)).ShouldBe(before.Where(v => !v.Key.StartsWith("MetricsStack/", StringComparison.Ordinal)), "a second sync of the same values changes nothing");
        var second = await StoredStackAsync(plane, ns);
        ((long)second["metadata"]!["generation"]!).ShouldBe((long)first["metadata"]!["generation"]!);
        JsonNode.DeepEquals(Unversioned(second), Unversioned(first)).ShouldBeTrue($"the stack changed on a second sync:\n{first}\n{second}");

        var stored = second;
        var rendered = manifests.Single(m => m.Kind == "MetricsStack").Json;
        Missing(rendered["spec"], stored["spec"], "spec").ShouldBeEmpty($"{file}: the server pruned fields the values set");
        output.WriteLine($"{file}: {manifests.Count} objects applied ({string.Join(", ", manifests.Select(m => $"{m.Kind}/{m.Name}"))})");
    }

    [Fact]
    public async Task The_walkthroughs_app_alert_is_accepted_by_the_api_server()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("phalanx-doc");

        var result = await fixture.Plane.KubectlAsync(["create", "--dry-run=server", "-n", ns, "-f", "-"], stdin: PhalanxDocTests.Block("applications/mobu/templates/appalert.yaml"));

        result.ExitCode.ShouldBe(0, result.StandardError);
    }

    private static async Task<JsonNode> StoredStackAsync(ControlPlane plane, string ns) =>
        JsonNode.Parse((await plane.KubectlAsync(["get", "metricsstack", "-n", ns, "metrics", "-o", "json"])).EnsureSuccess().StandardOutput)!;

    private static JsonNode Unversioned(JsonNode stack)
    {
        var copy = stack.DeepClone();
        copy["metadata"]!.AsObject().Remove("resourceVersion");
        return copy;
    }

    // The paths under `expected` that `actual` lacks or holds differently (actual may hold more: the CRD's defaults).
    private static IEnumerable<string> Missing(JsonNode? expected, JsonNode? actual, string path) => expected switch
    {
        JsonObject map => map.SelectMany(p => Missing(p.Value, actual is JsonObject a && a.TryGetPropertyValue(p.Key, out var v) ? v : null, $"{path}.{p.Key}")),
        JsonArray list => actual is JsonArray other && other.Count == list.Count
            ? list.SelectMany((item, i) => Missing(item, other[i], $"{path}[{i}]"))
            : [path],
        _ => JsonNode.DeepEquals(expected, actual) || (expected is JsonValue e && actual is JsonValue a && e.ToString() == a.ToString()) ? [] : [path],
    };

    private static async Task<Dictionary<string, string>> ResourceVersionsAsync(ControlPlane plane, string ns, string file)
    {
        var list = JsonNode.Parse((await plane.KubectlAsync(["get", "-n", ns, "-f", file, "-o", "json"])).EnsureSuccess().StandardOutput)!;
        return list["items"]!.AsArray().ToDictionary(
            item => $"{(string)item!["kind"]!}/{(string)item["metadata"]!["name"]!}",
            item => (string)item!["metadata"]!["resourceVersion"]!);
    }
}
