#!/usr/bin/env bash
# Benchmarks of the public site, measured against nginx serving the same bytes in the same
# run (ratios survive noisy machines; absolute figures do not). Needs wrk and nginx
# (apt-get install wrk nginx-light curl). Prints a Markdown table for BENCHMARKS.md.
#
#   bash bench/run.sh            # 64 connections, 10 s per measurement
#   DURATION=30s bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
APP_PORT=18180
NGINX_PORT=18181
work=$(mktemp -d /tmp/yg-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true' EXIT

for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool: apt-get install wrk nginx-light" >&2; exit 1; }
done

# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"

start=$(date +%s%N)
"$bin" demo --data-dir "$work/data" --no-serve --as-of 2026-11-24 >"$work/demo.out" 2>"$work/demo.log"
demo_seconds=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')

YANGGUANG__VISITS__FLUSH_SECONDS=5 RUST_LOG=warn "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$APP_PORT" 2>"$work/serve.log" &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$APP_PORT/healthz" >/dev/null && break; sleep 0.1; done

village=$(curl -s "http://127.0.0.1:$APP_PORT/?all=1" | grep -o '/v/[0-9]\{12\}' | sed -n 100p)
path="$village"
mkdir -p "$work/www"
curl -s -H 'Accept-Encoding: br' "http://127.0.0.1:$APP_PORT$path" -o "$work/www/page.br"
curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$APP_PORT$path" -o "$work/www/page.gz"
curl -s "http://127.0.0.1:$APP_PORT$path" -o "$work/www/page.html"
br_bytes=$(stat -c %s "$work/www/page.br")
gz_bytes=$(stat -c %s "$work/www/page.gz")
raw_bytes=$(stat -c %s "$work/www/page.html")

cat >"$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $work/www;
    location = /page {
      default_type "text/html; charset=utf-8";
      add_header Content-Encoding br;
      try_files /page.br =404;
    }
  }
}
NGINX
nginx -c "$work/nginx.conf"
sleep 0.3

measure() { # url [wrk options…] -> "rps p50_ms p99_ms"
  local url="$1"; shift
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H 'Accept-Encoding: br' "$@" "$url" >"$work/wrk.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  to_ms() { case "$1" in *us) awk -v v="${1%us}" 'BEGIN {print v / 1000}';; *ms) echo "${1%ms}";; *s) awk -v v="${1%s}" 'BEGIN {print v * 1000}';; esac; }
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}

# Warm the page cache, then measure app and nginx back to back.
curl -s -H 'Accept-Encoding: br' "http://127.0.0.1:$APP_PORT$path" -o /dev/null
read -r app_rps app_p50 app_p99 <<<"$(measure "http://127.0.0.1:$APP_PORT$path")"
read -r ngx_rps ngx_p50 ngx_p99 <<<"$(measure "http://127.0.0.1:$NGINX_PORT/page")"
ratio=$(awk -v a="$app_rps" -v n="$ngx_rps" 'BEGIN {printf "%.2f", a / n}')

# ── Visit counting must not slow cached pages: the same page read with a phone's user agent
# (wrk sends none, which counts as a bot), so every request is counted, on this server, and on
# a second server over the same data with counting off; alternated, two runs each.
PHONE_UA='Mozilla/5.0 (Linux; Android 12; V2134A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/101.0.4951.74 Mobile Safari/537.36 MicroMessenger/8.0.47.2560'
OFF_PORT=18182
YANGGUANG__VISITS__ENABLED=false RUST_LOG=warn "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$OFF_PORT" 2>"$work/serve-off.log" &
off_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$OFF_PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -s -H 'Accept-Encoding: br' "http://127.0.0.1:$OFF_PORT$path" -o /dev/null
declare -a on_runs off_runs
for run in 1 2; do
  read -r rps _ p99 <<<"$(measure "http://127.0.0.1:$OFF_PORT$path" -H "User-Agent: $PHONE_UA")"; off_runs+=("$rps $p99")
  read -r rps _ p99 <<<"$(measure "http://127.0.0.1:$APP_PORT$path" -H "User-Agent: $PHONE_UA")"; on_runs+=("$rps $p99")
done
kill "$off_pid" 2>/dev/null || true
avg() { printf '%s\n' "$@" | awk '{r += $1; p += $2} END {printf "%.0f %.2f", r / NR, p / NR}'; }
read -r on_rps on_p99 <<<"$(avg "${on_runs[@]}")"
read -r off_rps off_p99 <<<"$(avg "${off_runs[@]}")"
counting_ratio=$(awk -v a="$on_rps" -v n="$off_rps" 'BEGIN {printf "%.2f", a / n}')
sleep 2
sleep 4; dropped=$(grep -o "dropped=[0-9]*" "$work/serve.log" | awk -F= '{s += $2} END {print s + 0}')

# ── Publishing must not slow reading: the demo village's home while a clerk and a
# supervisor publish in a loop through the console (each publish invalidates that page).
password_of() { awk -v u="$1" '$1 == "demo-account" && $2 == u {print $3}' "$work/demo.out"; }
csrf_of() { grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | cut -d'"' -f4; }
staff_login() { # user one-time-password jar
  local jar="$3" c new="$2-bench-2026"
  c=$(curl -s -c "$jar" -b "$jar" "$BASE/console/login" | csrf_of)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$c" --data-urlencode "username=$1" --data-urlencode "password=$2" "$BASE/console/login"
  c=$(curl -s -b "$jar" "$BASE/console/account" | csrf_of)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$c" --data-urlencode "current=$2" --data-urlencode "new=$new" "$BASE/console/account/password"
  c=$(curl -s -c "$jar" -b "$jar" "$BASE/console/login" | csrf_of)
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$c" --data-urlencode "username=$1" --data-urlencode "password=$new" "$BASE/console/login"
}
BASE="http://127.0.0.1:$APP_PORT"
demo_village=$(curl -s -G --data-urlencode "q=$(awk '$2 == "clerk" {print $5}' "$work/demo.out")" "$BASE/search" | grep -o '/v/[0-9]\{12\}' | head -1)
staff_login clerk "$(password_of clerk)" "$work/clerk.jar"
staff_login supervisor "$(password_of supervisor)" "$work/supervisor.jar"
publish_loop() {
  local n=0 c id
  while [ ! -f "$work/stop" ]; do
    c=$(curl -s -b "$work/clerk.jar" "$BASE/console" | csrf_of)
    id=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$work/clerk.jar" -F "csrf=$c" -F "village=${demo_village#/v/}" \
      -F "column=safety-notices" -F "title=安全提示 $n" -F "body=第 $n 条安全提示" "$BASE/console/new" | grep -o '[0-9]*$')
    curl -s -o /dev/null -b "$work/clerk.jar" --data-urlencode "csrf=$c" "$BASE/console/d/$id/submit"
    # The reviewer signs the content hash its review page showed, as the form does.
    page=$(curl -s -b "$work/supervisor.jar" "$BASE/console/d/$id")
    c=$(csrf_of <<<"$page")
    h=$(grep -o 'name="hash" value="[0-9a-f]*"' <<<"$page" | head -1 | sed 's/.*value="//; s/"$//')
    curl -s -o /dev/null -b "$work/supervisor.jar" --data-urlencode "csrf=$c" -d "hash=$h" -d "decision=approve" "$BASE/console/d/$id/review"
    n=$((n + 1))
    echo "$n" >"$work/published"
  done
}
read -r quiet_rps quiet_p50 quiet_p99 <<<"$(measure "$BASE$demo_village")"
rm -f "$work/stop"; publish_loop & loop_pid=$!
pub_start=$(date +%s%N)
read -r busy_rps busy_p50 busy_p99 <<<"$(measure "$BASE$demo_village")"
touch "$work/stop"; wait "$loop_pid" || true
published=$(cat "$work/published" 2>/dev/null || echo 0)
pub_seconds=$(awk -v a="$pub_start" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
busy_ratio=$(awk -v a="$busy_rps" -v n="$quiet_rps" 'BEGIN {printf "%.2f", a / n}')
kill %1 2>/dev/null || true
start=$(date +%s%N)
"$bin" verify --data-dir "$work/data" >"$work/verify.out" 2>&1
verify_seconds=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%F) · wrk -t2 -c$CONNECTIONS -d$DURATION, Accept-Encoding: br · page $path"
echo "demo county created in ${demo_seconds}s ($(grep -o 'disclosures=[0-9]*' "$work/demo.log"))"
echo
echo "| what | requests/s | p50 ms | p99 ms | bytes (br / gzip / raw) |"
echo "|---|---|---|---|---|"
echo "| yangguang village home | $app_rps | $app_p50 | $app_p99 | $br_bytes / $gz_bytes / $raw_bytes |"
echo "| nginx, same bytes as a static file | $ngx_rps | $ngx_p50 | $ngx_p99 | $br_bytes |"
echo "| ratio app / nginx | $ratio | | | |"
echo
echo "| village home $path, phone user agent | requests/s (mean of 2) | p99 ms |"
echo "|---|---|---|"
echo "| visit counting off | $off_rps | $off_p99 |"
echo "| visit counting on (every request counted) | $on_rps | $on_p99 |"
echo "| ratio on / off | $counting_ratio | |"
echo "(visits dropped by the full queue, from the server's log so far: $dropped)"
echo
echo "| village home $demo_village | requests/s | p50 ms | p99 ms |"
echo "|---|---|---|---|"
echo "| quiet | $quiet_rps | $quiet_p50 | $quiet_p99 |"
echo "| while publishing in a loop ($published publications in ${pub_seconds}s) | $busy_rps | $busy_p50 | $busy_p99 |"
echo "| ratio busy / quiet | $busy_ratio | | |"
echo
echo "verify of the whole demo log: ${verify_seconds}s — $(cat "$work/verify.out")"
