using System.Net;
using System.Text;
using System.Text.Json;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Fakes.Telegraf;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Tests.Backup;
using MetricsOperator.Tests.Integration;
using MetricsOperator.TestSupport;
using MetricsOperator.TestSupport.Network;

namespace MetricsOperator.Tests.Stacks.Integration;

/// <summary>
/// Authenticated writes end to end, the operator running as its own identity on the API server with the InfluxDB and
/// Grafana fakes: namespaces opt in with a label and get the token Secret and a path through the listener's
/// NetworkPolicy; others get neither. Telegraf is the listener stand-in started from the rendered telegraf.conf and the
/// environment of the pod the kubelet stand-in started (so only once every Secret it references exists). It refuses
/// writes without the token; rotation reaches Telegraf and every copy; removing the label, or the stack, removes the
/// copy; a Secret of that name someone else made is never touched.
/// </summary>
/// <remarks>
/// The label names a stack by name and the harness's stack is "metrics", like every other test's: each test takes the
/// label off its namespaces when it ends, so no later test's stack finds them.
/// </remarks>
[Collection(SharedApiServer.Name)]
public sealed class WriteAccessTests(ApiServerFixture fixture)
{
    private const string OptIn = "metrics.lsst.io/write-token";
    private const string Copy = "metrics-write-token";
    private const string Name = OperatorWithFakes.Name;

    [Fact]
    public async Task Opted_in_namespaces_get_the_token_and_a_path_to_the_listener_and_others_get_neither()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await using var namespaces = new LabelledNamespaces(fixture.Plane, op.Admin);
        var writer = await namespaces.CreateAsync("writer", Name);
        var bystander = await namespaces.CreateAsync("bystander", null);
        var otherStack = await namespaces.CreateAsync("other", "some-other-stack");

        await op.CreateStackWithSpecAsync(new { });
        var stack = await WaitForNamespacesAsync(op, [writer]);
        var condition = OperatorWithFakes.Condition(stack, MetricsStackConditions.WriteAccessReady).ShouldNotBeNull();
        (condition.Status, condition.Reason).ShouldBe(("True", "TokenDelivered"));
        stack.Status.WriteAccess!.TokenSecret.ShouldBe("metrics-listener-token");

        var copy = (await op.Admin.GetAsync<V1Secret>(writer, Copy)).ShouldNotBeNull();
        copy.Data.Keys.Order().ShouldBe(["METRICS_BUCKET", "METRICS_ORG", "METRICS_TOKEN", "METRICS_URL"]);
        Text(copy, "METRICS_URL").ShouldBe($"http://metrics-telegraf.{op.Namespace}.svc:8186");
        copy.Metadata.OwnerReferences.ShouldBeNull("owners cannot cross namespaces");
        copy.Metadata.Labels.ShouldNotContainKey("app.kubernetes.io/instance", "Argo CD of the app's namespace must neither adopt nor prune it");
        (await op.Admin.GetAsync<V1Secret>(bystander, Copy)).ShouldBeNull();
        (await op.Admin.GetAsync<V1Secret>(otherStack, Copy)).ShouldBeNull();

        await using var telegraf = await StartedTelegrafAsync(op, Text(copy, "METRICS_TOKEN"));
        telegraf.ChecksToken.ShouldBeTrue();
        (await WriteAsync(telegraf, null)).ShouldBe((HttpStatusCode.Unauthorized, "Unauthorized\n"));
        (await WriteAsync(telegraf, "Bearer " + Text(copy, "METRICS_TOKEN"))).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await WriteAsync(telegraf, "Token " + Text(copy, "METRICS_TOKEN"))).Status.ShouldBe(HttpStatusCode.NoContent);
        telegraf.Accepted.ShouldHaveSingleItem().ShouldStartWith("app_requests,app=writer");

        var policies = (await op.Admin.ListAsync<V1NetworkPolicy>(op.Namespace)).Items;
        var telegrafPod = op.StartedPods.Last(p => p.Workload == "metrics-telegraf");
        var listener = new NetworkPolicyPaths.Endpoint(op.Namespace, new Dictionary<string, string>(), new Dictionary<string, string>(telegrafPod.Labels));
        var pod = new Dictionary<string, string> { ["app"] = "any" };
        NetworkPolicyPaths.Admits(policies, new(writer, Labels(Name), pod), listener, 8186).ShouldBeTrue("an opted-in namespace reaches the listener");
        NetworkPolicyPaths.Admits(policies, new(bystander, Labels(null), pod), listener, 8186).ShouldBeFalse("a namespace that did not opt in has no path");
        NetworkPolicyPaths.Admits(policies, new(otherStack, Labels("some-other-stack"), pod), listener, 8186).ShouldBeFalse("opting in to another stack opens nothing here");
        NetworkPolicyPaths.Admits(policies, new(writer, Labels(Name), pod), listener, 8086).ShouldBeFalse("only the listener port");
    }

    [Fact]
    public async Task Rotation_rolls_Telegraf_and_reaches_every_copy_and_the_old_token_stops_working()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, clock);
        await using var namespaces = new LabelledNamespaces(fixture.Plane, op.Admin);
        var first = await namespaces.CreateAsync("first", Name);
        var second = await namespaces.CreateAsync("second", Name);
        await op.CreateStackWithSpecAsync(new { telegraf = new { writeAccess = new { rotateEvery = "90d" } } });
        var before = await WaitForNamespacesAsync(op, [first, second]);
        var oldToken = Text((await op.Admin.GetAsync<V1Secret>(first, Copy))!, "METRICS_TOKEN");
        Text((await op.Admin.GetAsync<V1Secret>(second, Copy))!, "METRICS_TOKEN").ShouldBe(oldToken);
        await using (var oldTelegraf = await StartedTelegrafAsync(op, oldToken))
        {
            (await WriteAsync(oldTelegraf, "Token " + oldToken)).Status.ShouldBe(HttpStatusCode.NoContent);
        }

        // On request: a new annotation value.
        clock.Advance(TimeSpan.FromMinutes(1));
        await op.Admin.PatchAsync<V1Alpha1MetricsStack>(op.Namespace, Name, PatchType.Merge, """{"metadata":{"annotations":{"metrics.lsst.io/rotate-write-token":"2026-12-02"}}}""");
        var requested = await WaitForRotationAsync(op, before, [first, second]);
        var newToken = requested.Token;
        newToken.ShouldNotBe(oldToken);
        await using (var telegraf = await StartedTelegrafAsync(op, newToken))
        {
            (await WriteAsync(telegraf, "Token " + oldToken)).Status.ShouldBe(HttpStatusCode.Unauthorized);
            (await WriteAsync(telegraf, "Token " + newToken)).Status.ShouldBe(HttpStatusCode.NoContent);
        }

        // The request is answered once: another reconcile keeps the token.
        await op.ReconcileAgainAsync();
        (await op.SecretValueAsync("metrics-listener-token", "token")).ShouldBe(newToken);

        // By age: past rotateEvery the next reconcile replaces it.
        clock.Advance(TimeSpan.FromDays(91));
        await op.ReconcileAgainAsync();
        var aged = await WaitForRotationAsync(op, requested.Stack, [first, second]);
        aged.Token.ShouldNotBe(newToken);
    }

    [Fact]
    public async Task Dropping_the_label_or_the_stack_removes_the_copy_and_a_Secret_someone_else_made_is_never_touched()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await using var namespaces = new LabelledNamespaces(fixture.Plane, op.Admin);
        var leaving = await namespaces.CreateAsync("leaving", Name);
        var staying = await namespaces.CreateAsync("staying", Name);
        var taken = await namespaces.CreateAsync("taken", Name);
        await op.Admin.CreateAsync(new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta { Name = Copy, NamespaceProperty = taken },
            Data = new Dictionary<string, byte[]> { ["mine"] = "hand-made"u8.ToArray() },
        });

        await op.CreateStackWithSpecAsync(new { });
        var stack = await WaitForNamespacesAsync(op, [leaving, staying]);
        var condition = OperatorWithFakes.Condition(stack, MetricsStackConditions.WriteAccessReady).ShouldNotBeNull();
        (condition.Status, condition.Reason).ShouldBe(("False", "WriteTokenConflict"));
        condition.Message.ShouldContain($"namespace {taken} already has a Secret {Copy} not made by the operator");
        OperatorWithFakes.Condition(stack, MetricsStackConditions.Ready).ShouldNotBeNull().Status.ShouldBe("False");

        await namespaces.LabelAsync(leaving, null);
        await WaitForNamespacesAsync(op, [staying]);
        (await op.Admin.GetAsync<V1Secret>(leaving, Copy)).ShouldBeNull();

        await op.Admin.DeleteAsync<V1Alpha1MetricsStack>(op.Namespace, Name);
        await Eventually.UntilAsync(async () => await op.GetStackAsync() is null, "the stack is gone (its finalizer ran)");
        (await op.Admin.GetAsync<V1Secret>(staying, Copy)).ShouldBeNull("the finalizer removes copies in other namespaces");
        (await op.Admin.GetAsync<V1Secret>(taken, Copy)).ShouldNotBeNull().Data.Keys.ShouldBe(["mine"]);
    }

    [Fact]
    public async Task Without_requireToken_the_listener_checks_no_token_and_still_only_opted_in_namespaces_have_a_path()
    {
        await using var op = await OperatorWithFakes.StartAsync(fixture.Plane, s3: null, new ManualClock(DateTimeOffset.UtcNow));
        await using var namespaces = new LabelledNamespaces(fixture.Plane, op.Admin);
        var writer = await namespaces.CreateAsync("writer", Name);
        await op.CreateStackWithSpecAsync(new { telegraf = new { writeAccess = new { requireToken = false } } });
        await WaitForNamespacesAsync(op, [writer]);

        await using var telegraf = await StartedTelegrafAsync(op, token: null);
        telegraf.ChecksToken.ShouldBeFalse();
        (await WriteAsync(telegraf, null)).Status.ShouldBe(HttpStatusCode.NoContent);
        var policy = (await op.Admin.GetAsync<V1NetworkPolicy>(op.Namespace, "metrics-telegraf")).ShouldNotBeNull();
        policy.Spec.Ingress.Single().FromProperty.Single().NamespaceSelector.MatchLabels.ShouldBe(new Dictionary<string, string> { [OptIn] = Name });
    }

    private static Dictionary<string, string> Labels(string? optInTo) =>
        optInTo is null ? [] : new Dictionary<string, string> { [OptIn] = optInTo };

    private static async Task<V1Alpha1MetricsStack> WaitForNamespacesAsync(OperatorWithFakes op, string[] namespaces) =>
        (await Eventually.UntilAsync(op.GetStackAsync,
            s => s.Status?.WriteAccess?.Namespaces is { } held && held.SequenceEqual(namespaces.Order(StringComparer.Ordinal)),
            $"status.writeAccess.namespaces = [{string.Join(", ", namespaces)}]"))!;

    /// <summary>Waits until status records a token newer than <paramref name="before"/>'s and every copy holds the source's token.</summary>
    private static async Task<(V1Alpha1MetricsStack Stack, string Token)> WaitForRotationAsync(OperatorWithFakes op, V1Alpha1MetricsStack before, string[] copies)
    {
        var stack = (await Eventually.UntilAsync(op.GetStackAsync, s => s.Status?.WriteAccess?.TokenCreated > before.Status!.WriteAccess!.TokenCreated, "status records a newer token"))!;
        var token = (await op.SecretValueAsync("metrics-listener-token", "token")).ShouldNotBeNull();
        foreach (var ns in copies)
        {
            Text((await op.Admin.GetAsync<V1Secret>(ns, Copy))!, "METRICS_TOKEN").ShouldBe(token, $"the copy in {ns}");
        }

        return (stack, token);
    }

    /// <summary>
    /// Telegraf as the kubelet stand-in started it: waits for a started Telegraf pod whose environment holds
    /// <paramref name="token"/> as the listener token (a rotation changes the pod template, so the pod restarts), then
    /// runs the listener from the ConfigMap's file with that environment.
    /// </summary>
    private static async Task<TelegrafListenerStandIn> StartedTelegrafAsync(OperatorWithFakes op, string? token)
    {
        await Eventually.UntilAsync(
            () => op.StartedPods.Any(p => p.Workload == "metrics-telegraf" && (token is null || p.Environment["telegraf"].GetValueOrDefault("LISTENER_TOKEN") == token)),
            "Telegraf's pod started with the current listener token");
        var pod = op.StartedPods.Last(p => p.Workload == "metrics-telegraf");
        var conf = (await op.Admin.GetAsync<V1ConfigMap>(op.Namespace, "metrics-telegraf-config")).ShouldNotBeNull().Data["telegraf.conf"];
        return await TelegrafListenerStandIn.StartAsync(conf, pod.Environment["telegraf"]);
    }

    private static async Task<(HttpStatusCode Status, string Body)> WriteAsync(TelegrafListenerStandIn telegraf, string? authorization)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{telegraf.Url}/api/v2/write?org=rubin&bucket=metrics&precision=ns")
        {
            Content = new StringContent("app_requests,app=writer value=1i 1767225600000000000\n", Encoding.UTF8, "text/plain"),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Text(V1Secret secret, string key) => Encoding.UTF8.GetString(secret.Data[key]);

    /// <summary>Namespaces a test labels; the labels come off when the test ends (the label names a stack other tests also run).</summary>
    private sealed class LabelledNamespaces(ControlPlane plane, KubeApi admin) : IAsyncDisposable
    {
        private readonly List<string> labelled = [];

        public async Task<string> CreateAsync(string prefix, string? optInTo)
        {
            var ns = await plane.CreateNamespaceAsync(prefix);
            if (optInTo is not null)
            {
                await LabelAsync(ns, optInTo);
            }

            return ns;
        }

        public async Task LabelAsync(string ns, string? optInTo)
        {
            await PatchLabelAsync(ns, optInTo);
            labelled.Add(ns);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var ns in labelled.Distinct())
            {
                await PatchLabelAsync(ns, null);
            }
        }

        // null removes the label.
        private Task<V1Namespace?> PatchLabelAsync(string ns, string? optInTo) =>
            admin.PatchAsync<V1Namespace>(null, ns, PatchType.Merge, JsonSerializer.Serialize(new { metadata = new { labels = new Dictionary<string, string?> { [OptIn] = optInTo } } }));
    }
}
