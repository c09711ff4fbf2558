using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>A folder.</summary>
public sealed record GrafanaFolder(long Id, string Uid, string Title, string? ParentUid, long Version, DateTime Created, DateTime Updated);

/// <summary>Where a rule group lives: folder UID and group title.</summary>
public readonly record struct GrafanaGroupKey(string FolderUid, string Title);

/// <summary>A datasource; <paramref name="SecureJsonData"/> is write-only (only its keys are ever shown).</summary>
public sealed record GrafanaDatasource(long Id, string Uid, JsonObject Body, IReadOnlyDictionary<string, string> SecureJsonData, long Version);

/// <summary>A dashboard as saved.</summary>
public sealed record GrafanaDashboard(long Id, string Uid, string Title, string? FolderUid, JsonObject Model, long Version, DateTime Created, DateTime Updated);
