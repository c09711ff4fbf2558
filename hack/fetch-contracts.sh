#!/usr/bin/env bash
# Fetches the third-party contract files the tests check against (API specs, Telegraf's option lists) at the
# revisions pinned below, for a machine without ../shared beside the checkout. Every file is checked against
# hack/contracts.sha256 before anything is written: a file that differs stops the run and the destination is left
# as it was.
#
#   bash hack/fetch-contracts.sh                  # from upstream (needs the internet) into the destination below
#   bash hack/fetch-contracts.sh --from DIR|URL   # from a copy laid out as contracts/ (a folder, file:// or https://)
#   bash hack/fetch-contracts.sh --dest DIR       # destination (default: $METRICS_OPERATOR_CONTRACTS, else ../shared/contracts)
#   bash hack/fetch-contracts.sh --write-sums DIR # rewrite hack/contracts.sha256 from a contracts folder (maintainers)
#
# The tests read $METRICS_OPERATOR_CONTRACTS when it is set, else ../shared/contracts (tests/Fakes/Contracts/ContractFiles.cs).
# The files stay out of the repository: they are other projects' text. Only their checksums are committed (facts).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SUMS="$ROOT/hack/contracts.sha256"

log() { echo "[fetch-contracts.sh] $*" >&2; }

# The revisions, from each contracts/*/SOURCE file of ../shared.
INFLUXDB_OPENAPI=ad26a17809307a9b190d5ca0ef6d0a0f094993ff   # influxdata/openapi
GRAFANA_OPENAPI=cb54af41ee47090038aa70287e357e0c0e6027b9    # jjaychen1e/grafana-openapi-client (Grafana 11.4.0's api-merged.json)
TELEGRAF=b27263146617cefe16c0b300107b58b111a7fa57           # influxdata/telegraf
TRICKSTER=1312f67295b6da8643db6d11f421a2c5254beea3          # trickstercache/trickster
RAW=https://raw.githubusercontent.com

from=""
dest="${METRICS_OPERATOR_CONTRACTS:-$ROOT/../shared/contracts}"
write_sums=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --from) from=${2:?--from needs a folder or URL}; shift 2 ;;
    --dest) dest=${2:?--dest needs a folder}; shift 2 ;;
    --write-sums) write_sums=${2:?--write-sums needs a contracts folder}; shift 2 ;;
    *) log "unknown argument: $1"; exit 2 ;;
  esac
done

if [[ -n $write_sums ]]; then
  # SOURCE files are ../shared's own notes, not contracts; the URLs they give are above.
  (cd "$write_sums" && find . -type f ! -name SOURCE | sed 's|^\./||' | LC_ALL=C sort | xargs -d '\n' sha256sum) > "$SUMS"
  log "wrote $(wc -l < "$SUMS") sums to hack/contracts.sha256"
  exit 0
fi

# Upstream location of one contract file, or "derive:<how>" for the two kinds made from upstream files.
upstream() {
  local path=$1
  case $path in
    influxdb/oss.yml) echo "$RAW/influxdata/openapi/$INFLUXDB_OPENAPI/contracts/oss.yml" ;;
    grafana/api-merged.json) echo "$RAW/jjaychen1e/grafana-openapi-client/$GRAFANA_OPENAPI/packages/typescript-axios/specs/openapi.json" ;;
    grafana/openapi3.json) echo "derive:openapi3" ;;
    telegraf/CONFIGURATION.md) echo "$RAW/influxdata/telegraf/$TELEGRAF/docs/CONFIGURATION.md" ;;
    telegraf/parsers/*.md) local p=${path#telegraf/parsers/}; echo "$RAW/influxdata/telegraf/$TELEGRAF/plugins/parsers/${p%.md}/README.md" ;;
    telegraf/parsers/*.options) echo "derive:options" ;;
    telegraf/*/*.conf) local rest=${path#telegraf/}; echo "$RAW/influxdata/telegraf/$TELEGRAF/plugins/${rest%%/*}/$(basename "${rest%.conf}")/sample.conf" ;;
    trickster/example.full.yaml) echo "$RAW/trickstercache/trickster/$TRICKSTER/examples/conf/example.full.yaml" ;;
    trickster/docker-compose.trickster.yaml) echo "$RAW/trickstercache/trickster/$TRICKSTER/examples/docker-compose/docker-compose-data/trickster-config/trickster.yaml" ;;
    trickster/*.md) echo "$RAW/trickstercache/trickster/$TRICKSTER/docs/${path#trickster/}" ;;
    *) echo "unknown" ;;
  esac
}

get() { # get URL-or-folder-path OUT
  local source=$1 out=$2
  mkdir -p "$(dirname "$out")"
  if [[ $source =~ ^[a-z]+:// ]]; then
    curl -fsSL --retry 3 -o "$out" "$source"
  else
    cp "$source" "$out"
  fi
}

derive() { # derive HOW PATH OUT (in the staging folder, where the files it is made from already are)
  local how=$1 path=$2 out=$3
  case $how in
    openapi3)
      # As ../shared/contracts/grafana/SOURCE says: swagger2openapi 7.0.8 -p, re-indented to 2 spaces.
      local merged="$stage/grafana/api-merged.json"
      [[ -f $merged ]] || get "$(upstream grafana/api-merged.json)" "$merged"
      npx --yes swagger2openapi@7.0.8 -p -o "$out.tmp" "$merged" >&2
      node -e 'const fs=require("fs");fs.writeFileSync(process.argv[2],JSON.stringify(JSON.parse(fs.readFileSync(process.argv[1],"utf8")),null,2))' "$out.tmp" "$out"
      rm -f "$out.tmp" ;;
    options)
      # The toml option names the parser declares in its parser.go (telegraf/SOURCE).
      local parser; parser=$(basename "${path%.options}")
      get "$RAW/influxdata/telegraf/$TELEGRAF/plugins/parsers/$parser/parser.go" "$out.go"
      grep -o 'toml:"[^"]*"' "$out.go" | sed -E 's/toml:"([^",]*).*/\1/' | grep -vx -- '-' | LC_ALL=C sort -u > "$out"
      rm -f "$out.go" ;;
  esac
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

bad=()
count=0
while read -r sum path; do
  [[ -n $path ]] || continue
  out="$stage/$path"
  if [[ -n $from ]]; then
    get "${from%/}/$path" "$out" || { bad+=("$path: could not be read from $from"); continue; }
  else
    source=$(upstream "$path")
    case $source in
      unknown) bad+=("$path: no upstream location known; use --from"); continue ;;
      derive:*) derive "${source#derive:}" "$path" "$out" || { bad+=("$path: could not be derived"); continue; } ;;
      *) get "$source" "$out" || { bad+=("$path: could not be fetched from $source"); continue; } ;;
    esac
  fi
  actual=$(sha256sum "$out" | cut -d' ' -f1)
  if [[ $actual != "$sum" ]]; then
    bad+=("$path: sha256 $actual, expected $sum")
  fi
  count=$((count + 1))
done < "$SUMS"

if [[ ${#bad[@]} -gt 0 ]]; then
  log "${#bad[@]} file(s) failed; nothing was written to $dest:"
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi

mkdir -p "$dest"
cp -R "$stage"/. "$dest"/
log "$count files verified and written to $dest"
if [[ $(cd "$dest" && pwd -P) != $(cd "$ROOT/../shared/contracts" 2>/dev/null && pwd -P) ]]; then
  log "run the tests with METRICS_OPERATOR_CONTRACTS=$dest"
fi
