//! What supervisors see of the counts (`/console/visits`): a region they may see, a range of
//! days and optionally one first-level column; the views and visitors per day, per village (or
//! town) and per column, and the same figures as CSV.

use std::collections::HashMap;

use chrono::NaiveDate;
use yangguang_core::RegionCode;
use yangguang_core::region::CodeLevel;
use yangguang_core::staff::Grants;
use yangguang_store::{VisitGroup, VisitQuery};

use crate::work::scope_prefix;
use crate::{AppError, Site};

/// Days one report may span at most.
pub const MAX_DAYS: i64 = 366;

/// What the supervisor asked for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    pub region: RegionCode,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// A first-level column, or `None` for all.
    pub column: Option<String>,
}

/// Views and visitors of one day, region or column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub key: String,
    pub label: String,
    pub views: i64,
    pub visitors: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitReport {
    pub request: ReportRequest,
    pub views: i64,
    pub visitors: i64,
    /// Every day of the range, oldest first (zeros included).
    pub days: Vec<Figure>,
    /// The region's towns (for a county and up) or villages, most viewed first.
    pub places: Vec<Figure>,
    /// First-level columns, most viewed first; the village home as its own line.
    pub columns: Vec<Figure>,
}

/// The regions a staff member may choose: each region of their grants and everything under it
/// down to the villages, in tree order.
pub fn choosable_regions(site: &Site, grants: &Grants) -> Vec<(RegionCode, String, CodeLevel)> {
    let regions = site.regions();
    let mut roots: Vec<RegionCode> = grants.0.iter().map(|g| g.region).collect();
    roots.sort();
    roots.dedup();
    // A grant inside another grant's region is listed under that one.
    let roots: Vec<RegionCode> =
        roots.iter().copied().filter(|r| !roots.iter().any(|o| o != r && covers(*o, *r))).collect();
    let mut out = vec![];
    for root in roots {
        let mut stack = vec![root];
        while let Some(code) = stack.pop() {
            let Some(region) = regions.get(code) else { continue };
            out.push((code, region.name.clone(), code.level()));
            let mut kids: Vec<RegionCode> = regions.children(code).map(|r| r.code).collect();
            kids.reverse();
            stack.extend(kids);
        }
    }
    out
}

fn covers(outer: RegionCode, inner: RegionCode) -> bool {
    inner.ancestor_at(outer.level()) == outer
}

/// Checks a request against the staff member's regions; `Forbidden` outside them.
pub fn check(grants: &Grants, request: &ReportRequest) -> Result<(), AppError> {
    if !grants.0.iter().any(|g| covers(g.region, request.region)) {
        return Err(AppError::Forbidden(format!(
            "您的账号不能查看 {} 的访问统计 / this region is outside your account's regions",
            request.region
        )));
    }
    if request.to < request.from {
        return Err(AppError::Field {
            field: "from",
            message: "开始日期晚于结束日期，请调换 / the first day is after the last".into(),
        });
    }
    if (request.to - request.from).num_days() >= MAX_DAYS {
        return Err(AppError::Field {
            field: "from",
            message: format!("一次最多查看 {MAX_DAYS} 天，请缩短日期范围 / at most {MAX_DAYS} days at a time"),
        });
    }
    Ok(())
}

/// The figures for a checked request.
pub async fn report(site: &Site, grants: &Grants, request: ReportRequest) -> Result<VisitReport, AppError> {
    check(grants, &request)?;
    let catalog = &site.catalog;
    let columns: Vec<String> = match &request.column {
        Some(top) => {
            if catalog.column(top).is_none_or(|c| c.parent.is_some()) {
                return Err(AppError::Field { field: "column", message: "没有这个栏目 / no such column".into() });
            }
            catalog.subtree(top).into_iter().map(str::to_owned).collect()
        }
        None => vec![],
    };
    let query = |group| VisitQuery {
        region_prefixes: vec![scope_prefix(request.region)],
        from: request.from,
        to: request.to,
        columns: columns.clone(),
        item: None,
        group,
    };
    let store = &site.store;
    let by_day: HashMap<NaiveDate, (i64, i64)> = store
        .visit_totals(&query(VisitGroup::Day))
        .await?
        .into_iter()
        .filter_map(|t| Some((t.day?, (t.views, t.visitors))))
        .collect();
    let days: Vec<Figure> = request
        .from
        .iter_days()
        .take_while(|d| *d <= request.to)
        .map(|d| {
            let (views, visitors) = by_day.get(&d).copied().unwrap_or_default();
            Figure { key: d.to_string(), label: d.format("%m-%d").to_string(), views, visitors }
        })
        .collect();

    // Places: a county's towns, a town's villages (a village: itself).
    let regions = site.regions();
    let place_level = match request.region.level() {
        CodeLevel::Village | CodeLevel::Town => CodeLevel::Village,
        _ => CodeLevel::Town,
    };
    let mut places: HashMap<RegionCode, (i64, i64)> = HashMap::new();
    for t in store.visit_totals(&query(VisitGroup::Village)).await? {
        let Some(village) = t.village else { continue };
        let entry = places.entry(village.ancestor_at(place_level)).or_default();
        entry.0 += t.views;
        entry.1 += t.visitors;
    }
    let mut places: Vec<Figure> = places
        .into_iter()
        .map(|(code, (views, visitors))| Figure {
            key: code.to_string(),
            label: regions.get(code).map_or_else(|| code.to_string(), |r| r.name.clone()),
            views,
            visitors,
        })
        .collect();
    places.sort_by(|a, b| b.views.cmp(&a.views).then_with(|| a.key.cmp(&b.key)));

    let mut tops: HashMap<String, (i64, i64)> = HashMap::new();
    for t in store.visit_totals(&query(VisitGroup::Column)).await? {
        let column = t.column.unwrap_or_default();
        let top = catalog.top_of(&column).map_or(column, |c| c.id.clone());
        let entry = tops.entry(top).or_default();
        entry.0 += t.views;
        entry.1 += t.visitors;
    }
    let mut columns: Vec<Figure> = tops
        .into_iter()
        .map(|(id, (views, visitors))| Figure {
            label: catalog.column(&id).map_or_else(|| id.clone(), |c| c.name.clone()),
            key: id,
            views,
            visitors,
        })
        .collect();
    columns.sort_by(|a, b| b.views.cmp(&a.views).then_with(|| a.key.cmp(&b.key)));

    Ok(VisitReport {
        views: days.iter().map(|d| d.views).sum(),
        visitors: days.iter().map(|d| d.visitors).sum(),
        request,
        days,
        places,
        columns,
    })
}

/// The report as CSV: one line a day, then one a place and one a column, each with its kind.
pub fn to_csv(report: &VisitReport) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(vec![]);
    let fail = |e: csv::Error| AppError::Invalid(format!("CSV: {e}"));
    w.write_record(["kind", "key", "name", "views", "visitors"]).map_err(fail)?;
    let rows = report
        .days
        .iter()
        .map(|f| ("day", f))
        .chain(report.places.iter().map(|f| ("region", f)))
        .chain(report.columns.iter().map(|f| ("column", f)));
    for (kind, f) in rows {
        let name = if kind == "day" { f.key.as_str() } else { f.label.as_str() };
        w.write_record([kind, &f.key, name, &f.views.to_string(), &f.visitors.to_string()]).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| AppError::Invalid(format!("CSV: {e}")))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use yangguang_core::staff::{Grant, Role};

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn request(region: &str, from: (u32, u32), to: (u32, u32)) -> ReportRequest {
        ReportRequest {
            region: code(region),
            from: NaiveDate::from_ymd_opt(2026, from.0, from.1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, to.0, to.1).unwrap(),
            column: None,
        }
    }

    #[test]
    fn staff_see_only_their_regions_and_ranges_are_bounded() {
        let town = Grants(vec![Grant::new(Role::TownshipReviewer, code("339921100000")).unwrap()]);
        assert!(check(&town, &request("339921100000", (1, 1), (1, 31))).is_ok());
        assert!(check(&town, &request("339921100201", (1, 1), (1, 31))).is_ok());
        assert!(matches!(check(&town, &request("339921000000", (1, 1), (1, 31))), Err(AppError::Forbidden(_))));
        assert!(matches!(check(&town, &request("339921200201", (1, 1), (1, 31))), Err(AppError::Forbidden(_))));
        assert!(matches!(
            check(&town, &request("339921100000", (2, 1), (1, 31))),
            Err(AppError::Field { field: "from", .. })
        ));
        assert!(check(&town, &request("339921100000", (1, 1), (12, 31))).is_ok());
        let mut long = request("339921100000", (1, 1), (12, 31));
        long.from = NaiveDate::from_ymd_opt(2025, 12, 30).unwrap();
        assert!(matches!(check(&town, &long), Err(AppError::Field { .. })));
    }
}
