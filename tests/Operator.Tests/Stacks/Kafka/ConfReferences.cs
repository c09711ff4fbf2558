using System.Text.RegularExpressions;
using k8s.Models;
using Tomlyn;
using Tomlyn.Model;

namespace MetricsOperator.Tests.Stacks.Kafka;

/// <summary>
/// What a telegraf.conf reads from outside itself (<c>${ENV}</c> references, and the files its TLS and registry options
/// name) and what a pod spec provides from Secrets (variables from secretKeyRef, files projected from Secret volumes),
/// so a test can say the two are the same set.
/// </summary>
internal static partial class ConfReferences
{
    private static readonly string[] FileOptions = ["tls_ca", "tls_cert", "tls_key", "avro_schema_registry_cert"];

    /// <summary><c>env:NAME</c> for each variable the conf names, <c>file:/path</c> for each file.</summary>
    public static SortedSet<string> InConf(string conf)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match match in EnvReference().Matches(conf))
        {
            found.Add("env:" + match.Groups[1].Value);
        }

        var document = TomlSerializer.Deserialize<TomlTable>(conf)!;
        foreach (var (section, value) in document)
        {
            if (value is not TomlTable plugins || section == "agent")
            {
                continue;
            }

            foreach (var (_, instances) in plugins)
            {
                foreach (var instance in (TomlTableArray)instances)
                {
                    foreach (var option in FileOptions)
                    {
                        if (instance.TryGetValue(option, out var path))
                        {
                            found.Add("file:" + (string)path);
                        }
                    }
                }
            }
        }

        return found;
    }

    /// <summary>
    /// <c>env:NAME</c> for each variable read from a Secret (or, for the pod's own name, the downward API),
    /// <c>file:/path</c> for each Secret key mounted as a file.
    /// </summary>
    public static SortedSet<string> FromSecrets(V1PodSpec pod)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var container = pod.Containers.ShouldHaveSingleItem();
        foreach (var env in container.Env ?? [])
        {
            env.Value.ShouldBeNull($"{env.Name} is a literal; every variable telegraf.conf names comes from a Secret");
            if (env.ValueFrom?.SecretKeyRef is not null || env.ValueFrom?.FieldRef?.FieldPath == "metadata.name")
            {
                found.Add("env:" + env.Name);
            }
        }

        foreach (var mount in container.VolumeMounts ?? [])
        {
            var volume = pod.Volumes.Single(v => v.Name == mount.Name);
            if (volume.Secret is not { } secret)
            {
                continue;
            }

            secret.Items.ShouldNotBeNull($"volume {volume.Name} projects only the keys the conf reads");
            foreach (var item in secret.Items)
            {
                found.Add($"file:{mount.MountPath}/{item.Path}");
            }
        }

        return found;
    }

    /// <summary>Every Secret name and key the pod reads, as <c>name/key</c>.</summary>
    public static SortedSet<string> SecretKeys(V1PodSpec pod)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var env in pod.Containers.SelectMany(c => c.Env ?? []))
        {
            if (env.ValueFrom?.SecretKeyRef is { } reference)
            {
                keys.Add($"{reference.Name}/{reference.Key}");
            }
        }

        foreach (var volume in pod.Volumes ?? [])
        {
            foreach (var item in volume.Secret?.Items ?? [])
            {
                keys.Add($"{volume.Secret!.SecretName}/{item.Key}");
            }
        }

        return keys;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex EnvReference();
}
