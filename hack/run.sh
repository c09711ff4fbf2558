#!/usr/bin/env bash
# The main job, from a brand-new machine. With no cluster given (no KUBECONFIG, no ~/.kube/config, not in a pod,
# no --kubeconfig) it brings up the local control plane (etcd + kube-apiserver 1.20, built once and cached), installs
# the CRDs, RBAC and samples, and runs the operator in the foreground as its own ServiceAccount — beside SIMULATED
# cluster parts (tests/LocalWorld): InfluxDB 2 and Grafana 11.4 stand-ins (the repository's fakes) that the operator
# reaches through --influxdb-url/--grafana-url, and a kubelet stand-in that starts the stack's pods only when a kubelet
# would. So the minimal stack becomes Ready, its tokens land in Secrets and the sample AppAlerts reach (stand-in)
# Grafana; what is simulated says so ([simulated]). With a cluster given, only the operator runs, against it.
# Extra arguments go to `metrics-operator run` (see `--help`). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${CONFIGURATION:-Release}

KUBEBUILDER_ASSETS=$(bash hack/kube-apiserver.sh)
export KUBEBUILDER_ASSETS
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Operator -c "$CONFIGURATION" -v quiet -nologo >&2
operator=(dotnet "src/Operator/bin/$CONFIGURATION/net10.0/metrics-operator.dll" run)

cluster_given() {
  [[ -n ${KUBECONFIG:-} || -f ${HOME:-/nonexistent}/.kube/config || -n ${KUBERNETES_SERVICE_HOST:-} ]] && [[ " $* " != *" --local "* ]] && return 0
  [[ " $* " == *" --kubeconfig"* ]]
}

if cluster_given "$@"; then
  exec "${operator[@]}" "$@"
fi

# The operator checks AppAlert queries against InfluxDB before syncing them; the stand-in runs InfluxQL on a real
# influxd 1.6.7 (Debian's influxdb package) when it is installed, so install it when we can (as hack/test.sh does).
if [[ ! -x /usr/bin/influxd ]] && command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends influxdb; } >&2 \
    || echo "[run.sh] influxd could not be installed: the InfluxDB stand-in answers only its InfluxQL subset" >&2
fi
dotnet build tests/LocalWorld -c "$CONFIGURATION" -v quiet -nologo >&2
mkdir -p .local
rm -f .local/standins.env
dotnet "tests/LocalWorld/bin/$CONFIGURATION/net10.0/metrics-local-world.dll" --repo "$PWD" &
world=$!
op=""
# Whatever ends this script (Ctrl-C, a TERM, the operator exiting) ends both processes: the operator stops its control plane.
stop() { kill $op "$world" 2>/dev/null || true; wait $op "$world" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 300); do
  [[ -f .local/standins.env ]] && break
  kill -0 "$world" 2>/dev/null || { echo "[run.sh] the simulated cluster parts did not start" >&2; exit 1; }
  sleep 0.1
done
# shellcheck disable=SC1091
source .local/standins.env
"${operator[@]}" --influxdb-url "$INFLUXDB_URL" --grafana-url "$GRAFANA_URL" "$@" &
op=$!
wait "$op"
