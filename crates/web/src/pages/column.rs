//! `/v/{code}/c/{column}`: one column of a village — its sub-columns and a paginated list
//! of everything published in it and below it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde::Deserialize;
use yangguang_core::Region;
use yangguang_store::DisclosureQuery;

use super::village::find_village;
use super::{Crumb, Layout, ListItem, Scope, cached, column_name, column_summary, list_items, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;

const PER_PAGE: u32 = 20;
/// The column (and its sub-columns) that shows the trading platform's listings.
const TRADING_COLUMN: &str = "assets-trading";
/// The column whose pages show the village totals of the three rights.
const RIGHTS_COLUMN: &str = "rights";
/// The column whose pages show the bank's products and the village's credit.
const BANK_COLUMN: &str = "bank";
/// Deeper pages than this are refused: nobody pages that far, crawlers would.
const MAX_PAGE: u32 = 10_000;

pub struct ChildLink {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "column.html")]
struct ColumnPage {
    layout: Layout,
    village_code: String,
    village_name: String,
    column_name: String,
    column_summary: String,
    household_note: bool,
    /// Live listings from the trading platform, on the trading columns.
    trading: Option<super::trading::TradingLists>,
    /// Pages of live registers under this column (leases, trading).
    registers: Vec<(String, &'static str)>,
    /// Village totals (three rights, credit) and the bank's service facts: never one household's records.
    /// The third part, where there is one, is a number to call (`tel:`).
    facts: Vec<(&'static str, String, Option<String>)>,
    /// The bank's products on the inclusive-finance columns.
    products: Vec<yangguang_app::finance_inclusion::Product>,
    children: Vec<ChildLink>,
    items: Vec<ListItem>,
    total: u64,
    page: u32,
    page_count: u32,
    /// The column's items due and not published.
    record: super::gaps::Record,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

pub async fn column(
    State(state): State<AppState>,
    Path((code, column)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    if state.site.catalog.column(&column).is_none() {
        return Err(WebError::NotFound);
    }
    let page = match q.page.as_deref() {
        None => 1,
        Some(p) => p.parse::<u32>().ok().filter(|p| (1..=MAX_PAGE).contains(p)).ok_or(WebError::NotFound)?,
    };
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || {
        render(&state, &prefs, &village, &column, page, &uri)
    })
    .await
}

async fn render(
    state: &AppState,
    prefs: &Prefs,
    village: &Region,
    column_id: &str,
    page: u32,
    uri: &Uri,
) -> Result<String, WebError> {
    let catalog = &state.site.catalog;
    let lang = prefs.lang;
    let column = catalog.column(column_id).ok_or(WebError::NotFound)?;
    let list = state
        .site
        .store
        .list_disclosures(&DisclosureQuery {
            village: village.code,
            columns: catalog.subtree(column_id).into_iter().map(String::from).collect(),
            page,
            per_page: PER_PAGE,
        })
        .await?;
    let mut crumbs = region_crumbs(&state.site.regions(), village.code, true);
    let ancestry = catalog.ancestry(column_id);
    let last = ancestry.len() - 1;
    for (i, c) in ancestry.into_iter().enumerate() {
        let href = (i != last).then(|| format!("/v/{}/c/{}", village.code, c.id));
        crumbs.push(Crumb { label: column_name(c, lang).to_owned(), href });
    }
    let trading = if catalog.subtree(TRADING_COLUMN).contains(&column_id) {
        let listings = yangguang_app::trading::village_listings(&state.site, village.code).await?;
        Some(super::trading::lists(village, &listings, lang))
    } else {
        None
    };
    let t = lang.texts();
    let mut registers = vec![];
    if matches!(column_id, "assets" | "assets-register" | "assets-resources") {
        registers.push((format!("/v/{}/assets", village.code), t.assets_title));
    }
    if matches!(column_id, "assets" | "assets-contracts" | "assets-register") {
        registers.push((format!("/v/{}/leases", village.code), t.leases_title));
    }
    if matches!(column_id, "affairs" | "affairs-decisions" | "affairs-resolutions" | "affairs-assembly") {
        registers.push((format!("/v/{}/decisions", village.code), lang.decisions().list_link));
    }
    if column_id == "assets" {
        registers.push((format!("/v/{}/trading", village.code), t.trading_title));
    }
    let g = lang.gov();
    if catalog.subtree("party").contains(&column_id) {
        registers.push((format!("/v/{}/party", village.code), g.see_party));
    }
    if matches!(column_id, "affairs" | "affairs-rules") {
        registers.push((format!("/v/{}/rules", village.code), g.see_rules));
    }
    if matches!(column_id, "affairs" | "affairs-micro-power") {
        registers.push((format!("/v/{}/powers", village.code), g.see_powers));
    }
    if matches!(column_id, "safety" | "safety-reports") {
        let r = lang.reports();
        registers.push((format!("/v/{}/reports/new", village.code), r.report_link));
        registers.push((format!("/v/{}/reports", village.code), r.title));
    }
    if matches!(column_id, "governance" | "governance-points") {
        let p = lang.points();
        registers.push((format!("/v/{}/points", village.code), p.title));
        registers.push(("/my/points".into(), p.my_link));
    }
    let mut facts = vec![];
    if catalog.subtree(RIGHTS_COLUMN).contains(&column_id) {
        let r = yangguang_app::households::village_totals(&state.site, village.code).await?;
        facts.push((t.rights_households, r.households.to_string(), None));
        facts.push((t.rights_area, yangguang_core::household::from_hundredths(r.contracted_hundredths), None));
        facts.push((t.rights_shares, yangguang_core::household::from_hundredths(r.share_hundredths), None));
        if let Some((year, _, per_share)) = r.dividend {
            facts.push((t.rights_dividend, format!("{per_share} 元（{year}）"), None));
        }
        registers.push(("/my".into(), t.my_login_title));
    }
    let mut products = vec![];
    if catalog.subtree(BANK_COLUMN).contains(&column_id) {
        use yangguang_app::finance_inclusion as bank;
        let credit = bank::village_credit(&state.site, village.code).await?;
        let service = bank::village_service(&state.site, village.code).await?.unwrap_or_default();
        if !service.grade.is_empty() {
            facts.push((t.bank_grade, service.grade.clone(), None));
        }
        facts.push((t.bank_households, credit.households.to_string(), None));
        facts.push((t.bank_rated, credit.rated.to_string(), None));
        facts.push((t.bank_credited, credit.credited.to_string(), None));
        facts.push((t.bank_total, format!("{} 元", credit.total), None));
        for (label, value) in [
            (t.bank_point, service.service_point),
            (t.bank_address, service.address),
            (t.bank_hours, service.hours),
            (t.bank_adviser, format!("{} {}", service.adviser, service.adviser_phone).trim().to_owned()),
        ] {
            if !value.is_empty() {
                facts.push((label, value, None));
            }
        }
        // The adviser's number is a tap to call.
        if let Some(tel) = crate::pages::tel_href(&service.adviser_phone)
            && let Some(last) = facts.last_mut().filter(|f| f.0 == t.bank_adviser)
        {
            last.2 = Some(tel);
        }
        products = bank::products(&state.site, village.code).await?;
        registers.push(("/my".into(), t.bank_my_credit));
    }
    let name = column_name(column, lang).to_owned();
    let top = catalog.top_of(column_id).unwrap_or(column);
    let summary = column_summary(top, lang).to_owned();
    let title = format!("{name} - {}", village.name);
    let description = format!("{}{name}：{summary}", village.name);
    let mut layout = Layout::new(prefs, super::path_and_query(uri), title.clone(), description, crumbs);
    layout.feed = Some((format!("/v/{}/c/{}/feed.atom", village.code, column.id), title));
    let page_view = ColumnPage {
        layout,
        village_code: village.code.to_string(),
        village_name: village.name.clone(),
        column_name: name,
        column_summary: summary,
        household_note: top.login_required,
        trading,
        registers,
        facts,
        products,
        children: catalog
            .children(column_id)
            .map(|c| ChildLink { id: c.id.clone(), name: column_name(c, lang).to_owned() })
            .collect(),
        items: list_items(state, lang, &list.items),
        total: list.total,
        page: list.page,
        page_count: list.page_count(),
        record: super::gaps::village_record(state, lang, village, Some(&catalog.subtree(column_id)), None).await?,
    };
    Ok(page_view.render()?)
}
