using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts;

/// <summary>
/// One rule group of a Grafana as the snapshot keeps it between reconciles: its rules as Grafana's JSON, deflated, and
/// their UIDs. The snapshot holds every rule of every Grafana, and a reconcile reads one group of it; kept as objects
/// (each query's model as text) the rules were a third of the operator's live objects at 1000 AppAlerts × 5 rules,
/// 1.5 KB a rule, while the JSON of a group repeats its folder, group, datasource UIDs and model keys on every rule and
/// deflates to a fraction of that (docs/performance.md, sixteenth pass). A group is read back into objects only when a
/// reconcile compares it.
/// </summary>
internal sealed class PackedRuleGroup
{
    private readonly byte[] packed;

    private PackedRuleGroup(long? intervalSeconds, string[] ruleUids, byte[] packed)
    {
        IntervalSeconds = intervalSeconds;
        RuleUids = ruleUids;
        this.packed = packed;
    }

    /// <summary>The group's interval when known (the rule listing does not carry it, a group GET does).</summary>
    public long? IntervalSeconds { get; }

    /// <summary>The UIDs of the group's rules, in Grafana's order.</summary>
    public IReadOnlyList<string> RuleUids { get; }

    /// <summary>The deflated JSON's length in bytes.</summary>
    public int PackedLength => packed.Length;

    private static JsonTypeInfo<List<ProvisionedAlertRule>> RulesJson =>
        (JsonTypeInfo<List<ProvisionedAlertRule>>)GrafanaJson.Options.GetTypeInfo(typeof(List<ProvisionedAlertRule>));

    /// <summary>Packs <paramref name="rules"/> (each with a UID) as one group.</summary>
    public static PackedRuleGroup Pack(long? intervalSeconds, IReadOnlyList<ProvisionedAlertRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var uids = new string[rules.Count];
        for (var i = 0; i < uids.Length; i++)
        {
            uids[i] = rules[i].Uid ?? throw new ArgumentException($"rule {i} ({rules[i].Title}) has no UID", nameof(rules));
        }

        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            JsonSerializer.Serialize(deflate, rules as List<ProvisionedAlertRule> ?? [.. rules], RulesJson);
        }

        return new(intervalSeconds, uids, output.ToArray());
    }

    /// <summary>The group's rules, read back into objects (new ones each call).</summary>
    public ObservedRuleGroup Unpack() => ObservedRuleGroup.Of(IntervalSeconds, Rules());

    /// <summary>The group without the rules whose UID is in <paramref name="uids"/>; null when none is left.</summary>
    public PackedRuleGroup? Without(IReadOnlySet<string> uids)
    {
        ArgumentNullException.ThrowIfNull(uids);
        var rest = Rules().Where(r => !uids.Contains(r.Uid!)).ToList();
        return rest.Count == 0 ? null : Pack(IntervalSeconds, rest);
    }

    private List<ProvisionedAlertRule> Rules()
    {
        using var deflate = new DeflateStream(new MemoryStream(packed, writable: false), CompressionMode.Decompress);
        return JsonSerializer.Deserialize(deflate, RulesJson) ?? [];
    }
}
