//! The disclosure calendar over the store: every village × catalog item × period with its
//! state ([`yangguang_core::calendar`]), read in bulk — one query per 500 villages for the
//! versions, one for the voucher counts, whatever the number of cells — and rolled up per
//! village, town and county with the rates supervisors read (及时率, 公开率) and a monthly trend.
//!
//! [`cells`] is the one entry point for anything built on the calendar (the public pages, the
//! console's grid and exports, the work list, the warnings).

pub mod export;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use yangguang_core::calendar::{Cell, Facts, Publication, Tally, Window, by_month, village_cells};
use yangguang_core::staff::{Grants, Role};
use yangguang_core::{DisclosureState, Period, Region, RegionCode};

use crate::{AppError, Site};

/// The roles that read the calendar of the towns and counties they serve.
const SUPERVISING: [Role; 5] =
    [Role::TownshipReviewer, Role::CountyOperator, Role::CatalogAdmin, Role::DisciplineCommission, Role::PlatformAdmin];

/// The regions whose calendar these grants may read: the region of each supervising grant.
pub fn supervised_regions(grants: &Grants) -> Vec<RegionCode> {
    let mut out: Vec<RegionCode> =
        grants.0.iter().filter(|g| SUPERVISING.contains(&g.role)).map(|g| g.region).collect();
    out.sort();
    out.dedup();
    out
}

/// Whether these grants may read the calendar of `region` (at or under a supervised region).
pub fn may_view(grants: &Grants, region: RegionCode) -> bool {
    supervised_regions(grants).iter().any(|g| region.ancestor_at(g.level()) == *g)
}

/// The calendar cells of `villages` whose deadlines fall in `window`, as of `today`, village
/// by village in the order given, each village's in deadline order.
pub async fn cells<'s>(
    site: &'s Site,
    villages: &[RegionCode],
    window: Window,
    today: NaiveDate,
) -> Result<Vec<Cell<'s>>, AppError> {
    let facts = facts(site, villages).await?;
    let empty = Facts::default();
    let mut out = vec![];
    for v in villages {
        out.extend(village_cells(&site.catalog, *v, window, today, facts.get(v).unwrap_or(&empty)));
    }
    Ok(out)
}

/// What each village published, has waiting and holds in its books, in two bulk reads.
async fn facts(site: &Site, villages: &[RegionCode]) -> Result<HashMap<RegionCode, Facts>, AppError> {
    let mut facts: HashMap<RegionCode, Facts> = villages.iter().map(|v| (*v, Facts::default())).collect();
    for v in site.store.calendar_versions(villages).await? {
        let Some(f) = facts.get_mut(&v.village) else { continue };
        let key = (v.item, v.period);
        match (v.state, v.published_at) {
            (DisclosureState::Published | DisclosureState::Superseded, Some(at)) => {
                // The first publication counts: a later correction does not make it late.
                let first = Publication { on: yangguang_core::time::china_date(at), id: v.id };
                let slot = f.published.entry(key).or_insert(first);
                if (first.on, first.id) < (slot.on, slot.id) {
                    *slot = first;
                }
            }
            (DisclosureState::Submitted | DisclosureState::Scheduled, _) => {
                f.pending.entry(key).and_modify(|id| *id = (*id).min(v.id)).or_insert(v.id);
            }
            _ => {}
        }
    }
    for m in site.store.voucher_months(villages).await? {
        if let Some(f) = facts.get_mut(&m.village) {
            f.vouchers.insert((m.year, m.month), m.vouchers);
        }
    }
    Ok(facts)
}

/// The villages at or under `region`, in code order.
pub fn villages_under(site: &Site, region: RegionCode) -> Vec<RegionCode> {
    let regions = site.regions();
    let mut out = vec![];
    let mut stack = vec![region];
    while let Some(code) = stack.pop() {
        match regions.get(code) {
            Some(r) if r.kind.is_village_level() => out.push(code),
            Some(_) => stack.extend(regions.children(code).map(|r| r.code)),
            None => {}
        }
    }
    out.sort();
    out
}

/// One village's (or town's) figures.
#[derive(Debug, Clone)]
pub struct Row {
    pub code: RegionCode,
    pub name: String,
    /// The town a village belongs to (empty for a town).
    pub town: String,
    pub tally: Tally,
}

/// A town's or county's record over the last 12 months.
#[derive(Debug, Clone)]
pub struct RegionRecord {
    pub window: Window,
    pub total: Tally,
    /// The towns under the region, when it has any.
    pub towns: Vec<Row>,
    pub villages: Vec<Row>,
    /// Each month of the window, by deadline.
    pub trend: Vec<(Period, Tally)>,
}

/// Tallies of some cells per village (in the order of `villages`), and per the village's
/// parent (its town).
pub fn roll_up(site: &Site, villages: &[RegionCode], cells: &[Cell<'_>]) -> (Vec<Row>, Vec<Row>) {
    let regions = site.regions();
    let mut per_village: HashMap<RegionCode, Tally> = HashMap::new();
    for c in cells {
        per_village.entry(c.village).or_default().add(c.state);
    }
    let name = |code: RegionCode| regions.get(code).map_or_else(|| code.to_string(), |r| r.name.clone());
    let mut towns: BTreeMap<RegionCode, Tally> = BTreeMap::new();
    let mut rows = vec![];
    for v in villages {
        let tally = per_village.get(v).copied().unwrap_or_default();
        let parent = regions.get(*v).and_then(|r| r.parent);
        if let Some(p) = parent {
            towns.entry(p).or_default().merge(&tally);
        }
        rows.push(Row { code: *v, name: name(*v), town: parent.map(name).unwrap_or_default(), tally });
    }
    let towns =
        towns.into_iter().map(|(code, tally)| Row { code, name: name(code), town: String::new(), tally }).collect();
    (rows, towns)
}

/// The record of `region` (a county, a town, or a village) over the 12 months to `today`.
pub async fn region_record(site: &Site, region: &Region, today: NaiveDate) -> Result<RegionRecord, AppError> {
    let window = Window::last_twelve(today);
    let villages = villages_under(site, region.code);
    let cells = cells(site, &villages, window, today).await?;
    let (villages, towns) = roll_up(site, &villages, &cells);
    let total = yangguang_core::calendar::tally(&cells);
    let months = by_month(&cells);
    let trend = window.months().into_iter().map(|m| (m, months.get(&m).copied().unwrap_or_default())).collect();
    // A town's page lists its villages; the towns' table only means something above it.
    let towns = if towns.len() > 1 { towns } else { vec![] };
    Ok(RegionRecord { window, total, towns, villages, trend })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_twelve_month_window_ends_with_this_month() {
        let w = Window::last_twelve(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        assert_eq!((w.first.to_string(), w.last.to_string()), ("2026-01".into(), "2026-12".into()));
    }
}
