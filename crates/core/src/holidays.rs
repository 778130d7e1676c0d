//! China's public holidays and adjusted working days (调休) as data: parsed from the
//! `holidays.toml` an operator keeps up to date each year, validated with every problem
//! located by file and line, and the working-day arithmetic every `…wd` deadline uses.
//!
//! A working day is Monday to Friday, except the notice's days off, plus the weekend days the
//! notice declares worked. A year the file does not list counts Monday to Friday.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use toml::Spanned;

use crate::catalog::CatalogError;

/// The holiday calendar: the days off and the adjusted working days of the years it covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    /// Each listed day: `true` worked (调休上班), `false` off (放假).
    days: HashMap<NaiveDate, bool>,
    years: BTreeSet<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidaysFile {
    #[serde(default)]
    year: Vec<Spanned<RawYear>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Spanned<i32>,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    off: Vec<RawGroup>,
    #[serde(default)]
    work: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    #[allow(dead_code)]
    name: String,
    days: Vec<Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

fn weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Holidays {
    /// No holidays at all: Monday to Friday every year.
    pub fn none() -> Self {
        Self::default()
    }

    /// Parses and validates the file; every problem found is returned, not just the first.
    pub fn parse(file: &str, text: &str) -> Result<Self, Vec<CatalogError>> {
        let mut errors = vec![];
        let mut err = |offset: usize, message: String| {
            errors.push(CatalogError { file: file.to_owned(), line: line_of(text, offset), message })
        };
        let raw: HolidaysFile = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                err(e.span().map_or(0, |s| s.start), e.message().to_owned());
                return Err(errors);
            }
        };
        let mut out = Self::none();
        for entry in raw.year {
            let year_span = entry.span().start;
            let raw = entry.into_inner();
            let year = *raw.year.get_ref();
            if !(2000..=2100).contains(&year) {
                err(raw.year.span().start, format!("年份 {year} 无效，应在 2000 到 2100 之间 / invalid year"));
                continue;
            }
            if !out.years.insert(year) {
                err(raw.year.span().start, format!("{year} 年重复出现 / the year {year} is listed twice"));
                continue;
            }
            if raw.off.is_empty() {
                err(year_span, format!("{year} 年没有列出放假日期（off）/ no days off listed for {year}"));
            }
            let _ = raw.notice;
            for (groups, worked) in [(&raw.off, false), (&raw.work, true)] {
                for day in groups.iter().flat_map(|g| &g.days) {
                    let at = day.span().start;
                    let Ok(date) = NaiveDate::parse_from_str(day.get_ref(), "%Y-%m-%d") else {
                        err(at, format!("日期 “{}” 无效，应写成 2026-10-01 / invalid date", day.get_ref()));
                        continue;
                    };
                    if date.year() != year {
                        err(at, format!("日期 {date} 不在 {year} 年内 / {date} is not in {year}"));
                        continue;
                    }
                    if worked && !weekend(date) {
                        err(
                            at,
                            format!(
                                "调休上班日 {date} 不是周六或周日（工作日本来就上班）/ an adjusted working day must be a weekend day"
                            ),
                        );
                        continue;
                    }
                    if out.days.insert(date, worked).is_some() {
                        err(at, format!("日期 {date} 重复出现（或既放假又上班）/ {date} is listed twice"));
                    }
                }
            }
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }

    /// The years the file lists.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether the file lists `year` (when not, working days are Monday to Friday).
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some(&worked) => worked,
            None => !weekend(date),
        }
    }

    /// The day `days` working days after `from` (`from` itself not counted): the last day of
    /// a "within N working days" deadline.
    pub fn add_working_days(&self, from: NaiveDate, days: u32) -> NaiveDate {
        let mut date = from;
        let mut left = days;
        while left > 0 {
            date = date.succ_opt().expect("dates are in range");
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut date = from;
        while date < to {
            date = date.succ_opt().expect("dates are in range");
            if self.is_working_day(date) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../catalog/holidays.toml");

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn shipped() -> Holidays {
        Holidays::parse("holidays.toml", SHIPPED).unwrap()
    }

    #[test]
    fn the_shipped_file_matches_the_state_council_notices() {
        let h = shipped();
        assert_eq!(h.years().collect::<Vec<_>>(), vec![2024, 2025, 2026], "2027 is not announced yet");
        // 2025: New Year's Day; Spring Festival 28 Jan – 4 Feb with 26 Jan and 8 Feb worked;
        // National Day and Mid-Autumn 1–8 Oct with 28 Sep and 11 Oct worked.
        assert!(!h.is_working_day(d(2025, 1, 1)));
        for day in 28..=31 {
            assert!(!h.is_working_day(d(2025, 1, day)));
        }
        for day in 1..=4 {
            assert!(!h.is_working_day(d(2025, 2, day)));
        }
        assert!(h.is_working_day(d(2025, 1, 26)) && h.is_working_day(d(2025, 2, 8)), "Sunday and Saturday worked");
        for day in 1..=8 {
            assert!(!h.is_working_day(d(2025, 10, day)), "2025-10-{day}");
        }
        assert!(h.is_working_day(d(2025, 9, 28)) && h.is_working_day(d(2025, 10, 11)));
        assert!(h.is_working_day(d(2025, 10, 9)), "an ordinary Thursday");
        // 2024: Spring Festival 10–17 Feb with 4 Feb and 18 Feb worked.
        assert!(!h.is_working_day(d(2024, 2, 12)) && h.is_working_day(d(2024, 2, 18)));
        // A year not listed counts Monday to Friday.
        assert!(h.is_working_day(d(2027, 10, 1)), "a Friday in an unlisted year");
        assert!(!h.is_working_day(d(2027, 10, 2)));
    }

    #[test]
    fn working_days_skip_holidays_and_count_adjusted_days() {
        let h = shipped();
        // From Friday 24 Jan 2025, 6 working days: Sun 26 (worked), Mon 27, then the Spring
        // Festival off until Wed 5 Feb, Thu 6, Fri 7, Sat 8 (worked).
        assert_eq!(h.add_working_days(d(2025, 1, 24), 6), d(2025, 2, 8));
        // Without the holiday file the same count ends on Monday 3 Feb.
        assert_eq!(Holidays::none().add_working_days(d(2025, 1, 24), 6), d(2025, 2, 3));
        // 20 working days from 30 Sep 2025: 9, 10, 11 Oct (worked), 13–17, 20–24, 27–31, 3, 4 Nov.
        assert_eq!(h.add_working_days(d(2025, 9, 30), 20), d(2025, 11, 4));
        assert_eq!(h.working_days_between(d(2025, 9, 30), d(2025, 11, 4)), 20);
        assert_eq!(h.add_working_days(d(2025, 3, 3), 0), d(2025, 3, 3));
    }

    #[test]
    fn problems_name_the_file_and_line() {
        let text = "[[year]]\nyear = 2025\noff = [\n  { name = \"元旦\", days = [\"2025-13-01\"] },\n]\n\
                    work = [\n  { name = \"x\", days = [\"2025-01-02\", \"2026-01-03\"] },\n]\n\
                    [[year]]\nyear = 2025\noff = []\n";
        let errors = Holidays::parse("holidays.toml", text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 7, 7, 10], "{errors:?}");
        assert!(errors[0].message.contains("2025-13-01"));
        assert!(errors[1].message.contains("周六或周日"), "{}", errors[1].message);
        assert!(errors[2].message.contains("不在 2025 年内"));
        assert!(errors[3].message.contains("重复"));
        let syntax = Holidays::parse("holidays.toml", "[[year]]\nyear = \n").unwrap_err();
        assert_eq!(syntax[0].line, 2, "{syntax:?}");
        let both = "[[year]]\nyear = 2025\noff = [{ name = \"a\", days = [\"2025-02-08\"] }]\n\
                    work = [{ name = \"b\", days = [\"2025-02-08\"] }]\n";
        let errors = Holidays::parse("h.toml", both).unwrap_err();
        assert_eq!(errors[0].line, 4);
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            /// N working days later is a working day, exactly N working days away, and never
            /// sooner than N weekdays' worth of calendar days would allow.
            #[test]
            fn adding_working_days_counts_exactly(start in 0i64..1500, n in 0u32..60) {
                let h = shipped();
                let from = d(2024, 1, 1) + chrono::Days::new(start as u64);
                let to = h.add_working_days(from, n);
                prop_assert_eq!(h.working_days_between(from, to), n);
                if n > 0 {
                    prop_assert!(h.is_working_day(to));
                    prop_assert!(to > from);
                }
                // Adding in two steps is the same as adding at once.
                let half = n / 2;
                prop_assert_eq!(h.add_working_days(h.add_working_days(from, half), n - half), to);
            }
        }
    }
}
