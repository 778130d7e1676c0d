//! The warnings' thresholds: defaults from `catalog/warnings.toml`, overridden per county and
//! per town from an effective date (a town's value wins over its county's from the town's date).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::region::CodeLevel;
use crate::{Fen, RegionCode};

/// Every threshold, as the whole numbers the file and the console edit (yuan, days, percent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// An overdue item turns red this many days after its deadline (yellow before).
    pub overdue_red_days: i64,
    /// A month with at least this many vouchers is busy: its accounts must be published.
    pub busy_month_vouchers: i64,
    /// Cash on hand limit (库存现金限额), yuan.
    pub cash_limit_yuan: i64,
    /// A cash payment above this is flagged, yuan.
    pub cash_payment_yuan: i64,
    /// Payments at or above this need approval: the split-payment threshold, yuan.
    pub approval_yuan: i64,
    /// Payments to one payee within this many days are looked at together.
    pub split_days: i64,
    /// Only payments of at least this share of the approval threshold count as parts of a split.
    pub split_min_share_percent: i64,
    /// A payment above this needs a decision record (四议两公开), yuan.
    pub large_payment_yuan: i64,
    /// A lease whose annual rent reaches this must go through the trading platform, yuan.
    pub must_trade_rent_yuan: i64,
    /// Rent due this many days ago and not received is in arrears.
    pub arrears_grace_days: i64,
    /// A month's spending above this percentage of the village's own and its peers' median.
    pub spike_percent: i64,
    /// … and above this amount, yuan (small villages' noise is not a spike).
    pub spike_min_yuan: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            overdue_red_days: 30,
            busy_month_vouchers: 10,
            cash_limit_yuan: 5_000,
            cash_payment_yuan: 1_000,
            approval_yuan: 10_000,
            split_days: 10,
            split_min_share_percent: 20,
            large_payment_yuan: 10_000,
            must_trade_rent_yuan: 50_000,
            arrears_grace_days: 30,
            spike_percent: 300,
            spike_min_yuan: 20_000,
        }
    }
}

/// Why a thresholds file or an override was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    #[error("预警阈值文件格式错误：{0}")]
    Syntax(String),
    #[error("未知的预警阈值「{0}」")]
    UnknownName(String),
    #[error("预警阈值「{name}」不能为 {value}（须在 {min} 到 {max} 之间）")]
    OutOfRange { name: String, value: i64, min: i64, max: i64 },
    #[error("覆盖设置的地区「{0}」必须是县或镇的代码")]
    Region(String),
}

impl Thresholds {
    /// Names (as in the file), Chinese labels and allowed ranges.
    pub const NAMES: [(&'static str, &'static str, i64, i64); 12] = [
        ("overdue_red_days", "逾期转红天数", 1, 365),
        ("busy_month_vouchers", "业务较多月份凭证数", 1, 10_000),
        ("cash_limit_yuan", "库存现金限额（元）", 0, 1_000_000),
        ("cash_payment_yuan", "现金支付限额（元）", 0, 10_000_000),
        ("approval_yuan", "审批金额（元）", 1, 100_000_000),
        ("split_days", "拆分支付观察天数", 1, 366),
        ("split_min_share_percent", "拆分单笔最低占比（%）", 0, 100),
        ("large_payment_yuan", "大额支出（元）", 1, 100_000_000),
        ("must_trade_rent_yuan", "应进场交易年租金（元）", 1, 100_000_000),
        ("arrears_grace_days", "租金拖欠宽限天数", 0, 366),
        ("spike_percent", "支出异常倍数（%）", 100, 10_000),
        ("spike_min_yuan", "支出异常最低金额（元）", 0, 100_000_000),
    ];

    pub fn get(&self, name: &str) -> Option<i64> {
        Some(match name {
            "overdue_red_days" => self.overdue_red_days,
            "busy_month_vouchers" => self.busy_month_vouchers,
            "cash_limit_yuan" => self.cash_limit_yuan,
            "cash_payment_yuan" => self.cash_payment_yuan,
            "approval_yuan" => self.approval_yuan,
            "split_days" => self.split_days,
            "split_min_share_percent" => self.split_min_share_percent,
            "large_payment_yuan" => self.large_payment_yuan,
            "must_trade_rent_yuan" => self.must_trade_rent_yuan,
            "arrears_grace_days" => self.arrears_grace_days,
            "spike_percent" => self.spike_percent,
            "spike_min_yuan" => self.spike_min_yuan,
            _ => return None,
        })
    }

    /// Sets one threshold, checking its name and range.
    pub fn set(&mut self, name: &str, value: i64) -> Result<(), ThresholdError> {
        check(name, value)?;
        let slot = match name {
            "overdue_red_days" => &mut self.overdue_red_days,
            "busy_month_vouchers" => &mut self.busy_month_vouchers,
            "cash_limit_yuan" => &mut self.cash_limit_yuan,
            "cash_payment_yuan" => &mut self.cash_payment_yuan,
            "approval_yuan" => &mut self.approval_yuan,
            "split_days" => &mut self.split_days,
            "split_min_share_percent" => &mut self.split_min_share_percent,
            "large_payment_yuan" => &mut self.large_payment_yuan,
            "must_trade_rent_yuan" => &mut self.must_trade_rent_yuan,
            "arrears_grace_days" => &mut self.arrears_grace_days,
            "spike_percent" => &mut self.spike_percent,
            "spike_min_yuan" => &mut self.spike_min_yuan,
            _ => return Err(ThresholdError::UnknownName(name.to_owned())),
        };
        *slot = value;
        Ok(())
    }

    /// The defaults of a `warnings.toml`: a `[defaults]` table of names to whole numbers
    /// (names left out keep the built-in value).
    pub fn parse_file(text: &str) -> Result<Thresholds, ThresholdError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            defaults: BTreeMap<String, i64>,
        }
        let file: File = toml::from_str(text).map_err(|e| ThresholdError::Syntax(e.to_string()))?;
        let mut out = Thresholds::default();
        for (name, value) in file.defaults {
            out.set(&name, value)?;
        }
        Ok(out)
    }

    pub fn fen(yuan: i64) -> Fen {
        Fen::from_yuan(yuan)
    }

    /// The thresholds in force for `village` on `day`: the defaults, then the latest county
    /// override in force, then the latest town override in force, name by name.
    pub fn resolve(&self, overrides: &[Override], village: RegionCode, day: NaiveDate) -> Thresholds {
        let mut out = self.clone();
        for level in [village.ancestor_at(CodeLevel::County), village.ancestor_at(CodeLevel::Town)] {
            let mut in_force: Vec<&Override> =
                overrides.iter().filter(|o| o.region == level && o.from <= day).collect();
            in_force.sort_by_key(|o| o.from);
            for o in in_force {
                // Values were checked when the override was made; a bad one is skipped.
                let _ = out.set(&o.name, o.value);
            }
        }
        out
    }
}

impl Thresholds {
    /// The thresholds in force in a county or a town on `day`: the county's overrides, then,
    /// for a town, its own — what its villages get, as the console shows it per region.
    pub fn in_force(&self, overrides: &[Override], region: RegionCode, day: NaiveDate) -> Thresholds {
        // `resolve` reads the county and the town above its code; for a county code both are
        // the county itself, whose overrides then apply twice, to the same result.
        self.resolve(overrides, region, day)
    }
}

/// Checks a threshold's name and range.
pub fn check(name: &str, value: i64) -> Result<(), ThresholdError> {
    let Some((_, _, min, max)) = Thresholds::NAMES.iter().find(|(n, ..)| *n == name) else {
        return Err(ThresholdError::UnknownName(name.to_owned()));
    };
    if value < *min || value > *max {
        return Err(ThresholdError::OutOfRange { name: name.to_owned(), value, min: *min, max: *max });
    }
    Ok(())
}

/// One threshold set for a county or a town from a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// A county (6-digit level) or a town (9-digit level).
    pub region: RegionCode,
    pub name: String,
    pub value: i64,
    pub from: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_file_parses_and_bad_values_are_named() {
        let shipped = include_str!("../../../../catalog/warnings.toml");
        let t = Thresholds::parse_file(shipped).unwrap();
        assert_eq!(t.cash_limit_yuan, 5_000);
        let err = Thresholds::parse_file("[defaults]\ncash_limit_yuan = -1\n").unwrap_err();
        assert!(err.to_string().contains("cash_limit_yuan"), "{err}");
        let err = Thresholds::parse_file("[defaults]\ncash_limmit = 1\n").unwrap_err();
        assert_eq!(err, ThresholdError::UnknownName("cash_limmit".into()));
    }

    #[test]
    fn a_town_overrides_its_county_from_its_date() {
        let village: RegionCode = "339921100201".parse().unwrap();
        let county = village.ancestor_at(CodeLevel::County);
        let town = village.ancestor_at(CodeLevel::Town);
        let overrides = vec![
            Override { region: county, name: "cash_limit_yuan".into(), value: 3_000, from: day("2026-01-01") },
            Override { region: town, name: "cash_limit_yuan".into(), value: 8_000, from: day("2026-06-01") },
        ];
        let base = Thresholds::default();
        assert_eq!(base.resolve(&overrides, village, day("2025-12-31")).cash_limit_yuan, 5_000);
        assert_eq!(base.resolve(&overrides, village, day("2026-03-01")).cash_limit_yuan, 3_000);
        assert_eq!(base.resolve(&overrides, village, day("2026-06-01")).cash_limit_yuan, 8_000);
        let other: RegionCode = "339921101201".parse().unwrap();
        assert_eq!(base.resolve(&overrides, other, day("2026-06-01")).cash_limit_yuan, 3_000);
        // Per region, as the console shows it: the county's own, the town's over it.
        assert_eq!(base.in_force(&overrides, county, day("2026-06-01")).cash_limit_yuan, 3_000);
        assert_eq!(base.in_force(&overrides, town, day("2026-06-01")).cash_limit_yuan, 8_000);
        assert_eq!(base.in_force(&overrides, town, day("2026-05-31")).cash_limit_yuan, 3_000);
    }
}
