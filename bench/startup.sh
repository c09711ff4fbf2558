#!/usr/bin/env bash
# Time from starting the published operator to its first `200 ok` on /healthz, the figure the design's
# "startup < 2 s" target is about. Publishes with the container's configuration (the Dockerfile's
# `dotnet publish` line) unless a published folder is given, then starts it N times against a kubeconfig.
#   bench/startup.sh --kubeconfig <path> [--published <folder>] [--runs 5]
set -euo pipefail
cd "$(dirname "$0")/.."
kubeconfig="" published="" runs=5
while [[ $# -gt 0 ]]; do
  case $1 in
    --kubeconfig) kubeconfig=$2; shift 2 ;;
    --published) published=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $kubeconfig ]] || { echo "--kubeconfig is required (any reachable cluster; the operator only needs to start)" >&2; exit 2; }
if [[ -z $published ]]; then
  published=$(mktemp -d)
  dotnet publish src/Operator/Operator.csproj -c Release -p:PublishProfile=Container -o "$published" >&2
fi
port=$((20000 + RANDOM % 20000))
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$published/metrics-operator" run --kubeconfig "$kubeconfig" --probe-address "http://127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
    kill -0 $pid 2>/dev/null || { echo "the operator exited before answering /healthz" >&2; exit 1; }
    sleep 0.005
  done
  times+=($(( ($(date +%s%N) - start) / 1000000 )))
  kill $pid; wait $pid 2>/dev/null || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "startup to /healthz over $runs runs (ms): ${times[*]}; median $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p"); target < 2000"
