//! `/v/{code}`: a village's home — the 8 columns as large tiles, what is due this month and
//! the latest disclosures. The page most villagers see; served from the page cache.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use yangguang_core::calendar::{CellState, Window};
use yangguang_core::{Period, Region, RegionCode};
use yangguang_store::DisclosureQuery;

use super::{Layout, ListItem, Scope, cached_over, column_name, column_summary, list_items, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::prefs::{Prefs, VILLAGE_COOKIE, cookie};

const LATEST: u32 = 10;

pub struct Tile {
    pub id: String,
    pub name: String,
    pub summary: String,
}

pub struct Due {
    pub name: String,
    pub column: String,
    pub period: String,
    pub deadline: String,
    pub state_class: &'static str,
    pub state_label: &'static str,
}

#[derive(Template)]
#[template(path = "village.html")]
struct VillagePage {
    layout: Layout,
    village_code: String,
    village_name: String,
    place: String,
    tiles: Vec<Tile>,
    month_label: String,
    due: Vec<Due>,
    items: Vec<ListItem>,
    open_data: Vec<super::reader::OpenDataLink>,
    /// Villagers' questions answered and overdue, satisfaction (`crate::voice`).
    voice: crate::voice::VillageVoice,
    /// The search box starts empty.
    query: &'static str,
    /// "近 12 个月，本村公开栏已被查看 N 次".
    visit_total: String,
    /// Its rates over the last 12 months and what it failed to publish.
    record: super::gaps::Record,
}

/// Looks up a village-level region, or says where a non-village code belongs.
pub fn find_village(state: &AppState, code: &str) -> Result<Region, WebError> {
    let code = RegionCode::parse(code).map_err(|_| WebError::NotFound)?;
    state.site.regions().get(code).filter(|r| r.kind.is_village_level()).cloned().ok_or(WebError::NotFound)
}

pub async fn village(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = match find_village(&state, &code) {
        Ok(v) => v,
        Err(e) => {
            // A town or county code in a village URL: send the reader to its page.
            let region = RegionCode::parse(&code).ok().and_then(|c| state.site.regions().get(c).cloned());
            return match region {
                Some(r) => {
                    Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, format!("/r/{}", r.code))]).into_response())
                }
                None => Err(e),
            };
        }
    };
    // The visit total changes at each flush of counts: one render per flush, not per view.
    let scopes = [Scope::Village(village.code), Scope::Visits(village.code)];
    let mut response =
        cached_over(&state, &headers, &prefs, &uri, &scopes, || render(&state, &prefs, &village, &uri)).await?;
    if prefs.last_village != Some(village.code) {
        response.headers_mut().append(header::SET_COOKIE, cookie(VILLAGE_COOKIE, &village.code.to_string()));
    }
    Ok(response)
}

async fn render(state: &AppState, prefs: &Prefs, village: &Region, uri: &Uri) -> Result<String, WebError> {
    let site = &state.site;
    let lang = prefs.lang;
    let t = lang.texts();
    let regions = site.regions();
    let today = yangguang_app::today();
    let month = Period::containing(yangguang_core::period::PeriodKind::Month, today);
    // The calendar's own cells for this month, so the list agrees with the rates and the
    // console calendar: a quiet month's accounts are due with their quarter, a month with no
    // vouchers has nothing to publish (not applicable, left out), an event item counts too.
    let codes = [village.code];
    let cells = yangguang_app::calendar::cells(site, &codes, Window { first: month, last: month }, today).await?;
    let due = cells
        .iter()
        .filter(|cell| !matches!(cell.state, CellState::NotApplicable(_)))
        .map(|cell| {
            let (state_class, state_label) = match cell.state {
                CellState::OnTime | CellState::Late { .. } => ("published", t.state_published),
                s if s.is_gap() => ("overdue", t.state_overdue),
                _ => ("open", t.state_open),
            };
            Due {
                name: match lang {
                    Lang::Zh => cell.item.name.clone(),
                    Lang::En => cell.item.name_en.clone(),
                },
                column: cell.item.column.clone(),
                period: match lang {
                    Lang::Zh => cell.period.label_zh(),
                    Lang::En => cell.period.label_en(),
                },
                deadline: cell.deadline.format("%m-%d").to_string(),
                state_class,
                state_label,
            }
        })
        .collect();
    let latest = site
        .store
        .list_disclosures(&DisclosureQuery { village: village.code, columns: vec![], page: 1, per_page: LATEST })
        .await?;
    let tiles = site
        .catalog
        .top_columns()
        .map(|c| Tile {
            id: c.id.clone(),
            name: column_name(c, lang).to_owned(),
            summary: column_summary(c, lang).to_owned(),
        })
        .collect();
    let place: Vec<String> = regions.ancestry(village.code).iter().rev().skip(1).map(|r| r.name.clone()).collect();
    let place = place.into_iter().take(2).collect::<Vec<_>>().join(" · ");
    let description = format!("{}（{place}）{}", village.name, t.village_description);
    let mut layout = Layout::new(
        prefs,
        super::path_and_query(uri),
        village.name.clone(),
        description,
        region_crumbs(&regions, village.code, false),
    );
    layout.search_scope = village.code.to_string();
    layout.feed =
        Some((format!("/v/{}/feed.atom", village.code), format!("{} · {}", village.name, lang.villager().atom)));
    let mut open_data = vec![
        super::reader::atom(lang, format!("/v/{}/feed.atom", village.code)),
        super::reader::village_open_data(lang, format!("/v/{}/open-data", village.code)),
    ];
    // The county's trading data exists once a listing does: linked only then.
    if !yangguang_app::trading::village_listings(site, village.code).await?.is_empty() {
        open_data.push(super::reader::county_ocds(lang));
    }
    let page = VillagePage {
        query: "",
        layout,
        village_code: village.code.to_string(),
        open_data,
        village_name: village.name.clone(),
        place,
        tiles,
        month_label: match lang {
            Lang::Zh => month.label_zh(),
            Lang::En => month.label_en(),
        },
        due,
        items: list_items(state, lang, &latest.items),
        voice: crate::voice::village_voice(state, lang, village.code).await?,
        visit_total: lang
            .visits()
            .village_total
            .replace("{n}", &yangguang_app::visits::village_views(site, village.code, today).await?.to_string()),
        record: super::gaps::village_record(state, lang, village, None, None).await?,
    };
    Ok(page.render()?)
}
