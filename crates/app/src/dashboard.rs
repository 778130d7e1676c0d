//! The supervision dashboard (监督看板) for townships, the county and the discipline
//! commission: every village in a region coloured red, yellow or green by
//! [`yangguang_core::health`] from its disclosure calendar over the last 12 months and its open
//! warnings, grouped by town; a village's gaps with their evidence and its visits; and the
//! monthly trend of 及时率 and 公开率 over the last 24 months.
//!
//! One calendar read ([`crate::calendar::cells`]) over 24 months serves both the grid (the
//! last 12 of them) and the trend, so the two never disagree with each other or with the
//! console calendar and the public pages, which use the same cells.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use yangguang_core::calendar::{Cell, CellState, Tally, Window, by_month, tally};
use yangguang_core::health::{Assessment, Health, Thresholds, assess};
use yangguang_core::{Period, Region, RegionCode};
use yangguang_store::{VisitGroup, VisitQuery};

use crate::calendar::{cells, villages_under};
use crate::{AppError, Site};

/// Months of the trend charts.
pub const TREND_MONTHS: u32 = 24;

/// One village's cell on the grid.
#[derive(Debug, Clone)]
pub struct VillageHealth {
    pub code: RegionCode,
    pub name: String,
    /// The last 12 months.
    pub tally: Tally,
    /// Open warnings (red, yellow).
    pub warnings: (u32, u32),
    pub assessment: Assessment,
}

/// A town's villages, worst first.
#[derive(Debug, Clone)]
pub struct TownGroup {
    pub code: RegionCode,
    pub name: String,
    pub tally: Tally,
    pub villages: Vec<VillageHealth>,
}

impl TownGroup {
    /// How many villages of each colour, in [`Health::ALL`] order (red, yellow, green).
    pub fn counts(&self) -> [u32; 3] {
        counts(self.villages.iter())
    }
}

fn counts<'a>(villages: impl Iterator<Item = &'a VillageHealth>) -> [u32; 3] {
    let mut out = [0; 3];
    for v in villages {
        let i = Health::ALL.iter().position(|h| *h == v.assessment.health).expect("every colour listed");
        out[i] += 1;
    }
    out
}

/// The dashboard of a county or a town.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The grid's months (the last 12).
    pub window: Window,
    pub total: Tally,
    pub groups: Vec<TownGroup>,
    /// Each month of the last [`TREND_MONTHS`], by deadline.
    pub trend: Vec<(Period, Tally)>,
}

impl Dashboard {
    pub fn counts(&self) -> [u32; 3] {
        counts(self.groups.iter().flat_map(|g| g.villages.iter()))
    }
}

/// The windows of a dashboard as of `today`: the grid's 12 months and the trend's 24.
pub fn windows(today: NaiveDate) -> (Window, Window) {
    (Window::last_twelve(today), Window::months_to(today, TREND_MONTHS))
}

fn in_window(cell: &Cell<'_>, w: Window) -> bool {
    let m = cell.month();
    m.start() >= w.first.start() && m.start() <= w.last.start()
}

fn trend(cells: &[Cell<'_>], w: Window) -> Vec<(Period, Tally)> {
    let months = by_month(cells);
    w.months().into_iter().map(|m| (m, months.get(&m).copied().unwrap_or_default())).collect()
}

/// The dashboard of `region` (a county or a town; a village gives a one-village grid) as of
/// `today`. `warnings` holds each village's open warnings by severity (red, yellow); a
/// village missing from it has none.
pub async fn dashboard(
    site: &Site,
    region: &Region,
    today: NaiveDate,
    warnings: &HashMap<RegionCode, (u32, u32)>,
) -> Result<Dashboard, AppError> {
    let villages = villages_under(site, region.code);
    let key = state_key(site, &villages, warnings);
    if let Some(hit) = site.dashboards.get(region.code, today, key) {
        return Ok((*hit).clone());
    }
    // One computation at a time: a room of supervisors opening the page together waits for
    // the first one's result instead of each repeating it.
    let _one = site.dashboards.computing.lock().await;
    if let Some(hit) = site.dashboards.get(region.code, today, key) {
        return Ok((*hit).clone());
    }
    let board = compute(site, region, &villages, today, warnings).await?;
    site.dashboards.put(region.code, today, key, std::sync::Arc::new(board.clone()));
    Ok(board)
}

/// What a region's dashboard depends on besides the day: its villages' generations (any
/// publication, import or change from another server moves them) and their warning counts.
fn state_key(site: &Site, villages: &[RegionCode], warnings: &HashMap<RegionCode, (u32, u32)>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for v in villages {
        (v, site.generation(crate::site::Scope::Village(*v)), warnings.get(v)).hash(&mut h);
    }
    h.finish()
}

/// Dashboards computed in the last few seconds, by region and day. A county's grid reads 24
/// months of every village's calendar (about a second on the demo county), and supervisors'
/// refreshes should not each repeat it: an entry serves while its villages' generations and
/// warnings stay the same, for at most [`DashboardCache::FRESH_FOR`] — the longest a
/// submission waiting for review (which changes no public page) takes to show.
#[derive(Default)]
pub struct DashboardCache {
    computing: tokio::sync::Mutex<()>,
    entries: std::sync::Mutex<HashMap<(RegionCode, NaiveDate), CachedBoard>>,
}

/// A dashboard with the state it was computed from and when.
type CachedBoard = (u64, std::time::Instant, std::sync::Arc<Dashboard>);

impl DashboardCache {
    pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(10);

    fn get(&self, region: RegionCode, today: NaiveDate, key: u64) -> Option<std::sync::Arc<Dashboard>> {
        let entries = self.entries.lock().expect("dashboard cache lock");
        let (k, at, board) = entries.get(&(region, today))?;
        (*k == key && at.elapsed() < Self::FRESH_FOR).then(|| board.clone())
    }

    fn put(&self, region: RegionCode, today: NaiveDate, key: u64, board: std::sync::Arc<Dashboard>) {
        let mut entries = self.entries.lock().expect("dashboard cache lock");
        // One entry per region and day: yesterday's go (a county has a few dozen regions).
        entries.retain(|(_, day), _| *day == today);
        entries.insert((region, today), (key, std::time::Instant::now(), board));
    }
}

async fn compute(
    site: &Site,
    region: &Region,
    villages: &[RegionCode],
    today: NaiveDate,
    warnings: &HashMap<RegionCode, (u32, u32)>,
) -> Result<Dashboard, AppError> {
    let (grid, long) = windows(today);
    let all = cells(site, villages, long, today).await?;
    let recent: Vec<&Cell<'_>> = all.iter().filter(|c| in_window(c, grid)).collect();
    let mut per_village: HashMap<RegionCode, Tally> = HashMap::new();
    for c in &recent {
        per_village.entry(c.village).or_default().add(c.state);
    }
    let regions = site.regions();
    let name = |code: RegionCode| regions.get(code).map_or_else(|| code.to_string(), |r| r.name.clone());
    let thresholds = Thresholds::default();
    let mut towns: BTreeMap<RegionCode, TownGroup> = BTreeMap::new();
    for v in villages {
        let t = per_village.get(v).copied().unwrap_or_default();
        let w = warnings.get(v).copied().unwrap_or((0, 0));
        let town = regions.get(*v).and_then(|r| r.parent).unwrap_or(region.code);
        let group = towns.entry(town).or_insert_with(|| TownGroup {
            code: town,
            name: name(town),
            tally: Tally::default(),
            villages: vec![],
        });
        group.tally.merge(&t);
        group.villages.push(VillageHealth {
            code: *v,
            name: name(*v),
            tally: t,
            warnings: w,
            assessment: assess(&t, w, &thresholds),
        });
    }
    let mut groups: Vec<TownGroup> = towns.into_values().collect();
    for g in &mut groups {
        // Worst first, then most overdue, then by code: the villages to chase lead.
        g.villages.sort_by(|a, b| {
            (b.assessment.health, b.tally.missing, a.code).cmp(&(a.assessment.health, a.tally.missing, b.code))
        });
    }
    let total = tally(recent.iter().copied());
    Ok(Dashboard { window: grid, total, groups, trend: trend(&all, long) })
}

/// A village's supervision page.
#[derive(Debug, Clone)]
pub struct VillageDashboard<'s> {
    pub health: VillageHealth,
    /// The last 12 months' cells that need a supervisor's eye: late, missing or waiting.
    pub attention: Vec<Cell<'s>>,
    pub trend: Vec<(Period, Tally)>,
    /// Views of its public pages over the last 12 months, and over the last 30 days.
    pub views_year: i64,
    pub views_month: i64,
}

/// One village's dashboard as of `today`.
pub async fn village<'s>(
    site: &'s Site,
    village: &Region,
    today: NaiveDate,
    warnings: &HashMap<RegionCode, (u32, u32)>,
) -> Result<VillageDashboard<'s>, AppError> {
    let (grid, long) = windows(today);
    let all = cells(site, &[village.code], long, today).await?;
    let recent: Vec<&Cell<'_>> = all.iter().filter(|c| in_window(c, grid)).collect();
    let t = tally(recent.iter().copied());
    let w = warnings.get(&village.code).copied().unwrap_or((0, 0));
    let mut attention: Vec<Cell<'s>> = recent
        .iter()
        .filter(|c| c.state.is_gap() || matches!(c.state, CellState::Late { .. } | CellState::Waiting { .. }))
        .map(|c| (*c).clone())
        .collect();
    // Gaps first, the longest overdue first; then the rest, the newest first.
    attention.sort_by(|a, b| match (a.state.is_gap(), b.state.is_gap()) {
        (true, true) => a.deadline.cmp(&b.deadline),
        (false, false) => b.deadline.cmp(&a.deadline),
        (a_gap, b_gap) => b_gap.cmp(&a_gap),
    });
    let views = |from: NaiveDate| {
        let query = VisitQuery {
            region_prefixes: vec![village.code.to_string()],
            from,
            to: today,
            columns: vec![],
            item: None,
            group: VisitGroup::All,
        };
        async move { site.store.visit_totals(&query).await.map(|t| t.first().map_or(0, |t| t.views)) }
    };
    let views_year = views(crate::visits::year_before(today)).await?;
    let views_month = views(today - chrono::Days::new(29)).await?;
    Ok(VillageDashboard {
        health: VillageHealth {
            code: village.code,
            name: village.name.clone(),
            tally: t,
            warnings: w,
            assessment: assess(&t, w, &Thresholds::default()),
        },
        attention,
        trend: trend(&all, long),
        views_year,
        views_month,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_board_serves_only_its_region_day_and_state() {
        let cache = DashboardCache::default();
        let region: RegionCode = "339921000000".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let board = Dashboard { window: windows(day).0, total: Tally::default(), groups: vec![], trend: vec![] };
        cache.put(region, day, 7, std::sync::Arc::new(board));
        assert!(cache.get(region, day, 7).is_some());
        assert!(cache.get(region, day, 8).is_none(), "a publication or a warning moved the state");
        assert!(cache.get(region, day.succ_opt().unwrap(), 7).is_none(), "another day");
        assert!(cache.get("339921100000".parse().unwrap(), day, 7).is_none(), "another region");
        // The next day's first board drops the old day's.
        cache.put(region, day.succ_opt().unwrap(), 7, cache.get(region, day, 7).unwrap());
        assert!(cache.get(region, day, 7).is_none());
    }
}
