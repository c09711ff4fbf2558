using MetricsOperator.Crds;
using MetricsOperator.Stacks.Storage;

namespace MetricsOperator.Tests.Stacks;

/// <summary>Reading InfluxDB's storage series and keeping a week of daily samples, as pure functions.</summary>
public sealed class StorageUsageModelTests
{
    [Fact]
    public void Only_the_buckets_shards_are_summed()
    {
        const string metrics = """
            # HELP storage_shard_disk_size Gauge of the disk size for the shard
            # TYPE storage_shard_disk_size gauge
            storage_shard_disk_size{bucket="0c3dd7d2d97f4b23",engine="tsm1",id="561",path="/d/561",walPath="/w/561"} 4.188743e+06
            storage_shard_disk_size{bucket="0c3dd7d2d97f4b23",engine="tsm1",id="562",path="/d/562",walPath="/w/562"} 1000
            storage_shard_disk_size{bucket="aaaaaaaaaaaaaaaa",engine="tsm1",id="7",path="/d/7",walPath="/w/7"} 9e+09
            storage_shard_disk_size_other{bucket="0c3dd7d2d97f4b23"} 5
            storage_tsm_files_disk_bytes{bucket="0c3dd7d2d97f4b23",engine="tsm1",id="561"} 7
            """;

        StorageUsageSampler.ShardBytes(metrics, "0c3dd7d2d97f4b23").ShouldBe(4_189_743);
        StorageUsageSampler.ShardBytes(metrics, "missing").ShouldBe(0);
    }

    [Fact]
    public void One_sample_per_day_is_kept_for_eight_days_and_growth_is_per_day()
    {
        var start = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        StorageUsageStatus? usage = null;
        for (var day = 0; day < 10; day++)
        {
            usage = StorageUsage.Next(usage, 1000 + (day * 100), 10_000, start.AddDays(day));
            usage = StorageUsage.Next(usage, 1000 + (day * 100) + 10, 10_000, start.AddDays(day).AddHours(1));
        }

        usage!.Daily!.Count.ShouldBe(8, "the last sample of each of eight days");
        usage.Daily.Select(s => s.Time!.Value.Date).Distinct().Count().ShouldBe(8);
        usage.UsedBytes.ShouldBe(1910);
        usage.UsedPercent.ShouldBe(19);
        usage.GrowthBytesPerDay.ShouldBe(100);
        usage.WeeklyGrowthBytesPerDay.ShouldBe(100);
        StorageUsage.Report(usage, 20).Status.ShouldBe("True");
        StorageUsage.Report(usage, 19).Reason.ShouldBe("StorageNearlyFull");
        StorageUsage.Report(usage, 19).Message.ShouldContain("it is full in about 80 days");
    }
}
