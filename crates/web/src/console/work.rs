//! The work list: what waits for the reader's signature, their own drafts in progress, and
//! what their villages must publish this month.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yangguang_app::i18n::Label;
use yangguang_app::work;
use yangguang_core::catalog::{DueState, required};

use super::{Nav, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::Staff;

pub struct WorkRow {
    pub id: i64,
    pub title: String,
    pub village: String,
    pub state: String,
}

pub struct DueRow {
    pub village: String,
    pub village_code: String,
    pub item: String,
    pub item_id: String,
    pub period: String,
    pub period_code: String,
    pub deadline: String,
    /// The calendar's state with its sign and days ("✕ 未按时公开，已逾期 35 天").
    pub state: String,
    pub state_class: &'static str,
    pub can_draft: bool,
    /// The monthly accounts: a draft can be generated from the books.
    pub from_books: bool,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    nav: Nav,
    to_review: Vec<WorkRow>,
    mine: Vec<WorkRow>,
    due: Vec<DueRow>,
    due_title: &'static str,
}

pub async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let grants = who.grants();
    let work = work::work_list(&state.site, &who, yangguang_app::today()).await?;
    let row = |d: &yangguang_core::DisclosureSummary| WorkRow {
        id: d.id.0,
        title: d.title.clone(),
        village: village_name(&state, d.village),
        state: d.state.zh().into(),
    };
    let c = crate::prefs::Prefs::from_headers(&headers).lang.calendar();
    let due = work
        .due
        .iter()
        .map(|d| {
            let state_class = match d.state {
                DueState::Published => "published",
                DueState::Open => "open",
                DueState::Overdue => "overdue",
            };
            let sign = c.short(d.cell).split(' ').next().unwrap_or_default();
            let state_label = format!("{sign} {}", c.state(d.cell, d.deadline));
            DueRow {
                village: village_name(&state, d.village),
                village_code: d.village.to_string(),
                item: d.item_name.clone(),
                item_id: d.item_id.clone(),
                period: d.period.label_zh(),
                period_code: d.period.to_string(),
                deadline: d.deadline.to_string(),
                state: state_label,
                state_class,
                can_draft: grants.can_draft(d.village),
                from_books: d.item_id == required::MONTHLY_ACCOUNTS,
            }
        })
        .collect();
    let page = DashboardPage {
        layout: layout(&headers, "工作台"),
        nav: nav(&who, &headers),
        to_review: work.to_review.iter().map(row).collect(),
        mine: work.mine.iter().map(row).collect(),
        due,
        due_title: c.my_deadlines,
    };
    render(&state, &headers, StatusCode::OK, &page)
}
