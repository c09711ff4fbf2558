using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public sealed class StackStatusReporterTests
{
    [Fact]
    public void Nothing_observed_is_not_ready_with_every_component_named()
    {
        var reports = StackStatusReporter.Report(DefaultedStack.Of(Stacks.MinimalSample()), new ObservedChildren(null, null, null));

        reports.Select(r => r.Type).ShouldBe(["InfluxDBReady", "TelegrafReady", "GrafanaReady", "Ready"]);
        reports.ShouldAllBe(r => r.Status == "False");
        reports.Take(3).ShouldAllBe(r => r.Reason == "NotFound");
        var ready = reports[^1];
        ready.Reason.ShouldBe("ComponentsNotReady");
        ready.Message.ShouldContain("InfluxDBReady");
        ready.Message.ShouldContain("GrafanaReady");
    }

    [Fact]
    public void Ready_follows_when_every_workload_is_ready()
    {
        var reports = StackStatusReporter.Report(DefaultedStack.Of(Stacks.MinimalSample()), new ObservedChildren(
            ReadyStatefulSet(1), ReadyDeployment(1), ReadyDeployment(1)));

        reports.ShouldAllBe(r => r.Status == "True");
        reports[^1].Reason.ShouldBe("AllComponentsReady");
    }

    [Fact]
    public void A_generation_the_controller_has_not_seen_is_progressing()
    {
        var statefulSet = ReadyStatefulSet(1);
        statefulSet.Metadata.Generation = 3;
        statefulSet.Status.ObservedGeneration = 2;

        var (status, reason, message) = StackStatusReporter.StatefulSetReadiness(statefulSet);

        (status, reason).ShouldBe(("False", "Progressing"));
        message.ShouldContain("generation 3");
    }

    [Fact]
    public void Old_replicas_left_keep_a_deployment_progressing()
    {
        var deployment = ReadyDeployment(2);
        deployment.Status.Replicas = 3;

        StackStatusReporter.DeploymentReadiness(deployment).Status.ShouldBe("False");
    }

    [Fact]
    public void Replicas_short_of_the_spec_are_counted_in_the_message()
    {
        var statefulSet = ReadyStatefulSet(2);
        statefulSet.Status.ReadyReplicas = 1;

        StackStatusReporter.StatefulSetReadiness(statefulSet).Message.ShouldBe("StatefulSet s: 1 of 2 replicas ready, 2 updated");
    }

    [Fact]
    public void External_grafana_is_reported_true_with_reason_external()
    {
        var stack = Stacks.MinimalSampleWith(s =>
        {
            s.Grafana!.Mode = GrafanaMode.External;
            s.Grafana.Url = "https://grafana.example.org";
        });

        var grafana = StackStatusReporter.Report(DefaultedStack.Of(stack), new ObservedChildren(null, null, null)).Single(r => r.Type == "GrafanaReady");

        (grafana.Status, grafana.Reason).ShouldBe(("True", "External"));
        StackStatusReporter.Endpoints(DefaultedStack.Of(stack)).Grafana.ShouldBe("https://grafana.example.org");
    }

    [Fact]
    public void Endpoints_are_the_in_cluster_service_urls()
    {
        var endpoints = StackStatusReporter.Endpoints(DefaultedStack.Of(Stacks.MinimalSample()));

        endpoints.Write.ShouldBe("http://metrics-telegraf.metrics.svc:8186");
        endpoints.Grafana.ShouldBe("http://metrics-grafana.metrics.svc:3000");
    }

    [Fact]
    public void Invalid_spec_joins_every_error_into_the_message()
    {
        var report = StackStatusReporter.NotReady("InvalidSpec", [new FieldError("spec.a", "x"), new FieldError("spec.b", "y")]);

        (report.Type, report.Status, report.Reason, report.Message).ShouldBe(("Ready", "False", "InvalidSpec", "spec.a: x; spec.b: y"));
    }

    private static V1StatefulSet ReadyStatefulSet(int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = "s", Generation = 1 },
        Spec = new V1StatefulSetSpec { Replicas = replicas },
        Status = new V1StatefulSetStatus { ObservedGeneration = 1, Replicas = replicas, ReadyReplicas = replicas, UpdatedReplicas = replicas },
    };

    private static V1Deployment ReadyDeployment(int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = "d", Generation = 1 },
        Spec = new V1DeploymentSpec { Replicas = replicas },
        Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = replicas, AvailableReplicas = replicas, UpdatedReplicas = replicas },
    };
}
