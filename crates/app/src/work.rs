//! The staff work list: the versions waiting for the reader's sign-off, the reader's own
//! drafts in flight, and the deadlines of the villages they serve from the disclosure
//! calendar: what is overdue (the last 12 months), waiting, due within 45 days, and what was
//! published this month.
//!
//! Computed here, not in the web layer, with a bounded number of queries whatever the
//! reader's scope: every submitted version in scope is read at once (no limit, the longest
//! waiting first) and filtered to those the reader can still sign, so an old submission is
//! never hidden behind a hundred newer ones.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use yangguang_core::calendar::{CellState, Window};
use yangguang_core::catalog::DueState;
use yangguang_core::period::PeriodKind;
use yangguang_core::region::CodeLevel;
use yangguang_core::staff::{Grant, Grants, Role};
use yangguang_core::{DisclosureState, DisclosureSummary, Period, RegionCode};
use yangguang_store::{Signoff, WorkQuery};

use crate::auth::SignedIn;
use crate::{AppError, Site, publishing};

/// The reader's own drafts shown at most (newest first).
const MINE_LIMIT: u32 = 100;
/// At most this many villages get their due items listed (a township has ~20).
const DUE_VILLAGES: usize = 25;

/// Roles that sign versions off, and so see submissions.
const REVIEWER_ROLES: [Role; 5] = [
    Role::BranchMember,
    Role::SupervisionMember,
    Role::FinanceGroupMember,
    Role::TownshipReviewer,
    Role::CountyOperator,
];

/// Upcoming deadlines shown this far ahead.
pub const AHEAD_DAYS: u64 = 45;

/// Roles whose villages' due items the work list shows.
const DUE_ROLES: [Role; 3] = [Role::VillageClerk, Role::SupervisionMember, Role::TownshipReviewer];

pub struct WorkList {
    /// Submitted versions still missing a sign-off the reader can give, the longest waiting first.
    pub to_review: Vec<DisclosureSummary>,
    /// Drafts, returned, submitted and scheduled versions in the reader's villages as clerk.
    pub mine: Vec<DisclosureSummary>,
    /// Deadlines, village by village, each in deadline order: overdue, waiting, upcoming, and
    /// this month's published.
    pub due: Vec<DueEntry>,
}

/// One catalog item due in one village this month.
pub struct DueEntry {
    pub village: RegionCode,
    pub item_id: String,
    pub item_name: String,
    pub period: Period,
    pub deadline: NaiveDate,
    pub state: DueState,
    /// The calendar's state, with its days late or overdue.
    pub cell: CellState,
}

/// The code prefix of the villages a grant reaches: a village's 12 digits, a town's 9, ….
pub fn scope_prefix(region: RegionCode) -> String {
    let keep = match region.level() {
        CodeLevel::Village => 12,
        CodeLevel::Town => 9,
        CodeLevel::County => 6,
        CodeLevel::City => 4,
        CodeLevel::Province => 2,
    };
    region.to_string()[..keep].to_owned()
}

fn granted<'a>(grants: &'a [Grant], roles: &'a [Role]) -> impl Iterator<Item = &'a Grant> {
    grants.iter().filter(move |g| roles.contains(&g.role))
}

/// Submitted versions in the grants' scope still missing a sign-off these grants can give,
/// the longest waiting first: one read of them all, one of their contents, one of their
/// sign-offs.
pub async fn to_review(site: &Site, grants: &Grants) -> Result<Vec<DisclosureSummary>, AppError> {
    let reviewer_scopes: Vec<String> = granted(&grants.0, &REVIEWER_ROLES).map(|g| scope_prefix(g.region)).collect();
    let submitted = site.store.list_submitted(&reviewer_scopes).await?;
    let ids: Vec<_> = submitted.iter().map(|s| s.id).collect();
    let contents = site.store.get_disclosures(&ids).await?;
    let mut signoffs: HashMap<_, Vec<Signoff>> = HashMap::new();
    for s in site.store.signoffs_of(&ids).await? {
        signoffs.entry(s.disclosure_id).or_default().push(s);
    }
    let signable: HashSet<_> = contents
        .iter()
        .filter(|d| {
            let done = signoffs.get(&d.id).map(Vec::as_slice).unwrap_or_default();
            publishing::missing_reviewers(site, d, done).iter().any(|r| grants.can_sign(*r, d.village))
        })
        .map(|d| d.id)
        .collect();
    Ok(submitted.into_iter().filter(|s| signable.contains(&s.id)).collect())
}

/// The versions in `states` in the villages where the grants make a clerk, newest first.
pub async fn clerk_versions(
    site: &Site,
    grants: &Grants,
    states: Vec<DisclosureState>,
) -> Result<Vec<DisclosureSummary>, AppError> {
    Ok(site
        .store
        .list_work(&WorkQuery {
            region_prefixes: granted(&grants.0, &[Role::VillageClerk]).map(|g| scope_prefix(g.region)).collect(),
            states,
            limit: MINE_LIMIT,
        })
        .await?)
}

/// The work list of one staff member on `today`.
pub async fn work_list(site: &Site, who: &SignedIn, today: NaiveDate) -> Result<WorkList, AppError> {
    let grants = who.grants();
    let mine = clerk_versions(
        site,
        &grants,
        vec![DisclosureState::Draft, DisclosureState::Returned, DisclosureState::Submitted, DisclosureState::Scheduled],
    )
    .await?;

    let to_review = to_review(site, &grants).await?;

    // Due items: the villages under the reader's grants, their published periods in one read.
    let regions = site.regions();
    let mut villages: Vec<RegionCode> = vec![];
    for g in granted(&grants.0, &DUE_ROLES) {
        let mut stack = vec![g.region];
        while let Some(code) = stack.pop() {
            match regions.get(code) {
                Some(r) if r.kind.is_village_level() => villages.push(code),
                Some(_) => stack.extend(regions.children(code).map(|r| r.code)),
                None => {}
            }
        }
    }
    villages.sort();
    villages.dedup();
    villages.truncate(DUE_VILLAGES);
    let month = Period::containing(PeriodKind::Month, today);
    let ahead = today + Days::new(AHEAD_DAYS);
    let window = Window { first: Window::last_twelve(today).first, last: Period::containing(PeriodKind::Month, ahead) };
    let cells = crate::calendar::cells(site, &villages, window, today).await?;
    let due = cells
        .iter()
        .filter(|c| match c.state {
            CellState::Missing { .. } | CellState::Waiting { .. } => true,
            CellState::Open => c.deadline <= ahead,
            CellState::OnTime | CellState::Late { .. } => c.month() == month,
            CellState::NotApplicable(_) => false,
        })
        .map(|c| DueEntry {
            village: c.village,
            item_id: c.item.id.clone(),
            item_name: c.item.name.clone(),
            period: c.period,
            deadline: c.deadline,
            state: if c.state.is_published() {
                DueState::Published
            } else if c.state.is_gap() {
                DueState::Overdue
            } else {
                DueState::Open
            },
            cell: c.state,
        })
        .collect();
    Ok(WorkList { to_review, mine, due })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_reaches_the_villages_under_its_code() {
        let code = |s: &str| RegionCode::parse(s).unwrap();
        assert_eq!(scope_prefix(code("339921100201")), "339921100201");
        assert_eq!(scope_prefix(code("339921100000")), "339921100");
        assert_eq!(scope_prefix(code("339921000000")), "339921");
        assert_eq!(scope_prefix(code("339900000000")), "3399");
    }
}
