//! The console's list of published items: search and filters over every version that was
//! public in the reader's regions, paged, one query text for both databases.

use super::prelude::*;

/// The states a published list may show: current, corrected (superseded), withdrawn.
const PUBLIC_STATES: [DisclosureState; 3] =
    [DisclosureState::Published, DisclosureState::Superseded, DisclosureState::Withdrawn];

/// `%`, `_` and `\` typed by a reader match themselves, not any text.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn filter<'a>(q: &mut QueryBuilder<'a, Db>, query: &'a PublishedQuery) {
    // Withdrawal requests are versions too, but their item is the one they withdrew.
    q.push(" WHERE d.kind <> 'withdrawal' AND d.state IN (");
    let states: Vec<DisclosureState> =
        PUBLIC_STATES.into_iter().filter(|s| query.states.is_empty() || query.states.contains(s)).collect();
    let mut list = q.separated(", ");
    for s in states {
        list.push_bind(s.as_str());
    }
    q.push(") AND (");
    let mut regions = q.separated(" OR ");
    for p in &query.region_prefixes {
        regions.push("d.village_code LIKE ");
        regions.push_bind_unseparated(format!("{p}%"));
    }
    q.push(")");
    if let Some(v) = query.village {
        q.push(" AND d.village_code = ");
        q.push_bind(v.to_string());
    }
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
    let text = query.text.trim();
    // "#12" or "第 12 号" asks for a number alone; plain digits may be in titles too ("2026").
    let number_only = text.strip_prefix('#').or_else(|| text.strip_prefix('第').and_then(|t| t.strip_suffix('号')));
    let number = number_only.unwrap_or(text).trim().parse::<i64>().ok();
    if !text.is_empty() {
        q.push(" AND (");
        if number_only.is_none() || number.is_none() {
            q.push("LOWER(d.title) LIKE ");
            q.push_bind(like_pattern(text));
            q.push(" ESCAPE '\\'");
            if number.is_some() {
                q.push(" OR ");
            }
        }
        if let Some(n) = number {
            q.push("d.disclosure_id = ");
            q.push_bind(n);
            q.push(" OR d.replaces_id = ");
            q.push_bind(n);
        }
        q.push(")");
    }
}

pub(super) async fn list_published(store: &Backend, query: &PublishedQuery) -> StoreResult<Page<DisclosureSummary>> {
    let page = query.page.max(1);
    if query.region_prefixes.is_empty() {
        return Ok(Page { items: vec![], total: 0, page, per_page: query.per_page });
    }
    let mut count: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM disclosure d");
    filter(&mut count, query);
    let total: i64 = count.build_query_scalar().fetch_one(store.reader()).await.map_err(map_err)?;
    let mut list: QueryBuilder<Db> = QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM disclosure d"));
    filter(&mut list, query);
    list.push(" ORDER BY d.published_at DESC, d.disclosure_id DESC LIMIT ");
    list.push_bind(i64::from(query.per_page));
    list.push(" OFFSET ");
    list.push_bind(query.offset() as i64);
    let rows = list.build().fetch_all(store.reader()).await.map_err(map_err)?;
    let items = rows.iter().map(summary_from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page { items, total: total as u64, page, per_page: query.per_page })
}
