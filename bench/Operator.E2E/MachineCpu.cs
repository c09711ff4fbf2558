using System.Globalization;

namespace MetricsOperator.E2E;

/// <summary>
/// CPU time of every process on the machine, by command name (<c>/proc/*/stat</c>), and of the machine as a whole
/// (<c>/proc/stat</c>): read before and after a phase, it says who used the cores (the control plane, the fakes'
/// process, the operator) and whether the cores were the limit.
/// </summary>
internal sealed class MachineCpu
{
    private readonly Dictionary<int, (string Name, double Seconds)> _seconds;
    private readonly double _busySeconds;
    private readonly double _allSeconds;

    private MachineCpu(Dictionary<int, (string Name, double Seconds)> seconds, double busy, double all)
    {
        _seconds = seconds;
        _busySeconds = busy;
        _allSeconds = all;
    }

    public static MachineCpu Read()
    {
        var seconds = new Dictionary<int, (string Name, double Seconds)>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // The command is in parentheses and may hold spaces; utime and stime are the 12th and 13th fields after it.
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var name = pid == Environment.ProcessId ? "benchmark (fakes, kubelets)" : stat[(open + 1)..close];
                name = name.StartsWith("kworker", StringComparison.Ordinal) ? "kernel workers" : name; // their names change with the work
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                seconds[pid] = (name, ticks / 100.0); // USER_HZ is 100 on Linux
            }
            catch (IOException)
            {
                // The process ended between the listing and the read.
            }
        }

        // cpu  user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture) / 100.0).ToArray();
        var all = cpu.Sum();
        return new MachineCpu(seconds, all - cpu[3] - cpu[4], all);
    }

    /// <summary>CPU seconds the processes named <paramref name="names"/> used between <paramref name="before"/> and now.</summary>
    public double SecondsOf(MachineCpu before, params string[] names) =>
        _seconds.Where(kv => names.Contains(kv.Value.Name, StringComparer.Ordinal))
            .Sum(kv => kv.Value.Seconds - (before._seconds.TryGetValue(kv.Key, out var was) ? was.Seconds : 0));

    /// <summary>Who used the CPU between <paramref name="before"/> and now, the largest first, and how busy the cores were.</summary>
    public string Since(MachineCpu before, TimeSpan phase, int top = 6)
    {
        var used = _seconds.Select(kv => (kv.Value.Name, Seconds: kv.Value.Seconds - (before._seconds.TryGetValue(kv.Key, out var was) ? was.Seconds : 0)))
            .GroupBy(u => u.Name, StringComparer.Ordinal).Select(g => (Name: g.Key, Seconds: g.Sum(u => u.Seconds)))
            .Where(u => u.Seconds > 0).OrderByDescending(u => u.Seconds).Take(top)
            .Select(u => string.Create(CultureInfo.InvariantCulture, $"{u.Name} {u.Seconds:F1} s ({u.Seconds / phase.TotalSeconds:P0} of a core)"));
        var busy = (_busySeconds - before._busySeconds) / Math.Max(1e-9, _allSeconds - before._allSeconds);
        return string.Create(CultureInfo.InvariantCulture, $"cores {busy:P0} busy ({Environment.ProcessorCount} cores); by process: {string.Join(", ", used)}");
    }
}
