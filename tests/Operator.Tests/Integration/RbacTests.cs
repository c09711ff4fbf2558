using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The generated RBAC, as the API server enforces it for the operator's ServiceAccount: what
/// the reconcilers need, and nothing else. The expectations are written from the design
/// (not read from the generated files), so a role that grows or shrinks fails here.
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed class RbacTests(ApiServerFixture fixture)
{
    private const string OperatorNamespace = Identity.OperatorNamespace;

    /// <summary>verb, group, resource, subresource, namespace ("" = all namespaces).</summary>
    public static TheoryData<string, string, string, string, string> Needed() => new()
    {
        { "list", "metrics.lsst.io", "metricsstacks", "", "" },
        { "watch", "metrics.lsst.io", "metricsstacks", "", "" },
        { "patch", "metrics.lsst.io", "metricsstacks", "status", "any-app" },
        { "update", "metrics.lsst.io", "metricsstacks", "finalizers", "any-app" },
        { "list", "metrics.lsst.io", "appalerts", "", "" },
        { "watch", "metrics.lsst.io", "appalerts", "", "" },
        { "patch", "metrics.lsst.io", "appalerts", "status", "gafaelfawr" },
        { "update", "metrics.lsst.io", "appalerts", "finalizers", "gafaelfawr" },
        { "patch", "metrics.lsst.io", "appalerts", "", "gafaelfawr" },
        { "create", "", "events", "", "gafaelfawr" },
        { "watch", "apps", "statefulsets", "", "" },
        { "watch", "apps", "deployments", "", "" },
        { "watch", "", "services", "", "" },
        { "watch", "", "configmaps", "", "" },
        { "watch", "", "persistentvolumeclaims", "", "" },
        { "watch", "networking.k8s.io", "networkpolicies", "", "" },
        // Whether a volume may grow is read from its StorageClass.
        { "get", "storage.k8s.io", "storageclasses", "", "" },
        // Namespaces that opt in to writing are found by their label.
        { "list", "", "namespaces", "", "" },
        { "watch", "", "namespaces", "", "" },
        // The write-token copy: create cannot be limited by name (the named verbs are checked in their own test).
        { "create", "", "secrets", "", "any-app" },
        { "get", "coordination.k8s.io", "leases", "", OperatorNamespace },
        { "create", "coordination.k8s.io", "leases", "", OperatorNamespace },
        { "update", "coordination.k8s.io", "leases", "", OperatorNamespace },
    };

    /// <summary>What the operator must never be able to do.</summary>
    public static TheoryData<string, string, string, string, string> Forbidden() => new()
    {
        { "get", "", "secrets", "", "kube-system" },
        { "list", "", "secrets", "", "" },
        { "watch", "", "secrets", "", "" },
        { "update", "coordination.k8s.io", "leases", "", "kube-system" },
        { "delete", "metrics.lsst.io", "metricsstacks", "", "metrics" },
        { "delete", "metrics.lsst.io", "appalerts", "", "gafaelfawr" },
        { "create", "metrics.lsst.io", "appalerts", "", "gafaelfawr" },
        { "create", "apiextensions.k8s.io", "customresourcedefinitions", "", "" },
        { "create", "rbac.authorization.k8s.io", "clusterrolebindings", "", "" },
        { "bind", "rbac.authorization.k8s.io", "clusterroles", "", "" },
        { "escalate", "rbac.authorization.k8s.io", "clusterroles", "", "" },
        { "delete", "", "namespaces", "", "" },
        { "patch", "storage.k8s.io", "storageclasses", "", "" },
        { "get", "", "nodes", "", "" },
        { "create", "", "pods", "exec", "metrics" },
        { "create", "", "serviceaccounts", "token", "metrics" },
        { "impersonate", "", "users", "", "" },
        // A Job's pod can read any Secret of its namespace: Jobs only where Secrets are (the stack-namespace role).
        { "create", "batch", "jobs", "", "kube-system" },
        { "list", "batch", "jobs", "", "" },
        { "create", "batch", "cronjobs", "", "metrics" },
        { "list", "", "pods", "", "" },
        { "get", "", "pods", "log", "metrics" },
        // Creating a Deployment is as strong as reading every Secret of its namespace; deleting a claim loses data:
        // writes only where the stack-namespace role is bound, never cluster-wide.
        { "create", "apps", "deployments", "", "kube-system" },
        { "create", "apps", "deployments", "", "default" },
        { "patch", "apps", "statefulsets", "", "default" },
        { "create", "", "persistentvolumeclaims", "", "kube-system" },
        { "delete", "", "persistentvolumeclaims", "", "default" },
        { "create", "", "configmaps", "", "kube-system" },
        { "create", "", "configmaps", "", "default" },
        { "patch", "", "services", "", "default" },
        { "delete", "networking.k8s.io", "networkpolicies", "", "kube-system" },
        { "create", "apps", "deployments", "", "" },
    };

    [Theory]
    [MemberData(nameof(Needed))]
    public async Task The_operator_may_do_what_its_reconcilers_need(string verb, string group, string resource, string subresource, string ns) =>
        (await CanOperatorAsync(verb, group, resource, subresource, ns)).ShouldBeTrue($"{verb} {group}/{resource}/{subresource} in '{ns}'");

    [Theory]
    [MemberData(nameof(Forbidden))]
    public async Task The_operator_may_not_do_anything_else(string verb, string group, string resource, string subresource, string ns) =>
        (await CanOperatorAsync(verb, group, resource, subresource, ns)).ShouldBeFalse($"{verb} {group}/{resource}/{subresource} in '{ns}'");

    [Fact]
    public async Task Secrets_are_reachable_only_in_namespaces_bound_to_the_stack_namespace_role()
    {
        var bound = await fixture.Plane.CreateNamespaceAsync("stack");
        var unbound = await fixture.Plane.CreateNamespaceAsync("elsewhere");
        await ClusterSetup.BindStackNamespaceAsync(fixture.Plane, bound);

        (await CanOperatorAsync("create", "", "secrets", "", bound)).ShouldBeTrue();
        (await CanOperatorAsync("get", "", "secrets", "", bound)).ShouldBeTrue();
        (await CanOperatorAsync("get", "", "secrets", "", unbound)).ShouldBeFalse();
        (await CanOperatorAsync("delete", "", "secrets", "", bound)).ShouldBeFalse("the operator never deletes a Secret it may not own");
    }

    [Fact]
    public async Task Outside_stack_namespaces_the_only_Secret_the_operator_may_read_or_change_is_the_write_token_copy()
    {
        var app = await fixture.Plane.CreateNamespaceAsync("app");
        foreach (var ns in new[] { app, "default", "kube-system" })
        {
            foreach (var verb in new[] { "get", "patch", "delete" })
            {
                (await CanOperatorAsync(verb, "", "secrets", "", ns, "metrics-write-token")).ShouldBeTrue($"{verb} metrics-write-token in {ns}");
                (await CanOperatorAsync(verb, "", "secrets", "", ns, "gafaelfawr-secret")).ShouldBeFalse($"{verb} another Secret in {ns}");
            }

            (await CanOperatorAsync("update", "", "secrets", "", ns, "metrics-write-token")).ShouldBeFalse("the operator never PUTs a Secret");
            (await CanOperatorAsync("list", "", "secrets", "", ns)).ShouldBeFalse($"list Secrets in {ns}");
        }

        // Real requests, as the operator: another Secret of the namespace cannot be read; the copy can be made and read back.
        using var admin = fixture.Plane.CreateClient(Identity.Admin);
        await admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "gafaelfawr-secret" }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, app);
        using var op = fixture.Plane.CreateClient(Identity.Operator);
        (await Should.ThrowAsync<HttpOperationException>(() => op.CoreV1.ReadNamespacedSecretAsync("gafaelfawr-secret", app))).Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await op.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "metrics-write-token" }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, app);
        (await op.CoreV1.ReadNamespacedSecretAsync("metrics-write-token", app)).Metadata.Name.ShouldBe("metrics-write-token");
    }

    [Fact]
    public async Task Children_are_written_only_in_namespaces_bound_to_the_stack_namespace_role()
    {
        var bound = await fixture.Plane.CreateNamespaceAsync("stack");
        var unbound = await fixture.Plane.CreateNamespaceAsync("elsewhere");
        await ClusterSetup.BindStackNamespaceAsync(fixture.Plane, bound);

        foreach (var (group, resource) in new[] { ("apps", "statefulsets"), ("apps", "deployments"), ("", "services"), ("", "configmaps"), ("", "persistentvolumeclaims"), ("networking.k8s.io", "networkpolicies") })
        {
            foreach (var verb in new[] { "create", "patch", "delete" })
            {
                (await CanOperatorAsync(verb, group, resource, "", bound)).ShouldBeTrue($"{verb} {resource} in a stack namespace");
                (await CanOperatorAsync(verb, group, resource, "", unbound)).ShouldBeFalse($"{verb} {resource} elsewhere");
            }

            (await CanOperatorAsync("update", group, resource, "", bound)).ShouldBeFalse($"the operator never PUTs {resource}");
        }

        // A real request, as the operator: the API server refuses a Deployment outside the stack namespaces.
        using var op = fixture.Plane.CreateClient(Identity.Operator);
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "not-mine" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["a"] = "b" } },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["a"] = "b" } }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] } },
            },
        };
        (await Should.ThrowAsync<HttpOperationException>(() => op.AppsV1.CreateNamespacedDeploymentAsync(deployment, unbound))).Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await op.AppsV1.CreateNamespacedDeploymentAsync(deployment, bound)).Metadata.Name.ShouldBe("not-mine");
    }

    [Fact]
    public async Task Backup_jobs_and_their_pods_are_reachable_only_in_namespaces_bound_to_the_stack_namespace_role()
    {
        var bound = await fixture.Plane.CreateNamespaceAsync("stack");
        var unbound = await fixture.Plane.CreateNamespaceAsync("elsewhere");
        await ClusterSetup.BindStackNamespaceAsync(fixture.Plane, bound);

        foreach (var verb in new[] { "get", "list", "create", "delete" })
        {
            (await CanOperatorAsync(verb, "batch", "jobs", "", bound)).ShouldBeTrue($"{verb} jobs in a stack namespace");
            (await CanOperatorAsync(verb, "batch", "jobs", "", unbound)).ShouldBeFalse($"{verb} jobs elsewhere");
        }

        (await CanOperatorAsync("list", "", "pods", "", bound)).ShouldBeTrue("a backup Job's result is its pod's termination message");
        (await CanOperatorAsync("list", "", "pods", "", unbound)).ShouldBeFalse();
        (await CanOperatorAsync("patch", "batch", "jobs", "", bound)).ShouldBeFalse("a Job is created whole and deleted, never changed");
        (await CanOperatorAsync("watch", "", "pods", "", bound)).ShouldBeFalse();
    }

    [Fact]
    public async Task Real_requests_as_the_operator_succeed_and_fail_as_the_role_says()
    {
        using var op = fixture.Plane.CreateClient(Identity.Operator);

        var stacks = await op.CustomObjects.ListClusterCustomObjectAsync("metrics.lsst.io", "v1alpha1", "metricsstacks");
        stacks.ShouldNotBeNull();
        var denied = await Should.ThrowAsync<HttpOperationException>(() => op.CoreV1.ListSecretForAllNamespacesAsync());
        denied.Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private async Task<bool> CanOperatorAsync(string verb, string group, string resource, string subresource, string ns, string? name = null)
    {
        using var op = fixture.Plane.CreateClient(Identity.Operator);
        var review = await op.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes
                {
                    Verb = verb,
                    Group = group,
                    Resource = resource,
                    Subresource = string.IsNullOrEmpty(subresource) ? null : subresource,
                    NamespaceProperty = string.IsNullOrEmpty(ns) ? null : ns,
                    Name = name,
                },
            },
        });
        return review.Status.Allowed;
    }
}
