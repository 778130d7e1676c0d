#!/usr/bin/env bash
# The public JSON API's list endpoints at 64 connections over the demo county (issue 16):
# a village's disclosures (first page and a page from a cursor, keyset in SQL), its vouchers of
# a month, leases, the log, and the same request answered 304 by ETag; the village home (a
# cached page) measured in the same run as the reference. Needs wrk and curl.
#
#   bash bench/api.sh
#   DURATION=5s bash bench/api.sh      # quickly
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT="${PORT:-18196}"
AS_OF=2026-11-24
work=$(mktemp -d /tmp/yg-api-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk" >&2; exit 1; }
# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%F), commit $(git rev-parse --short HEAD)"
"$bin" demo --data-dir "$work/demo" --no-serve --as-of "$AS_OF" >"$work/demo.out" 2>&1
RUST_LOG=warn "$bin" serve --data-dir "$work/demo" --listen "127.0.0.1:$PORT" >"$work/serve.out" 2>"$work/serve.log" &
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
village=$(curl -s "$BASE/api/v1/regions" | grep -o '"code":"[0-9]\{12\}","name":"[^"]*","kind":"village"' | head -1 | cut -d'"' -f4)
[ -n "$village" ] || { echo "no village found" >&2; exit 1; }
month=$(curl -s "$BASE/api/v1/villages/$village/finance" | grep -o '"period":"[0-9-]*"' | tail -1 | cut -d'"' -f4)
cursor=$(curl -s "$BASE/api/v1/villages/$village/disclosures?limit=50" | grep -o '"next_cursor":"[^"]*"' | cut -d'"' -f4)
etag=$(curl -s -D - -o /dev/null "$BASE/api/v1/villages/$village/disclosures" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
measure() { # url [header] -> "rps p50_ms p99_ms"
  local args=(-t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H 'Accept-Encoding: br')
  [ -n "${2:-}" ] && args+=(-H "$2")
  wrk "${args[@]}" "$1" >"$work/wrk.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  ms() { case "$1" in *us) awk -v v="${1%us}" 'BEGIN {print v / 1000}';; *ms) echo "${1%ms}";; *s) awk -v v="${1%s}" 'BEGIN {print v * 1000}';; esac; }
  p50=$(ms "$(awk '$1=="50%" {print $2}' "$work/wrk.txt")")
  p99=$(ms "$(awk '$1=="99%" {print $2}' "$work/wrk.txt")")
  if grep -q "Non-2xx" "$work/wrk.txt" && [ "${3:-}" != "304" ]; then echo "non-2xx answers for $1" >&2; cat "$work/wrk.txt" >&2; exit 1; fi
  echo "$rps $p50 $p99"
}
echo
echo "| $village, wrk -t2 -c$CONNECTIONS -d$DURATION | requests/s | p50 ms | p99 ms | ratio to village home |"
echo "|---|---|---|---|---|"
read -r home_rps home_p50 home_p99 <<<"$(measure "$BASE/v/$village")"
echo "| village home (cached page, reference) | $home_rps | $home_p50 | $home_p99 | 1.00 |"
for row in "disclosures, first page of 50|$BASE/api/v1/villages/$village/disclosures" \
           "disclosures, next page by cursor|$BASE/api/v1/villages/$village/disclosures?cursor=$cursor" \
           "disclosures, one column|$BASE/api/v1/villages/$village/disclosures?column=finance-income" \
           "vouchers of $month, first page|$BASE/api/v1/villages/$village/finance/$month/vouchers" \
           "leases|$BASE/api/v1/villages/$village/leases" \
           "the log, first page|$BASE/api/v1/log" \
           "one disclosure in full|$BASE/api/v1/disclosures/1"; do
  IFS='|' read -r what url <<<"$row"
  read -r rps p50 p99 <<<"$(measure "$url")"
  echo "| $what | $rps | $p50 | $p99 | $(awk -v a="$rps" -v b="$home_rps" 'BEGIN {printf "%.2f", a / b}') |"
done
read -r rps p50 p99 <<<"$(measure "$BASE/api/v1/villages/$village/disclosures" "If-None-Match: $etag" 304)"
echo "| disclosures, unchanged (304 by ETag) | $rps | $p50 | $p99 | $(awk -v a="$rps" -v b="$home_rps" 'BEGIN {printf "%.2f", a / b}') |"
