using System.Text.Json.Nodes;
using MetricsOperator.Alerts;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Tests.Backup;

/// <summary>What <see cref="EnvironmentScope"/> counts as an environment's in a shared Grafana (pure).</summary>
public sealed class EnvironmentScopeTests
{
    private static readonly JsonObject Tree = JsonNode.Parse("""
        {"receiver":"grafana-default-email","group_by":["alertname"],"provenance":"api","routes":[
          {"receiver":"idf-dev_slack","object_matchers":[["environment","=","idf-dev"]]},
          {"receiver":"team-pager","object_matchers":[["team","=","ops"]]},
          {"receiver":"idf_slack","object_matchers":[["environment","=","idf"]],"routes":[{"receiver":"idf_email","object_matchers":[["team","=","sqre"]]}]}
        ]}
        """)!.AsObject();

    [Fact]
    public void Names_of_an_environment_whose_name_extends_another_are_not_the_shorter_ones()
    {
        var idf = EnvironmentScope.Of("idf");
        idf.OwnsName("idf_slack").ShouldBeTrue();
        idf.OwnsName("idf_dev-slack").ShouldBeTrue("idf's contact point dev-slack");
        idf.OwnsName("idf-dev_slack").ShouldBeFalse("idf-dev's: the first _ ends the environment, with no other environment known");
        idf.OwnsName("team-pager").ShouldBeFalse();
        idf.OwnsName("idf").ShouldBeFalse();
        EnvironmentScope.Of("idf-dev").OwnsName("idf-dev_slack").ShouldBeTrue();
        EnvironmentScope.Of("idf-dev").OwnsName("idf_dev-slack").ShouldBeFalse();
    }

    [Fact]
    public void Folders_are_recognised_by_title_and_the_uid_the_operator_gives_even_when_cut_and_hashed()
    {
        var environment = new string('e', 40);
        var uid = AlertNames.FolderUid("gafaelfawr", environment);
        uid.Length.ShouldBe(AlertNames.MaxUidLength, "long enough to be cut and hashed");
        EnvironmentScope.Of(environment).OwnsFolder(uid, $"gafaelfawr ({environment})").ShouldBeTrue();
        EnvironmentScope.Of("idfdev").OwnsFolder("app-idfdev_gafaelfawr", "gafaelfawr (idfdev)").ShouldBeTrue();
        EnvironmentScope.Of("idfdev").OwnsFolder("app-idfdev_gafaelfawr", "gafaelfawr").ShouldBeFalse("a title without the environment is not the operator's");
        EnvironmentScope.Of("idfdev").OwnsFolder("team-folder", "Dashboards (idfdev)").ShouldBeFalse("someone's folder with a look-alike title");
        EnvironmentScope.Of("idfdev").OwnsFolder("app-idfprod_gafaelfawr", "gafaelfawr (idfprod)").ShouldBeFalse();
        EnvironmentScope.Of("idfdev").OwnsDatasource("influxdb-influxql-idfdev").ShouldBeTrue();
        EnvironmentScope.Of("idfdev").OwnsDatasource("influxdb-flux-idfdev").ShouldBeTrue();
        EnvironmentScope.Of("idfdev").OwnsDatasource("influxdb-influxql-idfprod").ShouldBeFalse();
        EnvironmentScope.Of("idfdev").OwnsDatasource("influxdb-influxql").ShouldBeFalse("a managed Grafana's own");
    }

    [Fact]
    public void A_subtree_is_put_in_place_of_the_environments_route_and_everything_else_is_kept_as_stored()
    {
        var idf = EnvironmentScope.Of("idf");
        var subtree = JsonNode.Parse("""{"receiver":"idf_pager","object_matchers":[["environment","=","idf"]]}""")!.AsObject();

        var merged = idf.WithSubtree(Tree, subtree);

        var expected = Tree.DeepClone().AsObject();
        expected["routes"]![2] = subtree.DeepClone();
        CanonicalJson.Text(merged).ShouldBe(CanonicalJson.Text(expected));
        CanonicalJson.Text(idf.Subtree(merged)).ShouldBe(CanonicalJson.Text(subtree));

        var none = EnvironmentScope.Of("idfprod").WithSubtree(Tree, JsonNode.Parse("""{"receiver":"idfprod_slack","object_matchers":[["environment","=","idfprod"]]}""")!.AsObject());
        ((string?)none["routes"]![0]!["receiver"]).ShouldBe("idfprod_slack", "a missing subtree goes first, before any catch-all route");
        ((JsonArray)none["routes"]!).Count.ShouldBe(4);
        ((string?)none["provenance"]).ShouldBe("api");
    }
}
