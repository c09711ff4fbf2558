#!/usr/bin/env bash
# The shipped publish (the Dockerfile's line: Native AOT since the sixth pass) side by side with the alternatives: for each,
# whether `dotnet publish` succeeds, its trim/AOT warnings by code, the published size, and (when it built) the
# end-to-end benchmark on it, so the figures come from one run.
#   bench/Operator.E2E/publish-variants.sh [--size small|full|alerts=<n>] [--no-e2e] [--only <name>[,<name>...]]
#   (shipped, pie, pie-flat, fixed-dehydrated, blended, jit, partial, trimmed)
# shipped: Native AOT, one native file, no runtime, compiled for size (OptimizationPreference=Size since the thirteenth
# pass: the whole binary is resident once the operator has run a while, so its size is RSS), linked at a fixed address
# with its type data as laid out in the file (since the fifteenth pass). pie: a position-independent executable with
# its type data compressed and expanded at start, what shipped before. pie-flat: PIE, type data not compressed (then
# relocated at start). fixed-dehydrated: fixed address, type data compressed. blended: the shipped settings with the
# compiler's default balance of size and speed, what shipped until the thirteenth pass. jit: framework-dependent and ReadyToRun, what the image carried
# before. partial: self-contained, ReadyToRun, only the framework's assemblies trimmed (TrimMode=partial: those marked
# trimmable). trimmed: everything trimmed, run by the JIT. Every model is
# read and written through source-generated JSON (KubeJson, GrafanaJsonContext, BackupJsonContext), so the trimmed
# and AOT binaries run the whole load (docs/performance.md, fifth pass).
# The repository builds with warnings as errors; the trimmed publishes turn that off so that every trim warning is
# counted instead of the build stopping at the first project.
# The merger re-runs this on a quiet machine; figures taken while other builds run are inflated.
set -uo pipefail
cd "$(dirname "$0")/../.."
size=small e2e=1 only=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --size) size=$2; shift 2 ;;
    --no-e2e) e2e=0; shift ;;
    --only) only=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
out=$(mktemp -d /tmp/operator-publish-variants.XXXXXX)
base="dotnet publish src/Operator/Operator.csproj -c Release -p:PublishProfile=Container"
declare -A variants=(
  [shipped]="$base"
  [blended]="$base -p:OptimizationPreference="
  [pie]="$base -p:PositionIndependentExecutable=true -p:IlcDehydrate=true"
  [pie-flat]="$base -p:PositionIndependentExecutable=true"
  [fixed-dehydrated]="$base -p:IlcDehydrate=true"
  [jit]="$base -p:PublishAot=false -p:SelfContained=false -p:PublishReadyToRun=true"
  [partial]="$base -p:PublishAot=false -p:PublishReadyToRun=true -p:PublishTrimmed=true -p:TrimMode=partial -p:TreatWarningsAsErrors=false"
  [trimmed]="$base -p:PublishAot=false -p:PublishTrimmed=true -p:TreatWarningsAsErrors=false"
)
dotnet build bench/Operator.E2E -c Release -v q -nologo >/dev/null
summary=()
for name in shipped pie pie-flat fixed-dehydrated blended jit partial trimmed; do
  [[ -z $only || ",$only," == *",$name,"* ]] || continue
  folder="$out/$name"
  log="$out/$name.log"
  start=$(date +%s)
  ${variants[$name]} -o "$folder" -v n >"$log" 2>&1
  rc=$?
  seconds=$(( $(date +%s) - start ))
  # Each distinct warning once (the log repeats them per build node), grouped by code.
  distinct=$(grep -oE '[^ >]*: (Trim analysis |AOT analysis )?(warning|error) IL[0-9]{4}[^[]*' "$log" | sort -u)
  warnings=$(grep -oE 'IL[0-9]{4}' <<<"$distinct" | sort | uniq -c | sort -rn | awk '{printf "%s %s, ", $2, $1}')
  count=$(grep -c . <<<"$distinct")
  size_mib=$(du -sm "$folder" 2>/dev/null | cut -f1)
  line="$name: publish exit $rc in ${seconds} s; ${count} distinct trim/AOT warnings (${warnings%, }); folder ${size_mib:-0} MiB; log $log"
  echo "$line"
  summary+=("$line")
  if [[ $rc -eq 0 ]]; then
    # The binary alone (seconds; no API server), so a variant that starts but cannot run the load is still measured.
    dotnet bench/Operator.E2E/bin/Release/net10.0/MetricsOperator.E2E.Bench.dll --startup 5 --published "$folder" 2>&1 | sed "s/^/  [$name] /"
  fi
  if [[ $rc -eq 0 && $e2e -eq 1 ]]; then
    dotnet bench/Operator.E2E/bin/Release/net10.0/MetricsOperator.E2E.Bench.dll --size "$size" --published "$folder" 2>&1 | sed "s/^/  [$name] /" | grep -vE '^\s*\[[a-z]+\]\s+\[shipped\] +by verb and resource'
  fi
done
echo "publish variants:"
printf '  %s\n' "${summary[@]}"
