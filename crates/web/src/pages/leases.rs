//! `/v/{code}/leases`: a village's lease register — filters by type, contracts ending within
//! 90 days and rent range; each contract's page sets rent due against rent received.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use yangguang_core::Fen;
use yangguang_core::lease::{Lease, RentPosition, Standing};

use super::village::find_village;
use super::{Layout, Scope, cached};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::{Lang, Texts};
use crate::prefs::Prefs;

#[derive(Deserialize, Default)]
pub struct LeaseFilter {
    #[serde(rename = "type")]
    kind: Option<String>,
    expiring: Option<String>,
    min: Option<String>,
    max: Option<String>,
}

/// A rent bound typed into the form, in yuan; a blank or unreadable one is no bound.
fn bound(text: Option<&str>) -> Option<Fen> {
    let text = text?.trim();
    if text.is_empty() {
        return None;
    }
    yangguang_core::ledger::parse_amount(text).ok()
}

pub struct LeaseLine {
    pub href: String,
    pub asset: String,
    pub meta: String,
    /// Warning badges: ending soon, ended, in arrears.
    pub flags: Vec<String>,
}

/// A contract's warning badges: ending soon, ended or not started, and rent in arrears.
fn flags(t: &Texts, l: &Lease, position: Option<RentPosition>, today: NaiveDate) -> Vec<String> {
    let standing = match l.standing(today) {
        Standing::ExpiringSoon => Some(t.leases_expiring),
        Standing::Expired => Some(t.leases_expired),
        Standing::NotStarted => Some(t.leases_not_started),
        Standing::Running => None,
    };
    let mut flags: Vec<String> = standing.map(String::from).into_iter().collect();
    if let Some(p) = position.filter(|p| p.owed().0 > 0) {
        flags.push(format!("{} {} 元", t.leases_arrears, p.owed()));
    }
    flags
}

fn area(l: &Lease, lang: Lang) -> String {
    let unit = match (l.area_unit.as_str(), lang) {
        ("mu", Lang::Zh) => "亩",
        ("mu", Lang::En) => "mu",
        _ => "m²",
    };
    format!("{} {unit}", l.area)
}

#[derive(Template)]
#[template(path = "leases.html")]
struct LeasesPage {
    layout: Layout,
    types: Vec<(String, bool)>,
    expiring: bool,
    min: String,
    max: String,
    total: usize,
    lines: Vec<LeaseLine>,
}

pub async fn leases(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(filter): Query<LeaseFilter>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    // Free-text filters (type, rent range) are rendered each time: caching every query string
    // anyone sends would let them crowd real pages out of the cache.
    let free_text =
        [&filter.kind, &filter.min, &filter.max].iter().any(|f| f.as_deref().is_some_and(|v| !v.is_empty()));
    let render = || async {
        let t = prefs.lang.texts();
        let today = yangguang_app::today();
        let book = yangguang_app::leases::lease_book(&state.site, village.code, today).await?;
        let all = &book.leases;
        let mut types: Vec<String> = all.iter().map(|l| l.asset_type.clone()).collect();
        types.sort();
        types.dedup();
        let kind = filter.kind.as_deref().filter(|k| !k.is_empty());
        let expiring = filter.expiring.is_some();
        let (min, max) = (bound(filter.min.as_deref()), bound(filter.max.as_deref()));
        let lines = all
            .iter()
            .zip(&book.positions)
            .filter(|(l, _)| kind.is_none_or(|k| l.asset_type == k))
            .filter(|(l, _)| !expiring || l.standing(today) == Standing::ExpiringSoon)
            .filter(|(l, _)| min.is_none_or(|m| l.annual_rent >= m) && max.is_none_or(|m| l.annual_rent <= m))
            .map(|(l, position)| LeaseLine {
                href: format!("/v/{}/leases/{}", village.code, l.contract_no),
                asset: l.asset.clone(),
                meta: format!(
                    "{} · {} · {} · {} {} · {} – {}",
                    l.asset_type,
                    l.lessee,
                    area(l, prefs.lang),
                    l.annual_rent,
                    t.yuan_per_year,
                    l.start,
                    l.end
                ),
                flags: flags(t, l, *position, today),
            })
            .collect();
        let page = LeasesPage {
            layout: super::register_layout(&state, &prefs, &uri, &village, (t.leases_title, "leases"), None),
            types: types.into_iter().map(|ty| (ty.clone(), Some(ty.as_str()) == kind)).collect(),
            expiring,
            min: filter.min.unwrap_or_default(),
            max: filter.max.unwrap_or_default(),
            total: all.len(),
            lines,
        };
        Ok(page.render()?)
    };
    if free_text {
        let html = render().await?;
        return Ok(
            crate::render::EncodedPage::fresh(axum::http::StatusCode::OK, html).respond(&headers, &state.security)
        );
    }
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), render).await
}

pub async fn lease(
    State(state): State<AppState>,
    Path((code, contract_no)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let t = prefs.lang.texts();
        let en = prefs.lang == Lang::En;
        let today = yangguang_app::today();
        let l =
            yangguang_app::leases::lease(&state.site, village.code, &contract_no).await?.ok_or(WebError::NotFound)?;
        let position = yangguang_app::leases::rent_positions(&state.site, village.code, [&l], today).await?[0];
        let flags = flags(t, &l, position, today);
        let mut facts = vec![
            (t.leases_contract_no, l.contract_no.clone()),
            (t.trading_type, l.asset_type.clone()),
            (t.trading_location, l.location.clone()),
            (t.leases_lessee, l.lessee.clone()),
            (t.trading_area, area(&l, prefs.lang)),
            (t.leases_rent, format!("{} {}", l.annual_rent, t.yuan_per_year)),
            (t.trading_term, format!("{} – {}", l.start, l.end)),
            (t.leases_schedule, l.schedule.label(en).into()),
        ];
        if let Some(p) = position {
            facts.push((t.leases_due, format!("{} 元（{} – {today}）", p.due, p.from)));
            facts.push((t.leases_received, format!("{} 元", p.received)));
        }
        let page = super::RegisterItemPage {
            layout: super::register_layout(
                &state,
                &prefs,
                &uri,
                &village,
                (t.leases_title, "leases"),
                Some((&l.contract_no, &l.asset)),
            ),
            title: l.asset.clone(),
            sub: String::new(),
            flags,
            facts,
            note: t.leases_received_note,
            ask_href: crate::voice::ask_href(
                village.code,
                &yangguang_app::questions::Target::Lease(l.contract_no.clone()),
            ),
            decision: yangguang_app::decisions::authorising(&state.site, village.code, "lease", &l.contract_no)
                .await?
                .map(|(number, href)| (format!("{} {number}", prefs.lang.decisions().authorised_by), href)),
        };
        Ok(page.render()?)
    })
    .await
}

#[derive(Template)]
#[template(path = "assets.html")]
struct AssetsPage {
    layout: Layout,
    sections: Vec<(&'static str, Vec<[String; 7]>)>,
}

/// `/v/{code}/assets`: the assets and resources registers as last imported.
pub async fn assets(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    use yangguang_core::assets::Register;
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let t = prefs.lang.texts();
        let mut sections = vec![];
        for (register, title) in [(Register::Assets, t.assets_assets), (Register::Resources, t.assets_resources)] {
            let rows = yangguang_app::assets::village_register(&state.site, village.code, register).await?;
            let rows = rows
                .iter()
                .map(|a| {
                    let unit = if a.area_unit == "mu" { "亩" } else { "m²" };
                    [
                        a.name.clone(),
                        a.category.clone(),
                        a.location.clone(),
                        if a.area.is_empty() { String::new() } else { format!("{} {unit}", a.area) },
                        a.original_value.map(|v| v.to_string()).unwrap_or_default(),
                        a.status.clone(),
                        a.occupant.clone(),
                    ]
                })
                .collect();
            sections.push((title, rows));
        }
        let page = AssetsPage {
            layout: super::register_layout(&state, &prefs, &uri, &village, (t.assets_title, "assets"), None),
            sections,
        };
        Ok(page.render()?)
    })
    .await
}
