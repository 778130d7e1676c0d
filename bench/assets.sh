#!/usr/bin/env bash
# Issue 5's benchmarks: household import throughput at the real county's 130,000 households
# (the registers a clerk uploads, one village at a time, through `yangguang import
# households`); trading feed upsert throughput (the real pull adapter against a local feed);
# and a household's own page and a village's lease list at 64 connections, with the village
# home measured in the same run as the reference. Needs wrk, GNU time and curl.
#
#   bash bench/assets.sh
#   HOUSEHOLDS=13000 LISTINGS=2000 DURATION=5s bash bench/assets.sh   # quickly
set -euo pipefail
cd "$(dirname "$0")/.."
HOUSEHOLDS="${HOUSEHOLDS:-130000}"
LISTINGS="${LISTINGS:-20000}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT=18190
work=$(mktemp -d /tmp/yg-assets-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk" >&2; exit 1; }
# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang --bins --example county_households --example feed_bench
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%F)"
echo

# ── Household import: the county's registers, village by village, into a fresh store.
"$(dirname "$bin")"/examples/county_households "$work/hh" "$HOUSEHOLDS" 2>/dev/null
"$bin" import regions --data-dir "$work/data" "$work/hh/regions.csv" >/dev/null 2>&1
total_s=0; peak_kb=0; villages=0
for dir in "$work"/hh/[0-9]*/; do
  code=$(basename "$dir")
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" import households --data-dir "$work/data" --village "$code" \
    "$dir"members.csv "$dir"plots.csv "$dir"homestead.csv "$dir"shares.csv >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
  read -r s kb <"$work/time"
  total_s=$(echo "$total_s + $s" | bc); ((kb > peak_kb)) && peak_kb=$kb
  villages=$((villages + 1))
done
stored=$(sqlite3 "$work/data/yangguang.db" "SELECT COUNT(*) FROM record WHERE kind = 'household'")
members=$(cat "$work"/hh/[0-9]*/members.csv | wc -l)
awk -v h="$stored" -v m="$((members - villages))" -v s="$total_s" -v k="$peak_kb" -v v="$villages" 'BEGIN {
  printf "| household import, %d villages | households | members | seconds | households/s | largest peak memory |\n|---|---|---|---|---|---|\n", v;
  printf "| members, plots, homesteads, shares (4 files a village) | %d | %d | %.1f | %.0f | %.0f MiB |\n\n", h, m, s, h / s, k / 1024 }'

# ── Feed upsert throughput.
"$(dirname "$bin")"/examples/feed_bench "$LISTINGS"
echo

# ── Pages at 64 connections: the demo, a villager logged in with the console SMS sender.
"$bin" demo --data-dir "$work/demo" --no-serve --as-of 2026-11-24 >"$work/demo.out" 2>&1
RUST_LOG=warn "$bin" serve --data-dir "$work/demo" --listen "127.0.0.1:$PORT" >"$work/serve.out" 2>"$work/serve.log" &
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
curl -s -o /dev/null -d phone=13800138000 "$BASE/my/code"
sleep 0.5
code=$(grep '^sms 13800138000' "$work/serve.out" | tail -1 | sed 's/.*验证码是 \([0-9]*\).*/\1/')
cookie=$(curl -s -D - -o /dev/null -d "phone=13800138000&code=$code" "$BASE/my/verify" | grep -io 'yg_villager=[0-9a-f]*')
[ -n "$cookie" ] || { echo "villager login failed" >&2; exit 1; }
village=$(curl -s -b "$cookie" "$BASE/my" | grep -o '/v/[0-9]\{12\}' | head -1)
measure() { # url [cookie] -> "rps p99_ms"
  local args=(-t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H 'Accept-Encoding: br')
  [ -n "${2:-}" ] && args+=(-H "Cookie: $2")
  wrk "${args[@]}" "$1" >"$work/wrk.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  case "$p99" in *us) p99=$(awk -v v="${p99%us}" 'BEGIN {print v / 1000}');; *ms) p99="${p99%ms}";; *s) p99=$(awk -v v="${p99%s}" 'BEGIN {print v * 1000}');; esac
  grep -q "Non-2xx" "$work/wrk.txt" && { echo "non-2xx answers for $1" >&2; cat "$work/wrk.txt" >&2; exit 1; }
  echo "$rps $p99"
}
curl -s -o /dev/null "$BASE$village/leases"
read -r home_rps home_p99 <<<"$(measure "$BASE$village")"
read -r my_rps my_p99 <<<"$(measure "$BASE/my" "$cookie")"
read -r lease_rps lease_p99 <<<"$(measure "$BASE$village/leases")"
read -r soon_rps soon_p99 <<<"$(measure "$BASE$village/leases?expiring=1")"
echo "| $village, wrk -t2 -c$CONNECTIONS -d$DURATION | requests/s | p99 ms | ratio to village home |"
echo "|---|---|---|---|"
echo "| village home (cached page, reference) | $home_rps | $home_p99 | 1.00 |"
for row in "household's own page /my (logged in, never cached)|$my_rps|$my_p99" \
           "lease list|$lease_rps|$lease_p99" "lease list, expiring within 90 days|$soon_rps|$soon_p99"; do
  IFS='|' read -r what rps p99 <<<"$row"
  echo "| $what | $rps | $p99 | $(awk -v a="$rps" -v b="$home_rps" 'BEGIN {printf "%.2f", a / b}') |"
done
