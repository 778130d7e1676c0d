//! `/console/questions`: villagers' questions in the reader's villages with their deadlines —
//! a clerk or a supervision committee member answers (linking the correction an admitted
//! error caused), lets a held anonymous question through, or hides one with a reason
//! category; township reviewers see their towns' questions, overdue ones first. Every action
//! is audited by `app::questions`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use yangguang_app::auth::SignedIn;
use yangguang_app::questions::{self, HIDE_REASONS, Target, hide_reason_label};
use yangguang_core::time::format_china;
use yangguang_store::{Question, QuestionState};

use super::{Nav, done, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

pub struct Row {
    pub id: i64,
    pub village: String,
    pub item: String,
    pub item_href: String,
    pub asked: String,
    pub asker: &'static str,
    pub public_ok: bool,
    pub body: String,
    pub state: QuestionState,
    pub state_label: &'static str,
    /// "还剩 N 天（截止 …）", or "已逾期（截止 …）".
    pub clock: String,
    pub overdue: bool,
    pub escalated: bool,
    pub reply: String,
    pub replied: String,
    pub correction: Option<i64>,
    pub hidden_reason: String,
    pub can_act: bool,
    /// What was typed into this question's reply form before a refusal, kept.
    pub typed_reply: String,
    pub typed_correction: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "console/questions.html")]
struct QuestionsPage {
    layout: Layout,
    nav: Nav,
    show: String,
    rows: Vec<Row>,
    reasons: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    show: String,
}

pub async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    page(&state, &headers, &who, &f.show, None, StatusCode::OK).await
}

/// A refused reply: the question it was for, what was typed, and why.
struct Kept {
    id: i64,
    reply: String,
    correction: String,
    error: String,
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    show: &str,
    kept: Option<Kept>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let grants = who.grants();
    let villages = questions::villages_of(&state.site, &grants);
    if villages.is_empty() {
        return Err(WebError::Forbidden(
            "只有村务工作人员、村务监督委员会成员和乡镇审核人员可以查看村民质询 / no role that handles questions"
                .into(),
        ));
    }
    let show = if show == "all" { "all" } else { "waiting" };
    let states: &[QuestionState] = if show == "all" { &[] } else { &[QuestionState::Held, QuestionState::Open] };
    let now = Utc::now();
    let mut rows = vec![];
    for (village, answers) in villages {
        for q in state.site.store.village_questions(village, states).await? {
            rows.push(row(state, &q, answers, now));
        }
    }
    // Overdue first, then the nearest deadline.
    rows.sort_by_key(|r: &Row| (!r.overdue, r.state != QuestionState::Held && r.state != QuestionState::Open, r.id));
    if let Some(k) = kept
        && let Some(r) = rows.iter_mut().find(|r| r.id == k.id)
    {
        r.typed_reply = k.reply;
        r.typed_correction = k.correction;
        r.error = k.error;
    }
    let page = QuestionsPage {
        layout: layout(headers, "村民质询"),
        nav: nav(who, headers),
        show: show.into(),
        rows,
        reasons: HIDE_REASONS.iter().map(|r| (*r, hide_reason_label(r))).collect(),
    };
    render(state, headers, status, &page)
}

fn row(state: &AppState, q: &Question, can_act: bool, now: chrono::DateTime<Utc>) -> Row {
    let overdue = questions::overdue(q, now);
    let deadline = format_china(q.new.deadline_at);
    let clock = match (q.new.state, questions::days_left(q, now)) {
        (QuestionState::Answered | QuestionState::Hidden, _) => format!("期限 {deadline}"),
        (_, Some(days)) if !overdue => format!("还剩 {days} 天（截止 {deadline}）"),
        _ => format!("已逾期（截止 {deadline}）"),
    };
    Row {
        id: q.id,
        village: village_name(state, q.new.village),
        item: q.new.target_title.clone(),
        item_href: Target::from_stored(&q.new.target_kind, &q.new.target_ref)
            .map(|t| t.path(q.new.village))
            .unwrap_or_default(),
        asked: format_china(q.new.asked_at),
        asker: if q.new.household.is_some() { "已登录村民" } else { "匿名" },
        public_ok: q.new.public_ok,
        body: q.new.body.clone(),
        state: q.new.state,
        state_label: state_label(q.new.state),
        clock,
        overdue,
        escalated: q.escalated_at.is_some(),
        reply: q.reply.clone().unwrap_or_default(),
        replied: match (&q.replied_by, q.replied_at) {
            (Some(by), Some(at)) => format!("{by} · {}", format_china(at)),
            _ => String::new(),
        },
        correction: q.correction,
        hidden_reason: q.hidden_reason.as_deref().map(hide_reason_label).unwrap_or_default().to_owned(),
        can_act,
        typed_reply: String::new(),
        typed_correction: String::new(),
        error: String::new(),
    }
}

pub fn state_label(s: QuestionState) -> &'static str {
    match s {
        QuestionState::Held => "待审看（匿名）",
        QuestionState::Open => "待答复",
        QuestionState::Answered => "已答复",
        QuestionState::Hidden => "已隐藏",
    }
}

fn question_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    reply: String,
    #[serde(default)]
    correction: String,
}

pub async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Staff(who), f): CsrfForm<AnswerForm>,
) -> Result<Response, WebError> {
    let id = question_id(&id)?;
    let outcome = questions::answer(
        &state.site,
        &who.staff,
        &who.grants(),
        id,
        (&f.reply, &f.correction),
        &client_ip(&headers),
        Utc::now(),
    )
    .await;
    match outcome {
        Ok(()) => Ok(done(&headers, "/console/questions", "已答复。提问人可凭查询码查看答复。")),
        // A refused reply keeps what was typed, beside the question it was for.
        Err(yangguang_app::AppError::Field { message, .. }) => {
            let kept = Kept { id, reply: f.reply, correction: f.correction, error: message };
            page(&state, &headers, &who, "", Some(kept), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ModerateForm {
    /// `approve`, or `hide` with a reason category.
    action: String,
    #[serde(default)]
    reason: String,
}

pub async fn moderate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Staff(who), f): CsrfForm<ModerateForm>,
) -> Result<Response, WebError> {
    let id = question_id(&id)?;
    let hide = match f.action.as_str() {
        "approve" => None,
        "hide" => Some(f.reason.as_str()),
        _ => return Err(WebError::BadRequest("操作只能是通过或隐藏 / approve or hide".into())),
    };
    let ip = client_ip(&headers);
    questions::moderate(&state.site, &who.staff, &who.grants(), id, hide, &ip, Utc::now()).await?;
    let message = if hide.is_some() {
        "已隐藏，公开页面显示“已隐藏”和原因类别。"
    } else {
        "已通过，等待答复。"
    };
    Ok(done(&headers, "/console/questions", message))
}
