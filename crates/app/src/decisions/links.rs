//! Money a decision authorised: a voucher (found in the books), a lease (found in the
//! register), a works contract or an asset disposal (typed in). Linked in the console or by a
//! `决议编号` column in an import; each thing names at most one decision.

use chrono::{NaiveDate, Utc};
use yangguang_core::RegionCode;
use yangguang_core::ledger::{LedgerEntry, normalize_voucher_no};
use yangguang_import::RowError;
use yangguang_store::DecisionLink;

use super::{check_clerk, field, parse_amount, target};
use crate::publishing::Actor;
use crate::{AppError, Site};

/// The kinds of thing a decision can authorise.
pub const LINK_KINDS: [&str; 4] = ["voucher", "lease", "works", "disposal"];

pub fn link_kind_label(kind: &str) -> &'static str {
    match kind {
        "voucher" => "记账凭证",
        "lease" => "租赁（经济）合同",
        "works" => "工程合同",
        "disposal" => "资产处置",
        _ => "其他",
    }
}

pub use yangguang_import::ledger::voucher_ref;

/// Cash and bank accounts (库存现金, 银行存款): a credit to them is money paid out.
fn is_cash(code: &str) -> bool {
    code.starts_with("101") || code.starts_with("102")
}

/// A voucher's summary, amount and whether it paid money out: the credits to cash and bank
/// when it paid, else its debits.
pub fn voucher_money(lines: &[&LedgerEntry]) -> (String, yangguang_core::Fen, bool) {
    let summary = lines.iter().map(|l| l.summary.as_str()).find(|s| !s.is_empty()).unwrap_or("").to_owned();
    let paid: yangguang_core::Fen = lines.iter().filter(|l| is_cash(&l.account_code)).map(|l| l.credit).sum();
    if paid.0 > 0 { (summary, paid, true) } else { (summary, lines.iter().map(|l| l.debit).sum(), false) }
}

/// What a clerk types to link something.
#[derive(Debug, Clone, Default)]
pub struct LinkInput {
    pub kind: String,
    /// For a voucher: its month (2026-03).
    pub month: String,
    /// A voucher's number or a contract's number.
    pub reference: String,
    /// For works and disposals: what it is, and its amount in yuan.
    pub label: String,
    pub amount: String,
}

/// Links a thing to a decision of the same village (moving it from another decision if it
/// named one); audited.
pub async fn link(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    number: &str,
    input: &LinkInput,
) -> Result<DecisionLink, AppError> {
    check_clerk(site, actor, village)?;
    site.store.get_decision(village, number).await?.ok_or(AppError::NotFound)?;
    let reference = input.reference.trim();
    if reference.is_empty() || reference.chars().count() > 64 {
        return Err(field("reference", "请填写凭证号或合同编号（不超过 64 个字）/ the number is missing"));
    }
    let (target_ref, label, amount, outgoing) = match input.kind.as_str() {
        "voucher" => {
            let month = format!("{}-01", input.month.trim());
            let start = NaiveDate::parse_from_str(&month, "%Y-%m-%d").map_err(|_| {
                field("month", format!("凭证月份“{}”无法识别，应如 2026-03 / not a month", input.month.trim()))
            })?;
            let end = start.checked_add_months(chrono::Months::new(1)).expect("valid") - chrono::Days::new(1);
            let entries = site.store.ledger_entries(village, start, end).await?;
            let wanted = normalize_voucher_no(reference);
            let lines: Vec<&LedgerEntry> =
                entries.iter().filter(|e| normalize_voucher_no(&e.voucher_no) == wanted).collect();
            let Some(first) = lines.first() else {
                return Err(field(
                    "reference",
                    format!("{} 的账上没有凭证“{reference}”，请核对月份和凭证号 / no such voucher", input.month.trim()),
                ));
            };
            let (summary, amount, outgoing) = voucher_money(&lines);
            (voucher_ref(first.date, &first.voucher_no), summary, amount, outgoing)
        }
        "lease" => {
            let lease = crate::leases::lease(site, village, reference).await?.ok_or_else(|| {
                field(
                    "reference",
                    format!("租赁台账中没有合同编号“{reference}” / no such contract in the lease register"),
                )
            })?;
            (
                lease.contract_no.clone(),
                format!("{} · {}（年租金）", lease.asset, lease.lessee),
                lease.annual_rent,
                false,
            )
        }
        kind @ ("works" | "disposal") => {
            let label = input.label.trim();
            if label.is_empty() || label.chars().count() > 200 {
                return Err(field("label", "请填写合同名称和对方单位（不超过 200 个字）/ the description is missing"));
            }
            let amount = parse_amount(&input.amount, "link_amount")?
                .ok_or_else(|| field("link_amount", "请填写合同金额 / the amount is missing"))?;
            (reference.to_owned(), label.to_owned(), amount, kind == "works")
        }
        _ => return Err(field("kind", "请选择类别 / choose what to link")),
    };
    let link = DecisionLink {
        village,
        target_kind: input.kind.clone(),
        target_ref,
        number: number.to_owned(),
        label,
        amount,
        outgoing,
        source: "console".into(),
        linked_by: actor.who.staff.display_name.clone(),
        linked_at: Utc::now(),
    };
    site.store.put_links(std::slice::from_ref(&link)).await?;
    let detail = format!("link {} {} {} 元", link.target_kind, link.target_ref, link.amount);
    crate::auth::audit(site, Some(&actor.who.staff), actor.ip, "decision-link", &target(village, number), &detail)
        .await;
    site.published(village);
    Ok(link)
}

/// Unlinks a thing from the decision it names (audited); `NotFound` when it names another or none.
pub async fn unlink(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    number: &str,
    kind: &str,
    target_ref: &str,
) -> Result<(), AppError> {
    check_clerk(site, actor, village)?;
    let current = site.store.link_of(village, kind, target_ref).await?;
    if current.as_ref().is_none_or(|l| l.number != number) {
        return Err(AppError::NotFound);
    }
    site.store.remove_link(village, kind, target_ref).await?;
    let detail = format!("unlink {kind} {target_ref}");
    crate::auth::audit(site, Some(&actor.who.staff), actor.ip, "decision-unlink", &target(village, number), &detail)
        .await;
    site.published(village);
    Ok(())
}

/// A lease's link to the decision an import named for it.
pub fn lease_link(
    village: RegionCode,
    lease: &yangguang_core::lease::Lease,
    number: &str,
    by: Option<&yangguang_store::Staff>,
) -> DecisionLink {
    DecisionLink {
        village,
        target_kind: "lease".into(),
        target_ref: lease.contract_no.clone(),
        number: number.to_owned(),
        label: format!("{} · {}（年租金）", lease.asset, lease.lessee),
        amount: lease.annual_rent,
        outgoing: false,
        source: "import".into(),
        linked_by: by.map_or_else(|| "—".to_owned(), |s| s.display_name.clone()),
        linked_at: Utc::now(),
    }
}

/// An asset's or resource's disposal linked to the decision an import named for it; its
/// amount is the book value (原值) the register gives, the price being in the contract.
pub fn disposal_link(
    village: RegionCode,
    asset: &yangguang_core::assets::Asset,
    number: &str,
    by: Option<&yangguang_store::Staff>,
) -> DecisionLink {
    DecisionLink {
        village,
        target_kind: "disposal".into(),
        target_ref: asset.code.clone(),
        number: number.to_owned(),
        label: format!("{} · {}（处置，账面原值）", asset.code, asset.name),
        amount: asset.original_value.unwrap_or_default(),
        outgoing: false,
        source: "import".into(),
        linked_by: by.map_or_else(|| "—".to_owned(), |s| s.display_name.clone()),
        linked_at: Utc::now(),
    }
}

/// Row-level errors for decision numbers an import names that the village has no decision
/// for: (row, the column's name as the file writes it, the number).
pub async fn check_import_numbers(
    site: &Site,
    village: RegionCode,
    named: &[yangguang_import::lease::NamedDecision],
) -> Result<Vec<RowError>, AppError> {
    if named.is_empty() {
        return Ok(vec![]);
    }
    let known: std::collections::HashSet<String> =
        site.store.village_decisions(village).await?.into_iter().map(|d| d.new.number).collect();
    Ok(named
        .iter()
        .filter(|d| !known.contains(&d.number))
        .map(|d| (d.row, d.column.clone(), d.number.clone()))
        .map(|(row, column, n)| RowError {
            row,
            column,
            value: n.clone(),
            problem: format!(
                "第 {row} 行的决议编号“{n}”在本村的民主决策记录中不存在，请先在“民主决策”中登记该决议，或核对编号 / unknown decision number"
            ),
        })
        .collect())
}

/// Stores the links an import named (after its numbers were checked), audited once.
pub async fn link_imported(
    site: &Site,
    staff: Option<&yangguang_store::Staff>,
    ip: &str,
    village: RegionCode,
    links: Vec<DecisionLink>,
) -> Result<(), AppError> {
    if links.is_empty() {
        return Ok(());
    }
    site.store.put_links(&links).await?;
    let detail = format!("{} links from an import", links.len());
    crate::auth::audit(site, staff, ip, "decision-link-import", &village.to_string(), &detail).await;
    site.published(village);
    Ok(())
}
