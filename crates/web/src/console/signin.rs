//! Signing in and out, and the account page: the first-login password change and setting up
//! the second factor (TOTP).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use yangguang_app::AppError;
use yangguang_app::auth::{self, LoginError, SignedIn};
use yangguang_app::i18n::Label;

use super::{FLASH_COOKIE, Nav, done, layout, nav, render};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{
    CsrfForm, NoFields, SESSION_COOKIE, StaffInSetup, check_csrf, client_ip, cookie_value, no_store, set_cookie,
    signed_in,
};

/// Login CSRF: a random value in this cookie and in the login form must match (double submit).
const LOGIN_CSRF_COOKIE: &str = "yg_login_csrf";

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    next: String,
    username: String,
    error: String,
    notice: String,
}

fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    username: &str,
    error: &str,
    notice: &str,
) -> Result<Response, WebError> {
    let csrf = auth::random_token();
    let page = LoginPage {
        layout: layout(headers, "登录"),
        csrf: csrf.clone(),
        next: "/console".into(),
        username: username.into(),
        error: error.into(),
        notice: notice.into(),
    };
    let mut r = render(state, headers, status, &page)?;
    r.headers_mut().append(header::SET_COOKIE, set_cookie(headers, LOGIN_CSRF_COOKIE, &csrf, 3600, "/console"));
    Ok(r)
}

pub async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/console").into_response());
    }
    let notice =
        if cookie_value(&headers, FLASH_COOKIE).is_some() { "密码已修改，请用新密码登录。" } else { "" };
    login_form(&state, &headers, StatusCode::OK, "", "", notice)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    username: String,
    password: String,
    totp: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    // No session yet: the token to match is the login CSRF cookie's.
    check_csrf(&headers, cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or(""), f.csrf.as_deref())?;
    let ip = client_ip(&headers);
    match auth::login(&state.site, f.username.trim(), &f.password, f.totp.as_deref(), &ip, Utc::now()).await {
        Ok((token, who)) => {
            let to =
                if who.staff.must_change_password || who.needs_totp_setup() { "/console/account" } else { "/console" };
            let mut r = Redirect::to(to).into_response();
            let max_age = auth::SESSION_HOURS * 3600;
            r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, &token, max_age, "/"));
            Ok(no_store(r))
        }
        Err(e) => {
            let status = match e {
                LoginError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
                LoginError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNAUTHORIZED,
            };
            login_form(&state, &headers, status, &f.username, &e.to_string(), "")
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(StaffInSetup(who), NoFields {}): CsrfForm<NoFields, StaffInSetup>,
) -> Result<Response, WebError> {
    auth::logout(&state.site, &who, &client_ip(&headers)).await?;
    let mut r = Redirect::to("/console/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, "", 0, "/"));
    Ok(no_store(r))
}

// ───────────────────────── account ─────────────────────────

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    layout: Layout,
    nav: Nav,
    error: String,
    must_change: bool,
    roles: String,
    totp_enabled: bool,
    totp_required: bool,
    totp_secret: String,
    totp_url: String,
}

fn account_view(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    error: &str,
    status: StatusCode,
) -> Result<Response, WebError> {
    let secret = auth::new_totp_secret();
    let regions = state.site.regions();
    let page = AccountPage {
        layout: layout(headers, "我的账号"),
        nav: nav(who, headers),
        error: error.into(),
        must_change: who.staff.must_change_password,
        roles: who
            .staff
            .grants
            .iter()
            .map(|g| {
                format!("{}（{}）", g.role.zh(), regions.get(g.region).map_or(g.region.to_string(), |r| r.name.clone()))
            })
            .collect::<Vec<_>>()
            .join("、"),
        totp_enabled: who.staff.totp_secret.is_some(),
        totp_required: who.needs_totp_setup(),
        totp_url: auth::totp_url(&secret, &who.staff.username).unwrap_or_default(),
        totp_secret: secret,
    };
    render(state, headers, status, &page)
}

pub async fn account_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    StaffInSetup(who): StaffInSetup,
) -> Result<Response, WebError> {
    account_view(&state, &headers, &who, "", StatusCode::OK)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(StaffInSetup(who), f): CsrfForm<PasswordForm, StaffInSetup>,
) -> Result<Response, WebError> {
    match auth::change_password(&state.site, &who, &f.current, &f.new, &client_ip(&headers)).await {
        // Every session ends with the old password, this one too: log in again.
        Ok(()) => {
            let mut r = Redirect::to("/console/login").into_response();
            r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, FLASH_COOKIE, "1", 30, "/console"));
            Ok(no_store(r))
        }
        Err(AppError::Invalid(m)) => account_view(&state, &headers, &who, &m, StatusCode::BAD_REQUEST),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct TotpForm {
    secret: String,
    code: String,
}

pub async fn enable_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(StaffInSetup(who), f): CsrfForm<TotpForm, StaffInSetup>,
) -> Result<Response, WebError> {
    match auth::enable_totp(&state.site, &who, f.secret.trim(), &f.code, &client_ip(&headers)).await {
        Ok(()) => Ok(done(&headers, "/console", "两步验证已开启，以后登录需要输入动态验证码。")),
        Err(AppError::Invalid(m)) => account_view(&state, &headers, &who, &m, StatusCode::BAD_REQUEST),
        Err(e) => Err(e.into()),
    }
}
