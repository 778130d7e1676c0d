#!/usr/bin/env bash
# Issue 10's benchmark: pages that are not served from the page cache — a village search, a
# lease list filtered by rent (rendered for each request), a household's own page (/my), a
# 404 — at 64 connections, each against the cached village home measured in the same run.
# Target: each ≥ 5,000 requests/s with p99 ≤ 20 ms. Needs wrk and curl.
#
#   bash bench/uncached.sh
#   DURATION=5s bash bench/uncached.sh   # quickly
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT=18191
work=$(mktemp -d /tmp/yg-uncached-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk" >&2; exit 1; }
# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%F), commit $(git rev-parse --short HEAD)"
echo

"$bin" demo --data-dir "$work/demo" --no-serve --as-of 2026-11-24 >"$work/demo.out" 2>&1
RUST_LOG=warn "$bin" serve --data-dir "$work/demo" --listen "127.0.0.1:$PORT" >"$work/serve.out" 2>"$work/serve.log" &
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
curl -s -o /dev/null -d phone=13800138000 "$BASE/my/code"
for _ in $(seq 1 50); do grep -q '^sms 13800138000' "$work/serve.out" && break; sleep 0.1; done
code=$(grep '^sms 13800138000' "$work/serve.out" | tail -1 | sed 's/.*验证码是 \([0-9]*\).*/\1/')
cookie=$(curl -s -D - -o /dev/null -d "phone=13800138000&code=$code" "$BASE/my/verify" | grep -io 'yg_villager=[0-9a-f]*')
[ -n "$cookie" ] || { echo "villager login failed" >&2; exit 1; }
village=$(curl -s -b "$cookie" "$BASE/my" | grep -o '/v/[0-9]\{12\}' | head -1)

measure() { # url [cookie] [allow-non-2xx] -> "rps p99_ms"
  local args=(-t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H 'Accept-Encoding: br, gzip')
  [ -n "${2:-}" ] && args+=(-H "Cookie: $2")
  wrk "${args[@]}" "$1" >"$work/wrk.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  case "$p99" in *us) p99=$(awk -v v="${p99%us}" 'BEGIN {print v / 1000}');; *ms) p99="${p99%ms}";; *s) p99=$(awk -v v="${p99%s}" 'BEGIN {print v * 1000}');; esac
  if [ -z "${3:-}" ] && grep -q "Non-2xx" "$work/wrk.txt"; then echo "non-2xx answers for $1" >&2; cat "$work/wrk.txt" >&2; exit 1; fi
  echo "$rps $p99"
}
search="$BASE/search?q=%E6%9D%91"   # 村: every village matches
filtered="$BASE$village/leases?min=1000&max=90000"
read -r home_rps home_p99 <<<"$(measure "$BASE$village")"
read -r search_rps search_p99 <<<"$(measure "$search")"
read -r lease_rps lease_p99 <<<"$(measure "$filtered")"
read -r my_rps my_p99 <<<"$(measure "$BASE/my" "$cookie")"
read -r nf_rps nf_p99 <<<"$(measure "$BASE/v/339999999999" "" allow)"
echo "| $village, wrk -t2 -c$CONNECTIONS -d$DURATION, Accept-Encoding: br, gzip | requests/s | p99 ms | ratio to village home |"
echo "|---|---|---|---|"
echo "| village home (cached page, reference) | $home_rps | $home_p99 | 1.00 |"
for row in "village search ?q=村 (every village)|$search_rps|$search_p99" \
           "lease list filtered by rent (rendered per request)|$lease_rps|$lease_p99" \
           "household's own page /my (logged in, never cached)|$my_rps|$my_p99" \
           "404 (unknown village)|$nf_rps|$nf_p99"; do
  IFS='|' read -r what rps p99 <<<"$row"
  awk -v w="$what" -v r="$rps" -v p="$p99" -v h="$home_rps" 'BEGIN {printf "| %s | %s | %s | %.2f |\n", w, r, p, r / h}'
done
