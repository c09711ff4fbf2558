using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MetricsOperator.TestSupport;
using MetricsOperator.LocalCluster;

namespace MetricsOperator.TestSupport.Tests;

/// <summary>The harness itself: a real API server that authenticates, authorizes, stores and restarts.</summary>
public sealed class ControlPlaneTests
{
    [Fact]
    public async Task Admin_can_create_and_read_back_a_namespace()
    {
        var plane = await ControlPlane.SharedAsync();
        var ns = await plane.CreateNamespaceAsync("smoke");

        var read = await plane.AdminClient.CoreV1.ReadNamespaceAsync(ns);

        read.Metadata.Name.ShouldBe(ns);
        read.Metadata.Uid.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task The_server_is_the_kubernetes_version_the_harness_promises()
    {
        var plane = await ControlPlane.SharedAsync();

        var version = await plane.AdminClient.Version.GetCodeAsync();

        if (plane.Local is not null)
        {
            version.GitVersion.ShouldBe($"v{ControlPlaneAssets.KubernetesVersion}");
        }
        else
        {
            version.GitVersion.ShouldNotBeNullOrEmpty();
        }
    }

    [Fact]
    public async Task An_identity_without_a_binding_is_forbidden()
    {
        var plane = await ControlPlane.SharedAsync();
        using var stranger = plane.CreateClient(Identity.ServiceAccount("nowhere", "stranger"));

        var error = await Should.ThrowAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespaceAsync());

        error.Response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_operator_identity_authenticates_and_holds_nothing_until_bound()
    {
        var plane = await ControlPlane.SharedAsync();
        using var op = plane.CreateClient(Identity.Operator);

        var access = await op.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { Verb = "list", Resource = "secrets", NamespaceProperty = "kube-system" },
            },
        });

        // The review is answered at all only for an authenticated caller; "not allowed" shows no binding yet.
        access.Status.Allowed.ShouldBeFalse();
    }

    [Fact]
    public async Task Kubectl_talks_to_the_control_plane()
    {
        var plane = await ControlPlane.SharedAsync();

        var result = (await plane.KubectlAsync(["get", "namespace", "default", "-o", "name"])).EnsureSuccess();

        result.StandardOutput.Trim().ShouldBe("namespace/default");
    }

    [Fact]
    public async Task A_private_api_server_restarts_and_keeps_its_data()
    {
        await using var plane = await ControlPlane.StartPrivateAsync();
        plane.Local.ShouldNotBeNull();
        var ns = await plane.CreateNamespaceAsync("survives");

        await plane.Local.StopApiServerAsync();
        await Should.ThrowAsync<HttpRequestException>(() => plane.AdminClient.CoreV1.ReadNamespaceAsync(ns));
        await plane.Local.StartApiServerAsync();

        (await plane.AdminClient.CoreV1.ReadNamespaceAsync(ns)).Metadata.Name.ShouldBe(ns);
    }
}
