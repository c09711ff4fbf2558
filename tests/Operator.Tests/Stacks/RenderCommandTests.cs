using System.CommandLine;
using MetricsOperator.Cli;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public class RenderCommandTests
{
    [Theory]
    [MemberData(nameof(GoldenFiles.Inputs), MemberType = typeof(GoldenFiles))]
    public async Task Render_prints_the_golden_stream_for_a_file(string name, string input)
    {
        var (exitCode, output, error) = await RunAsync("render", "-f", input, "-n", Stacks.Namespace);

        exitCode.ShouldBe(0, error);
        // Nothing on standard error but the note of what only a cluster can check (the Secrets a stack names).
        var (stacks, _) = StackManifests.Read(new StringReader(await File.ReadAllTextAsync(input)));
        error.ShouldBe(string.Concat(stacks.Select(stack =>
        {
            stack.Metadata.NamespaceProperty ??= Stacks.Namespace;
            return RenderCommand.NotChecked(stack) is { } note ? note + Environment.NewLine : "";
        })));
        if (!GoldenFiles.Updating)
        {
            output.ShouldBe(File.ReadAllText(GoldenFiles.PathOf(name)));
        }
    }

    [Fact]
    public async Task Render_skips_other_kinds_with_a_note_and_fails_without_any_MetricsStack()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");

            var (exitCode, output, error) = await RunAsync("render", "-f", file);

            exitCode.ShouldBe(1);
            output.ShouldBeEmpty();
            error.ShouldContain("v1/ConfigMap");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_operator_namespace_flag_reaches_the_InfluxDB_policy()
    {
        var input = (string)GoldenFiles.Inputs().First()[1];

        var (_, output, _) = await RunAsync("render", "-f", input, "--operator-namespace", "ops-ns");

        output.ShouldContain("kubernetes.io/metadata.name: ops-ns");
    }

    [Fact]
    public async Task An_invalid_spec_fails_listing_every_field_error_and_renders_nothing()
    {
        const string yaml = """
            apiVersion: metrics.lsst.io/v1alpha1
            kind: MetricsStack
            metadata:
              name: broken
            spec:
              influxdb:
                buckt: metrics
              telegraf:
                replicas: two
              grafana:
                mode: foo
            ---
            apiVersion: metrics.lsst.io/v1alpha1
            kind: MetricsStack
            metadata:
              name: short
              namespace: other
            spec:
              influxdb:
                retention: 30m
            ---
            apiVersion: metrics.lsst.io/v1alpha1
            kind: AppAlert
            metadata:
              name: alerts
            spec:
              rules:
                - name: r
                  severity: urgent
            """;

        var (exitCode, output, error) = await RunOnFileAsync(yaml, "-n", "metrics");

        exitCode.ShouldNotBe(0);
        output.ShouldBeEmpty("an invalid file renders nothing, as the operator would apply nothing");
        var lines = error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldContain("MetricsStack metrics/broken is invalid:");
        lines.ShouldContain("  unknown field \"spec.influxdb.buckt\"");
        lines.ShouldContain("  spec.telegraf.replicas: must be an integer");
        lines.ShouldContain("  spec.grafana.mode: \"foo\" is not one of managed, external");
        lines.ShouldContain("MetricsStack other/short is invalid:");
        lines.ShouldContain(line => line.StartsWith("  spec.influxdb.retention: 30m is shorter than 1h", StringComparison.Ordinal), "the reconciler's own checks run too");
        lines.ShouldContain("AppAlert metrics/alerts is invalid:");
        lines.ShouldContain(line => line.StartsWith("  spec.rules[0].severity: \"urgent\" is not one of ", StringComparison.Ordinal));
        lines.ShouldNotContain(line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal), "no stack trace");
    }

    [Fact]
    public async Task Bad_Kafka_values_are_refused_with_the_field_path_and_the_allowed_values_never_a_stack_trace()
    {
        const string yaml = """
            apiVersion: metrics.lsst.io/v1alpha1
            kind: MetricsStack
            metadata:
              name: kafka
            spec:
              telegraf:
                kafka:
                  brokers: [kafka:9092]
                  sasl:
                    mechanism: GSSAPI
                    username: telegraf
                    secret: {name: telegraf}
                  consumers:
                    - name: app
                      topics: [t]
                      dataFormat: protobuf
                    - name: other
                      topics: [u]
                      dataFormat: avro
                      avro: {unionMode: sometimes}
            ---
            apiVersion: metrics.lsst.io/v1alpha1
            kind: MetricsStack
            metadata:
              name: semantic
            spec:
              telegraf:
                kafka:
                  brokers: [kafka:9092]
                  consumers:
                    - name: app
                      topics: [t]
                      dataFormat: json_v2
                    - name: registry
                      topics: [u]
                      dataFormat: avro
            """;

        var (exitCode, output, error) = await RunOnFileAsync(yaml, "-n", "metrics");

        exitCode.ShouldBe(1);
        output.ShouldBeEmpty();
        var lines = error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldContain("  spec.telegraf.kafka.consumers[0].dataFormat: \"protobuf\" is not one of avro, json, json_v2, influx");
        lines.ShouldContain("  spec.telegraf.kafka.sasl.mechanism: \"GSSAPI\" is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512");
        lines.ShouldContain("  spec.telegraf.kafka.consumers[1].avro.unionMode: \"sometimes\" is not one of flatten, nullable, any");
        lines.ShouldContain(line => line.StartsWith("  spec.telegraf.kafka.consumers[0].jsonV2: at least one table is required with dataFormat json_v2", StringComparison.Ordinal));
        lines.ShouldContain(line => line.StartsWith("  spec.telegraf.kafka.consumers[1].dataFormat: avro needs spec.telegraf.kafka.schemaRegistry", StringComparison.Ordinal));
        error.ShouldNotContain("Exception");
        lines.ShouldNotContain(line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal), "no stack trace");
    }

    [Fact]
    public async Task A_valid_stack_naming_secrets_says_they_were_not_checked()
    {
        var (exitCode, output, error) = await RunOnFileAsync("""
            apiVersion: metrics.lsst.io/v1alpha1
            kind: MetricsStack
            metadata:
              name: m
            spec:
              environment: summit
              grafana:
                mode: external
                url: https://grafana.example.org
                credentialsSecret: {name: grafana-creds}
            """, "-n", "metrics");

        exitCode.ShouldBe(0, error);
        output.ShouldNotBeEmpty();
        error.ShouldContain("Not checked without a cluster: that MetricsStack metrics/m finds these Secrets in its namespace: grafana-creds (spec.grafana.credentialsSecret).");
    }

    [Fact]
    public async Task A_file_that_is_not_yaml_is_named_without_a_stack_trace()
    {
        var (exitCode, output, error) = await RunOnFileAsync("spec: [unclosed\n  - x: {");

        exitCode.ShouldNotBe(0);
        output.ShouldBeEmpty();
        error.ShouldNotContain(" at ");
        error.ShouldNotBeEmpty();
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunOnFileAsync(string yaml, params string[] args)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, yaml);
            return await RunAsync(["render", "-f", file, .. args]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { Subcommands = { RenderCommand.Create() } };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
