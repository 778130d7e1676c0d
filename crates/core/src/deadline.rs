//! Deadline rules of the catalog (`period-end+20d`, `event+20wd`, …) and the day each one
//! falls on. Working days (`wd`) are counted with the holiday calendar ([`Holidays`]): public
//! holidays skipped, adjusted working days (调休) counted.

use std::fmt;

use chrono::{Days, NaiveDate};

use crate::holidays::Holidays;
use crate::period::Period;

/// When an item must be published, relative to its period or event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineRule {
    /// `period-end+20d`: calendar days after the period's last day ("Q20").
    AfterPeriodEnd { days: u32, working: bool },
    /// `event+5d` / `event+20wd`: after the event (a change, a resolution, a deal).
    AfterEvent { days: u32, working: bool },
    /// `before-event`: before the decision or tender it announces.
    BeforeEvent,
    /// `always`: kept visible for as long as it is in force.
    Always,
}

impl DeadlineRule {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s {
            "before-event" => return Ok(Self::BeforeEvent),
            "always" => return Ok(Self::Always),
            _ => {}
        }
        let bad = || {
            format!(
                "期限规则 “{s}” 无效，应为 period-end+Nd、period-end+Nwd、event+Nd、event+Nwd、before-event 或 always"
            )
        };
        let (anchor, offset) = s.split_once('+').ok_or_else(bad)?;
        let (digits, working) = if let Some(d) = offset.strip_suffix("wd") {
            (d, true)
        } else if let Some(d) = offset.strip_suffix('d') {
            (d, false)
        } else {
            return Err(bad());
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 3 {
            return Err(bad());
        }
        let days = digits.parse().map_err(|_| bad())?;
        match anchor {
            "period-end" => Ok(Self::AfterPeriodEnd { days, working }),
            "event" => Ok(Self::AfterEvent { days, working }),
            _ => Err(bad()),
        }
    }

    /// The last day to publish an item for `period`, for period-anchored rules.
    pub fn deadline_for(self, period: Period, holidays: &Holidays) -> Option<NaiveDate> {
        match self {
            Self::AfterPeriodEnd { days, working } => Some(add_days(period.end(), days, working, holidays)),
            _ => None,
        }
    }

    /// The last day to publish an item about an event on `event`: for `before-event` items
    /// the day before it.
    pub fn deadline_after_event(self, event: NaiveDate, holidays: &Holidays) -> Option<NaiveDate> {
        match self {
            Self::AfterEvent { days, working } => Some(add_days(event, days, working, holidays)),
            Self::BeforeEvent => event.pred_opt(),
            _ => None,
        }
    }

    pub fn describe_zh(self) -> String {
        match self {
            Self::AfterPeriodEnd { days, working } => {
                format!("期末后{days}个{}日内", if working { "工作" } else { "自然" })
            }
            Self::AfterEvent { days: 0, .. } => "即时公开".into(),
            Self::AfterEvent { days, working } => {
                format!("发生后{days}个{}日内", if working { "工作" } else { "自然" })
            }
            Self::BeforeEvent => "事前公开".into(),
            Self::Always => "长期公开".into(),
        }
    }
}

/// Calendar days, or working days counted with the holiday calendar.
fn add_days(from: NaiveDate, days: u32, working: bool, holidays: &Holidays) -> NaiveDate {
    if working { holidays.add_working_days(from, days) } else { from + Days::new(u64::from(days)) }
}

impl fmt::Display for DeadlineRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = |w: bool| if w { "wd" } else { "d" };
        match self {
            Self::AfterPeriodEnd { days, working } => {
                write!(f, "period-end+{days}{}", unit(*working))
            }
            Self::AfterEvent { days, working } => write!(f, "event+{days}{}", unit(*working)),
            Self::BeforeEvent => f.write_str("before-event"),
            Self::Always => f.write_str("always"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_rules_round_trip_and_compute() {
        for s in ["period-end+20d", "event+20wd", "event+5d", "before-event", "always"] {
            assert_eq!(DeadlineRule::parse(s).unwrap().to_string(), s);
        }
        for bad in ["period-end+", "period-end+5", "event+-1d", "soon", "event+5w"] {
            assert!(DeadlineRule::parse(bad).is_err(), "{bad}");
        }
        let none = Holidays::none();
        let q20 = DeadlineRule::parse("period-end+20d").unwrap();
        let q1: Period = "2026-Q1".parse().unwrap();
        assert_eq!(q20.deadline_for(q1, &none), NaiveDate::from_ymd_opt(2026, 4, 20));
        // 2026-11-20 is a Friday: five working days later is the next Friday.
        let wd = DeadlineRule::parse("event+5wd").unwrap();
        let friday = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(wd.deadline_after_event(friday, &none), NaiveDate::from_ymd_opt(2026, 11, 27));
        let before = DeadlineRule::BeforeEvent;
        assert_eq!(before.deadline_after_event(friday, &none), NaiveDate::from_ymd_opt(2026, 11, 19));
    }

    #[test]
    fn working_day_deadlines_follow_the_holiday_file() {
        let holidays =
            Holidays::parse("holidays.toml", include_str!("../../../catalog/holidays.toml")).expect("shipped file");
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        // A change on Monday 28 Sep 2026: 20 working days, National Day (1–7 Oct) skipped and
        // Saturday 10 Oct worked: 29, 30 Sep, 8, 9, 10, 12–16, 19–23, 26–30 Oct.
        let rule = DeadlineRule::parse("event+20wd").unwrap();
        assert_eq!(rule.deadline_after_event(day(9, 28), &holidays), Some(day(10, 30)));
        assert_eq!(rule.deadline_after_event(day(9, 28), &Holidays::none()), Some(day(10, 26)));
        // A period-end rule in working days: September 2026 + 3 wd is 8, 9 and Saturday 10 Oct.
        let pe = DeadlineRule::parse("period-end+3wd").unwrap();
        assert_eq!(pe.deadline_for("2026-09".parse().unwrap(), &holidays), Some(day(10, 10)));
    }
}
