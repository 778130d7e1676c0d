#!/usr/bin/env bash
# Ledger import throughput: one village's year of books as one CSV export (LINES entry
# lines), imported by `yangguang import ledger`, against the sqlite3 shell's `.import` of
# the same file into an equivalent table, in the same run. Also peak memory (max RSS).
# Needs sqlite3, python3 and GNU time (/usr/bin/time).
#
#   bash bench/ledger.sh              # 200,000 lines
#   LINES=2000000 bash bench/ledger.sh
#   POSTGRES=1 bash bench/ledger.sh   # also on PostgreSQL (127.0.0.1:5432, trust auth), against
#                                     # psql's \copy of the same file into a plain table
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${LINES:-200000}"
work=$(mktemp -d /tmp/yg-ledger-bench.XXXXXX)
# YANGGUANG_BIN names a binary built beforehand (its examples beside it), to measure one build.
[ -n "${YANGGUANG_BIN:-}" ] || cargo build --release -q -p yangguang
bin="${YANGGUANG_BIN:-${CARGO_TARGET_DIR:-target}/release/yangguang}"
"$bin" demo --data-dir "$work/data" --no-serve --as-of 2026-11-24 >/dev/null 2>&1
village=339921001201
python3 - "$LINES" "$work/books.csv" <<'PY'
import sys, random
lines, path = int(sys.argv[1]), sys.argv[2]
random.seed(7)
per_month = lines // 2 // 12 + 1
with open(path, "w", encoding="utf-8") as f:
    f.write("凭证日期,凭证号,摘要,科目编码,科目名称,借方金额,贷方金额,附件数\n")
    written = 0
    for month in range(1, 13):
        for n in range(1, per_month + 1):
            if written >= lines:
                break
            day = 1 + n % 28
            amount = f"{random.randint(100, 9_999_999) / 100:,.2f}"
            date = f"2027-{month:02d}-{day:02d}"
            f.write(f'{date},记-{n:05d},支付办公费,531002,办公费,"{amount}",,1\n')
            f.write(f'{date},记-{n:05d},支付办公费,102,银行存款,,"{amount}",\n')
            written += 2
PY
rows=$(($(wc -l <"$work/books.csv") - 1))
measure() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>&1; cat "$work/time"; }
read -r app_s app_kb <<<"$(measure "$bin" import ledger --data-dir "$work/data" --village "$village" "$work/books.csv")"
grep -q "new vouchers" "$work/out" || { cat "$work/out"; exit 1; }
read -r again_s _ <<<"$(measure "$bin" import ledger --data-dir "$work/data" --village "$village" "$work/books.csv")"
cat >"$work/import.sql" <<SQL
CREATE TABLE ledger_entry (entry_date TEXT, voucher_no TEXT, summary TEXT, account_code TEXT, account_name TEXT,
                           debit TEXT, credit TEXT, attachments TEXT);
.import --csv --skip 1 $work/books.csv ledger_entry
SQL
read -r sqlite_s sqlite_kb <<<"$(measure sqlite3 "$work/plain.db" ".read $work/import.sql")"
awk -v n="$rows" -v a="$app_s" -v s="$sqlite_s" -v again="$again_s" -v ak="$app_kb" -v sk="$sqlite_kb" 'BEGIN {
  printf "| what | seconds | entry lines/s | peak memory |\n|---|---|---|---|\n";
  printf "| yangguang import ledger (%d lines: read, check, store) | %.2f | %.0f | %.0f MiB |\n", n, a, n / a, ak / 1024;
  printf "| the same file again (nothing changes) | %.2f | %.0f | |\n", again, n / again;
  printf "| sqlite3 .import into a plain table | %.2f | %.0f | %.0f MiB |\n", s, n / s, sk / 1024;
  printf "| ratio sqlite3 time / yangguang time | %.2f | | |\n", s / a;
}'

if [ -n "${POSTGRES:-}" ]; then
  db="yg_ledger_$$"
  url="postgres://127.0.0.1:5432/$db"
  createdb -h 127.0.0.1 "$db"
  trap 'dropdb -h 127.0.0.1 --if-exists "$db" 2>/dev/null || true' EXIT
  "$bin" demo --database "$url" --data-dir "$work/pgdata" --no-serve --as-of 2026-11-24 >/dev/null 2>&1
  read -r pg_s pg_kb <<<"$(measure "$bin" import ledger --database "$url" --data-dir "$work/pgdata" --village "$village" "$work/books.csv")"
  grep -q "new vouchers" "$work/out" || { cat "$work/out"; exit 1; }
  read -r pg_again_s _ <<<"$(measure "$bin" import ledger --database "$url" --data-dir "$work/pgdata" --village "$village" "$work/books.csv")"
  psql -h 127.0.0.1 -q -c "CREATE TABLE plain_entry (entry_date TEXT, voucher_no TEXT, summary TEXT, account_code TEXT,
    account_name TEXT, debit TEXT, credit TEXT, attachments TEXT)" "$db"
  read -r copy_s _ <<<"$(measure psql -h 127.0.0.1 -q -c "\\copy plain_entry FROM '$work/books.csv' CSV HEADER" "$db")"
  awk -v n="$rows" -v a="$pg_s" -v s="$copy_s" -v again="$pg_again_s" -v ak="$pg_kb" 'BEGIN {
    printf "| PostgreSQL: yangguang import ledger | %.2f | %.0f | %.0f MiB |\n", a, n / a, ak / 1024;
    printf "| PostgreSQL: the same file again | %.2f | %.0f | |\n", again, n / again;
    printf "| PostgreSQL: psql \\copy into a plain table | %.2f | %.0f | |\n", s, n / s;
    printf "| ratio COPY time / yangguang time | %.2f | | |\n", s / a;
  }'
fi
rm -rf "$work"
