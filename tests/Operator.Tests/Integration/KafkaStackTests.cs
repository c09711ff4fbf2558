using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Stacks.Kafka;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The whole operator on the real API server with the InfluxDB and Grafana fakes and the kubelet stand-in, for a stack
/// with Kafka: the ConfigMap holds one kafka_consumer per consumer, the Telegraf pod reads exactly the Secret keys the
/// conf names, and it starts (the stand-in refuses a pod whose Secret or key is missing). The test creates only the
/// user's Kafka Secrets, shaped as Strimzi makes them; the operator makes its own. No Kafka broker runs here.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class KafkaStackTests(ApiServerFixture fixture) : IAsyncLifetime
{
    private OperatorWithFakes op = null!;

    public async Task InitializeAsync() => op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));

    public async Task DisposeAsync() => await op.DisposeAsync();

    [Fact]
    public async Task A_stack_with_Kafka_becomes_ready_mounting_exactly_the_Secrets_its_conf_names()
    {
        // A Strimzi TLS KafkaUser's Secret, the cluster CA Secret, and the registry's login and CA (the user makes these).
        await op.CreateSecretAsync("telegraf-user", new() { ["ca.crt"] = "c", ["user.crt"] = "c", ["user.key"] = "k", ["user.p12"] = "p", ["user.password"] = "p" });
        await op.CreateSecretAsync("cluster-ca", new() { ["ca.crt"] = "c", ["ca.p12"] = "p", ["ca.password"] = "p" });
        await op.CreateSecretAsync("registry-login", new() { ["username"] = "u", ["password"] = "p" });
        await op.CreateSecretAsync("registry-ca", new() { ["tls.crt"] = "c" });
        var spec = JsonNode.Parse(KubernetesJson.Serialize(KafkaStacks.With(KafkaStacks.StrimziTlsUser).Spec))!;

        await op.CreateStackWithSpecAsync(spec);

        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == ConditionSet.True,
            "Ready: Telegraf's pod started with its Kafka Secrets", TimeSpan.FromSeconds(60));
        OperatorWithFakes.Condition(stack, MetricsStackConditions.TelegrafReady)!.Status.ShouldBe(ConditionSet.True);
        var conf = (await op.Admin.GetAsync<V1ConfigMap>(op.Namespace, "metrics-telegraf-config")).ShouldNotBeNull().Data["telegraf.conf"];
        conf.ShouldContain("[[inputs.kafka_consumer]]");
        conf.ShouldContain("[[inputs.internal]]");
        var pod = (await op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-telegraf")).ShouldNotBeNull().Spec.Template.Spec;

        ConfReferences.FromSecrets(pod).ShouldBe(ConfReferences.InConf(conf));
        ConfReferences.SecretKeys(pod).Where(k => !k.StartsWith("metrics-", StringComparison.Ordinal)).ShouldBe(
        [
            "cluster-ca/ca.crt",
            "registry-ca/tls.crt",
            "registry-login/password",
            "registry-login/username",
            "telegraf-user/user.crt",
            "telegraf-user/user.key",
        ]);
    }

    [Fact]
    public async Task A_missing_key_of_the_users_Secret_is_InvalidSpec_naming_the_key_field_and_no_Telegraf_is_written()
    {
        // A SCRAM KafkaUser's Secret as Strimzi makes it holds "password"; this spec reads another key.
        await op.CreateSecretAsync("metrics-telegraf", new() { ["password"] = "p", ["sasl.jaas.config"] = "j" });
        var spec = JsonNode.Parse(KubernetesJson.Serialize(KafkaStacks.With(KafkaStacks.StrimziScram.Replace("secret: {name: metrics-telegraf}", "secret: {name: metrics-telegraf}\n  passwordKey: pass", StringComparison.Ordinal)).Spec))!;

        await op.CreateStackWithSpecAsync(spec);

        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Reason == "InvalidSpec", "Ready=False InvalidSpec");
        OperatorWithFakes.Condition(stack, MetricsStackConditions.Ready)!.Message.ShouldContain("spec.telegraf.kafka.sasl.passwordKey: Secret \"metrics-telegraf\" has no key \"pass\"");
        (await op.Admin.GetAsync<V1ConfigMap>(op.Namespace, "metrics-telegraf-config")).ShouldBeNull("an invalid spec touches nothing");
    }
}
