//! 监督举报, the public side: the form (`/tips`), the receipt shown once after sending, and the
//! status check by receipt code (`/tips/status`, the code sent in the body, never in a URL).
//! Nothing here is cached, logged with the sender's address, or tied to a cookie; a refused
//! form comes back with everything typed (files must be chosen again: they are never kept).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use yangguang_app::i18n::{Label, TipsTexts};
use yangguang_app::tips::{self, Submission, TipError};

use crate::AppState;
use crate::error::WebError;
use crate::pages::{Crumb, Layout};
use crate::prefs::Prefs;
use crate::session::{check_origin, client_ip, no_store};

pub fn routes() -> Router<AppState> {
    use axum::routing::get;
    Router::new()
        .route(
            "/tips",
            get(form_page).post(submit).layer(DefaultBodyLimit::max(
                yangguang_core::tip::MAX_FILES * yangguang_core::tip::MAX_FILE_BYTES + 1024 * 1024,
            )),
        )
        .route("/tips/status", get(status_page).post(check))
}

fn page(state: &AppState, status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // Nobody's report should show up in a referrer.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    state.security.apply(h);
    no_store(r)
}

fn layout(headers: &HeaderMap, path: &str, title: &str, intro: &str) -> Layout {
    let prefs = Prefs::from_headers(headers);
    let crumbs = vec![
        Crumb { label: prefs.lang.texts().site_name.into(), href: Some("/".into()) },
        Crumb { label: title.into(), href: None },
    ];
    Layout::new(&prefs, path, title.into(), intro.into(), crumbs)
}

fn texts(headers: &HeaderMap) -> &'static TipsTexts {
    Prefs::from_headers(headers).lang.tips()
}

#[derive(Template)]
#[template(path = "tips_form.html")]
struct FormPage {
    layout: Layout,
    t: &'static TipsTexts,
    open: bool,
    token: String,
    form: Submission,
    error: String,
    field: String,
}

fn render_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    form: Submission,
    error: &str,
    field: &str,
) -> Result<Response, WebError> {
    let t = texts(headers);
    let view = FormPage {
        layout: layout(headers, "/tips", t.title, t.intro),
        t,
        open: state.site.tips.public_key.is_some(),
        token: tips::guard::form_token(&state.site, Utc::now()),
        form,
        error: error.to_owned(),
        field: field.to_owned(),
    };
    Ok(page(state, status, view.render()?))
}

async fn form_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    render_form(&state, &headers, StatusCode::OK, Submission::default(), "", "")
}

#[derive(Template)]
#[template(path = "tips_receipt.html")]
struct ReceiptPage {
    layout: Layout,
    t: &'static TipsTexts,
    code: String,
}

async fn read_form(mut mp: Multipart) -> Result<(Submission, String), WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("表单无法读取，可能是附件太大 / unreadable form (files too large?): {e}"))
    };
    let mut s = Submission::default();
    let mut token = String::new();
    while let Some(f) = mp.next_field().await.map_err(bad)? {
        let name = f.name().unwrap_or("").to_owned();
        if name == "files" {
            let file_name = f.file_name().unwrap_or("").to_owned();
            let bytes = f.bytes().await.map_err(bad)?;
            if !file_name.is_empty() && !bytes.is_empty() {
                s.files.push((file_name, bytes.to_vec()));
            }
            continue;
        }
        let value = f.text().await.map_err(bad)?;
        match name.as_str() {
            "text" => s.text = value,
            "about" => s.about = value,
            "identity" => s.named = value == "named",
            "name" => s.name = value,
            "phone" => s.phone = value,
            "token" => token = value,
            _ => {}
        }
    }
    Ok((s, token))
}

async fn submit(State(state): State<AppState>, headers: HeaderMap, request: Request) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let mp = Multipart::from_request(request, &state).await.map_err(|e| WebError::BadRequest(e.body_text()))?;
    let (form, token) = read_form(mp).await?;
    // What is typed goes back into the form if anything is refused; files cannot.
    let kept = Submission { files: vec![], ..form.clone() };
    match tips::submit(&state.site, &token, form, &client_ip(&headers), Utc::now()).await {
        Ok(code) => {
            let t = texts(&headers);
            let view = ReceiptPage { layout: layout(&headers, "/tips", t.receipt_title, t.receipt_intro), t, code };
            Ok(page(&state, StatusCode::OK, view.render()?))
        }
        Err(TipError::App(e)) => Err(e.into()),
        Err(e) => {
            let (status, field) = match &e {
                TipError::Field { field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *field),
                TipError::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, ""),
                TipError::Closed => (StatusCode::SERVICE_UNAVAILABLE, ""),
                _ => (StatusCode::CONFLICT, ""),
            };
            let message = yangguang_app::i18n::pick(&e.to_string(), Prefs::from_headers(&headers).lang).to_owned();
            render_form(&state, &headers, status, kept, &message, field)
        }
    }
}

#[derive(Template)]
#[template(path = "tips_status.html")]
struct StatusPage {
    layout: Layout,
    t: &'static TipsTexts,
    code: String,
    error: String,
    found: Option<Found>,
}

struct Found {
    state: &'static str,
    received: String,
    replies: Vec<(String, String)>,
}

fn beijing(at: DateTime<Utc>) -> String {
    at.with_timezone(&yangguang_core::time::china()).format("%Y-%m-%d %H:%M").to_string()
}

fn render_status(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    code: &str,
    error: &str,
    found: Option<Found>,
) -> Result<Response, WebError> {
    let t = texts(headers);
    let view = StatusPage {
        layout: layout(headers, "/tips/status", t.status_title, t.status_intro),
        t,
        code: code.to_owned(),
        error: error.to_owned(),
        found,
    };
    Ok(page(state, status, view.render()?))
}

async fn status_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    render_status(&state, &headers, StatusCode::OK, "", "", None)
}

#[derive(serde::Deserialize)]
struct CodeForm {
    code: String,
}

async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<CodeForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    let lang = Prefs::from_headers(&headers).lang;
    match tips::check_receipt(&state.site, &f.code, &client_ip(&headers), Utc::now()).await {
        Ok(Some(r)) => {
            let found = Found {
                state: r.status.label(lang),
                received: beijing(r.received_at),
                replies: r.replies.into_iter().map(|(at, text)| (beijing(at), text)).collect(),
            };
            render_status(&state, &headers, StatusCode::OK, &f.code, "", Some(found))
        }
        Ok(None) => render_status(&state, &headers, StatusCode::NOT_FOUND, &f.code, lang.tips().not_found, None),
        Err(TipError::App(e)) => Err(e.into()),
        Err(e) => {
            let status = if matches!(e, TipError::TooMany(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render_status(&state, &headers, status, &f.code, yangguang_app::i18n::pick(&e.to_string(), lang), None)
        }
    }
}
