using k8s.Models;
using MetricsOperator.Runtime.Conditions;

namespace MetricsOperator.Runtime.Tests.Unit;

public class WrittenConditionsTests
{
    private static V1Condition Condition(string status, string reason, string message) =>
        new() { Type = "Ready", Status = status, Reason = reason, Message = message };

    [Fact]
    public void Without_a_write_the_cached_condition_is_the_answer()
    {
        var written = new WrittenConditions();
        written.Before("uid-1", "Ready", null).ShouldBeNull();
        written.Before("uid-1", "Ready", Condition("True", "Synced", "ok")).ShouldBe(new WrittenConditions.Written("True", "Synced", "ok"));
    }

    [Fact]
    public void A_write_the_cache_does_not_show_yet_is_the_answer_until_it_does()
    {
        var written = new WrittenConditions();
        var stale = Condition("True", "Synced", "ok");
        written.Remember("uid-1", "Ready", "False", "DuplicateRuleTitle", "taken");

        // The reconcile's copy predates the write: the write is what the API server holds.
        written.Before("uid-1", "Ready", stale).ShouldBe(new WrittenConditions.Written("False", "DuplicateRuleTitle", "taken"));
        written.Before("uid-1", "Ready", null).ShouldBe(new WrittenConditions.Written("False", "DuplicateRuleTitle", "taken"));
        written.Pending.ShouldBe(1);

        // The cache caught up: the entry goes, and from then on the cache answers (a later change by anyone shows there).
        written.Before("uid-1", "Ready", Condition("False", "DuplicateRuleTitle", "taken")).ShouldBe(new WrittenConditions.Written("False", "DuplicateRuleTitle", "taken"));
        written.Pending.ShouldBe(0);
        written.Before("uid-1", "Ready", Condition("True", "Synced", "ok again")).ShouldBe(new WrittenConditions.Written("True", "Synced", "ok again"));
    }

    [Fact]
    public void Objects_and_condition_types_are_kept_apart_and_an_object_without_a_uid_is_not_remembered()
    {
        var written = new WrittenConditions();
        written.Remember("uid-1", "Ready", "False", "A", "a");
        written.Remember(null, "Ready", "False", "B", "b");
        written.Remember("", "Ready", "False", "B", "b");

        written.Before("uid-2", "Ready", null).ShouldBeNull();
        written.Before("uid-1", "Synced", null).ShouldBeNull();
        written.Before(null, "Ready", null).ShouldBeNull();
        written.Pending.ShouldBe(1);
    }
}
