#!/usr/bin/env bash
# Issue 16's bulk-data benchmark: the busiest village-year of the demo (SCALE=full by default)
# downloaded as one ZIP (every table of the year, streamed), with the time of the download and
# the server's memory sampled every 10 ms against its value before. Needs curl and sqlite3.
#
#   bash bench/zip.sh
#   SCALE=1 bash bench/zip.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${SCALE:-full}"
PORT="${PORT:-18197}"
work=$(mktemp -d /tmp/yg-zip-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
# YANGGUANG_BIN names a binary built beforehand, to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%F), commit $(git rev-parse --short HEAD), demo --scale $SCALE"
"$bin" demo --data-dir "$work/data" --scale "$SCALE" --no-serve --as-of 2026-11-24 >"$work/demo.out" 2>&1
read -r village year lines <<<"$(sqlite3 -separator ' ' "$work/data/yangguang.db" \
  "SELECT v.village_code, v.year, COUNT(*) FROM ledger_entry e JOIN voucher v USING (voucher_id)
   GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1")"
RUST_LOG=info "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$PORT" >"$work/serve.out" 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
url="http://127.0.0.1:$PORT/v/$village/open-data/$year/bulk.zip"
curl -sf -o /dev/null "http://127.0.0.1:$PORT/v/$village/open-data/$((year - 1))/bulk.zip" || true # warm-up: another year
for run in 1 2 3; do
  before=$(rss)
  ( peak=0; while kill -0 "$pid" 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$work/peak"; sleep 0.01; done ) &
  sampler=$!
  seconds=$(curl -sf -o "$work/y.zip" -w '%{time_total}' "$url")
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  peak=$(cat "$work/peak")
  bytes=$(stat -c %s "$work/y.zip")
  echo "| run $run | $village $year | $lines entry lines | ${seconds} s | $((bytes / 1024)) KiB | RSS before $((before / 1024)) MiB, peak $((peak / 1024)) MiB (+$(((peak - before) / 1024)) MiB) |"
done
grep "bulk ZIP written" "$work/serve.log" | tail -1 | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-400
