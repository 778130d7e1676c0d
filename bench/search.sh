#!/usr/bin/env bash
# Full-text search: the index built from the `--scale full` demo (time and size, by
# `yangguang reindex`), then `/api/search` latency at 16 and 64 concurrent clients with wrk,
# each request one of a list of typical queries (words, a village scope, a kind filter, pinyin).
# Needs wrk and curl (apt-get install wrk curl). Prints a Markdown table for BENCHMARKS.md.
#
#   bash bench/search.sh
#   DURATION=30s SCALE=1 bash bench/search.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
SCALE="${SCALE:-full}"
PORT=18190
work=$(mktemp -d /tmp/yg-search-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk" >&2; exit 1; }

# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"

start=$(date +%s%N)
"$bin" demo --data-dir "$work/data" --scale "$SCALE" --no-serve --as-of 2026-11-24 >"$work/demo.out" 2>"$work/demo.log"
demo_seconds=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')

"$bin" reindex --data-dir "$work/data" >"$work/reindex.out" 2>"$work/reindex.log"
index_line=$(tail -1 "$work/reindex.out")
db_mb=$(du -sm "$work/data/yangguang.db" | cut -f1)

RUST_LOG=warn "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$PORT" 2>"$work/serve.log" &
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
village=$(curl -s "http://127.0.0.1:$PORT/?all=1" | grep -o '/v/[0-9]\{12\}' | sed -n 100p | cut -c4-)
town="${village:0:9}000"

cat >"$work/queries.lua" <<LUA
local queries = {
  "/api/search?q=%E8%B7%AF%E7%81%AF",                                  -- 路灯
  "/api/search?q=%E7%A7%9F%E9%87%91",                                  -- 租金
  "/api/search?q=%E7%A7%9F%E9%87%91&in=$village",                      -- 租金 in a village
  "/api/search?q=%E8%B7%AF%E7%81%AF&in=$town&kind=finance",            -- 路灯, a town, accounts
  "/api/search?q=%E4%BD%8E%E4%BF%9D",                                  -- 低保
  "/api/search?q=%E5%8A%9E%E5%85%AC%E7%94%A8%E5%93%81&page=3",         -- 办公用品, page 3
  "/api/search?q=%E5%85%9A%E5%91%98%E5%A4%A7%E4%BC%9A",                -- 党员大会
  "/api/search?q=ltc",                                                 -- pinyin initials
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", queries[(i % #queries) + 1])
end
LUA

to_ms() { case "$1" in *us) awk -v v="${1%us}" 'BEGIN {print v / 1000}';; *ms) echo "${1%ms}";; *s) awk -v v="${1%s}" 'BEGIN {print v * 1000}';; esac; }
measure() {
  wrk -t2 -c"$1" -d"$DURATION" --latency -s "$work/queries.lua" "http://127.0.0.1:$PORT" >"$work/wrk-$1.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-$1.txt")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$work/wrk-$1.txt")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$work/wrk-$1.txt")")
  errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk-$1.txt")
  echo "| $1 | $rps | $p50 | $p99 | ${errors:-0} |"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%F) · demo --scale $SCALE in ${demo_seconds}s, database ${db_mb} MB"
echo "reindex: $index_line"
echo
echo "| clients | requests/s | p50 ms | p99 ms | non-2xx |"
echo "|---|---|---|---|---|"
measure 16
measure 64
rm -rf "$work"
