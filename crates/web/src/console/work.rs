//! The work list: what waits for the reader's signature, their own drafts in progress, and
//! what their villages must publish this month.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yangguang_app::publishing;
use yangguang_core::staff::{Grant, Role};
use yangguang_core::{DisclosureState, Period, RegionCode};
use yangguang_store::WorkQuery;

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
    pub state: &'static str,
    pub state_class: &'static str,
    pub can_draft: bool,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    nav: Nav,
    to_review: Vec<WorkRow>,
    mine: Vec<WorkRow>,
    due: Vec<DueRow>,
}

/// At most this many villages get their due items listed (a township has ~20).
const DUE_VILLAGES: usize = 25;

pub async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let grants = who.grants();
    let site = &state.site;
    let row = |d: &yangguang_core::DisclosureSummary| WorkRow {
        id: d.id.0,
        title: d.title.clone(),
        village: village_name(&state, d.village),
        state: d.state.label_zh().into(),
    };
    let clerk = prefixes(grants.0.iter().copied().filter(|g| g.role == Role::VillageClerk));
    let mine_q = WorkQuery {
        region_prefixes: clerk,
        states: vec![
            DisclosureState::Draft,
            DisclosureState::Returned,
            DisclosureState::Submitted,
            DisclosureState::Scheduled,
        ],
        limit: 100,
    };
    let mine: Vec<WorkRow> = site.store.list_work(&mine_q).await?.iter().map(row).collect();
    let reviewer_roles = [
        Role::BranchMember,
        Role::SupervisionMember,
        Role::FinanceGroupMember,
        Role::TownshipReviewer,
        Role::CountyOperator,
    ];
    let review_q = WorkQuery {
        region_prefixes: prefixes(grants.0.iter().copied().filter(|g| reviewer_roles.contains(&g.role))),
        states: vec![DisclosureState::Submitted],
        limit: 100,
    };
    let mut to_review = vec![];
    for s in site.store.list_work(&review_q).await? {
        let d = site.store.get_disclosure(s.id).await?;
        let signoffs = site.store.list_signoffs(s.id).await?;
        let missing = publishing::missing_reviewers(site, &d, &signoffs);
        if missing.iter().any(|r| grants.can_sign(*r, d.village)) {
            to_review.push(row(&s));
        }
    }
    let today = yangguang_app::today();
    let month = Period::containing(yangguang_core::period::PeriodKind::Month, today);
    let regions = site.regions();
    let mut villages: Vec<RegionCode> = vec![];
    for g in &grants.0 {
        if matches!(g.role, Role::VillageClerk | Role::SupervisionMember | Role::TownshipReviewer) {
            let mut stack = vec![g.region];
            while let Some(c) = stack.pop() {
                match regions.get(c) {
                    Some(r) if r.kind.is_village_level() => villages.push(c),
                    Some(_) => stack.extend(regions.children(c).map(|r| r.code)),
                    None => {}
                }
            }
        }
    }
    villages.sort();
    villages.dedup();
    let mut due = vec![];
    for v in villages.into_iter().take(DUE_VILLAGES) {
        let published: std::collections::HashSet<(String, Period)> =
            site.store.published_periods(v).await?.into_iter().collect();
        for d in site.catalog.due_in_month(month, today, |item, p| published.contains(&(item.to_owned(), p))) {
            let (state_label, state_class) = match d.state {
                yangguang_core::catalog::DueState::Published => ("✓ 已公开", "published"),
                yangguang_core::catalog::DueState::Open => ("○ 待公开", "open"),
                yangguang_core::catalog::DueState::Overdue => ("! 已逾期", "overdue"),
            };
            due.push(DueRow {
                village: village_name(&state, v),
                village_code: v.to_string(),
                item: d.item.name.clone(),
                item_id: d.item.id.clone(),
                period: d.period.label_zh(),
                period_code: d.period.to_string(),
                deadline: d.deadline.to_string(),
                state: state_label,
                state_class,
                can_draft: grants.can_draft(v),
            });
        }
    }
    let page = DashboardPage { layout: layout(&headers, "工作台"), nav: nav(&who, &headers), to_review, mine, due };
    render(&state, &headers, StatusCode::OK, &page)
}

/// Code prefixes of the villages a set of grants reaches.
fn prefixes(grants: impl Iterator<Item = Grant>) -> Vec<String> {
    grants
        .map(|g| {
            let code = g.region.to_string();
            let keep = match g.region.level() {
                yangguang_core::region::CodeLevel::Village => 12,
                yangguang_core::region::CodeLevel::Town => 9,
                yangguang_core::region::CodeLevel::County => 6,
                yangguang_core::region::CodeLevel::City => 4,
                yangguang_core::region::CodeLevel::Province => 2,
            };
            code[..keep].to_owned()
        })
        .collect()
}
