using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
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
    private readonly int jsonLength;

    private PackedRuleGroup(long? intervalSeconds, string[] ruleUids, byte[] packed, int jsonLength)
    {
        IntervalSeconds = intervalSeconds;
        RuleUids = ruleUids;
        this.packed = packed;
        this.jsonLength = jsonLength;
    }

    /// <summary>The group's interval when known (the rule listing does not carry it, a group GET does).</summary>
    public long? IntervalSeconds { get; }

    /// <summary>The UIDs of the group's rules, in Grafana's order.</summary>
    public IReadOnlyList<string> RuleUids { get; }

    /// <summary>The deflated JSON's length in bytes.</summary>
    public int PackedLength => packed.Length;

    private static JsonTypeInfo<PackedGroupWrite> WriteJson => (JsonTypeInfo<PackedGroupWrite>)GrafanaJson.Options.GetTypeInfo(typeof(PackedGroupWrite));

    private static JsonTypeInfo<PackedGroupRead> ReadJson => (JsonTypeInfo<PackedGroupRead>)GrafanaJson.Options.GetTypeInfo(typeof(PackedGroupRead));

    /// <summary>Packs <paramref name="rules"/> (each with a UID) as one group.</summary>
    public static PackedRuleGroup Pack(long? intervalSeconds, IReadOnlyList<ProvisionedAlertRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var uids = new string[rules.Count];
        for (var i = 0; i < uids.Length; i++)
        {
            uids[i] = rules[i].Uid ?? throw new ArgumentException($"rule {i} ({rules[i].Title}) has no UID", nameof(rules));
        }

        var withoutModels = rules.Select(r => r with { Data = [.. r.Data.Select(q => q with { Model = [] })] }).ToList();
        var models = rules.Select(r => (IReadOnlyList<JsonObject>)[.. r.Data.Select(q => q.Model)]).ToList();
        var json = JsonSerializer.SerializeToUtf8Bytes(new PackedGroupWrite(withoutModels, models), WriteJson);
        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(json);
        }

        return new(intervalSeconds, uids, output.ToArray(), json.Length);
    }

    /// <summary>
    /// The group's rules, read back into objects (new ones each call), each model the range of the group's JSON it lies
    /// in: no node trees and no second copy of a model's text on a reconcile that only compares.
    /// </summary>
    public ObservedRuleGroup Unpack()
    {
        var (json, group) = Read();
        var rules = new ObservedRule[group.Rules.Count];
        for (var i = 0; i < rules.Length; i++)
        {
            var (rule, models) = (group.Rules[i], group.Models[i]);
            var queries = new ObservedQuery[rule.Data.Count];
            for (var k = 0; k < queries.Length; k++)
            {
                var query = rule.Data[k];
                queries[k] = new ObservedQuery(query.RefId, query.QueryType, query.DatasourceUid, query.RelativeTimeRange, json.AsMemory(models[k].Start, models[k].Length));
            }

            rules[i] = new ObservedRule(rule with { Data = [] }, queries);
        }

        return new ObservedRuleGroup(IntervalSeconds, rules);
    }

    /// <summary>The group without the rules whose UID is in <paramref name="uids"/>; null when none is left.</summary>
    public PackedRuleGroup? Without(IReadOnlySet<string> uids)
    {
        ArgumentNullException.ThrowIfNull(uids);
        var rest = Unpack().Rules
            .Where(r => !uids.Contains(r.Uid!))
            .Select(r => r.Fields with { Data = [.. r.Data.Select(q => new AlertQuery { RefId = q.RefId, QueryType = q.QueryType, DatasourceUid = q.DatasourceUid, RelativeTimeRange = q.RelativeTimeRange, Model = q.Model() })] })
            .ToList();
        return rest.Count == 0 ? null : Pack(IntervalSeconds, rest);
    }

    // The whole JSON in one array, read from it at once: the models' ranges are positions in that array.
    private (byte[] Json, PackedGroupRead Group) Read()
    {
        var json = new byte[jsonLength];
        using (var deflate = new DeflateStream(new MemoryStream(packed, writable: false), CompressionMode.Decompress))
        {
            deflate.ReadExactly(json);
        }

        return (json, JsonSerializer.Deserialize(json, ReadJson) ?? throw new JsonException("a packed rule group read back as null"));
    }
}
