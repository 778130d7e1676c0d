//! Daily visit counters: added to in batches (one UPSERT a counter), summed for the console's
//! charts and the public totals.

use super::prelude::*;
use yangguang_store::{VisitCount, VisitGroup, VisitQuery, VisitStore, VisitTotal};

/// A region prefix as the range of village codes under it, so that the primary key's index
/// serves it (SQLite does not use an index for `LIKE` on a case-sensitive column).
fn code_range(prefix: &str) -> (String, String) {
    (format!("{prefix:0<12}"), format!("{prefix:9<12}"))
}

#[async_trait]
impl VisitStore for Backend {
    async fn add_visits(&self, counts: &[VisitCount]) -> StoreResult<()> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer().begin().await.map_err(map_err)?;
        for chunk in counts.chunks(500) {
            let mut q: QueryBuilder<Db> =
                QueryBuilder::new("INSERT INTO visit_day (day, village_code, column_id, item_id, views, visitors) ");
            q.push_values(chunk, |mut b, c| {
                b.push_bind(c.day)
                    .push_bind(c.village.to_string())
                    .push_bind(&c.column)
                    .push_bind(c.item)
                    .push_bind(c.views)
                    .push_bind(c.visitors);
            });
            q.push(
                " ON CONFLICT (village_code, day, column_id, item_id) DO UPDATE SET \
                 views = visit_day.views + excluded.views, visitors = visit_day.visitors + excluded.visitors",
            );
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn visit_totals(&self, query: &VisitQuery) -> StoreResult<Vec<VisitTotal>> {
        let key = match query.group {
            VisitGroup::All => None,
            VisitGroup::Day => Some("day"),
            VisitGroup::Village => Some("village_code"),
            VisitGroup::Column => Some("column_id"),
        };
        let mut q: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        if let Some(key) = key {
            q.push(key).push(", ");
        }
        // PostgreSQL sums BIGINT as NUMERIC: cast back.
        q.push(
            "CAST(COALESCE(SUM(views), 0) AS BIGINT) AS views, CAST(COALESCE(SUM(visitors), 0) AS BIGINT) AS visitors \
             FROM visit_day WHERE day >= ",
        );
        q.push_bind(query.from).push(" AND day <= ").push_bind(query.to).push(" AND (");
        if query.region_prefixes.is_empty() {
            q.push("FALSE");
        }
        let mut regions = q.separated(" OR ");
        for p in &query.region_prefixes {
            let (low, high) = code_range(p);
            regions.push("(village_code >= ");
            regions.push_bind_unseparated(low);
            regions.push_unseparated(" AND village_code <= ");
            regions.push_bind_unseparated(high);
            regions.push_unseparated(")");
        }
        q.push(")");
        if !query.columns.is_empty() {
            q.push(" AND column_id IN (");
            let mut list = q.separated(", ");
            for c in &query.columns {
                list.push_bind(c);
            }
            q.push(")");
        }
        if let Some(item) = query.item {
            q.push(" AND item_id = ").push_bind(item);
        }
        if let Some(key) = key {
            q.push(" GROUP BY ").push(key).push(" ORDER BY ").push(key);
        }
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let mut total = VisitTotal {
                    day: None,
                    village: None,
                    column: None,
                    views: r.try_get("views").map_err(map_err)?,
                    visitors: r.try_get("visitors").map_err(map_err)?,
                };
                match query.group {
                    VisitGroup::All => {}
                    VisitGroup::Day => total.day = Some(r.try_get("day").map_err(map_err)?),
                    VisitGroup::Village => {
                        total.village = Some(decode::code(&r.try_get::<String, _>("village_code").map_err(map_err)?)?)
                    }
                    VisitGroup::Column => total.column = Some(r.try_get("column_id").map_err(map_err)?),
                }
                Ok(total)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefixes_become_code_ranges() {
        assert_eq!(super::code_range("339921"), ("339921000000".into(), "339921999999".into()));
        assert_eq!(super::code_range("339921100201"), ("339921100201".into(), "339921100201".into()));
    }
}
