#!/bin/bash
# bench/profile/callgrind.sh TAG R [pod|lb] [SERVICES]: instructions of the HTTP bench's rig plus R requests, counted by
# valgrind (no cache simulation; node --predictable with fixed seeds, JIT code named through V8's perf map), into
# $CG_DIR/TAG-R.out (default /tmp/svclab-cg). Per request over a window: run R1 and R2, then
# `cgcmp.py TAG R1 R2 [TAG2]` (by kind: JIT, builtins, TurboFan, collectors) or `cgfn.py …` (by function).
set -euo pipefail
TAG=$1; R=$2; P=${3:-pod}; N=${4:-1000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CG_DIR=${CG_DIR:-/tmp/svclab-cg}
mkdir -p "$CG_DIR" "$ROOT/node_modules/.cache"
OUT=$ROOT/node_modules/.cache/svclab-requests-$TAG-$R.mjs
"$ROOT/node_modules/.bin/esbuild" "$ROOT/bench/profile/requests-entry.ts" --bundle --platform=node --format=esm \
  --outfile="$OUT" --log-level=error --packages=external
cd "$ROOT"
P=$P N=$N R=$R valgrind --tool=callgrind --cache-sim=no --callgrind-out-file="$CG_DIR/$TAG-$R.out" \
  node --expose-gc --predictable --hash-seed=1 --random-seed=1 --perf-basic-prof "$OUT" >/dev/null 2>"$CG_DIR/$TAG-$R.log"
PID=$(grep -o '^==[0-9]*==' "$CG_DIR/$TAG-$R.log" | head -1 | tr -d =)
mv "/tmp/perf-$PID.map" "$CG_DIR/$TAG-$R.map" 2>/dev/null || true
rm -f "$OUT"
