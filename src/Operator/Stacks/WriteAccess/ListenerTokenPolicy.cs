using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Stacks.Builders;

namespace MetricsOperator.Stacks.WriteAccess;

/// <summary>Why the listener token must be (re)made now.</summary>
public enum ListenerTokenChange
{
    /// <summary>The token in the source Secret stays.</summary>
    None,

    /// <summary>There is no source Secret, or it holds no token.</summary>
    Missing,

    /// <summary>The stack's <c>metrics.lsst.io/rotate-write-token</c> annotation holds a value the Secret has not answered.</summary>
    Requested,

    /// <summary>The token is older than <c>spec.telegraf.writeAccess.rotateEvery</c>.</summary>
    Expired,
}

/// <summary>When the listener token is made and replaced. Pure: the Secret and the time are passed in.</summary>
public static class ListenerTokenPolicy
{
    /// <summary>What must happen to the token in <paramref name="source"/> at <paramref name="now"/>.</summary>
    public static ListenerTokenChange Decide(V1Alpha1MetricsStack stack, V1Secret? source, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (WriteTokenSecrets.TokenOf(source) is null)
        {
            return ListenerTokenChange.Missing;
        }

        if (WriteTokenSecrets.RequestOf(stack) is { } request && request != WriteTokenSecrets.AnsweredRequestOf(source))
        {
            return ListenerTokenChange.Requested;
        }

        return RotateAt(stack, Created(source!)) is { } due && due <= now ? ListenerTokenChange.Expired : ListenerTokenChange.None;
    }

    /// <summary>When a token made at <paramref name="created"/> is due for replacement, or null when only requests replace it.</summary>
    public static DateTime? RotateAt(V1Alpha1MetricsStack stack, DateTime created)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var period = stack.Spec?.Telegraf?.WriteAccess?.RotateEvery;
        return SpecDuration.TryParse(period, out var seconds) && seconds > 0 ? created.AddSeconds(seconds) : null;
    }

    /// <summary>When the token in <paramref name="source"/> was made: its annotation, else the Secret's creation (a Secret edited by hand).</summary>
    public static DateTime Created(V1Secret source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return WriteTokenSecrets.CreatedOf(source) ?? source.Metadata?.CreationTimestamp?.ToUniversalTime() ?? DateTime.MinValue;
    }
}
