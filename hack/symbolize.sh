#!/usr/bin/env bash
# Names the frames of a stack trace the published operator printed. The image's binary carries no method names
# (Container.pubxml: StackTraceSupport=false), so a frame reads `at metrics-operator!<BaseAddress>+0x2b4f1c`; the
# publish keeps the binary's symbols beside it in metrics-operator.dbg (the Dockerfile's `symbols` stage), and the
# binary is linked at a fixed address, so each offset resolves against that file to the method, source file and line.
#   hack/symbolize.sh metrics-operator.dbg < operator.log
# Lines that are not such frames pass through unchanged. Needs readelf and addr2line (binutils).
set -euo pipefail
dbg=${1:?usage: hack/symbolize.sh <metrics-operator.dbg> < log}
[[ -f $dbg ]] || { echo "symbolize.sh: $dbg: no such file" >&2; exit 2; }
# <BaseAddress> is where the first loadable segment starts (0x400000 for a fixed-address x86-64 executable).
base=$(readelf -lW "$dbg" 2>/dev/null | awk '$1 == "LOAD" { print $3; exit }')
[[ -n $base ]] || { echo "symbolize.sh: $dbg has no loadable segment" >&2; exit 2; }
frame='^(.*[^A-Za-z0-9._-])?([A-Za-z0-9._-]+)!<BaseAddress>\+0x([0-9a-fA-F]+)(.*)$'
while IFS= read -r line || [[ -n $line ]]; do
  if [[ $line =~ $frame ]]; then
    prefix=${BASH_REMATCH[1]} offset=${BASH_REMATCH[3]} rest=${BASH_REMATCH[4]}
    mapfile -t named < <(addr2line -f -e "$dbg" "$(printf '0x%x' $((base + 0x$offset)))")
    printf '%s%s (%s)%s\n' "$prefix" "${named[0]}" "${named[1]}" "$rest"
  else
    printf '%s\n' "$line"
  fi
done
