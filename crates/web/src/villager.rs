//! `/my`: villagers log in with a phone number and a texted code and see their own
//! household's three rights and credit line; `/v/{code}/h/{number}` is a household's page,
//! open to that household and to staff who serve the village (every staff read audited).
//! Nothing here is cached: every page is the reader's own.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router};
use chrono::Utc;
use serde::Deserialize;
use yangguang_app::villagers::{self, LoginError};
use yangguang_core::household::{Household, from_hundredths};

use crate::AppState;
use crate::error::WebError;
use crate::i18n::{Texts, VillagerTexts};
use crate::pages::village::find_village;
use crate::pages::{Crumb, Layout};
use crate::prefs::Prefs;
use crate::session::{check_origin, client_ip, cookie_value, no_store, set_cookie, signed_in};

pub const VILLAGER_COOKIE: &str = "yg_villager";

pub fn routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/my", get(my))
        .route("/my/code", post(send_code))
        .route("/my/verify", post(verify))
        .route("/my/logout", post(logout))
        .route("/v/{code}/h/{number}", get(household_page))
}

fn page(state: &AppState, status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    state.security.apply(h);
    no_store(r)
}

#[derive(Template)]
#[template(path = "my_login.html")]
struct LoginPage {
    layout: Layout,
    phone: String,
    code_step: bool,
    message: String,
    /// The refusal, in the reader's language, and the field it is about (`phone` or `code`).
    error: String,
    field: &'static str,
    /// Whom to ask when no code comes: shown on the code step for every number alike.
    help: String,
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    phone: &str,
    code_step: bool,
    error: Option<(&LoginError, &'static str)>,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(headers);
    let t = prefs.lang.texts();
    let v = prefs.lang.villager();
    let village = prefs.last_village.and_then(|c| state.site.regions().get(c).map(|r| r.name.clone()));
    let field = error.map_or("", |(_, field)| field);
    let error =
        error.map(|(e, _)| yangguang_app::i18n::pick(&e.to_string(), prefs.lang).to_owned()).unwrap_or_default();
    let view = LoginPage {
        layout: Layout::new(&prefs, "/my", t.my_login_title.into(), t.my_login_intro.into(), vec![]),
        phone: phone.to_owned(),
        code_step,
        message: if code_step && error.is_empty() { t.my_code_sent.into() } else { String::new() },
        error,
        field,
        help: v.code_help_for(village.as_deref()),
    };
    Ok(page(state, status, view.render()?))
}

async fn villager_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<villagers::VillagerSession>, WebError> {
    let Some(token) = cookie_value(headers, VILLAGER_COOKIE) else { return Ok(None) };
    Ok(villagers::session(&state.site, token, Utc::now()).await?)
}

async fn my(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let Some(session) = villager_session(&state, &headers).await? else {
        return login_page(&state, &headers, StatusCode::OK, "", false, None);
    };
    let household =
        yangguang_app::households::household(&state.site, &session.household).await?.ok_or(WebError::NotFound)?;
    let lang = Prefs::from_headers(&headers).lang;
    let points = crate::villager_points::points_card(&state, lang, &session.household).await?;
    render_household(&state, &headers, &household, true, Some(points))
}

#[derive(Deserialize)]
struct PhoneForm {
    phone: String,
}

fn login_status(e: &LoginError) -> StatusCode {
    match e {
        LoginError::BadPhone => StatusCode::BAD_REQUEST,
        LoginError::WrongCode(_) => StatusCode::UNAUTHORIZED,
        LoginError::TooSoon(_) | LoginError::TooMany | LoginError::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
        LoginError::App(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn send_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<PhoneForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    match villagers::request_code(&state.site, &f.phone, &client_ip(&headers), Utc::now()).await {
        Ok(()) => login_page(&state, &headers, StatusCode::OK, &f.phone, true, None),
        Err(LoginError::App(e)) => Err(WebError::Internal(e)),
        // Refused before a code was sent: said beside the number (a code sent earlier may still be typed).
        Err(e) => {
            let code_step = !matches!(e, LoginError::BadPhone);
            login_page(&state, &headers, login_status(&e), &f.phone, code_step, Some((&e, "phone")))
        }
    }
}

#[derive(Deserialize)]
struct CodeForm {
    phone: String,
    code: String,
}

async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    check_origin(&headers)?;
    match villagers::verify_code(&state.site, &f.phone, &f.code, &client_ip(&headers), Utc::now()).await {
        Ok(token) => {
            let mut r = Redirect::to("/my").into_response();
            let max_age = villagers::SESSION_DAYS * 24 * 3600;
            r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, VILLAGER_COOKIE, &token, max_age, "/"));
            Ok(no_store(r))
        }
        Err(LoginError::App(e)) => Err(WebError::Internal(e)),
        Err(e) => {
            let field = if matches!(e, LoginError::BadPhone) { "phone" } else { "code" };
            login_page(&state, &headers, login_status(&e), &f.phone, true, Some((&e, field)))
        }
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    check_origin(&headers)?;
    if let Some(token) = cookie_value(&headers, VILLAGER_COOKIE) {
        villagers::logout(&state.site, token, Utc::now()).await?;
    }
    let mut r = Redirect::to("/my").into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, VILLAGER_COOKIE, "", 0, "/"));
    Ok(no_store(r))
}

/// A household's page: its own villager, or staff serving the village. Anyone else gets a
/// 404 whether or not the household exists, so numbers cannot be probed; without any login,
/// a 403 that says to log in.
async fn household_page(
    State(state): State<AppState>,
    Path((code, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let key = yangguang_core::household::household_key(village.code, &number);
    if let Some(session) = villager_session(&state, &headers).await? {
        if session.household != key {
            return Err(WebError::NotFound);
        }
        let household = yangguang_app::households::household(&state.site, &key).await?.ok_or(WebError::NotFound)?;
        let lang = Prefs::from_headers(&headers).lang;
        let points = crate::villager_points::points_card(&state, lang, &key).await?;
        return render_household(&state, &headers, &household, true, Some(points));
    }
    if let Some(who) = signed_in(&state, &headers).await? {
        let found =
            yangguang_app::households::staff_read(&state.site, &who.staff, &client_ip(&headers), &village, &number)
                .await
                .map_err(|e| match e {
                    // Refused: the same answer as for a household that does not exist.
                    yangguang_app::AppError::Forbidden(_) => WebError::NotFound,
                    other => other.into(),
                })?;
        return match found {
            Some(household) => render_household(&state, &headers, &household, false, None),
            None => Err(WebError::NotFound),
        };
    }
    Err(WebError::Forbidden(Prefs::from_headers(&headers).lang.texts().my_need_login.into()))
}

/// One record shown as a card: each value under its label, so nothing is wider than the phone.
type Card = Vec<(&'static str, String)>;

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    layout: Layout,
    number: String,
    own: bool,
    members: Vec<Card>,
    land: Option<LandView>,
    homestead: Card,
    shares: Option<SharesView>,
    credit: Card,
    /// The household's points (积分制), on its own page.
    points: Option<crate::villager_points::PointsCard>,
}

struct LandView {
    facts: Card,
    plots: Vec<Card>,
}

struct SharesView {
    facts: Card,
    dividends: Vec<(i32, String)>,
}

/// An area with its unit ("1.25 亩"); empty stays empty.
fn with_unit(value: &str, unit: &str) -> String {
    if value.trim().is_empty() { String::new() } else { format!("{} {unit}", value.trim()) }
}

fn land_view(t: &Texts, v: &VillagerTexts, h: &Household) -> Option<LandView> {
    let land = h.land.as_ref()?;
    Some(LandView {
        facts: vec![
            (t.my_certificate, land.certificate_no.clone()),
            (t.my_contract, land.contract_no.clone()),
            (t.my_term, land.term.clone()),
            (t.my_total_area, with_unit(&from_hundredths(land.area_hundredths()), v.unit_mu)),
        ],
        plots: land
            .plots
            .iter()
            .map(|p| {
                vec![
                    (t.my_plot, format!("{} {}", p.code, p.location).trim().to_owned()),
                    (t.my_bounds, p.bounds.join(" / ")),
                    (v.area, with_unit(&p.area, v.unit_mu)),
                    (t.my_basic, if p.basic_farmland { t.yes } else { t.no }.into()),
                ]
            })
            .collect(),
    })
}

fn render_household(
    state: &AppState,
    headers: &HeaderMap,
    h: &Household,
    own: bool,
    points: Option<crate::villager_points::PointsCard>,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(headers);
    let t = prefs.lang.texts();
    let v = prefs.lang.villager();
    let village = state.site.regions().get(h.village).map(|r| r.name.clone()).unwrap_or_default();
    let homestead = h
        .homestead
        .as_ref()
        .map(|s| {
            vec![
                (t.trading_location, s.location.clone()),
                (v.parcel_area, with_unit(&s.parcel_area, v.unit_m2)),
                (v.floor_area, with_unit(&s.floor_area, v.unit_m2)),
                (t.my_approval, format!("{} {}", s.approval_no, s.approval_date)),
            ]
        })
        .unwrap_or_default();
    let shares = h.shares.as_ref().map(|s| SharesView {
        facts: vec![(t.my_certificate, s.certificate_no.clone()), (t.my_share_count, s.shares.clone())],
        dividends: s.dividends.iter().map(|(y, a)| (*y, format!("{a} {}", v.yuan))).collect(),
    });
    let credit = h
        .credit
        .as_ref()
        .map(|c| {
            vec![
                (t.my_credit, c.bank.clone()),
                (t.my_rating, c.rating.clone()),
                (t.my_limit, format!("{} {}", c.limit, v.yuan)),
                (t.my_valid, c.valid_until.to_string()),
            ]
        })
        .unwrap_or_default();
    let crumbs = vec![Crumb { label: village.clone(), href: Some(format!("/v/{}", h.village)) }];
    let view = HouseholdPage {
        layout: Layout::new(&prefs, "/my", format!("{} · {}", t.my_title, village), t.my_title.into(), crumbs),
        number: h.number.clone(),
        own,
        members: h
            .members
            .iter()
            .map(|m| {
                vec![
                    (v.member_name, m.name.clone()),
                    (t.my_relation, m.relation.clone()),
                    (t.my_id, m.id_masked.clone()),
                ]
            })
            .collect(),
        land: land_view(t, v, h),
        homestead,
        shares,
        credit,
        points,
    };
    Ok(page(state, StatusCode::OK, view.render()?))
}
