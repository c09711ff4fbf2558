using System.Reflection;
using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Crds.Schema;
using MetricsOperator.Stacks;

namespace MetricsOperator.Tests.Stacks;

public class DefaultedStackTests
{
    // Each API section the view covers, and the view that reads it.
    public static TheoryData<Type, Type> Sections => new()
    {
        { typeof(InfluxDbSpec), typeof(DefaultedInfluxDb) },
        { typeof(StorageSpec), typeof(DefaultedStorage) },
        { typeof(TelegrafSpec), typeof(DefaultedTelegraf) },
        { typeof(WriteAccessSpec), typeof(DefaultedWriteAccess) },
        { typeof(DiskBufferSpec), typeof(DefaultedDiskBuffer) },
        { typeof(TelegrafAgentSpec), typeof(DefaultedTelegrafAgent) },
        { typeof(InternalMetricsSpec), typeof(DefaultedInternalMetrics) },
        { typeof(GrafanaSpec), typeof(DefaultedGrafana) },
        { typeof(GrafanaDatasourcesSpec), typeof(DefaultedDatasources) },
        { typeof(DashboardCacheSpec), typeof(DefaultedDashboardCache) },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void Every_field_with_a_schema_default_is_a_plain_value_of_its_view(Type section, Type view)
    {
        // A default added to an API type must show up here as a value that cannot be null, or builders go back to `!`.
        var nullability = new NullabilityInfoContext();
        var defaulted = section.GetProperties()
            .Where(p => p.GetCustomAttribute<DefaultAttribute>() is not null || p.GetCustomAttribute<DefaultEmptyObjectAttribute>() is not null)
            .ToList();
        defaulted.ShouldNotBeEmpty();
        foreach (var field in defaulted)
        {
            var read = view.GetProperty(field.Name);
            read.ShouldNotBeNull($"{view.Name} has no {field.Name}, which {section.Name} defaults");
            if (read.PropertyType.IsValueType)
            {
                Nullable.GetUnderlyingType(read.PropertyType).ShouldBeNull($"{view.Name}.{field.Name} is a nullable value");
            }
            else
            {
                nullability.Create(read).ReadState.ShouldBe(NullabilityState.NotNull, $"{view.Name}.{field.Name} may be null");
            }
        }
    }

    [Fact]
    public void An_empty_spec_reads_as_the_schema_defaults()
    {
        var stack = DefaultedStack.Of(Stacks.MinimalSample());

        stack.InfluxDb.Organization.ShouldBe("rubin");
        stack.InfluxDb.Bucket.ShouldBe("metrics");
        stack.InfluxDb.Retention.ShouldBe("0s");
        stack.InfluxDb.DeletionPolicy.ShouldBe(DeletionPolicy.Retain);
        stack.InfluxDb.Storage.Size.ShouldBe(new ResourceQuantity("100Gi"));
        stack.InfluxDb.Storage.WarnAtPercent.ShouldBe(80);
        stack.Telegraf.ListenerPort.ShouldBe(8186);
        stack.Telegraf.Replicas.ShouldBe(1);
        stack.Telegraf.WriteAccess.RequireToken.ShouldBeTrue();
        stack.Telegraf.DiskBuffer.Enabled.ShouldBeFalse();
        stack.Telegraf.Agent.MetricBatchSize.ShouldBe(5000);
        stack.Telegraf.InternalMetrics.MeasurementPrefix.ShouldBe("telegraf_");
        stack.Grafana.Mode.ShouldBe(GrafanaMode.Managed);
        stack.Grafana.IsManaged.ShouldBeTrue();
        stack.Grafana.Datasources.InfluxQL.ShouldBeTrue();
        stack.Grafana.Datasources.Flux.ShouldBeTrue();
        stack.Telegraf.Kafka.ShouldBeNull("an optional section without a default stays out, as the API server leaves it");
        stack.Backup.ShouldBeNull();
    }

    [Fact]
    public void A_left_out_cache_reads_as_its_defaults_which_are_off()
    {
        var stack = DefaultedStack.Of(Stacks.MinimalSample());

        stack.Spec.Grafana!.Cache.ShouldBeNull("the spec is not given a cache section");
        stack.Grafana.Cache.Enabled.ShouldBeFalse();
        stack.Grafana.Cache.Kind.ShouldBe(DashboardCacheKind.Memory);
        stack.Grafana.Cache.Size.ShouldBe(new ResourceQuantity("256Mi"));
        stack.Grafana.Cache.MaxPointsPerQuery.ShouldBe(2048);
        stack.Grafana.Cache.UsesClaim.ShouldBeFalse();
    }

    [Fact]
    public void Given_values_are_read_as_given_and_the_callers_stack_is_left_alone()
    {
        var given = Stacks.MinimalSampleWith(spec =>
        {
            spec.InfluxDb = new InfluxDbSpec { Bucket = "apps", Storage = new StorageSpec { Size = new ResourceQuantity("5Gi") } };
            spec.Telegraf = new TelegrafSpec { ListenerPort = 9000, WriteAccess = new WriteAccessSpec { RequireToken = false } };
            spec.Grafana = new GrafanaSpec { Cache = new DashboardCacheSpec { Enabled = true, Kind = DashboardCacheKind.Bbolt } };
        });

        var stack = DefaultedStack.Of(given);

        stack.InfluxDb.Bucket.ShouldBe("apps");
        stack.InfluxDb.Organization.ShouldBe("rubin");
        stack.InfluxDb.Storage.Size.ShouldBe(new ResourceQuantity("5Gi"));
        stack.Telegraf.ListenerPort.ShouldBe(9000);
        stack.Telegraf.WriteAccess.RequireToken.ShouldBeFalse();
        stack.Grafana.Cache.Enabled.ShouldBeTrue();
        stack.Grafana.Cache.UsesClaim.ShouldBeTrue();
        stack.Resource.ShouldNotBeSameAs(given);
        given.Spec.InfluxDb!.Organization.ShouldBeNull("defaulting works on a copy");
        given.Spec.Grafana!.Cache!.Size.ShouldBeNull();
    }

    [Fact]
    public void The_stack_converts_to_its_defaulted_copy_for_what_reads_only_metadata()
    {
        var stack = DefaultedStack.Of(Stacks.MinimalSample());

        V1Alpha1MetricsStack resource = stack;

        resource.ShouldBeSameAs(stack.Resource);
        resource.Metadata.ShouldBeSameAs(stack.Metadata);
        resource.Spec.InfluxDb!.Organization.ShouldBe("rubin");
    }

    [Fact]
    public void A_section_that_skipped_defaulting_is_refused_naming_the_field()
    {
        var error = Should.Throw<InvalidOperationException>(() => new DefaultedInfluxDb(new InfluxDbSpec { Image = "influxdb:2" }));

        error.Message.ShouldStartWith("spec.influxdb.organization ");
    }
}
