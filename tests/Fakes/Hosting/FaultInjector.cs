using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace MetricsOperator.Fakes.Hosting;

/// <summary>
/// Makes a running fake misbehave on purpose. Connection-refused outages are <see cref="FakeServer.StopAsync"/> and
/// <see cref="FakeServer.StartAsync"/> (the port is kept); everything here applies to requests that do arrive.
/// </summary>
public sealed class FaultInjector
{
    private readonly ConcurrentQueue<PlannedFailure> planned = new();
    private long latencyTicks;
    private volatile bool unavailable;
    private volatile bool resetConnections;

    /// <summary>Delay added before every request is handled (timeouts: set it above the client's timeout).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref latencyTicks));
        set => Interlocked.Exchange(ref latencyTicks, value.Ticks);
    }

    /// <summary>Answer every request with 503 (the process is up, the service is not).</summary>
    public bool Unavailable
    {
        get => unavailable;
        set => unavailable = value;
    }

    /// <summary>Abort every request's connection without an answer (the client sees a reset).</summary>
    public bool ResetConnections
    {
        get => resetConnections;
        set => resetConnections = value;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests (matching <paramref name="method"/> and <paramref name="template"/>
    /// when given) are answered with <paramref name="status"/>, and <paramref name="message"/> as the error body's message
    /// when given (e.g. to plant a secret where a server might echo one).
    /// </summary>
    public void FailNext(int count, int status = 500, string? method = null, string? template = null, string? message = null)
    {
        for (var i = 0; i < count; i++)
        {
            planned.Enqueue(new PlannedFailure(status, method, template, message));
        }
    }

    /// <summary>
    /// Lets <paramref name="writes"/> more write requests (any method but GET and HEAD) through, then answers the next one
    /// with <paramref name="status"/>: a client stopped half-way through a sequence of writes.
    /// </summary>
    public void FailWriteAfter(int writes, int status = 500)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writes);
        lock (writeGate)
        {
            writesBeforeFailure = writes;
            writeFailureStatus = status;
        }
    }

    private readonly Lock writeGate = new();
    private int writesBeforeFailure = -1;
    private int writeFailureStatus;

    /// <summary>The message of the planned failure <see cref="ApplyAsync"/> answered with last, if it carried one.</summary>
    internal string? TakenMessage { get; private set; }

    /// <summary>Back to normal: no latency, no failures.</summary>
    public void Clear()
    {
        Latency = TimeSpan.Zero;
        Unavailable = false;
        ResetConnections = false;
        planned.Clear();
        lock (writeGate)
        {
            writesBeforeFailure = -1;
        }
    }

    /// <summary>Applies the faults; returns a status to answer with, or null to handle the request normally.</summary>
    internal async Task<int?> ApplyAsync(HttpContext context, string template)
    {
        var latency = Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        if (ResetConnections)
        {
            context.Abort();
            return 0;
        }

        if (Unavailable)
        {
            return StatusCodes.Status503ServiceUnavailable;
        }

        if (!Microsoft.AspNetCore.Http.HttpMethods.IsGet(context.Request.Method) && !Microsoft.AspNetCore.Http.HttpMethods.IsHead(context.Request.Method))
        {
            lock (writeGate)
            {
                if (writesBeforeFailure == 0)
                {
                    writesBeforeFailure = -1;
                    return writeFailureStatus;
                }

                if (writesBeforeFailure > 0)
                {
                    writesBeforeFailure--;
                }
            }
        }

        return TakePlanned(context.Request.Method, template);
    }

    private int? TakePlanned(string method, string template)
    {
        // Only the head of the queue is considered so failures are consumed in the order they were planned.
        if (planned.TryPeek(out var next) && next.Matches(method, template) && planned.TryDequeue(out var taken))
        {
            TakenMessage = taken.Message;
            return taken.Status;
        }

        return null;
    }

    private sealed record PlannedFailure(int Status, string? Method, string? Template, string? Message)
    {
        public bool Matches(string method, string template) =>
            (Method is null || Method.Equals(method, StringComparison.OrdinalIgnoreCase)) &&
            (Template is null || Template.Equals(template, StringComparison.Ordinal));
    }
}
