//! Publishing rules: overdue items, a busy month's accounts missing, publication without the
//! required sign-off, corrections and withdrawals, questions left unanswered.

use chrono::NaiveDate;

use super::{Evidence, Finding, Rule, Severity, Thresholds, links};
use crate::RegionCode;

/// A catalog item's period whose deadline passed with nothing published (from the calendar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub item: String,
    pub title: String,
    /// `2026-05`, `2026-Q2`, …
    pub period: String,
    /// Days past the deadline.
    pub days_overdue: i64,
    /// A version waiting for review, if any.
    pub waiting: Option<i64>,
}

/// Overdue items: yellow, red from `overdue_red_days` past the deadline.
pub fn item_overdue(village: RegionCode, items: &[DueItem], t: &Thresholds) -> Vec<Finding> {
    items
        .iter()
        .filter(|i| i.days_overdue > 0)
        .map(|i| {
            let severity = if i.days_overdue >= t.overdue_red_days { Severity::Red } else { Severity::Yellow };
            let waiting = if i.waiting.is_some() { "（有版本待审核）" } else { "" };
            let mut evidence = vec![Evidence::new("公开日历", links::calendar(village))];
            if let Some(id) = i.waiting {
                evidence.push(Evidence::new("待审核版本", links::console_disclosure(id)));
            }
            Finding {
                village,
                rule: Rule::ItemOverdue,
                subject: format!("{}:{}", i.item, i.period),
                severity,
                message: format!("「{}」{} 未按时公开，已逾期 {} 天{waiting}", i.title, i.period, i.days_overdue),
                evidence,
            }
        })
        .collect()
}

/// One month of a village's books and whether its accounts are out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceMonth {
    /// `2026-05`.
    pub period: String,
    pub vouchers: i64,
    /// The accounts' deadline has passed.
    pub due: bool,
    pub published: bool,
}

/// A busy month (at least `busy_month_vouchers` vouchers) whose accounts are due and not out.
pub fn finance_missing(village: RegionCode, months: &[FinanceMonth], t: &Thresholds) -> Vec<Finding> {
    months
        .iter()
        .filter(|m| m.due && !m.published && m.vouchers >= t.busy_month_vouchers)
        .map(|m| Finding {
            village,
            rule: Rule::FinanceMissing,
            subject: m.period.clone(),
            severity: Severity::Red,
            message: format!("{} 有 {} 张凭证，月度收支未公开", m.period, m.vouchers),
            evidence: vec![
                Evidence::new("当月账目", links::finance(village, &m.period)),
                Evidence::new("公开日历", links::calendar(village)),
            ],
        })
        .collect()
}

/// A published version, its catalog's required reviewer roles and the roles that signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedVersion {
    pub id: i64,
    pub title: String,
    pub required_roles: Vec<String>,
    pub signed_roles: Vec<String>,
    /// A correction naming the version it replaces, or a withdrawal.
    pub replaces: Option<i64>,
    pub withdrawal: bool,
    pub reason: Option<String>,
}

/// Published although a required reviewer role never approved it.
pub fn no_signoff(village: RegionCode, versions: &[PublishedVersion]) -> Vec<Finding> {
    versions
        .iter()
        .filter_map(|v| {
            let missing: Vec<&str> =
                v.required_roles.iter().filter(|r| !v.signed_roles.contains(r)).map(String::as_str).collect();
            (!missing.is_empty()).then(|| Finding {
                village,
                rule: Rule::NoSignoff,
                subject: format!("d{}", v.id),
                severity: Severity::Red,
                message: format!("「{}」公开时缺少审核：{}", v.title, missing.join("、")),
                evidence: vec![
                    Evidence::new("公开内容", links::disclosure(village, v.id)),
                    Evidence::new("审核记录", links::console_disclosure(v.id)),
                ],
            })
        })
        .collect()
}

/// Every correction and withdrawal of something published: yellow, for a supervisor to read
/// the reason.
pub fn changed_after_publication(village: RegionCode, versions: &[PublishedVersion]) -> Vec<Finding> {
    versions
        .iter()
        .filter(|v| v.withdrawal || v.replaces.is_some())
        .map(|v| {
            let what = if v.withdrawal { "撤回" } else { "更正" };
            let reason = v.reason.as_deref().filter(|r| !r.is_empty()).unwrap_or("未说明");
            let mut evidence = vec![Evidence::new(format!("{what}版本"), links::disclosure(village, v.id))];
            if let Some(old) = v.replaces {
                evidence.push(Evidence::new("原公开版本", links::disclosure(village, old)));
            }
            Finding {
                village,
                rule: Rule::ChangedAfterPublication,
                subject: format!("d{}", v.id),
                severity: Severity::Yellow,
                message: format!("「{}」公开后被{what}，理由：{reason}", v.title),
                evidence,
            }
        })
        .collect()
}

/// A villager's question and its reply, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskedQuestion {
    pub id: i64,
    pub title: String,
    pub deadline: NaiveDate,
    pub answered: bool,
}

/// Unanswered past its deadline: yellow, red from `overdue_red_days` past it.
pub fn question_overdue(
    village: RegionCode,
    questions: &[AskedQuestion],
    today: NaiveDate,
    t: &Thresholds,
) -> Vec<Finding> {
    questions
        .iter()
        .filter(|q| !q.answered && today > q.deadline)
        .map(|q| {
            let days = (today - q.deadline).num_days();
            Finding {
                village,
                rule: Rule::QuestionOverdue,
                subject: format!("q{}", q.id),
                severity: if days >= t.overdue_red_days { Severity::Red } else { Severity::Yellow },
                message: format!("关于「{}」的质询超过答复期限 {days} 天未答复", q.title),
                evidence: vec![Evidence::new("质询", links::question(village, q.id))],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn village() -> RegionCode {
        "339921100201".parse().unwrap()
    }

    fn due(days: i64) -> DueItem {
        DueItem {
            item: "income-expenditure".into(),
            title: "月度收支".into(),
            period: "2026-05".into(),
            days_overdue: days,
            waiting: None,
        }
    }

    #[test]
    fn overdue_items_fire_and_grow_red() {
        let t = Thresholds::default();
        assert!(item_overdue(village(), &[due(0)], &t).is_empty());
        let yellow = item_overdue(village(), &[due(5)], &t);
        assert_eq!(yellow[0].severity, Severity::Yellow);
        assert!(yellow[0].message.contains("逾期 5 天"), "{}", yellow[0].message);
        let red = item_overdue(village(), &[due(40)], &t);
        assert_eq!((red[0].severity, red[0].subject.as_str()), (Severity::Red, "income-expenditure:2026-05"));
    }

    #[test]
    fn only_a_busy_due_unpublished_month_is_missing() {
        let t = Thresholds::default();
        let month = |vouchers, due, published| FinanceMonth { period: "2026-05".into(), vouchers, due, published };
        assert_eq!(finance_missing(village(), &[month(30, true, false)], &t).len(), 1);
        assert!(finance_missing(village(), &[month(30, true, true)], &t).is_empty());
        assert!(finance_missing(village(), &[month(30, false, false)], &t).is_empty());
        assert!(finance_missing(village(), &[month(2, true, false)], &t).is_empty());
    }

    fn version(required: &[&str], signed: &[&str]) -> PublishedVersion {
        PublishedVersion {
            id: 7,
            title: "2026年3月收支".into(),
            required_roles: required.iter().map(|s| s.to_string()).collect(),
            signed_roles: signed.iter().map(|s| s.to_string()).collect(),
            replaces: None,
            withdrawal: false,
            reason: None,
        }
    }

    #[test]
    fn a_missing_required_signoff_fires() {
        let found = no_signoff(village(), &[version(&["村务监督委员会", "镇审核"], &["村务监督委员会"])]);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("镇审核"));
        assert!(no_signoff(village(), &[version(&["村务监督委员会"], &["村务监督委员会"])]).is_empty());
    }

    #[test]
    fn corrections_and_withdrawals_fire_originals_do_not() {
        let clean = version(&[], &[]);
        assert!(changed_after_publication(village(), std::slice::from_ref(&clean)).is_empty());
        let correction =
            PublishedVersion { id: 9, replaces: Some(7), reason: Some("金额录错".into()), ..clean.clone() };
        let withdrawal = PublishedVersion { id: 10, withdrawal: true, ..clean };
        let found = changed_after_publication(village(), &[correction, withdrawal]);
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("更正") && found[0].message.contains("金额录错"));
        assert_eq!(found[0].evidence.len(), 2);
        assert!(found[1].message.contains("撤回"));
    }

    #[test]
    fn questions_past_their_deadline_fire_until_answered() {
        let t = Thresholds::default();
        let today: NaiveDate = "2026-06-20".parse().unwrap();
        let q = |deadline: &str, answered| AskedQuestion {
            id: 3,
            title: "修路".into(),
            deadline: deadline.parse().unwrap(),
            answered,
        };
        assert_eq!(question_overdue(village(), &[q("2026-06-10", false)], today, &t).len(), 1);
        assert!(question_overdue(village(), &[q("2026-06-10", true)], today, &t).is_empty());
        assert!(question_overdue(village(), &[q("2026-06-20", false)], today, &t).is_empty());
    }
}
