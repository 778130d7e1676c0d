//! A year of plausible page views for the demo county (访问统计): about 130,000 a year across
//! its 229 villages, as the real county reported "over 100,000 visits a year". More on
//! weekends (people are home) and in the first days of a month (the monthly accounts appear),
//! more in the months the half-year and year-end finances are published, more in busy
//! villages and communities; a day's views spread over the home, the finance column, recent
//! items and the other columns. Deterministic for a seed.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use yangguang_core::{Region, RegionKind};
use yangguang_store::{DisclosureQuery, VisitCount};

use super::{DemoOptions, Rng};
use crate::{AppError, Site};

/// Average views a day of an average village, before the day's factors.
const BASE: f64 = 1.45;

fn day_factor(day: NaiveDate) -> f64 {
    let weekday = match day.weekday() {
        Weekday::Sat | Weekday::Sun => 1.3,
        _ => 0.88,
    };
    // The monthly accounts are published in the first days of the month.
    let month_start = if day.day() <= 5 { 1.6 } else { 0.93 };
    // Half-year and year-end finances, and the Spring Festival's homecoming (January–February).
    let month = match day.month() {
        1 | 7 => 1.35,
        2 => 1.2,
        4 | 10 => 1.1,
        _ => 0.92,
    };
    weekday * month_start * month
}

/// Adds the year ending `options.as_of` of views to every village; the number of views.
pub async fn add_visits(site: &Site, villages: &[&Region], options: &DemoOptions) -> Result<i64, AppError> {
    let first = options.as_of - Days::new(364);
    let mut total = 0;
    let mut rows: Vec<VisitCount> = vec![];
    for village in villages {
        let mut rng = Rng::new(options.seed ^ 0x5157_0000 ^ village.code.to_string().parse::<u64>().unwrap_or(0));
        // Some villages read their board a lot, some hardly: communities more.
        let interest = if village.kind == RegionKind::Community { 1.2 } else { 0.9 } * (0.35 + rng.unit() * 1.3);
        let recent = site
            .store
            .list_disclosures(&DisclosureQuery { village: village.code, columns: vec![], page: 1, per_page: 60 })
            .await?
            .items;
        let mut day = first;
        while day <= options.as_of {
            let expected = BASE * interest * day_factor(day);
            let views = (expected * (0.4 + rng.unit() * 1.2) + rng.unit()) as i64;
            if views > 0 {
                // The items published by that day, newest first.
                let readable: Vec<_> =
                    recent.iter().filter(|d| d.published_at.is_some_and(|p| p.date_naive() <= day)).take(12).collect();
                let mut home = 0;
                let mut pages: Vec<(String, i64)> = vec![];
                for _ in 0..views {
                    let roll = rng.below(100);
                    if roll < 40 {
                        home += 1;
                    } else if roll < 62 || readable.is_empty() {
                        pages.push(("finance".into(), 0));
                    } else if roll < 85 {
                        let d = readable[rng.below(readable.len().min(6) as u64) as usize];
                        pages.push((d.column.clone(), d.id.0));
                    } else {
                        let columns = ["party", "affairs", "assets", "governance", "affairs-welfare", "finance-income"];
                        pages.push((rng.pick(&columns).to_string(), 0));
                    }
                }
                // Most views are one person's several pages: visitors are counted on the first.
                let visitors = ((views as f64) * (0.55 + rng.unit() * 0.2)).ceil() as i64;
                rows.push(VisitCount {
                    day,
                    village: village.code,
                    column: String::new(),
                    item: 0,
                    views: home,
                    visitors,
                });
                pages.sort();
                for (column, item) in pages {
                    match rows.last_mut() {
                        Some(last) if last.day == day && last.column == column && last.item == item => last.views += 1,
                        _ => rows.push(VisitCount { day, village: village.code, column, item, views: 1, visitors: 0 }),
                    }
                }
                total += views;
            }
            day = day + Days::new(1);
        }
        if rows.len() >= 20_000 {
            site.store.add_visits(&crate::visits::tally::merge(std::mem::take(&mut rows))).await?;
        }
    }
    site.store.add_visits(&crate::visits::tally::merge(rows)).await?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_month_starts_and_finance_months_are_busier() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        // 2026-03-14 is a Saturday, 2026-03-11 a Wednesday.
        assert!(day_factor(d(3, 14)) > day_factor(d(3, 11)));
        assert!(day_factor(d(3, 2)) > day_factor(d(3, 11)));
        assert!(day_factor(d(7, 16)) > day_factor(d(3, 11)));
        let year: f64 = d(1, 1).iter_days().take(365).map(day_factor).sum();
        assert!((0.95..1.15).contains(&(year / 365.0)), "the factors average about 1: {}", year / 365.0);
    }
}
