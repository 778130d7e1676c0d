#!/usr/bin/env bash
# Issue 11's benchmark: the transparency log over the demo county (release build).
#   1. building the tree at upgrade: every entry's canonical bytes written and the tree read,
#      timed by the server's own log line (the leaves are removed first, as in an older data
#      directory);
#   2. the inclusion-proof endpoint at 64 connections over random items: requests/s and p99;
#   3. hash tiles served by the app against nginx serving the same tile bytes, same run;
#   4. `yangguang verify --mirror` of the whole log from the server, and from an offline bundle;
#   5. the largest proof of any item, in bytes.
# Needs wrk, nginx, curl, sqlite3 and python3.
#
#   bash bench/transparency.sh
#   DURATION=5s bash bench/transparency.sh   # quickly
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT=18193
NGINX_PORT=18194
work=$(mktemp -d /tmp/yg-tlog-bench.XXXXXX)
chmod 755 "$work"  # nginx's workers read the tile copy under it
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"' EXIT
for tool in wrk nginx sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool: apt-get install wrk nginx-light sqlite3 python3" >&2; exit 1; }
done
# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%F), commit $(git rev-parse --short HEAD)"
echo

"$bin" demo --data-dir "$work/demo" --no-serve --as-of 2026-11-24 >"$work/demo.out" 2>&1
# An older data directory: no canonical bytes yet.
sqlite3 "$work/demo/yangguang.db" "DELETE FROM log_leaf; DELETE FROM tree_checkpoint;"
entries=$(sqlite3 "$work/demo/yangguang.db" "SELECT count(*) FROM log_entry")
RUST_LOG=info "$bin" serve --data-dir "$work/demo" --listen "127.0.0.1:$PORT" >"$work/serve.out" 2>"$work/serve.log" &
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
upgrade=$(grep 'transparency log upgraded' "$work/serve.log" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
for _ in $(seq 1 100); do curl -sf "$BASE/log/checkpoint" >/dev/null && break; sleep 0.2; done
key=$(curl -s "$BASE/api/log/keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["log_key"])')

measure() { # url [lua script] -> "rps p99_ms"
  local args=(-t2 -c"$CONNECTIONS" -d"$DURATION" --latency)
  [ -n "${2:-}" ] && args+=(-s "$2")
  wrk "${args[@]}" "$1" >"$work/wrk.txt"
  if grep -q "Non-2xx" "$work/wrk.txt"; then echo "non-2xx answers for $1" >&2; cat "$work/wrk.txt" >&2; exit 1; fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  case "$p99" in *us) p99=$(awk -v v="${p99%us}" 'BEGIN {print v / 1000}');; *ms) p99="${p99%ms}";; *s) p99=$(awk -v v="${p99%s}" 'BEGIN {print v * 1000}');; esac
  echo "$rps $p99"
}

# Random published versions' proofs.
cat >"$work/proof.lua" <<LUA
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/disclosures/" .. math.random(1, $entries) .. "/proof")
end
LUA
read -r proof_rps proof_p99 <<<"$(measure "$BASE/" "$work/proof.lua")"

# The same tile bytes from nginx.
mkdir -p "$work/www/log/tile/0"
curl -s "$BASE/log/tile/0/000" -o "$work/www/log/tile/0/000"
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
    default_type application/octet-stream;
  }
}
NGINX
nginx -c "$work/nginx.conf"
sleep 0.3
read -r tile_rps tile_p99 <<<"$(measure "$BASE/log/tile/0/000")"
read -r ngx_rps ngx_p99 <<<"$(measure "http://127.0.0.1:$NGINX_PORT/log/tile/0/000")"

# Verifying the whole log from its tiles, online and offline.
start=$(date +%s.%N)
"$bin" verify --mirror "$BASE/log/" --key "$key" --save "$work/bundle" >"$work/verify.out"
online=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')
start=$(date +%s.%N)
"$bin" verify --mirror "$work/bundle" --key "$key" >>"$work/verify.out"
offline=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')

# The largest proof: every item's, one by one.
largest=$(python3 - "$BASE" "$entries" <<'PY'
import sys, urllib.request
base, n = sys.argv[1], int(sys.argv[2])
best = (0, 0)
for i in range(1, n + 1):
    try:
        size = len(urllib.request.urlopen(f"{base}/api/disclosures/{i}/proof").read())
    except Exception:
        continue
    best = max(best, (size, i))
print(f"{best[0]} {best[1]}")
PY
)
read -r largest_bytes largest_id <<<"$largest"

echo "| transparency log, demo county ($entries entries), wrk -t2 -c$CONNECTIONS -d$DURATION | figure |"
echo "|---|---|"
echo "| building the tree at upgrade (canonical bytes written for every entry, tree read) | ${upgrade} s |"
echo "| inclusion proof of a random item: requests/s | $proof_rps |"
echo "| inclusion proof of a random item: p99 | $proof_p99 ms |"
echo "| tile/0/000 from the app: requests/s (p99) | $tile_rps ($tile_p99 ms) |"
echo "| tile/0/000 from nginx, same bytes: requests/s (p99) | $ngx_rps ($ngx_p99 ms) |"
awk -v a="$tile_rps" -v n="$ngx_rps" 'BEGIN {printf "| ratio app / nginx for tiles | %.2f |\n", a / n}'
echo "| yangguang verify --mirror, whole log over HTTP | ${online} s |"
echo "| yangguang verify --mirror, offline bundle | ${offline} s |"
echo "| largest proof response (item #$largest_id) | $largest_bytes bytes |"
