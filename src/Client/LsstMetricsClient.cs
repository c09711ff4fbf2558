using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lsst.Metrics.Client;

/// <summary>
/// Listens to <see cref="System.Diagnostics.Metrics"/> instruments and ships every measurement as its own InfluxDB
/// point. The record path only copies the measurement into a preallocated ring buffer; a background shipper formats
/// line protocol and writes it through InfluxDB.Client. Construction validates the settings and starts listening.
/// </summary>
public sealed class LsstMetricsClient : IAsyncDisposable, IDisposable
{
    /// <summary>Name of the client's own meter (counters sent, dropped, failed, …).</summary>
    public const string MeterName = "Lsst.Metrics.Client";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromMinutes(5);

    private readonly MetricsSettings _settings;
    private readonly ILogger _logger;
    private readonly ILineWriter _writer;
    private readonly MeasurementRing _ring;
    private readonly MeterListener _listener;
    private readonly Meter _meter;
    private readonly StringBuilder _batch = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _listenerLock = new();
    private readonly Lock _instrumentsLock = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];
    private readonly Task _shipper;
    private readonly Task _poller;

    private InstrumentState[] _instruments = [];
    private string? _pending;
    private int _pendingLines;
    private long _lastTimestamp;
    private ClockAnchor _anchor;
    private long _sent;
    private long _failed;
    private long _nonFinite;
    private long _invalid;
    private long _retries;
    private long _unauthorized;
    private long _renamed;
    private bool _listenerDisposed;
    private Task? _stop;

    /// <summary>Validates <paramref name="options"/> and starts listening and shipping.</summary>
    /// <exception cref="LsstMetricsConfigurationException">A setting is missing or invalid; the message names it.</exception>
    public LsstMetricsClient(LsstMetricsOptions options, ILogger<LsstMetricsClient>? logger = null)
        : this(MetricsSettings.Resolve(options), logger ?? (ILogger)NullLogger.Instance, writer: null)
    {
    }

    internal LsstMetricsClient(MetricsSettings settings, ILogger logger, ILineWriter? writer)
    {
        _settings = settings;
        _logger = logger;
        _writer = writer ?? new InfluxLineWriter(settings);
        _ring = new MeasurementRing(settings.BufferCapacity);

        _meter = new Meter(MeterName);
        _meter.CreateObservableCounter("sent", () => Volatile.Read(ref _sent), description: "Points the endpoint accepted.");
        _meter.CreateObservableCounter("dropped", () => _ring.Dropped, description: "Measurements dropped: buffer full, or unsent at the shutdown deadline.");
        _meter.CreateObservableCounter("failed", () => Volatile.Read(ref _failed), description: "Points the endpoint refused for good.");
        _meter.CreateObservableCounter("non_finite", () => Volatile.Read(ref _nonFinite), description: "NaN or infinite measurements skipped.");
        _meter.CreateObservableCounter("invalid", () => Volatile.Read(ref _invalid), description: "Measurements skipped because a tag cannot be written.");
        _meter.CreateObservableCounter("retries", () => Volatile.Read(ref _retries), description: "Failed write attempts that were retried.");
        _meter.CreateObservableCounter("unauthorized", () => Volatile.Read(ref _unauthorized), description: "Write attempts answered 401 (token re-read, batch retried).");
        _meter.CreateObservableCounter("renamed", () => Volatile.Read(ref _renamed), description: "Tags named 'time' written as 'time_'.");
        _meter.CreateObservableGauge("buffered", () => _ring.Count, description: "Measurements waiting in the buffer.");

        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
        };
        if (settings.ExactTimestamps)
        {
            SetRecordCallbacks<ExactRecordClock>(_listener);
        }
        else
        {
            SetRecordCallbacks<CoarseRecordClock>(_listener);
        }

        _listener.Start();

        _shipper = Task.Run(ShipLoopAsync);
        _poller = Task.Run(PollLoopAsync);
    }

    /// <summary>Bytes the preallocated buffer occupies (capacity × slot size).</summary>
    public long BufferBytes => (long)_ring.Capacity * MeasurementRing.SlotSize;

    /// <summary>The counts kept so far.</summary>
    public LsstMetricsStatistics Statistics => new(
        Recorded: _ring.Written,
        Sent: Volatile.Read(ref _sent),
        Dropped: _ring.Dropped,
        Failed: Volatile.Read(ref _failed),
        NonFinite: Volatile.Read(ref _nonFinite),
        Invalid: Volatile.Read(ref _invalid),
        Retries: Volatile.Read(ref _retries),
        Buffered: _ring.Count,
        Unauthorized: Volatile.Read(ref _unauthorized),
        Renamed: Volatile.Read(ref _renamed));

    /// <summary>Polls the observable instruments now (they are also polled every <c>ObservableInterval</c>).</summary>
    public void RecordObservableInstruments()
    {
        lock (_listenerLock)
        {
            if (_listenerDisposed)
            {
                return;
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
#pragma warning disable CA1031 // An app's observable callback must not take the client down.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogWarning(e, "An observable instrument's callback threw");
            }
        }
    }

    /// <summary>Completes when everything recorded before the call has been delivered (or refused for good).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushes)
        {
            _flushes.Add((_ring.Written, done));
        }

        _wake.Release();
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops listening, polls the observable instruments one last time and sends what is buffered, giving up after
    /// <c>ShutdownTimeout</c> or when <paramref name="cancellationToken"/> fires; what is left is counted as dropped.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_listenerLock)
        {
            _stop ??= StopCoreAsync(cancellationToken);
            return _stop;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync();

    /// <inheritdoc/>
    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    // The record path, on the app's thread: the listener hands back the state made once per instrument, so there is
    // no lookup; the value is passed as raw bits (no boxing) and the timestamp is a monotonic clock in Stopwatch's
    // units (the coarse one unless ExactTimestamps, see CoarseClock), converted to Unix nanoseconds on the shipper's
    // thread. The clock is a type argument, so each variant is compiled with its own clock and tests nothing per call.
    private static void SetRecordCallbacks<TClock>(MeterListener listener)
        where TClock : struct, IRecordClock
    {
        listener.SetMeasurementEventCallback<byte>(static (i, v, t, s) => Record<TClock>(s, v, false, t));
        listener.SetMeasurementEventCallback<short>(static (i, v, t, s) => Record<TClock>(s, v, false, t));
        listener.SetMeasurementEventCallback<int>(static (i, v, t, s) => Record<TClock>(s, v, false, t));
        listener.SetMeasurementEventCallback<long>(static (i, v, t, s) => Record<TClock>(s, v, false, t));
        listener.SetMeasurementEventCallback<float>(static (i, v, t, s) => RecordDouble<TClock>(s, v, t));
        listener.SetMeasurementEventCallback<double>(static (i, v, t, s) => RecordDouble<TClock>(s, v, t));
        listener.SetMeasurementEventCallback<decimal>(static (i, v, t, s) => RecordDouble<TClock>(s, (double)v, t));
    }

    private static void Record<TClock>(object? state, long value, bool isFloat, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where TClock : struct, IRecordClock
    {
        if (state is InstrumentState s)
        {
            s.Ring.Write(s, default(TClock).Now(), value, isFloat, tags);
        }
    }

    private static void RecordDouble<TClock>(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where TClock : struct, IRecordClock
    {
        if (state is InstrumentState s)
        {
            if (double.IsFinite(value))
            {
                s.Ring.Write(s, default(TClock).Now(), BitConverter.DoubleToInt64Bits(value), true, tags);
            }
            else
            {
                Interlocked.Increment(ref s.Owner._nonFinite);
            }
        }
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_settings.Matches(instrument.Meter.Name))
        {
            return;
        }

        var measurement = $"{instrument.Meter.Name}.{instrument.Name}";
        if (LineProtocol.InvalidMeasurement(measurement) is { } problem)
        {
            _logger.LogWarning("Not shipping instrument {Measurement}: its name {Problem}", measurement, problem);
            return;
        }

        InstrumentState state;
        lock (_instrumentsLock)
        {
            // Copied on write: the shipper reads the table without a lock, and a measurement that names an index is
            // recorded only after the table holding it was published.
            state = new InstrumentState(_instruments.Length, this, _ring, instrument, measurement, _settings);
            Volatile.Write(ref _instruments, [.. _instruments, state]);
        }

        listener.EnableMeasurementEvents(instrument, state);
    }

    private async Task PollLoopAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_settings.ObservableInterval);
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                RecordObservableInstruments();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ShipLoopAsync()
    {
        var token = _stopping.Token;
        var lastSend = Stopwatch.GetTimestamp();
        while (!token.IsCancellationRequested)
        {
            try
            {
                var due = _ring.Count >= _settings.BatchSize
                    || HasFlushRequests()
                    || (_ring.Count > 0 && Stopwatch.GetElapsedTime(lastSend) >= _settings.FlushInterval);
                if (due)
                {
                    await SendBufferedAsync(token);
                    lastSend = Stopwatch.GetTimestamp();
                    CompleteFlushes();
                    continue;
                }

                await _wake.WaitAsync(PollInterval, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Keep shipping whatever happens.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogError(e, "Metrics shipper failed; continuing");
                await Task.Delay(_settings.InitialRetryDelay, CancellationToken.None);
            }
        }
    }

    /// <summary>Sends the held batch, then batches from the ring until it is empty.</summary>
    private async Task SendBufferedAsync(CancellationToken token)
    {
        while (true)
        {
            if (_pending is null)
            {
                _pendingLines = FormatBatch(_settings.BatchSize);
                if (_pendingLines == 0)
                {
                    return;
                }

                _pending = _batch.ToString();
            }

            await SendPendingAsync(token);
        }
    }

    /// <summary>Sends <see cref="_pending"/> until it is accepted or refused, waiting between attempts.</summary>
    private async Task SendPendingAsync(CancellationToken token)
    {
        var delay = _settings.InitialRetryDelay;
        var failing = false;
        while (true)
        {
            var (outcome, retryAfter, error, refusedLines) = await _writer.WriteAsync(_pending!, _pendingLines, token);
            switch (outcome)
            {
                case WriteOutcome.Sent:
                    Interlocked.Add(ref _sent, _pendingLines);
                    if (failing)
                    {
                        _logger.LogInformation("Metrics endpoint {Url} accepts writes again", _settings.Url);
                    }

                    ClearPending();
                    return;
                case WriteOutcome.Rejected:
                    // A 400 may be partial: InfluxDB stored the other lines and says how many it dropped.
                    var refused = Math.Clamp(refusedLines ?? _pendingLines, 0, _pendingLines);
                    Interlocked.Add(ref _failed, refused);
                    Interlocked.Add(ref _sent, _pendingLines - refused);
                    _logger.LogError("Metrics endpoint {Url} refused {Refused} of {Lines} points: {Error}", _settings.Url, refused, _pendingLines, error);
                    ClearPending();
                    return;
                default:
                    Interlocked.Increment(ref _retries);
                    if (outcome == WriteOutcome.Unauthorized)
                    {
                        // Not permanent: the operator rotates the listener token and the mounted file follows.
                        Interlocked.Increment(ref _unauthorized);
                        _writer.ReloadToken();
                    }

                    if (!failing)
                    {
                        _logger.LogWarning("Writing metrics to {Url} failed, retrying: {Error}", _settings.Url, error);
                        failing = true;
                    }

                    TimeSpan wait;
                    if (retryAfter is { } ra)
                    {
                        wait = ra < LongestRetryAfter ? ra : LongestRetryAfter;
                    }
                    else
                    {
                        // Equal jitter: half the delay, plus up to the other half at random.
                        wait = (delay / 2) + (delay / 2 * Random.Shared.NextDouble());
                        delay = delay * 2 < _settings.MaxRetryDelay ? delay * 2 : _settings.MaxRetryDelay;
                    }

                    await Task.Delay(wait, token);
                    break;
            }
        }
    }

    private void ClearPending()
    {
        _pending = null;
        _pendingLines = 0;
    }

    /// <summary>Formats up to <paramref name="max"/> buffered measurements into <see cref="_batch"/>; returns the line count.</summary>
    private int FormatBatch(int max)
    {
        _batch.Clear();
        _anchor = ClockAnchor.Now();
        Span<char> scratch = stackalloc char[64];
        var lines = 0;
        while (lines < max && _ring.TryRead(out var m))
        {
            if (AppendLine(ref m, scratch))
            {
                lines++;
            }
        }

        if (_batch.Length > 0 && _batch[^1] == '\n')
        {
            _batch.Length--;
        }

        return lines;
    }

    private bool AppendLine(ref Measurement m, Span<char> scratch)
    {
        var sb = _batch;
        var state = Volatile.Read(ref _instruments)[m.InstrumentId];
        var lineStart = sb.Length;
        sb.Append(state.Prefix);

        ReadOnlySpan<KeyValuePair<string, object?>> tags = m.Overflow ?? ((ReadOnlySpan<KeyValuePair<string, object?>>)m.Tags)[..m.TagCount];
        for (var i = 0; i < tags.Length; i++)
        {
            var key = tags[i].Key;
            if (string.IsNullOrEmpty(key) || state.IsReserved(key) || SeenBefore(tags, i))
            {
                continue;
            }

            var text = LineProtocol.TagText(tags[i].Value, scratch);
            if (text.IsEmpty)
            {
                continue; // line protocol has no empty tag values: the tag is omitted
            }

            if (key == LineProtocol.TimeKey)
            {
                // InfluxDB refuses the tag key "time" and the whole point with it: keep the value under another key.
                if (HasKey(tags, LineProtocol.RenamedTimeKey))
                {
                    continue;
                }

                key = LineProtocol.RenamedTimeKey;
                Interlocked.Increment(ref _renamed);
            }

            if (LineProtocol.Invalid(key) is not null || LineProtocol.Invalid(text) is not null)
            {
                sb.Length = lineStart;
                Interlocked.Increment(ref _invalid);
                return false;
            }

            sb.Append(',');
            LineProtocol.AppendKey(sb, key).Append('=');
            LineProtocol.AppendKey(sb, text);
        }

        if (SeriesKeyTooLong(sb, lineStart))
        {
            sb.Length = lineStart;
            Interlocked.Increment(ref _invalid);
            return false;
        }

        sb.Append(" value=");
        if (m.IsFloat)
        {
            LineProtocol.AppendFloat(sb, BitConverter.Int64BitsToDouble(m.Bits));
        }
        else
        {
            LineProtocol.AppendInteger(sb, m.Bits);
        }

        sb.Append(' ');
        LineProtocol.AppendTimestamp(sb, UniqueTimestamp(m.Timestamp));
        sb.Append('\n');
        return true;
    }

    private static bool HasKey(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (string.Equals(tag.Key, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the series key written since <paramref name="start"/> exceeds InfluxDB's 65,535 bytes (UTF-8).</summary>
    private static bool SeriesKeyTooLong(StringBuilder sb, int start)
    {
        var chars = sb.Length - start;
        if (chars * 3 <= LineProtocol.MaxSeriesKeyBytes)
        {
            return false; // a UTF-16 char is at most 3 UTF-8 bytes: no need to count
        }

        return Encoding.UTF8.GetByteCount(sb.ToString(start, chars)) > LineProtocol.MaxSeriesKeyBytes;
    }

    private static bool SeenBefore(ReadOnlySpan<KeyValuePair<string, object?>> tags, int index)
    {
        for (var j = 0; j < index; j++)
        {
            if (string.Equals(tags[j].Key, tags[index].Key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Record time in Unix nanoseconds, made strictly increasing in shipping order so that two measurements of one
    /// series never share a timestamp (InfluxDB would keep only the last).
    /// </summary>
    private long UniqueTimestamp(long stopwatchTimestamp)
    {
        var delta = _anchor.StopwatchTicks - stopwatchTimestamp;
        var deltaNs = Stopwatch.Frequency == 1_000_000_000
            ? delta
            : (long)((Int128)delta * 1_000_000_000 / Stopwatch.Frequency);
        var ns = _anchor.UnixNs - deltaNs;
        if (ns <= _lastTimestamp)
        {
            ns = _lastTimestamp + 1;
        }

        _lastTimestamp = ns;
        return ns;
    }

    private bool HasFlushRequests()
    {
        lock (_flushes)
        {
            return _flushes.Count > 0;
        }
    }

    private void CompleteFlushes()
    {
        if (_pending is not null)
        {
            return;
        }

        var read = _ring.ReadPosition;
        lock (_flushes)
        {
            for (var i = _flushes.Count - 1; i >= 0; i--)
            {
                if (_flushes[i].Target <= read)
                {
                    _flushes[i].Done.TrySetResult();
                    _flushes.RemoveAt(i);
                }
            }
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_settings.ShutdownTimeout);

        // A last look at the observable instruments, then no more measurements.
        RecordObservableInstruments();
        lock (_listenerLock)
        {
            _listenerDisposed = true;
            _listener.Dispose();
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(_shipper, _poller);

        try
        {
            await SendBufferedAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            var lost = _pendingLines + _ring.Count;
            _ring.AddDropped(lost);
            _logger.LogWarning("Metrics client stopped before the endpoint took {Lost} buffered points", lost);
        }

        CompleteFlushes();
        lock (_flushes)
        {
            foreach (var (_, done) in _flushes)
            {
                done.TrySetCanceled(CancellationToken.None);
            }

            _flushes.Clear();
        }

        _meter.Dispose();
        _writer.Dispose();
        _wake.Dispose();
        _stopping.Dispose();
    }
}
