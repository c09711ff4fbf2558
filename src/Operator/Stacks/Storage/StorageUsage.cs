using System.Globalization;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Conditions;

namespace MetricsOperator.Stacks.Storage;

/// <summary>
/// How full InfluxDB's volume is, from a sample and the samples before it: one kept per day (the last of that day) for
/// eight days, the growth over the last day and week, and when the volume fills at the week's rate. Pure.
/// </summary>
public static class StorageUsage
{
    private const int DaysKept = 8;

    /// <summary>The usage after a sample of <paramref name="usedBytes"/> at <paramref name="now"/> on a volume of <paramref name="capacityBytes"/>.</summary>
    public static StorageUsageStatus Next(StorageUsageStatus? previous, long usedBytes, long? capacityBytes, DateTime now)
    {
        var daily = (previous?.Daily ?? [])
            .Where(s => s.Time is { } t && t.Date != now.Date && t > now.AddDays(-DaysKept))
            .Append(new StorageSample { Time = now, Bytes = usedBytes })
            .OrderBy(s => s.Time)
            .TakeLast(DaysKept)
            .ToList();
        return new StorageUsageStatus
        {
            SampledAt = now,
            UsedBytes = usedBytes,
            CapacityBytes = capacityBytes,
            UsedPercent = capacityBytes is > 0 ? (int)Math.Round(100.0 * usedBytes / capacityBytes.Value) : null,
            GrowthBytesPerDay = PerDay(daily, now, TimeSpan.FromDays(1)),
            WeeklyGrowthBytesPerDay = PerDay(daily, now, TimeSpan.FromDays(7)),
            Daily = daily,
        };
    }

    /// <summary>
    /// StorageReady from the usage: True below <paramref name="warnAtPercent"/>, else False <c>StorageNearlyFull</c> saying
    /// roughly when the volume fills at the week's growth rate (the day's when a week is not known yet).
    /// </summary>
    public static ConditionReport Report(StorageUsageStatus usage, int warnAtPercent)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (usage.UsedPercent is not { } percent || usage.UsedBytes is not { } used || usage.CapacityBytes is not { } capacity)
        {
            return StorageReport.AllSized;
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"InfluxDB's data uses {percent}% of its volume ({Size(used)} of {Size(capacity)})");
        if (percent < warnAtPercent)
        {
            return StorageReport.Sized(text);
        }

        var rate = usage.WeeklyGrowthBytesPerDay ?? usage.GrowthBytesPerDay;
        var fills = rate is > 0
            ? string.Create(CultureInfo.InvariantCulture, $"; at {Size(rate.Value)}/day it is full in about {Math.Max(0, (capacity - used) / rate.Value)} days")
            : "; no growth measured yet";
        return new ConditionReport(MetricsStackConditions.StorageReady, ConditionSet.False, StorageReport.Reasons.NearlyFull,
            string.Create(CultureInfo.InvariantCulture, $"{text}, at or above the {warnAtPercent}% of spec.influxdb.storage.warnAtPercent{fills}. Raise spec.influxdb.storage.size (it grows in place) or see docs/retention.md"));
    }

    // Bytes per day between now and the oldest daily sample at least `span` old (null when there is none).
    private static long? PerDay(List<StorageSample> daily, DateTime now, TimeSpan span)
    {
        var latest = daily[^1];
        var then = daily.LastOrDefault(s => s.Time <= now - span);
        if (then?.Time is not { } at || (latest.Time!.Value - at).TotalDays <= 0)
        {
            return null;
        }

        return (long)Math.Round((latest.Bytes!.Value - then.Bytes!.Value) / (latest.Time.Value - at).TotalDays);
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
