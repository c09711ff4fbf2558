using System.Text.Json.Nodes;
using MetricsOperator.Backup.Grafana;
using MetricsOperator.Backup.Snapshots;

namespace MetricsOperator.Tests.Backup;

/// <summary>The pure decisions: retention, manifest verification, names, canonical JSON, the restore plan.</summary>
public sealed class SnapshotPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 10, 0, 0, 0, TimeSpan.Zero);

    private static string Day(int day) => SnapshotNames.At(new DateTimeOffset(2025, 6, day, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Retention_keeps_the_newest_N_and_deletes_oldest_first()
    {
        RetentionPlan.ToDelete([Day(1), Day(3), Day(2), Day(4)], keep: 2, maxAgeDays: null, Now).ShouldBe([Day(1), Day(2)]);
        RetentionPlan.ToDelete([Day(1), Day(2)], keep: 5, maxAgeDays: null, Now).ShouldBeEmpty();
    }

    [Fact]
    public void Retention_by_age_never_deletes_the_newest_and_ignores_names_that_are_not_ours()
    {
        RetentionPlan.ToDelete([Day(1), Day(2), Day(9), "notes", "2025-06-01"], keep: 10, maxAgeDays: 3, Now).ShouldBe([Day(1), Day(2)]);
        RetentionPlan.ToDelete([Day(1), Day(2)], keep: 10, maxAgeDays: 3, Now).ShouldBe([Day(1)]);
        RetentionPlan.ToDelete([Day(1)], keep: 10, maxAgeDays: 1, Now).ShouldBeEmpty();
    }

    [Fact]
    public void Verification_names_changed_missing_and_unlisted_files_and_an_edited_manifest()
    {
        var files = new[] { new ManifestFile("a.json", new string('a', 64), 1), new ManifestFile("b.json", new string('b', 64), 1) };
        var manifest = new SnapshotManifest { Kind = "grafana", CreatedAt = Now, ContentHash = SnapshotManifest.ContentHashOf(files), Files = files };
        var intact = new Dictionary<string, (string, long)> { ["a.json"] = (new('a', 64), 1), ["b.json"] = (new('b', 64), 1) };
        ManifestVerification.Problems(manifest, intact).ShouldBeEmpty();
        var problems = ManifestVerification.Problems(manifest, new Dictionary<string, (string, long)> { ["a.json"] = (new('c', 64), 1), ["x.json"] = (new('x', 64), 1) });
        problems.ShouldBe(["a.json has SHA-256 cccccccccccc…, the manifest says aaaaaaaaaaaa…", "b.json is missing", "x.json is not in the manifest"]);
        ManifestVerification.Problems(manifest with { ContentHash = "0" }, intact).ShouldHaveSingleItem().ShouldContain("manifest was edited");
    }

    [Fact]
    public void A_changed_size_in_the_manifest_is_noticed_in_either_format()
    {
        var files = new[] { new ManifestFile("a.json", new string('a', 64), 1) };
        var actual = new Dictionary<string, (string, long)> { ["a.json"] = (new('a', 64), 1) };
        var edited = new[] { files[0] with { Size = 2 } };

        // Format 2 hashes the sizes: an edited size with the old hash is an edited manifest, and the bytes disagree too.
        var current = new SnapshotManifest { Kind = "grafana", CreatedAt = Now, ContentHash = SnapshotManifest.ContentHashOf(files), Files = edited };
        ManifestVerification.Problems(current, actual).ShouldBe(["a.json has 1 bytes, the manifest says 2", "the manifest's content hash does not match its file list (the manifest was edited)"]);

        // Format 1 (older snapshots) hashed no size: the file's real length still disagrees.
        var legacy = new SnapshotManifest { Format = 1, Kind = "grafana", CreatedAt = Now, ContentHash = SnapshotManifest.ContentHashOf(edited, format: 1), Files = edited };
        ManifestVerification.Problems(legacy, actual).ShouldBe(["a.json has 1 bytes, the manifest says 2"]);
        ManifestVerification.Problems(legacy with { Files = files, ContentHash = SnapshotManifest.ContentHashOf(files, format: 1) }, actual).ShouldBeEmpty();
    }

    [Fact]
    public void Names_sort_as_times_and_the_CLI_accepts_name_path_or_latest()
    {
        SnapshotNames.At(new DateTimeOffset(2025, 6, 1, 3, 4, 5, TimeSpan.FromHours(2))).ShouldBe("20250601T010405Z");
        SnapshotNames.Parse("grafana", "grafana/20250601T010405Z/").ShouldBe("20250601T010405Z");
        SnapshotNames.Parse("grafana", "latest").ShouldBe("latest");
        SnapshotNames.Parse("grafana", "../etc").ShouldBeNull();
    }

    [Fact]
    public void Canonical_json_sorts_keys_and_is_stable()
    {
        var text = CanonicalJson.Text(JsonNode.Parse("""{"b":1,"a":{"d":[2,1],"c":"é"}}"""));
        text.ShouldBe("{\n  \"a\": {\n    \"c\": \"é\",\n    \"d\": [\n      2,\n      1\n    ]\n  },\n  \"b\": 1\n}\n");
    }

    [Fact]
    public void Restore_plan_writes_only_what_differs_in_dependency_order()
    {
        var snapshot = new Dictionary<string, JsonNode>
        {
            ["notification-policies.json"] = new JsonObject { ["receiver"] = "x" },
            ["alert-rules/f/g.json"] = new JsonObject { ["title"] = "g" },
            ["folders/child.json"] = new JsonObject { ["uid"] = "child", ["parentUid"] = "parent" },
            ["folders/parent.json"] = new JsonObject { ["uid"] = "parent" },
            ["datasources/influx.json"] = new JsonObject { ["uid"] = "influx", [GrafanaExportLayout.SecureFieldsLeftOut] = new JsonArray("token") },
        };
        var current = new Dictionary<string, JsonNode> { ["datasources/influx.json"] = new JsonObject { ["uid"] = "influx" } };
        GrafanaRestorePlan.Writes(snapshot, current).ShouldBe(["folders/parent.json", "folders/child.json", "alert-rules/f/g.json", "notification-policies.json"]);
        GrafanaRestorePlan.Writes(snapshot, snapshot).ShouldBeEmpty();
    }

    [Fact]
    public void File_names_keep_safe_uids_and_hash_the_rest()
    {
        GrafanaExportLayout.FileName("app-butler").ShouldBe("app-butler.json");
        GrafanaExportLayout.FileName("Butler alerts/p99").ShouldMatch(@"^Butler_alerts_p99-[0-9a-f]{8}\.json$");
        GrafanaExportLayout.FileName("a/b").ShouldNotBe(GrafanaExportLayout.FileName("a_b"));
    }
}
