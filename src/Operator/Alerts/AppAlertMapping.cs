using System.Globalization;
using System.Text.Json.Nodes;
using MetricsOperator.Alerts.Routing;
using MetricsOperator.Crds;
using MetricsOperator.Grafana;
using GrafanaQuery = MetricsOperator.Grafana.AlertQuery;

namespace MetricsOperator.Alerts;

/// <summary>
/// AppAlert → Grafana, as a pure function. One folder per app, one rule group per AppAlert, one Grafana rule per
/// AppAlert rule with its <see cref="RuleSteps"/>: each query against the stack's InfluxQL or Flux datasource over its
/// time range, each expression a Grafana server-side expression (math, reduce, threshold, classic conditions; a
/// comparison 11.4's threshold lacks is math), the condition the named step. The short form is <c>A</c> the query, <c>B</c> a Reduce expression
/// (the condition's reducer), <c>C</c> a Threshold expression (operator and threshold), which is the rule's condition.
/// Labels: <c>app</c>, <c>severity</c>, <c>namespace</c> (and <c>environment</c> when the stack has one) over the
/// user's; folder, group and rule UIDs carry the environment too (<see cref="AlertNames"/>); annotations: summary,
/// description, runbook_url and the panel link when given; notification settings when the rule names its contact
/// point. Query models carry the defaults Grafana adds on save
/// (<c>intervalMs</c>, <c>maxDataPoints</c>) so what Grafana stores compares equal to what was sent.
/// </summary>
public static class AppAlertMapping
{
    /// <summary>UID of Grafana's server-side expressions "datasource".</summary>
    public const string ExpressionDatasource = "__expr__";

    /// <summary>refId of the short form's query.</summary>
    public const string QueryRef = RuleSteps.QueryRef;

    /// <summary>refId of the short form's Reduce expression.</summary>
    public const string ReduceRef = RuleSteps.ReduceRef;

    /// <summary>refId of the short form's Threshold expression: the rule's condition.</summary>
    public const string ThresholdRef = RuleSteps.ThresholdRef;

    private const int IntervalMs = 1000;
    private const int MaxDataPoints = 43200;

    /// <summary>
    /// Validates <paramref name="alert"/> against <paramref name="stack"/> and maps what may be synced: everything when
    /// valid; with <c>partialSync</c> the valid rules when only some rules are invalid; nothing otherwise.
    /// </summary>
    public static AlertPlan Plan(V1Alpha1AppAlert alert, StackAlertingFacts stack)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(stack);
        var ns = alert.Metadata.NamespaceProperty ?? "default";
        var name = alert.Metadata.Name;
        var rules = alert.Spec?.Rules ?? [];
        var uids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rule in rules.Where(r => !string.IsNullOrEmpty(r.Name)))
        {
            uids.TryAdd(rule.Name, AlertNames.RuleUid(ns, name, rule.Name, stack.Environment));
        }

        var problems = AppAlertValidation.Validate(alert, stack).ToList();
        if (problems.Any(p => p.IsSpecWide))
        {
            return new AlertPlan(null, problems, uids);
        }

        var invalid = problems.Select(p => p.Rule).ToHashSet(StringComparer.Ordinal);
        var group = Map(alert, stack, rules.Where(r => !invalid.Contains(r.Name)));
        // Grafana checks neither that the condition names a step nor that the folder exists: check the mapping's output.
        foreach (var rule in group.Rules)
        {
            problems.AddRange(GrafanaRuleChecks.Problems(rule, group));
        }

        invalid = problems.Select(p => p.Rule).ToHashSet(StringComparer.Ordinal);
        var partial = alert.Spec?.PartialSync == true;
        if (problems.Count > 0 && !partial)
        {
            return new AlertPlan(null, problems, uids);
        }

        var syncable = group with { Rules = [.. group.Rules.Where(r => !invalid.Contains(r.Name))] };
        return new AlertPlan(syncable.Rules.Count > 0 ? syncable : null, problems, uids);
    }

    /// <summary>Maps <paramref name="rules"/> of <paramref name="alert"/> (assumed valid) to its rule group.</summary>
    public static DesiredRuleGroup Map(V1Alpha1AppAlert alert, StackAlertingFacts stack, IEnumerable<AlertRule> rules)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(rules);
        var ns = alert.Metadata.NamespaceProperty ?? "default";
        var app = AlertDefaults.App(alert);
        var folderUid = AlertNames.FolderUid(app, stack.Environment);
        var group = AlertNames.RuleGroup(ns, alert.Metadata.Name, stack.Environment);
        var interval = GrafanaDuration.TryParseSeconds(alert.Spec?.Interval ?? AlertDefaults.Interval)
            ?? throw new ArgumentException("spec.interval is not a duration; validate first", nameof(alert));
        var mapped = rules.Select(r => new DesiredRule(r.Name, MapRule(ns, alert.Metadata.Name, app, folderUid, group, r, stack))).ToList();
        return new DesiredRuleGroup(folderUid, AlertNames.FolderTitle(app, stack.Environment), group, interval, alert.Spec?.EditableInGrafana == true, mapped);
    }

    /// <summary>One rule of AppAlert <paramref name="ns"/>/<paramref name="name"/> as a Grafana rule.</summary>
    public static ProvisionedAlertRule MapRule(string ns, string name, string app, string folderUid, string group, AlertRule rule, StackAlertingFacts stack)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(stack);
        var steps = RuleSteps.Of(rule, "rule");
        return new ProvisionedAlertRule
        {
            Uid = AlertNames.RuleUid(ns, name, rule.Name, stack.Environment),
            FolderUid = folderUid,
            RuleGroup = group,
            Title = rule.Name,
            Condition = steps.Condition,
            Data = [.. steps.Steps.Select(step => Step(step, stack))],
            NoDataState = NoDataStateName(rule.NoDataState ?? AlertDefaults.NoData),
            ExecErrState = ExecErrStateName(rule.ExecErrState ?? AlertDefaults.ExecErr),
            // Grafana stores durations in its own format ("300s" comes back "5m"): send that format.
            For = GrafanaDuration.Format(GrafanaDuration.TryParseSeconds(rule.For ?? AlertDefaults.For) ?? 0),
            Labels = Labels(rule, app, ns, name, stack.Environment),
            Annotations = Annotations(rule),
            IsPaused = false,
            NotificationSettings = NotificationSettings(rule.Notification, stack.Environment),
        };
    }

    /// <summary>Grafana's name of a reducer.</summary>
    public static string ReducerName(Reducer reducer) => reducer switch
    {
        Reducer.Last => "last",
        Reducer.Mean => "mean",
        Reducer.Min => "min",
        Reducer.Max => "max",
        Reducer.Sum => "sum",
        Reducer.Count => "count",
        Reducer.Median => "median",
        _ => throw new ArgumentOutOfRangeException(nameof(reducer), reducer, "unknown reducer"),
    };

    /// <summary>Grafana's name of a classic condition's reducer (pkg/expr/classic/reduce.go).</summary>
    public static string ClassicReducerName(ClassicReducer reducer) => reducer switch
    {
        ClassicReducer.Avg => "avg",
        ClassicReducer.Sum => "sum",
        ClassicReducer.Min => "min",
        ClassicReducer.Max => "max",
        ClassicReducer.Count => "count",
        ClassicReducer.Last => "last",
        ClassicReducer.Median => "median",
        ClassicReducer.Diff => "diff",
        ClassicReducer.DiffAbs => "diff_abs",
        ClassicReducer.PercentDiff => "percent_diff",
        ClassicReducer.PercentDiffAbs => "percent_diff_abs",
        ClassicReducer.CountNonNull => "count_non_null",
        _ => throw new ArgumentOutOfRangeException(nameof(reducer), reducer, "unknown classic reducer"),
    };

    /// <summary>Grafana's name of a classic condition's evaluator (pkg/expr/classic/evaluator.go).</summary>
    public static string ClassicEvaluatorName(ClassicEvaluatorType evaluator) => evaluator switch
    {
        ClassicEvaluatorType.GreaterThan => "gt",
        ClassicEvaluatorType.LessThan => "lt",
        ClassicEvaluatorType.WithinRange => "within_range",
        ClassicEvaluatorType.OutsideRange => "outside_range",
        ClassicEvaluatorType.NoValue => "no_value",
        _ => throw new ArgumentOutOfRangeException(nameof(evaluator), evaluator, "unknown classic evaluator"),
    };

    /// <summary>Grafana 11.4's threshold evaluator for <paramref name="op"/>, or null when 11.4 has none (it becomes math).</summary>
    public static string? EvaluatorName(ThresholdOperator op) => op switch
    {
        ThresholdOperator.GreaterThan => "gt",
        ThresholdOperator.LessThan => "lt",
        ThresholdOperator.WithinRange => "within_range",
        ThresholdOperator.OutsideRange => "outside_range",
        _ => null,
    };

    /// <summary>The math comparison for an operator 11.4's threshold expression lacks.</summary>
    public static string MathOperator(ThresholdOperator op) => op switch
    {
        ThresholdOperator.GreaterThanOrEqual => ">=",
        ThresholdOperator.LessThanOrEqual => "<=",
        ThresholdOperator.Equal => "==",
        ThresholdOperator.NotEqual => "!=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "a threshold evaluator, not a math comparison"),
    };

    private static GrafanaQuery Step(RuleStep step, StackAlertingFacts stack) => step switch
    {
        QueryStep query => Query(query, stack.DatasourceFor(query.Language)
            ?? throw new ArgumentException($"the stack has no {query.Language} datasource; validate first", nameof(stack))),
        ReduceStep reduce => Reduce(reduce),
        ThresholdStep threshold when EvaluatorName(threshold.Operator) is { } evaluator => Threshold(threshold, evaluator),
        ThresholdStep comparison => Math(comparison.Name, string.Create(CultureInfo.InvariantCulture,
            $"${{{comparison.Input}}} {MathOperator(comparison.Operator)} {comparison.Threshold:R}")),
        MathStep math => Math(math.Name, math.Expression),
        ClassicStep classic => Classic(classic),
        _ => throw new ArgumentException($"{step.Field} is no query or expression; validate first", nameof(step)),
    };

    private static GrafanaQuery Query(QueryStep query, string datasourceUid)
    {
        var model = new JsonObject
        {
            ["refId"] = query.Name,
            ["datasource"] = new JsonObject { ["type"] = "influxdb", ["uid"] = datasourceUid },
            ["query"] = query.Text,
        };
        if (query.Language == QueryLanguage.InfluxQL)
        {
            // The InfluxQL datasource runs the text as written only with rawQuery; otherwise it expects the query builder's fields.
            model["rawQuery"] = true;
            model["resultFormat"] = "time_series";
        }

        var from = GrafanaDuration.TryParseSeconds(query.TimeRange) ?? AlertDefaults.QueryRangeSeconds;
        return Step(query.Name, datasourceUid, new RelativeTimeRange { From = from, To = 0 }, model);
    }

    private static GrafanaQuery Reduce(ReduceStep reduce) => Expression(reduce.Name, new JsonObject
    {
        ["type"] = "reduce",
        ["expression"] = reduce.Input,
        ["reducer"] = ReducerName(reduce.Reducer),
    });

    private static GrafanaQuery Threshold(ThresholdStep threshold, string evaluator)
    {
        var parameters = new JsonArray(JsonValue.Create(threshold.Threshold));
        if (threshold.Operator is ThresholdOperator.WithinRange or ThresholdOperator.OutsideRange)
        {
            // JsonNode, not JsonValue: Add<T> would take the reflection-based path (trim and AOT warnings IL2026/IL3050).
            parameters.Add((JsonNode)JsonValue.Create(threshold.UpperThreshold ?? threshold.Threshold));
        }

        return Expression(threshold.Name, new JsonObject
        {
            ["type"] = "threshold",
            ["expression"] = threshold.Input,
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["evaluator"] = new JsonObject { ["type"] = evaluator, ["params"] = parameters },
            }),
        });
    }

    // The model Grafana's UI saves for a classic condition, the one the provisioning API's OpenAPI shows as its example
    // (ProvisionedAlertRule.data); Grafana reads evaluator, operator, query.params[0] and reducer.type
    // (pkg/expr/classic/classic.go ConditionJSON). Every condition carries its operator: Grafana 11.4 checks it on
    // the later ones and ignores it on the first.
    private static GrafanaQuery Classic(ClassicStep classic) => Expression(classic.Name, new JsonObject
    {
        ["type"] = "classic_conditions",
        ["conditions"] = new JsonArray([.. classic.Conditions.Select(condition => (JsonNode)new JsonObject
        {
            ["type"] = "query",
            ["evaluator"] = new JsonObject
            {
                ["type"] = ClassicEvaluatorName(condition.Evaluator),
                ["params"] = new JsonArray([.. condition.Params.Select(p => (JsonNode?)JsonValue.Create(p))]),
            },
            ["operator"] = new JsonObject { ["type"] = condition.Operator == ClassicOperator.Or ? "or" : "and" },
            ["query"] = new JsonObject { ["params"] = new JsonArray(condition.Input) },
            ["reducer"] = new JsonObject { ["type"] = ClassicReducerName(condition.Reducer), ["params"] = new JsonArray() },
        })]),
    });

    private static GrafanaQuery Math(string name, string expression) => Expression(name, new JsonObject
    {
        ["type"] = "math",
        ["expression"] = expression,
    });

    private static GrafanaQuery Expression(string refId, JsonObject model)
    {
        model["refId"] = refId;
        model["datasource"] = new JsonObject { ["type"] = ExpressionDatasource, ["uid"] = ExpressionDatasource };
        return Step(refId, ExpressionDatasource, new RelativeTimeRange { From = 0, To = 0 }, model);
    }

    private static GrafanaQuery Step(string refId, string datasourceUid, RelativeTimeRange range, JsonObject model)
    {
        model["intervalMs"] = IntervalMs;
        model["maxDataPoints"] = MaxDataPoints;
        return new GrafanaQuery { RefId = refId, QueryType = "", DatasourceUid = datasourceUid, RelativeTimeRange = range, Model = model };
    }

    private static Dictionary<string, string> Labels(AlertRule rule, string app, string ns, string appAlert, string? environment)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in rule.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        // Routing and silences rely on these: the user's labels never override them. Routing matches the AppAlert's own
        // namespace and name, which nobody else can claim, so an AppAlert steers only its own rules.
        labels["app"] = app;
        labels[AlertRouting.NamespaceLabel] = ns;
        labels[AlertRouting.AppAlertLabel] = appAlert;
        labels["severity"] = SeverityName(rule.Severity ?? AlertDefaults.Severity);
        if (environment is not null)
        {
            // Which environment fired, in a Grafana several share; routing and silences may match it.
            labels[AlertNames.EnvironmentLabel] = environment;
        }

        return new Dictionary<string, string>(labels, StringComparer.Ordinal);
    }

    private static Dictionary<string, string>? Annotations(AlertRule rule)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(rule.Summary))
        {
            annotations["summary"] = rule.Summary;
        }

        if (!string.IsNullOrEmpty(rule.Description))
        {
            annotations["description"] = rule.Description;
        }

        if (!string.IsNullOrEmpty(rule.RunbookUrl))
        {
            annotations["runbook_url"] = rule.RunbookUrl;
        }

        // Grafana's reserved annotations: the alert links to this dashboard (and panel) in its UI and notifications.
        if (rule.Panel is { DashboardUid.Length: > 0 } panel)
        {
            annotations["__dashboardUid__"] = panel.DashboardUid;
            if (panel.PanelId is { } panelId)
            {
                annotations["__panelId__"] = panelId.ToString(CultureInfo.InvariantCulture);
            }
        }

        // Grafana leaves an empty map out when it stores the rule; so does the mapping.
        return annotations.Count == 0 ? null : annotations;
    }

    // The rule names the stack's contact point and mute timings as the spec names them; in Grafana they carry the
    // environment (NotificationNames), as the stack's routing writes them.
    private static AlertRuleNotificationSettings? NotificationSettings(AlertNotification? notification, string? environment) =>
        notification is null ? null : new AlertRuleNotificationSettings
        {
            Receiver = NotificationNames.ForEnvironment(environment, notification.ContactPoint),
            GroupBy = notification.GroupBy is { Count: > 0 } groupBy ? [.. groupBy] : null,
            MuteTimeIntervals = notification.MuteTimings is { Count: > 0 } muteTimings
                ? [.. muteTimings.Select(timing => NotificationNames.ForEnvironment(environment, timing))]
                : null,
        };

    private static string SeverityName(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "critical",
        AlertSeverity.Info => "info",
        _ => "warning",
    };

    private static string NoDataStateName(NoDataState state) => state switch
    {
        NoDataState.Alerting => "Alerting",
        NoDataState.Ok => "OK",
        _ => "NoData",
    };

    private static string ExecErrStateName(ExecErrState state) => state switch
    {
        ExecErrState.Alerting => "Alerting",
        ExecErrState.Ok => "OK",
        _ => "Error",
    };
}
