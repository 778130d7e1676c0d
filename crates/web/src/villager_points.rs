//! `/my/points`: a logged-in household's own points — balance, every entry with its reason
//! (corrections linked to what they correct), redemptions — and its choice to be in the public
//! ranking or not; the entries' evidence for the household alone. Never cached.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router};
use chrono::Utc;
use serde::Deserialize;
use yangguang_app::i18n::PointsTexts;
use yangguang_app::points::HouseholdView;
use yangguang_core::points::signed;
use yangguang_core::time::format_china;
use yangguang_store::PointEvent;

use crate::AppState;
use crate::error::WebError;
use crate::pages::points::{RulesView, rules_view};
use crate::pages::{Crumb, Layout};
use crate::prefs::Prefs;
use crate::session::{check_origin, client_ip, cookie_value, no_store};
use crate::villager::VILLAGER_COOKIE;

pub fn routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/my/points", get(my_points))
        .route("/my/points/ranking", post(set_ranking))
        .route("/my/points/evidence/{id}", get(evidence))
}

async fn household(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, WebError> {
    let Some(token) = cookie_value(headers, VILLAGER_COOKIE) else { return Ok(None) };
    Ok(yangguang_app::villagers::session(&state.site, token, Utc::now()).await?.map(|s| s.household))
}

/// One entry as the household reads it.
pub struct EntryView {
    pub id: i64,
    pub date: String,
    pub item: String,
    pub category: String,
    pub points: String,
    pub gain: bool,
    pub reason: String,
    pub recorded: String,
    pub evidence: bool,
    /// "更正第 3 条" with the corrected entry's id, or "已被第 9 条更正".
    pub corrects: Option<(i64, String)>,
    pub corrected_by: Option<(i64, String)>,
}

/// "Corrected on …, n points back. Reason: …", or "".
pub fn corrected_text(p: &PointsTexts, r: &yangguang_store::Redemption) -> String {
    r.corrected.as_ref().map_or_else(String::new, |c| {
        let head = p.redemption_corrected.replace("{date}", &c.date.to_string()).replace("{n}", &c.points.to_string());
        format!("{head}{}", c.reason)
    })
}

pub fn entry_view(p: &PointsTexts, e: &PointEvent) -> EntryView {
    EntryView {
        id: e.id,
        date: e.event.date.to_string(),
        item: e.event.item.clone(),
        category: e.event.category.clone(),
        points: format!("{} {}", signed(e.event.points), p.points_unit),
        gain: e.event.points > 0,
        reason: e.event.reason.clone(),
        recorded: format!("{} {}", p.recorded, format_china(e.event.recorded_at)),
        evidence: e.event.evidence.is_some(),
        corrects: e.corrects.map(|n| (n, p.corrects.replace("{n}", &n.to_string()))),
        corrected_by: e.corrected_by.map(|n| (n, p.corrected_by.replace("{n}", &n.to_string()))),
    }
}

#[derive(Template)]
#[template(path = "my_points.html")]
struct MyPointsPage {
    layout: Layout,
    p: &'static PointsTexts,
    village_code: String,
    facts: Vec<(&'static str, String)>,
    entries: Vec<EntryView>,
    /// (date, item, points, what corrected it or "").
    redemptions: Vec<(String, String, String, String)>,
    ranked: bool,
    rules: Option<RulesView>,
    saved: bool,
}

/// The card on `/my`: the balance and a link.
pub struct PointsCard {
    pub title: &'static str,
    pub facts: Vec<(&'static str, String)>,
    pub more: &'static str,
}

fn facts(p: &PointsTexts, v: &HouseholdView) -> Vec<(&'static str, String)> {
    let unit = p.points_unit;
    let mut facts = vec![
        (p.balance, format!("{} {unit}", v.balance.total())),
        (p.earned, format!("{} {unit}", v.balance.earned)),
        (p.deducted, format!("{} {unit}", v.balance.deducted)),
        (p.redeemed, format!("{} {unit}", v.balance.redeemed)),
        (p.this_year, format!("{} {unit}", v.year_points)),
    ];
    facts.push((
        p.my_place,
        match v.rank {
            Some(n) => p.place.replace("{n}", &n.to_string()),
            None if !v.ranked => p.not_ranked.into(),
            None => "—".into(),
        },
    ));
    facts
}

pub async fn points_card(state: &AppState, lang: crate::i18n::Lang, household: &str) -> Result<PointsCard, WebError> {
    let p = lang.points();
    let v = yangguang_app::points::household_view(&state.site, household, yangguang_app::today()).await?;
    let all = facts(p, &v);
    // The balance, this year's points and the place: the rest is one tap away.
    let facts = [0, 4, 5].iter().map(|i| all[*i].clone()).collect();
    Ok(PointsCard { title: p.card_title, facts, more: p.card_more })
}

fn html(state: &AppState, body: String) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    state.security.apply(h);
    no_store(r)
}

async fn render(state: &AppState, headers: &HeaderMap, household: &str, saved: bool) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(headers);
    let p = prefs.lang.points();
    let v = yangguang_app::points::household_view(&state.site, household, yangguang_app::today()).await?;
    let village_code = household.split('/').next().unwrap_or_default().to_owned();
    let crumbs = vec![
        Crumb { label: prefs.lang.texts().my_title.into(), href: Some("/my".into()) },
        Crumb { label: p.my_title.into(), href: None },
    ];
    let page = MyPointsPage {
        layout: Layout::new(&prefs, "/my/points", p.my_title.into(), p.my_title.into(), crumbs),
        p,
        facts: facts(p, &v),
        entries: v.events.iter().map(|e| entry_view(p, e)).collect(),
        redemptions: v
            .redemptions
            .iter()
            .map(|r| {
                (
                    r.redemption.date.to_string(),
                    r.redemption.item.clone(),
                    format!("-{} {}", r.redemption.points, p.points_unit),
                    corrected_text(p, r),
                )
            })
            .collect(),
        ranked: v.ranked,
        rules: v.rules.as_ref().map(|r| rules_view(p, r)),
        village_code,
        saved,
    };
    Ok(html(state, page.render()?))
}

async fn my_points(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let Some(household) = household(&state, &headers).await? else {
        return Ok(no_store(Redirect::to("/my").into_response()));
    };
    render(&state, &headers, &household, false).await
}

#[derive(Deserialize)]
struct RankingForm {
    /// `1` to be in the public ranking, `0` to leave it.
    ranked: String,
}

async fn set_ranking(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<RankingForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let Some(household) = household(&state, &headers).await? else {
        return Err(WebError::Forbidden(Prefs::from_headers(&headers).lang.texts().my_need_login.into()));
    };
    let ranked = match f.ranked.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(WebError::BadRequest("ranked 只能是 1 或 0 / ranked is 1 or 0".into())),
    };
    yangguang_app::points::set_ranked(&state.site, &household, ranked, &client_ip(&headers)).await?;
    render(&state, &headers, &household, true).await
}

/// An entry's evidence, for its own household only (any other: 404, existing or not).
async fn evidence(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let Some(household) = household(&state, &headers).await? else {
        return Err(WebError::Forbidden(Prefs::from_headers(&headers).lang.texts().my_need_login.into()));
    };
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let event = state.site.store.get_point_event(id).await.map_err(|_| WebError::NotFound)?;
    if event.event.household != household {
        return Err(WebError::NotFound);
    }
    evidence_response(&state, &event).await
}

/// An entry's evidence file, never cached, shown inline when it is an image or a PDF.
pub async fn evidence_response(state: &AppState, event: &PointEvent) -> Result<Response, WebError> {
    let e = event.event.evidence.as_ref().ok_or(WebError::NotFound)?;
    let bytes_size = state.site.files.size(&e.sha256).await.unwrap_or(0);
    let a = yangguang_core::Attachment {
        file_name: e.file_name.clone(),
        media_type: e.media_type.clone(),
        byte_size: bytes_size as i64,
        sha256: e.sha256.clone(),
    };
    let inline = e.media_type.starts_with("image/") || e.media_type == "application/pdf";
    crate::pages::disclosure::attachment_response(state, &a, "private, no-store", inline).await
}
