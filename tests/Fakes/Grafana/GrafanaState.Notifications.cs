using System.Text.Json.Nodes;

namespace MetricsOperator.Fakes.Grafana;

public sealed partial class GrafanaState
{
    /// <summary>The contact point a fresh Grafana has, which the default policy routes to.</summary>
    public const string DefaultContactPoint = "grafana-default-email";

    /// <summary>Marker Grafana shows instead of secret settings, and accepts back meaning "keep the stored value".</summary>
    public const string Redacted = "[REDACTED]";

    // Settings Grafana encrypts and never shows (per integration type); enough for the types the operator uses.
    private static readonly Dictionary<string, string[]> SecureSettings = new(StringComparer.Ordinal)
    {
        ["slack"] = ["url", "token"],
        ["webhook"] = ["password", "authorization_credentials"],
        ["email"] = [],
        ["pagerduty"] = ["integrationKey"],
        ["opsgenie"] = ["apiKey"],
        ["teams"] = ["url"],
        ["discord"] = ["url"],
        ["telegram"] = ["bottoken"],
    };

    private static readonly Dictionary<string, string[]> RequiredSettings = new(StringComparer.Ordinal)
    {
        ["slack"] = ["url|token"],
        ["webhook"] = ["url"],
        ["email"] = ["addresses"],
        ["pagerduty"] = ["integrationKey"],
        ["teams"] = ["url"],
        ["discord"] = ["url"],
    };

    private readonly List<JsonObject> contactPoints = [DefaultEmailContactPoint()];
    private JsonObject policy = DefaultPolicy();

    /// <summary>Contact points as stored (secrets in clear: this is the fake's own view, not the API's).</summary>
    public IReadOnlyList<JsonObject> ContactPoints => Locked(() => contactPoints.Select(Clone).ToList());

    /// <summary>The notification policy tree as stored.</summary>
    public JsonObject PolicyTree => Locked(() => Clone(policy));

    /// <summary>
    /// Runs when a policy PUT has arrived, before it is stored: a test lets another writer write here, as a second
    /// operator can between this one's read and its write (Grafana 11.4's PUT takes no version to refuse a stale tree).
    /// </summary>
    public Func<Task>? BeforePolicyWrite { get; set; }

    /// <summary>Runs right after a policy PUT is stored, before it is answered: where another writer's stale tree can land before the writer reads back.</summary>
    public Func<Task>? AfterPolicyWrite { get; set; }

    /// <summary>Drift: replace the policy tree behind the operator's back.</summary>
    public void SetPolicyTree(JsonObject tree) => Locked(() => policy = Clone(tree));

    internal JsonArray ListContactPoints(string? name) => Locked(() =>
        new JsonArray([.. contactPoints.Where(c => name is null || c["name"]?.GetValue<string>() == name).Select(c => (JsonNode)RedactedCopy(c))]));

    internal JsonObject CreateContactPoint(JsonObject request, string provenance) => Locked(() =>
    {
        var uid = request["uid"]?.GetValue<string>() is { Length: > 0 } given ? given : GrafanaNames.NewUid();
        if (contactPoints.Any(c => c["uid"]!.GetValue<string>() == uid))
        {
            throw new GrafanaException(400, $"contact point with uid '{uid}' already exists");
        }

        var stored = Validated(request, uid, provenance, previous: null);
        contactPoints.Add(stored);
        return RedactedCopy(stored);
    });

    internal void UpdateContactPoint(string uid, JsonObject request, string provenance) => Locked(() =>
    {
        var index = contactPoints.FindIndex(c => c["uid"]!.GetValue<string>() == uid);
        if (index < 0)
        {
            throw new GrafanaException(404, "contact point not found");
        }

        contactPoints[index] = Validated(request, uid, provenance, contactPoints[index]);
    });

    internal void DeleteContactPoint(string uid) => Locked(() =>
    {
        var found = contactPoints.Find(c => c["uid"]!.GetValue<string>() == uid);
        if (found is null)
        {
            return;
        }

        var name = found["name"]!.GetValue<string>();
        if (contactPoints.Count(c => c["name"]!.GetValue<string>() == name) == 1 && Receivers(policy).Contains(name))
        {
            throw new GrafanaException(409, $"contact point '{name}' is currently used by a notification policy");
        }

        // errors.go: ErrContactPointUsedInRule (409) when a rule's notification settings name the receiver.
        if (contactPoints.Count(c => c["name"]!.GetValue<string>() == name) == 1 &&
            rules.Values.Any(r => r["notification_settings"]?["receiver"]?.GetValue<string>() == name))
        {
            throw new GrafanaException(409, "alerting.notifications.contact-points.used-by-rule",
                "Contact point is currently used in the notification settings of one or many alert rules.");
        }

        contactPoints.Remove(found);
    });

    /// <summary>
    /// UpdatePolicyTree (Grafana 11.4, pkg/services/ngalert/provisioning/notification_policies.go): the tree is checked
    /// (a root receiver), then every route's receiver against the contact points and every <c>mute_time_intervals</c>
    /// name against the mute timings (definitions Route.ValidateReceivers / ValidateMuteTimes, first problem only);
    /// each failure is <c>MakeErrRouteInvalidFormat</c>: 400, errutil "alerting.notifications.routes.invalidFormat",
    /// public message "Invalid format of the submitted route: {cause}. Correct the payload and try again."
    /// </summary>
    internal void ReplacePolicy(JsonObject tree, string provenance) => Locked(() =>
    {
        if (tree["receiver"]?.GetValue<string>() is not { Length: > 0 })
        {
            throw RouteInvalid("root route must specify a default receiver");
        }

        var names = contactPoints.Select(c => c["name"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var receiver in Receivers(tree))
        {
            if (!names.Contains(receiver))
            {
                throw RouteInvalid($"receiver '{receiver}' does not exist");
            }
        }

        foreach (var timing in MuteTimingNames(tree))
        {
            if (!muteTimings.ContainsKey(timing))
            {
                throw RouteInvalid($"mute time interval '{timing}' does not exist");
            }
        }

        var stored = Clone(tree);
        stored["provenance"] = provenance;
        policy = stored;
    });

    private static GrafanaException RouteInvalid(string cause) =>
        new(400, "alerting.notifications.routes.invalidFormat", $"Invalid format of the submitted route: {cause}. Correct the payload and try again.");

    internal void ResetPolicy() => Locked(() => policy = DefaultPolicy());

    private static JsonObject Validated(JsonObject request, string uid, string provenance, JsonObject? previous)
    {
        if (GrafanaNames.UidProblem(uid) is { } problem)
        {
            throw new GrafanaException(400, problem);
        }

        var name = request["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            throw new GrafanaException(400, "contact point name should not be empty");
        }

        var type = request["type"]!.GetValue<string>().Trim();
        var settings = (JsonObject)request["settings"]!.DeepClone();
        foreach (var secret in SecureSettings.GetValueOrDefault(type) ?? [])
        {
            // "[REDACTED]" sent back means "keep what is stored", as the UI does.
            if (settings[secret]?.GetValue<string>() == Redacted)
            {
                settings[secret] = previous?["settings"]?[secret]?.DeepClone();
            }
        }

        foreach (var required in RequiredSettings.GetValueOrDefault(type) ?? [])
        {
            if (!required.Split('|').Any(k => settings[k] is JsonValue v && v.ToString().Length > 0))
            {
                throw new GrafanaException(400, $"failed to validate integration \"{name}\" (UID {uid}) of type \"{type}\": {required.Replace("|", " or ", StringComparison.Ordinal)} must be specified");
            }
        }

        return new JsonObject
        {
            ["uid"] = uid,
            ["name"] = name,
            ["type"] = type,
            ["settings"] = settings,
            ["disableResolveMessage"] = request["disableResolveMessage"]?.DeepClone() ?? false,
            ["provenance"] = provenance,
        };
    }

    private static JsonObject RedactedCopy(JsonObject stored)
    {
        var copy = Clone(stored);
        var settings = (JsonObject)copy["settings"]!;
        foreach (var secret in SecureSettings.GetValueOrDefault(copy["type"]!.GetValue<string>()) ?? [])
        {
            if (settings[secret] is not null)
            {
                settings[secret] = Redacted;
            }
        }

        return copy;
    }

    private static HashSet<string> Receivers(JsonObject tree)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonObject route)
        {
            if (route["receiver"]?.GetValue<string>() is { Length: > 0 } receiver)
            {
                found.Add(receiver);
            }

            foreach (var child in route["routes"] as JsonArray ?? [])
            {
                if (child is JsonObject childRoute)
                {
                    Walk(childRoute);
                }
            }
        }

        Walk(tree);
        return found;
    }

    private static JsonObject DefaultEmailContactPoint() => new()
    {
        ["uid"] = GrafanaNames.NewUid(),
        ["name"] = DefaultContactPoint,
        ["type"] = "email",
        ["settings"] = new JsonObject { ["addresses"] = "<example@email.com>" },
        ["disableResolveMessage"] = false,
        ["provenance"] = "",
    };

    private static JsonObject DefaultPolicy() => new()
    {
        ["receiver"] = DefaultContactPoint,
        ["group_by"] = new JsonArray("grafana_folder", "alertname"),
        ["provenance"] = "",
    };
}
