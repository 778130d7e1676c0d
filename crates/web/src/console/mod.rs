//! The staff console, server-rendered like the public site, one module per workflow: signing
//! in and the account, the work list, drafting with attachments and live preview, review and
//! sign-off with corrections and withdrawals, the registers, the books, the bank, and
//! administration. Every POST checks the session's CSRF token (and the Origin header when the
//! browser sends one) through `session::CsrfForm` or `multipart::CsrfMultipart`; every action
//! checks the actor's role on that village.

mod admin;
mod bank;
mod books;
mod calendar;
mod decisions;
mod drafting;
mod gov_form;
mod imports;
mod multipart;
mod party;
mod period_picker;
mod points;
mod powers;
mod preview;
mod published;
mod questions;
mod receipts;
mod registers;
mod reports;
mod review;
mod rules;
mod signin;
mod supervision;
mod thresholds;
mod tips;
mod trend_chart;
mod visits;
mod warnings;
mod work;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use yangguang_app::auth::SignedIn;
use yangguang_core::RegionCode;
use yangguang_core::staff::Role;

pub use crate::session::SESSION_COOKIE;

use crate::AppState;
use crate::error::WebError;
use crate::pages::{Crumb, Layout};
use crate::prefs::Prefs;
use crate::session::{cookie_value, no_store, set_cookie};

/// A one-time message for the next console page.
const FLASH_COOKIE: &str = "yg_flash";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/login", get(signin::login_page).post(signin::login))
        .route("/console/logout", post(signin::logout))
        .route("/console", get(work::dashboard))
        .route("/console/new", get(drafting::new_page).post(drafting::create))
        .route("/console/preview", post(drafting::preview))
        .route("/console/published", get(published::published_page))
        .route("/console/d/{id}", get(review::detail))
        .route("/console/d/{id}/edit", get(drafting::edit_page).post(drafting::edit))
        .route("/console/d/{id}/submit", post(drafting::submit))
        .route("/console/d/{id}/review", post(review::review))
        .route("/console/d/{id}/a/{position}", get(preview::open_attachment))
        .route("/console/d/{id}/books", get(preview::preview_books))
        .route("/console/d/{id}/receipts/{sha256}/{size}", get(preview::preview_receipt))
        .route("/console/d/{id}/correct", post(review::correct))
        .route("/console/d/{id}/withdraw", post(review::withdraw))
        .route(signin::SETUP_PATH, get(signin::setup_page))
        .route("/console/setup/password", post(signin::setup_password))
        .route("/console/setup/totp", post(signin::setup_totp))
        .route("/console/account", get(signin::account_page))
        .route("/console/account/password", post(signin::change_password))
        .route("/console/account/totp", post(signin::enable_totp))
        .route("/console/account/phone", post(signin::set_phone))
        .route("/console/audit", get(admin::audit_page))
        .route("/console/users", get(admin::users_page).post(admin::create_user))
        .route("/console/users/{id}/revoke", post(admin::revoke_user))
        .route("/console/users/{id}/disable", post(admin::disable_user))
        .route("/console/checkpoint", post(admin::checkpoint))
        .route("/console/finance/draft", post(books::draft_accounts))
        .route("/console/ledger", get(books::ledger_page).post(books::import_ledger))
        .route("/console/ledger/columns", post(books::save_columns))
        .route("/console/leases", get(registers::leases_page).post(registers::import_leases))
        .route("/console/households", get(registers::households_page).post(registers::import_households))
        .route("/console/assets", get(registers::assets_page).post(registers::import_assets))
        .route("/console/bank", get(bank::bank_page))
        .route("/console/bank/product", post(bank::save_product))
        .route("/console/bank/village", post(bank::save_bank_village))
        .route("/console/bank/credit", post(bank::import_credit))
        // The receipt desk: a phone's photos or a zip of scans may be larger than one form.
        .route("/console/receipts/upload", post(receipts::upload).layer(DefaultBodyLimit::max(256 * 1024 * 1024)))
        .route("/console/receipts", get(receipts::desk_page))
        .route("/console/receipts/assign", post(receipts::assign))
        .route("/console/receipts/assign-suggested", post(receipts::assign_suggested))
        .route("/console/receipts/detach", post(receipts::detach))
        .route("/console/receipts/discard", post(receipts::discard))
        .route("/console/receipts/scan/{village}/{month}/{sha256}/{size}", get(receipts::scan))
        // Every upload above is previewed first; these apply a preview and clear flagged scans.
        .route("/console/imports/confirm", post(imports::confirm))
        .route("/console/receipts/recheck", get(imports::recheck_page).post(imports::confirm_scan))
        .route("/console/receipts/{village}/{sha256}/{size}", get(imports::scan))
        // Sealed whistle-blowing reports: discipline commission only.
        .route("/console/tips", get(tips::list_page))
        .route("/console/tips/unlock", post(tips::unlock))
        .route("/console/tips/lock", post(tips::lock))
        .route("/console/tips/{id}", get(tips::detail))
        .route("/console/tips/{id}/a/{position}", get(tips::attachment))
        .route("/console/tips/{id}/status", post(tips::set_status))
        .route("/console/tips/{id}/reply", post(tips::reply))
        .route("/console/reports", get(reports::list_page))
        .route("/console/reports/{id}", get(reports::detail))
        .route("/console/reports/{id}/status", post(reports::change_status))
        .route("/console/reports/{id}/hide", post(reports::hide))
        .route("/console/reports/{id}/photo/{n}", get(reports::photo))
        .route("/console/decisions", get(decisions::list_page).post(decisions::create))
        .route("/console/decisions/{village}/{number}", get(decisions::detail_page))
        .route("/console/decisions/{village}/{number}/edit", post(decisions::edit))
        .route("/console/decisions/{village}/{number}/step", post(decisions::step))
        .route("/console/decisions/{village}/{number}/file", post(decisions::file))
        .route("/console/decisions/{village}/{number}/link", post(decisions::link))
        .route("/console/decisions/{village}/{number}/unlink", post(decisions::unlink))
        .route("/console/decisions/{village}/{number}/publication", post(decisions::publication))
        .route("/console/points", get(points::points_page))
        .route("/console/points/event", post(points::record_event))
        .route("/console/points/redeem", post(points::redeem))
        .route("/console/points/rules", post(points::save_rules))
        .route("/console/points/draft", post(points::draft))
        .route("/console/points/{id}/correct", post(points::correct))
        .route("/console/points/redemption/{id}/correct", post(points::correct_redemption))
        .route("/console/points/evidence/{id}", get(points::evidence))
        .route("/console/party", get(party::page))
        .route("/console/party/branch", post(party::save_branch))
        .route("/console/party/meeting", post(party::add_meeting))
        .route("/console/party/meeting/delete", post(party::delete_meeting))
        .route("/console/party/life", post(party::draft_life))
        .route("/console/party/dues", post(party::save_dues))
        .route("/console/powers", get(powers::page))
        .route("/console/powers/power", post(powers::save_power))
        .route("/console/powers/power/delete", post(powers::delete_power))
        .route("/console/powers/list", post(powers::draft_list))
        .route("/console/powers/log", post(powers::add_entry))
        .route("/console/powers/log/draft", post(powers::draft_log))
        .route("/console/rules", get(rules::page).post(rules::add_version))
        .route("/console/visits", get(visits::visits_page))
        .route("/console/visits.csv", get(visits::visits_csv))
        .route("/console/calendar", get(calendar::calendar_page))
        .route("/console/calendar/village/{code}", get(calendar::village_page))
        .route("/console/calendar.csv", get(calendar::download_csv))
        .route("/console/calendar.xlsx", get(calendar::download_xlsx))
        .route("/console/dashboard", get(supervision::dashboard_page))
        .route("/console/dashboard/r/{code}", get(supervision::region_page))
        .route("/console/dashboard/v/{code}", get(supervision::village_page))
        .route("/console/warnings", get(warnings::list_page))
        .route(thresholds::PATH, get(thresholds::thresholds_page).post(thresholds::set_threshold))
        .route("/console/warnings/{id}", get(warnings::detail_page).post(warnings::decide))
        .route("/console/questions", get(questions::list_page))
        .route("/console/questions/{id}/answer", post(questions::answer))
        .route("/console/questions/{id}/moderate", post(questions::moderate))
        // Uploads: up to the per-file limit times a few files; each file is checked again.
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        // CSRF tokens beside request-chosen text: never compressed (see `compress`).
        .layer(axum::middleware::map_response(|mut r: Response| async move {
            r.extensions_mut().insert(crate::compress::Uncompressed);
            r
        }))
}

// ───────────────────────── shared page helpers ─────────────────────────

/// A console page. A one-time message shown on it is cleared with it.
fn html(state: &AppState, request: &HeaderMap, status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    if cookie_value(request, FLASH_COOKIE).is_some() {
        r.headers_mut().append(header::SET_COOKIE, set_cookie(request, FLASH_COOKIE, "", 0, "/console"));
    }
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    state.security.apply(h);
    no_store(r)
}

/// Renders a console page.
fn render(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    page: &impl askama::Template,
) -> Result<Response, WebError> {
    Ok(html(state, headers, status, page.render()?))
}

/// The navigation bar's facts about the reader.
pub struct Nav {
    pub t: &'static yangguang_app::i18n::ConsoleTexts,
    /// The words of the page itself.
    pub p: &'static yangguang_app::i18n::ConsolePageTexts,
    pub name: String,
    pub csrf: String,
    pub can_draft: bool,
    pub can_audit: bool,
    pub is_admin: bool,
    pub can_checkpoint: bool,
    pub is_bank: bool,
    /// What waits for the reader (counted on page loads, see `session::Staff`).
    pub to_review: usize,
    pub returned: usize,
    /// Discipline-commission staff: the reports' link, and how many are new.
    pub is_commission: bool,
    pub tips: usize,
    /// Grid workers and clerks handle problem reports; new ones wait for grid workers.
    pub can_reports: bool,
    pub reports: usize,
    /// Villagers' questions waiting (held or unanswered), and whether the reader sees the list.
    pub questions: usize,
    pub sees_questions: bool,
    /// Village clerks keep their villages' points (积分制): the link's words.
    pub points: Option<&'static str>,
    /// Township and county staff: the disclosure calendar.
    pub sees_calendar: bool,
    pub calendar_label: &'static str,
    pub dashboard_label: &'static str,
    pub warnings_label: &'static str,
    pub flash: String,
    /// The governance pages' words (党建引领, 小微权力清单, 村规民约).
    pub g: &'static yangguang_app::i18n::GovTexts,
}

impl Nav {
    /// A content hash as its short fingerprint.
    pub fn fingerprint(&self, hash: &str) -> String {
        yangguang_app::i18n::fingerprint(hash)
    }
}

fn nav(who: &SignedIn, headers: &HeaderMap) -> Nav {
    let grants = who.grants();
    let lang = Prefs::from_headers(headers).lang;
    let flash = cookie_value(headers, FLASH_COOKIE)
        .and_then(|v| form_urlencoded::parse(format!("m={v}").as_bytes()).next().map(|(_, v)| v.into_owned()))
        .map(|m| yangguang_app::i18n::pick(&m, lang).to_owned())
        .unwrap_or_default();
    Nav {
        t: lang.console(),
        p: lang.console_pages(),
        name: who.staff.display_name.clone(),
        csrf: who.session.csrf_token.clone(),
        can_draft: grants.has_role(Role::VillageClerk),
        can_audit: grants.can_read_audit(),
        is_admin: grants.is_admin(),
        can_checkpoint: grants.can_checkpoint(),
        is_bank: who.staff.grants.iter().any(|g| g.role == Role::BankEditor),
        to_review: who.badges.to_review,
        returned: who.badges.returned,
        is_commission: yangguang_app::tips::may_read(&grants),
        tips: who.badges.tips,
        can_reports: !yangguang_app::reports::handled_villages(&grants).is_empty(),
        reports: who.badges.reports,
        questions: who.badges.questions,
        sees_questions: grants
            .0
            .iter()
            .any(|g| matches!(g.role, Role::VillageClerk | Role::SupervisionMember | Role::TownshipReviewer)),
        points: grants.has_role(Role::VillageClerk).then(|| lang.points().nav),
        sees_calendar: !yangguang_app::calendar::supervised_regions(&grants).is_empty(),
        calendar_label: lang.calendar().console_title,
        dashboard_label: lang.dashboard().nav,
        warnings_label: lang.warnings().title,
        flash,
        g: lang.gov(),
    }
}

fn layout(headers: &HeaderMap, title: &str) -> Layout {
    let prefs = Prefs::from_headers(headers);
    let mut l = Layout::new(
        &prefs,
        "/console",
        title.to_owned(),
        "阳光村务工作人员控制台".into(),
        vec![
            Crumb { label: "控制台".into(), href: Some("/console".into()) },
            Crumb { label: title.into(), href: None },
        ],
    );
    l.js = crate::CONSOLE_JS;
    l.wide = true;
    l
}

/// Redirects after a successful POST, with a one-time message for the next page.
fn done(headers: &HeaderMap, to: &str, message: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    let encoded: String = form_urlencoded::byte_serialize(message.as_bytes()).collect();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(headers, FLASH_COOKIE, &encoded, 30, "/console"));
    no_store(r)
}

fn village_name(state: &AppState, code: RegionCode) -> String {
    state.site.regions().get(code).map(|r| r.name.clone()).unwrap_or_else(|| code.to_string())
}

/// The villages where this staff member is a village clerk, as (code, name).
fn clerk_villages(state: &AppState, who: &SignedIn) -> Vec<(String, String)> {
    who.staff
        .grants
        .iter()
        .filter(|g| g.role == Role::VillageClerk)
        .map(|g| (g.region.to_string(), village_name(state, g.region)))
        .collect()
}

/// A village code from a form field, refused as a bad request when it is not one.
fn village_field(value: &str) -> Result<RegionCode, WebError> {
    RegionCode::parse(value).map_err(|e| WebError::BadRequest(e.to_string()))
}
