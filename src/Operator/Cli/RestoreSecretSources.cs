using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Runtime.Client;

namespace MetricsOperator.Cli;

/// <summary>Where the restore command finds secret values: files named on the command line, and the Secrets the snapshot recorded.</summary>
internal static class RestoreSecretSources
{
    /// <summary>Values from <c>uid/field=path</c> pairs, each read from its file (trailing newline dropped, as in a mounted Secret written by hand).</summary>
    public static RestoreSecrets FromFiles(IEnumerable<string> pairs)
    {
        var secrets = new RestoreSecrets();
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var slash = equals > 0 ? pair.LastIndexOf('/', equals) : -1;
            if (equals <= 0 || slash <= 0 || slash == equals - 1 || equals == pair.Length - 1)
            {
                throw new ArgumentException($"--secret-file {pair}: expected uid/field=path");
            }

            var path = pair[(equals + 1)..];
            if (!File.Exists(path))
            {
                throw new ArgumentException($"--secret-file {pair[..equals]}: file {path} does not exist");
            }

            secrets.With(pair[..slash], pair[(slash + 1)..equals], File.ReadAllText(path).TrimEnd('\n', '\r'), $"file {path}");
        }

        return secrets;
    }

    /// <summary>
    /// Adds, for each contact point of <paramref name="files"/> that records a <c>secretRef</c> (<c>Secret/key</c>, or just
    /// <c>Secret</c> when it holds one key) and has one left-out field, that Secret's value in <paramref name="ns"/>. A value
    /// already offered by a file wins.
    /// </summary>
    public static async Task FromClusterAsync(RestoreSecrets secrets, IReadOnlyDictionary<string, JsonNode> files, string ns, string? stack, CancellationToken cancellationToken, string? environment = null)
    {
        using var api = new KubeApi(GivenCluster.Find(kubeconfigFlag: null)
            ?? throw new ArgumentException("no cluster to read Secrets from: no KUBECONFIG, no ~/.kube/config, and not in a pod with a ServiceAccount"));
        await StackDatasourcesAsync(api, secrets, files, ns, stack, environment, cancellationToken).ConfigureAwait(false);
        foreach (var (path, content) in files.Where(f => f.Key.StartsWith(GrafanaExportLayout.ContactPoints, StringComparison.Ordinal)))
        {
            var leftOut = GrafanaRestorePlan.LeftOut(content);
            if (content[GrafanaExportLayout.SecretRef] is not JsonValue reference || leftOut.Count != 1 || content["uid"]?.GetValue<string>() is not { Length: > 0 } uid
                || secrets.Has(uid, leftOut[0]))
            {
                continue;
            }

            var text = reference.GetValue<string>();
            var (name, key) = text.Split('/', 2) is [var n, var k] ? (n, (string?)k) : (text, null);
            var secret = await api.GetAsync<V1Secret>(ns, name, cancellationToken).ConfigureAwait(false)
                ?? throw new ArgumentException($"{path}: Secret {ns}/{name} (its recorded secretRef) does not exist");
            var data = secret.Data ?? new Dictionary<string, byte[]>();
            var value = key is not null
                ? data.TryGetValue(key, out var bytes) ? bytes : throw new ArgumentException($"{path}: Secret {ns}/{name} has no key {key}")
                : data.Count == 1 ? data.Values.Single() : throw new ArgumentException($"{path}: Secret {ns}/{name} holds {data.Count} keys and the snapshot names none");
            secrets.With(uid, leftOut[0], Encoding.UTF8.GetString(value).Trim(), $"Secret {ns}/{name}{(key is null ? "" : "/" + key)}");
        }
    }

    /// <summary>
    /// The stack's own InfluxDB datasources (UIDs <c>influxdb-influxql</c> and <c>influxdb-flux</c>) take Grafana's read
    /// token from <c>&lt;stack&gt;-grafana-token</c>, as the operator provisions them: InfluxQL as the header value
    /// <c>Token …</c>, Flux as <c>token</c>. The stack is the one the snapshot's manifest names; in an environment's
    /// snapshot (external Grafana) the UIDs are the environment's (<c>influxdb-influxql-&lt;env&gt;</c>, …).
    /// </summary>
    private static async Task StackDatasourcesAsync(KubeApi api, RestoreSecrets secrets, IReadOnlyDictionary<string, JsonNode> files, string ns, string? stack, string? environment, CancellationToken cancellationToken)
    {
        var uids = environment is null
            ? new[] { Stacks.Builders.GrafanaDatasources.InfluxQlUid, Stacks.Builders.GrafanaDatasources.FluxUid }
            : [Alerts.AlertNames.DatasourceUid(Stacks.Builders.GrafanaDatasources.InfluxQlUid, environment), Alerts.AlertNames.DatasourceUid(Stacks.Builders.GrafanaDatasources.FluxUid, environment)];
        var wanted = files.Where(f => f.Key.StartsWith(GrafanaExportLayout.Datasources, StringComparison.Ordinal))
            .Select(f => (Uid: f.Value["uid"]?.GetValue<string>() ?? "", LeftOut: GrafanaRestorePlan.LeftOut(f.Value)))
            .Where(d => uids.Contains(d.Uid) && d.LeftOut.Count > 0)
            .ToList();
        if (wanted.Count == 0 || stack?.Split('/') is not [_, var name])
        {
            return;
        }

        var secretName = name + "-grafana-token";
        var secret = await api.GetAsync<V1Secret>(ns, secretName, cancellationToken).ConfigureAwait(false);
        if (secret?.Data is not { } data || !data.TryGetValue(Stacks.Builders.StackNames.TokenKey, out var bytes))
        {
            return;
        }

        var token = Encoding.UTF8.GetString(bytes);
        foreach (var (uid, leftOut) in wanted)
        {
            foreach (var field in leftOut.Where(f => !secrets.Has(uid, f)))
            {
                var value = field switch
                {
                    "httpHeaderValue1" => "Token " + token,
                    "token" => token,
                    _ => null,
                };
                if (value is not null)
                {
                    secrets.With(uid, field, value, $"Secret {ns}/{secretName}/{Stacks.Builders.StackNames.TokenKey}");
                }
            }
        }
    }
}
