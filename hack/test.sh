#!/usr/bin/env bash
# The whole test suite, from a brand-new machine: installs what the tests need (Debian
# packages, the cached kube-apiserver build), restores NuGet packages, builds, runs every
# test project, and ends with the line `N passed, N failed`. Exits non-zero when any test
# failed or when no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { echo "[test.sh] $*" >&2; }

apt_updated=0
need_pkgs=()
command -v kubectl >/dev/null || need_pkgs+=(kubernetes-client)
command -v lua5.4 >/dev/null || need_pkgs+=(lua5.4)
command -v npm >/dev/null || need_pkgs+=(nodejs npm)
# The Python client's tests run on Debian's own interpreter with Debian's pytest, hypothesis, setuptools, pip,
# mypy and PyYAML (test_sample_alerts.py reads an AppAlert sample); both clients' tests start a real InfluxDB 1.6.7 (Debian's influxdb package).
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || need_pkgs+=(python3)
for mod in pytest:python3-pytest hypothesis:python3-hypothesis setuptools:python3-setuptools pip:python3-pip mypy:python3-mypy yaml:python3-yaml; do
  [[ -x $PYTHON ]] && "$PYTHON" -c "import ${mod%%:*}" 2>/dev/null || need_pkgs+=("${mod#*:}")
done
[[ -x /usr/bin/influxd ]] || need_pkgs+=(influxdb)
# The image's publish is Native AOT, which links with clang against zlib (PublishedOperatorTests runs it).
command -v clang >/dev/null || need_pkgs+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need_pkgs+=(zlib1g-dev)
# binutils (clang's dependency, named here since the tests call it): the publish splits the binary's symbols out with
# objcopy, and PublishedOperatorTests reads them with readelf, nm and addr2line (hack/symbolize.sh).
command -v addr2line >/dev/null || need_pkgs+=(binutils)
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
  log "installing ${need_pkgs[*]}"
  apt-get update -qq && apt_updated=1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
fi

# The real API server (built once, cached outside the checkout) and etcd.
KUBEBUILDER_ASSETS=$(bash hack/kube-apiserver.sh)
export KUBEBUILDER_ASSETS
log "control plane binaries: $KUBEBUILDER_ASSETS"

# A real S3-compatible server (s3rver, from npm) for the backup tests, installed once into the cache.
bash hack/s3rver.sh >/dev/null

# Kill the control-plane processes of test hosts that died without stopping them, now and
# at exit. Each run folder is named <owning process id>-<guid>: a live owner keeps its own
# (another test run on this machine is left alone).
sweep() {
  local root="${TMPDIR:-/tmp}/metrics-operator-controlplane"
  [[ -d $root ]] || return 0
  for dir in "$root"/*/; do
    [[ -d $dir ]] || continue
    local owner; owner=$(basename "$dir"); owner=${owner%%-*}
    if [[ $owner =~ ^[0-9]+$ ]] && kill -0 "$owner" 2>/dev/null; then continue; fi
    pkill -9 -f "$dir" 2>/dev/null || true
    rm -rf "$dir"
  done
}
trap sweep EXIT
sweep

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet restore Operator.sln >&2
dotnet build Operator.sln -c Debug --no-restore -warnaserror >&2

RESULTS="$ROOT/TestResults"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
set +e
# The Python client (clients/python): pytest writes JUnit XML, summed below with the .NET results.
log "python client tests (pytest)"
(cd clients/python && "$PYTHON" -m pytest -q -p no:cacheprovider --junitxml="$RESULTS/python-client.xml" tests) 2>&1 \
  | tee "$RESULTS/python-client.log"
py_status=${PIPESTATUS[0]}
dotnet test Operator.sln -c Debug --no-build --blame-hang-timeout 8m --logger "console;verbosity=normal" \
  --logger "trx" --results-directory "$RESULTS" "$@" 2>&1 | tee "$RESULTS/console.log"
status=${PIPESTATUS[0]}
set -e

# Sum the per-assembly results from the TRX files (one per test assembly):
# <Counters total="…" executed="…" passed="…" failed="…" … notExecuted="…" …/>
passed=0; failed=0; skipped=0
counter() { sed -nE "s/.*<Counters [^>]*\b$1=\"([0-9]+)\".*/\1/p" "$2" | head -1; }
for trx in "$RESULTS"/*.trx; do
  [[ -f $trx ]] || continue
  p=$(counter passed "$trx"); f=$(counter failed "$trx"); e=$(counter error "$trx"); t=$(counter timeout "$trx")
  a=$(counter aborted "$trx"); total=$(counter total "$trx"); executed=$(counter executed "$trx")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  # Skipped tests are in total but not executed (vstest leaves the notExecuted counter at 0 for them).
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

# The pytest counts: <testsuite … errors="…" failures="…" skipped="…" tests="…">. No file (pytest did
# not run) or exit 5 (no test collected) fails the run.
py_attr() { sed -nE "s/.*<testsuite [^>]*\b$1=\"([0-9]+)\".*/\1/p" "$RESULTS/python-client.xml" | head -1; }
if [[ -f $RESULTS/python-client.xml ]]; then
  py_total=$(py_attr tests); py_failed=$(( $(py_attr failures) + $(py_attr errors) )); py_skipped=$(py_attr skipped)
  passed=$((passed + py_total - py_failed - py_skipped)); failed=$((failed + py_failed)); skipped=$((skipped + py_skipped))
  log "python client: $((py_total - py_failed - py_skipped)) passed, $py_failed failed, $py_skipped skipped (pytest exit $py_status)"
fi
if [[ ! -f $RESULTS/python-client.xml || $py_status -ne 0 ]]; then
  log "python client tests failed (pytest exit $py_status)"
  [[ $py_status -ne 0 ]] || py_status=1
fi

# Name every skipped test with its reason (e.g. a contract file absent in a clone without ../shared).
for trx in "$RESULTS"/*.trx; do
  [[ -f $trx ]] || continue
  awk '/<UnitTestResult / && /outcome="NotExecuted"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); open = 1; next }
       open && /<Message>/ { reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason); print "skipped: " name ": " reason; open = 0 }
       open && /<\/UnitTestResult>/ { print "skipped: " name; open = 0 }' "$trx"
done

# Name every failed test last, with the first line of its message, so the end of the output
# (all a CI summary may show) says which and why.
for trx in "$RESULTS"/*.trx; do
  [[ -f $trx ]] || continue
  awk '/<UnitTestResult / && /outcome="(Failed|Error|Timeout|Aborted)"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); open = !/\/>[[:space:]]*$/; if (!open) print "failed: " name; next }
       open && /<Message>/ { reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason); print "failed: " name ": " substr(reason, 1, 300); open = 0 }
       open && /<\/UnitTestResult>/ { print "failed: " name; open = 0 }' "$trx" \
    | sed -e 's/&#x[dD];//g' -e 's/&#x[aA];/ /g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
done
if [[ -f $RESULTS/python-client.xml ]]; then
  grep -oE '<testcase [^>]*>[[:space:]]*<(failure|error)' "$RESULTS/python-client.xml" \
    | sed -nE 's/.*classname="([^"]*)".*name="([^"]*)".*/failed: \1.\2 (pytest)/p' || true
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [[ $status -ne 0 || $py_status -ne 0 || $failed -ne 0 ]]; then exit 1; fi
if [[ $passed -eq 0 ]]; then log "no test ran"; exit 1; fi
