using k8s.Models;
using MetricsOperator.Runtime.Conditions;

namespace MetricsOperator.Runtime.Tests.Unit;

public class ConditionSetTests
{
    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_new_condition_is_a_transition_with_the_current_time_and_generation()
    {
        var time = new ManualTime(new DateTimeOffset(2025, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));
        var conditions = new List<V1Condition>();

        ConditionSet.Set(conditions, "Ready", true, "Reconciled", "All good", 3, time).ShouldBe(ConditionChange.Transitioned);

        var ready = conditions.ShouldHaveSingleItem();
        ready.Status.ShouldBe("True");
        ready.ObservedGeneration.ShouldBe(3);
        ready.LastTransitionTime.ShouldBe(new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc), "metav1.Time has second precision");
    }

    [Fact]
    public void LastTransitionTime_moves_only_when_the_status_flips()
    {
        var time = new ManualTime(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var conditions = new List<V1Condition>();
        ConditionSet.Set(conditions, "Ready", false, "Progressing", "Waiting", 1, time);
        var first = conditions[0].LastTransitionTime;

        time.Now = time.Now.AddMinutes(1);
        ConditionSet.Set(conditions, "Ready", false, "Progressing", "Still waiting", 2, time).ShouldBe(ConditionChange.Updated);
        conditions[0].LastTransitionTime.ShouldBe(first);
        conditions[0].ObservedGeneration.ShouldBe(2);
        conditions[0].Message.ShouldBe("Still waiting");

        time.Now = time.Now.AddMinutes(1);
        ConditionSet.Set(conditions, "Ready", false, "Progressing", "Still waiting", 2, time).ShouldBe(ConditionChange.Unchanged);
        conditions[0].LastTransitionTime.ShouldBe(first);

        time.Now = time.Now.AddMinutes(1);
        ConditionSet.Set(conditions, "Ready", true, "Reconciled", "Done", 2, time).ShouldBe(ConditionChange.Transitioned);
        conditions[0].LastTransitionTime.ShouldBe(time.Now.UtcDateTime);
        conditions.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("Reconciled", true)]
    [InlineData("InvalidSpec", true)]
    [InlineData("Ready2", true)]
    [InlineData("invalidSpec", false)]
    [InlineData("Invalid Spec", false)]
    [InlineData("Invalid_Spec", false)]
    [InlineData("", false)]
    public void Reasons_must_be_CamelCase(string reason, bool valid)
    {
        ConditionSet.IsValidReason(reason).ShouldBe(valid);
        var conditions = new List<V1Condition>();
        if (valid)
        {
            ConditionSet.Set(conditions, "Ready", true, reason, "m", 1);
        }
        else
        {
            Should.Throw<ArgumentException>(() => ConditionSet.Set(conditions, "Ready", true, reason, "m", 1));
        }
    }

    [Fact]
    public void Status_must_be_True_False_or_Unknown()
    {
        Should.Throw<ArgumentException>(() => ConditionSet.Set(new List<V1Condition>(), "Ready", "Yes", "Reconciled", "m", 1));
        ConditionSet.Set(new List<V1Condition>(), "Ready", ConditionSet.Unknown, "Pending", "m", 1).ShouldBe(ConditionChange.Transitioned);
    }

    [Fact]
    public void Find_IsTrue_and_Remove()
    {
        var conditions = new List<V1Condition>();
        ConditionSet.Set(conditions, "Ready", true, "Reconciled", "m", 1);
        ConditionSet.Set(conditions, "Synced", false, "Failed", "m", 1);
        ConditionSet.IsTrue(conditions, "Ready").ShouldBeTrue();
        ConditionSet.IsTrue(conditions, "Synced").ShouldBeFalse();
        ConditionSet.Find(conditions, "Missing").ShouldBeNull();
        ConditionSet.Remove(conditions, "Synced").ShouldBeTrue();
        conditions.Count.ShouldBe(1);
    }

    [Fact]
    public void A_message_is_stored_redacted_and_setting_it_again_changes_nothing()
    {
        var conditions = new List<V1Condition>();
        const string Quoted = "InfluxDB answered 401: token=s3cr3tTok3nValue rejected";

        ConditionSet.Set(conditions, "Ready", false, "Rejected", Quoted, 1);

        conditions[0].Message.ShouldNotContain("s3cr3tTok3nValue");
        conditions[0].Message.ShouldContain(MetricsOperator.Runtime.Events.Redactor.Mask);
        ConditionSet.Set(conditions, "Ready", false, "Rejected", Quoted, 1).ShouldBe(ConditionChange.Unchanged);
    }
}
