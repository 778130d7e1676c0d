//! The micro-power list (小微权力清单): each power the village exercises, on what legal basis,
//! by which post, through which steps in order, and what must be disclosed; and the seal and
//! certificate log (用印、证明登记), whose applicants are kept only masked.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{MAX_LINE, MAX_PARAGRAPH, Problem, at_most, not_future, required};

/// One power on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Power {
    /// 重大事项决策, 集体资产管理, 工程项目, 财务管理, 便民服务, …
    pub category: String,
    pub name: String,
    pub legal_basis: String,
    pub responsible_post: String,
    /// The flow, in order: each step one line.
    pub steps: Vec<String>,
    /// What must be disclosed, when (e.g. 结果公示 5 天).
    pub disclosure: String,
}

/// More steps than a flow chart a villager can follow.
pub const MAX_STEPS: usize = 20;

impl Power {
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = vec![];
        required(&mut p, "category", "权力类别", &self.category, 30);
        required(&mut p, "name", "权力事项名称", &self.name, MAX_LINE);
        at_most(&mut p, "legal_basis", "法律政策依据", &self.legal_basis, MAX_PARAGRAPH);
        required(&mut p, "responsible_post", "责任岗位", &self.responsible_post, 50);
        at_most(&mut p, "disclosure", "公开要求", &self.disclosure, MAX_PARAGRAPH);
        if self.steps.is_empty() {
            p.push(Problem::new("steps", "请填写运行流程，每行一步 / write the flow, one step a line"));
        } else if self.steps.len() > MAX_STEPS {
            p.push(Problem::new("steps", format!("流程不能超过 {MAX_STEPS} 步 / at most {MAX_STEPS} steps")));
        }
        for s in &self.steps {
            at_most(&mut p, "steps", "每一步", s, MAX_LINE);
        }
        p
    }

    /// Steps as typed in a text area, one a line: blank lines dropped, list numbers ("1." "2、")
    /// taken off, since the page numbers the steps itself.
    pub fn steps_from_lines(text: &str) -> Vec<String> {
        text.lines()
            .map(|l| {
                let l = l.trim();
                let rest = l.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
                match rest.strip_prefix(['.', '、', ')', '）', '．']) {
                    Some(after) if rest.len() < l.len() => after.trim().to_owned(),
                    _ => l.to_owned(),
                }
            })
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// What a log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SealKind {
    /// 用印
    Seal,
    /// 出具证明
    Certificate,
}

impl SealKind {
    pub const ALL: [Self; 2] = [Self::Seal, Self::Certificate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seal => "seal",
            Self::Certificate => "certificate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One use of the village's seal or one certificate issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealEntry {
    pub on: NaiveDate,
    pub kind: SealKind,
    pub matter: String,
    /// As published: a person masked (张*明), an organisation in full.
    pub applicant: String,
    pub approver_post: String,
    pub purpose: String,
}

impl SealEntry {
    /// An entry as a clerk types it; a person's name is masked before it is kept anywhere.
    pub fn typed(
        on: NaiveDate,
        kind: SealKind,
        matter: &str,
        applicant: &str,
        applicant_is_person: bool,
        approver_post: &str,
        purpose: &str,
    ) -> Self {
        let applicant = applicant.trim();
        Self {
            on,
            kind,
            matter: matter.trim().into(),
            applicant: if applicant_is_person { crate::trading::mask_person(applicant) } else { applicant.into() },
            approver_post: approver_post.trim().into(),
            purpose: purpose.trim().into(),
        }
    }

    pub fn problems(&self, today: NaiveDate) -> Vec<Problem> {
        let mut p = vec![];
        not_future(&mut p, "on", "登记日期", self.on, today);
        required(&mut p, "matter", "事项", &self.matter, MAX_LINE);
        required(&mut p, "applicant", "申请人", &self.applicant, 50);
        required(&mut p, "approver_post", "审批人职务", &self.approver_post, 30);
        required(&mut p, "purpose", "用途", &self.purpose, MAX_LINE);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn a_person_applicant_is_masked_before_anything_keeps_it() {
        let e =
            SealEntry::typed(day(2), SealKind::Certificate, "出具居住证明", " 张小明 ", true, "村委会主任", "子女入学");
        assert_eq!(e.applicant, "张*明");
        let org = SealEntry::typed(
            day(2),
            SealKind::Seal,
            "合同用印",
            "青山农业开发有限公司",
            false,
            "村党支部书记",
            "签订租赁合同",
        );
        assert_eq!(org.applicant, "青山农业开发有限公司");
        assert!(e.problems(day(3)).is_empty());
        assert_eq!(e.problems(day(1))[0].field, "on");
    }

    #[test]
    fn empty_required_fields_are_each_named() {
        let e = SealEntry::typed(day(2), SealKind::Seal, " ", "", true, "", "");
        let fields: Vec<_> = e.problems(day(3)).iter().map(|p| p.field).collect();
        assert_eq!(fields, ["matter", "applicant", "approver_post", "purpose"]);
    }

    #[test]
    fn steps_are_read_one_a_line_without_their_numbers() {
        assert_eq!(
            Power::steps_from_lines("1. 村民申请\n\n2、村委会初审\n  3）公示5天\n张贴公示"),
            ["村民申请", "村委会初审", "公示5天", "张贴公示"]
        );
        // A step that starts with a number but is not numbered keeps it.
        assert_eq!(Power::steps_from_lines("5天内答复"), ["5天内答复"]);
    }

    #[test]
    fn a_power_needs_its_name_post_and_steps() {
        let p = Power {
            category: "集体资产管理".into(),
            name: String::new(),
            legal_basis: String::new(),
            responsible_post: "村委会主任".into(),
            steps: vec![],
            disclosure: String::new(),
        };
        let fields: Vec<_> = p.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "steps"]);
    }
}
