//! Warnings (预警) over the store: each village's findings ([`yangguang_core::warning`]) computed
//! from its data, compared with the stored warnings and the difference written — new ones
//! opened, changed figures updated, gone ones resolved, returning ones reopened — so that a
//! supervisor's review or dismissal sticks to its finding.
//!
//! Kept current incrementally: every import and publish path marks its village through
//! [`Site::published`], and [`Site::announce`] refreshes the marked villages (the search index's
//! hook is the model). [`recompute`] redoes a county from scratch (`yangguang warnings recompute`).

mod diff;
pub mod facts;
pub mod thresholds;

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use yangguang_core::RegionCode;
use yangguang_core::staff::Grants;
use yangguang_core::warning::{Override, Thresholds};
use yangguang_store::{StoredWarning, WarningEvent, WarningState};

pub use diff::diff;

use crate::{AppError, Site};

/// The shipped defaults (`catalog/warnings.toml`).
pub const DEFAULT_THRESHOLDS: &str = include_str!("../../../../catalog/warnings.toml");

/// The villages whose warnings are stale, refreshed at the next announce — unless held, as
/// during a bulk load (the demo publishes 50,000 items in batches, each announced: refreshing
/// every village after every batch made it many times slower), which then refreshes them once.
#[derive(Debug, Default)]
pub struct Dirty {
    villages: Mutex<BTreeSet<RegionCode>>,
    held: AtomicBool,
    /// The last day whose starting threshold overrides were recomputed
    /// ([`thresholds::apply_starting`]).
    pub(crate) thresholds_day: Mutex<Option<NaiveDate>>,
}

impl Dirty {
    pub fn mark(&self, village: RegionCode) {
        self.villages.lock().expect("warnings lock").insert(village);
    }

    /// Keeps the marks without refreshing until [`Dirty::release`].
    pub fn hold(&self) {
        self.held.store(true, Ordering::Release);
    }

    /// Refreshes again at the next announce, every village marked meanwhile at once.
    pub fn release(&self) {
        self.held.store(false, Ordering::Release);
    }

    /// The marked villages, cleared (none while held).
    pub fn take(&self) -> Vec<RegionCode> {
        if self.held.load(Ordering::Acquire) {
            return vec![];
        }
        std::mem::take(&mut *self.villages.lock().expect("warnings lock")).into_iter().collect()
    }
}

/// The defaults and every override, resolved per village for `today`.
pub async fn thresholds(site: &Site) -> Result<(Thresholds, Vec<Override>), AppError> {
    let base = Thresholds::parse_file(DEFAULT_THRESHOLDS).map_err(|e| AppError::Catalog(e.to_string()))?;
    let overrides = site.store.threshold_overrides().await?.into_iter().map(|o| o.value).collect();
    Ok((base, overrides))
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub villages: usize,
    pub findings: usize,
    pub opened: usize,
    pub updated: usize,
    pub reopened: usize,
    pub resolved: usize,
}

/// Recomputes the warnings of `villages` as of `today` and writes the difference.
pub async fn refresh(
    site: &Site,
    villages: &[RegionCode],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    let (base, overrides) = thresholds(site).await?;
    let resolve = |v: RegionCode| base.resolve(&overrides, v, today);
    let findings = facts::findings(site, villages, today, &resolve).await?;
    let count = findings.len();
    let stored = site.store.village_warnings(villages).await?;
    let changes = diff(&stored, findings);
    site.store.apply_findings(&changes, now).await?;
    Ok(Outcome {
        villages: villages.len(),
        findings: count,
        opened: changes.open.len(),
        updated: changes.update.len(),
        reopened: changes.reopen.len(),
        resolved: changes.resolve.len(),
    })
}

/// One village, after its data changed.
pub async fn refresh_village(site: &Site, village: RegionCode) -> Result<Outcome, AppError> {
    let now = Utc::now();
    refresh(site, &[village], yangguang_core::time::china_date(now), now).await
}

/// Every village at or under `region` (the whole county), from scratch.
pub async fn recompute(site: &Site, region: RegionCode, now: DateTime<Utc>) -> Result<Outcome, AppError> {
    let villages = crate::calendar::villages_under(site, region);
    refresh(site, &villages, yangguang_core::time::china_date(now), now).await
}

/// Called by [`Site::announce`]: refreshes the villages marked since the last call. A failure
/// is logged and the villages are kept for the next call; it never fails the change itself.
pub async fn announce(site: &Site) {
    let villages = site.warnings.take();
    if villages.is_empty() {
        return;
    }
    // One refresh for all of them: the rules' reads are in bulk.
    let now = Utc::now();
    if let Err(e) = refresh(site, &villages, yangguang_core::time::china_date(now), now).await {
        tracing::error!(villages = villages.len(), error = %e, "could not refresh the villages' warnings");
        for v in villages {
            site.warnings.mark(v);
        }
    }
}

/// Open and reviewed (still standing) warnings per village: (red, yellow), for dashboards.
/// Villages without any are absent.
pub async fn open_counts(site: &Site, villages: &[RegionCode]) -> Result<HashMap<RegionCode, (u64, u64)>, AppError> {
    // Asked by town (the first nine digits), not by village: a county's dashboard is a dozen
    // code ranges in one read instead of 229 OR-ed ones; villages not asked for are left out.
    let wanted: std::collections::HashSet<RegionCode> = villages.iter().copied().collect();
    let mut towns: Vec<String> = villages.iter().map(|v| v.to_string()[..9].to_owned()).collect();
    towns.sort_unstable();
    towns.dedup();
    let mut out = HashMap::new();
    for chunk in towns.chunks(200) {
        for (v, red, yellow) in site.store.standing_warning_counts(chunk).await? {
            if wanted.contains(&v) {
                out.insert(v, (red, yellow));
            }
        }
    }
    Ok(out)
}

/// Who may read warnings: the calendar's supervisors (town, county, discipline commission).
pub fn may_view(grants: &Grants, village: RegionCode) -> bool {
    crate::calendar::may_view(grants, village)
}

/// A supervisor reviews (with a note) or dismisses (with a reason) a warning they may see;
/// the change is on the warning's trail and in the audit log.
pub async fn decide(
    site: &Site,
    actor: &crate::publishing::Actor<'_>,
    id: i64,
    state: WarningState,
    note: &str,
) -> Result<StoredWarning, AppError> {
    let w = site.store.get_warning(id).await.map_err(|e| match e {
        yangguang_store::StoreError::NotFound => AppError::NotFound,
        e => e.into(),
    })?;
    if !may_view(&actor.who.grants(), w.finding.village) {
        return Err(AppError::Forbidden("只有负责该村的镇、县监督人员可以处理预警".into()));
    }
    let note = note.trim();
    if note.is_empty() {
        let message = match state {
            WarningState::Dismissed => "请填写排除预警的理由",
            _ => "请填写核查情况",
        };
        return Err(AppError::Field { field: "note", message: message.into() });
    }
    if note.chars().count() > 1_000 {
        return Err(AppError::Field { field: "note", message: "说明最多 1000 字".into() });
    }
    let staff = &actor.who.staff;
    let by = format!("{}（{}）", staff.display_name, staff.username);
    let stored = site.store.set_warning_state(id, state, note, &by, Utc::now()).await.map_err(|e| match e {
        yangguang_store::StoreError::Conflict(_) => AppError::Conflict("该预警已排除或已消除，不能再处理".into()),
        e => e.into(),
    })?;
    let action = format!("warning.{}", state.as_str());
    crate::auth::audit(site, Some(staff), actor.ip, &action, &format!("warning:{id}"), note).await;
    Ok(stored)
}

/// A warning's trail, oldest first.
pub async fn trail(site: &Site, id: i64) -> Result<Vec<WarningEvent>, AppError> {
    Ok(site.store.warning_events(id).await?)
}
