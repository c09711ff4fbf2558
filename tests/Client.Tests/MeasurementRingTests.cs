using System.Diagnostics.Metrics;

namespace Lsst.Metrics.Client.Tests;

public class MeasurementRingTests
{
    private static readonly InstrumentState State = CreateState();

    private static InstrumentState CreateState()
    {
        var options = Support.TestOptions.For("http://127.0.0.1:1", "Ring");
        var settings = MetricsSettings.Resolve(options);
        var meter = new Meter("Ring.Unused");
        return new InstrumentState(0, null!, null!, meter.CreateCounter<long>("c"), "Ring.c", settings);
    }

    private static List<long> Drain(MeasurementRing ring)
    {
        var values = new List<long>();
        while (ring.TryRead(out var m))
        {
            values.Add(m.Bits);
        }

        return values;
    }

    [Fact]
    public void Keeps_order_and_tags()
    {
        var ring = new MeasurementRing(1024);
        ring.Write(State, 1, 10, false, [new("a", "x"), new("b", 2)]);
        ring.Write(State, 2, 20, true, []);
        ring.TryRead(out var first).ShouldBeTrue();
        first.Bits.ShouldBe(10);
        first.TagCount.ShouldBe(2);
        ((ReadOnlySpan<KeyValuePair<string, object?>>)first.Tags)[1].Value.ShouldBe(2);
        ring.TryRead(out var second).ShouldBeTrue();
        second.IsFloat.ShouldBeTrue();
        ring.TryRead(out _).ShouldBeFalse();
    }

    [Fact]
    public void A_reused_slot_holds_only_its_own_tags()
    {
        // Slots are reused lap after lap and tags are copied in one by one: what an earlier lap left (more tags, or an
        // overflow array) must not show through.
        var ring = new MeasurementRing(16);
        KeyValuePair<string, object?>[] many = [.. Enumerable.Range(0, MeasurementRing.InlineTags + 1).Select(i => new KeyValuePair<string, object?>($"k{i}", i))];
        for (var i = 0; i < 16; i++)
        {
            ring.Write(State, i, i, false, many);
        }

        Drain(ring).Count.ShouldBe(16);
        for (var i = 0; i < 16; i++)
        {
            ring.Write(State, i, i, false, [new("only", i)]);
        }

        for (var i = 0; i < 16; i++)
        {
            ring.TryRead(out var m).ShouldBeTrue();
            m.Overflow.ShouldBeNull();
            m.TagCount.ShouldBe(1);
            ((ReadOnlySpan<KeyValuePair<string, object?>>)m.Tags)[0].ShouldBe(new KeyValuePair<string, object?>("only", i));
        }
    }

    [Fact]
    public void When_full_it_drops_the_oldest_in_chunks_and_counts_them()
    {
        var ring = new MeasurementRing(1024);
        for (var i = 0; i < 1124; i++)
        {
            ring.Write(State, i, i, false, []);
        }

        ring.Dropped.ShouldBe(2 * MeasurementRing.DropChunk);
        var values = Drain(ring);
        values.Count.ShouldBe(1124 - (int)ring.Dropped);
        values.ShouldBe(Enumerable.Range((int)ring.Dropped, values.Count).Select(i => (long)i).ToList(), "the oldest went, the rest in order");
    }

    [Fact]
    public async Task Concurrent_writers_and_a_reader_lose_nothing_uncounted()
    {
        var ring = new MeasurementRing(1024);
        const int PerWriter = 200_000;
        var read = new List<long>();
        var done = 0;
        var reader = Task.Run(() =>
        {
            while (Volatile.Read(ref done) < 2 || ring.Count > 0)
            {
                while (ring.TryRead(out var m))
                {
                    read.Add(m.Bits);
                }
            }
        });
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                ring.Write(State, 0, ((long)w << 32) | (uint)i, false, []);
            }

            Interlocked.Increment(ref done);
        })).ToArray();
        await Task.WhenAll(writers);
        await reader;
        read.AddRange(Drain(ring));

        (read.Count + ring.Dropped).ShouldBe(2 * PerWriter);
        read.Distinct().Count().ShouldBe(read.Count);
        foreach (var w in new long[] { 0, 1 })
        {
            var mine = read.Where(v => v >> 32 == w).Select(v => v & 0xffffffff).ToList();
            mine.ShouldBe(mine.Order().ToList(), "each writer's measurements stay in order");
        }
    }
}
