using k8s.Models;
using MetricsOperator.Alerts;
using MetricsOperator.Crds;

namespace MetricsOperator.Tests.Alerts;

/// <summary>The counts kubectl shows in the Rules and Synced columns.</summary>
public sealed class AppAlertStatusCountsTests
{
    [Fact]
    public void Rule_and_synced_counts_follow_the_spec_and_the_per_rule_status()
    {
        var alert = new V1Alpha1AppAlert
        {
            Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "app", Generation = 3 },
            Spec = new AppAlertSpec { Rules = [new AlertRule { Name = "one" }, new AlertRule { Name = "two" }, new AlertRule { Name = "three" }] },
        };
        IList<AlertRuleStatus> rules =
        [
            new() { Name = "one", Synced = true },
            new() { Name = "two", Synced = false },
            new() { Name = "three", Synced = true },
        ];

        new AppAlertStatusReport(false, "Drifted", "m", false, "Drifted", null, rules).ApplyTo(alert);

        alert.Status!.RuleCount.ShouldBe(3);
        alert.Status.SyncedCount.ShouldBe(2);
    }

    [Fact]
    public void Waiting_keeps_the_last_rule_states_and_recounts_them()
    {
        var alert = new V1Alpha1AppAlert
        {
            Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "app", Generation = 1 },
            Spec = new AppAlertSpec { Rules = [new AlertRule { Name = "one" }] },
            Status = new AppAlertStatus { Rules = [new AlertRuleStatus { Name = "one", Synced = true }] },
        };

        AppAlertStatusReport.Waiting("StackNotReady", "stack is not ready").ApplyTo(alert);

        alert.Status.RuleCount.ShouldBe(1);
        alert.Status.SyncedCount.ShouldBe(1);
    }
}
