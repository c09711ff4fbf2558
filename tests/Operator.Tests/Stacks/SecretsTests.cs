using System.Text.RegularExpressions;
using k8s.Models;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

/// <summary>Tokens and passwords live in Secrets only: never in a ConfigMap, never as a literal env value.</summary>
public partial class SecretsTests
{
    [Theory]
    [MemberData(nameof(Stacks.Variants), MemberType = typeof(Stacks))]
    public void No_ConfigMap_holds_a_token_only_references_to_environment_variables_set_from_Secrets(string variant)
    {
        var objects = StackBuilder.Build(DefaultedStack.Of(Stacks.Variant(variant)));
        var secretEnv = Stacks.PodTemplates(objects)
            .SelectMany(t => t.Template.Spec.Containers.SelectMany(c => c.Env ?? []))
            .Where(e => e.ValueFrom?.SecretKeyRef is not null)
            .Select(e => e.Name)
            .ToHashSet();
        secretEnv.ShouldContain(TelegrafConfigRenderer.TokenEnv);

        foreach (var configMap in objects.OfType<V1ConfigMap>())
        {
            foreach (var (file, text) in configMap.Data)
            {
                var where = $"ConfigMap/{configMap.Metadata.Name} {file}";
                foreach (Match setting in SecretSetting().Matches(text))
                {
                    var value = setting.Groups["value"].Value;
                    var reference = EnvReference().Match(value);
                    reference.Success.ShouldBeTrue($"{where}: {setting.Value.Trim()} is not an env reference");
                    secretEnv.ShouldContain(reference.Groups["name"].Value, $"{where}: {reference.Value} is not set from a Secret");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Stacks.Variants), MemberType = typeof(Stacks))]
    public void Credentials_in_env_always_come_from_secretKeyRef(string variant)
    {
        foreach (var (workload, template) in Stacks.PodTemplates(StackBuilder.Build(DefaultedStack.Of(Stacks.Variant(variant)))))
        {
            foreach (var env in template.Spec.Containers.SelectMany(c => c.Env ?? []))
            {
                if (Regex.IsMatch(env.Name, "TOKEN|PASSWORD|USER", RegexOptions.None, TimeSpan.FromSeconds(1)))
                {
                    env.Value.ShouldBeNull($"{workload} {env.Name}");
                    env.ValueFrom.SecretKeyRef.ShouldNotBeNull($"{workload} {env.Name}");
                }
            }
        }
    }

    /// <summary>
    /// A TOML or YAML setting whose key names a secret (token, password, httpHeaderValue). Kafka's sasl_username is not
    /// one: it may be written as is (a Strimzi KafkaUser's name, issue 17) or come from a Secret key.
    /// </summary>
    [GeneratedRegex(@"(?<key>token|password|httpHeaderValue\d*)\s*[:=]\s*(?<value>.+)$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex SecretSetting();

    [GeneratedRegex(@"\$\{(?<name>[A-Z_][A-Z0-9_]*)\}")]
    private static partial Regex EnvReference();
}
