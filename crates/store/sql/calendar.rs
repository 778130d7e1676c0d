//! The disclosure calendar's bulk reads: one query per chunk of villages for the versions,
//! one for the voucher counts.

use super::prelude::*;
use yangguang_store::{CalendarStore, CalendarVersion, VoucherMonth};

/// Villages per query: an IN list this long stays well under both databases' bind limits.
const CHUNK: usize = 500;

#[async_trait]
impl CalendarStore for Backend {
    async fn calendar_versions(&self, villages: &[RegionCode]) -> StoreResult<Vec<CalendarVersion>> {
        let mut out = vec![];
        for chunk in villages.chunks(CHUNK) {
            let mut q: QueryBuilder<Db> = QueryBuilder::new(
                "SELECT disclosure_id, village_code, catalog_item_id, period, state, published_at FROM disclosure
                 WHERE catalog_item_id IS NOT NULL AND period IS NOT NULL
                   AND ((state IN ('published', 'superseded') AND kind <> 'withdrawal')
                        OR state IN ('submitted', 'scheduled'))
                   AND village_code IN (",
            );
            let mut list = q.separated(", ");
            for v in chunk {
                list.push_bind(v.to_string());
            }
            q.push(")");
            for r in q.build().fetch_all(self.reader()).await.map_err(map_err)? {
                out.push(CalendarVersion {
                    village: decode::code(r.get("village_code"))?,
                    item: r.get("catalog_item_id"),
                    period: decode::period(Some(r.get("period")))?.expect("present"),
                    id: DisclosureId(r.get("disclosure_id")),
                    state: decode::state(r.get("state"))?,
                    published_at: r.get::<Option<DateTime<Utc>>, _>("published_at"),
                });
            }
        }
        Ok(out)
    }

    async fn voucher_months(&self, villages: &[RegionCode]) -> StoreResult<Vec<VoucherMonth>> {
        let mut out = vec![];
        for chunk in villages.chunks(CHUNK) {
            let mut q: QueryBuilder<Db> = QueryBuilder::new(
                "SELECT village_code, year, month, COUNT(*) AS vouchers FROM voucher WHERE village_code IN (",
            );
            let mut list = q.separated(", ");
            for v in chunk {
                list.push_bind(v.to_string());
            }
            q.push(") GROUP BY village_code, year, month");
            for r in q.build().fetch_all(self.reader()).await.map_err(map_err)? {
                out.push(VoucherMonth {
                    village: decode::code(r.get("village_code"))?,
                    year: r.get::<i64, _>("year") as i32,
                    month: r.get::<i64, _>("month") as u32,
                    vouchers: r.get::<i64, _>("vouchers") as u32,
                });
            }
        }
        Ok(out)
    }
}
