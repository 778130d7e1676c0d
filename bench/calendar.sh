#!/usr/bin/env bash
# The disclosure calendar's full recompute for the demo county at full scale (229 villages,
# 24 months of disclosures, about 224,000 vouchers): `yangguang calendar` over the whole county
# and 24 months, timed by the command itself (the bulk reads and the rules, not the start-up)
# and by the wall clock, then once more writing the XLSX. Target: well under 5 s.
#
#   bash bench/calendar.sh
#   SCALE= bash bench/calendar.sh      # the ordinary demo instead of --scale full
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${SCALE-full}"
AS_OF=2026-11-24
work=$(mktemp -d /tmp/yg-calendar-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%F), commit $(git rev-parse --short HEAD)"
"$bin" demo ${SCALE:+--scale "$SCALE"} --data-dir "$work/data" --no-serve --as-of "$AS_OF" >/dev/null 2>&1
for run in 1 2 3; do
  start=$(date +%s%N)
  line=$("$bin" calendar --data-dir "$work/data" --as-of "$AS_OF" --from 2024-12 --to 2026-11)
  wall=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  echo "run $run: $line; process wall clock ${wall} s"
done
start=$(date +%s%N)
"$bin" calendar --data-dir "$work/data" --as-of "$AS_OF" --from 2024-12 --to 2026-11 --out "$work/calendar.xlsx" | tail -1
echo "with the XLSX: $(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN {printf "%.2f", (b - a) / 1e9}') s, $(stat -c %s "$work/calendar.xlsx") bytes"
