//! Calendar dates are China Standard Time (UTC+8, no daylight saving); timestamps are UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The calendar date in China at the given instant.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china()).date_naive()
}

/// `2026-03-05 14:30` in China time.
pub fn format_china(at: DateTime<Utc>) -> String {
    at.with_timezone(&china()).format("%Y-%m-%d %H:%M").to_string()
}
