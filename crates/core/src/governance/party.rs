//! The party branch (党建引领): its organisation and committee, member counts (counts only),
//! organisational life (三会一课 and theme days) with attendance, and party dues per half-year
//! whose figures must agree.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{MAX_LINE, MAX_PARAGRAPH, Problem, at_most, not_future, required};
use crate::{Fen, Period};

/// How the party organisation of a village is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BranchKind {
    /// 党支部
    Branch,
    /// 党总支
    GeneralBranch,
    /// 党委
    Committee,
}

impl BranchKind {
    pub const ALL: [Self; 3] = [Self::Branch, Self::GeneralBranch, Self::Committee];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Branch => "branch",
            Self::GeneralBranch => "general-branch",
            Self::Committee => "committee",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A member of the branch committee and what they answer for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeMember {
    pub name: String,
    /// 书记, 副书记, 组织委员, 宣传委员, 纪检委员, …
    pub post: String,
    pub duties: String,
}

/// The branch as published: no personal data beyond the committee, members only counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub name: String,
    pub kind: BranchKind,
    pub secretary: String,
    pub members_total: u32,
    /// 正式党员
    pub members_full: u32,
    /// 预备党员
    pub members_probationary: u32,
    pub committee: Vec<CommitteeMember>,
}

/// More committee members than any village branch has: a form posting more is refused.
pub const MAX_COMMITTEE: usize = 15;

impl Branch {
    /// Everything wrong with the branch record.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = vec![];
        required(&mut p, "name", "组织名称", &self.name, MAX_LINE);
        required(&mut p, "secretary", "书记姓名", &self.secretary, 20);
        if self.members_full.checked_add(self.members_probationary) != Some(self.members_total) {
            p.push(Problem::new(
                "members_total",
                format!(
                    "党员总数 {} 应等于正式党员 {} 加预备党员 {}（合计 {}）/ the total must equal full plus probationary members",
                    self.members_total,
                    self.members_full,
                    self.members_probationary,
                    u64::from(self.members_full) + u64::from(self.members_probationary)
                ),
            ));
        }
        if self.committee.is_empty() {
            p.push(Problem::new("committee", "请至少填写一名支部委员 / add at least one committee member"));
        }
        if self.committee.len() > MAX_COMMITTEE {
            p.push(Problem::new(
                "committee",
                format!("支部委员不能超过 {MAX_COMMITTEE} 名 / at most {MAX_COMMITTEE} committee members"),
            ));
        }
        for m in &self.committee {
            let who = if m.name.trim().is_empty() { "（未填姓名）".to_owned() } else { m.name.trim().to_owned() };
            if m.name.trim().is_empty() || m.post.trim().is_empty() {
                p.push(Problem::new(
                    "committee",
                    format!("支部委员 {who} 的姓名和职务都要填写 / each committee member needs a name and a post"),
                ));
            }
            at_most(&mut p, "committee", "委员姓名", &m.name, 20);
            at_most(&mut p, "committee", "委员职务", &m.post, 30);
            at_most(&mut p, "committee", "委员分工", &m.duties, MAX_PARAGRAPH);
        }
        p
    }
}

/// The kinds of organisational life (三会一课, and theme days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingKind {
    /// 支部党员大会
    MembersMeeting,
    /// 支部委员会
    CommitteeMeeting,
    /// 党小组会
    GroupMeeting,
    /// 党课
    PartyLecture,
    /// 主题党日
    ThemeDay,
}

impl MeetingKind {
    pub const ALL: [Self; 5] =
        [Self::MembersMeeting, Self::CommitteeMeeting, Self::GroupMeeting, Self::PartyLecture, Self::ThemeDay];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MembersMeeting => "members-meeting",
            Self::CommitteeMeeting => "committee-meeting",
            Self::GroupMeeting => "group-meeting",
            Self::PartyLecture => "party-lecture",
            Self::ThemeDay => "theme-day",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One meeting, lecture or theme day held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub held_on: NaiveDate,
    pub kind: MeetingKind,
    pub topic: String,
    /// Members who should attend.
    pub expected: u32,
    pub present: u32,
}

/// More attendees than any village branch has.
pub const MAX_ATTENDANCE: u32 = 10_000;

impl Meeting {
    pub fn problems(&self, today: NaiveDate) -> Vec<Problem> {
        let mut p = vec![];
        not_future(&mut p, "held_on", "召开日期", self.held_on, today);
        required(&mut p, "topic", "主题", &self.topic, MAX_LINE);
        if self.expected == 0 || self.expected > MAX_ATTENDANCE {
            p.push(Problem::new(
                "expected",
                format!("应到人数应在 1 到 {MAX_ATTENDANCE} 之间 / expected attendance must be 1 to {MAX_ATTENDANCE}"),
            ));
        }
        if self.present > self.expected {
            p.push(Problem::new(
                "present",
                format!(
                    "实到人数 {} 多于应到人数 {}，请核对 / more present than expected",
                    self.present, self.expected
                ),
            ));
        }
        p
    }

    /// Attendance in percent, rounded down (a branch reads 95%, not 95.24%).
    pub fn attendance_percent(&self) -> u32 {
        if self.expected == 0 { 0 } else { (u64::from(self.present) * 100 / u64::from(self.expected)) as u32 }
    }
}

/// One use of party dues in a half-year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuesUse {
    pub purpose: String,
    pub amount: Fen,
}

/// Party dues of one half-year: what was brought forward, collected and used (item by item),
/// and the balance carried to the next half-year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dues {
    /// A half-year (`2026-H1`).
    pub half: Period,
    pub brought_forward: Fen,
    pub collected: Fen,
    pub used: Fen,
    pub carried: Fen,
    pub uses: Vec<DuesUse>,
}

/// More uses than one half-year of a village branch has.
pub const MAX_USES: usize = 50;

impl Dues {
    /// Everything wrong: negative amounts, uses that do not add up to the amount used, and a
    /// balance carried that is not brought forward + collected − used.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = vec![];
        if !matches!(self.half, Period::HalfYear { .. }) {
            p.push(Problem::new("half", "党费按半年公开，请选择上半年或下半年 / dues are published by half-year"));
        }
        for (field, label, v) in [
            ("brought_forward", "上期结余", self.brought_forward),
            ("collected", "本期收缴", self.collected),
            ("used", "本期使用", self.used),
            ("carried", "结余", self.carried),
        ] {
            if v.0 < 0 {
                p.push(Problem::new(field, format!("{label}不能为负数 / {field} cannot be negative")));
            }
        }
        if self.uses.len() > MAX_USES {
            p.push(Problem::new("uses", format!("使用明细不能超过 {MAX_USES} 项 / at most {MAX_USES} uses")));
        }
        for u in &self.uses {
            if u.purpose.trim().is_empty() {
                p.push(Problem::new(
                    "uses",
                    format!("金额 {} 元的一项没有写用途 / each use needs a purpose", u.amount),
                ));
            }
            at_most(&mut p, "uses", "用途", &u.purpose, MAX_LINE);
            if u.amount.0 <= 0 {
                p.push(Problem::new(
                    "uses",
                    format!("“{}”的金额应大于零 / each use needs a positive amount", u.purpose.trim()),
                ));
            }
        }
        let sum = self.uses.iter().try_fold(Fen(0), |a, u| a.checked_add(u.amount));
        if sum != Some(self.used) {
            p.push(Problem::new(
                "used",
                format!(
                    "使用明细合计 {} 元，与本期使用 {} 元不符 / the uses do not add up to the amount used",
                    sum.map_or_else(|| "（溢出）".to_owned(), |s| s.to_string()),
                    self.used
                ),
            ));
        }
        let expected = self.brought_forward.checked_add(self.collected).and_then(|s| s.0.checked_sub(self.used.0));
        if expected != Some(self.carried.0) {
            p.push(Problem::new(
                "carried",
                format!(
                    "结余应为 上期结余 {} + 本期收缴 {} − 本期使用 {} = {} 元，现填 {} 元 / the balance carried does not agree",
                    self.brought_forward,
                    self.collected,
                    self.used,
                    expected.map_or_else(|| "（溢出）".to_owned(), |e| Fen(e).to_string()),
                    self.carried
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

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn dues(used: i64, uses: &[i64], carried: i64) -> Dues {
        Dues {
            half: Period::HalfYear { year: 2026, half: 1 },
            brought_forward: Fen(10_000),
            collected: Fen(50_000),
            used: Fen(used),
            carried: Fen(carried),
            uses: uses.iter().map(|a| DuesUse { purpose: "订阅党报党刊".into(), amount: Fen(*a) }).collect(),
        }
    }

    #[test]
    fn dues_that_agree_pass_and_others_name_the_field() {
        assert!(dues(30_000, &[20_000, 10_000], 30_000).problems().is_empty());
        let p = dues(30_000, &[20_000, 9_000], 30_000).problems();
        assert_eq!(p.iter().map(|p| p.field).collect::<Vec<_>>(), ["used"]);
        let p = dues(30_000, &[20_000, 10_000], 29_999).problems();
        assert_eq!(p.iter().map(|p| p.field).collect::<Vec<_>>(), ["carried"]);
        assert!(p[0].message.contains("300.00"), "{}", p[0].message);
        let mut quarter = dues(0, &[], 60_000);
        quarter.half = Period::Quarter { year: 2026, quarter: 1 };
        assert_eq!(quarter.problems()[0].field, "half");
    }

    #[test]
    fn present_above_expected_is_refused() {
        let m =
            Meeting { held_on: day(5), kind: MeetingKind::ThemeDay, topic: "学习".into(), expected: 20, present: 21 };
        assert_eq!(m.problems(day(10)).iter().map(|p| p.field).collect::<Vec<_>>(), ["present"]);
        let m = Meeting { present: 19, ..m };
        assert!(m.problems(day(10)).is_empty());
        assert_eq!(m.attendance_percent(), 95);
        assert_eq!(m.problems(day(4))[0].field, "held_on");
    }

    #[test]
    fn member_counts_must_add_up() {
        let b = Branch {
            name: "中共前山村支部委员会".into(),
            kind: BranchKind::Branch,
            secretary: "王建国".into(),
            members_total: 40,
            members_full: 37,
            members_probationary: 2,
            committee: vec![CommitteeMember { name: "王建国".into(), post: "书记".into(), duties: String::new() }],
        };
        assert_eq!(b.problems().iter().map(|p| p.field).collect::<Vec<_>>(), ["members_total"]);
        assert!(Branch { members_total: 39, ..b.clone() }.problems().is_empty());
        assert_eq!(Branch { committee: vec![], members_total: 39, ..b }.problems()[0].field, "committee");
    }

    #[test]
    fn kinds_round_trip_through_text() {
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Some(k));
        }
        for k in BranchKind::ALL {
            assert_eq!(BranchKind::parse(k.as_str()), Some(k));
        }
    }

    proptest! {
        /// Whatever the amounts, dues pass exactly when the uses add up and the balance agrees.
        #[test]
        fn dues_pass_exactly_when_the_sums_agree(
            brought in 0i64..10_000_000,
            collected in 0i64..10_000_000,
            uses in proptest::collection::vec(1i64..1_000_000, 0..8),
            skew in -2i64..3,
        ) {
            let used: i64 = uses.iter().sum();
            let carried = brought + collected - used + skew;
            let d = Dues {
                half: Period::HalfYear { year: 2025, half: 2 },
                brought_forward: Fen(brought),
                collected: Fen(collected),
                used: Fen(used),
                carried: Fen(carried),
                uses: uses.iter().map(|a| DuesUse { purpose: "x".into(), amount: Fen(*a) }).collect(),
            };
            let ok = skew == 0 && carried >= 0;
            prop_assert_eq!(d.problems().is_empty(), ok);
        }

        #[test]
        fn attendance_is_accepted_exactly_up_to_expected(expected in 1u32..500, present in 0u32..600) {
            let m = Meeting { held_on: day(1), kind: MeetingKind::GroupMeeting, topic: "t".into(), expected, present };
            prop_assert_eq!(m.problems(day(2)).is_empty(), present <= expected);
            prop_assert!(m.attendance_percent() <= 100 || present > expected);
        }
    }
}
