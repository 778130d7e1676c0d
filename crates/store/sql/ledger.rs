//! Village books: vouchers imported batch by batch in one transaction, receipts, locks.

use super::prelude::*;

/// `(year * 12 + month)`: months as one comparable number.
fn month_number((year, month): (i32, u32)) -> i64 {
    i64::from(year) * 12 + i64::from(month)
}

/// See [`LedgerStore::books_fingerprint`].
pub(super) async fn fingerprint_in(
    conn: &mut DbConn,
    village: RegionCode,
    from: (i32, u32),
    to: (i32, u32),
) -> StoreResult<String> {
    use sha2::{Digest, Sha256};
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT year, month, voucher_no, content_hash FROM voucher
         WHERE village_code = $1 AND year * 12 + month >= $2 AND year * 12 + month <= $3
         ORDER BY year, month, voucher_no",
    )
    .bind(village.to_string())
    .bind(month_number(from))
    .bind(month_number(to))
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut hash = Sha256::new();
    for (year, month, number, content) in rows {
        hash.update(format!("{year}-{month:02}\t{number}\t{content}\n").as_bytes());
    }
    Ok(hex::encode(hash.finalize()))
}

/// Freezes books inside a publication's transaction, if they are still as signed.
pub(super) async fn freeze_books(conn: &mut DbConn, books: &BookFreeze, by: DisclosureId) -> StoreResult<()> {
    let now = fingerprint_in(conn, books.village, books.from, books.to).await?;
    if now != books.fingerprint {
        return Err(StoreError::Conflict(format!(
            "{}年{}月至{}年{}月的账簿在审核后有改动，未公开：请从账簿重新生成后再送审 / \
             the books changed after they were reviewed; nothing was published",
            books.from.0, books.from.1, books.to.0, books.to.1
        )));
    }
    let code = books.village.to_string();
    sqlx::query(
        "UPDATE voucher SET locked = TRUE
         WHERE village_code = $1 AND year * 12 + month >= $2 AND year * 12 + month <= $3",
    )
    .bind(&code)
    .bind(month_number(books.from))
    .bind(month_number(books.to))
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    let (mut year, mut month) = books.from;
    while month_number((year, month)) <= month_number(books.to) {
        // A correction freezes its month again: the newest publication and fingerprint stand.
        sqlx::query("DELETE FROM book_lock WHERE village_code = $1 AND year = $2 AND month = $3")
            .bind(&code)
            .bind(i64::from(year))
            .bind(i64::from(month))
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO book_lock (village_code, year, month, fingerprint, disclosure_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&code)
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(&books.fingerprint)
        .bind(by.0)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
        (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    }
    Ok(())
}

#[async_trait]
impl LedgerStore for Backend {
    async fn books_fingerprint(&self, village: RegionCode, from: (i32, u32), to: (i32, u32)) -> StoreResult<String> {
        let mut conn = self.reader().acquire().await.map_err(map_err)?;
        fingerprint_in(&mut conn, village, from, to).await
    }

    async fn voucher_hashes(
        &self,
        village: RegionCode,
        from: (i32, u32),
        to: (i32, u32),
    ) -> StoreResult<Vec<(i32, u32, String, String)>> {
        let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT year, month, voucher_no, content_hash FROM voucher
             WHERE village_code = $1 AND year * 12 + month >= $2 AND year * 12 + month <= $3
             ORDER BY year, month, voucher_no",
        )
        .bind(village.to_string())
        .bind(month_number(from))
        .bind(month_number(to))
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|(y, m, n, h)| (y as i32, m as u32, n, h)).collect())
    }

    async fn frozen_months(&self, village: RegionCode) -> StoreResult<Vec<FrozenMonth>> {
        let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT year, month, fingerprint, disclosure_id FROM book_lock WHERE village_code = $1 ORDER BY year, month",
        )
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(year, month, fingerprint, id)| FrozenMonth {
                year: year as i32,
                month: month as u32,
                fingerprint,
                disclosure_id: DisclosureId(id),
            })
            .collect())
    }

    async fn begin_import(
        &self,
        village: RegionCode,
        now: DateTime<Utc>,
    ) -> StoreResult<Box<dyn VoucherImportSession>> {
        Ok(Box::new(ImportSession::begin(self.writer(), village, now).await?))
    }

    async fn ledger_entries(
        &self,
        village: RegionCode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT e.* FROM ledger_entry e JOIN voucher v ON v.voucher_id = e.voucher_id
             WHERE v.village_code = $1 AND e.entry_date >= $2 AND e.entry_date <= $3
             ORDER BY e.entry_date, v.voucher_no, e.line",
        )
        .bind(village.to_string())
        .bind(from)
        .bind(to)
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| LedgerEntry {
                date: r.get("entry_date"),
                voucher_no: r.get("voucher_label"),
                summary: r.get("summary"),
                account_code: r.get("account_code"),
                account_name: r.get("account_name"),
                debit: Fen(r.get("debit")),
                credit: Fen(r.get("credit")),
                attachments: r.get::<i64, _>("attachments") as u32,
                row: r.get::<i64, _>("line") as u64,
            })
            .collect())
    }

    async fn add_receipts(&self, village: RegionCode, receipts: &[Receipt]) -> StoreResult<u64> {
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let mut added = 0;
        let code = village.to_string();
        for chunk in receipts.chunks(500) {
            let mut q: QueryBuilder<Db> = QueryBuilder::new(
                "INSERT INTO receipt (village_code, year, month, voucher_no, sha256, media_type, file_name, byte_size) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(&code)
                    .push_bind(i64::from(r.year))
                    .push_bind(i64::from(r.month))
                    .push_bind(&r.voucher_no)
                    .push_bind(&r.sha256)
                    .push_bind(&r.media_type)
                    .push_bind(&r.file_name)
                    .push_bind(r.byte_size);
            });
            q.push(" ON CONFLICT DO NOTHING");
            added += q.build().execute(&mut *tx).await.map_err(map_err)?.rows_affected();
        }
        tx.commit().await.map_err(map_err)?;
        Ok(added)
    }

    async fn receipts(&self, village: RegionCode, year: i32, month: u32) -> StoreResult<Vec<Receipt>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            receipt_columns!(),
            " FROM receipt WHERE village_code = $1 AND year = $2 AND month = $3 ORDER BY voucher_no, receipt_id"
        ))
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .fetch_all(self.reader())
        .await
        .map_err(map_err)?;
        Ok(rows
            .iter()
            .map(|r| Receipt {
                year,
                month,
                voucher_no: r.get("voucher_no"),
                sha256: r.get("sha256"),
                media_type: r.get("media_type"),
                file_name: r.get("file_name"),
                byte_size: r.get("byte_size"),
                needs_recheck: r.get("needs_recheck"),
            })
            .collect())
    }

    async fn receipt_month(&self, village: RegionCode, sha256: &str) -> StoreResult<Option<(i32, u32)>> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT year, month FROM receipt WHERE village_code = $1 AND sha256 = $2 LIMIT 1")
                .bind(village.to_string())
                .bind(sha256)
                .fetch_optional(self.reader())
                .await
                .map_err(map_err)?;
        Ok(row.map(|(y, m)| (y as i32, m as u32)))
    }

    async fn voucher_numbers(&self, village: RegionCode, year: i32, month: u32) -> StoreResult<Vec<String>> {
        sqlx::query_scalar(
            "SELECT voucher_no FROM voucher WHERE village_code = $1 AND year = $2 AND month = $3 ORDER BY voucher_no",
        )
        .bind(village.to_string())
        .bind(i64::from(year))
        .bind(i64::from(month))
        .fetch_all(self.reader())
        .await
        .map_err(map_err)
    }

    async fn ledger_columns(&self, village: RegionCode) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT names_json FROM ledger_columns WHERE village_code = $1")
            .bind(village.to_string())
            .fetch_optional(self.reader())
            .await
            .map_err(map_err)
    }

    async fn save_ledger_columns(&self, village: RegionCode, names_json: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO ledger_columns (village_code, names_json) VALUES ($1, $2)
             ON CONFLICT (village_code) DO UPDATE SET names_json = excluded.names_json",
        )
        .bind(village.to_string())
        .bind(names_json)
        .execute(self.writer())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn freeze_books(
        &self,
        village: RegionCode,
        from: (i32, u32),
        to: (i32, u32),
        by: DisclosureId,
    ) -> StoreResult<u64> {
        let months = (from, to);
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM voucher WHERE village_code = $1 AND year * 12 + month >= $2 AND year * 12 + month <= $3",
        )
        .bind(village.to_string())
        .bind(month_number(months.0))
        .bind(month_number(months.1))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let fingerprint = fingerprint_in(&mut tx, village, months.0, months.1).await?;
        let books = BookFreeze { village, from: months.0, to: months.1, fingerprint };
        freeze_books(&mut tx, &books, by).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(count as u64)
    }
}

/// An import into one village's books: one write transaction, fed batch by batch.
pub struct ImportSession {
    tx: sqlx::Transaction<'static, Db>,
    frozen: std::collections::HashSet<(i64, i64)>,
    code: String,
    now: DateTime<Utc>,
    outcome: VoucherImport,
}

type Key<'a> = (i64, i64, &'a str);

pub(super) fn key_of(v: &Voucher) -> Key<'_> {
    (i64::from(v.key.year), i64::from(v.key.month), v.key.number.as_str())
}

/// A key given as parts, for [`push_keys`].
pub(super) fn key_of_parts((y, m, n): &(i32, u32, String)) -> Key<'_> {
    (i64::from(*y), i64::from(*m), n.as_str())
}

/// ` (year, month, voucher_no) IN (…)` for a batch of voucher keys, as each database reads a
/// set of keys best.
pub(super) fn push_keys<'a>(q: &mut QueryBuilder<'a, Db>, keys: impl IntoIterator<Item = Key<'a>>) {
    dialect::push_voucher_keys(q, keys);
}

impl ImportSession {
    async fn begin(pool: &sqlx::Pool<Db>, village: RegionCode, now: DateTime<Utc>) -> StoreResult<Self> {
        let mut tx = pool.begin().await.map_err(map_err)?;
        // The voucher numbers met so far in this import, kept in the database, not in memory.
        let create = format!(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (year BIGINT NOT NULL, month BIGINT NOT NULL,
             voucher_no TEXT NOT NULL, file TEXT NOT NULL, first_row BIGINT NOT NULL, content_hash TEXT NOT NULL,
             PRIMARY KEY (year, month, voucher_no)){}",
            dialect::KEYED_TABLE
        );
        sqlx::query(&create).execute(&mut *tx).await.map_err(map_err)?;
        sqlx::query("DELETE FROM import_seen").execute(&mut *tx).await.map_err(map_err)?;
        // Months whose accounts are published: nothing in them may be added or changed.
        let frozen: Vec<(i64, i64)> = sqlx::query_as("SELECT year, month FROM book_lock WHERE village_code = $1")
            .bind(village.to_string())
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
        Ok(ImportSession {
            tx,
            code: village.to_string(),
            now,
            outcome: VoucherImport::default(),
            frozen: frozen.into_iter().collect(),
        })
    }

    async fn add_chunk(&mut self, file: &str, offset: usize, chunk: &[Voucher]) -> StoreResult<Vec<Repeated>> {
        let mut q =
            QueryBuilder::new("SELECT year, month, voucher_no, file, first_row, content_hash FROM import_seen WHERE");
        push_keys(&mut q, chunk.iter().map(key_of));
        let seen: Vec<(i64, i64, String, String, i64, String)> =
            q.build_query_as().fetch_all(&mut *self.tx).await.map_err(map_err)?;
        let mut seen: HashMap<(i64, i64, String), (String, i64, String)> =
            seen.into_iter().map(|(y, m, n, f, r, h)| ((y, m, n), (f, r, h))).collect();
        let mut repeats = vec![];
        let mut first = vec![];
        for (i, v) in chunk.iter().enumerate() {
            let (y, m, n) = key_of(v);
            let row = v.lines.first().map_or(0, |l| l.row) as i64;
            match seen.get(&(y, m, n.to_owned())) {
                Some((f, r, h)) => repeats.push(Repeated {
                    index: offset + i,
                    file: f.clone(),
                    first_row: *r as u64,
                    same_content: *h == v.content_hash,
                }),
                None => {
                    seen.insert((y, m, n.to_owned()), (file.to_owned(), row, v.content_hash.clone()));
                    first.push((v, row));
                }
            }
        }
        if first.is_empty() {
            return Ok(repeats);
        }
        let seen_rows: Vec<Vec<Cell>> = first
            .iter()
            .map(|(v, row)| {
                let (y, m, n) = key_of(v);
                vec![y.into(), m.into(), n.into(), file.into(), (*row).into(), v.content_hash.as_str().into()]
            })
            .collect();
        dialect::write_rows(
            &mut self.tx,
            "import_seen",
            None,
            &["year", "month", "voucher_no", "file", "first_row", "content_hash"],
            &seen_rows,
        )
        .await?;
        let mut q = QueryBuilder::new(
            "SELECT year, month, voucher_no, voucher_id, content_hash, locked FROM voucher WHERE village_code = ",
        );
        q.push_bind(&self.code).push(" AND");
        push_keys(&mut q, first.iter().map(|(v, _)| key_of(v)));
        let existing: Vec<(i64, i64, String, i64, String, bool)> =
            q.build_query_as().fetch_all(&mut *self.tx).await.map_err(map_err)?;
        let existing: HashMap<(i64, i64, String), (i64, String, bool)> =
            existing.into_iter().map(|(y, m, n, id, h, l)| ((y, m, n), (id, h, l))).collect();
        let (mut fresh, mut replaced) = (vec![], vec![]);
        for (v, _) in first {
            let (y, m, n) = key_of(v);
            match existing.get(&(y, m, n.to_owned())) {
                Some((_, hash, _)) if *hash == v.content_hash => self.outcome.unchanged += 1,
                Some((_, _, true)) => {
                    self.outcome.conflicts.push(format!("{}年{}月 {}", v.key.year, v.key.month, v.key.number))
                }
                _ if self.frozen.contains(&(y, m)) => self.outcome.conflicts.push(format!(
                    "{}年{}月 {}（该月账目已公开，不能新增或改动凭证）",
                    v.key.year, v.key.month, v.key.number
                )),
                Some((id, _, false)) => replaced.push((*id, v)),
                None => fresh.push(v),
            }
        }
        for (id, v) in &replaced {
            // The scans stay attached by number, but the voucher is another now: flag them.
            let (y, m, n) = key_of(v);
            self.outcome.flagged += sqlx::query(
                "UPDATE receipt SET needs_recheck = TRUE
                 WHERE village_code = $1 AND year = $2 AND month = $3 AND voucher_no = $4 AND needs_recheck = FALSE",
            )
            .bind(&self.code)
            .bind(y)
            .bind(m)
            .bind(n)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?
            .rows_affected();
            sqlx::query("DELETE FROM ledger_entry WHERE voucher_id = $1")
                .bind(id)
                .execute(&mut *self.tx)
                .await
                .map_err(map_err)?;
            sqlx::query(
                "UPDATE voucher SET content_hash = $1, voucher_date = $2, imported_at = $3 WHERE voucher_id = $4",
            )
            .bind(&v.content_hash)
            .bind(v.date)
            .bind(self.now)
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        }
        // Written by each database's bulk path: these rows are most of an import's time.
        let now = DateText::time(self.now);
        let voucher_rows: Vec<Vec<Cell>> = fresh
            .iter()
            .map(|v| {
                let (y, m, n) = key_of(v);
                vec![
                    self.code.as_str().into(),
                    y.into(),
                    m.into(),
                    n.into(),
                    DateText::date(v.date).into(),
                    v.content_hash.as_str().into(),
                    Cell::Text(now.as_str().into()),
                ]
            })
            .collect();
        let ids = dialect::write_rows(
            &mut self.tx,
            "voucher",
            Some("voucher_id"),
            &["village_code", "year", "month", "voucher_no", "voucher_date", "content_hash", "imported_at"],
            &voucher_rows,
        )
        .await?;
        let line_rows: Vec<Vec<Cell>> = ids
            .iter()
            .zip(&fresh)
            .map(|(id, v)| (*id, *v))
            .chain(replaced.iter().map(|(id, v)| (*id, *v)))
            .flat_map(|(id, v)| {
                v.lines.iter().enumerate().map(move |(i, l)| {
                    vec![
                        id.into(),
                        (i as i64 + 1).into(),
                        DateText::date(l.date).into(),
                        l.voucher_no.as_str().into(),
                        l.summary.as_str().into(),
                        l.account_code.as_str().into(),
                        l.account_name.as_str().into(),
                        l.debit.0.into(),
                        l.credit.0.into(),
                        i64::from(l.attachments).into(),
                    ]
                })
            })
            .collect();
        dialect::write_rows(
            &mut self.tx,
            "ledger_entry",
            None,
            &[
                "voucher_id",
                "line",
                "entry_date",
                "voucher_label",
                "summary",
                "account_code",
                "account_name",
                "debit",
                "credit",
                "attachments",
            ],
            &line_rows,
        )
        .await?;
        self.outcome.inserted += fresh.len() as u64;
        self.outcome.updated += replaced.len() as u64;
        Ok(repeats)
    }
}

#[async_trait]
impl VoucherImportSession for ImportSession {
    async fn add(&mut self, file: &str, vouchers: &[Voucher]) -> StoreResult<Vec<Repeated>> {
        let mut repeats = vec![];
        // Chunks keep every statement under the databases' limits on bound values.
        for (i, chunk) in vouchers.chunks(500).enumerate() {
            repeats.extend(self.add_chunk(file, i * 500, chunk).await?);
        }
        Ok(repeats)
    }

    fn outcome(&self) -> &VoucherImport {
        &self.outcome
    }

    async fn stored(&mut self, keys: &[(i32, u32, String)]) -> StoreResult<Vec<yangguang_store::StoredVoucher>> {
        let village = RegionCode::parse(&self.code).map_err(|e| StoreError::Invalid(e.to_string()))?;
        super::previews::stored_in(&mut self.tx, village, keys).await
    }

    async fn finish(self: Box<Self>, keep: bool) -> StoreResult<VoucherImport> {
        if keep {
            self.tx.commit().await.map_err(map_err)?;
            Ok(self.outcome)
        } else {
            self.tx.rollback().await.map_err(map_err)?;
            Ok(VoucherImport { inserted: 0, updated: 0, flagged: 0, ..self.outcome })
        }
    }
}
