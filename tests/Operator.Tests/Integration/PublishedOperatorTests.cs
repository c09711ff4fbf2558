using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MetricsOperator.LocalCluster;
using MetricsOperator.TestSupport;
using MetricsOperator.Tests.Backup;
using Xunit.Abstractions;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// The container image's build, without a Docker engine: the Dockerfile's own `dotnet publish` line runs on a copy
/// of the build context, and the published binary starts, answers /healthz, and gets ready against the test API
/// server as the operator's ServiceAccount. The publish happens once per test run (this class's fixture).
/// </summary>
[Collection(SharedApiServer.Name)]
public sealed partial class PublishedOperatorTests(ApiServerFixture fixture, PublishedOperatorTests.Published published, S3rverFixture s3, ITestOutputHelper output)
    : IClassFixture<PublishedOperatorTests.Published>, IClassFixture<S3rverFixture>
{
    [Fact]
    public void The_dockerfile_restores_every_project_the_operator_references()
    {
        var dockerfile = File.ReadAllText(RepoPaths.InRepo("Dockerfile"));
        foreach (var project in ReferencedProjects(RepoPaths.InRepo("src", "Operator", "Operator.csproj")))
        {
            var relative = Path.GetRelativePath(RepoPaths.Root, project).Replace('\\', '/');
            dockerfile.ShouldContain($"COPY {relative} ", customMessage: $"the restore stage must copy {relative}");
        }

        dockerfile.ShouldContain("USER 65532:65532");
        ImageEnvironment.Read(RepoPaths.Root).ShouldContainKeyAndValue("DOTNET_GCgen0size", "400000", "a 4 MiB gen0 budget at least (docs/performance.md)");
        ImageEnvironment.Read(RepoPaths.Root).ShouldContainKeyAndValue("DOTNET_GCGen0MaxBudget", "200000", "a 2 MiB gen0 budget at most (docs/performance.md, fifteenth pass)");
        ImageEnvironment.Read(RepoPaths.Root).ShouldContainKeyAndValue("DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION", "4", "the shared array pool capped (fifteenth pass)");
    }

    [Fact]
    public void The_images_gc_settings_are_written_as_native_aot_reads_them()
    {
        // Hex digits without 0x: Native AOT drops a value with the prefix without a word (the JIT reads both), so
        // DOTNET_GCgen0size=0x400000 left the shipped binary at the runtime's own budget (docs/performance.md, twelfth pass).
        var settings = ImageEnvironment.Read(RepoPaths.Root).Where(e => e.Key.StartsWith("DOTNET_GC", StringComparison.Ordinal)).ToList();
        settings.ShouldNotBeEmpty();
        foreach (var (name, value) in settings)
        {
            value.ShouldMatch("^[0-9A-Fa-f]+$", $"{name}={value}");
        }
    }

    [Fact]
    public async Task The_images_gc_settings_reach_the_published_binary()
    {
        // What the GC took, as the binary prints it at start: with the image's ENV and with none of it. A setting the
        // runtime cannot read leaves the two the same.
        var kubeconfig = fixture.Plane.KubeconfigFor(Identity.Operator);
        var withImage = await StartLineAsync(kubeconfig, ImageEnvironment.Read(RepoPaths.Root), "Runtime: ");
        var without = await StartLineAsync(kubeconfig, new Dictionary<string, string>(), "Runtime: ");
        output.WriteLine($"with the image's ENV: {withImage}");
        output.WriteLine($"without it: {without}");

        withImage.ShouldStartWith("Runtime: Native AOT; GC: workstation, non-concurrent, ");
        Gen0Ceiling(withImage).ShouldBeLessThan(Gen0Ceiling(without), "the image caps the gen0 budget the non-concurrent GC lets grow");
        Gen0Ceiling(withImage).ShouldBe(2.0, "DOTNET_GCGen0MaxBudget=200000");
    }

    [Fact]
    public async Task The_published_binary_keeps_large_c_allocations_out_of_mallocs_arenas()
    {
        // mallopt through the binary's own P/Invoke: glibc here, so it must take (docs/performance.md, sixteenth pass).
        var line = await StartLineAsync(fixture.Plane.KubeconfigFor(Identity.Operator), ImageEnvironment.Read(RepoPaths.Root), "C allocator: ");
        line.ShouldBe("C allocator: blocks of 128 KiB and more mapped on their own and unmapped when freed.");
    }

    private async Task<string> StartLineAsync(string kubeconfig, IReadOnlyDictionary<string, string> environment, string prefix)
    {
        var printed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = Start(kubeconfig, FreePort(), environment, printed);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                if (printed.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }

                process.HasExited.ShouldBeFalse($"the operator exited before printing \"{prefix}\": {string.Join(" | ", printed)}");
                await Task.Delay(20);
            }

            throw new TimeoutException($"no \"{prefix}\" line in 20 s: {string.Join(" | ", printed)}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static double Gen0Ceiling(string line) =>
        double.Parse(Gen0Budget().Match(line).Groups["mib"].Value, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void The_publish_is_one_native_aot_binary_with_no_runtime_beside_it()
    {
        published.Command.ShouldContain("-p:PublishProfile=Container");
        var binary = Path.Combine(published.Folder, "metrics-operator");
        File.Exists(binary).ShouldBeTrue("the binary the image's ENTRYPOINT runs");
        var image = File.ReadAllBytes(binary);
        image.AsSpan(0, 4).SequenceEqual("\u007fELF"u8).ShouldBeTrue("an ELF executable");
        // Linked at a fixed address with its type data laid out in the file (Container.pubxml): e_type ET_EXEC (2), not
        // a PIE's ET_DYN (3), and no .hydrated section, the 12 MiB the runtime would otherwise expand that data into.
        BitConverter.ToUInt16(image, 16).ShouldBe((ushort)2, "e_type: a position-dependent executable");
        image.AsSpan().IndexOf(".hydrated"u8).ShouldBe(-1, "type data expanded at start");
        // Native AOT: no IL assemblies, no runtime (the runtime-deps image has none) and no JIT to load.
        Directory.GetFiles(published.Folder, "*.dll").ShouldBeEmpty();
        Directory.GetFiles(published.Folder, "*.so").ShouldBeEmpty();
        File.Exists(Path.Combine(published.Folder, "metrics-operator.runtimeconfig.json")).ShouldBeFalse();

        // Settings compiled into the binary, so read from the profile the publish used.
        var profile = XDocument.Load(RepoPaths.InRepo("src", "Operator", "Properties", "PublishProfiles", "Container.pubxml"));
        string Setting(string name) => profile.Descendants(name).Single().Value;
        Setting("PublishAot").ShouldBe("true");
        Setting("ServerGarbageCollection").ShouldBe("false", "a pod with one CPU gains nothing from server GC's per-core heaps");
        Setting("ConcurrentGarbageCollection").ShouldBe("false");
        Setting("StackTraceSupport").ShouldBe("false", "no method names in the binary: the symbols file beside it has them");
    }

    [Fact]
    public void What_the_dockerfile_copies_out_of_the_publish_is_there_and_the_image_takes_the_binary_alone()
    {
        // The image's stage takes the binary and the symbols stage its symbols; a file the publish stopped writing would
        // fail `docker build`, which does not run here.
        var copied = File.ReadAllLines(RepoPaths.InRepo("Dockerfile"))
            .Select(l => CopyFromPublish().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups["file"].Value)
            .ToList();
        copied.ShouldBe(["metrics-operator.dbg", "metrics-operator"], ignoreOrder: true);
        foreach (var file in copied)
        {
            File.Exists(Path.Combine(published.Folder, file)).ShouldBeTrue($"{file} is not in the publish");
        }
    }

    [Fact]
    public async Task A_frame_the_published_binary_prints_is_named_from_the_symbols_beside_it()
    {
        var symbols = Path.Combine(published.Folder, "metrics-operator.dbg");
        var binary = Path.Combine(published.Folder, "metrics-operator");

        // The symbols are the binary's own: both carry the same build ID.
        var buildId = BuildId().Match(await ToolAsync("readelf", ["-n", binary]));
        buildId.Success.ShouldBeTrue("the binary has a build ID");
        BuildId().Match(await ToolAsync("readelf", ["-n", symbols])).Value.ShouldBe(buildId.Value);

        // A method of the operator's own, written as the binary prints a frame without names: its offset from the start
        // of the first loadable segment, a fixed address (a position-dependent executable).
        var method = (await ToolAsync("nm", ["--defined-only", symbols])).Split('\n')
            .Select(l => Symbol().Match(l))
            .First(m => m.Success && m.Groups["name"].Value.StartsWith("metrics_operator_MetricsOperator_Cli_RunCommand__", StringComparison.Ordinal));
        var baseAddress = Convert.ToUInt64(FirstLoad().Match(await ToolAsync("readelf", ["-lW", binary])).Groups["vaddr"].Value, 16);
        var offset = Convert.ToUInt64(method.Groups["address"].Value, 16) - baseAddress;
        var trace = $"System.InvalidOperationException: boom\n   at metrics-operator!<BaseAddress>+0x{offset:x}\nnot a frame\n";

        var named = (await ToolAsync("bash", [RepoPaths.InRepo("hack", "symbolize.sh"), symbols], trace)).Split('\n');

        named[0].ShouldBe("System.InvalidOperationException: boom");
        var frame = NamedFrame().Match(named[1]);
        frame.Success.ShouldBeTrue(named[1]);
        frame.Groups["method"].Value.ShouldBe(method.Groups["name"].Value);

        // The line is the instruction's, which may be in a method compiled into this one (the DWARF Native AOT writes
        // does not record inlining): a C# source and a line, not necessarily RunCommand.cs.
        frame.Groups["file"].Value.ShouldEndWith(".cs");
        int.Parse(frame.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        named[2].ShouldBe("not a frame", "other lines pass through");
    }

    /// <summary>Runs a binutils tool (or bash) to its end and returns what it printed; fails the test on a non-zero exit.</summary>
    private static async Task<string> ToolAsync(string tool, string[] args, string? input = null)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input ?? "");
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"{tool} {string.Join(' ', args)}: {await error}");
        return await output;
    }

    [Fact]
    public void Only_yamldotnet_gives_trim_or_aot_warnings_and_only_as_its_summaries()
    {
        // The profile lets a library's one-line summaries (IL2104 trim, IL3053 AOT) through as warnings: every other
        // warning is an error, so the publish passing means these are all there is. YamlDotNet's reflection is known
        // and kept off the paths the binary runs on objects it does not own (Container.pubxml); any other library
        // appearing here, KubernetesClient reaching its JSON or exec-plugin code again for one, is new reflection in
        // the binary.
        var summaries = SummaryWarning().Matches(published.Output).Select(m => (Code: m.Groups["code"].Value, Assembly: m.Groups["assembly"].Value)).Distinct().ToList();
        summaries.ShouldBe([("IL2104", "YamlDotNet"), ("IL3053", "YamlDotNet")], ignoreOrder: true, customMessage: published.Output);
    }

    [Fact]
    public void The_publish_carries_no_influxdb_client_no_aws_sdk_and_no_reflection_based_json_library()
    {
        // InfluxApi speaks to InfluxDB itself: these came with InfluxDB.Client and cost 11.4 MiB of file-backed RSS
        // at full size, and their reflection stops trimming and Native AOT (docs/performance.md, third pass). S3Api
        // speaks to S3 itself: the AWS SDK was 2.6 MB of the binary (fifteenth pass). The native binary keeps
        // the names of the assemblies compiled into it (KubernetesClient's, for one).
        var binary = File.ReadAllBytes(Path.Combine(published.Folder, "metrics-operator"));
        bool Carries(string name) => binary.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(name)) >= 0;
        Carries("KubernetesClient").ShouldBeTrue("the check must be able to see an assembly that is there");
        Carries("YamlDotNet").ShouldBeTrue("the check must be able to see an assembly that is there");
        foreach (var absent in new[] { "InfluxDB.Client", "AWSSDK.Core", "AWSSDK.S3", "Newtonsoft.Json", "RestSharp", "JsonSubTypes" })
        {
            Carries(absent).ShouldBeFalse(absent);
        }
    }

    [Fact]
    public async Task The_published_binary_starts_in_under_two_seconds_and_gets_ready()
    {
        var kubeconfig = fixture.Plane.KubeconfigFor(Identity.Operator);
        var times = new List<TimeSpan>();
        for (var run = 0; run < 3; run++)
        {
            var port = FreePort();
            using var process = Start(kubeconfig, port);
            try
            {
                var stopwatch = Stopwatch.StartNew();
                await WaitForAsync(port, "/healthz", process, TimeSpan.FromSeconds(20));
                times.Add(stopwatch.Elapsed);
                if (run == 0)
                {
                    await WaitForAsync(port, "/readyz", process, TimeSpan.FromSeconds(30));
                    // EventSourceSupport (Container.pubxml): the diagnostics socket dotnet-counters, dotnet-trace and the
                    // benchmark's induced GC connect to; a Native AOT build without it opens none.
                    Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{process.Id}-*-socket").ShouldNotBeEmpty("the diagnostics socket");
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        output.WriteLine($"Published operator: start to /healthz 200 in {string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:F0} ms"))} (best of 3 must be < 2000 ms)");
        times.Min().ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }

    private Process Start(string kubeconfig, int port, IReadOnlyDictionary<string, string>? environment = null, System.Collections.Concurrent.ConcurrentQueue<string>? printed = null)
    {
        var info = new ProcessStartInfo(Path.Combine(published.Folder, "metrics-operator"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("DOTNET_GC", StringComparison.Ordinal)).ToList())
        {
            // Only what the caller gives: a GC setting of the test's own environment would blur the comparison.
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var arg in new[] { "run", "--kubeconfig", kubeconfig, "--probe-address", $"http://127.0.0.1:{port}", "--namespace", "published-binary-test" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                printed?.Enqueue(text);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForAsync(int port, string path, Process process, TimeSpan timeout)
    {
        if (!await AnswersAsync(port, path, process, timeout))
        {
            process.HasExited.ShouldBeFalse($"the operator exited with {(process.HasExited ? process.ExitCode : 0)} before {path} answered");
            throw new TimeoutException($"{path} did not answer 200 within {timeout}");
        }
    }

    /// <summary>Whether the probe server answers 200 on <paramref name="path"/> within <paramref name="timeout"/>, while the process runs.</summary>
    private static async Task<bool> AnswersAsync(int port, string path, Process process, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(5);
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static HashSet<string> ReferencedProjects(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.Count > 0)
        {
            var current = Path.GetFullPath(pending.Pop());
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (Match reference in ProjectReference().Matches(File.ReadAllText(current)))
            {
                pending.Push(Path.Combine(Path.GetDirectoryName(current)!, reference.Groups[1].Value));
            }
        }

        return seen;
    }

    [GeneratedRegex(@"gen0 budget at most (?<mib>[0-9.]+) MiB")]
    private static partial Regex Gen0Budget();

    [GeneratedRegex("<ProjectReference Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();

    // e.g. ".../YamlDotNet.dll : warning IL2104: Assembly 'YamlDotNet' produced trim warnings."
    [GeneratedRegex(@"warning (?<code>IL\d+): Assembly '(?<assembly>[^']+)'")]
    private static partial Regex SummaryWarning();

    [GeneratedRegex(@"^COPY --from=build (--chown=\S+ )?/app/(?<file>[^\s/]+) ")]
    private static partial Regex CopyFromPublish();

    [GeneratedRegex(@"Build ID: [0-9a-f]+")]
    private static partial Regex BuildId();

    [GeneratedRegex(@"^(?<address>[0-9a-f]+) [tT] (?<name>\S+)$")]
    private static partial Regex Symbol();

    [GeneratedRegex(@"^\s*LOAD\s+0x[0-9a-f]+\s+0x(?<vaddr>[0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex FirstLoad();

    [GeneratedRegex(@"^   at (?<method>\S+) \((?<file>[^:]+):(?<line>\d+)\)$")]
    private static partial Regex NamedFrame();

    /// <summary>
    /// Copies the build context (what the Dockerfile copies: the props files and src/, without bin/obj) to a
    /// temporary folder and runs the Dockerfile's restore and publish lines there, output redirected.
    /// </summary>
    public sealed class Published : IDisposable
    {
        private readonly DirectoryInfo context = Directory.CreateTempSubdirectory("publish-context");

        public Published()
        {
            var dockerfile = File.ReadAllLines(RepoPaths.InRepo("Dockerfile"));
            foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig" })
            {
                File.Copy(RepoPaths.InRepo(file), Path.Combine(context.FullName, file));
            }

            CopyTree(RepoPaths.InRepo("src"), Path.Combine(context.FullName, "src"));
            Folder = Path.Combine(context.FullName, "app");
            foreach (var line in dockerfile.Where(l => l.StartsWith("RUN dotnet ", StringComparison.Ordinal)))
            {
                var command = line["RUN ".Length..].Replace(" -o /app", $" -o {Folder}", StringComparison.Ordinal);
                if (command.Contains("publish", StringComparison.Ordinal))
                {
                    Command = command;
                }

                Run(command);
            }

            if (Command.Length == 0)
            {
                throw new InvalidOperationException("The Dockerfile has no `RUN dotnet publish` line.");
            }
        }

        public string Folder { get; }

        public string Command { get; private set; } = "";

        /// <summary>What the Dockerfile's `dotnet` lines printed.</summary>
        public string Output { get; private set; } = "";

        public void Dispose()
        {
            try
            {
                context.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private void Run(string command)
        {
            // At the lowest CPU priority (nice 19): the Native AOT compile keeps both cores busy for minutes while the
            // other test collections run, and the timing-sensitive tests beside it should not wait for it (in one run
            // AlertStormTests counted two Warnings for one refused AppAlert while it ran). The publish takes idle time.
            var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var info = new ProcessStartInfo("nice") { WorkingDirectory = context.FullName, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-n");
            info.ArgumentList.Add("19");
            foreach (var part in parts)
            {
                info.ArgumentList.Add(part);
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"`{command}` failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
            }

            Output += stdout.Result + stderr.Result;
        }

        private static void CopyTree(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }

            foreach (var folder in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
            {
                CopyTree(folder, Path.Combine(to, Path.GetFileName(folder)));
            }
        }
    }
}
