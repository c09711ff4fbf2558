using k8s.Models;
using MetricsOperator.Runtime.Cache;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Tests.Unit;

public class OwnWritesTests
{
    private static readonly ObjectKey Key = new("ns", "cm");

    private static V1ConfigMap At(long resourceVersion, string value) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = Key.Name, NamespaceProperty = Key.Namespace, ResourceVersion = resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Data = new Dictionary<string, string> { ["v"] = value },
    };

    [Fact]
    public void Without_a_write_the_cache_answers()
    {
        var own = new OwnWrites();
        var cached = At(5, "cached");
        own.Newest(Key, cached).ShouldBeSameAs(cached);
        own.Newest<V1ConfigMap>(Key, null).ShouldBeNull();
    }

    [Fact]
    public void A_write_newer_than_the_cache_answers_until_the_cache_holds_it()
    {
        var own = new OwnWrites();
        own.Record(At(7, "written"));
        own.Newest(Key, At(5, "stale"))!.Data["v"].ShouldBe("written");
        own.Pending.ShouldBe(1);

        // The cache caught up (or passed it: someone else wrote after us): the cache is the truth again.
        own.Newest(Key, At(7, "cached"))!.Data["v"].ShouldBe("cached");
        own.Pending.ShouldBe(0);
        own.Newest(Key, At(5, "stale"))!.Data["v"].ShouldBe("stale", "once forgotten, the write does not come back");
    }

    [Fact]
    public void A_write_is_kept_as_a_copy_and_the_newer_of_two_writes_wins_whatever_order_they_are_recorded_in()
    {
        var own = new OwnWrites();
        var returned = At(9, "second");
        own.Record(returned);
        own.Record(At(8, "first"));
        returned.Data["v"] = "changed by the caller afterwards";
        own.Newest(Key, At(5, "stale"))!.Data["v"].ShouldBe("second");
    }

    [Fact]
    public void The_informers_events_forget_a_write_once_the_cache_is_as_new_or_the_object_is_gone()
    {
        var own = new OwnWrites();
        own.Record(At(7, "written"));
        own.Seen(new InformerEvent<V1ConfigMap>(InformerEventType.Updated, At(6, "older event"), null));
        own.Pending.ShouldBe(1, "an event older than the write leaves it");
        own.Seen(new InformerEvent<V1ConfigMap>(InformerEventType.Updated, At(7, "our write arrives"), null));
        own.Pending.ShouldBe(0);

        own.Record(At(9, "written"));
        own.Seen(new InformerEvent<V1ConfigMap>(InformerEventType.Deleted, At(8, "last known before the deletion"), null));
        own.Pending.ShouldBe(0, "a deletion is newer than any write");

        own.Record(At(11, "written"));
        own.Newest<V1ConfigMap>(Key, null).ShouldBeNull("the cache no longer has it: gone");
        own.Pending.ShouldBe(0);

        // The watch event came in before the write's response was recorded: the client tells it what the cache holds.
        own.Record(At(13, "written"));
        own.CaughtUp(At(12, "older"));
        own.Pending.ShouldBe(1);
        own.CaughtUp(At(13, "already cached"));
        own.Pending.ShouldBe(0);
    }

    [Fact]
    public void Kinds_and_objects_are_kept_apart_and_an_object_without_a_numeric_version_is_not_kept()
    {
        var own = new OwnWrites();
        own.Record(At(7, "written"));
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = Key.Name, NamespaceProperty = Key.Namespace, ResourceVersion = "1" } };
        own.Newest(Key, secret).ShouldBeSameAs(secret);
        var other = At(1, "other");
        other.Metadata.Name = "other";
        own.Newest(new ObjectKey("ns", "other"), other).ShouldBeSameAs(other);

        var unversioned = At(1, "x");
        unversioned.Metadata.ResourceVersion = "not-a-number";
        var fresh = new OwnWrites();
        fresh.Record(unversioned);
        fresh.Pending.ShouldBe(0);
    }
}
