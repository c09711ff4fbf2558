using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MetricsOperator.Tests.Integration;

/// <summary>
/// A root filesystem holding what the image's base holds, with the published binary in it, for running the binary as
/// the pod would without a container engine: <c>runtime-deps:10.0-noble-chiseled</c> is, per dotnet-docker's
/// <c>src/runtime-deps/10.0/noble-chiseled/amd64/Dockerfile</c>, the chisel slices <c>libc6_libs</c>,
/// <c>libgcc-s1_libs</c>, <c>libssl3t64_libs</c>, <c>libstdc++6_libs</c> and <c>ca-certificates_data</c>, plus
/// <c>base-files</c> and an <c>/etc/passwd</c> naming root and app (1654). Here the same packages of this machine's
/// distribution give their shared libraries and the CA bundle, and nothing else: no shell, no ICU, no zlib, no tzdata,
/// no package manager. Every directory is root's and read-only to the operator's user but <c>/tmp</c>, which the
/// chart mounts as an emptyDir under a read-only root filesystem.
/// </summary>
internal sealed partial class ChiseledRoot : IDisposable
{
    /// <summary>The packages whose shared libraries the image holds, by their names here (libssl3t64 was libssl3).</summary>
    public static readonly string[][] LibraryPackages = [["libc6"], ["libgcc-s1"], ["libssl3t64", "libssl3"], ["libstdc++6"]];

    private const string LibraryFolder = "usr/lib/x86_64-linux-gnu";

    private ChiseledRoot(string path) => Path = path;

    /// <summary>The root's folder on this machine.</summary>
    public string Path { get; }

    /// <summary>The binary's path inside the root (the image's <c>WORKDIR</c> and <c>COPY</c>).</summary>
    public const string Binary = "/app/metrics-operator";

    /// <summary>
    /// Builds the root with <paramref name="binary"/> at <see cref="Binary"/>; <paramref name="leaveOut"/> drops the
    /// libraries whose file names start with any of its entries (a control: the binary must then fail).
    /// </summary>
    public static ChiseledRoot Build(string binary, params string[] leaveOut)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the image is Linux's: its root is built from this machine's Debian packages");
        }

        var folder = Directory.CreateTempSubdirectory("chiseled-root-");
        folder.UnixFileMode = (UnixFileMode)0b111_101_101; // 755: a temporary folder is its owner's alone, an image's root is not
        var root = new ChiseledRoot(folder.FullName);
        var libraries = Directory.CreateDirectory(root.Inside(LibraryFolder)).FullName;
        Directory.CreateDirectory(root.Inside("usr/lib64"));
        File.CreateSymbolicLink(root.Inside("lib"), "usr/lib");
        File.CreateSymbolicLink(root.Inside("lib64"), "usr/lib64");
        File.CreateSymbolicLink(root.Inside("usr/lib64/ld-linux-x86-64.so.2"), "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        foreach (var names in LibraryPackages)
        {
            foreach (var file in SharedLibrariesOf(names))
            {
                var name = System.IO.Path.GetFileName(file);
                if (leaveOut.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    continue;
                }

                var target = System.IO.Path.Combine(libraries, name);
                if (new FileInfo(file).LinkTarget is { } link)
                {
                    File.CreateSymbolicLink(target, link);
                }
                else
                {
                    File.Copy(file, target);
                }
            }
        }

        Directory.CreateDirectory(root.Inside("etc/ssl/certs"));
        File.Copy("/etc/ssl/certs/ca-certificates.crt", root.Inside("etc/ssl/certs/ca-certificates.crt"));
        File.WriteAllText(root.Inside("etc/passwd"), "root:x:0:0:root:/root:/noshell\napp:x:1654:1654::/home/app:/bin/false\n");
        File.WriteAllText(root.Inside("etc/group"), "root:x:0:\napp:x:1654:\n");
        Directory.CreateDirectory(root.Inside("proc"));
        root.MakeContainerDevices();
        Directory.CreateDirectory(root.Inside("app"));
        File.Copy(binary, root.Inside(Binary.TrimStart('/')));
        File.SetUnixFileMode(root.Inside(Binary.TrimStart('/')), (UnixFileMode)0b111_101_101);
        var tmp = Directory.CreateDirectory(root.Inside("tmp"));
        tmp.UnixFileMode = (UnixFileMode)0b1_111_111_111; // 1777, as an emptyDir
        return root;
    }

    /// <summary>Puts a file in the root, root's and readable by all (as a mounted Secret with the chart's fsGroup is to its pod).</summary>
    public void Add(string pathInside, string source)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Inside(pathInside))!);
        File.Copy(source, Inside(pathInside));
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(Inside(pathInside), (UnixFileMode)0b110_100_100);
        }
    }

    /// <summary>A path inside the root, as this machine sees it.</summary>
    public string Inside(string relative) => System.IO.Path.Combine(Path, relative.TrimStart('/'));

    /// <summary>Whether a file exists in the root (by its path inside it).</summary>
    public bool Holds(string pathInside) => File.Exists(Inside(pathInside)) || Directory.Exists(Inside(pathInside));

    /// <summary>
    /// How to start <paramref name="arguments"/> in the root as the chart's user (65532), the way a container would:
    /// PID 1 of its own PID namespace with its own /proc, in its own mount namespace, with only
    /// <paramref name="environment"/> (and the base image's own variables).
    /// </summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--mount", "--pid", "--fork", $"--mount-proc={Inside("proc")}", "chroot", "--userspec=65532:65532", Path, Binary })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        // What a container runtime sets, then the base image's ENV (its Dockerfile, above), then the caller's.
        info.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        info.Environment["HOME"] = "/";
        info.Environment["APP_UID"] = "1654";
        info.Environment["DOTNET_RUNNING_IN_CONTAINER"] = "true";
        info.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "true";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>
    /// The devices every container gets from its runtime (the OCI runtime spec's "Default Devices": null, zero, full,
    /// random, urandom, tty), which the image does not carry: .NET reads /dev/urandom for Guid.NewGuid.
    /// </summary>
    private void MakeContainerDevices()
    {
        Directory.CreateDirectory(Inside("dev"));
        foreach (var (name, major, minor) in new[] { ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0) })
        {
            using var mknod = Process.Start(new ProcessStartInfo("mknod", ["-m", "666", Inside($"dev/{name}"), "c", $"{major}", $"{minor}"]) { RedirectStandardError = true })!;
            var error = mknod.StandardError.ReadToEnd();
            mknod.WaitForExit();
            if (mknod.ExitCode != 0)
            {
                throw new InvalidOperationException($"mknod /dev/{name} failed: {error}");
            }
        }

        try
        {
            using var random = File.OpenRead(Inside("dev/urandom"));
            random.ReadByte();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{Inside("dev/urandom")} cannot be read ({e.Message}): is the temporary folder's filesystem mounted nodev? Set TMPDIR to one that is not.", e);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // The test script sweeps the temporary folder.
        }
    }

    /// <summary>The package's shared libraries in the multiarch library folder (not its gconv modules or engines).</summary>
    private static List<string> SharedLibrariesOf(string[] names)
    {
        foreach (var name in names)
        {
            var listing = new ProcessStartInfo("dpkg-query", ["-L", $"{name}:amd64"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(listing)!;
            var text = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode == 0)
            {
                return [.. text.Split('\n').Where(l => SharedLibrary().IsMatch(l))];
            }
        }

        throw new InvalidOperationException($"none of the packages {string.Join(", ", names)} is installed: the chiseled image's libraries cannot be gathered");
    }

    [GeneratedRegex(@"^/(usr/)?lib/x86_64-linux-gnu/[^/]+\.so(\.[0-9.]+)?$")]
    private static partial Regex SharedLibrary();
}
