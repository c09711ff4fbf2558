using System.Text.RegularExpressions;
using MetricsOperator.Crds;
using MetricsOperator.Stacks;

namespace MetricsOperator.Alerts.Routing;

/// <summary>
/// The checks of the stack's routing that the CRD schema cannot make (names that refer to other lists, regular
/// expressions, time ranges), pure. Each error names the field; the stack is then <c>Ready=False InvalidSpec</c> and
/// nothing is written to Grafana, where the same mistakes would be refused half-way (a route to an unknown receiver is
/// Grafana's 400 on the whole tree) or, for a template, fail silently at notification time.
/// </summary>
public static class RoutingValidation
{
    /// <summary>Every problem of <paramref name="grafana"/>'s routes, templates, mute timings and contact point messages.</summary>
    public static IEnumerable<FieldError> Errors(GrafanaSpec grafana)
    {
        ArgumentNullException.ThrowIfNull(grafana);
        var contactPoints = (grafana.ContactPoints ?? []).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var muteTimings = (grafana.MuteTimings ?? []).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var routes = grafana.Routes ?? [];
        for (var i = 0; i < routes.Count; i++)
        {
            var field = $"spec.grafana.routes[{i}]";
            if (!contactPoints.Contains(routes[i].ContactPoint))
            {
                yield return new FieldError($"{field}.contactPoint", $"\"{routes[i].ContactPoint}\" is not the name of one of spec.grafana.contactPoints");
            }

            for (var j = 0; j < (routes[i].MuteTimings?.Count ?? 0); j++)
            {
                if (!muteTimings.Contains(routes[i].MuteTimings![j]))
                {
                    yield return new FieldError($"{field}.muteTimings[{j}]", $"\"{routes[i].MuteTimings![j]}\" is not the name of one of spec.grafana.muteTimings");
                }
            }

            for (var k = 0; k < routes[i].Matchers.Count; k++)
            {
                if (routes[i].Matchers[k] is { Operator: MatchOperator.Regex or MatchOperator.NotRegex } matcher && RegexProblem(matcher.Value) is { } problem)
                {
                    yield return new FieldError($"{field}.matchers[{k}].value", $"not a regular expression: {problem}");
                }
            }
        }

        var defined = NotificationContent.Defined(grafana);
        var declared = grafana.ContactPoints ?? [];
        for (var i = 0; i < declared.Count; i++)
        {
            foreach (var (key, text) in new[] { ("title", declared[i].Title), ("text", declared[i].Text) })
            {
                foreach (var name in NotificationContent.References(text).Distinct(StringComparer.Ordinal).Where(n => !defined.Contains(n) && !NotificationContent.IsBuiltIn(n)))
                {
                    yield return new FieldError($"spec.grafana.contactPoints[{i}].{key}", $"template \"{name}\" is neither one of spec.grafana.templates nor defined by them");
                }
            }
        }

        var timings = grafana.MuteTimings ?? [];
        for (var i = 0; i < timings.Count; i++)
        {
            for (var j = 0; j < timings[i].TimeIntervals.Count; j++)
            {
                var times = timings[i].TimeIntervals[j].Times ?? [];
                for (var k = 0; k < times.Count; k++)
                {
                    // Alertmanager's timeinterval refuses a range whose end is not after its start.
                    if (string.CompareOrdinal(times[k].EndTime, times[k].StartTime) <= 0)
                    {
                        yield return new FieldError($"spec.grafana.muteTimings[{i}].timeIntervals[{j}].times[{k}].endTime", $"{times[k].EndTime} is not after startTime {times[k].StartTime}");
                    }
                }
            }
        }
    }

    // Grafana compiles matchers with Go's RE2; .NET's engine is close enough to catch what people get wrong (an
    // unclosed group or class); RE2-only refusals (backreferences, lookaround) still reach Grafana's 400.
    private static string? RegexProblem(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
