#!/usr/bin/env bash
# Issue 15's dashboard benchmark: the supervision dashboard's pages at 64 connections over the
# demo county (release build): the county's grid (229 villages, as the discipline commission
# sees it), a town's grid (as its township reviewer sees it) and a village's page, each
# requests/s and p99. The pages are not cached: each request reads the calendar of its villages
# over 24 months. Signs in as the demo's `township` and `discipline` accounts (setting their new
# passwords, and the commission's TOTP second factor from the set-up page's key).
# Needs wrk, curl and python3.
#
#   bash bench/dashboard.sh
#   DURATION=5s SCALE=full bash bench/dashboard.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
SCALE="${SCALE:-}"
PORT=18195
work=$(mktemp -d /tmp/yg-dash-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool: apt-get install wrk curl python3" >&2; exit 1; }
done
# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"

scale=()
[ -n "$SCALE" ] && scale=(--scale "$SCALE")
"$bin" demo --data-dir "$work/demo" --no-serve --as-of 2026-11-24 "${scale[@]}" >"$work/demo.out" 2>&1
RUST_LOG=warn YANGGUANG__VISITS__ENABLED=false "$bin" serve --data-dir "$work/demo" --listen "127.0.0.1:$PORT" 2>"$work/serve.log" &
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

password_of() { awk -v u="$1" '$1 == "demo-account" && $2 == u {print $3}' "$work/demo.out"; }
csrf_of() { grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | cut -d'"' -f4; }
totp_of() { # base32 key -> the current six digits (RFC 6238, SHA-1, 30 s)
  python3 -c 'import base64,hmac,struct,sys,time
k=base64.b32decode(sys.argv[1].replace(" ","").upper()+"="*(-len(sys.argv[1].replace(" ",""))%8))
h=hmac.new(k,struct.pack(">Q",int(time.time())//30),"sha1").digest()
o=h[-1]&15
print("%06d"%((struct.unpack(">I",h[o:o+4])[0]&0x7fffffff)%1000000))' "$1"
}
sign_in() { # user jar: first login, the new password, the second factor when asked
  local jar="$2" c page new="$1-bench-2026-pw"
  c=$(curl -s -c "$jar" -b "$jar" "$BASE/console/login" | csrf_of)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$c" --data-urlencode "username=$1" \
    --data-urlencode "password=$(password_of "$1")" "$BASE/console/login"
  c=$(curl -s -L -c "$jar" -b "$jar" "$BASE/console/setup" | csrf_of)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$c" --data-urlencode "username=$1" \
    --data-urlencode "new=$new" --data-urlencode "confirm=$new" "$BASE/console/setup/password"
  page=$(curl -s -L -c "$jar" -b "$jar" "$BASE/console/setup")
  if grep -q 'totp-key' <<<"$page"; then
    key=$(grep -o 'class="key totp-key">[^<]*' <<<"$page" | sed 's/.*>//')
    curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$(csrf_of <<<"$page")" \
      --data-urlencode "code=$(totp_of "$key")" "$BASE/console/setup/totp"
  fi
  awk '$6 == "yg_session" {print "yg_session=" $7}' "$jar" | tail -1
}
measure() { # path cookie -> "rps p99_ms"
  curl -sf -o /dev/null -H "Cookie: $2" "$BASE$1" || { echo "GET $1 failed" >&2; exit 1; }
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $2" "$BASE$1" >"$work/wrk.txt"
  if grep -q "Non-2xx" "$work/wrk.txt"; then echo "non-2xx answers for $1" >&2; cat "$work/wrk.txt" >&2; exit 1; fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  case "$p99" in *us) p99=$(awk -v v="${p99%us}" 'BEGIN {print v / 1000}');; *ms) p99="${p99%ms}";; *s) p99=$(awk -v v="${p99%s}" 'BEGIN {print v * 1000}');; esac
  echo "$rps $p99"
}

township=$(sign_in township "$work/township.jar")
discipline=$(sign_in discipline "$work/discipline.jar")
town=$(awk '$1 == "demo-account" && $2 == "township" {print $5}' "$work/demo.out")
village=$(awk '$1 == "demo-account" && $2 == "clerk" {print $5}' "$work/demo.out")
villages=$(curl -s -H "Cookie: $discipline" "$BASE/console/dashboard" | grep -o 'href="/console/dashboard/v/' | wc -l)
read -r county_rps county_p99 <<<"$(measure /console/dashboard "$discipline")"
read -r town_rps town_p99 <<<"$(measure "/console/dashboard/r/$town" "$township")"
read -r village_rps village_p99 <<<"$(measure "/console/dashboard/v/$village" "$township")"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%F), commit $(git rev-parse --short HEAD), demo ${SCALE:-default} as of 2026-11-24"
echo
echo "| dashboard page, wrk -t2 -c$CONNECTIONS -d$DURATION | requests/s | p99 ms |"
echo "|---|---|---|"
echo "| county grid, $villages villages (discipline commission) | $county_rps | $county_p99 |"
echo "| town grid $town (township reviewer) | $town_rps | $town_p99 |"
echo "| village page $village | $village_rps | $village_p99 |"
