//! Finance disclosures from the books: the month's statement as Markdown for the
//! disclosure body, the month's entry lines as the CSV attached to it (so the publication
//! log's hash covers every line), and drafting that disclosure for a clerk.

use std::fmt::Write;

use chrono::NaiveDate;
use yangguang_core::finance::{Statement, statement};
use yangguang_core::ledger::LedgerEntry;
use yangguang_core::{Attachment, DisclosureId, Fen, Period, RegionCode};

use crate::auth::audit;
use crate::publishing::{Actor, DraftInput, create_draft};
use crate::{AppError, Site};

/// Items from 10,000 yuan up are listed as large.
pub const LARGE_ITEM: Fen = Fen(1_000_000);
pub const MONTHLY_ACCOUNTS_ITEM: &str = "income-expenditure";

pub fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}|", header.iter().map(|_| "---").collect::<Vec<_>>().join("|"));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out.push('\n');
}

pub fn csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(","));
    out.push('\n');
    for row in rows {
        out.push_str(&row.iter().map(|c| c.replace(',', "")).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// The month's entry lines as a CSV in the shape the import reads.
pub fn ledger_csv(lines: &[yangguang_core::ledger::LedgerEntry]) -> Vec<u8> {
    let header = ["凭证日期", "凭证号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "附件数"];
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let money = |f: Fen| if f.0 == 0 { String::new() } else { f.to_string() };
            vec![
                l.date.to_string(),
                l.voucher_no.clone(),
                l.summary.clone(),
                l.account_code.clone(),
                l.account_name.clone(),
                money(l.debit),
                money(l.credit),
                l.attachments.to_string(),
            ]
        })
        .collect();
    csv(&header, &rows)
}

pub fn statement_markdown(md: &mut String, s: &yangguang_core::finance::Statement, village_path: &str) {
    let _ = writeln!(
        md,
        "本期收入 **{} 元**，支出 **{} 元**。以下按类别汇总，逐笔明细见附件和收支明细账。\n",
        s.total_income, s.total_expenditure
    );
    for (title, lines, total) in [("收入", &s.income, s.total_income), ("支出", &s.expenditure, s.total_expenditure)]
    {
        let _ = writeln!(md, "### {title}\n");
        let mut rows: Vec<Vec<String>> = lines
            .iter()
            .map(|l| vec![l.category.clone(), l.amount.to_string(), l.vouchers.len().to_string()])
            .collect();
        rows.push(vec!["**合计**".into(), format!("**{total}**"), String::new()]);
        table(md, &["类别", "金额（元）", "凭证数"], &rows);
    }
    md.push_str("### 资金余额\n\n");
    table(
        md,
        &["项目", "期初（元）", "期末（元）"],
        &[
            vec!["银行存款".into(), s.opening_bank.to_string(), s.closing_bank.to_string()],
            vec!["库存现金".into(), s.opening_cash.to_string(), s.closing_cash.to_string()],
        ],
    );
    if !s.large_items.is_empty() {
        md.push_str("### 大额收支（1 万元及以上）\n\n");
        let rows: Vec<Vec<String>> = s
            .large_items
            .iter()
            .map(|i| {
                vec![
                    i.date.to_string(),
                    i.key.number.clone(),
                    i.summary.clone(),
                    i.category.clone(),
                    i.amount.to_string(),
                ]
            })
            .collect();
        table(md, &["日期", "凭证号", "摘要", "类别", "金额（元）"], &rows);
    }
    let _ =
        writeln!(md, "[查看本期每一张凭证]({village_path}/finance/{})\n\n以上收支已经民主理财小组逐笔审核。", s.period);
}

/// The statement of a period and its entry lines, from the stored books.
pub async fn period_books(
    site: &Site,
    village: RegionCode,
    period: Period,
) -> Result<(Statement, Vec<LedgerEntry>), AppError> {
    let from = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid");
    let entries = site.store.ledger_entries(village, from, period.end()).await?;
    let s = statement(period, &entries, &site.charts, LARGE_ITEM);
    let lines = entries.into_iter().filter(|e| e.date >= period.start()).collect();
    Ok((s, lines))
}

/// Drafts the monthly accounts of a village from its imported books: the statement as the
/// body, the month's lines attached as CSV. It then goes through the finance group's review.
pub async fn draft_monthly_accounts(
    site: &Site,
    actor: &Actor<'_>,
    village: RegionCode,
    period: Period,
) -> Result<DisclosureId, AppError> {
    if !matches!(period, Period::Month { .. }) {
        return Err(AppError::Invalid("收支明细按月生成 / the accounts are drafted per month".into()));
    }
    let (s, lines) = period_books(site, village, period).await?;
    if lines.is_empty() {
        return Err(AppError::Invalid(format!(
            "{}没有已导入的凭证，请先导入账簿 / no vouchers imported for this month",
            period.label_zh()
        )));
    }
    let mut body = String::new();
    statement_markdown(&mut body, &s, &format!("/v/{village}"));
    let bytes = ledger_csv(&lines);
    let sha256 = site.files.put(&bytes)?;
    let attachment = Attachment {
        file_name: format!("{}收支明细账.csv", period.label_zh()),
        media_type: "text/csv; charset=utf-8".into(),
        byte_size: bytes.len() as i64,
        sha256,
    };
    let item = site.catalog.item(MONTHLY_ACCOUNTS_ITEM).ok_or(AppError::NotFound)?;
    let input = DraftInput {
        column: item.column.clone(),
        catalog_item: Some(item.id.clone()),
        period: Some(period),
        title: format!("{}{}", period.label_zh(), item.name),
        body_md: body,
        attachments: vec![attachment],
        reason: None,
    };
    let id = create_draft(site, actor, village, input).await?;
    audit(site, Some(&actor.who.staff), actor.ip, "draft-accounts", &format!("disclosure:{id}"), &period.to_string())
        .await;
    Ok(id)
}

/// Once a period's accounts are published, its vouchers may not change: a later import that
/// differs is a conflict.
pub async fn lock_published_books(
    site: &Site,
    village: RegionCode,
    item: Option<&str>,
    period: Option<Period>,
) -> Result<u64, AppError> {
    match (item, period) {
        (Some(MONTHLY_ACCOUNTS_ITEM), Some(p)) => Ok(site.store.lock_vouchers(village, p.start(), p.end()).await?),
        _ => Ok(0),
    }
}
