//! Regions: the tree city → county → town → village/community, keyed by the official
//! 12-digit administrative division codes (统计用区划代码). Parsing and validation only;
//! loading files and storing rows belong to other crates.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A 12-digit administrative division code: 2 digits province, 2 city, 2 county,
/// 3 town, 3 village. The code is the stable public identifier of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("区划代码必须是 12 位数字，收到 “{0}” / a region code is 12 digits")]
    NotTwelveDigits(String),
    #[error("区划代码 “{0}” 不是村（社区）级代码 / not a village-level code")]
    NotVillage(String),
}

/// The level a code denotes, read from which of its digit groups are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CodeLevel {
    Province,
    City,
    County,
    Town,
    Village,
}

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let s = s.trim();
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
            return Err(RegionCodeError::NotTwelveDigits(s.to_owned()));
        }
        Ok(Self(s.parse().expect("twelve ASCII digits fit in u64")))
    }

    /// Builds a code from its parts; `None` if a part is out of range.
    pub fn from_parts(county: u32, town: u32, village: u32) -> Option<Self> {
        if !(110_000..=999_999).contains(&county) || town > 999 || village > 999 {
            return None;
        }
        Some(Self(u64::from(county) * 1_000_000 + u64::from(town) * 1_000 + u64::from(village)))
    }

    pub fn level(self) -> CodeLevel {
        let n = self.0;
        if !n.is_multiple_of(1_000) {
            CodeLevel::Village
        } else if !n.is_multiple_of(1_000_000) {
            CodeLevel::Town
        } else if !n.is_multiple_of(100_000_000) {
            CodeLevel::County
        } else if !n.is_multiple_of(10_000_000_000) {
            CodeLevel::City
        } else {
            CodeLevel::Province
        }
    }

    /// The 6-digit county prefix.
    pub fn county_prefix(self) -> u32 {
        (self.0 / 1_000_000) as u32
    }

    /// The code truncated to the given level (e.g. a village's town code).
    pub fn ancestor_at(self, level: CodeLevel) -> RegionCode {
        let keep = match level {
            CodeLevel::Province => 10_000_000_000,
            CodeLevel::City => 100_000_000,
            CodeLevel::County => 1_000_000,
            CodeLevel::Town => 1_000,
            CodeLevel::Village => 1,
        };
        RegionCode(self.0 / keep * keep)
    }

    pub fn is_village(self) -> bool {
        self.level() == CodeLevel::Village
    }

    /// The code as a village code, refusing codes of other levels.
    pub fn require_village(self) -> Result<Self, RegionCodeError> {
        if self.is_village() { Ok(self) } else { Err(RegionCodeError::NotVillage(self.to_string())) }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionKind {
    City,
    County,
    Town,
    Village,
    Community,
}

impl RegionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::County => "county",
            Self::Town => "town",
            Self::Village => "village",
            Self::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "city" | "市" => Self::City,
            "county" | "县" | "区" => Self::County,
            "town" | "镇" | "乡" | "街道" => Self::Town,
            "village" | "村" => Self::Village,
            "community" | "社区" => Self::Community,
            _ => return None,
        })
    }

    /// Villages and communities are the units that publish.
    pub fn is_village_level(self) -> bool {
        matches!(self, Self::Village | Self::Community)
    }

    fn fits(self, level: CodeLevel) -> bool {
        match self {
            Self::City => level == CodeLevel::City,
            Self::County => level == CodeLevel::County,
            Self::Town => level == CodeLevel::Town,
            Self::Village | Self::Community => level == CodeLevel::Village,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub parent: Option<RegionCode>,
    pub kind: RegionKind,
}

/// One problem in a regions CSV, located by its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {line} 行：{problem}")]
pub struct RegionRowError {
    pub line: u64,
    pub problem: String,
}

/// Parses a regions CSV with the header `code,name,parent_code,kind` and checks the tree:
/// codes unique, kinds matching code levels, every parent present (in the file or in
/// `known`) and an ancestor by code. All problems are returned together.
pub fn parse_regions_csv(text: &str, known: &[Region]) -> Result<Vec<Region>, Vec<RegionRowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let header_ok = reader
        .headers()
        .map(|h| h.iter().collect::<Vec<_>>() == ["code", "name", "parent_code", "kind"])
        .unwrap_or(false);
    if !header_ok {
        return Err(vec![RegionRowError {
            line: 1,
            problem: "表头应为 code,name,parent_code,kind / header must be code,name,parent_code,kind".into(),
        }]);
    }
    let mut regions = Vec::new();
    let mut lines = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RegionRowError { line, problem: format!("无法读取：{e}") });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let mut problem = |p: String| errors.push(RegionRowError { line, problem: p });
        let code = match RegionCode::parse(&record[0]) {
            Ok(c) => c,
            Err(e) => {
                problem(e.to_string());
                continue;
            }
        };
        let name = record[1].to_owned();
        if name.is_empty() {
            problem("名称为空 / name is empty".into());
        }
        let parent = match record[2].trim() {
            "" => None,
            p => match RegionCode::parse(p) {
                Ok(c) => Some(c),
                Err(e) => {
                    problem(format!("上级代码：{e}"));
                    continue;
                }
            },
        };
        let Some(kind) = RegionKind::parse(&record[3]) else {
            problem(format!("类型 “{}” 无效，应为 city/county/town/village/community", &record[3]));
            continue;
        };
        if !kind.fits(code.level()) {
            problem(format!("代码 {code} 的级别与类型 {} 不符", kind.as_str()));
        }
        if lines.insert(code, line).is_some() {
            problem(format!("代码 {code} 重复 / duplicate code"));
        }
        regions.push(Region { code, name, parent, kind });
    }
    let known_codes: HashMap<RegionCode, ()> = known.iter().map(|r| (r.code, ())).collect();
    for r in &regions {
        let Some(parent) = r.parent else { continue };
        let line = lines[&r.code];
        if !lines.contains_key(&parent) && !known_codes.contains_key(&parent) {
            errors.push(RegionRowError { line, problem: format!("上级代码 {parent} 不存在 / unknown parent") });
        } else if parent.level() >= r.code.level() || r.code.ancestor_at(parent.level()) != parent {
            errors.push(RegionRowError {
                line, problem: format!("上级代码 {parent} 不是 {} 的上级区划", r.code)
            });
        }
    }
    if errors.is_empty() {
        Ok(regions)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Writes regions as the CSV that [`parse_regions_csv`] reads (no BOM, lines ending in `\n`);
/// a name holding a comma, a quote or a line break is quoted (RFC 4180), not altered.
pub fn regions_to_csv(regions: &[Region]) -> String {
    fn write(regions: &[Region]) -> csv::Result<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(vec![]);
        writer.write_record(["code", "name", "parent_code", "kind"])?;
        for r in regions {
            let parent = r.parent.map(|p| p.to_string()).unwrap_or_default();
            writer.write_record([r.code.to_string().as_str(), r.name.as_str(), parent.as_str(), r.kind.as_str()])?;
        }
        writer.into_inner().map_err(|e| e.into_error().into())
    }
    let bytes = write(regions).expect("writing a CSV to memory cannot fail");
    String::from_utf8(bytes).expect("UTF-8 cells make a UTF-8 file")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_are_read_from_zero_groups() {
        let c = |s| RegionCode::parse(s).unwrap().level();
        assert_eq!(c("330000000000"), CodeLevel::Province);
        assert_eq!(c("330500000000"), CodeLevel::City);
        assert_eq!(c("330521000000"), CodeLevel::County);
        assert_eq!(c("330521100000"), CodeLevel::Town);
        assert_eq!(c("330521100201"), CodeLevel::Village);
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", "33052110020", "3305211002011", "33052110020x", "０３３０５２１１００２０"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
        }
        assert!(RegionCode::parse("330521100000").unwrap().require_village().is_err());
    }

    #[test]
    fn csv_with_a_broken_tree_lists_every_problem() {
        let csv = "code,name,parent_code,kind\n\
                   330521000000,清溪县,,county\n\
                   330521100000,青山镇,330521000000,town\n\
                   330521100201,前山村,330521100000,village\n\
                   330521100201,重复村,330521100000,village\n\
                   330521200201,孤村,330521200000,village\n\
                   330521100202,错型村,330521100000,town\n";
        let errors = parse_regions_csv(csv, &[]).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![5, 6, 7], "{errors:?}");
    }

    #[test]
    fn csv_round_trips() {
        let csv = "code,name,parent_code,kind\n\
                   330521000000,清溪县,,county\n\
                   330521100000,青山镇,330521000000,town\n\
                   330521100001,青山社区,330521100000,community\n";
        let regions = parse_regions_csv(csv, &[]).unwrap();
        assert_eq!(regions_to_csv(&regions), csv);
    }

    #[test]
    fn names_with_commas_quotes_and_line_breaks_round_trip() {
        let county = RegionCode::parse("330521000000").unwrap();
        let region = |code: &str, name: &str| Region {
            code: RegionCode::parse(code).unwrap(),
            name: name.into(),
            parent: Some(county),
            kind: RegionKind::Town,
        };
        let regions = vec![
            Region { code: county, name: "清溪县".into(), parent: None, kind: RegionKind::County },
            region("330521100000", "青山镇, 原青山乡"),
            region("330521200000", "“老街”\"街道\""),
            region("330521300000", "第一行\n第二行"),
        ];
        let csv = regions_to_csv(&regions);
        assert!(csv.contains("\n330521100000,\"青山镇, 原青山乡\",330521000000,town\n"), "{csv}");
        assert_eq!(parse_regions_csv(&csv, &[]).unwrap(), regions);
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(county in 110_000u32..=999_999, town in 0u32..1000, village in 0u32..1000) {
            let code = RegionCode::from_parts(county, town, village).unwrap();
            prop_assert_eq!(RegionCode::parse(&code.to_string()).unwrap(), code);
            prop_assert_eq!(code.county_prefix(), county);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = RegionCode::parse(&s);
        }
    }
}
