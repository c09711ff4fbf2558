using k8s.Models;
using MetricsOperator.Crds;
using MetricsOperator.Runtime.Client;
using MetricsOperator.Stacks.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsOperator.Stacks.WriteAccess;

/// <summary>The listener token in use: its value (for the copies, never logged), when it was made, and when it is due.</summary>
/// <param name="Token">The token.</param>
/// <param name="Created">When it was made: the revision that rolls Telegraf.</param>
/// <param name="RotateAt">When <c>rotateEvery</c> replaces it; null when only a request does.</param>
public sealed record ListenerToken(string Token, DateTime Created, DateTime? RotateAt)
{
    /// <summary>The pod-template revision of this token.</summary>
    public string Revision => WriteTokenSecrets.Revision(Created);
}

/// <summary>
/// Makes and rotates the token Telegraf's listener accepts, kept in <c>&lt;stack&gt;-listener-token</c> in the stack's
/// namespace (GET, POST and merge PATCH there, as the stack-namespace role allows). Rotation writes the Secret first;
/// Telegraf rolls because its pod template carries the token's creation time, and the copies follow in the same reconcile.
/// </summary>
public sealed class ListenerTokens(KubeApi api, TimeProvider? time = null, ILogger? logger = null)
{
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private readonly ILogger logger = logger ?? NullLogger.Instance;

    /// <summary>The token to use now, made or replaced first when <see cref="ListenerTokenPolicy"/> says so.</summary>
    public async Task<ListenerToken> EnsureAsync(V1Alpha1MetricsStack stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var ns = StackNames.Namespace(stack);
        var name = StackNames.ListenerTokenSecret(stack);
        var source = await api.GetAsync<V1Secret>(ns, name, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        var change = ListenerTokenPolicy.Decide(stack, source, now);
        if (change == ListenerTokenChange.None)
        {
            return Describe(stack, source!);
        }

        // A request that was already there when the first token was made is answered by it: it must not rotate again.
        var desired = WriteTokenSecrets.Source(stack, WriteTokenSecrets.NewToken(), now, WriteTokenSecrets.RequestOf(stack) ?? WriteTokenSecrets.AnsweredRequestOf(source));
        try
        {
            source = source is null
                ? await api.CreateAsync(desired, cancellationToken).ConfigureAwait(false)
                : await api.PatchAsync<V1Secret>(ns, name, PatchType.Merge, SecretPatch.Replacing(source, desired), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            // Another replica made or rotated it in between: its token wins, never two tokens for one listener.
            source = await api.GetAsync<V1Secret>(ns, name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Secret {name} changed and cannot be read", e);
            return Describe(stack, source);
        }

        logger.LogInformation("Made a new listener token for MetricsStack {Namespace}/{Name} in Secret {Secret} ({Why})", ns, stack.Metadata.Name, name, change);
        return Describe(stack, source ?? desired);
    }

    private static ListenerToken Describe(V1Alpha1MetricsStack stack, V1Secret source)
    {
        var created = ListenerTokenPolicy.Created(source);
        return new ListenerToken(WriteTokenSecrets.TokenOf(source)!, created, ListenerTokenPolicy.RotateAt(stack, created));
    }
}
