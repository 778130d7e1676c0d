//! Villagers' voice on the public site: `/v/{code}/ask?on=…` (我要质询, a form that works
//! without script), `/q` (follow a question by its receipt code, sent by POST so codes stay
//! out of addresses and logs), `/v/{code}/d/{id}/rate` (满意度), `/v/{code}/questions` (the
//! village's public questions, answered and overdue counts, satisfaction) and `/my/questions`.
//! Nothing here is cached: every page is the reader's own. The rules live in
//! `app::questions`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use yangguang_app::i18n::VoiceTexts;
use yangguang_app::questions::{self, AskError, Asker, LookupError, RATINGS, Target};
use yangguang_core::time::format_china;
use yangguang_core::{DisclosureId, Region};
use yangguang_store::{Question, QuestionState, Satisfaction};

use crate::AppState;
use crate::error::WebError;
use crate::pages::village::find_village;
use crate::pages::{Crumb, Layout, region_crumbs};
use crate::prefs::Prefs;
use crate::session::{check_origin, client_ip, cookie_value, no_store, set_cookie};
use crate::villager::VILLAGER_COOKIE;

/// A random id for an anonymous device, to limit its questions and count its vote once.
pub const DEVICE_COOKIE: &str = "yg_device";
const DEVICE_DAYS: i64 = 365;

pub fn routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/v/{code}/ask", get(ask_page).post(ask))
        .route("/q", get(status_page).post(status))
        .route("/v/{code}/d/{id}/rate", post(rate))
        .route("/v/{code}/questions", get(village_questions))
        .route("/my/questions", get(my_questions))
}

fn html(state: &AppState, status: StatusCode, body: String, device: Option<(&HeaderMap, &str)>) -> Response {
    let mut r = (status, body).into_response();
    if let Some((headers, id)) = device {
        r.headers_mut().append(header::SET_COOKIE, set_cookie(headers, DEVICE_COOKIE, id, DEVICE_DAYS * 86_400, "/"));
    }
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    state.security.apply(h);
    // A form with a one-time token or a receipt code: never stored, never compressed beside
    // request-chosen text.
    r.extensions_mut().insert(crate::compress::Uncompressed);
    no_store(r)
}

/// The reader's device id, and whether it is new (to be set as a cookie).
fn device(headers: &HeaderMap) -> (String, bool) {
    match cookie_value(headers, DEVICE_COOKIE).filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(id) => (id.to_owned(), false),
        None => (yangguang_app::auth::random_token(), true),
    }
}

async fn household(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, WebError> {
    let Some(token) = cookie_value(headers, VILLAGER_COOKIE) else { return Ok(None) };
    Ok(yangguang_app::villagers::session(&state.site, token, Utc::now()).await?.map(|s| s.household))
}

fn layout(state: &AppState, prefs: &Prefs, village: Option<&Region>, back: &str, title: &str) -> Layout {
    let mut crumbs = match village {
        Some(v) => region_crumbs(&state.site.regions(), v.code, true),
        None => vec![],
    };
    crumbs.push(Crumb { label: title.to_owned(), href: None });
    Layout::new(prefs, back, title.to_owned(), title.to_owned(), crumbs)
}

// ───────────────────────── asking ─────────────────────────

#[derive(Template)]
#[template(path = "ask.html")]
struct AskPage {
    layout: Layout,
    v: &'static VoiceTexts,
    intro: String,
    body_label: String,
    max: usize,
    village_code: String,
    on: String,
    item: String,
    item_href: String,
    token: String,
    body: String,
    public_ok: bool,
    phone: String,
    logged_in: bool,
    login_href: String,
    error: String,
    error_field: String,
}

#[derive(Deserialize)]
pub struct AskQuery {
    #[serde(default)]
    on: String,
}

/// What the form shows again after a refusal.
#[derive(Deserialize, Default)]
pub struct AskForm {
    #[serde(default)]
    on: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    public: Option<String>,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    token: String,
}

async fn item(state: &AppState, village: &Region, on: &str) -> Result<(Target, String), WebError> {
    let target = Target::parse(on).ok_or(WebError::NotFound)?;
    let title = questions::target::resolve(&state.site, village.code, &target).await?;
    Ok((target, title))
}

#[allow(clippy::too_many_arguments)]
async fn ask_form(
    state: &AppState,
    headers: &HeaderMap,
    village: &Region,
    target: &Target,
    title: String,
    typed: &AskForm,
    (status, error, field): (StatusCode, String, &str),
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(headers);
    let v = prefs.lang.voice();
    let settings = &state.site.questions;
    let logged_in = household(state, headers).await?.is_some();
    let back = format!("/v/{}/ask?on={}", village.code, encode(&target.on()));
    let page = AskPage {
        layout: layout(state, &prefs, Some(village), &back, v.ask),
        v,
        intro: v.ask_intro.replace("{days}", &settings.days_for(village.code).to_string()),
        body_label: v.body_label.replace("{max}", &settings.max_chars.to_string()),
        max: settings.max_chars,
        village_code: village.code.to_string(),
        on: target.on(),
        item: title,
        item_href: target.path(village.code),
        token: questions::guard::form_token(&state.site, Utc::now()),
        body: typed.body.clone(),
        public_ok: typed.public.is_some() || typed.token.is_empty(),
        phone: typed.phone.clone(),
        logged_in,
        login_href: "/my".into(),
        error,
        error_field: field.to_owned(),
    };
    let (id, new) = device(headers);
    Ok(html(state, status, page.render()?, new.then_some((headers, id.as_str()))))
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub async fn ask_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AskQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let (target, title) = item(&state, &village, &q.on).await?;
    ask_form(&state, &headers, &village, &target, title, &AskForm::default(), (StatusCode::OK, String::new(), "")).await
}

#[derive(Template)]
#[template(path = "ask_sent.html")]
struct SentPage {
    layout: Layout,
    v: &'static VoiceTexts,
    code: String,
    deadline: String,
    held: bool,
    item: String,
    item_href: String,
}

pub async fn ask(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(f): Form<AskForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let village = find_village(&state, &code)?;
    let (target, title) = item(&state, &village, &f.on).await?;
    let (device_id, new_device) = device(&headers);
    let asker = match household(&state, &headers).await? {
        Some(household) => Asker::Household { household, notify_phone: Some(f.phone.clone()) },
        None => Asker::Anonymous { device: device_id.clone() },
    };
    let ask = questions::Ask {
        village: village.code,
        target: target.clone(),
        body: f.body.clone(),
        public_ok: f.public.is_some(),
        asker,
        form_token: f.token.clone(),
        ip: client_ip(&headers),
    };
    let refused = |status: StatusCode, message: String, field: &'static str| (status, message, field);
    let outcome = questions::ask(&state.site, ask, Utc::now()).await;
    let problem = match outcome {
        Ok(asked) => {
            let prefs = Prefs::from_headers(&headers);
            let v = prefs.lang.voice();
            let page = SentPage {
                layout: layout(&state, &prefs, Some(&village), "/q", v.sent_title),
                v,
                code: asked.code,
                deadline: format_china(asked.deadline),
                held: asked.held,
                item: title,
                item_href: target.path(village.code),
            };
            let device = new_device.then_some((&headers, device_id.as_str()));
            return Ok(html(&state, StatusCode::OK, page.render()?, device));
        }
        Err(AskError::Form(e)) => refused(StatusCode::CONFLICT, e.to_string(), "body"),
        Err(AskError::TooMany(m)) => refused(StatusCode::TOO_MANY_REQUESTS, m, "body"),
        Err(AskError::App(yangguang_app::AppError::Field { field, message })) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, message, field)
        }
        Err(AskError::App(e)) => return Err(e.into()),
    };
    ask_form(&state, &headers, &village, &target, title, &f, problem).await
}

// ───────────────────────── following by receipt code ─────────────────────────

/// A question as its asker (or the public) reads it.
pub struct QuestionView {
    pub item: String,
    pub item_href: String,
    pub asked: String,
    pub body: String,
    pub state: &'static str,
    pub hidden: bool,
    pub clock: String,
    pub overdue: bool,
    pub reply: String,
    pub replied: String,
    pub correction_href: String,
}

pub fn view(v: &VoiceTexts, q: &Question, now: DateTime<Utc>) -> QuestionView {
    let overdue = questions::overdue(q, now);
    let mut clock = format!("{}：{}", v.deadline, format_china(q.new.deadline_at));
    if overdue {
        clock.push_str(&format!(" · {}", v.overdue));
        if q.escalated_at.is_some() {
            clock.push_str(&format!(" · {}", v.escalated));
        }
    } else if let (QuestionState::Held | QuestionState::Open, Some(n)) = (q.new.state, questions::days_left(q, now)) {
        clock.push_str(&format!(" · {}", v.days_left.replace("{n}", &n.to_string())));
    }
    let hidden = q.new.state == QuestionState::Hidden;
    QuestionView {
        item: q.new.target_title.clone(),
        item_href: Target::from_stored(&q.new.target_kind, &q.new.target_ref)
            .map(|t| t.path(q.new.village))
            .unwrap_or_default(),
        asked: format_china(q.new.asked_at),
        body: if hidden { String::new() } else { q.new.body.clone() },
        state: match q.new.state {
            QuestionState::Held => v.state_held,
            QuestionState::Open => v.state_open,
            QuestionState::Answered => v.state_answered,
            QuestionState::Hidden => "",
        },
        hidden,
        clock: if hidden {
            v.hidden_note
                .replace("{reason}", questions::hide_reason_label(q.hidden_reason.as_deref().unwrap_or("other")))
        } else {
            clock
        },
        overdue,
        reply: q.reply.clone().unwrap_or_default(),
        replied: q.replied_at.map(format_china).unwrap_or_default(),
        correction_href: q.correction.map(|c| format!("/v/{}/d/{c}", q.new.village)).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "question_status.html")]
struct StatusPage {
    layout: Layout,
    v: &'static VoiceTexts,
    code: String,
    error: String,
    question: Option<QuestionView>,
}

fn status_view(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    code: &str,
    error: String,
    question: Option<QuestionView>,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(headers);
    let v = prefs.lang.voice();
    let page =
        StatusPage { layout: layout(state, &prefs, None, "/q", v.status_title), v, code: code.into(), error, question };
    Ok(html(state, status, page.render()?, None))
}

pub async fn status_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    status_view(&state, &headers, StatusCode::OK, "", String::new(), None)
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let now = Utc::now();
    let v = Prefs::from_headers(&headers).lang.voice();
    match questions::lookup(&state.site, &f.code, &client_ip(&headers), now).await {
        Ok(q) => status_view(&state, &headers, StatusCode::OK, &f.code, String::new(), Some(view(v, &q, now))),
        Err(LookupError::App(e)) => Err(e.into()),
        Err(e) => {
            let status = match e {
                LookupError::Malformed => StatusCode::UNPROCESSABLE_ENTITY,
                LookupError::TooMany => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::NOT_FOUND,
            };
            status_view(&state, &headers, status, &f.code, e.to_string(), None)
        }
    }
}

// ───────────────────────── satisfaction ─────────────────────────

/// The satisfaction block and the public questions under a disclosure.
pub struct ItemVoice {
    pub ask_href: String,
    pub rate_action: String,
    pub satisfaction: Vec<(&'static str, &'static str, u64, u64)>,
    pub votes: String,
    pub questions: Vec<QuestionView>,
}

/// What a disclosure page shows of villagers' voice (rendered into the cached page: every
/// change calls `Site::published` for the village).
pub async fn item_voice(
    state: &AppState,
    v: &VoiceTexts,
    village: &Region,
    id: DisclosureId,
) -> Result<ItemVoice, WebError> {
    let target = Target::Disclosure(id);
    let tally = state.site.store.item_satisfaction(&id.0.to_string()).await?;
    let now = Utc::now();
    let questions = questions::public_on_item(&state.site, village.code, &target).await?;
    Ok(ItemVoice {
        ask_href: format!("/v/{}/ask?on={}", village.code, encode(&target.on())),
        rate_action: format!("/v/{}/d/{}/rate", village.code, id.0),
        satisfaction: shares(v, &tally),
        votes: votes_line(v, &tally),
        questions: questions.iter().map(|q| view(v, q, now)).collect(),
    })
}

fn shares(v: &VoiceTexts, s: &Satisfaction) -> Vec<(&'static str, &'static str, u64, u64)> {
    let pct = questions::percentages(s);
    let counts = [s.satisfied, s.fair, s.unsatisfied];
    (0..3).map(|i| (RATINGS[i].0, v.ratings[i], counts[i], pct[i])).collect()
}

fn votes_line(v: &VoiceTexts, s: &Satisfaction) -> String {
    if s.total() == 0 { v.no_votes.to_owned() } else { v.votes.replace("{n}", &s.total().to_string()) }
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    rating: String,
}

#[derive(Template)]
#[template(path = "voice_message.html")]
struct MessagePage {
    layout: Layout,
    v: &'static VoiceTexts,
    text: String,
    error: bool,
    back: String,
}

pub async fn rate(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<RateForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let village = find_village(&state, &code)?;
    let id = DisclosureId(id.parse().map_err(|_| WebError::NotFound)?);
    let (device_id, new_device) = device(&headers);
    let voter = questions::voter(&state.site, household(&state, &headers).await?.as_deref(), &device_id);
    let prefs = Prefs::from_headers(&headers);
    let v = prefs.lang.voice();
    let outcome =
        questions::vote(&state.site, village.code, id, &voter, &f.rating, &client_ip(&headers), Utc::now()).await;
    let (status, text, error) = match outcome {
        Ok(()) => {
            let label = RATINGS.iter().position(|(r, _)| *r == f.rating).map_or("", |i| v.ratings[i]);
            (StatusCode::OK, v.voted.replace("{rating}", label), false)
        }
        Err(AskError::TooMany(m)) => (StatusCode::TOO_MANY_REQUESTS, m, true),
        Err(AskError::App(yangguang_app::AppError::Field { message, .. })) => {
            (StatusCode::UNPROCESSABLE_ENTITY, message, true)
        }
        Err(AskError::App(e)) => return Err(e.into()),
        Err(AskError::Form(e)) => (StatusCode::CONFLICT, e.to_string(), true),
    };
    let back = format!("/v/{}/d/{}#satisfaction", village.code, id.0);
    let page =
        MessagePage { layout: layout(&state, &prefs, Some(&village), &back, v.satisfaction), v, text, error, back };
    let device = new_device.then_some((&headers, device_id.as_str()));
    Ok(html(&state, status, page.render()?, device))
}

// ───────────────────────── the village's and the household's lists ─────────────────────────

#[derive(Template)]
#[template(path = "village_questions.html")]
struct VillageQuestionsPage {
    layout: Layout,
    v: &'static VoiceTexts,
    heading: String,
    counts: String,
    satisfaction: Vec<(&'static str, &'static str, u64, u64)>,
    votes: String,
    questions: Vec<QuestionView>,
    empty: &'static str,
}

pub async fn village_questions(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let prefs = Prefs::from_headers(&headers);
    let v = prefs.lang.voice();
    let now = Utc::now();
    let counts = state.site.store.question_counts(village.code, now).await?;
    let tally = state.site.store.village_satisfaction(village.code).await?;
    let shown = [QuestionState::Open, QuestionState::Answered, QuestionState::Hidden];
    let questions: Vec<QuestionView> = state
        .site
        .store
        .village_questions(village.code, &shown)
        .await?
        .iter()
        .filter(|q| q.new.public_ok)
        .take(200)
        .map(|q| view(v, q, now))
        .collect();
    let page = VillageQuestionsPage {
        layout: layout(&state, &prefs, Some(&village), &format!("/v/{}/questions", village.code), v.questions_title),
        v,
        heading: format!("{} · {}", village.name, v.questions_title),
        counts: v
            .counts
            .replace("{answered}", &counts.answered.to_string())
            .replace("{overdue}", &counts.overdue.to_string())
            .replace("{waiting}", &counts.waiting.to_string()),
        satisfaction: shares(v, &tally),
        votes: votes_line(v, &tally),
        questions,
        empty: v.no_public,
    };
    Ok(html(&state, StatusCode::OK, page.render()?, None))
}

pub async fn my_questions(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let Some(household) = household(&state, &headers).await? else {
        return Ok(no_store(Redirect::to("/my").into_response()));
    };
    let prefs = Prefs::from_headers(&headers);
    let v = prefs.lang.voice();
    let now = Utc::now();
    // The household's own questions, hidden ones included with their text: it is theirs.
    let questions: Vec<QuestionView> = state
        .site
        .store
        .household_questions(&household)
        .await?
        .iter()
        .map(|q| QuestionView { body: q.new.body.clone(), ..view(v, q, now) })
        .collect();
    let page = VillageQuestionsPage {
        layout: layout(&state, &prefs, None, "/my/questions", v.my_questions),
        v,
        heading: v.my_questions.into(),
        counts: String::new(),
        satisfaction: vec![],
        votes: String::new(),
        questions,
        empty: v.no_public,
    };
    Ok(html(&state, StatusCode::OK, page.render()?, None))
}

/// "我要质询" in the page's language, for the item pages' links (given the layout's other
/// language, which is what `Layout` carries).
pub fn ask_text(other: &crate::i18n::Lang) -> &'static str {
    other.other().voice().ask
}

/// The 我要质询 form's address for an item.
pub fn ask_href(village: yangguang_core::RegionCode, target: &Target) -> String {
    format!("/v/{village}/ask?on={}", encode(&target.on()))
}

/// The village home's lines on questions and satisfaction.
pub struct VillageVoice {
    pub title: &'static str,
    pub counts: String,
    pub satisfaction: String,
    pub more: &'static str,
    pub follow: &'static str,
}

pub async fn village_voice(
    state: &AppState,
    lang: crate::i18n::Lang,
    village: yangguang_core::RegionCode,
) -> Result<VillageVoice, WebError> {
    let v = lang.voice();
    let counts = state.site.store.question_counts(village, Utc::now()).await?;
    let tally = state.site.store.village_satisfaction(village).await?;
    let pct = questions::percentages(&tally);
    let satisfaction = if tally.total() == 0 {
        format!("{}：{}", v.satisfaction, v.no_votes)
    } else {
        let parts: Vec<String> = (0..3).map(|i| format!("{} {}%", v.ratings[i], pct[i])).collect();
        format!("{}：{}（{}）", v.satisfaction, parts.join(" · "), v.votes.replace("{n}", &tally.total().to_string()))
    };
    Ok(VillageVoice {
        title: v.questions_title,
        counts: v
            .counts
            .replace("{answered}", &counts.answered.to_string())
            .replace("{overdue}", &counts.overdue.to_string())
            .replace("{waiting}", &counts.waiting.to_string()),
        satisfaction,
        more: v.questions_title,
        follow: v.follow,
    })
}
