using k8s.Models;
using MetricsOperator.Runtime.Controller;

namespace MetricsOperator.Runtime.Tests.Unit;

public class UpdateFiltersTests
{
    private static V1ConfigMap Object(long generation = 1, string? finalizer = null, string? label = null, DateTime? deleted = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "o",
            Generation = generation,
            Finalizers = finalizer is null ? null : [finalizer],
            Labels = label is null ? null : new Dictionary<string, string> { ["l"] = label },
            DeletionTimestamp = deleted,
            ResourceVersion = "1",
        },
    };

    [Fact]
    public void A_status_only_update_does_not_matter()
    {
        var after = Object();
        after.Metadata.ResourceVersion = "2";
        after.Data = new Dictionary<string, string> { ["status"] = "changed" };

        UpdateFilters.SpecOrMetadataChanged(Object(), after).ShouldBeFalse();
        UpdateFilters.SpecOrMetadataChanged(Object(label: "x"), Object(label: "x")).ShouldBeFalse();
    }

    [Fact]
    public void Generation_deletion_a_finalizer_taken_off_and_labels_matter()
    {
        UpdateFilters.SpecOrMetadataChanged(Object(), Object(generation: 2)).ShouldBeTrue();
        UpdateFilters.SpecOrMetadataChanged(Object(), Object(deleted: DateTime.UtcNow)).ShouldBeTrue();
        UpdateFilters.SpecOrMetadataChanged(Object(finalizer: "f"), Object()).ShouldBeTrue();
        UpdateFilters.SpecOrMetadataChanged(Object(label: "x"), Object(label: "y")).ShouldBeTrue();
    }

    [Fact]
    public void A_finalizer_put_on_does_not_matter_one_taken_off_or_swapped_does()
    {
        UpdateFilters.SpecOrMetadataChanged(Object(), Object(finalizer: "f")).ShouldBeFalse("the runtime puts its own on in the reconcile that goes on");
        UpdateFilters.SpecOrMetadataChanged(Object(finalizer: "f"), Object(finalizer: "g")).ShouldBeTrue("f was taken off");
    }
}
