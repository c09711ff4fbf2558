using k8s.Models;

namespace MetricsOperator.Stacks.Builders;

/// <summary>
/// What Kafka adds to Telegraf's pod: one environment variable per Secret key the conf names as <c>${ENV}</c>, and
/// one Secret volume per folder of files it names by path, projecting only the keys it reads (so the kubelet refuses
/// to start the pod when a key is missing, instead of Telegraf failing on an absent file).
/// </summary>
internal static class KafkaPodParts
{
    // Owner read, group read (the pod's fsGroup): a private key need not be world-readable.
    private const int FileMode = 0x120; // 0440

    public static IEnumerable<V1EnvVar> Env(KafkaSettings kafka) =>
        kafka.SecretRefs().OfType<KafkaSecretEnv>().Select(e => Builders.Env.FromSecret(e.EnvName, e.SecretName, e.Key));

    public static IEnumerable<V1Volume> Volumes(KafkaSettings kafka) =>
        Files(kafka).Select(folder => new V1Volume
        {
            Name = folder.Key,
            Secret = new V1SecretVolumeSource
            {
                SecretName = folder.First().SecretName,
                DefaultMode = FileMode,
                Items = [.. folder.Select(file => new V1KeyToPath { Key = file.Key, Path = file.FileName })],
            },
        });

    public static IEnumerable<V1VolumeMount> Mounts(KafkaSettings kafka) =>
        Files(kafka).Select(folder => new V1VolumeMount { Name = folder.Key, MountPath = folder.First().MountPath, ReadOnlyProperty = true });

    private static IEnumerable<IGrouping<string, KafkaSecretFile>> Files(KafkaSettings kafka) =>
        kafka.SecretRefs().OfType<KafkaSecretFile>().GroupBy(file => file.Volume, StringComparer.Ordinal);
}
