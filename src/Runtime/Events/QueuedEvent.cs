using k8s;
using k8s.Models;

namespace MetricsOperator.Runtime.Events;

/// <summary>
/// An Event waiting to be written: what it is about, copied when it was recorded (the object may change or go before
/// the writer gets to it), and when it happened. A flush marker carries no Event, only the task its writer completes.
/// </summary>
internal sealed record QueuedEvent(V1ObjectReference Involved, string Uid, string Namespace, string Type, string Reason, string Message, DateTime At)
{
    /// <summary>Completed by the writer when it reaches this marker; null for an Event.</summary>
    public TaskCompletionSource? Flushed { get; private init; }

    /// <summary>The Event, with the message redacted and cut to the 1024 characters an Event's message is kept to here.</summary>
    public static QueuedEvent Of(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message, DateTime at)
    {
        message = Redactor.Redact(message);
        if (message.Length > 1024)
        {
            message = message[..1021] + "...";
        }

        var meta = involved.Metadata;
        var reference = new V1ObjectReference
        {
            ApiVersion = involved.ApiVersion,
            Kind = involved.Kind,
            Name = meta.Name,
            NamespaceProperty = meta.NamespaceProperty,
            Uid = meta.Uid,
            ResourceVersion = meta.ResourceVersion,
        };
        return new QueuedEvent(reference, meta.Uid ?? meta.Name, string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty, type, reason, message, at);
    }

    /// <summary>A marker that completes when every Event queued before it on its writer has been handled.</summary>
    public static QueuedEvent FlushMarker() =>
        new(new V1ObjectReference(), string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, default)
        {
            Flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
        };
}
