//! `/v/{code}/trading`: a village's property trading listings as the trading platform feeds
//! them — open announcements first, then deal results with the premium over the reserve
//! price (winners who are people masked) — each with its own page; and the OCDS exports.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use yangguang_core::Region;
use yangguang_core::trading::Listing;

use super::village::find_village;
use super::{Layout, Scope, cached};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::prefs::Prefs;

/// A listing as a line of a list.
pub struct ListingLine {
    pub href: String,
    pub title: String,
    pub stage: &'static str,
    pub meta: String,
}

/// The lists the trading column and page show.
pub struct TradingLists {
    pub open: Vec<ListingLine>,
    pub results: Vec<ListingLine>,
    pub other: Vec<ListingLine>,
}

impl TradingLists {
    pub fn is_empty(&self) -> bool {
        self.open.is_empty() && self.results.is_empty() && self.other.is_empty()
    }
}

pub fn lists(village: &Region, listings: &[Listing], lang: Lang) -> TradingLists {
    let t = lang.texts();
    let en = lang == Lang::En;
    let today = yangguang_app::today();
    let mut lists = TradingLists { open: vec![], results: vec![], other: vec![] };
    for l in listings {
        let href = format!("/v/{}/trading/{}", village.code, l.project_no);
        let mut line = ListingLine { href, title: l.title.clone(), stage: l.stage.label(en), meta: String::new() };
        if let Some(deal) = &l.deal {
            line.meta = format!(
                "{} {} {} · {} {}",
                t.trading_deal_price,
                deal.price,
                l.price_unit.label(en),
                t.trading_premium,
                l.premium_text().unwrap_or_else(|| "—".into())
            );
            lists.results.push(line);
        } else if l.is_open(today) {
            line.meta = format!(
                "{} {} {} · {} {} – {}",
                t.trading_reserve,
                l.reserve_price,
                l.price_unit.label(en),
                t.trading_announcement,
                l.announcement.start,
                l.announcement.end
            );
            lists.open.push(line);
        } else {
            line.meta = format!("{} {} {}", t.trading_reserve, l.reserve_price, l.price_unit.label(en));
            lists.other.push(line);
        }
    }
    lists
}

#[derive(Template)]
#[template(path = "trading.html")]
struct TradingPage {
    layout: Layout,
    lists: TradingLists,
    open_data: Vec<super::reader::OpenDataLink>,
}

pub async fn trading(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let listings = yangguang_app::trading::village_listings(&state.site, village.code).await?;
        let t = prefs.lang.texts();
        let page = TradingPage {
            layout: super::register_layout(&state, &prefs, &uri, &village, (t.trading_title, "trading"), None),
            lists: lists(&village, &listings, prefs.lang),
            open_data: if listings.is_empty() {
                vec![]
            } else {
                vec![super::reader::ocds(prefs.lang, format!("/v/{}/trading/ocds.json", village.code))]
            },
        };
        Ok(page.render()?)
    })
    .await
}

pub async fn listing(
    State(state): State<AppState>,
    Path((code, project_no)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let listing = yangguang_app::trading::listing(&state.site, &project_no)
            .await?
            .filter(|l| l.village == village.code)
            .ok_or(WebError::NotFound)?;
        let t = prefs.lang.texts();
        let en = prefs.lang == Lang::En;
        let l = &listing;
        let mut facts = vec![
            (t.trading_project_no, l.project_no.clone()),
            (t.trading_type, l.subject_type.clone()),
            (t.trading_location, l.location.clone()),
            (t.trading_area, format!("{} {}", l.area, if l.area_unit == "mu" { "亩" } else { "m²" })),
            (t.trading_method, l.method.label(en).into()),
            (t.trading_reserve, format!("{} {}", l.reserve_price, l.price_unit.label(en))),
            (t.trading_announcement, format!("{} – {}", l.announcement.start, l.announcement.end)),
        ];
        if let Some(term) = &l.term {
            facts.push((t.trading_term, format!("{} – {}", term.start, term.end)));
        }
        if let Some(d) = l.registration_end {
            facts.push((t.trading_registration_end, d.to_string()));
        }
        if let Some(d) = l.bidding_date {
            facts.push((t.trading_bidding_date, d.to_string()));
        }
        if let Some(deal) = &l.deal {
            facts.push((t.trading_deal_date, deal.date.to_string()));
            facts.push((t.trading_deal_price, format!("{} {}", deal.price, l.price_unit.label(en))));
            facts.push((t.trading_premium, l.premium_text().unwrap_or_else(|| "—".into())));
            facts.push((t.trading_winner, deal.winner.clone()));
        }
        if let Some(p) = &l.publicity {
            facts.push((t.trading_publicity, format!("{} – {}", p.start, p.end)));
        }
        let page = super::RegisterItemPage {
            layout: super::register_layout(
                &state,
                &prefs,
                &uri,
                &village,
                (t.trading_title, "trading"),
                Some((&l.project_no, &l.title)),
            ),
            title: l.title.clone(),
            sub: format!("{}：{}", t.trading_stage, l.stage.label(en)),
            flags: vec![],
            facts,
            note: t.trading_source,
            ask_href: crate::voice::ask_href(
                village.code,
                &yangguang_app::questions::Target::Listing(l.project_no.clone()),
            ),
            decision: None,
        };
        Ok(page.render()?)
    })
    .await
}

fn json(value: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], value.to_string()).into_response()
}

/// Which OCDS package.
#[derive(Clone, Copy)]
enum Package {
    Releases,
    Records,
}

async fn ocds(
    state: &AppState,
    village: Option<yangguang_core::RegionCode>,
    path: &str,
    which: Package,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    use yangguang_app::ocds;
    let base = crate::public_base::base(state, headers);
    let uri = format!("{base}{path}");
    let versions = ocds::listing_versions(&state.site, village).await?;
    let meta = ocds::PackageMeta { uri: &uri, base: &base, ocid_prefix: &state.site.trading.ocid_prefix };
    let now = chrono::Utc::now();
    let package = match which {
        Package::Releases => ocds::release_package(&state.site, &versions, &meta, now),
        Package::Records => ocds::record_package(&state.site, &versions, &meta, now),
    };
    Ok(json(package.ok_or(WebError::NotFound)?))
}

/// `/v/{code}/trading/ocds.json`: every version of a village's listings and deals as an OCDS
/// release package.
pub async fn village_ocds(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let path = format!("/v/{}/trading/ocds.json", village.code);
    ocds(&state, Some(village.code), &path, Package::Releases, &headers).await
}

/// `/v/{code}/trading/ocds-records.json`: the same compiled into one record per listing.
pub async fn village_ocds_records(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let path = format!("/v/{}/trading/ocds-records.json", village.code);
    ocds(&state, Some(village.code), &path, Package::Records, &headers).await
}

/// `/open-data/ocds.json`: every village's listings and deals in one release package.
pub async fn county_ocds(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    ocds(&state, None, "/open-data/ocds.json", Package::Releases, &headers).await
}

/// `/open-data/ocds-records.json`: every village's listings as records.
pub async fn county_ocds_records(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    ocds(&state, None, "/open-data/ocds-records.json", Package::Records, &headers).await
}

/// The `unitPrice` extension's `extension.json` and its release schema patch.
pub async fn ocds_extension() -> Response {
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], yangguang_app::ocds::EXTENSION_JSON).into_response()
}

pub async fn ocds_extension_schema() -> Response {
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], yangguang_app::ocds::EXTENSION_SCHEMA).into_response()
}
