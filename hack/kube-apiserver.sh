#!/usr/bin/env bash
# Builds (once) and caches the test control plane: kube-apiserver 1.20.2 from Debian's
# `kubernetes` source package, plus Debian's etcd. Prints the assets folder on stdout
# (a KUBEBUILDER_ASSETS-style folder holding kube-apiserver and etcd).
#
# Honours KUBEBUILDER_ASSETS: when it names a folder that already holds both binaries,
# nothing is installed or built.
#
# The cache lives outside the checkout (keyed by version) so fresh clones reuse it:
#   ${METRICS_OPERATOR_CACHE:-/var/cache/metrics-operator}/kube-apiserver-<version>/
set -euo pipefail

log() { echo "[kube-apiserver.sh] $*" >&2; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
  log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

VERSION=1.20.2
# Bump RECIPE when the build below changes, so machines with an older cached binary rebuild.
RECIPE=r2
CACHE_ROOT="${METRICS_OPERATOR_CACHE:-/var/cache/metrics-operator}"
ASSETS="$CACHE_ROOT/kube-apiserver-$VERSION-$RECIPE"
mkdir -p "$CACHE_ROOT"

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $apt_updated -eq 0 ]]; then apt-get update -qq >&2; apt_updated=1; fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

apt_install etcd-server

if [[ -x "$ASSETS/kube-apiserver" ]]; then
  ln -sf "$(command -v etcd || echo /usr/bin/etcd)" "$ASSETS/etcd"
  echo "$ASSETS"
  exit 0
fi

# Serialise concurrent first builds (two test runs on a cold machine).
exec 9>"$CACHE_ROOT/.build.lock"
flock 9
if [[ -x "$ASSETS/kube-apiserver" ]]; then echo "$ASSETS"; exit 0; fi

apt_install golang-go dpkg-dev make rsync ca-certificates golang-github-modern-go-reflect2-dev

WORK="$CACHE_ROOT/build-$VERSION"
rm -rf "$WORK"; mkdir -p "$WORK/apt/lists/partial" "$WORK/src"

# A private deb-src list mirroring the system's own `deb` entries, so the machine's
# apt configuration is left untouched.
SRC_LIST="$WORK/apt/sources.list"
: >"$SRC_LIST"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [[ -f "$f" ]] || continue
  grep -E '^\s*deb\s' "$f" | sed -E 's/^\s*deb\s/deb-src /' >>"$SRC_LIST" || true
done
SRC_PARTS="$WORK/apt/sources.list.d"; mkdir -p "$SRC_PARTS"
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] || continue
  sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$SRC_PARTS/$(basename "$f")"
done
APT_OPTS=(-o "Dir::Etc::SourceList=$SRC_LIST" -o "Dir::Etc::SourceParts=$SRC_PARTS" -o "Dir::State::Lists=$WORK/apt/lists")
log "fetching the kubernetes source package index"
apt-get "${APT_OPTS[@]}" update -qq >&2
(cd "$WORK/src" && apt-get "${APT_OPTS[@]}" source --download-only kubernetes >&2)

log "unpacking"
cd "$WORK/src"
orig=$(ls kubernetes_*.orig.tar.* | head -1)
mkdir tree && tar -xf "$orig" -C tree --strip-components=1
cd tree
mkdir -p .go/src/k8s.io && ln -s ../../.. .go/src/k8s.io/kubernetes

# Kubernetes 1.20 vendors modern-go/reflect2 v1.0.1, which reads Go's runtime map internals
# and crashes under Go >= 1.18 ("fatal error: fault" in UnsafeIterate, on the first custom
# object written). v1.0.2 fixed that; Debian packages it, so swap it in before building.
REFLECT2=/usr/share/gocode/src/github.com/modern-go/reflect2
[[ -f $REFLECT2/reflect2.go ]] || { log "missing $REFLECT2"; exit 1; }
rm -rf vendor/github.com/modern-go/reflect2
cp -r "$REFLECT2" vendor/github.com/modern-go/reflect2
sed -i 's#github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#g' vendor/modules.txt go.mod

log "building kube-apiserver $VERSION (about 7 minutes on 2 cores)"
GOPATH="$PWD/.go" CGO_ENABLED=0 make WHAT=cmd/kube-apiserver >&2

mkdir -p "$ASSETS.tmp"
cp _output/bin/kube-apiserver "$ASSETS.tmp/"
ln -sf "$(command -v etcd || echo /usr/bin/etcd)" "$ASSETS.tmp/etcd"
rm -rf "$ASSETS"; mv "$ASSETS.tmp" "$ASSETS"
cd /; rm -rf "$WORK"
log "cached at $ASSETS"
echo "$ASSETS"
