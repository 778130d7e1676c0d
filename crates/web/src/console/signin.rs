//! Signing in and out, the first-login set-up and the account page.
//!
//! First login is one flow: the one-time password logs in, `/console/setup` asks for a new
//! password (twice) and, where the role needs a second factor, then shows its QR code (an SVG
//! made here) and takes the first code; then the console. Until the set-up is complete every
//! other console page redirects to its current step (`session::StaffRejection::SetUpAccount`).
//! The password change rotates the session: a new cookie, the old session revoked.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use yangguang_app::auth::{self, CredentialError, LoginError, SignedIn};
use yangguang_app::i18n::{AccountTexts, Label};

use super::{Nav, done, layout, nav, render};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::prefs::Prefs;
use crate::session::{
    CsrfForm, NoFields, SESSION_COOKIE, Staff, StaffInSetup, check_csrf, client_ip, cookie_value, no_store, set_cookie,
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
}

fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    username: &str,
    error: &str,
) -> Result<Response, WebError> {
    let csrf = auth::random_token();
    let page = LoginPage {
        layout: layout(headers, "登录"),
        csrf: csrf.clone(),
        next: "/console".into(),
        username: username.into(),
        error: yangguang_app::i18n::pick(error, Prefs::from_headers(headers).lang).into(),
    };
    let mut r = render(state, headers, status, &page)?;
    r.headers_mut().append(header::SET_COOKIE, set_cookie(headers, LOGIN_CSRF_COOKIE, &csrf, 3600, "/console"));
    Ok(r)
}

pub async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/console").into_response());
    }
    login_form(&state, &headers, StatusCode::OK, "", "")
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
            let to = if setup_step(&who).is_some() { SETUP_PATH } else { "/console" };
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
            login_form(&state, &headers, status, &f.username, &e.to_string())
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(StaffInSetup(who), NoFields {}): CsrfForm<NoFields, StaffInSetup>,
) -> Result<Response, WebError> {
    auth::logout(&state.site, &who, &client_ip(&headers)).await?;
    // The commission's key, if this session unlocked it, goes with the session.
    yangguang_app::tips::lock(&state.site, &who.session.token_hash);
    let mut r = Redirect::to("/console/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, "", 0, "/"));
    Ok(no_store(r))
}

// ───────────────────────── first-login set-up ─────────────────────────

/// Where the first-login set-up lives; every console page redirects here until it is done.
pub const SETUP_PATH: &str = "/console/setup";

/// The step of the first-login set-up a staff member is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupStep {
    /// Logged in with a one-time password: choose a new one.
    Password,
    /// The role needs a second factor and none is set up.
    Totp,
}

/// The step this staff member must take before the console opens, if any.
pub fn setup_step(who: &SignedIn) -> Option<SetupStep> {
    if who.staff.must_change_password {
        Some(SetupStep::Password)
    } else if who.needs_totp_setup() {
        Some(SetupStep::Totp)
    } else {
        None
    }
}

/// One entry of the list of set-up steps.
struct StepItem {
    label: &'static str,
    done: bool,
    current: bool,
}

/// The second factor being set up, as the page shows it.
struct TotpSetup {
    /// The `otpauth://` URI as a QR code, an inline SVG made here.
    qr_svg: String,
    /// The same URI, for a link that opens the authenticator app on this phone.
    url: String,
    /// The key in groups of four, for typing it in.
    key: String,
    /// Where the first code is posted.
    action: &'static str,
    button: &'static str,
    /// Why the last code was refused.
    error: String,
}

/// A form field that was refused, and why.
#[derive(Default)]
struct FieldError {
    field: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "console/setup.html")]
struct SetupPage {
    layout: Layout,
    nav: Nav,
    a: &'static AccountTexts,
    username: String,
    steps: Vec<StepItem>,
    /// The new password as typed, kept when only its confirmation was wrong.
    new_value: String,
    error: FieldError,
    totp: Option<TotpSetup>,
}

fn account_texts(headers: &HeaderMap) -> &'static AccountTexts {
    Prefs::from_headers(headers).lang.account()
}

/// The pending second factor of this account, ready to show.
async fn totp_setup(
    state: &AppState,
    who: &SignedIn,
    a: &'static AccountTexts,
    action: &'static str,
    button: &'static str,
    error: String,
) -> Result<TotpSetup, WebError> {
    let secret = auth::pending_totp_secret(&state.site, &who.staff, Utc::now()).await?;
    let url = auth::totp_url(&secret, &who.staff.username)
        .ok_or_else(|| WebError::Internal("a fresh TOTP secret makes no URI".into()))?;
    let key = secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>();
    Ok(TotpSetup { qr_svg: crate::qr::qr_svg(&url, a.qr_label)?, url, key: key.join(" "), action, button, error })
}

async fn setup_view(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    step: SetupStep,
    status: StatusCode,
    error: FieldError,
    new_value: String,
) -> Result<Response, WebError> {
    let a = account_texts(headers);
    let mut layout = layout(headers, a.setup_title);
    // Nothing else of the console opens yet: no way there to offer.
    layout.crumbs.clear();
    let steps = match step {
        SetupStep::Password => {
            let mut steps = vec![StepItem { label: a.step_password, done: false, current: true }];
            if who.needs_totp_setup() {
                steps.push(StepItem { label: a.step_totp, done: false, current: false });
            }
            steps
        }
        SetupStep::Totp => vec![
            StepItem { label: a.step_password, done: true, current: false },
            StepItem { label: a.step_totp, done: false, current: true },
        ],
    };
    let totp = match step {
        SetupStep::Password => None,
        SetupStep::Totp => {
            let message = if error.field == "code" { error.message.clone() } else { String::new() };
            Some(totp_setup(state, who, a, "/console/setup/totp", a.enable_and_enter, message).await?)
        }
    };
    let page = SetupPage {
        layout,
        nav: nav(who, headers),
        a,
        username: who.staff.username.clone(),
        steps,
        new_value,
        error,
        totp,
    };
    render(state, headers, status, &page)
}

pub async fn setup_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    StaffInSetup(who): StaffInSetup,
) -> Result<Response, WebError> {
    match setup_step(&who) {
        None => Ok(no_store(Redirect::to("/console").into_response())),
        Some(step) => {
            setup_view(&state, &headers, &who, step, StatusCode::OK, FieldError::default(), String::new()).await
        }
    }
}

/// How a refused password or code answers: the field and words for the page, or the error
/// to answer with when it was not the person's input that failed.
fn refusal(e: CredentialError, a: &AccountTexts, first: bool) -> Result<(StatusCode, FieldError), WebError> {
    if let CredentialError::App(e) = e {
        return Err(e.into());
    }
    let status = match e {
        CredentialError::AlreadyEnabled => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let message = a.refusal(&e, first).unwrap_or_default();
    Ok((status, FieldError { field: e.field().unwrap_or(""), message: message.into() }))
}

/// The cookie of a rotated session, living as long as the session it replaced would have.
fn session_cookie(headers: &HeaderMap, token: &str, who: &SignedIn) -> axum::http::HeaderValue {
    let max_age = (who.session.expires_at - Utc::now()).num_seconds().max(0);
    set_cookie(headers, SESSION_COOKIE, token, max_age, "/")
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn setup_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(StaffInSetup(who), f): CsrfForm<NewPasswordForm, StaffInSetup>,
) -> Result<Response, WebError> {
    if setup_step(&who) != Some(SetupStep::Password) {
        return Ok(no_store(Redirect::to(SETUP_PATH).into_response()));
    }
    let a = account_texts(&headers);
    match auth::set_password(&state.site, &who, None, &f.new, &f.confirm, &client_ip(&headers)).await {
        Ok((token, now)) => {
            let mut r = match setup_step(&now) {
                Some(_) => done(&headers, SETUP_PATH, a.done_password_next),
                None => done(&headers, "/console", a.done_password),
            };
            r.headers_mut().append(header::SET_COOKIE, session_cookie(&headers, &token, &now));
            Ok(r)
        }
        Err(e) => {
            let (status, error) = refusal(e, a, true)?;
            // Only the confirmation was wrong: the new password stays as typed.
            let kept = if error.field == "confirm" { f.new } else { String::new() };
            setup_view(&state, &headers, &who, SetupStep::Password, status, error, kept).await
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn setup_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(StaffInSetup(who), f): CsrfForm<CodeForm, StaffInSetup>,
) -> Result<Response, WebError> {
    if setup_step(&who) != Some(SetupStep::Totp) {
        return Ok(no_store(Redirect::to(SETUP_PATH).into_response()));
    }
    let a = account_texts(&headers);
    match auth::enable_totp(&state.site, &who, &f.code, &client_ip(&headers)).await {
        Ok(()) => Ok(done(&headers, "/console", a.done_totp)),
        Err(e) => {
            let (status, error) = refusal(e, a, true)?;
            setup_view(&state, &headers, &who, SetupStep::Totp, status, error, String::new()).await
        }
    }
}

// ───────────────────────── account ─────────────────────────

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    layout: Layout,
    nav: Nav,
    a: &'static AccountTexts,
    username: String,
    error: FieldError,
    roles: String,
    totp_enabled: bool,
    totp: Option<TotpSetup>,
    /// The number on file, or as typed when it was refused.
    phone: String,
}

async fn account_view(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    error: FieldError,
    status: StatusCode,
) -> Result<Response, WebError> {
    let phone = who.staff.phone.clone().unwrap_or_default();
    account_view_with(state, headers, who, error, status, phone).await
}

async fn account_view_with(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    error: FieldError,
    status: StatusCode,
    phone: String,
) -> Result<Response, WebError> {
    let a = account_texts(headers);
    let regions = state.site.regions();
    let totp = match who.staff.totp_secret {
        Some(_) => None,
        None => {
            let message = if error.field == "code" { error.message.clone() } else { String::new() };
            Some(totp_setup(state, who, a, "/console/account/totp", a.enable, message).await?)
        }
    };
    let page = AccountPage {
        layout: layout(headers, a.account_title),
        nav: nav(who, headers),
        a,
        username: who.staff.username.clone(),
        error,
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
        totp,
        phone,
    };
    render(state, headers, status, &page)
}

pub async fn account_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    account_view(&state, &headers, &who, FieldError::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<PasswordForm>,
) -> Result<Response, WebError> {
    let a = account_texts(&headers);
    match auth::set_password(&state.site, &who, Some(&f.current), &f.new, &f.confirm, &client_ip(&headers)).await {
        // Every other session ends with the old password; this one goes on under a new token.
        Ok((token, now)) => {
            let mut r = done(&headers, "/console/account", a.password_changed);
            r.headers_mut().append(header::SET_COOKIE, session_cookie(&headers, &token, &now));
            Ok(r)
        }
        Err(e) => {
            let (status, error) = refusal(e, a, false)?;
            account_view(&state, &headers, &who, error, status).await
        }
    }
}

pub async fn enable_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<CodeForm>,
) -> Result<Response, WebError> {
    let a = account_texts(&headers);
    match auth::enable_totp(&state.site, &who, &f.code, &client_ip(&headers)).await {
        Ok(()) => Ok(done(&headers, "/console/account", a.totp_enabled)),
        Err(e) => {
            let (status, error) = refusal(e, a, false)?;
            account_view(&state, &headers, &who, error, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
}

/// The staff member's own number for the daily digest of work waiting for them.
pub async fn set_phone(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<PhoneForm>,
) -> Result<Response, WebError> {
    let lang = Prefs::from_headers(&headers).lang;
    let words = lang.console();
    match yangguang_app::notify::set_phone(&state.site, &who.staff, who.staff.id, &f.phone, &client_ip(&headers)).await
    {
        Ok(Some(_)) => Ok(done(&headers, "/console/account", words.phone_saved)),
        Ok(None) => Ok(done(&headers, "/console/account", words.phone_removed)),
        Err(yangguang_app::AppError::Field { field, message }) => {
            let error = FieldError { field, message: yangguang_app::i18n::pick(&message, lang).to_owned() };
            account_view_with(&state, &headers, &who, error, StatusCode::UNPROCESSABLE_ENTITY, f.phone).await
        }
        Err(e) => Err(e.into()),
    }
}
