#!/usr/bin/env bash
# Issue 17's province benchmark on PostgreSQL: `demo --scale SCALE` (20 counties = 4,580
# villages by default) into a fresh database on 127.0.0.1:5432, then its creation time, the
# database's size, the app server's memory before and after 4,000 cold pages of different
# villages (the page cache's bound), the cached village home and a page rendered per request
# at 64 connections, the same through nginx with one and with two app servers, `verify`'s
# time and one village's year of books imported. Needs wrk,
# curl, psql/createdb/dropdb (trust auth) and python3. Prints lines for BENCHMARKS.md.
#
#   bash bench/province.sh               # SCALE=20: about 10 minutes of creation
#   SCALE=1 bash bench/province.sh       # one county, to compare in the same run
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${SCALE:-20}"
DURATION="${DURATION:-10s}"
PORT="${PORT:-18198}"
DB="yg_province_$$"
URL="postgres://127.0.0.1:5432/$DB"
work=$(mktemp -d /tmp/yg-province.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; sleep 1; dropdb -h 127.0.0.1 --if-exists "$DB" 2>/dev/null || true; rm -rf "$work"' EXIT
for tool in wrk curl createdb psql python3; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool" >&2; exit 1; }
done
# YANGGUANG_BIN names a binary built beforehand, to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"
createdb -h 127.0.0.1 "$DB"
seconds() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%F), commit $(git rev-parse --short HEAD), demo --scale $SCALE on PostgreSQL $(psql -h 127.0.0.1 -Atc 'SHOW server_version' "$DB")"
start=$(date +%s%N)
"$bin" demo --database "$URL" --data-dir "$work/data" --scale "$SCALE" --no-serve --as-of 2026-11-24 >"$work/demo.out" 2>&1
echo "- creation: $(seconds "$start") s"
count() { psql -h 127.0.0.1 -Atc "SELECT COUNT(*) FROM $1" "$DB"; }
echo "- rows: $(count "region WHERE kind IN ('village', 'community')") villages, $(count disclosure) disclosures, $(count voucher) vouchers, $(count ledger_entry) entry lines, $(count receipt) receipt scans, $(count record) register records (households, leases, assets…)"
echo "- database size: $(psql -h 127.0.0.1 -Atc "SELECT pg_size_pretty(pg_database_size('$DB'))" "$DB")"

RUST_LOG=warn "$bin" serve --database "$URL" --data-dir "$work/data" --listen "127.0.0.1:$PORT" >"$work/serve.out" 2>"$work/serve.log" &
pid=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 3000); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
echo "- server memory after start: $(rss) MiB"
psql -h 127.0.0.1 -Atc "SELECT region_code FROM region WHERE kind = 'village' ORDER BY region_code" "$DB" >"$work/villages.txt"
village=$(sed -n 1p "$work/villages.txt")
# Cold pages: the first disclosure page of 4,000 villages' homes and finance months, 8 at a time.
psql -h 127.0.0.1 -Atc "SELECT '/v/' || village_code || '/d/' || MIN(disclosure_id) FROM disclosure
  WHERE state = 'published' GROUP BY village_code ORDER BY village_code LIMIT 2000" "$DB" >"$work/pages.txt"
# (head first: with pipefail, a sed cut short by head would stop the script with SIGPIPE)
head -2000 "$work/villages.txt" | sed 's|^|/v/|; s|$|/finance/2026-10|' >>"$work/pages.txt"
pages=$(wc -l <"$work/pages.txt")
start=$(date +%s%N)
# One curl per 50 pages, each page's body to /dev/null (curl's -o applies to one URL each).
sed "s|^|$BASE|" "$work/pages.txt" | xargs -P 8 -n 50 sh -c 'for u; do printf "url = \"%s\"\noutput = /dev/null\n" "$u"; done | curl -s -K -' _
cold=$(seconds "$start")
echo "- $pages cold pages of different villages, 8 at a time: $cold s ($(awk -v n="$pages" -v s="$cold" 'BEGIN {printf "%.0f", n / s}') pages/s); server memory after: $(rss) MiB"
measure() { # url -> "rps p50 p99"
  curl -sf -o /dev/null "$1" || { echo "GET $1 failed" >&2; exit 1; }
  wrk -t2 -c64 -d"$DURATION" --latency -H 'Accept-Encoding: br, gzip' "$1" >"$work/wrk.txt"
  awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {print r, p50, p99}' "$work/wrk.txt"
}
echo "- village home (cached), 64 connections: $(measure "$BASE/v/$village") (requests/s, p50, p99)"
echo "- lease list filtered by rent (rendered per request), 64 connections: $(measure "$BASE/v/$village/leases?min=1000&max=90000")"

# Two app servers on the one database behind nginx, against the same nginx with one of them.
if command -v nginx >/dev/null; then
  PORT2=$((PORT + 1)); NGINX_PORT=$((PORT + 2))
  RUST_LOG=warn "$bin" serve --database "$URL" --data-dir "$work/data" --listen "127.0.0.1:$PORT2" >"$work/serve2.out" 2>"$work/serve2.log" &
  pid2=$!
  for _ in $(seq 1 3000); do curl -sf "http://127.0.0.1:$PORT2/healthz" >/dev/null && break; sleep 0.2; done
  nginx_with() { # upstream servers… -> nginx running on NGINX_PORT
    [ -f "$work/nginx.pid" ] && { kill "$(cat "$work/nginx.pid")"; sleep 0.5; }
    {
      echo "worker_processes 1; pid $work/nginx.pid; error_log $work/nginx-error.log;"
      echo "events { worker_connections 1024; }"
      echo "http { access_log off; upstream yg { keepalive 32;"
      for port in "$@"; do echo "server 127.0.0.1:$port;"; done
      echo "} server { listen 127.0.0.1:$NGINX_PORT; location / { proxy_pass http://yg; proxy_http_version 1.1;"
      echo 'proxy_set_header Connection ""; proxy_set_header Host $host; } } }'
    } >"$work/nginx.conf"
    nginx -c "$work/nginx.conf"; sleep 0.5
  }
  NGINX="http://127.0.0.1:$NGINX_PORT"
  nginx_with "$PORT"
  echo "- through nginx, one app server: home $(measure "$NGINX/v/$village"); filtered leases $(measure "$NGINX/v/$village/leases?min=1000&max=90000")"
  nginx_with "$PORT" "$PORT2"
  echo "- through nginx, two app servers: home $(measure "$NGINX/v/$village"); filtered leases $(measure "$NGINX/v/$village/leases?min=1000&max=90000")"
  kill "$(cat "$work/nginx.pid")"; kill "$pid2"; wait "$pid2" 2>/dev/null || true
else
  echo "- (nginx not installed: apt-get install nginx-light for the two-server figures)"
fi
kill "$pid"; wait "$pid" 2>/dev/null || true

start=$(date +%s%N)
"$bin" verify --database "$URL" --data-dir "$work/data" >"$work/verify.out" 2>&1 || { tail -5 "$work/verify.out"; exit 1; }
echo "- verify: $(seconds "$start") s ($(tail -1 "$work/verify.out" | cut -c1-120))"

python3 - "$work/books.csv" <<'PY'
import sys, random
random.seed(7)
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("凭证日期,凭证号,摘要,科目编码,科目名称,借方金额,贷方金额,附件数\n")
    for month in range(1, 13):
        for n in range(1, 365):
            amount = f"{random.randint(100, 999_999) / 100:,.2f}"
            date = f"2027-{month:02d}-{1 + n % 28:02d}"
            f.write(f'{date},记-{n:04d},支付办公费,531002,办公费,"{amount}",,1\n')
            f.write(f'{date},记-{n:04d},支付办公费,102,银行存款,,"{amount}",\n')
PY
start=$(date +%s%N)
"$bin" import ledger --database "$URL" --data-dir "$work/data" --village "$village" "$work/books.csv" >"$work/import.out" 2>&1 ||
  { tail -5 "$work/import.out"; exit 1; }
echo "- one village's year of books ($(($(wc -l <"$work/books.csv") - 1)) entry lines): $(seconds "$start") s"
