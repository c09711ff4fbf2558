using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Grafana;

/// <summary>
/// <c>/api/v1/provisioning/…</c>: alert rules one by one and by group, contact points, the notification policy tree.
/// </summary>
internal static class GrafanaAlertingEndpoints
{
    private const string Rules = "/api/v1/provisioning/alert-rules";
    private const string Group = "/api/v1/provisioning/folder/{FolderUID}/rule-groups/{Group}";

    public static void Map(WebApplication app, GrafanaState state)
    {
        app.Map("GET", Rules, async context =>
        {
            // The benchmark lists 5000 rules per resync: serialise straight from the store.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(state.RulesJson(), context.RequestAborted);
        });
        app.Map("POST", Rules, async context =>
        {
            var rule = state.CreateRule(await GrafanaHttp.ReadObjectAsync(context), GrafanaHttp.Provenance(context));
            await GrafanaHttp.WriteJsonAsync(context, 201, rule);
        });
        app.Map("GET", Rules + "/{UID}", context =>
        {
            var rule = state.Rule(GrafanaHttp.Route(context, "UID")) ?? throw new GrafanaException(404, "rule not found", emptyBody: true);
            return GrafanaHttp.WriteJsonAsync(context, 200, rule);
        });
        app.Map("PUT", Rules + "/{UID}", async context =>
        {
            var body = await GrafanaHttp.ReadObjectAsync(context);
            var rule = state.UpdateRule(GrafanaHttp.Route(context, "UID"), body, GrafanaHttp.Provenance(context));
            await GrafanaHttp.WriteJsonAsync(context, 200, rule);
        });
        app.Map("DELETE", Rules + "/{UID}", context =>
        {
            state.DeleteRule(GrafanaHttp.Route(context, "UID"), GrafanaHttp.Provenance(context));
            return GrafanaHttp.Status(context, 204);
        });

        app.Map("GET", Group, context =>
        {
            var group = state.Group(GrafanaHttp.Route(context, "FolderUID"), GrafanaHttp.Route(context, "Group"))
                ?? throw new GrafanaException(404, "rule group not found", emptyBody: true);
            return GrafanaHttp.WriteJsonAsync(context, 200, new JsonObject
            {
                ["title"] = group.Title,
                ["folderUid"] = group.FolderUid,
                ["interval"] = group.IntervalSeconds,
                ["rules"] = new JsonArray([.. group.Rules]),
            });
        });
        app.Map("PUT", Group, async context =>
        {
            var body = await GrafanaHttp.ReadObjectAsync(context);
            var key = new GrafanaGroupKey(GrafanaHttp.Route(context, "FolderUID"), GrafanaHttp.Route(context, "Group"));
            if (key.Title.Length > GrafanaNames.MaxTitleLength)
            {
                throw new GrafanaException(400, $"invalid alert rule: rule group name is too long. Max length is {GrafanaNames.MaxTitleLength}");
            }

            state.ReplaceGroup(key, body["interval"]?.GetValue<long>() ?? 0, body["rules"] as JsonArray, GrafanaHttp.Provenance(context));
            // Grafana answers with the request itself, folder and title taken from the path: read the group back for
            // what was stored (generated UIDs, normalised durations).
            body["folderUid"] = key.FolderUid;
            body["title"] = key.Title;
            await GrafanaHttp.WriteJsonAsync(context, 200, body);
        });
        app.Map("DELETE", Group, context =>
        {
            var key = new GrafanaGroupKey(GrafanaHttp.Route(context, "FolderUID"), GrafanaHttp.Route(context, "Group"));
            return state.DeleteGroup(key)
                ? GrafanaHttp.Status(context, 204)
                : throw new GrafanaException(404, "rule group not found");
        });

        app.Map("GET", "/api/v1/provisioning/contact-points", context =>
            GrafanaHttp.WriteJsonAsync(context, 200, state.ListContactPoints(GrafanaHttp.Query(context, "name"))));
        app.Map("POST", "/api/v1/provisioning/contact-points", async context =>
        {
            var created = state.CreateContactPoint(await GrafanaHttp.ReadObjectAsync(context), GrafanaHttp.Provenance(context));
            await GrafanaHttp.WriteJsonAsync(context, 202, created);
        });
        app.Map("PUT", "/api/v1/provisioning/contact-points/{UID}", async context =>
        {
            state.UpdateContactPoint(GrafanaHttp.Route(context, "UID"), await GrafanaHttp.ReadObjectAsync(context), GrafanaHttp.Provenance(context));
            await GrafanaHttp.WriteJsonAsync(context, 202, new JsonObject());
        });
        app.Map("DELETE", "/api/v1/provisioning/contact-points/{UID}", context =>
        {
            state.DeleteContactPoint(GrafanaHttp.Route(context, "UID"));
            return GrafanaHttp.Status(context, 202);
        });

        // Mute timings and templates: api_provisioning.go's RouteGetMuteTimings … RouteDeleteTemplate (Grafana 11.4), statuses
        // as its handlers answer them (201 on POST, 202 on PUT, 204 on DELETE even for a name that is not there).
        const string MuteTimings = "/api/v1/provisioning/mute-timings";
        const string Templates = "/api/v1/provisioning/templates";
        app.Map("GET", MuteTimings, context => GrafanaHttp.WriteJsonAsync(context, 200, state.ListMuteTimings()));
        app.Map("POST", MuteTimings, async context =>
            await GrafanaHttp.WriteJsonAsync(context, 201, state.CreateMuteTiming(await GrafanaHttp.ReadObjectAsync(context), GrafanaHttp.Provenance(context))));
        app.Map("GET", MuteTimings + "/{name}", context => GrafanaHttp.WriteJsonAsync(context, 200, state.MuteTiming(GrafanaHttp.Route(context, "name"))));
        app.Map("PUT", MuteTimings + "/{name}", async context =>
        {
            var updated = state.UpdateMuteTiming(GrafanaHttp.Route(context, "name"), await GrafanaHttp.ReadObjectAsync(context), GrafanaHttp.Provenance(context));
            await GrafanaHttp.WriteJsonAsync(context, 202, updated);
        });
        app.Map("DELETE", MuteTimings + "/{name}", context =>
        {
            state.DeleteMuteTiming(GrafanaHttp.Route(context, "name"), GrafanaHttp.Query(context, "version"));
            return GrafanaHttp.Status(context, 204);
        });
        app.Map("GET", Templates, context => GrafanaHttp.WriteJsonAsync(context, 200, state.ListTemplates()));
        app.Map("GET", Templates + "/{name}", context => GrafanaHttp.WriteJsonAsync(context, 200, state.Template(GrafanaHttp.Route(context, "name"))));
        app.Map("PUT", Templates + "/{name}", async context =>
        {
            var saved = state.PutTemplate(GrafanaHttp.Route(context, "name"), await GrafanaHttp.ReadObjectAsync(context), GrafanaHttp.Provenance(context));
            await GrafanaHttp.WriteJsonAsync(context, 202, saved);
        });
        app.Map("DELETE", Templates + "/{name}", context =>
        {
            state.DeleteTemplate(GrafanaHttp.Route(context, "name"), GrafanaHttp.Query(context, "version"));
            return GrafanaHttp.Status(context, 204);
        });

        app.Map("GET", "/api/v1/provisioning/policies", context => GrafanaHttp.WriteJsonAsync(context, 200, state.PolicyTree));
        app.Map("PUT", "/api/v1/provisioning/policies", async context =>
        {
            var tree = await GrafanaHttp.ReadObjectAsync(context);
            // The tests' window into a race Grafana leaves open (the PUT has no precondition): another writer may act
            // between this request's arrival and its write, or right after it.
            await (state.BeforePolicyWrite?.Invoke() ?? Task.CompletedTask);
            state.ReplacePolicy(tree, GrafanaHttp.Provenance(context));
            await (state.AfterPolicyWrite?.Invoke() ?? Task.CompletedTask);
            await GrafanaHttp.WriteJsonAsync(context, 202, new JsonObject());
        });
        app.Map("DELETE", "/api/v1/provisioning/policies", context =>
        {
            state.ResetPolicy();
            return GrafanaHttp.WriteJsonAsync(context, 202, new JsonObject());
        });
    }
}
