#!/usr/bin/env bash
# A county's year of books imported as the villages' clerks would: for every one of the
# demo's 229 villages, one ledger export (LINES_PER_VILLAGE entry lines; 8,734 × 229 ≈ 2 M)
# through `yangguang import ledger`, then its receipt scans (SCANS_PER_VILLAGE JPEGs named
# by voucher; 830 × 229 ≈ 190,000) through `yangguang import receipts`. Prints totals, rates
# and the largest peak memory of any one import. Needs sqlite3 and GNU time.
#
#   bash bench/county.sh
#   LINES_PER_VILLAGE=874 SCANS_PER_VILLAGE=83 bash bench/county.sh   # a tenth, quickly
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${LINES_PER_VILLAGE:-8734}"
SCANS="${SCANS_PER_VILLAGE:-830}"
work=$(mktemp -d /tmp/yg-county-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang --bins --example county_year
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"
"$bin" demo --data-dir "$work/data" --no-serve --as-of 2026-11-24 >/dev/null 2>&1
sqlite3 "$work/data/yangguang.db" "SELECT region_code FROM region WHERE kind IN ('village', 'community') ORDER BY 1" \
  >"$work/codes.txt"
gen_start=$(date +%s.%N)
"$(dirname "$bin")"/examples/county_year "$work/books" "$LINES" "$SCANS" <"$work/codes.txt"
gen_end=$(date +%s.%N)
measure() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }; cat "$work/time"; }
ledger_s=0; ledger_kb=0; scans_s=0; scans_kb=0
while read -r code; do
  read -r s kb <<<"$(measure "$bin" import ledger --data-dir "$work/data" --village "$code" "$work/books/$code/books.csv")"
  ledger_s=$(echo "$ledger_s + $s" | bc); ((kb > ledger_kb)) && ledger_kb=$kb
  read -r s kb <<<"$(measure "$bin" import receipts --data-dir "$work/data" --village "$code" "$work/books/$code/scans")"
  grep -q " 0 not attached" "$work/out" || { cat "$work/out"; exit 1; }
  scans_s=$(echo "$scans_s + $s" | bc); ((kb > scans_kb)) && scans_kb=$kb
done <"$work/codes.txt"
villages=$(wc -l <"$work/codes.txt")
entries=$(sqlite3 "$work/data/yangguang.db" "SELECT COUNT(*) FROM ledger_entry e JOIN voucher v USING (voucher_id) WHERE v.year = 2027")
receipts=$(sqlite3 "$work/data/yangguang.db" "SELECT COUNT(*) FROM receipt WHERE year = 2027")
awk -v v="$villages" -v n="$entries" -v r="$receipts" -v ls="$ledger_s" -v lk="$ledger_kb" -v ss="$scans_s" -v sk="$scans_kb" \
    -v g="$(echo "$gen_end - $gen_start" | bc)" 'BEGIN {
  printf "| county year, %d villages | count | seconds | per second | largest peak memory |\n|---|---|---|---|---|\n", v;
  printf "| ledger entry lines (one export per village) | %d | %.1f | %.0f | %.0f MiB |\n", n, ls, n / ls, lk / 1024;
  printf "| receipt scans (one folder per village) | %d | %.1f | %.0f | %.0f MiB |\n", r, ss, r / ss, sk / 1024;
  printf "| total import time | | %.1f | | |\n", ls + ss;
  printf "(generating the files took %.0f s and is not counted)\n", g;
}'
