using System.Diagnostics;
using System.Globalization;
using MetricsOperator.LocalCluster;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace MetricsOperator.E2E;

/// <summary>
/// The published operator binary in its own process, as the image's ENTRYPOINT runs it, authenticated as the
/// operator's ServiceAccount. Its memory is read from /proc/&lt;pid&gt;/status; a full blocking GC is asked of it the
/// way dotnet-gcdump does (an EventPipe session with the GCHeapCollect keyword), so the product carries no hook for it.
/// </summary>
internal sealed class PublishedOperator : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> lines = [];
    private StreamWriter? log;

    private PublishedOperator(Process process, DateTime startedAt, int probePort)
    {
        this.process = process;
        StartedAt = startedAt;
        ProbePort = probePort;
    }

    public DateTime StartedAt { get; }

    public int ProbePort { get; }

    public int Pid => process.Id;

    /// <summary>When the operator logged "Caches synced" (its informers listed everything).</summary>
    public DateTime? CachesSyncedAt { get; private set; }

    /// <summary>
    /// Runs the Dockerfile's own `dotnet publish` line (its output folder replaced) and returns the folder.
    /// </summary>
    public static async Task<string> PublishAsync(string repository, TextWriter progress)
    {
        var line = File.ReadAllLines(Path.Combine(repository, "Dockerfile")).Single(l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal));
        var folder = Directory.CreateTempSubdirectory("metrics-operator-published-").FullName;
        var command = line["RUN ".Length..].Replace(" -o /app", $" -o {folder}", StringComparison.Ordinal);
        progress.WriteLine($"publishing: {command}");
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var info = new ProcessStartInfo(parts[0]) { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var part in parts.Skip(1))
        {
            info.ArgumentList.Add(part);
        }

        using var publish = Process.Start(info)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var error = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} exited {publish.ExitCode}:\n{await output}\n{await error}");
        }

        return folder;
    }

    /// <summary>Starts the operator; with <paramref name="logFile"/>, everything it prints is also appended there.</summary>
    public static PublishedOperator Start(string published, string kubeconfig, Uri influx, Uri grafana, TimeSpan resync, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> arguments, string? logFile = null)
    {
        var port = FreePort.Next();
        var info = new ProcessStartInfo(Path.Combine(published, "metrics-operator"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "run", "--kubeconfig", kubeconfig, "--probe-address", $"http://127.0.0.1:{port}",
            "--influxdb-url", influx.AbsoluteUri, "--grafana-url", grafana.AbsoluteUri,
            "--resync-period", resync.ToString("c", CultureInfo.InvariantCulture),
        }.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }

        // The image's ENV (ImageEnvironment) and the variant's runtime settings, in the caller's dictionary.
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var startedAt = DateTime.UtcNow;
        var process = Process.Start(info)!;
        var op = new PublishedOperator(process, startedAt, port)
        {
            log = logFile is null ? null : new StreamWriter(logFile, append: true) { AutoFlush = true },
        };
        process.OutputDataReceived += (_, e) => op.Take(e.Data);
        process.ErrorDataReceived += (_, e) => op.Take(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return op;
    }

    /// <summary>The operator's <c>/metrics</c> text (Prometheus exposition format), read from the probe port.</summary>
    public async Task<string> ScrapeMetricsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{ProbePort}/metrics"));
    }

    /// <summary>Polls <paramref name="path"/> every <paramref name="interval"/> (5 ms if not given) until it answers 200; returns when it did.</summary>
    public async Task<DateTime> WaitForProbeAsync(string path, TimeSpan timeout, TimeSpan? interval = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the operator exited with {process.ExitCode}:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{ProbePort}{path}"));
                if (response.IsSuccessStatusCode)
                {
                    return DateTime.UtcNow;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(5));
        }

        throw new TimeoutException($"{path} did not answer 200 within {timeout}:\n{Tail()}");
    }

    /// <summary>CPU time the operator process used so far (user + system, /proc/&lt;pid&gt;/stat), for "CPU per AppAlert".</summary>
    public TimeSpan CpuTime()
    {
        // Fields after the command's closing parenthesis (the command may hold spaces): utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    /// <summary>VmRSS, VmHWM (peak) and RSS's parts (anonymous, file-backed, shared memory) of the operator, in MiB.</summary>
    public ProcessMemory Memory()
    {
        var kib = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            var parts = line.Split(':', 2);
            if (parts.Length == 2 && parts[0] is "VmRSS" or "VmHWM" or "RssAnon" or "RssFile" or "RssShmem")
            {
                kib[parts[0]] = double.Parse(parts[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        double MiB(string key) => kib.GetValueOrDefault(key) / 1024;
        return new ProcessMemory(MiB("VmRSS"), MiB("VmHWM"), MiB("RssAnon"), MiB("RssFile"), MiB("RssShmem"));
    }

    /// <summary>Watches the operator's GCs until the watch is stopped (<see cref="GcWatch"/>).</summary>
    public GcWatch WatchGcs() => GcWatch.Start(process.Id);

    /// <summary>
    /// Makes the operator run a full blocking GC, as dotnet-gcdump does, and returns what the runtime reported of it:
    /// whether a gen-2 GC ran and the managed heap it left (GCHeapStats), so an RSS figure can be told apart from the heap.
    /// </summary>
    public async Task<GcReport> FullGcAsync()
    {
        // GCHeapCollect (0x800000) on the runtime provider: the runtime answers a session that asks for it with an induced
        // gen-2 blocking GC (dotnet-gcdump enables the same keyword). GC (0x1) brings its GCStart and GCHeapStats events.
        var client = new DiagnosticsClient(process.Id);
        var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", System.Diagnostics.Tracing.EventLevel.Informational, 0x800000 | 0x1) };
        using var session = client.StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 16);
        var gen2 = 0;
        var heap = 0L;
        var live = 0L;
        var loh = 0L;
        var read = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var lastDepth = -1;
            source.Clr.GCStart += e =>
            {
                lastDepth = e.Depth;
                gen2 += e.Depth == 2 ? 1 : 0;
            };
            source.Clr.GCHeapStats += e =>
            {
                // Only the stats of a gen-2 GC: a gen-0 GC of a busy operator in the same window promotes only what
                // its generation held, and read as "live objects" it once showed 15 MiB for a 44 MiB heap.
                if (lastDepth != 2)
                {
                    return;
                }

                // TotalHeapSize counts the generations as they stand, free space between objects included;
                // after a full GC the bytes it promoted are the live objects, and gen 3 is the large object heap.
                heap = e.TotalHeapSize;
                live = e.TotalPromoted;
                loh = e.GenerationSize3;
            };
            source.Process();
        });
        await Task.Delay(1500);
        await session.StopAsync(CancellationToken.None);
        await read.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        return new GcReport(gen2, heap / 1024.0 / 1024.0, live / 1024.0 / 1024.0, loh / 1024.0 / 1024.0);
    }

    /// <summary>
    /// <paramref name="rounds"/> full GCs 2 s apart, and the operator's memory after the last. One induced GC does not
    /// show what the process keeps: the workstation GC decommits the regions it freed gradually, an amount per GC that
    /// grows with the time since the GC before (dotnet/runtime pull request 73620, "Gradual decommit in wks"). Right
    /// after the restarts the GC range held 53.4 MiB of RSS after one GC and 45.8 MiB after four more, 2 s apart, with
    /// the managed heap at 29.2 MiB all along; a reading taken after one GC said more about when the last GCs ran
    /// than about what the restarts left behind.
    /// </summary>
    public async Task<SettledMemory> AfterFullGcsAsync(int rounds, CancellationToken cancellationToken)
    {
        var gc = await FullGcAsync();
        var memory = Memory();
        var series = new List<(double Rss, double Live)> { (memory.Rss, gc.LiveMiB) };
        for (var round = 1; round < rounds; round++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            gc = await FullGcAsync();
            memory = Memory();
            series.Add((memory.Rss, gc.LiveMiB));
        }

        return new SettledMemory(gc, memory, MemoryMap.Read(process.Id), series);
    }

    /// <summary>
    /// With a <paramref name="folder"/>, writes a heap dump of the operator there with dotnet-gcdump (on PATH; it induces
    /// its own full GC) and prints where; `dotnet-gcdump report` on two dumps shows what grew between them.
    /// </summary>
    public async Task GcDumpAsync(string? folder, string name, TextWriter output)
    {
        if (folder is null)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".gcdump");
        var info = new ProcessStartInfo(GcDumpTool() ?? "dotnet-gcdump") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "collect", "-p", process.Id.ToString(CultureInfo.InvariantCulture), "-o", file })
        {
            info.ArgumentList.Add(arg);
        }

        using var dump = Process.Start(info)!;
        var text = dump.StandardOutput.ReadToEndAsync();
        var error = dump.StandardError.ReadToEndAsync();
        await dump.WaitForExitAsync();
        output.WriteLine(dump.ExitCode == 0 ? $"  gcdump: {file}" : $"  gcdump {name} failed ({dump.ExitCode}): {await text} {await error}");
    }

    /// <summary>dotnet-gcdump on PATH or where `dotnet tool install -g` puts it (~/.dotnet/tools, not on PATH by default); null when neither has it.</summary>
    public static string? GcDumpTool() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"))
            .Select(dir => Path.Combine(dir, "dotnet-gcdump"))
            .FirstOrDefault(File.Exists);

    public string Tail(int count = 30)
    {
        lock (lines)
        {
            return string.Join('\n', lines.TakeLast(count));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        lock (lines)
        {
            log?.Dispose();
            log = null;
        }
    }

    private void Take(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (CachesSyncedAt is null && line.Contains("Caches synced", StringComparison.Ordinal))
        {
            CachesSyncedAt = DateTime.UtcNow;
        }

        lock (lines)
        {
            log?.WriteLine(line);
            lines.Add(line);
            if (lines.Count > 500)
            {
                lines.RemoveRange(0, 250);
            }
        }
    }
}

/// <summary>What the runtime reported of an induced GC: gen-2 GCs seen and the managed heap after the last GC, MiB;
/// LiveMiB is what the GC promoted (the live objects), LohMiB the large object heap with its free space.</summary>
internal sealed record GcReport(int Gen2Collections, double HeapMiB, double LiveMiB, double LohMiB);

/// <summary>The memory after a few full GCs: the last GC's report, RSS and where it lies, and RSS and live objects after each GC.</summary>
internal sealed record SettledMemory(GcReport Gc, ProcessMemory Memory, MemoryMap Map, IReadOnlyList<(double Rss, double Live)> Series)
{
    /// <summary>"RSS/live" after each GC, MiB: whether RSS was still falling, and whether a GC caught work in flight.</summary>
    public string SeriesText => string.Join(", ", Series.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Rss:F1}/{s.Live:F1}")));
}

/// <summary>The operator's memory from /proc/&lt;pid&gt;/status, MiB: RSS = anonymous + file-backed + shared memory.</summary>
internal sealed record ProcessMemory(double Rss, double Peak, double Anon, double File, double Shmem)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rss:F1} MiB (anon {Anon:F1}, file {File:F1}, shmem {Shmem:F1})");
}
