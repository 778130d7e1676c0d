//! The warnings' thresholds as supervisors set them (issue 15): which regions a reader sees
//! and may change, what a new override must satisfy (the shipped file's name and range checks,
//! an effective date of today or later), its audit entry and kept history, and the recompute of
//! the villages it reaches, so the console shows the new result at once.
//!
//! The rules on values are `core::warning`'s (`check_threshold`); the words people read for
//! the names, units and refusals are in `i18n::ThresholdTexts`; pages are the web's.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use yangguang_core::RegionCode;
use yangguang_core::region::CodeLevel;
use yangguang_core::staff::{Grants, Role};
use yangguang_core::warning::{Override, ThresholdError, Thresholds, check_threshold};
use yangguang_store::ThresholdChange;

use crate::publishing::Actor;
use crate::{AppError, Site};

/// The roles that change a region's thresholds: those that supervise it, except the discipline
/// commission, which reads the thresholds and their history but does not tune the alarms it
/// watches others by.
const SETTING: [Role; 4] = [Role::TownshipReviewer, Role::CountyOperator, Role::CatalogAdmin, Role::PlatformAdmin];

/// Whether these grants may set the thresholds of `region` (a county or a town at or under a
/// region they supervise in a setting role): a town's staff set their town's, never the
/// county's.
pub fn may_set(grants: &Grants, region: RegionCode) -> bool {
    matches!(region.level(), CodeLevel::County | CodeLevel::Town)
        && grants.0.iter().any(|g| SETTING.contains(&g.role) && region.ancestor_at(g.region.level()) == g.region)
}

/// The counties and towns whose thresholds the reader sees, in code order: for each region they
/// supervise, that county (or the counties under a city) and each of its towns, or their town.
pub fn visible_regions(site: &Site, grants: &Grants) -> Vec<RegionCode> {
    let regions = site.regions();
    let mut out = BTreeSet::new();
    let mut stack = crate::calendar::supervised_regions(grants);
    while let Some(code) = stack.pop() {
        match code.level() {
            CodeLevel::Province | CodeLevel::City => stack.extend(regions.children(code).map(|r| r.code)),
            CodeLevel::County => {
                out.insert(code);
                out.extend(regions.children(code).filter(|r| r.code.level() == CodeLevel::Town).map(|r| r.code));
            }
            CodeLevel::Town => {
                out.insert(code);
            }
            CodeLevel::Village => {}
        }
    }
    out.into_iter().filter(|c| regions.get(*c).is_some()).collect()
}

/// Why a new override was refused, with the form field it concerns; the words are
/// `i18n::ThresholdTexts::refusal`'s, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No threshold of that name.
    UnknownName(String),
    /// Not a county or town the platform knows.
    UnknownRegion,
    /// A region the reader may not set (another county, their county as a town's staff…).
    OutsideScope,
    /// Not a whole number.
    NotANumber,
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// Not a date (年-月-日).
    BadDate,
    /// Before today: past days' warnings were found with the values then in force.
    PastDate {
        today: NaiveDate,
    },
}

impl Refusal {
    /// The form field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::UnknownName(_) => "name",
            Refusal::UnknownRegion | Refusal::OutsideScope => "region",
            Refusal::NotANumber | Refusal::OutOfRange { .. } => "value",
            Refusal::BadDate | Refusal::PastDate { .. } => "from",
        }
    }
}

/// Why setting an override did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<yangguang_store::StoreError> for SetError {
    fn from(e: yangguang_store::StoreError) -> Self {
        SetError::App(e.into())
    }
}

/// A new override as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed {
    pub name: String,
    pub region: String,
    pub value: String,
    pub from: String,
}

/// A whole number as people type it: full-width digits, thousands separators and spaces
/// allowed (１，０００ and 1,000 are 1000).
pub fn parse_value(text: &str) -> Option<i64> {
    let plain: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}' | '_'))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' => '-',
            c => c,
        })
        .collect();
    if plain.is_empty() {
        return None;
    }
    plain.parse().ok()
}

/// A date as a date field sends it (2026-12-07), or typed as 2026/12/7 or 2026年12月7日.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let parts: Vec<&str> = t.trim_end_matches('日').split(['-', '/', '.', '年', '月']).map(str::trim).collect();
    let [y, m, d] = parts.as_slice() else { return None };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Checks a typed override for the reader on `today`: the first problem, field by field in
/// the form's order.
pub fn check(site: &Site, grants: &Grants, typed: &Typed, today: NaiveDate) -> Result<Override, Refusal> {
    let name = typed.name.trim();
    if !Thresholds::NAMES.iter().any(|(n, ..)| *n == name) {
        return Err(Refusal::UnknownName(name.to_owned()));
    }
    let region = RegionCode::parse(&typed.region).map_err(|_| Refusal::UnknownRegion)?;
    if !matches!(region.level(), CodeLevel::County | CodeLevel::Town) || site.regions().get(region).is_none() {
        return Err(Refusal::UnknownRegion);
    }
    if !may_set(grants, region) {
        return Err(Refusal::OutsideScope);
    }
    let value = parse_value(&typed.value).ok_or(Refusal::NotANumber)?;
    match check_threshold(name, value) {
        Ok(()) => {}
        Err(ThresholdError::OutOfRange { min, max, .. }) => return Err(Refusal::OutOfRange { min, max }),
        Err(_) => return Err(Refusal::UnknownName(name.to_owned())),
    }
    let from = parse_date(&typed.from).ok_or(Refusal::BadDate)?;
    if from < today {
        return Err(Refusal::PastDate { today });
    }
    Ok(Override { region, name: name.to_owned(), value, from })
}

/// What a change did: the override, and the recompute of the villages it reaches.
#[derive(Debug, Clone)]
pub struct Applied {
    pub value: Override,
    pub outcome: super::Outcome,
}

/// Sets an override for the reader: checked, stored with its history, audited
/// (`warning.threshold`), and the villages under its region recomputed as of today.
pub async fn set_override(
    site: &Site,
    actor: &Actor<'_>,
    typed: &Typed,
    now: DateTime<Utc>,
) -> Result<Applied, SetError> {
    let today = yangguang_core::time::china_date(now);
    let value = check(site, &actor.who.grants(), typed, today).map_err(SetError::Refused)?;
    let staff = &actor.who.staff;
    let by = format!("{}（{}）", staff.display_name, staff.username);
    site.store.put_threshold_override(&value, &by, now).await?;
    let detail = format!("{} = {}，自 {} 起", value.name, value.value, value.from);
    crate::auth::audit(
        site,
        Some(staff),
        actor.ip,
        "warning.threshold",
        &format!("threshold:{}", value.region),
        &detail,
    )
    .await;
    // A value from a later day changes nothing today; that day's recompute picks it up.
    let villages = crate::calendar::villages_under(site, value.region);
    let outcome = super::refresh(site, &villages, today, now).await?;
    Ok(Applied { value, outcome })
}

/// The history of the regions' overrides, newest first.
pub async fn history(site: &Site, regions: &[RegionCode]) -> Result<Vec<ThresholdChange>, AppError> {
    Ok(site.store.threshold_changes(regions).await?)
}

/// Recomputes, once a day, the villages under the regions whose overrides come into force on
/// `now`'s day (those set ahead of time), or on any day since the last run of this server;
/// the first run after a start looks back a week, so a restart over midnight misses nothing.
pub async fn apply_starting(site: &Site, now: DateTime<Utc>) -> Result<Option<super::Outcome>, AppError> {
    let today = yangguang_core::time::china_date(now);
    let since = {
        let mut last = site.warnings.thresholds_day.lock().expect("warnings lock");
        if *last == Some(today) {
            return Ok(None);
        }
        let since = last.map(|d| d + chrono::Days::new(1)).unwrap_or(today - chrono::Days::new(7));
        *last = Some(today);
        since
    };
    let (_, overrides) = super::thresholds(site).await?;
    let regions: BTreeSet<RegionCode> =
        overrides.iter().filter(|o| o.from >= since && o.from <= today).map(|o| o.region).collect();
    if regions.is_empty() {
        return Ok(None);
    }
    let mut villages: Vec<RegionCode> =
        regions.iter().flat_map(|r| crate::calendar::villages_under(site, *r)).collect();
    villages.sort();
    villages.dedup();
    match super::refresh(site, &villages, today, now).await {
        Ok(outcome) => Ok(Some(outcome)),
        Err(e) => {
            // Try again at the next tick rather than losing the day.
            *site.warnings.thresholds_day.lock().expect("warnings lock") = since.pred_opt();
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yangguang_core::staff::Grant;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn a_town_sets_its_own_and_a_county_its_towns() {
        let town = Grants(vec![Grant::new(Role::TownshipReviewer, code("339921100000")).unwrap()]);
        assert!(may_set(&town, code("339921100000")));
        assert!(!may_set(&town, code("339921000000")), "a town cannot change its county's");
        assert!(!may_set(&town, code("339921101000")), "nor another town's");
        let county = Grants(vec![Grant::new(Role::CountyOperator, code("339921000000")).unwrap()]);
        assert!(may_set(&county, code("339921000000")) && may_set(&county, code("339921101000")));
        assert!(!may_set(&county, code("339921100201")), "villages have no thresholds of their own");
        assert!(!may_set(&county, code("339922000000")), "another county");
        let commission = Grants(vec![Grant::new(Role::DisciplineCommission, code("339921000000")).unwrap()]);
        assert!(!may_set(&commission, code("339921000000")));
    }

    #[test]
    fn values_and_dates_are_read_as_people_type_them() {
        assert_eq!(parse_value("1,000"), Some(1_000));
        assert_eq!(parse_value(" １２００ "), Some(1_200));
        assert_eq!(parse_value("1000.5"), None);
        assert_eq!(parse_value(""), None);
        assert_eq!(parse_value("-5"), Some(-5));
        let d = NaiveDate::from_ymd_opt(2026, 12, 7);
        assert_eq!(parse_date("2026-12-07"), d);
        assert_eq!(parse_date("2026/12/7"), d);
        assert_eq!(parse_date("2026年12月7日"), d);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("明天"), None);
    }
}
