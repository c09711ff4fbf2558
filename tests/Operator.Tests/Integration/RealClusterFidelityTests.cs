using System.Text;
using k8s;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.LocalCluster;
using MetricsOperator.Runtime.Conditions;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Backup;
using MetricsOperator.TestSupport.Kubelet;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The stack as a new user gets it, with nothing made by the test that the operator should make: the guard refuses a
/// fixture that pre-creates an operator-owned object, the minimal stack becomes Ready through a kubelet stand-in that
/// starts Grafana only once its admin Secret exists, and that Secret follows the deletion policy so a re-created stack
/// logs in again to the InfluxDB and Grafana it left behind.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class RealClusterFidelityTests(ApiServerFixture fixture) : IAsyncLifetime
{
    private OperatorWithFakes op = null!;

    public async Task InitializeAsync() => op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));

    public async Task DisposeAsync() => await op.DisposeAsync();

    [Fact]
    public async Task A_fixture_that_creates_an_object_the_operator_owns_is_refused()
    {
        var ns = await fixture.Plane.CreateNamespaceAsync("guard");
        var probe = new V1Alpha1MetricsStack { Metadata = new V1ObjectMeta { Name = "idfdev" } };
        using var admin = fixture.Plane.CreateClient(Identity.Admin);

        var refused = await Should.ThrowAsync<InvalidOperationException>(() => admin.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = StackNames.GrafanaAdminSecret(probe) }, Data = new Dictionary<string, byte[]> { ["password"] = "x"u8.ToArray() } }, ns));
        var alsoRefused = await Should.ThrowAsync<InvalidOperationException>(() => fixture.Plane.AdminClient.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = StackNames.TelegrafConfig(probe) } }, ns));
        await admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "grafana-credentials" } }, ns);

        refused.Message.ShouldContain("idfdev-grafana-admin");
        refused.Message.ShouldContain("StackCredentials");
        alsoRefused.Message.ShouldContain("idfdev-telegraf-config");
        (await admin.CoreV1.ListNamespacedSecretAsync(ns)).Items.Select(s => s.Metadata.Name).ShouldBe(["grafana-credentials"], "a user's own Secret is fine; the refused ones never reached the server");
    }

    [Fact]
    public async Task The_minimal_stack_becomes_ready_with_no_secret_made_by_the_test()
    {
        var defaultPassword = op.Grafana.AdminPassword;
        var created = await op.CreateStackWithSpecAsync(new { });

        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == ConditionSet.True,
            "the minimal stack is Ready", TimeSpan.FromSeconds(60));

        var admin = (await op.Admin.GetAsync<V1Secret>(op.Namespace, StackNames.GrafanaAdminSecret(created))).ShouldNotBeNull("the operator made Grafana's admin Secret");
        var password = Encoding.UTF8.GetString(admin.Data[StackNames.GrafanaPasswordKey]);
        password.Length.ShouldBeGreaterThanOrEqualTo(32, "a generated password");
        op.Grafana.AdminPassword.ShouldBe(password, "Grafana's pod started with the password from that Secret");
        op.Grafana.AdminPassword.ShouldNotBe(defaultPassword);
        OperatorWithFakes.Condition(stack, MetricsStackConditions.AlertingReady)!.Status.ShouldBe(ConditionSet.True, "the operator logs in to Grafana with it");
        admin.Metadata.OwnerReferences.ShouldBeNull("deletionPolicy Retain (the default): the Secret that opens the kept Grafana volume outlives the stack");
        admin.Metadata.Labels.ShouldNotContainKey(StackLabels.Instance, "an unowned object with Argo CD's tracking label would be pruned");
        (await op.Admin.GetAsync<V1Secret>(op.Namespace, StackNames.InfluxDbAdminSecret(created))).ShouldNotBeNull().Metadata.OwnerReferences.ShouldBeNull();

        // Nothing changed: another reconcile writes nothing, the generated password stays.
        await op.ReconcileAgainAsync();
        var again = await op.Admin.GetAsync<V1Secret>(op.Namespace, StackNames.GrafanaAdminSecret(created));
        again!.Metadata.ResourceVersion.ShouldBe(admin.Metadata.ResourceVersion, "never regenerated while it exists");
    }

    [Fact]
    public async Task Credential_secrets_are_owned_only_when_the_data_is_deleted_with_the_stack()
    {
        var created = await op.CreateStackWithSpecAsync(new { influxdb = new { deletionPolicy = "Delete" } });
        await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == ConditionSet.True, "Ready", TimeSpan.FromSeconds(60));
        var grafanaAdmin = await op.Admin.GetAsync<V1Secret>(op.Namespace, StackNames.GrafanaAdminSecret(created));
        grafanaAdmin!.Metadata.OwnerReferences.ShouldHaveSingleItem().Uid.ShouldBe(created.Metadata.Uid, "with Delete, garbage collection takes it with the stack");

        // The user switches to Retain: only the ownerReference follows, the password stays.
        await op.Admin.PatchAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name, MetricsOperator.Runtime.Client.PatchType.Merge, """{"spec":{"influxdb":{"deletionPolicy":"Retain"}}}""");
        var kept = await Eventually.UntilAsync(() => op.Admin.GetAsync<V1Secret>(op.Namespace, StackNames.GrafanaAdminSecret(created)), s => s!.Metadata.OwnerReferences is not { Count: > 0 }, "the ownerReference is gone");
        kept!.Data[StackNames.GrafanaPasswordKey].ShouldBe(grafanaAdmin.Data[StackNames.GrafanaPasswordKey]);
    }

    [Fact]
    public async Task A_stack_deleted_under_Retain_and_created_again_reattaches_to_the_InfluxDB_and_Grafana_it_left()
    {
        var first = await op.CreateStackWithSpecAsync(new { });
        await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == ConditionSet.True, "Ready", TimeSpan.FromSeconds(60));

        await op.Admin.DeleteAsync<V1Alpha1MetricsStack>(op.Namespace, OperatorWithFakes.Name);
        await Eventually.UntilAsync(async () => await op.GetStackAsync() is null ? "gone" : null, gone => gone is not null, "the stack is gone (its finalizer ran)");
        // The garbage collector's part (no controller-manager here): whatever the stack owned goes with it.
        var collected = await GarbageCollectorStandIn.CollectAsync(fixture.Plane.AdminClient, op.Namespace, first.Metadata.Uid);
        collected.ShouldContain($"Secret/{StackNames.TelegrafTokenSecret(first)}", "owned Secrets do go: the token Secrets are minted again");

        var second = await op.CreateStackWithSpecAsync(new { });
        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => s?.Metadata.Uid == second.Metadata.Uid && OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == ConditionSet.True,
            "the re-created stack is Ready on the InfluxDB and Grafana the first one set up", TimeSpan.FromSeconds(60));
        OperatorWithFakes.Condition(stack, MetricsStackConditions.InfluxDBReady)!.Reason.ShouldNotBe("AdminTokenRejected");
        collected.ShouldNotContain($"Secret/{StackNames.InfluxDbAdminSecret(first)}");
        collected.ShouldNotContain($"Secret/{StackNames.GrafanaAdminSecret(first)}");
    }

    [Fact]
    public async Task Grafana_does_not_start_while_its_admin_secret_lacks_a_key_and_the_stack_says_why()
    {
        var created = await op.CreateStackWithSpecAsync(new { });
        await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Status == ConditionSet.True, "Ready", TimeSpan.FromSeconds(60));

        // Someone removes the password key by hand.
        await op.Admin.PatchAsync<V1Secret>(op.Namespace, StackNames.GrafanaAdminSecret(created), MetricsOperator.Runtime.Client.PatchType.Merge, "{\"data\":{\"" + StackNames.GrafanaPasswordKey + "\":null}}");
        await op.ReconcileAgainAsync();

        var stack = await Eventually.UntilAsync(op.GetStackAsync, s => OperatorWithFakes.Condition(s, MetricsStackConditions.Ready)?.Reason == "CredentialsInvalid", "Ready=False CredentialsInvalid");
        OperatorWithFakes.Condition(stack, MetricsStackConditions.Ready)!.Message.ShouldContain($"{StackNames.GrafanaAdminSecret(created)} has no key {StackNames.GrafanaPasswordKey}");
    }
}
