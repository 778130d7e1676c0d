//! Warnings (预警): rule-based red flags on a village's publishing, money, receipts and
//! power over assets, for supervisors (DOMAIN §6). Pure: each rule is one evaluator function
//! over plain facts the app gathers from the store, returning [`Finding`]s.
//!
//! A finding's `subject` is its identity within (village, rule): built only from stable keys
//! (a voucher number, a contract number, a period), never from amounts or dates of the
//! evaluation, so that a recompute finds the same finding again and the stored warning keeps
//! its state (reviewed, dismissed) while the message's figures may change.

pub mod assets;
pub mod money;
pub mod publishing;
pub mod receipts;
mod thresholds;

pub use thresholds::{Override, ThresholdError, Thresholds, check as check_threshold};

use crate::RegionCode;

/// The rules, each with a stable code (stored with every warning; never renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    ItemOverdue,
    FinanceMissing,
    NoSignoff,
    ChangedAfterPublication,
    QuestionOverdue,
    CashNegative,
    CashOverLimit,
    CashPayment,
    SplitPayment,
    MissingReceipt,
    DuplicateReceipt,
    NoDecision,
    OverResolved,
    LeaseUntraded,
    DealBelowReserve,
    DealBelowPrevious,
    RentAfterEnd,
    RentArrears,
    SpendingSpike,
}

impl Rule {
    pub const ALL: [Rule; 19] = [
        Rule::ItemOverdue,
        Rule::FinanceMissing,
        Rule::NoSignoff,
        Rule::ChangedAfterPublication,
        Rule::QuestionOverdue,
        Rule::CashNegative,
        Rule::CashOverLimit,
        Rule::CashPayment,
        Rule::SplitPayment,
        Rule::MissingReceipt,
        Rule::DuplicateReceipt,
        Rule::NoDecision,
        Rule::OverResolved,
        Rule::LeaseUntraded,
        Rule::DealBelowReserve,
        Rule::DealBelowPrevious,
        Rule::RentAfterEnd,
        Rule::RentArrears,
        Rule::SpendingSpike,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::ItemOverdue => "item-overdue",
            Rule::FinanceMissing => "finance-missing",
            Rule::NoSignoff => "no-signoff",
            Rule::ChangedAfterPublication => "changed-after-publication",
            Rule::QuestionOverdue => "question-overdue",
            Rule::CashNegative => "cash-negative",
            Rule::CashOverLimit => "cash-over-limit",
            Rule::CashPayment => "cash-payment",
            Rule::SplitPayment => "split-payment",
            Rule::MissingReceipt => "missing-receipt",
            Rule::DuplicateReceipt => "duplicate-receipt",
            Rule::NoDecision => "no-decision",
            Rule::OverResolved => "over-resolved",
            Rule::LeaseUntraded => "lease-untraded",
            Rule::DealBelowReserve => "deal-below-reserve",
            Rule::DealBelowPrevious => "deal-below-previous",
            Rule::RentAfterEnd => "rent-after-end",
            Rule::RentArrears => "rent-arrears",
            Rule::SpendingSpike => "spending-spike",
        }
    }

    pub fn parse(code: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The rule's name for supervisors.
    pub fn label(self, english: bool) -> &'static str {
        let (zh, en) = match self {
            Rule::ItemOverdue => ("公开事项逾期", "Item overdue"),
            Rule::FinanceMissing => ("业务较多月份财务未公开", "Busy month's accounts not published"),
            Rule::NoSignoff => ("未经规定审核即公开", "Published without the required sign-off"),
            Rule::ChangedAfterPublication => ("公开后更正或撤回", "Corrected or withdrawn after publication"),
            Rule::QuestionOverdue => ("质询逾期未答复", "Question unanswered past its deadline"),
            Rule::CashNegative => ("库存现金为负", "Cash on hand negative"),
            Rule::CashOverLimit => ("库存现金超限额", "Cash on hand over the limit"),
            Rule::CashPayment => ("大额现金支付", "Cash payment over the threshold"),
            Rule::SplitPayment => ("疑似拆分支付", "Suspected split payments"),
            Rule::MissingReceipt => ("支出缺少票据扫描件", "Expense without receipt scans"),
            Rule::DuplicateReceipt => ("票据重复使用", "Receipt used more than once"),
            Rule::NoDecision => ("大额支出无决策记录", "Large payment with no decision record"),
            Rule::OverResolved => ("支出超出决议金额", "Spending over the amount resolved"),
            Rule::LeaseUntraded => ("应进场交易未进场", "Lease above the must-trade threshold not traded"),
            Rule::DealBelowReserve => ("成交价低于底价", "Deal below the reserve price"),
            Rule::DealBelowPrevious => ("成交价低于原租金", "Deal below the previous rent"),
            Rule::RentAfterEnd => ("合同到期后仍收租", "Rent received after the contract ended"),
            Rule::RentArrears => ("租金拖欠", "Rent in arrears"),
            Rule::SpendingSpike => ("支出异常增长", "Spending spike"),
        };
        if english { en } else { zh }
    }

    /// The rule family, for grouping on the console.
    pub fn family(self) -> &'static str {
        match self {
            Rule::ItemOverdue
            | Rule::FinanceMissing
            | Rule::NoSignoff
            | Rule::ChangedAfterPublication
            | Rule::QuestionOverdue => "publishing",
            Rule::MissingReceipt | Rule::DuplicateReceipt => "receipts",
            Rule::LeaseUntraded
            | Rule::DealBelowReserve
            | Rule::DealBelowPrevious
            | Rule::RentAfterEnd
            | Rule::RentArrears
            | Rule::NoDecision
            | Rule::OverResolved => "power",
            _ => "money",
        }
    }
}

/// Red needs looking at now; yellow is worth a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Red,
    Yellow,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Red => "red",
            Severity::Yellow => "yellow",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "red" => Some(Severity::Red),
            "yellow" => Some(Severity::Yellow),
            _ => None,
        }
    }

    pub fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (Severity::Red, false) => "红色",
            (Severity::Yellow, false) => "黄色",
            (Severity::Red, true) => "Red",
            (Severity::Yellow, true) => "Yellow",
        }
    }
}

/// A link to the page that shows what a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    pub label: String,
    pub href: String,
}

impl Evidence {
    pub fn new(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self { label: label.into(), href: href.into() }
    }
}

/// One rule firing on one subject of one village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub village: RegionCode,
    pub rule: Rule,
    /// Stable identity within (village, rule); see the module's note.
    pub subject: String,
    pub severity: Severity,
    /// Short, Chinese, with the figures.
    pub message: String,
    pub evidence: Vec<Evidence>,
}

/// Where evidence points: the public and console pages of a village's things.
pub mod links {
    use crate::RegionCode;

    /// A voucher's month of accounts, filtered to its number.
    pub fn voucher(village: RegionCode, period: &str, number: &str) -> String {
        format!("/v/{village}/finance/{period}?voucher={}", encode(number))
    }
    pub fn finance(village: RegionCode, period: &str) -> String {
        format!("/v/{village}/finance/{period}")
    }
    pub fn receipt(village: RegionCode, period: &str, sha256: &str) -> String {
        format!("/v/{village}/finance/{period}/receipt/{sha256}")
    }
    pub fn disclosure(village: RegionCode, id: i64) -> String {
        format!("/v/{village}/d/{id}")
    }
    pub fn console_disclosure(id: i64) -> String {
        format!("/console/d/{id}")
    }
    pub fn lease(village: RegionCode, contract_no: &str) -> String {
        format!("/v/{village}/leases/{}", encode(contract_no))
    }
    pub fn listing(village: RegionCode, project_no: &str) -> String {
        format!("/v/{village}/trading/{}", encode(project_no))
    }
    pub fn decision(village: RegionCode, number: &str) -> String {
        format!("/v/{village}/decisions/{}", encode(number))
    }
    pub fn question(village: RegionCode, id: i64) -> String {
        format!("/console/questions?village={village}#q{id}")
    }
    pub fn calendar(village: RegionCode) -> String {
        format!("/console/calendar/village/{village}")
    }

    /// Percent-encodes what is not safe in a path segment or query value (voucher numbers
    /// hold Chinese characters, contract numbers may hold `/`).
    fn encode(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_codes_are_unique_and_parse_back() {
        let mut codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.code()), Some(r));
        }
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
        assert_eq!(Rule::parse("nonsense"), None);
    }

    #[test]
    fn links_encode_voucher_numbers() {
        let v: RegionCode = "339921100201".parse().unwrap();
        assert_eq!(links::voucher(v, "2026-03", "记-12"), "/v/339921100201/finance/2026-03?voucher=%E8%AE%B0-12");
    }
}
