//! What a request says about who sent it: cookies, the client's address, the Origin check,
//! CSRF tokens, and the staff session as axum extractors. The staff console and the
//! villagers' login pages both use these; there is one copy of each.

use axum::Form;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, RawForm, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use yangguang_app::auth::{self, SignedIn};

use crate::AppState;
use crate::error::WebError;

/// The staff session's cookie (the villagers' is `villager::VILLAGER_COOKIE`).
pub const SESSION_COOKIE: &str = "yg_session";

// ───────────────────────── cookies and headers ─────────────────────────

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address as `crate::client_address` established it (never a header the
/// client chose).
pub fn client_ip(headers: &HeaderMap) -> String {
    headers.get(crate::CLIENT_IP_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("local").to_owned()
}

fn secure(headers: &HeaderMap) -> &'static str {
    if headers.get("x-forwarded-proto").is_some_and(|v| v == "https") { "; Secure" } else { "" }
}

pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64, path: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        secure(headers)
    ))
    .expect("ASCII cookie")
}

pub fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

// ───────────────────────── forged requests ─────────────────────────

/// Refuses a form another site sent (its browser says so in `Origin`).
pub fn check_origin(headers: &HeaderMap) -> Result<(), WebError> {
    if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or("");
        let host = host.to_str().unwrap_or("");
        let same = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host);
        if !same {
            return Err(WebError::Forbidden("请求来自其他网站，已拒绝 / cross-site request refused".into()));
        }
    }
    Ok(())
}

/// Refuses a form whose CSRF token is missing or wrong, or that another site sent.
pub fn check_csrf(headers: &HeaderMap, expected: &str, given: Option<&str>) -> Result<(), WebError> {
    check_origin(headers)?;
    match given {
        Some(g) if !expected.is_empty() && same_secret(g, expected) => Ok(()),
        _ => Err(WebError::Forbidden(
            "表单已过期或来源不明（CSRF 校验失败），请返回重新打开页面后再提交 / the form's CSRF token is missing or wrong".into(),
        )),
    }
}

// ───────────────────────── staff sessions ─────────────────────────

/// The staff member whose session cookie this request carries, if it is live.
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<SignedIn>, WebError> {
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else { return Ok(None) };
    Ok(auth::signed_in(&state.site, token, Utc::now()).await?)
}

/// Why a console request cannot go ahead as this staff member.
pub enum StaffRejection {
    /// No live session: to the login page.
    LogIn,
    /// The password must be changed or a second factor set up first: to the first-login
    /// set-up's current step.
    SetUpAccount,
    /// The session could not be read, or the staff member may not do this.
    Refused(WebError),
}

impl IntoResponse for StaffRejection {
    fn into_response(self) -> Response {
        match self {
            Self::LogIn => Redirect::to("/console/login").into_response(),
            Self::SetUpAccount => Redirect::to("/console/setup").into_response(),
            Self::Refused(e) => e.into_response(),
        }
    }
}

impl From<WebError> for StaffRejection {
    fn from(e: WebError) -> Self {
        Self::Refused(e)
    }
}

/// A live session; unless `allow_setup`, staff who must change their password or set up a
/// second factor are sent to the first-login set-up until they have.
pub async fn staff_session(
    state: &AppState,
    headers: &HeaderMap,
    allow_setup: bool,
) -> Result<SignedIn, StaffRejection> {
    match signed_in(state, headers).await? {
        None => Err(StaffRejection::LogIn),
        Some(who) if !allow_setup && (who.staff.must_change_password || who.needs_totp_setup()) => {
            Err(StaffRejection::SetUpAccount)
        }
        Some(who) => Ok(who),
    }
}

/// Whether a request is for a page: a browser's navigation accepts `text/html`; its image and
/// script fetches do not. A client that says nothing is taken to want the page.
fn wants_page(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_none_or(|a| a.contains("text/html") || a == "*/*")
}

/// A signed-in staff member with their account set up: the console's pages take this.
pub struct Staff(pub SignedIn);

/// A signed-in staff member who may still have to change their password or set up a second
/// factor: only the first-login set-up and logout take this.
pub struct StaffInSetup(pub SignedIn);

/// The extractors that stand for a signed-in staff member, so that a CSRF-checked form
/// knows whose token to expect.
pub trait SignedInStaff: FromRequestParts<AppState, Rejection = StaffRejection> + Send {
    fn signed_in(&self) -> &SignedIn;
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = StaffRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let mut who = staff_session(state, &parts.headers, false).await?;
        // The navigation's counts, for pages only: a POST answers with a redirect to one, and
        // the scans and thumbnails a page shows (images, `Accept: image/*`) have no navigation.
        if parts.method == axum::http::Method::GET && wants_page(&parts.headers) {
            match yangguang_app::notify::badges(&state.site, &who.grants()).await {
                Ok(badges) => who.badges = badges,
                // A page without its counts beats no page.
                Err(e) => tracing::warn!(error = %e, "could not count the work waiting"),
            }
        }
        Ok(Self(who))
    }
}

impl SignedInStaff for Staff {
    fn signed_in(&self) -> &SignedIn {
        &self.0
    }
}

impl FromRequestParts<AppState> for StaffInSetup {
    type Rejection = StaffRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(staff_session(state, &parts.headers, true).await?))
    }
}

impl SignedInStaff for StaffInSetup {
    fn signed_in(&self) -> &SignedIn {
        &self.0
    }
}

/// Compares two tokens in time that depends on their length only, so a guesser learns nothing
/// from how long a wrong token took to refuse.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A form that could not be read (a field missing or of the wrong kind, not a form at all),
/// refused in words a clerk can act on, with the parser's own words after them.
pub fn form_refused(cause: &str) -> Response {
    WebError::BadRequest(format!(
        "表单内容不完整或格式不对，请返回上一页检查后再提交 / the form is incomplete or malformed: {cause}"
    ))
    .into_response()
}

/// A urlencoded form from a signed-in staff member (`S`, a `Staff` unless said otherwise),
/// whose `csrf` field matches the session's token and whose Origin, when sent, is this site.
/// The form is read first, then the session, then the token — a form that cannot be read
/// is refused as such whoever sent it.
pub struct CsrfForm<T, S = Staff>(pub S, pub T);

/// A form with no fields but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

impl<T, S> FromRequest<AppState> for CsrfForm<T, S>
where
    T: DeserializeOwned + Send,
    S: SignedInStaff,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let RawForm(bytes) = RawForm::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|e| form_refused(&e.body_text()))?;
        // `Form` reads the same bytes twice: for the token (first, so that a repeated `csrf`
        // field is the problem reported, as when it was one of `T`'s fields), then as `T`.
        let again = |bytes: Bytes| Request::from_parts(parts.clone(), Body::from(bytes));
        let Form(CsrfField { csrf }) = Form::<CsrfField>::from_request(again(bytes.clone()), state)
            .await
            .map_err(|e| form_refused(&e.body_text()))?;
        let Form(form) =
            Form::<T>::from_request(again(bytes), state).await.map_err(|e| form_refused(&e.body_text()))?;
        let staff = S::from_request_parts(&mut parts, state).await.map_err(|e| e.into_response())?;
        check_csrf(&parts.headers, &staff.signed_in().session.csrf_token, csrf.as_deref())
            .map_err(|e| e.into_response())?;
        Ok(Self(staff, form))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_told_from_the_images_they_show() {
        let with = |accept: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
            wants_page(&h)
        };
        assert!(with("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), "a navigation");
        assert!(!with("image/avif,image/webp,image/apng,image/*,*/*;q=0.8"), "an <img>");
        assert!(with("*/*"));
        assert!(wants_page(&HeaderMap::new()), "a client that says nothing");
    }
}
