//! The public API's keyset pages (see `yangguang_store::PublicApiStore`).

use super::prelude::*;
use yangguang_store::{PublicApiStore, PublicDisclosureQuery};

/// The states a public list may show: current, corrected (superseded), withdrawn.
const PUBLIC_STATES: [DisclosureState; 3] =
    [DisclosureState::Published, DisclosureState::Superseded, DisclosureState::Withdrawn];

#[async_trait]
impl PublicApiStore for Backend {
    async fn public_disclosures(&self, query: &PublicDisclosureQuery) -> StoreResult<Vec<DisclosureSummary>> {
        let mut q: QueryBuilder<Db> = QueryBuilder::new(format!(
            "SELECT {SUMMARY_COLUMNS} FROM disclosure d WHERE d.kind <> 'withdrawal' AND d.village_code = "
        ));
        q.push_bind(query.village.to_string());
        q.push(" AND d.state IN (");
        let mut list = q.separated(", ");
        for s in PUBLIC_STATES.into_iter().filter(|s| query.states.is_empty() || query.states.contains(s)) {
            list.push_bind(s.as_str());
        }
        // Only non-public states asked for: an impossible state keeps the SQL valid.
        if !PUBLIC_STATES.iter().any(|s| query.states.is_empty() || query.states.contains(s)) {
            list.push_bind("none");
        }
        q.push(")");
        if !query.columns.is_empty() {
            q.push(" AND d.column_id IN (");
            let mut list = q.separated(", ");
            for c in &query.columns {
                list.push_bind(c);
            }
            q.push(")");
        }
        if let Some(p) = query.period {
            q.push(" AND d.period = ");
            q.push_bind(p.to_string());
        }
        if let Some(after) = query.after {
            q.push(" AND d.disclosure_id > ");
            q.push_bind(after.0);
        }
        q.push(" ORDER BY d.disclosure_id LIMIT ");
        q.push_bind(i64::from(query.limit));
        let rows = q.build().fetch_all(self.reader()).await.map_err(map_err)?;
        rows.iter().map(summary_from_row).collect()
    }
}
