//! The discipline commission's reports (`/console/tips`): the list of sealed reports, unlocking
//! the commission's key for this session (its key file, uploaded or pasted, and passphrase),
//! reading a report and its files, setting its state and replying. Only discipline-commission
//! staff get past the role check; every access is audited by `app::tips`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use yangguang_app::auth::SignedIn;
use yangguang_app::i18n::{Label, TipsTexts};
use yangguang_app::tips::{self, Report, TipError};
use yangguang_core::tip::{ALL_TIP_STATUSES, TipStatus};

use super::drafting::CsrfMultipart;
use super::{Nav, done, layout, nav, render};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::prefs::Prefs;
use crate::session::{CsrfForm, NoFields, Staff, client_ip, no_store};

fn web_error(e: TipError, lang: yangguang_app::i18n::Lang) -> WebError {
    match e {
        TipError::App(e) => e.into(),
        TipError::Field { field, message } => {
            WebError::Invalid(crate::error::Refusal::new(yangguang_app::i18n::pick(&message, lang)).field(field))
        }
        other => WebError::invalid(yangguang_app::i18n::pick(&other.to_string(), lang).to_owned()),
    }
}

fn beijing(at: DateTime<Utc>) -> String {
    at.with_timezone(&yangguang_core::time::china()).format("%Y-%m-%d %H:%M").to_string()
}

fn forbidden_unless_commission(who: &SignedIn) -> Result<(), WebError> {
    if tips::may_read(&who.grants()) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "只有县纪委监委工作人员可以查看监督举报 / only the discipline commission may read reports".into(),
        ))
    }
}

struct Row {
    id: i64,
    received: String,
    state: &'static str,
    is_new: bool,
    files: i64,
    summary: Option<String>,
}

#[derive(Template)]
#[template(path = "console/tips.html")]
struct ListPage {
    layout: Layout,
    nav: Nav,
    t: &'static TipsTexts,
    configured: bool,
    unlocked: bool,
    rows: Vec<Row>,
    error: String,
}

fn summary(r: &Report) -> String {
    let first: String = r.text.chars().take(60).collect();
    let more = if r.text.chars().count() > 60 { "…" } else { "" };
    if r.about.is_empty() { format!("{first}{more}") } else { format!("【{}】{first}{more}", r.about) }
}

async fn list_view(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    status: StatusCode,
    error: String,
) -> Result<Response, WebError> {
    let lang = Prefs::from_headers(headers).lang;
    forbidden_unless_commission(who)?;
    let now = Utc::now();
    let listed = tips::list(&state.site, who, &client_ip(headers), now).await.map_err(|e| web_error(e, lang))?;
    let unlocked = tips::is_unlocked(&state.site, who, now).await;
    let rows = listed
        .into_iter()
        .map(|l| Row {
            id: l.tip.id,
            received: beijing(l.tip.received_at),
            state: l.tip.status.label(lang),
            is_new: l.tip.status == TipStatus::New,
            files: l.tip.attachments,
            summary: l.report.as_ref().map(summary),
        })
        .collect();
    let t = lang.tips();
    let page = ListPage {
        layout: layout(headers, t.title),
        nav: nav(who, headers),
        t,
        configured: state.site.tips.public_key.is_some(),
        unlocked,
        rows,
        error,
    };
    render(state, headers, status, &page)
}

pub async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    list_view(&state, &headers, &who, StatusCode::OK, String::new()).await
}

/// Unlocks with the key file (uploaded, or its text pasted) and the passphrase.
pub async fn unlock(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), mut form): CsrfMultipart,
) -> Result<Response, WebError> {
    forbidden_unless_commission(&who)?;
    let lang = Prefs::from_headers(&headers).lang;
    let uploaded = std::mem::take(&mut form.files).into_iter().next().map(|(_, bytes)| bytes);
    let key_file = match uploaded {
        Some(bytes) => String::from_utf8(bytes).unwrap_or_default(),
        None => form.get("key_text").to_owned(),
    };
    match tips::unlock(&state.site, &who, &key_file, form.get("passphrase"), &client_ip(&headers)).await {
        Ok(()) => Ok(done(&headers, "/console/tips", lang.tips().unlocked_ok)),
        Err(TipError::App(e)) => Err(e.into()),
        Err(e) => {
            let message = yangguang_app::i18n::pick(&e.to_string(), lang).to_owned();
            list_view(&state, &headers, &who, StatusCode::UNPROCESSABLE_ENTITY, message).await
        }
    }
}

pub async fn lock(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, WebError> {
    forbidden_unless_commission(&who)?;
    if tips::lock(&state.site, &who.session.token_hash) {
        yangguang_app::auth::audit(
            &state.site,
            Some(&who.staff),
            &client_ip(&headers),
            "tips.lock",
            "-",
            "锁定纪委私钥",
        )
        .await;
    }
    Ok(done(&headers, "/console/tips", Prefs::from_headers(&headers).lang.tips().locked_ok))
}

#[derive(Template)]
#[template(path = "console/tip.html")]
struct DetailPage {
    layout: Layout,
    nav: Nav,
    t: &'static TipsTexts,
    id: i64,
    received: String,
    sent: String,
    status: TipStatus,
    statuses: Vec<(&'static str, &'static str)>,
    report: Report,
    replies: Vec<(String, String)>,
}

pub async fn detail(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    forbidden_unless_commission(&who)?;
    let lang = Prefs::from_headers(&headers).lang;
    let opened = match tips::read(&state.site, &who, id, &client_ip(&headers), Utc::now()).await {
        Ok(o) => o,
        Err(TipError::Locked) => {
            let message = yangguang_app::i18n::pick(&TipError::Locked.to_string(), lang).to_owned();
            return list_view(&state, &headers, &who, StatusCode::FORBIDDEN, message).await;
        }
        Err(e) => return Err(web_error(e, lang)),
    };
    let t = lang.tips();
    let page = DetailPage {
        layout: layout(&headers, &format!("{} #{id}", t.title)),
        nav: nav(&who, &headers),
        t,
        id,
        received: beijing(opened.tip.received_at),
        sent: beijing(opened.report.sent_at),
        status: opened.tip.status,
        statuses: ALL_TIP_STATUSES.iter().map(|s| (s.as_str(), s.label(lang))).collect(),
        report: opened.report,
        replies: opened.replies.into_iter().map(|(at, text)| (beijing(at), text)).collect(),
    };
    render(&state, &headers, StatusCode::OK, &page)
}

/// A report's file, opened: always downloaded, never rendered by the browser.
pub async fn attachment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
    Path((id, position)): Path<(i64, usize)>,
) -> Result<Response, WebError> {
    forbidden_unless_commission(&who)?;
    let lang = Prefs::from_headers(&headers).lang;
    let (info, bytes) = tips::attachment(&state.site, &who, id, position, &client_ip(&headers), Utc::now())
        .await
        .map_err(|e| web_error(e, lang))?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&info.media_type).map_err(|e| WebError::Internal(e.to_string()))?,
    );
    let encoded: String = form_urlencoded::byte_serialize(info.name.as_bytes()).collect();
    let disposition = format!("attachment; filename=\"tip-{id}-{}\"; filename*=UTF-8''{encoded}", position + 1);
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|e| WebError::Internal(e.to_string()))?,
    );
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    Ok(no_store(r))
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    CsrfForm(Staff(who), f): CsrfForm<StatusForm>,
) -> Result<Response, WebError> {
    forbidden_unless_commission(&who)?;
    let lang = Prefs::from_headers(&headers).lang;
    tips::set_status(&state.site, &who, id, &f.status, &client_ip(&headers), Utc::now())
        .await
        .map_err(|e| web_error(e, lang))?;
    Ok(done(&headers, &format!("/console/tips/{id}"), lang.tips().status_ok))
}

#[derive(Deserialize)]
pub struct ReplyForm {
    reply: String,
}

pub async fn reply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    CsrfForm(Staff(who), f): CsrfForm<ReplyForm>,
) -> Result<Response, WebError> {
    forbidden_unless_commission(&who)?;
    let lang = Prefs::from_headers(&headers).lang;
    tips::reply(&state.site, &who, id, &f.reply, &client_ip(&headers), Utc::now())
        .await
        .map_err(|e| web_error(e, lang))?;
    Ok(done(&headers, &format!("/console/tips/{id}"), lang.tips().replied_ok))
}
