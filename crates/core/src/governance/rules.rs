//! The village charter (村民自治章程) and village rules (村规民约): each document has versions,
//! each adopted on a date by a decision (决议编号) of the villagers' (representatives') meeting.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{MAX_LINE, Problem, not_future, required};

/// Which document a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleDoc {
    /// 村民自治章程
    Charter,
    /// 村规民约
    Rules,
}

impl RuleDoc {
    pub const ALL: [Self; 2] = [Self::Charter, Self::Rules];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Charter => "charter",
            Self::Rules => "rules",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A version as adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleVersion {
    pub doc: RuleDoc,
    pub title: String,
    /// Markdown, as the rest of the site.
    pub text_md: String,
    pub adopted_on: NaiveDate,
    /// The adopting decision's number (决议编号), e.g. `2026-003`.
    pub decision_no: String,
}

/// Longest document text kept (a long charter is some 20,000 characters).
pub const MAX_TEXT: usize = 100_000;

/// A decision number as the decisions register keeps it: 1–32 characters of ASCII digits,
/// letters and '-'.
pub fn valid_decision_no(no: &str) -> bool {
    (1..=32).contains(&no.len()) && no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl RuleVersion {
    pub fn problems(&self, today: NaiveDate) -> Vec<Problem> {
        let mut p = vec![];
        required(&mut p, "title", "标题", &self.title, MAX_LINE);
        required(&mut p, "text_md", "正文", &self.text_md, MAX_TEXT);
        not_future(&mut p, "adopted_on", "通过日期", self.adopted_on, today);
        let no = self.decision_no.trim();
        if no.is_empty() {
            p.push(Problem::new(
                "decision_no",
                "请填写通过该版本的决议编号（如 2026-003）/ the adopting decision's number is required",
            ));
        } else if !valid_decision_no(no) {
            p.push(Problem::new(
                "decision_no",
                format!(
                    "决议编号“{no}”只能由数字、英文字母和“-”组成，最长 32 位（如 2026-003）/ \
                     a decision number is 1–32 digits, letters and '-'"
                ),
            ));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_version_needs_text_and_a_decision_number() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let v = RuleVersion {
            doc: RuleDoc::Rules,
            title: "前山村村规民约".into(),
            text_md: String::new(),
            adopted_on: day,
            decision_no: "2026/3".into(),
        };
        let fields: Vec<_> = v.problems(day).iter().map(|p| p.field).collect();
        assert_eq!(fields, ["text_md", "decision_no"]);
    }

    proptest! {
        #[test]
        fn decision_numbers_are_short_ascii_words(no in "\\PC{0,40}") {
            let ok = !no.is_empty() && no.len() <= 32 && no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            prop_assert_eq!(valid_decision_no(&no), ok);
        }
    }
}
