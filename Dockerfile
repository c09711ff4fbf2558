# The metrics-operator image: a Native AOT binary built with the .NET SDK's AOT variant (clang, llvm and zlib, which
# link it), run on the chiseled runtime-deps image: glibc, libstdc++, OpenSSL and CA certificates, nothing else (no
# shell, no package manager, no .NET runtime: the binary carries its own), as UID 65532, with nothing that needs a
# writable root filesystem (the chart mounts an emptyDir on /tmp). Both stages are Ubuntu 24.04 (noble): the binary
# links against the build stage's glibc, so the runtime stage must carry the same release's.
#   docker build -t ghcr.io/lsst-sqre/metrics-operator:0.1.0 .
# tests/Operator.Tests/Integration/PublishedOperatorTests.cs runs the `dotnet restore` and `dotnet publish` lines below (there is no Docker engine in CI),
# and PublishedOperatorTests.Chiseled.cs runs the binary in a root filesystem holding only what the chiseled image holds.

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build
WORKDIR /src
# Restore first, from the project files only, so a code change does not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Crds/Crds.csproj src/Crds/
COPY src/Runtime/Runtime.csproj src/Runtime/
COPY src/LocalCluster/LocalCluster.csproj src/LocalCluster/
COPY src/Operator/Operator.csproj src/Operator/
COPY src/Operator/Properties/PublishProfiles/Container.pubxml src/Operator/Properties/PublishProfiles/
RUN dotnet restore src/Operator/Operator.csproj -p:PublishProfile=Container
COPY src/ src/
RUN dotnet publish src/Operator/Operator.csproj -c Release -p:PublishProfile=Container -o /app

# The binary's symbols, out of the image: the binary carries no method names (Container.pubxml, StackTraceSupport), and
# hack/symbolize.sh names the frames of a stack trace it printed from this file. Keep it with the image's tag:
#   docker build --target symbols --output type=local,dest=symbols .
FROM scratch AS symbols
COPY --from=build /app/metrics-operator.dbg /

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build --chown=0:0 /app/metrics-operator ./
# The GC's gen0 budget, which neither setting has a runtimeconfig name for, so they are set here, where the pod's
# environment comes from. Values are hex digits without 0x: Native AOT drops "0x400000" without a word (the JIT reads
# both), and the binary prints what the GC took at start ("Runtime: ... gen0 budget at most ...").
# DOTNET_GCgen0size (400000 = 4 MiB): the smallest budget, instead of one sized from the L3 cache. At full size it cut
# peak RSS 220.8 -> 209.6 MiB in the JIT build this image used to carry (docs/performance.md, GC settings side by side).
# DOTNET_GCGen0MaxBudget (200000 = 2 MiB): the largest, and below the size above it wins (at most 2.0 MiB allocated
# between two GCs, measured). The non-concurrent GC this binary uses (Container.pubxml) lets the budget grow to 128 MiB,
# and after an API server restart a burst of reconciles made of nothing but garbage took it there: 52-106 MiB allocated
# between two GCs, RSS up to 89 MiB higher for the moment (docs/performance.md, twelfth pass); 6 MiB, the ceiling the
# runtime gives a concurrent GC, shipped then. 2 MiB took the full load's peak from 80.4 to 73.8 MiB for about a tenth
# more CPU per AppAlert (4.7 against 4.2 ms; fifteenth pass).
# DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION (decimal, read by the shared array pool itself): at most
# 4 arrays of each size per core kept for reuse instead of 32. The relists after API server restarts rented more
# buffers at once than the sync did and the pool kept them: live objects +1.2 MiB across 5 restarts, +0.1 with the cap
# (docs/performance.md, fifteenth pass).
ENV DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_GCgen0size=400000 \
    DOTNET_GCGen0MaxBudget=200000 \
    DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION=4
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app/metrics-operator"]
CMD ["run", "--leader-elect"]
