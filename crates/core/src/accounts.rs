//! Charts of accounts (会计科目) as data: the 2004 and 2023 village charts and the operator's
//! sub-accounts, each account with the plain-language category villagers see. A code that
//! is not listed resolves to its longest listed prefix (501003 → 501 when 501003 is absent).

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::CatalogError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountKind {
    Asset,
    Liability,
    Equity,
    Cost,
    Income,
    Expense,
}

impl AccountKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "asset" => Self::Asset,
            "liability" => Self::Liability,
            "equity" => Self::Equity,
            "cost" => Self::Cost,
            "income" => Self::Income,
            "expense" => Self::Expense,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub code: String,
    pub name: String,
    pub kind: AccountKind,
    /// What villagers read on a statement (上级补助, 租金收入, 办公费用, 干部报酬 …).
    pub category: String,
}

impl Account {
    /// Whether the account books rent: an income account whose category (what villagers read)
    /// is rent or letting income — 租金收入 (501003 租赁收入 under 501 经营收入), or 发包收入 /
    /// 发包及上交收入 (511 in the 2004 chart; contracting out land and ponds is rent by another
    /// name). Decided by category, not code: 511 is 投资收益 in the 2023 chart.
    pub fn is_rent_income(&self) -> bool {
        self.kind == AccountKind::Income && ["租金", "租赁", "发包"].iter().any(|word| self.category.contains(word))
    }
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub id: String,
    accounts: HashMap<String, Account>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartFile {
    chart: String,
    account: Vec<RawAccount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    code: Spanned<String>,
    name: String,
    kind: Spanned<String>,
    category: Option<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

impl Chart {
    /// Parses a chart file; every problem is reported with its line.
    pub fn parse(file: &str, text: &str) -> Result<Self, Vec<CatalogError>> {
        let mut errors = vec![];
        let err = |errors: &mut Vec<CatalogError>, offset: usize, message: String| {
            errors.push(CatalogError { file: file.into(), line: line_of(text, offset), message })
        };
        let raw: ChartFile = toml::from_str(text).map_err(|e| {
            vec![CatalogError {
                file: file.into(),
                line: line_of(text, e.span().map_or(0, |s| s.start)),
                message: e.message().into(),
            }]
        })?;
        let mut accounts: HashMap<String, Account> = HashMap::new();
        let mut order: Vec<String> = vec![];
        for a in raw.account {
            let code = a.code.get_ref().trim().to_owned();
            if code.is_empty() || code.len() > 12 || !code.bytes().all(|b| b.is_ascii_digit()) {
                err(&mut errors, a.code.span().start, format!("科目编码 “{code}” 应为数字 / account codes are digits"));
                continue;
            }
            let Some(kind) = AccountKind::parse(a.kind.get_ref()) else {
                err(&mut errors, a.kind.span().start, format!("科目类别 “{}” 无效 / unknown kind", a.kind.get_ref()));
                continue;
            };
            if accounts.contains_key(&code) {
                err(&mut errors, a.code.span().start, format!("科目编码 {code} 重复 / duplicate code"));
                continue;
            }
            // A sub-account without a category takes its parent's.
            let category = match a.category {
                Some(c) => c,
                None => match order.iter().filter(|p| code.starts_with(p.as_str())).max_by_key(|p| p.len()) {
                    Some(parent) => accounts[parent].category.clone(),
                    None => a.name.clone(),
                },
            };
            order.push(code.clone());
            accounts.insert(code.clone(), Account { code, name: a.name, kind, category });
        }
        if errors.is_empty() { Ok(Self { id: raw.chart, accounts }) } else { Err(errors) }
    }

    /// The account a code books to: itself, or its longest listed prefix.
    pub fn resolve(&self, code: &str) -> Option<&Account> {
        let code = code.trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        (1..=code.len()).rev().find_map(|n| self.accounts.get(&code[..n]))
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

/// The chart books use on a date: the 2004 chart before the switch (2024-01-01 by default),
/// the 2023 chart from it.
#[derive(Debug, Clone)]
pub struct Charts {
    pub before: Chart,
    pub from: Chart,
    pub switch: chrono::NaiveDate,
}

impl Charts {
    /// One chart for every date (a county that converted its history, or a test).
    pub fn single(chart: Chart) -> Self {
        Self { before: chart.clone(), from: chart, switch: chrono::NaiveDate::MIN }
    }

    pub fn for_date(&self, date: chrono::NaiveDate) -> &Chart {
        if date < self.switch { &self.before } else { &self.from }
    }

    /// Whether `code`, booked on `date`, is a rent income account ([`Account::is_rent_income`]).
    pub fn is_rent_income(&self, code: &str, date: chrono::NaiveDate) -> bool {
        self.for_date(date).resolve(code).is_some_and(Account::is_rent_income)
    }
}

/// Old (2004) code prefixes to new (2023) codes.
#[derive(Debug, Clone, Default)]
pub struct ChartMapping(HashMap<String, String>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    map: HashMap<String, String>,
}

impl ChartMapping {
    pub fn parse(file: &str, text: &str) -> Result<Self, Vec<CatalogError>> {
        let raw: MappingFile = toml::from_str(text).map_err(|e| {
            vec![CatalogError {
                file: file.into(),
                line: line_of(text, e.span().map_or(0, |s| s.start)),
                message: e.message().into(),
            }]
        })?;
        Ok(Self(raw.map))
    }

    /// The 2023 code for a 2004 code, by its longest mapped prefix.
    pub fn map(&self, old: &str) -> Option<&str> {
        (1..=old.len()).rev().find_map(|n| self.0.get(&old[..n])).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART: &str = r#"
chart = "2004"
[[account]]
code = "541"
name = "管理费用"
kind = "expense"
category = "管理费用"
[[account]]
code = "541001"
name = "干部报酬"
kind = "expense"
category = "干部报酬"
[[account]]
code = "541009"
name = "其他管理费"
kind = "expense"
"#;

    #[test]
    fn codes_resolve_to_their_longest_listed_prefix() {
        let chart = Chart::parse("a.toml", CHART).unwrap();
        assert_eq!(chart.resolve("541001").unwrap().category, "干部报酬");
        assert_eq!(chart.resolve("541001007").unwrap().name, "干部报酬");
        assert_eq!(chart.resolve("541002").unwrap().name, "管理费用");
        assert_eq!(chart.resolve("541009").unwrap().category, "管理费用", "inherits its parent's category");
        assert!(chart.resolve("999").is_none());
        assert!(chart.resolve("54a").is_none());
    }

    #[test]
    fn rent_accounts_are_told_by_their_category() {
        let (before, from) = (
            Chart::parse("2004.toml", include_str!("../../../catalog/accounts-2004.toml")).unwrap(),
            Chart::parse("2023.toml", include_str!("../../../catalog/accounts-2023.toml")).unwrap(),
        );
        let switch = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let charts = Charts { before, from, switch };
        let (old, new) = (switch.pred_opt().unwrap(), switch);
        for code in ["501003", "501003002", "511", "511001"] {
            assert!(charts.is_rent_income(code, old), "{code} in 2004");
        }
        assert!(charts.is_rent_income("501003", new));
        // 511 is 投资收益 from 2024: the code alone does not make rent.
        assert!(!charts.is_rent_income("511", new));
        for code in ["501", "501001", "102", "101", "522", "531", "999", ""] {
            assert!(!charts.is_rent_income(code, old) && !charts.is_rent_income(code, new), "{code}");
        }
    }

    #[test]
    fn a_bad_chart_names_its_lines() {
        let bad = "chart = \"x\"\n[[account]]\ncode = \"5x1\"\nname = \"a\"\nkind = \"income\"\n[[account]]\ncode = \"501\"\nname = \"b\"\nkind = \"money\"\n";
        let errors = Chart::parse("bad.toml", bad).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 9]);
    }

    #[test]
    fn mapping_follows_prefixes() {
        let m = ChartMapping::parse("m.toml", "[map]\n\"541\" = \"531\"\n\"551001\" = \"541\"\n\"551\" = \"551\"\n")
            .unwrap();
        assert_eq!(m.map("541003"), Some("531"));
        assert_eq!(m.map("551001"), Some("541"));
        assert_eq!(m.map("551002"), Some("551"));
        assert_eq!(m.map("101"), None);
    }
}
