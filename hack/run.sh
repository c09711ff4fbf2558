#!/usr/bin/env bash
# The main job, from a brand-new machine. With no cluster given (no KUBECONFIG, no
# ~/.kube/config, not in a pod) it brings up the local control plane (etcd + kube-apiserver
# 1.20, built once and cached), installs the CRDs, RBAC and samples, and runs the operator
# in the foreground as its own ServiceAccount. Ctrl-C stops everything.
# Extra arguments go to `metrics-operator run` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."

KUBEBUILDER_ASSETS=$(bash hack/kube-apiserver.sh)
export KUBEBUILDER_ASSETS
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Operator -c Release -v quiet -nologo >&2
exec dotnet src/Operator/bin/Release/net10.0/metrics-operator.dll run "$@"
