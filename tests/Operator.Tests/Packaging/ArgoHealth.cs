using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Packaging;

/// <summary>
/// Runs an Argo CD health script in a real Lua interpreter (Debian's lua5.4, which hack/test.sh installs) the way
/// Argo CD does: the object as the global <c>obj</c> (JSON objects as tables, arrays as sequences, null left out),
/// the chunk's return value read as the health.
/// </summary>
public static class ArgoHealth
{
    public static string Script(string kind) => Path.Combine(HelmChart.Folder, "argocd", $"health-{kind.ToLowerInvariant()}.lua");

    public static async Task<(string Status, string Message)> EvaluateAsync(string kind, JsonNode obj)
    {
        var harness = new StringBuilder("obj = ").Append(ToLua(obj)).Append('\n')
            .Append("local hs = dofile(").Append(LuaString(Script(kind))).Append(")\n")
            .Append("assert(type(hs) == 'table', 'the script must return a table')\n")
            .Append("io.write(tostring(hs.status), '\\n', hs.message == nil and '' or tostring(hs.message))\n");
        var info = new ProcessStartInfo("lua5.4") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-");
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("lua5.4 is not installed: hack/test.sh installs Debian's lua5.4 package", e);
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(harness.ToString());
            process.StandardInput.Close();
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"lua5.4 failed ({process.ExitCode}): {error}");
            }

            var parts = output.Split('\n', 2);
            return (parts[0], parts.Length > 1 ? parts[1] : "");
        }
    }

    private static string ToLua(JsonNode? node) => node switch
    {
        JsonObject map => "{" + string.Join(", ", map.Where(p => p.Value is not null).Select(p => $"[{LuaString(p.Key)}] = {ToLua(p.Value)}")) + "}",
        JsonArray list => "{" + string.Join(", ", list.Select(ToLua)) + "}",
        JsonValue value when value.TryGetValue(out bool flag) => flag ? "true" : "false",
        JsonValue value when value.TryGetValue(out string? text) => LuaString(text),
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number => value.ToJsonString(), // a JSON number is a Lua number literal
        null => "nil",
        _ => throw new InvalidOperationException($"unexpected JSON node {node.GetType().Name}"),
    };

    private static string LuaString(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    /// <summary>The argocd-cm snippet's keys and values.</summary>
    public static IDictionary<string, object?> ConfigMapSnippet() =>
        (IDictionary<string, object?>)HelmYaml.Load(File.ReadAllText(Path.Combine(HelmChart.Folder, "argocd", "argocd-cm.yaml")))!;

    public static string RepoScriptPath(string kind) => Path.GetRelativePath(RepoPaths.Root, Script(kind));
}
