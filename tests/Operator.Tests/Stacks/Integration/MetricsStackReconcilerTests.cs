using k8s;
using k8s.Models;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport.Kubelet;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks.Builders;
using MetricsOperator.Tests.Integration;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks.Integration;

/// <summary>
/// The MetricsStack reconciler on the real API server, run by the real runtime Manager as the operator's
/// ServiceAccount (generated RBAC only), one namespace per test. No kubelet or controller-manager runs: the tests set
/// workload status themselves, and nothing is garbage-collected.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class MetricsStackReconcilerTests(ApiServerFixture fixture)
{
    private const string Name = "metrics";

    [Fact]
    public async Task The_sample_becomes_every_child_owned_by_the_stack()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        await CreateSampleSecretsAsync(op);

        var stack = await op.CreateAsync(Stacks.FullSample());
        var reported = await op.WaitForReadyAsync(Name, 1, "False", "ComponentsNotReady");

        foreach (var expected in StackBuilder.Build(DefaultedStack.Of(stack), StackBuildOptions.Default))
        {
            var child = (await GetChildAsync(op, expected)).ShouldNotBeNull($"{expected.Kind} {expected.Metadata.Name}");
            child.Metadata.Labels["app.kubernetes.io/managed-by"].ShouldBe("metrics-operator");
            if (expected.Metadata.OwnerReferences is null)
            {
                child.Metadata.OwnerReferences.ShouldBeNull($"{expected.Kind} {expected.Metadata.Name} holds data and must outlive the stack");
                continue;
            }

            var owner = child.Metadata.OwnerReferences.ShouldHaveSingleItem();
            (owner.Kind, owner.Name, owner.Uid, owner.Controller).ShouldBe(("MetricsStack", Name, stack.Metadata.Uid, (bool?)true));
        }

        reported.Status.Endpoints.ShouldNotBeNull().Write.ShouldBe($"http://metrics-telegraf.{op.Namespace}.svc:8186");
        reported.Status.Endpoints.Grafana.ShouldBe($"http://metrics-grafana.{op.Namespace}.svc:3000");
        reported.Metadata.Finalizers.ShouldContain("metrics.lsst.io/data-volumes");
        // The only Secrets it writes are the ones it generates (the sample names an existing InfluxDB admin Secret): Grafana's
        // admin login and the listener token, each created once before a Deployment refers to it. No namespace opted in
        // to writing, so no copy of the token is made anywhere.
        op.Recorder.Writes.Where(w => w.Contains("/secrets", StringComparison.Ordinal)).Count().ShouldBe(2);
        op.Recorder.Writes.Where(w => w.Contains("/secrets", StringComparison.Ordinal)).ShouldAllBe(w => w.StartsWith("POST", StringComparison.Ordinal));
        (await op.Admin.GetAsync<V1Secret>(op.Namespace, $"{Name}-listener-token")).ShouldNotBeNull().Metadata.OwnerReferences.ShouldHaveSingleItem().Uid.ShouldBe(stack.Metadata.Uid);
        var grafanaAdmin = await op.Admin.GetAsync<V1Secret>(op.Namespace, $"{Name}-grafana-admin");
        grafanaAdmin.ShouldNotBeNull().Metadata.Labels["app.kubernetes.io/managed-by"].ShouldBe("metrics-operator");
    }

    [Fact]
    public async Task A_no_op_resync_makes_zero_writes()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane, resyncPeriod: TimeSpan.FromMilliseconds(500));
        await op.CreateAsync(Stacks.MinimalSample());
        await WaitSettledAsync(op, 1);

        op.Recorder.Reset();
        await op.WaitForReconcilesAsync(6);

        op.Recorder.Writes.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_spec_edit_writes_only_the_children_it_changes()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        var before = await op.CreateAsync(Stacks.MinimalSample());
        await WaitSettledAsync(op, 1);

        foreach (var (edit, generation) in new (object Spec, long Generation)[]
        {
            (new { telegraf = new { replicas = 3 } }, 2),
            (new { telegraf = new { listenerPort = 8190 } }, 3),
            (new { influxdb = new { image = "docker.io/library/influxdb:2.7.11-alpine" } }, 4),
        })
        {
            op.Recorder.Reset();
            var after = await op.PatchSpecAsync(Name, edit);
            await op.WaitForReadyAsync(Name, generation, "False", "ComponentsNotReady");
            await op.ReconcileAgainAsync(Name);

            var changed = Changed(before, after);
            changed.Count.ShouldBeGreaterThan(0);
            changed.Count.ShouldBeLessThan(StackBuilder.Build(DefaultedStack.Of(after), StackBuildOptions.Default).Count);
            op.Recorder.ChildWrites.Order().ShouldBe(changed.Select(c => "PATCH " + c).Order(), $"edit {KubernetesJson.Serialize(edit)}");
            before = after;
        }
    }

    [Fact]
    public async Task A_child_edited_by_someone_else_is_put_back()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Stacks.MinimalSample());
        await WaitSettledAsync(op, 1);
        var config = (await op.Admin.GetAsync<V1ConfigMap>(op.Namespace, "metrics-telegraf-config")).ShouldNotBeNull();
        var wanted = config.Data["telegraf.conf"];
        var telegraf = (await op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-telegraf")).ShouldNotBeNull();
        var replicas = telegraf.Spec.Replicas;

        // What a kubectl edit does: the hash annotation stays, the content changes.
        await op.Admin.PatchAsync<V1ConfigMap>(op.Namespace, "metrics-telegraf-config", PatchType.Merge,
            """{"data":{"telegraf.conf":"# edited by hand\n"}}""");
        await op.Admin.PatchAsync<V1Deployment>(op.Namespace, "metrics-telegraf", PatchType.Merge,
            """{"spec":{"replicas":7}}""");

        await Eventually.UntilAsync(
            () => op.Admin.GetAsync<V1ConfigMap>(op.Namespace, "metrics-telegraf-config"),
            c => c.Data["telegraf.conf"] == wanted,
            "the operator put telegraf.conf back");
        await Eventually.UntilAsync(
            () => op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-telegraf"),
            d => d.Spec.Replicas == replicas,
            "the operator put the replica count back");
    }

    [Fact]
    public async Task A_deleted_child_is_recreated()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Stacks.MinimalSample());
        await WaitSettledAsync(op, 1);
        var service = (await op.Admin.GetAsync<V1Service>(op.Namespace, "metrics-telegraf")).ShouldNotBeNull();

        await op.Admin.DeleteAsync<V1Service>(op.Namespace, "metrics-telegraf");

        var recreated = await Eventually.UntilAsync(
            () => op.Admin.GetAsync<V1Service>(op.Namespace, "metrics-telegraf"),
            s => s.Metadata.Uid != service.Metadata.Uid,
            "the Service was recreated");
        recreated.Metadata.OwnerReferences.ShouldHaveSingleItem().Name.ShouldBe(Name);
    }

    [Fact]
    public async Task Parts_turned_off_in_the_spec_are_pruned_and_data_claims_kept()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        await CreateSampleSecretsAsync(op);
        await op.CreateSecretAsync("grafana-credentials", "token");
        await op.CreateAsync(Stacks.FullSample());
        await WaitSettledAsync(op, 1);
        (await op.Admin.GetAsync<V1StatefulSet>(op.Namespace, "metrics-telegraf")).ShouldNotBeNull("the sample buffers on disk");

        // Kafka off: it adds no object of its own, so its parts are the consumer in telegraf.conf and the SASL/TLS wiring.
        await op.PatchSpecAsync(Name, new { telegraf = new { kafka = (object?)null } });
        await op.WaitForReadyAsync(Name, 2, "False", "ComponentsNotReady");
        var config = (await op.Admin.GetAsync<V1ConfigMap>(op.Namespace, "metrics-telegraf-config")).ShouldNotBeNull();
        config.Data["telegraf.conf"].ShouldNotContain("kafka_consumer");
        var telegraf = (await op.Admin.GetAsync<V1StatefulSet>(op.Namespace, "metrics-telegraf")).ShouldNotBeNull();
        telegraf.Spec.Template.Spec.Containers.Single().Env.ShouldNotContain(e => e.ValueFrom.SecretKeyRef != null && e.ValueFrom.SecretKeyRef.Name == "metrics-telegraf");
        KubernetesJson.Serialize(telegraf.Spec.Template).ShouldNotContain("sasquatch-cluster-ca-cert");

        // Disk buffer off: the StatefulSet gives way to a Deployment of the same name.
        await op.PatchSpecAsync(Name, new { telegraf = new { diskBuffer = new { enabled = false } } });
        await op.WaitForReadyAsync(Name, 3, "False", "ComponentsNotReady");
        await Eventually.UntilAsync(async () => await op.Admin.GetAsync<V1StatefulSet>(op.Namespace, "metrics-telegraf") is null, "Telegraf's StatefulSet was pruned");
        (await op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-telegraf")).ShouldNotBeNull();

        // External Grafana: every Grafana object goes, except its data claim (Retain).
        await op.PatchSpecAsync(Name, new { environment = "idfdev", grafana = new { mode = "external", url = "https://grafana.example.org", credentialsSecret = new { name = "grafana-credentials" } } });
        var external = await op.WaitForReadyAsync(Name, 4, "False", "ComponentsNotReady");
        StackOperatorExtensions.ConditionOf(external, MetricsStackConditions.GrafanaReady).Reason.ShouldBe("External");
        external.Status.Endpoints.ShouldNotBeNull().Grafana.ShouldBe("https://grafana.example.org");
        (await op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-grafana")).ShouldBeNull();
        (await op.Admin.GetAsync<V1Service>(op.Namespace, "metrics-grafana")).ShouldBeNull();
        (await op.Admin.GetAsync<V1ConfigMap>(op.Namespace, "metrics-grafana-provisioning")).ShouldBeNull();
        (await op.Admin.GetAsync<V1NetworkPolicy>(op.Namespace, "metrics-grafana")).ShouldBeNull();
        (await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, "metrics-grafana")).ShouldNotBeNull("Grafana's data claim is kept");
        op.Recorder.Writes.ShouldNotContain(w => w.StartsWith("DELETE", StringComparison.Ordinal) && w.Contains("/persistentvolumeclaims/", StringComparison.Ordinal));
    }

    /// <summary>why, spec (JSON), Secrets to create (name:key,key), whether to bind Secrets access, reason, message fragment.</summary>
    public static TheoryData<string, string, string[], bool, string, string> InvalidSpecs() => new()
    {
        { "external Grafana without URL", """{"grafana":{"mode":"external","credentialsSecret":{"name":"grafana-credentials"}}}""", ["grafana-credentials:token"], true, "InvalidSpec", "spec.grafana.url: required when mode is external" },
        { "external Grafana without credentials", """{"grafana":{"mode":"external","url":"https://grafana.example.org"}}""", [], true, "InvalidSpec", "spec.grafana.credentialsSecret: required when mode is external" },
        { "managed Grafana with a URL", """{"grafana":{"url":"https://grafana.example.org"}}""", [], true, "InvalidSpec", "spec.grafana.url: must be left out when mode is managed" },
        { "retention under an hour", """{"influxdb":{"retention":"30m"}}""", [], true, "InvalidSpec", "spec.influxdb.retention: 30m is shorter than 1h" },
        { "admin Secret missing", """{"influxdb":{"existingAdminSecret":{"name":"influxdb-admin"}}}""", [], true, "InvalidSpec", "spec.influxdb.existingAdminSecret: Secret \"influxdb-admin\" not found" },
        { "Kafka SASL Secret missing", """{"telegraf":{"kafka":{"brokers":["kafka:9092"],"sasl":{"username":"telegraf","secret":{"name":"sasl"}},"consumers":[{"name":"app","topics":["t"],"dataFormat":"influx"}]}}}""", [], true, "InvalidSpec", "spec.telegraf.kafka.sasl.secret: Secret \"sasl\" not found" },
        { "Kafka SASL password key missing", """{"telegraf":{"kafka":{"brokers":["kafka:9092"],"sasl":{"username":"telegraf","secret":{"name":"sasl"}},"consumers":[{"name":"app","topics":["t"],"dataFormat":"influx"}]}}}""", ["sasl:sasl.jaas.config"], true, "InvalidSpec", "spec.telegraf.kafka.sasl.passwordKey: Secret \"sasl\" has no key \"password\"" },
        { "Kafka client certificate key missing", """{"telegraf":{"kafka":{"brokers":["kafka:9093"],"tls":{"clientSecret":{"name":"user"}},"consumers":[{"name":"app","topics":["t"],"dataFormat":"influx"}]}}}""", ["user:user.crt,ca.crt"], true, "InvalidSpec", "spec.telegraf.kafka.tls.keyKey: Secret \"user\" has no key \"user.key\"" },
        { "Kafka broker without port", """{"telegraf":{"kafka":{"brokers":["kafka"],"consumers":[{"name":"app","topics":["t"],"dataFormat":"influx"}]}}}""", [], true, "InvalidSpec", "spec.telegraf.kafka.brokers[0]: \"kafka\" is not host:port" },
        { "json_v2 without tables", """{"telegraf":{"kafka":{"brokers":["kafka:9092"],"consumers":[{"name":"app","topics":["t"],"dataFormat":"json_v2"}]}}}""", [], true, "InvalidSpec", "spec.telegraf.kafka.consumers[0].jsonV2: at least one table is required with dataFormat json_v2" },
        { "avro without a schema registry", """{"telegraf":{"kafka":{"brokers":["kafka:9092"],"consumers":[{"name":"app","topics":["t"],"dataFormat":"avro"}]}}}""", [], true, "InvalidSpec", "spec.telegraf.kafka.consumers[0].dataFormat: avro needs spec.telegraf.kafka.schemaRegistry" },
        { "options of another format", """{"telegraf":{"kafka":{"brokers":["kafka:9092"],"consumers":[{"name":"app","topics":["t"],"dataFormat":"influx","json":{"tagKeys":["a"]}}]}}}""", [], true, "InvalidSpec", "spec.telegraf.kafka.consumers[0].json: options of the json parser, but dataFormat is influx (allowed: avro, json, json_v2, influx)" },
        { "contact point key missing", """{"grafana":{"contactPoints":[{"name":"slack","type":"slack","secretRef":{"name":"contacts","key":"webhook"}}]}}""", ["contacts:other"], true, "InvalidSpec", "spec.grafana.contactPoints[0].secretRef: Secret \"contacts\" has no key \"webhook\"" },
        { "a namespace without the stack-namespace binding", "{}", [], false, "NamespaceNotBound", "credential Secrets: the operator may not make Grafana's admin login, InfluxDB's admin token or the listener token in namespace" },
        { "Secrets not readable in the namespace", """{"influxdb":{"existingAdminSecret":{"name":"influxdb-admin"}}}""", [], false, "NamespaceNotBound", "spec.influxdb.existingAdminSecret: the operator may not read Secret \"influxdb-admin\"" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public async Task An_invalid_spec_is_refused_naming_the_field_and_nothing_is_written(string why, string spec, string[] secrets, bool bindSecrets, string reason, string message)
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane, bindSecrets);
        foreach (var secret in secrets)
        {
            var parts = secret.Split(':');
            await op.CreateSecretAsync(parts[0], parts[1].Split(','));
        }

        var stack = KubernetesJson.Deserialize<V1Alpha1MetricsStack>($$"""{"apiVersion":"metrics.lsst.io/v1alpha1","kind":"MetricsStack","metadata":{"name":"metrics"},"spec":{{spec}}}""");
        await op.CreateAsync(stack);

        var refused = await op.WaitForReadyAsync(Name, 1, "False", reason);
        StackOperator.Ready(refused)!.Message.ShouldContain(message, Case.Sensitive, why);
        await op.ReconcileAgainAsync(Name);
        op.Recorder.ChildWrites.ShouldBeEmpty(why);
        // The Event names the field; the runtime's redactor may mask the word after "…secret:" in it (status is not redacted).
        var field = message[..message.IndexOf(':', StringComparison.Ordinal)];
        await Eventually.UntilAsync(async () => (await op.Admin.ListAsync<Corev1Event>(op.Namespace)).Items.Any(e => e.Type == "Warning" && e.Reason == reason && e.Message.Contains(field, StringComparison.Ordinal)), $"a Warning Event {reason} naming {field}");
    }

    [Fact]
    public async Task A_second_stack_in_the_namespace_is_refused_and_the_first_keeps_it()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Stacks.MinimalSample());
        await WaitSettledAsync(op, 1);
        op.Recorder.Reset();

        var second = Stacks.MinimalSample();
        second.Metadata.Name = "second";
        await op.CreateAsync(second);

        var refused = await Eventually.UntilAsync(() => op.GetAsync("second"), s => StackOperator.Ready(s)?.Reason == "InvalidSpec", "the second stack was refused");
        StackOperator.Ready(refused)!.Message.ShouldBe($"metadata.name: namespace {op.Namespace} already holds MetricsStack \"metrics\" (one MetricsStack per namespace)");
        await op.ReconcileAgainAsync(Name);
        op.Recorder.ChildWrites.ShouldBeEmpty();
    }

    [Fact]
    public async Task Editing_a_running_stack_into_an_invalid_one_changes_and_deletes_nothing()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Stacks.MinimalSample());
        await WaitSettledAsync(op, 1);
        op.Recorder.Reset();

        // Would prune every Grafana object if applied; invalid, so nothing moves.
        await op.PatchSpecAsync(Name, new { grafana = new { mode = "external" }, telegraf = new { replicas = 4 } });
        await op.WaitForReadyAsync(Name, 2, "False", "InvalidSpec");
        await op.ReconcileAgainAsync(Name);

        op.Recorder.ChildWrites.ShouldBeEmpty();
        (await op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-grafana")).ShouldNotBeNull();
        (await op.Admin.GetAsync<V1Deployment>(op.Namespace, "metrics-telegraf"))!.Spec.Replicas.ShouldBe(1);
    }

    [Fact]
    public async Task Workload_status_turns_the_conditions_true_and_ready_follows()
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        await op.CreateAsync(Stacks.MinimalSample());
        await WaitSettledAsync(op, 1);

        await SetReadyAsync<V1StatefulSet>(op, "metrics-influxdb", """{"status":{"observedGeneration":1,"replicas":1,"readyReplicas":1,"updatedReplicas":1,"currentReplicas":1}}""");
        var influx = await Eventually.UntilAsync(() => op.GetAsync(Name), s => StackOperator.Condition(s, MetricsStackConditions.InfluxDBReady)?.Status == "True", "InfluxDBReady=True");
        StackOperator.Ready(influx)!.Status.ShouldBe("False");

        await SetReadyAsync<V1Deployment>(op, "metrics-telegraf", DeploymentReady);
        await SetReadyAsync<V1Deployment>(op, "metrics-grafana", DeploymentReady);

        var ready = await op.WaitForReadyAsync(Name, 1, "True", "AllComponentsReady");
        ready.Status.Conditions.ShouldNotBeNull().Where(c => c.Type != "Ready").Select(c => (c.Type, c.Status, c.Reason)).Order().ShouldBe(
        [
            ("GrafanaReady", "True", "Available"),
            ("InfluxDBReady", "True", "Available"),
            ("StorageReady", "True", "Sized"),
            ("TelegrafReady", "True", "Available"),
            ("WriteAccessReady", "True", "TokenDelivered"),
        ]);
        ready.Status.Conditions.ShouldAllBe(c => c.ObservedGeneration == 1);
        await Eventually.UntilAsync(async () => (await op.Admin.ListAsync<Corev1Event>(op.Namespace)).Items.Any(e => e.Type == "Normal" && e.Reason == "AllComponentsReady"), "a Normal Event for Ready");
    }

    [Theory]
    [InlineData("Delete")]
    [InlineData("Retain")]
    public async Task Deleting_the_stack_deletes_the_data_claims_only_when_the_policy_says_delete(string policy)
    {
        await using var op = await StackOperator.StartAsync(fixture.Plane);
        var stack = await op.CreateAsync(Stacks.MinimalSampleWith(s => s.InfluxDb!.DeletionPolicy = Enum.Parse<DeletionPolicy>(policy)));
        await WaitSettledAsync(op, 1);
        // The StatefulSet controller makes the claim from the template (no controller-manager runs here: its stand-in does).
        using (var client = fixture.Plane.CreateClient(Identity.Admin))
        {
            await new KubeletStandIn(client, op.Namespace).PassAsync();
        }

        (await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, "data-metrics-influxdb-0")).ShouldNotBeNull("made from the claim template");

        await op.Admin.DeleteAsync<V1Alpha1MetricsStack>(op.Namespace, Name);
        await Eventually.UntilAsync(async () => await op.GetAsync(Name) is null, "the finalizer let the stack go");

        foreach (var claim in new[] { "data-metrics-influxdb-0", "metrics-grafana" })
        {
            var left = await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, claim);
            // Without a controller-manager the pvc-protection finalizer is never removed: deleting means deletionTimestamp set.
            var deleted = left is null || left.Metadata.DeletionTimestamp is not null;
            deleted.ShouldBe(policy == "Delete", $"claim {claim} with deletionPolicy {policy}");
        }
    }

    private const string DeploymentReady = """{"status":{"observedGeneration":1,"replicas":1,"updatedReplicas":1,"readyReplicas":1,"availableReplicas":1}}""";

    private static async Task SetReadyAsync<T>(StackOperator op, string name, string status) =>
        await op.Admin.PatchAsync<T>(op.Namespace, name, PatchType.Merge, status, "status");

    /// <summary>
    /// Waits until the operator reported on <paramref name="generation"/> with every workload in its cache, and the
    /// Events of that report were recorded (they follow the status patch; Ready's comes last).
    /// </summary>
    private static async Task<V1Alpha1MetricsStack> WaitSettledAsync(StackOperator op, long generation)
    {
        var settled = await Eventually.UntilAsync(
            () => op.GetAsync(Name),
            s => s.Status?.ObservedGeneration == generation
                && s.Status.Conditions?.Count(c => c.Type.EndsWith("Ready", StringComparison.Ordinal) && c.Type != "Ready" && c.Reason is "Progressing" or "External") == 3,
            $"every workload observed at generation {generation}");
        var readyMessage = StackOperator.Ready(settled)!.Message;
        await Eventually.UntilAsync(
            async () => (await op.Admin.ListAsync<Corev1Event>(op.Namespace)).Items.Any(e => e.Message.EndsWith(readyMessage, StringComparison.Ordinal)),
            "the Events of the settled report were recorded");
        return settled;
    }

    private static async Task CreateSampleSecretsAsync(StackOperator op)
    {
        await op.CreateSecretAsync("influxdb-admin", "admin-token", "admin-password");
        // The user's Kafka Secrets, as Strimzi makes them: the KafkaUser's (password) and the cluster CA's.
        await op.CreateSecretAsync("metrics-telegraf", "password", "sasl.jaas.config");
        await op.CreateSecretAsync("sasquatch-cluster-ca-cert", "ca.crt", "ca.p12", "ca.password");
        await op.CreateSecretAsync("grafana-contact-points", "slack-square-alerts-webhook", "square-email-addresses", "squadcast-webhook-url");
    }

    /// <summary><c>kind/name</c> (lower-case plural) of every child whose built object differs between two stacks.</summary>
    private static List<string> Changed(V1Alpha1MetricsStack before, V1Alpha1MetricsStack after)
    {
        var old = StackBuilder.Build(DefaultedStack.Of(before), StackBuildOptions.Default).ToDictionary(Key, o => KubernetesJson.Serialize(o));
        return [.. StackBuilder.Build(DefaultedStack.Of(after), StackBuildOptions.Default).Where(o => !old.TryGetValue(Key(o), out var was) || was != KubernetesJson.Serialize(o)).Select(Key)];

        static string Key(IKubernetesObject<V1ObjectMeta> o) => $"{ResourceType.For(o.GetType()).Plural}/{o.Metadata.Name}";
    }

    private static async Task<IKubernetesObject<V1ObjectMeta>?> GetChildAsync(StackOperator op, IKubernetesObject<V1ObjectMeta> expected) => expected switch
    {
        V1StatefulSet => await op.Admin.GetAsync<V1StatefulSet>(op.Namespace, expected.Metadata.Name),
        V1Deployment => await op.Admin.GetAsync<V1Deployment>(op.Namespace, expected.Metadata.Name),
        V1Service => await op.Admin.GetAsync<V1Service>(op.Namespace, expected.Metadata.Name),
        V1ConfigMap => await op.Admin.GetAsync<V1ConfigMap>(op.Namespace, expected.Metadata.Name),
        V1PersistentVolumeClaim => await op.Admin.GetAsync<V1PersistentVolumeClaim>(op.Namespace, expected.Metadata.Name),
        V1NetworkPolicy => await op.Admin.GetAsync<V1NetworkPolicy>(op.Namespace, expected.Metadata.Name),
        _ => throw new InvalidOperationException(expected.Kind),
    };
}

internal static class StackOperatorExtensions
{
    public static V1Condition ConditionOf(V1Alpha1MetricsStack stack, string type) =>
        StackOperator.Condition(stack, type).ShouldNotBeNull(type);
}
