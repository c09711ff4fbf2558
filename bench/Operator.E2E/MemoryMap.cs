using System.Globalization;

namespace MetricsOperator.E2E;

/// <summary>
/// Where a process's resident memory lies, from <c>/proc/PID/smaps</c>: the GC's heap, the C allocator's heap, the rest
/// of the anonymous memory (thread stacks, malloc's other arenas, the runtime's own data) and the files mapped in (the
/// binary, OpenSSL, ICU). RSS after a full GC that moved across API server restarts is read against these, so that
/// memory the GC kept is told apart from memory something native kept. The thread count is beside them: each thread's
/// stack is other anonymous memory, so a thread pool that grew shows there.
/// </summary>
internal sealed record MemoryMap(double GcHeapMiB, double MallocHeapMiB, double OtherAnonymousMiB, double FilesMiB, int Threads)
{
    // The GC reserves its whole range up front (hundreds of GiB of address space, no access) and commits regions
    // inside it, which splits the reservation into many mappings. No other anonymous mapping comes near this size.
    private const long GcReservationAtLeast = 1L << 30;

    public static MemoryMap Read(int pid)
    {
        var mappings = new List<Mapping>();
        Mapping? current = null;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (Mapping.TryParseHeader(line) is { } header)
            {
                current = header;
                mappings.Add(header);
            }
            else if (current is not null && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                current.RssKiB = long.Parse(line.AsSpan(4).Trim().TrimEnd(" kB"), CultureInfo.InvariantCulture);
            }
        }

        // Blocks of adjacent anonymous mappings. The GC's range is the block holding a mapping the size of its usual
        // reservation; with a heap hard limit the reservation is small, and the GC's is then the largest block.
        double malloc = 0, other = 0, files = 0;
        var blocks = new List<(long Size, long RssKiB, bool HoldsReservation)>();
        var block = new List<Mapping>();
        void CloseBlock()
        {
            if (block.Count > 0)
            {
                blocks.Add((block[^1].End - block[0].Start, block.Sum(m => m.RssKiB), block.Any(m => m.End - m.Start >= GcReservationAtLeast)));
                block.Clear();
            }
        }

        foreach (var mapping in mappings)
        {
            if (mapping.Path.Length == 0)
            {
                if (block.Count > 0 && block[^1].End != mapping.Start)
                {
                    CloseBlock();
                }

                block.Add(mapping);
                continue;
            }

            CloseBlock();
            if (mapping.Path == "[heap]")
            {
                malloc += mapping.RssKiB;
            }
            else if (mapping.Path.StartsWith('/'))
            {
                files += mapping.RssKiB;
            }
            else
            {
                other += mapping.RssKiB;
            }
        }

        CloseBlock();
        var gcBlock = blocks.FindIndex(b => b.HoldsReservation) is var held and >= 0 ? held : blocks.IndexOf(blocks.MaxBy(b => b.Size));
        var gc = gcBlock >= 0 ? blocks[gcBlock].RssKiB : 0;
        other += blocks.Sum(b => b.RssKiB) - gc;
        return new MemoryMap(gc / 1024.0, malloc / 1024, other / 1024, files / 1024, Directory.GetDirectories($"/proc/{pid}/task").Length);
    }

    /// <summary>This map and <paramref name="later"/> side by side, with the change of each part.</summary>
    public string Against(MemoryMap later) => string.Create(
        CultureInfo.InvariantCulture,
        $"GC heap {GcHeapMiB:F1} -> {later.GcHeapMiB:F1} ({later.GcHeapMiB - GcHeapMiB:+0.0;-0.0;+0.0}), malloc heap {MallocHeapMiB:F1} -> {later.MallocHeapMiB:F1} ({later.MallocHeapMiB - MallocHeapMiB:+0.0;-0.0;+0.0}), other anonymous {OtherAnonymousMiB:F1} -> {later.OtherAnonymousMiB:F1} ({later.OtherAnonymousMiB - OtherAnonymousMiB:+0.0;-0.0;+0.0}), files {FilesMiB:F1} -> {later.FilesMiB:F1} ({later.FilesMiB - FilesMiB:+0.0;-0.0;+0.0}) MiB; threads {Threads} -> {later.Threads}");

    private sealed class Mapping(long start, long end, string path)
    {
        public long Start { get; } = start;

        public long End { get; } = end;

        public string Path { get; } = path;

        public long RssKiB { get; set; }

        // "7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0    [path]": six fields, the path optional.
        public static Mapping? TryParseHeader(string line)
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash <= 0 || space <= dash
                || !long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                || !long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            {
                return null;
            }

            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            return new Mapping(start, end, fields.Length == 6 ? fields[5].Trim() : string.Empty);
        }
    }
}
