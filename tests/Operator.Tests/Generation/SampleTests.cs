using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MetricsOperator.Crds;
using MetricsOperator.TestSupport;

using MetricsOperator.Stacks;
using MetricsOperator.Validation;

namespace MetricsOperator.Tests.Generation;

/// <summary>Every sample in config/samples is valid against the generated schema and reads into the C# types with no field left over.</summary>
public sealed class SampleTests
{
    private static readonly JsonSerializerOptions Strict = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static TheoryData<string> Samples() => [.. SampleFiles()];

    private static IEnumerable<string> SampleFiles() =>
        Directory.GetFiles(RepoPaths.InRepo("config", "samples"), "*.yaml").Select(Path.GetFileName).OfType<string>().Order();

    [Fact]
    public void There_are_a_full_and_a_minimal_stack_and_two_alerts()
    {
        var kinds = SampleFiles().Select(file => Load(file)["kind"]!.GetValue<string>()).ToList();

        kinds.Count(kind => kind == "MetricsStack").ShouldBe(2);
        kinds.Count(kind => kind == "AppAlert").ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_is_valid_against_the_generated_schema(string file)
    {
        var sample = Load(file);

        SchemaValidator.Validate(sample, Generated.Schema(sample["kind"]!.GetValue<string>())).ShouldBeEmpty(file);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_reads_into_the_api_types_with_no_unknown_field(string file)
    {
        var sample = Load(file);
        var json = sample.ToJsonString();

        object? read = sample["kind"]!.GetValue<string>() switch
        {
            "MetricsStack" => JsonSerializer.Deserialize<V1Alpha1MetricsStack>(json, Strict),
            "AppAlert" => JsonSerializer.Deserialize<V1Alpha1AppAlert>(json, Strict),
            var other => throw new ShouldAssertException($"{file}: unknown kind {other}"),
        };

        read.ShouldNotBeNull();
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Samples_name_no_namespace_so_they_apply_anywhere(string file) =>
        Load(file)["metadata"]!.AsObject().ContainsKey("namespace").ShouldBeFalse(file);

    [Fact]
    public void The_full_stack_sample_fills_in_every_section()
    {
        var spec = Load("metrics.lsst.io_v1alpha1_metricsstack.yaml")["spec"]!;
        var stack = JsonSerializer.Deserialize<MetricsStackSpec>(spec.ToJsonString(), Strict)!;

        stack.InfluxDb!.ExistingAdminSecret.ShouldNotBeNull();
        stack.InfluxDb.Storage!.Size!.ToString().ShouldBe("200Gi");
        stack.Telegraf!.Kafka!.Sasl!.Mechanism.ShouldBe(SaslMechanism.ScramSha512);
        stack.Telegraf.Kafka.Tls.ShouldNotBeNull();
        stack.Telegraf.DiskBuffer!.Enabled.ShouldBe(true);
        stack.Grafana!.ContactPoints!.Select(point => point.Type).ShouldBe([ContactPointType.Slack, ContactPointType.Email, ContactPointType.Webhook]);
        stack.Backup!.Grafana!.Destination.S3.ShouldNotBeNull();
        stack.Backup.InfluxDb!.Destination.Pvc.ShouldNotBeNull();
    }

    [Fact]
    public void The_alert_samples_use_both_query_languages()
    {
        var languages = new[] { "gafaelfawr", "mobu" }
            .Select(app => JsonSerializer.Deserialize<V1Alpha1AppAlert>(Load($"metrics.lsst.io_v1alpha1_appalert_{app}.yaml").ToJsonString(), Strict)!)
            .Select(alert => alert.Spec.Rules.SelectMany(rule => rule.Query is { } query ? [query.Language] : rule.Queries!.Select(q => q.Language)).Distinct().Order().ToList());

        languages.ShouldBe([[QueryLanguage.InfluxQL], [QueryLanguage.InfluxQL, QueryLanguage.Flux]]);
    }

    [Fact]
    public void The_checks_catch_an_unknown_field_and_a_bad_enum()
    {
        var sample = Load("metrics.lsst.io_v1alpha1_appalert_gafaelfawr.yaml");
        sample["spec"]!["rules"]![0]!["severty"] = "critical";
        sample["spec"]!["rules"]![1]!["severity"] = "urgent";

        var errors = SchemaValidator.Validate(sample, Generated.Schema("AppAlert"));

        errors.ShouldContain(new FieldError("spec.rules[0].severty", SchemaValidator.UnknownField));
        errors.ShouldContain(error => error.Field == "spec.rules[1].severity" && error.Message.StartsWith("\"urgent\" is not one of", StringComparison.Ordinal));
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<V1Alpha1AppAlert>(sample.ToJsonString(), Strict));
    }

    private static JsonNode Load(string file) => YamlToJson.Parse(File.ReadAllText(RepoPaths.InRepo("config", "samples", file)))!;
}
