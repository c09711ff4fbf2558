using k8s.Models;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Runtime.Reconcile;

namespace MetricsOperator.Runtime.Tests.Unit;

public class OwnerMappingTests
{
    private static readonly ResourceType Widget = new("runtime.test.metrics.lsst.io", "v1", "Widget", "widgets");

    private static V1ConfigMap Child(params V1OwnerReference[] references) => new()
    {
        Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = "team", OwnerReferences = references },
    };

    [Fact]
    public void The_controller_reference_of_the_owner_kind_maps_to_the_owner_key_in_the_child_namespace()
    {
        var child = Child(
            new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "d", Uid = "1", Controller = false },
            new V1OwnerReference { ApiVersion = "runtime.test.metrics.lsst.io/v1alpha9", Kind = "Widget", Name = "w", Uid = "2", Controller = true });
        OwnerMapping.ControllerKey(child, Widget).ShouldBe(new ObjectKey("team", "w"));
    }

    [Fact]
    public void Non_controller_references_other_kinds_and_other_groups_map_to_nothing()
    {
        OwnerMapping.ControllerKey(Child(), Widget).ShouldBeNull();
        OwnerMapping.ControllerKey(Child(new V1OwnerReference { ApiVersion = "runtime.test.metrics.lsst.io/v1", Kind = "Widget", Name = "w", Uid = "2" }), Widget).ShouldBeNull();
        OwnerMapping.ControllerKey(Child(new V1OwnerReference { ApiVersion = "other.io/v1", Kind = "Widget", Name = "w", Uid = "2", Controller = true }), Widget).ShouldBeNull();
        OwnerMapping.ControllerKey(Child(new V1OwnerReference { ApiVersion = "runtime.test.metrics.lsst.io/v1", Kind = "Gadget", Name = "w", Uid = "2", Controller = true }), Widget).ShouldBeNull();
    }

    [Fact]
    public void Keys_print_and_parse_like_client_go()
    {
        new ObjectKey("ns", "n").ToString().ShouldBe("ns/n");
        new ObjectKey("", "cluster").ToString().ShouldBe("cluster");
        ObjectKey.Parse("ns/n").ShouldBe(new ObjectKey("ns", "n"));
        ObjectKey.Parse("cluster").ShouldBe(new ObjectKey("", "cluster"));
    }

    [Fact]
    public void Resource_paths_follow_the_API_layout()
    {
        ResourceType.For<V1ConfigMap>().ObjectPath("ns", "x").ShouldBe("api/v1/namespaces/ns/configmaps/x");
        ResourceType.For<V1Lease>().CollectionPath(null).ShouldBe("apis/coordination.k8s.io/v1/leases");
        ResourceType.For<V1Namespace>().ObjectPath("ignored", "x").ShouldBe("api/v1/namespaces/x");
        Widget.CollectionPath("ns").ShouldBe("apis/runtime.test.metrics.lsst.io/v1/namespaces/ns/widgets");
    }
}
