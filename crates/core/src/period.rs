//! Disclosure periods (公开期): the month, quarter, half-year or year a disclosure covers, or
//! the day of the event it reports, with a stable text form used in URLs and the database:
//! `2026-03`, `2026-Q1`, `2026-H1`, `2026`, `2026-03-05`. What people type ("2026年11月",
//! "2026年第四季度") is read by `Period::parse_human` (module `period_input`).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Month {
        year: i32,
        month: u32,
    },
    Quarter {
        year: i32,
        quarter: u32,
    },
    HalfYear {
        year: i32,
        half: u32,
    },
    Year {
        year: i32,
    },
    /// The day of an event (a resolution, a change, a deal) for items published per event.
    Day {
        year: i32,
        month: u32,
        day: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("公开期 “{0}” 无效，应为 2026-03、2026-Q1、2026-H1、2026 或 2026-03-05 / invalid period")]
pub struct PeriodError(pub String);

impl Period {
    pub fn start(self) -> NaiveDate {
        if let Self::Day { year, month, day } = self {
            return NaiveDate::from_ymd_opt(year, month, day).expect("validated period");
        }
        let (year, month) = match self {
            Self::Month { year, month } => (year, month),
            Self::Quarter { year, quarter } => (year, quarter * 3 - 2),
            Self::HalfYear { year, half } => (year, half * 6 - 5),
            Self::Year { year } | Self::Day { year, .. } => (year, 1),
        };
        NaiveDate::from_ymd_opt(year, month, 1).expect("validated period")
    }

    /// The last day of the period.
    pub fn end(self) -> NaiveDate {
        self.next().start().pred_opt().expect("dates are in range")
    }

    pub fn next(self) -> Self {
        match self {
            Self::Month { year, month: 12 } => Self::Month { year: year + 1, month: 1 },
            Self::Month { year, month } => Self::Month { year, month: month + 1 },
            Self::Quarter { year, quarter: 4 } => Self::Quarter { year: year + 1, quarter: 1 },
            Self::Quarter { year, quarter } => Self::Quarter { year, quarter: quarter + 1 },
            Self::HalfYear { year, half: 2 } => Self::HalfYear { year: year + 1, half: 1 },
            Self::HalfYear { year, half } => Self::HalfYear { year, half: half + 1 },
            Self::Year { year } => Self::Year { year: year + 1 },
            Self::Day { .. } => Self::of_day(self.start().succ_opt().expect("dates are in range")),
        }
    }

    /// The event day `date`.
    pub fn of_day(date: NaiveDate) -> Self {
        Self::Day { year: date.year(), month: date.month(), day: date.day() }
    }

    /// The period of the same kind that contains `date`.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Self {
        let (year, month) = (date.year(), date.month());
        match kind {
            PeriodKind::Month => Self::Month { year, month },
            PeriodKind::Quarter => Self::Quarter { year, quarter: month.div_ceil(3) },
            PeriodKind::HalfYear => Self::HalfYear { year, half: month.div_ceil(6) },
            PeriodKind::Year => Self::Year { year },
            PeriodKind::Day => Self::of_day(date),
        }
    }

    pub fn kind(self) -> PeriodKind {
        match self {
            Self::Month { .. } => PeriodKind::Month,
            Self::Quarter { .. } => PeriodKind::Quarter,
            Self::HalfYear { .. } => PeriodKind::HalfYear,
            Self::Year { .. } => PeriodKind::Year,
            Self::Day { .. } => PeriodKind::Day,
        }
    }

    /// Chinese label for people: 2026年3月, 2026年第一季度, 2026年上半年, 2026年度.
    pub fn label_zh(self) -> String {
        match self {
            Self::Month { year, month } => format!("{year}年{month}月"),
            Self::Quarter { year, quarter } => {
                format!("{year}年第{}季度", ["一", "二", "三", "四"][quarter as usize - 1])
            }
            Self::HalfYear { year, half: 1 } => format!("{year}年上半年"),
            Self::HalfYear { year, .. } => format!("{year}年下半年"),
            Self::Year { year } => format!("{year}年度"),
            Self::Day { year, month, day } => format!("{year}年{month}月{day}日"),
        }
    }

    pub fn label_en(self) -> String {
        match self {
            Self::Month { year, month } => {
                let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                format!("{} {year}", names[month as usize - 1])
            }
            Self::Quarter { year, quarter } => format!("Q{quarter} {year}"),
            Self::HalfYear { year, half } => format!("H{half} {year}"),
            Self::Year { year } => format!("Year {year}"),
            Self::Day { .. } => self.start().format("%-d %b %Y").to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Month,
    Quarter,
    HalfYear,
    Year,
    Day,
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Self::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Self::HalfYear { year, half } => write!(f, "{year:04}-H{half}"),
            Self::Year { year } => write!(f, "{year:04}"),
            Self::Day { year, month, day } => write!(f, "{year:04}-{month:02}-{day:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PeriodError(s.to_owned());
        let year_of = |y: &str| -> Result<i32, PeriodError> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                let year: i32 = y.parse().map_err(|_| err())?;
                if (1949..=9999).contains(&year) {
                    return Ok(year);
                }
            }
            Err(err())
        };
        let number = |n: &str, max: u32| -> Result<u32, PeriodError> {
            match n.parse::<u32>() {
                Ok(v) if (1..=max).contains(&v) && n.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
                _ => Err(err()),
            }
        };
        let Some((y, rest)) = s.split_once('-') else {
            return Ok(Self::Year { year: year_of(s)? });
        };
        let year = year_of(y)?;
        if let Some(q) = rest.strip_prefix('Q') {
            Ok(Self::Quarter { year, quarter: number(q, 4)? })
        } else if let Some(h) = rest.strip_prefix('H') {
            Ok(Self::HalfYear { year, half: number(h, 2)? })
        } else if rest.len() == 2 {
            Ok(Self::Month { year, month: number(rest, 12)? })
        } else if let Some((m, d)) = rest.split_once('-')
            && m.len() == 2
            && d.len() == 2
        {
            let date = NaiveDate::from_ymd_opt(year, number(m, 12)?, number(d, 31)?).ok_or_else(err)?;
            Ok(Self::of_day(date))
        } else {
            Err(err())
        }
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn bounds_of_each_kind() {
        let q: Period = "2026-Q1".parse().unwrap();
        assert_eq!((q.start(), q.end()), (d(2026, 1, 1), d(2026, 3, 31)));
        let m: Period = "2024-02".parse().unwrap();
        assert_eq!(m.end(), d(2024, 2, 29));
        let h: Period = "2025-H2".parse().unwrap();
        assert_eq!((h.start(), h.end()), (d(2025, 7, 1), d(2025, 12, 31)));
        assert_eq!("2025".parse::<Period>().unwrap().end(), d(2025, 12, 31));
    }

    #[test]
    fn malformed_periods_are_refused() {
        for bad in [
            "",
            "2026-13",
            "2026-Q5",
            "2026-H3",
            "2026-3",
            "26-03",
            "2026-Q",
            "２０２６",
            "2026-00",
            "2026-02-30",
            "2026-1-05",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_read_naturally() {
        assert_eq!("2026-Q3".parse::<Period>().unwrap().label_zh(), "2026年第三季度");
        assert_eq!("2026-03".parse::<Period>().unwrap().label_en(), "Mar 2026");
    }

    proptest! {
        #[test]
        fn text_form_round_trips(year in 1949i32..9999, n in 1u32..=12, day in 1u32..=28, kind in 0u8..5) {
            let p = match kind {
                0 => Period::Month { year, month: n },
                4 => Period::Day { year, month: n, day },
                1 => Period::Quarter { year, quarter: (n - 1) / 3 + 1 },
                2 => Period::HalfYear { year, half: (n - 1) / 6 + 1 },
                _ => Period::Year { year },
            };
            prop_assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
        }

        #[test]
        fn containing_period_contains_the_date(y in 1950i32..2100, doy in 0u32..365, kind in 0u8..5) {
            let date = d(y, 1, 1) + chrono::Days::new(u64::from(doy));
            let kind = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::HalfYear, PeriodKind::Year, PeriodKind::Day][kind as usize];
            let p = Period::containing(kind, date);
            prop_assert!(p.start() <= date && date <= p.end());
            prop_assert_eq!(p.next().start(), p.end().succ_opt().unwrap());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            let _ = s.parse::<Period>();
        }
    }
}
