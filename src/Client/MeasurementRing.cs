using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lsst.Metrics.Client;

/// <summary>Up to eight tags stored inline in a ring slot.</summary>
[InlineArray(MeasurementRing.InlineTags)]
internal struct InlineTags
{
    private KeyValuePair<string, object?> _element;
}

/// <summary>One recorded measurement, as the record path stores it: references and raw bits only, nothing formatted.</summary>
internal struct Measurement
{
    /// <summary>Ring sequence number (the slot's state in the queue protocol).</summary>
    public long Sequence;

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at record time.</summary>
    public long Timestamp;

    /// <summary>The value: a <see cref="long"/>, or a <see cref="double"/>'s bits when <see cref="IsFloat"/>.</summary>
    public long Bits;

    /// <summary>
    /// The instrument the measurement came from, as its <see cref="InstrumentState.Id"/>: a number, not a reference,
    /// so that a measurement without tags is stored with no GC write barrier.
    /// </summary>
    public int InstrumentId;

    /// <summary>All tags, when there are more than fit inline (the one case that allocates).</summary>
    public KeyValuePair<string, object?>[]? Overflow;

    /// <summary>Number of inline tags.</summary>
    public int TagCount;

    /// <summary>Whether <see cref="Bits"/> holds a double.</summary>
    public bool IsFloat;

    /// <summary>The tags, when they fit inline.</summary>
    public InlineTags Tags;
}

/// <summary>
/// A preallocated, bounded, lock-free multi-producer queue of <see cref="Measurement"/> structs (Vyukov's bounded
/// queue). Writers never wait: when the ring is full a writer discards the oldest entries (up to
/// <see cref="DropChunk"/> at once, counting them) and retries; after a few failed tries (the reader holds the slot)
/// it discards its own measurement instead, also counted.
/// </summary>
internal sealed class MeasurementRing
{
    /// <summary>Tags kept inline per measurement; more cost one array allocation.</summary>
    public const int InlineTags = 8;

    /// <summary>Most measurements discarded at once when the ring is full.</summary>
    public const int DropChunk = 64;

    private readonly Measurement[] _slots;
    private readonly long _mask;
    private readonly int _dropChunk;
    private PaddedLong _tail;
    private PaddedLong _head;
    private PaddedLong _dropped;

    public MeasurementRing(int capacity)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "must be a power of two");
        }

        _slots = GC.AllocateArray<Measurement>(capacity, pinned: false);
        _mask = capacity - 1;
        _dropChunk = Math.Min(DropChunk, capacity / 16);
        for (var i = 0; i < capacity; i++)
        {
            _slots[i].Sequence = i;
        }
    }

    /// <summary>Number of slots.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Bytes the slots occupy (fixed for the client's lifetime).</summary>
    public static int SlotSize => Unsafe.SizeOf<Measurement>();

    /// <summary>Measurements discarded because the ring was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped.Value);

    /// <summary>Measurements ever accepted (the write position).</summary>
    public long Written => Volatile.Read(ref _tail.Value);

    /// <summary>Read position: everything before it was read or discarded.</summary>
    public long ReadPosition => Volatile.Read(ref _head.Value);

    /// <summary>Approximate number of measurements waiting.</summary>
    public int Count => (int)Math.Clamp(Written - ReadPosition, 0, _slots.Length);

    /// <summary>
    /// Adds a measurement; never blocks, never throws, never allocates for up to <see cref="InlineTags"/> tags. This is
    /// the app's recording thread: one compare-and-swap to claim a slot, then plain stores of references and bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(InstrumentState instrument, long timestamp, long bits, bool isFloat, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // The common case, inlined into the record callbacks: tags fit inline and the slot at the tail is free.
        if (tags.Length <= InlineTags)
        {
            var pos = Volatile.Read(ref _tail.Value);
            ref var slot = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), (nint)(pos & _mask));
            if (Volatile.Read(ref slot.Sequence) == pos && Interlocked.CompareExchange(ref _tail.Value, pos + 1, pos) == pos)
            {
                Fill(ref slot, instrument, timestamp, bits, isFloat, tags, overflow: null);
                Volatile.Write(ref slot.Sequence, pos + 1);
                return;
            }
        }

        WriteContended(instrument, timestamp, bits, isFloat, tags);
    }

    /// <summary>
    /// Everything else, out of line so the inlined path stays small: more tags than fit inline, another writer taking
    /// the slot first, a full ring.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteContended(InstrumentState instrument, long timestamp, long bits, bool isFloat, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        KeyValuePair<string, object?>[]? overflow = null;
        if (tags.Length > InlineTags)
        {
            // Before claiming a slot: a claimed slot must be published, and it must not be published without its tags.
            overflow = CopyOverflow(tags);
            if (overflow is null)
            {
                Interlocked.Increment(ref _dropped.Value);
                return;
            }
        }

        ref var slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var pos = Volatile.Read(ref _tail.Value);
            while (true)
            {
                ref var slot = ref Unsafe.Add(ref slots, (nint)(pos & _mask));
                var dif = Volatile.Read(ref slot.Sequence) - pos;
                if (dif == 0)
                {
                    if (Interlocked.CompareExchange(ref _tail.Value, pos + 1, pos) == pos)
                    {
                        Fill(ref slot, instrument, timestamp, bits, isFloat, tags, overflow);
                        Volatile.Write(ref slot.Sequence, pos + 1);
                        return;
                    }

                    pos = Volatile.Read(ref _tail.Value);
                }
                else if (dif < 0)
                {
                    break; // full (or the reader still holds this slot)
                }
                else
                {
                    pos = Volatile.Read(ref _tail.Value);
                }
            }

            // Full: make room by discarding the oldest measurements, a chunk at a time so that a writer facing a
            // full ring pays for one discard per chunk, not per measurement.
            DiscardOldest();
        }

        // Still no room after several tries: give up on this measurement rather than wait.
        Interlocked.Increment(ref _dropped.Value);
    }

    /// <summary>Stores a measurement in the slot this writer claimed: plain stores of references and bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fill(ref Measurement slot, InstrumentState instrument, long timestamp, long bits, bool isFloat, ReadOnlySpan<KeyValuePair<string, object?>> tags, KeyValuePair<string, object?>[]? overflow)
    {
        slot.Timestamp = timestamp;
        slot.Bits = bits;
        slot.IsFloat = isFloat;
        slot.InstrumentId = instrument.Id;
        if (overflow is null)
        {
            slot.Overflow = null;
            slot.TagCount = tags.Length;

            // Element by element: for a few tags this is cheaper than a span copy, which for structs holding
            // references is a bulk move with write barriers through the runtime.
            ref var inline = ref Unsafe.As<InlineTags, KeyValuePair<string, object?>>(ref slot.Tags);
            for (var i = 0; i < tags.Length; i++)
            {
                Unsafe.Add(ref inline, i) = tags[i];
            }
        }
        else
        {
            slot.Overflow = overflow;
            slot.TagCount = 0;
        }
    }

    /// <summary>Takes the oldest measurement; false when the ring is empty.</summary>
    public bool TryRead(out Measurement measurement) => TryDequeue(out measurement);

    /// <summary>Counts measurements lost elsewhere (e.g. not delivered before the shutdown deadline) as dropped.</summary>
    public void AddDropped(long count) => Interlocked.Add(ref _dropped.Value, count);

    /// <summary>
    /// Claims up to <see cref="DropChunk"/> published measurements at the head with one compare-and-swap and releases
    /// their slots unread. Safe against the reader and other writers: a published slot can only change state once the
    /// head has moved past it, which would make the swap fail.
    /// </summary>
    private void DiscardOldest()
    {
        var pos = Volatile.Read(ref _head.Value);
        var n = 0;
        while (n < _dropChunk && Volatile.Read(ref _slots[(pos + n) & _mask].Sequence) == pos + n + 1)
        {
            n++;
        }

        if (n == 0 || Interlocked.CompareExchange(ref _head.Value, pos + n, pos) != pos)
        {
            return;
        }

        for (var i = 0; i < n; i++)
        {
            Volatile.Write(ref _slots[(pos + i) & _mask].Sequence, pos + i + _mask + 1);
        }

        Interlocked.Add(ref _dropped.Value, n);
    }

    /// <summary>More tags than fit inline: the one case that allocates; null when even that fails.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static KeyValuePair<string, object?>[]? CopyOverflow(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        try
        {
            return tags.ToArray();
        }
#pragma warning disable CA1031 // The record path never throws into the app: out of memory drops the measurement, counted.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private bool TryDequeue(out Measurement measurement)
    {
        var pos = Volatile.Read(ref _head.Value);
        while (true)
        {
            ref var slot = ref _slots[pos & _mask];
            var dif = Volatile.Read(ref slot.Sequence) - (pos + 1);
            if (dif == 0)
            {
                if (Interlocked.CompareExchange(ref _head.Value, pos + 1, pos) == pos)
                {
                    measurement = slot;
                    Volatile.Write(ref slot.Sequence, pos + _mask + 1);
                    return true;
                }

                pos = Volatile.Read(ref _head.Value);
            }
            else if (dif < 0)
            {
                measurement = default;
                return false;
            }
            else
            {
                pos = Volatile.Read(ref _head.Value);
            }
        }
    }

    /// <summary>A counter alone on its cache line(s), so writers and the reader do not share lines.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedLong
    {
        [FieldOffset(64)]
        public long Value;
    }
}
