//! Receipt rules: expenses without receipt scans (or with fewer than the voucher declares),
//! and the same receipt — an identical scan or the same invoice number — on several vouchers,
//! in one village or several.

use std::collections::{BTreeSet, HashMap};

use super::money::Payment;
use super::{Evidence, Finding, Rule, Severity, links};
use crate::RegionCode;

/// Payments with no scan at all (red) or fewer scans than the attachments the voucher
/// declares (yellow). `scans` counts the scans of each voucher by [`Payment::key`].
pub fn missing_receipts(village: RegionCode, payments: &[Payment], scans: &HashMap<String, u32>) -> Vec<Finding> {
    payments
        .iter()
        .filter_map(|p| {
            let have = scans.get(&p.key()).copied().unwrap_or(0);
            let (severity, message) = if have == 0 {
                (Severity::Red, format!("{} {}「{}」支出 {} 元，没有票据扫描件", p.date, p.number, p.summary, p.amount))
            } else if have < p.attachments {
                (
                    Severity::Yellow,
                    format!(
                        "{} {}「{}」注明附单据 {} 张，只有 {have} 张扫描件",
                        p.date, p.number, p.summary, p.attachments
                    ),
                )
            } else {
                return None;
            };
            Some(Finding {
                village,
                rule: Rule::MissingReceipt,
                subject: p.key(),
                severity,
                message,
                evidence: vec![Evidence::new(
                    format!("凭证 {} {}", p.period, p.number),
                    links::voucher(village, &p.period, &p.number),
                )],
            })
        })
        .collect()
}

/// One receipt on one voucher.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReceiptUse {
    pub village: RegionCode,
    /// `2026-03`.
    pub period: String,
    pub number: String,
    pub sha256: String,
    /// The invoice number (发票号码), when known.
    pub invoice_no: Option<String>,
}

/// For each scan hash or invoice number of `village`'s receipts that appears on more than one
/// voucher among `uses` (this village's and any other village's receipts sharing a hash or
/// number): one red finding, with every voucher as evidence.
pub fn duplicate_receipts(village: RegionCode, uses: &[ReceiptUse]) -> Vec<Finding> {
    let mut by_key: HashMap<(bool, &str), BTreeSet<&ReceiptUse>> = HashMap::new();
    for u in uses {
        by_key.entry((false, u.sha256.as_str())).or_default().insert(u);
        if let Some(no) = u.invoice_no.as_deref().filter(|n| !n.trim().is_empty()) {
            by_key.entry((true, no.trim())).or_default().insert(u);
        }
    }
    let mut out = vec![];
    for ((invoice, key), list) in by_key {
        let vouchers: BTreeSet<(RegionCode, &str, &str)> =
            list.iter().map(|u| (u.village, u.period.as_str(), u.number.as_str())).collect();
        if vouchers.len() < 2 || !vouchers.iter().any(|v| v.0 == village) {
            continue;
        }
        let villages: BTreeSet<RegionCode> = vouchers.iter().map(|v| v.0).collect();
        let what = if invoice {
            format!("发票号码 {key}")
        } else {
            format!("同一扫描件（{}…）", &key[..key.len().min(12)])
        };
        let where_ = if villages.len() > 1 { format!("{} 个村", villages.len()) } else { "本村".to_owned() };
        out.push(Finding {
            village,
            rule: Rule::DuplicateReceipt,
            subject: if invoice { format!("invoice:{key}") } else { format!("sha256:{key}") },
            severity: Severity::Red,
            message: format!("{what}用于{where_}的 {} 张凭证", vouchers.len()),
            evidence: list
                .iter()
                .map(|u| {
                    let href = if u.village == village && !invoice {
                        links::receipt(u.village, &u.period, &u.sha256)
                    } else {
                        links::voucher(u.village, &u.period, &u.number)
                    };
                    Evidence::new(format!("{} {} {}", u.village, u.period, u.number), href)
                })
                .collect(),
        });
    }
    out.sort_by(|a, b| a.subject.cmp(&b.subject));
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::Fen;

    fn village() -> RegionCode {
        "339921100201".parse().unwrap()
    }

    fn payment(attachments: u32) -> Payment {
        Payment {
            period: "2026-03".into(),
            number: "记-4".into(),
            date: NaiveDate::from_ymd_opt(2026, 3, 4).unwrap(),
            summary: "购买办公用品".into(),
            amount: Fen(80_000),
            cash: Fen(80_000),
            attachments,
        }
    }

    #[test]
    fn missing_and_short_scans_fire_complete_ones_do_not() {
        let none = HashMap::new();
        let found = missing_receipts(village(), &[payment(2)], &none);
        assert_eq!(found[0].severity, Severity::Red);
        let one: HashMap<String, u32> = [("2026-03/记-4".to_string(), 1)].into();
        let found = missing_receipts(village(), &[payment(2)], &one);
        assert_eq!(found[0].severity, Severity::Yellow);
        assert!(found[0].message.contains("只有 1 张"));
        assert!(missing_receipts(village(), &[payment(1)], &one).is_empty());
    }

    fn used(village: &str, number: &str, sha: &str, invoice: Option<&str>) -> ReceiptUse {
        ReceiptUse {
            village: village.parse().unwrap(),
            period: "2026-03".into(),
            number: number.into(),
            sha256: sha.into(),
            invoice_no: invoice.map(Into::into),
        }
    }

    #[test]
    fn the_same_scan_or_invoice_on_two_vouchers_fires() {
        let same_scan = [used("339921100201", "记-1", "aa", None), used("339921100201", "记-2", "aa", None)];
        let found = duplicate_receipts(village(), &same_scan);
        assert_eq!((found.len(), found[0].evidence.len()), (1, 2));
        let across =
            [used("339921100201", "记-1", "aa", Some("0451")), used("339921100202", "记-7", "bb", Some("0451"))];
        let found = duplicate_receipts(village(), &across);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("2 个村"), "{}", found[0].message);
        // Two scans of one voucher, distinct scans on distinct vouchers: clean.
        let clean = [
            used("339921100201", "记-1", "aa", None),
            used("339921100201", "记-1", "aa", None),
            used("339921100201", "记-2", "bb", Some("1")),
        ];
        assert!(duplicate_receipts(village(), &clean).is_empty());
        // Another village's duplicate is not this village's finding.
        let elsewhere = [used("339921100202", "记-1", "cc", None), used("339921100202", "记-2", "cc", None)];
        assert!(duplicate_receipts(village(), &elsewhere).is_empty());
    }
}
