using MetricsOperator.Crds;
using MetricsOperator.Grafana;

namespace MetricsOperator.Alerts.Routing;

/// <summary>
/// Keeps the stack's notification templates and mute timings in Grafana, and knows which ones are the stack's: they
/// have no UID to carry that, so the names written are recorded in <c>status.alerting</c>, and only recorded names
/// are ever deleted (a template or mute timing someone else made under another name is never touched). Writes come
/// before the contact points and the policy that name them; deletions after the policy stopped naming them.
/// </summary>
public sealed class NotificationObjectsSync(GrafanaClient client, AlertingStatus? recorded)
{
    private readonly SortedSet<string> templates = new(recorded?.Templates ?? [], StringComparer.Ordinal);
    private readonly SortedSet<string> muteTimings = new(recorded?.MuteTimings ?? [], StringComparer.Ordinal);

    /// <summary>What to record in status: every name written and not deleted since.</summary>
    public AlertingStatus Owned => new() { Templates = [.. templates], MuteTimings = [.. muteTimings] };

    /// <summary>Creates or replaces what differs; returns the number of writes.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<NotificationTemplate> desiredTemplates, IReadOnlyList<MuteTiming> desiredTimings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desiredTemplates);
        ArgumentNullException.ThrowIfNull(desiredTimings);
        var writes = 0;
        var storedTemplates = desiredTemplates.Count == 0 && templates.Count == 0 ? [] : await client.ListTemplatesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var template in desiredTemplates)
        {
            // What the spec names is the stack's whether it needed a write or not: recorded either way, so a reconcile
            // that read an older status (the cache can lag this process's own status write) does not drop a name from
            // status and leave its object in Grafana for good once the spec stops naming it.
            templates.Add(template.Name);
            if (storedTemplates.FirstOrDefault(t => t.Name == template.Name) is not { } stored || !NotificationContent.SameTemplate(template, stored))
            {
                await client.PutTemplateAsync(template.Name, template.Template, editable: false, cancellationToken).ConfigureAwait(false);
                writes++;
            }
        }

        var storedTimings = desiredTimings.Count == 0 && muteTimings.Count == 0 ? [] : await client.ListMuteTimingsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var timing in desiredTimings)
        {
            muteTimings.Add(timing.Name); // recorded either way, as the templates above
            var stored = storedTimings.FirstOrDefault(t => t.Name == timing.Name);
            if (stored is not null && NotificationContent.SameMuteTiming(timing, stored))
            {
                continue;
            }

            await (stored is null
                ? client.CreateMuteTimingAsync(timing, editable: false, cancellationToken)
                : client.UpdateMuteTimingAsync(timing, editable: false, cancellationToken)).ConfigureAwait(false);
            writes++;
        }

        return writes;
    }

    /// <summary>Deletes the recorded ones the spec no longer names; returns the number deleted.</summary>
    public async Task<int> DeleteStaleAsync(IReadOnlyList<NotificationTemplate> desiredTemplates, IReadOnlyList<MuteTiming> desiredTimings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desiredTemplates);
        ArgumentNullException.ThrowIfNull(desiredTimings);
        var deleted = 0;
        foreach (var name in muteTimings.Except(desiredTimings.Select(t => t.Name), StringComparer.Ordinal).ToList())
        {
            // Grafana refuses (409) while a route or a rule still names it: reported, and tried again next time.
            await client.DeleteMuteTimingAsync(name, cancellationToken).ConfigureAwait(false);
            muteTimings.Remove(name);
            deleted++;
        }

        foreach (var name in templates.Except(desiredTemplates.Select(t => t.Name), StringComparer.Ordinal).ToList())
        {
            await client.DeleteTemplateAsync(name, cancellationToken).ConfigureAwait(false);
            templates.Remove(name);
            deleted++;
        }

        return deleted;
    }
}
