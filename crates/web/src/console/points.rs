//! `/console/points`: a village clerk keeps the village's points (积分制) — records events
//! (with evidence), corrects one by a counter-event, records redemptions, sees balances, saves
//! a new version of the rules, and makes the quarter's disclosure draft. Every action is
//! checked and audited by `app::points`; a refused form comes back with what was typed and the
//! message beside its field.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use yangguang_app::AppError;
use yangguang_app::auth::SignedIn;
use yangguang_app::i18n::{Lang, PointsTexts, pick};
use yangguang_app::points::{self, EventForm, RedemptionForm};
use yangguang_core::RegionCode;
use yangguang_core::household::Household;
use yangguang_core::points::{RuleVersion, in_force};

use super::multipart::CsrfMultipart;
use super::{Nav, done, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::pages::points::{RulesView, rules_view};
use crate::prefs::Prefs;
use crate::session::{CsrfForm, Staff, client_ip};
use crate::villager_points::{EntryView, corrected_text, entry_view};

/// How many of the latest entries the page lists.
const RECENT: u32 = 50;

pub struct Recent {
    pub entry: EntryView,
    pub household: String,
    pub head: String,
    pub by: String,
    pub can_correct: bool,
}

/// A redemption in the console's list, and what corrected it ("" when nothing did).
pub struct RecentRedemption {
    pub id: i64,
    pub household: String,
    pub head: String,
    pub date: String,
    pub item: String,
    pub points: i64,
    pub by: String,
    pub corrected: String,
}

#[derive(Template)]
#[template(path = "console/points.html")]
struct PointsPage {
    layout: Layout,
    nav: Nav,
    p: &'static PointsTexts,
    villages: Vec<(String, String, bool)>,
    village: String,
    village_name: String,
    items: Vec<String>,
    households: Vec<(String, String)>,
    balances: Vec<(String, String, i64, i64, i64, i64)>,
    recent: Vec<Recent>,
    redemptions: Vec<RecentRedemption>,
    rules: Option<RulesView>,
    rules_text: String,
    today: String,
    /// Which form a refusal is about (`event`, `redeem`, `rules`, `correct-{id}`), what was
    /// typed into it, and the field at fault with its message.
    form: String,
    typed: HashMap<String, String>,
    error_field: String,
    error: String,
    filter: String,
}

impl PointsPage {
    /// What was typed into `name` of the refused form `form`, or "".
    fn typed(&self, form: &str, name: &str) -> String {
        if self.form == form { self.typed.get(name).cloned().unwrap_or_default() } else { String::new() }
    }

    fn error_of(&self, form: &str, field: &str) -> String {
        if self.form == form && self.error_field == field { self.error.clone() } else { String::new() }
    }

    /// A refusal of this form that names no field of it.
    fn form_error(&self, form: &str, fields: &[&str]) -> String {
        if self.form == form && !fields.contains(&self.error_field.as_str()) {
            self.error.clone()
        } else {
            String::new()
        }
    }
}

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    village: String,
    #[serde(default)]
    household: String,
}

/// The clerk's village asked for (or their first).
fn chosen_village(who: &SignedIn, asked: &str) -> Result<RegionCode, WebError> {
    let villages = points::villages_of(&who.grants());
    if villages.is_empty() {
        return Err(WebError::Forbidden("只有村务工作者可以登记积分 / only village clerks keep points".into()));
    }
    if asked.is_empty() {
        return Ok(villages[0]);
    }
    let code = RegionCode::parse(asked).map_err(|_| WebError::NotFound)?;
    if !villages.contains(&code) {
        return Err(WebError::Forbidden(format!("无权查看该村（{code}）的积分 / not a clerk of this village")));
    }
    Ok(code)
}

pub async fn points_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let village = chosen_village(&who, &f.village)?;
    page(&state, &headers, &who, village, &f.household, None, StatusCode::OK).await
}

/// A refused form: which, what was typed, the field and the message.
struct Kept {
    form: String,
    typed: HashMap<String, String>,
    field: String,
    message: String,
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    village: RegionCode,
    household_filter: &str,
    kept: Option<Kept>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = Prefs::from_headers(headers).lang;
    let p = lang.points();
    let site = &state.site;
    let today = yangguang_app::today();
    let stored = site.store.point_rules(village).await?;
    let versions: Vec<RuleVersion> = stored.iter().map(|s| s.version.clone()).collect();
    let current = stored.iter().rev().find(|s| s.version.effective_from <= today).or(stored.last());
    // Every item of every version, the rules in force first: an event dated earlier may need one.
    let mut items: Vec<String> = vec![];
    let mut ordered: Vec<&RuleVersion> = in_force(&versions, today).into_iter().collect();
    ordered.extend(versions.iter().rev());
    for v in ordered {
        for i in &v.items {
            if !items.contains(&i.name) {
                items.push(i.name.clone());
            }
        }
    }
    let households: Vec<Household> = yangguang_app::registers::village_rows(site, "household", village).await?;
    let heads: HashMap<String, String> =
        households.iter().map(|h| (h.key(), h.head().map(|m| m.name.clone()).unwrap_or_default())).collect();
    let filter_key = (!household_filter.trim().is_empty())
        .then(|| yangguang_core::household::household_key(village, household_filter.trim()));
    let recent = site
        .store
        .village_point_events(village, filter_key.as_deref(), RECENT)
        .await?
        .iter()
        .map(|e| Recent {
            household: e.event.household.split_once('/').map_or("", |(_, n)| n).to_owned(),
            head: heads.get(&e.event.household).cloned().unwrap_or_default(),
            by: e.event.recorded_by.clone(),
            can_correct: e.corrects.is_none() && e.corrected_by.is_none(),
            entry: entry_view(p, e),
        })
        .collect();
    let year_ago = today - chrono::Days::new(366);
    let redemptions = site
        .store
        .village_redemptions(village, year_ago, today + chrono::Days::new(366))
        .await?
        .iter()
        .filter(|r| filter_key.as_ref().is_none_or(|k| *k == r.redemption.household))
        .map(|r| RecentRedemption {
            id: r.id,
            household: r.redemption.household.split_once('/').map_or("", |(_, n)| n).to_owned(),
            head: heads.get(&r.redemption.household).cloned().unwrap_or_default(),
            date: r.redemption.date.to_string(),
            item: r.redemption.item.clone(),
            points: r.redemption.points,
            by: r.redemption.recorded_by.clone(),
            corrected: corrected_text(p, r),
        })
        .collect();
    let balances = points::console_balances(site, village)
        .await?
        .into_iter()
        .map(|(n, head, b)| (n, head, b.earned, b.deducted, b.redeemed, b.total()))
        .collect();
    let (form, typed, error_field, error) = match kept {
        Some(k) => (k.form, k.typed, k.field, pick(&k.message, lang).to_owned()),
        None => Default::default(),
    };
    let view = PointsPage {
        layout: layout(headers, p.nav),
        nav: nav(who, headers),
        p,
        villages: points::villages_of(&who.grants())
            .into_iter()
            .map(|c| (c.to_string(), village_name(state, c), c == village))
            .collect(),
        village: village.to_string(),
        village_name: village_name(state, village),
        items,
        households: households
            .iter()
            .map(|h| (h.number.clone(), h.head().map(|m| m.name.clone()).unwrap_or_default()))
            .collect(),
        balances,
        recent,
        redemptions,
        rules: current.map(|c| rules_view(p, c)),
        rules_text: current.map(|c| c.version.to_lines()).unwrap_or_default(),
        today: today.to_string(),
        form,
        typed,
        error_field,
        error,
        filter: household_filter.trim().to_owned(),
    };
    render(state, headers, status, &view)
}

/// Answers a refused form with the page, what was typed and the message beside its field;
/// anything but a field refusal is an error page.
async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    village: RegionCode,
    form: &str,
    typed: HashMap<String, String>,
    e: AppError,
) -> Result<Response, WebError> {
    match e {
        AppError::Field { field, message } => {
            let kept = Kept { form: form.into(), typed, field: field.into(), message };
            page(state, headers, who, village, "", Some(kept), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        other => Err(other.into()),
    }
}

fn back(village: RegionCode) -> String {
    format!("/console/points?village={village}")
}

fn lang(headers: &HeaderMap) -> Lang {
    Prefs::from_headers(headers).lang
}

pub async fn record_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), mut form): CsrfMultipart,
) -> Result<Response, WebError> {
    let village = chosen_village(&who, form.get("village"))?;
    let typed: HashMap<String, String> = ["household", "item", "date", "points", "reason"]
        .iter()
        .map(|k| ((*k).to_owned(), form.get(k).to_owned()))
        .collect();
    let mut files = std::mem::take(&mut form.files);
    if files.len() > 1 {
        let e = AppError::Field { field: "evidence", message: "只能附一个文件 / one file only".into() };
        return refused(&state, &headers, &who, village, "event", typed, e).await;
    }
    let event = EventForm {
        household: form.get("household").into(),
        item: form.get("item").into(),
        date: form.get("date").into(),
        points: form.get("points").into(),
        reason: form.get("reason").into(),
        evidence: files.pop(),
    };
    let ip = client_ip(&headers);
    let outcome = points::record_event(&state.site, &who.staff, &who.grants(), &ip, village, event, Utc::now()).await;
    match outcome {
        Ok(_) => Ok(done(&headers, &back(village), lang(&headers).points().c_event_saved)),
        Err(e) => refused(&state, &headers, &who, village, "event", typed, e).await,
    }
}

#[derive(Deserialize)]
pub struct CorrectForm {
    #[serde(default)]
    reason: String,
}

pub async fn correct(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Staff(who), f): CsrfForm<CorrectForm>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let event = points::staff_event(&state.site, &who.grants(), id).await?;
    let village = event.event.village;
    let ip = client_ip(&headers);
    match points::correct_event(&state.site, &who.staff, &who.grants(), &ip, id, &f.reason, Utc::now()).await {
        Ok(_) => Ok(done(&headers, &back(village), lang(&headers).points().c_correction_saved)),
        Err(e) => {
            let typed = HashMap::from([("reason".to_owned(), f.reason)]);
            refused(&state, &headers, &who, village, &format!("correct-{id}"), typed, e).await
        }
    }
}

/// Corrects a redemption recorded by mistake: its points go back, the redemption stays.
pub async fn correct_redemption(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Staff(who), f): CsrfForm<CorrectForm>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let village = state.site.store.get_redemption(id).await.map_err(|_| WebError::NotFound)?.redemption.village;
    if !who.grants().can_draft(village) {
        return Err(WebError::NotFound);
    }
    let ip = client_ip(&headers);
    match points::correct_redemption(&state.site, &who.staff, &who.grants(), &ip, id, &f.reason, Utc::now()).await {
        Ok(_) => Ok(done(&headers, &back(village), lang(&headers).points().c_redemption_corrected_saved)),
        Err(e) => {
            let typed = HashMap::from([("reason".to_owned(), f.reason)]);
            refused(&state, &headers, &who, village, &format!("redeem-correct-{id}"), typed, e).await
        }
    }
}

#[derive(Deserialize)]
pub struct RedeemForm {
    #[serde(default)]
    village: String,
    #[serde(default)]
    household: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    points: String,
}

pub async fn redeem(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<RedeemForm>,
) -> Result<Response, WebError> {
    let village = chosen_village(&who, &f.village)?;
    let form = RedemptionForm { household: f.household, date: f.date, item: f.item, points: f.points };
    let ip = client_ip(&headers);
    match points::redeem(&state.site, &who.staff, &who.grants(), &ip, village, &form, Utc::now()).await {
        Ok(_) => Ok(done(&headers, &back(village), lang(&headers).points().c_redemption_saved)),
        Err(e) => {
            let typed = HashMap::from([
                ("household".to_owned(), form.household),
                ("date".to_owned(), form.date),
                ("item".to_owned(), form.item),
                ("points".to_owned(), form.points),
            ]);
            refused(&state, &headers, &who, village, "redeem", typed, e).await
        }
    }
}

#[derive(Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    village: String,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    rules: String,
}

pub async fn save_rules(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<RulesForm>,
) -> Result<Response, WebError> {
    let village = chosen_village(&who, &f.village)?;
    let ip = client_ip(&headers);
    match points::save_rules(&state.site, &who.staff, &who.grants(), &ip, village, &f.effective_from, &f.rules).await {
        Ok(()) => Ok(done(&headers, &back(village), lang(&headers).points().c_rules_saved)),
        Err(e) => {
            let typed = HashMap::from([("effective_from".to_owned(), f.effective_from), ("rules".to_owned(), f.rules)]);
            refused(&state, &headers, &who, village, "rules", typed, e).await
        }
    }
}

#[derive(Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    village: String,
}

pub async fn draft(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<DraftForm>,
) -> Result<Response, WebError> {
    let village = chosen_village(&who, &f.village)?;
    let ip = client_ip(&headers);
    let id = points::draft_disclosure(&state.site, &who.staff, &ip, village, yangguang_app::today()).await?;
    Ok(done(&headers, &format!("/console/d/{}", id.0), lang(&headers).points().c_draft_saved))
}

/// An entry's evidence, for the clerks of its village.
pub async fn evidence(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let event = points::staff_event(&state.site, &who.grants(), id).await?;
    crate::villager_points::evidence_response(&state, &event).await
}
