//! The tables of a village-year bulk download: their schemas (one list, from which the CSV
//! headers, `datapackage.json` and `csv-metadata.json` are all written) and their rows, read
//! from the store one table (the ledger: one month) at a time.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use yangguang_core::ledger::LedgerEntry;
use yangguang_core::time::china_date;
use yangguang_core::{Fen, Period, RegionCode};
use yangguang_store::DisclosureQuery;
use yangguang_store::QuestionState;

use crate::finance::{MONTHLY_ACCOUNTS_ITEM, plain_yuan};
use crate::{AppError, Site};

/// A column of a table: its name in the CSV header, its Table Schema type, its Chinese title.
pub struct Field {
    pub name: &'static str,
    pub kind: &'static str,
    pub title: &'static str,
}

/// One CSV file of the download.
pub struct Table {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub fields: &'static [Field],
    /// Fields whose values together name one row; empty when rows have no natural key.
    pub key: &'static [&'static str],
}

impl Table {
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.name)
    }
}

const fn f(name: &'static str, kind: &'static str, title: &'static str) -> Field {
    Field { name, kind, title }
}

pub const DISCLOSURES: Table = Table {
    name: "disclosures",
    title: "公开事项目录",
    description: "本年发布的公开事项（含已更正、已撤回的版本），每行一项，链接到其页面。",
    fields: &[
        f("id", "integer", "编号"),
        f("column", "string", "栏目编码"),
        f("column_name", "string", "栏目"),
        f("period", "string", "公开期"),
        f("title", "string", "标题"),
        f("kind", "string", "类型"),
        f("state", "string", "状态"),
        f("version", "integer", "版本"),
        f("published_date", "date", "发布日期"),
        f("attachments", "integer", "附件数"),
        f("path", "string", "页面地址"),
    ],
    key: &["id"],
};

pub const LEDGER_LINES: Table = Table {
    name: "ledger_lines",
    title: "记账凭证分录",
    description: "已公开月份的全部分录（借贷两方），金额单位元。",
    fields: &[
        f("month", "string", "月份"),
        f("voucher", "string", "凭证号"),
        f("line", "integer", "分录序号"),
        f("date", "date", "凭证日期"),
        f("summary", "string", "摘要"),
        f("account_code", "string", "科目编码"),
        f("account_name", "string", "科目名称"),
        f("debit", "number", "借方金额（元）"),
        f("credit", "number", "贷方金额（元）"),
    ],
    key: &["month", "voucher", "line"],
};

pub const VOUCHERS: Table = Table {
    name: "vouchers",
    title: "记账凭证",
    description: "已公开月份的凭证，每张一行：凭证号每月重新编号，故以月份和凭证号为键。",
    fields: &[
        f("month", "string", "月份"),
        f("voucher", "string", "凭证号"),
        f("date", "date", "凭证日期"),
        f("summary", "string", "摘要"),
        f("lines", "integer", "分录数"),
        f("amount", "number", "借方合计（元）"),
        f("attachments", "integer", "附件数"),
    ],
    key: &["month", "voucher"],
};

pub const STATEMENTS: Table = Table {
    name: "monthly_statements",
    title: "月度收支表",
    description: "已公开月份的收支情况：收入、支出按类别，及银行存款、库存现金的期初期末余额。",
    fields: &[
        f("month", "string", "月份"),
        f("section", "string", "项目"),
        f("category", "string", "类别"),
        f("amount", "number", "金额（元）"),
        f("vouchers", "integer", "凭证数"),
    ],
    key: &[],
};

pub const ASSETS: Table = Table {
    name: "assets",
    title: "集体资产资源台账",
    description: "村集体的资产（房屋、设施）和资源（耕地、林地、水面），为当前台账。",
    fields: &[
        f("register", "string", "台账"),
        f("code", "string", "编号"),
        f("name", "string", "名称"),
        f("category", "string", "类别"),
        f("location", "string", "坐落"),
        f("area", "number", "面积"),
        f("area_unit", "string", "面积单位"),
        f("original_value", "number", "原值（元）"),
        f("status", "string", "状态"),
        f("occupant", "string", "使用人"),
    ],
    key: &["register", "code"],
};

pub const LEASES: Table = Table {
    name: "leases",
    title: "产权出租合同",
    description: "本年内有效的出租合同；承租人为个人的已隐去部分姓名。",
    fields: &[
        f("contract_no", "string", "合同编号"),
        f("asset", "string", "出租标的"),
        f("asset_type", "string", "标的类型"),
        f("location", "string", "坐落"),
        f("lessee", "string", "承租方"),
        f("area", "number", "面积"),
        f("area_unit", "string", "面积单位"),
        f("annual_rent", "number", "年租金（元）"),
        f("start", "date", "起租日"),
        f("end", "date", "到期日"),
        f("schedule", "string", "付款方式"),
    ],
    key: &["contract_no"],
};

pub const LISTINGS: Table = Table {
    name: "listings",
    title: "产权交易项目",
    description: "本年公告或成交的产权交易项目；竞得人为个人的已隐去部分姓名。",
    fields: &[
        f("project_no", "string", "项目编号"),
        f("title", "string", "项目名称"),
        f("subject_type", "string", "标的类型"),
        f("location", "string", "坐落"),
        f("area", "number", "面积"),
        f("area_unit", "string", "面积单位"),
        f("reserve_price", "number", "底价（元）"),
        f("price_unit", "string", "价格单位"),
        f("method", "string", "交易方式"),
        f("stage", "string", "阶段"),
        f("announcement_start", "date", "公告开始"),
        f("announcement_end", "date", "公告结束"),
        f("deal_date", "date", "成交日期"),
        f("deal_price", "number", "成交价（元）"),
        f("winner", "string", "竞得人"),
    ],
    key: &["project_no"],
};

pub const DECISIONS: Table = Table {
    name: "decisions",
    title: "民主决策事项",
    description: "本年立项的“四议两公开”等民主决策事项。",
    fields: &[
        f("number", "string", "事项编号"),
        f("subject", "string", "事项"),
        f("kind", "string", "类型"),
        f("procedure", "string", "程序"),
        f("amount", "number", "金额（元）"),
        f("created_date", "date", "立项日期"),
        f("steps", "integer", "已记录步骤数"),
        f("resolution_disclosure", "integer", "决议公开编号"),
        f("result_disclosure", "integer", "结果公开编号"),
    ],
    key: &["number"],
};

pub const QUESTIONS: Table = Table {
    name: "questions",
    title: "村民质询与答复",
    description: "本年提出、提问人同意公开的质询及村里的答复；不含提问人信息。",
    fields: &[
        f("asked_date", "date", "提问日期"),
        f("target_kind", "string", "所问事项类型"),
        f("target_ref", "string", "所问事项"),
        f("target_title", "string", "所问事项标题"),
        f("question", "string", "问题"),
        f("state", "string", "状态"),
        f("reply", "string", "答复"),
        f("replied_date", "date", "答复日期"),
    ],
    key: &[],
};

/// Every table, in the order the ZIP holds them.
pub const TABLES: [&Table; 9] =
    [&DISCLOSURES, &LEDGER_LINES, &VOUCHERS, &STATEMENTS, &ASSETS, &LEASES, &LISTINGS, &DECISIONS, &QUESTIONS];

pub type Row = Vec<String>;

fn date(at: DateTime<Utc>) -> String {
    china_date(at).to_string()
}

fn opt_yuan(f: Option<Fen>) -> String {
    f.map(plain_yuan).unwrap_or_default()
}

/// The village's published disclosures whose publication falls in `year` (China time).
pub async fn disclosures(site: &Site, village: RegionCode, year: i32) -> Result<Vec<Row>, AppError> {
    let mut rows = vec![];
    let mut page = 1;
    loop {
        let list =
            site.store.list_disclosures(&DisclosureQuery { village, columns: vec![], page, per_page: 200 }).await?;
        let done = list.items.len() < 200;
        let mut older = false;
        for d in list.items {
            let Some(at) = d.published_at else { continue };
            let y = china_date(at).year();
            older |= y < year;
            if y != year {
                continue;
            }
            let column_name = site.catalog.column(&d.column).map(|c| c.name.clone()).unwrap_or_default();
            rows.push(vec![
                d.id.to_string(),
                d.column.to_string(),
                column_name,
                d.period.map(|p| p.to_string()).unwrap_or_default(),
                d.title,
                d.kind.as_str().into(),
                d.state.as_str().into(),
                d.version.to_string(),
                date(at),
                d.attachment_count.to_string(),
                format!("/v/{village}/d/{}", d.id),
            ]);
        }
        // Newest first: once a page reaches into earlier years, the rest are earlier still.
        if done || older {
            break;
        }
        page += 1;
    }
    Ok(rows)
}

/// The months of `year` whose accounts the village published, in order.
pub async fn published_months(site: &Site, village: RegionCode, year: i32) -> Result<Vec<Period>, AppError> {
    let months: HashSet<Period> = site
        .store
        .published_periods(village)
        .await?
        .into_iter()
        .filter(|(item, p)| item == MONTHLY_ACCOUNTS_ITEM && matches!(p, Period::Month { year: y, .. } if *y == year))
        .map(|(_, p)| p)
        .collect();
    let mut months: Vec<Period> = months.into_iter().collect();
    months.sort_by_key(|p| p.start());
    Ok(months)
}

/// One published month's entry lines, as they are stored.
pub async fn month_entries(site: &Site, village: RegionCode, month: Period) -> Result<Vec<LedgerEntry>, AppError> {
    Ok(site.store.ledger_entries(village, month.start(), month.end()).await?)
}

/// A month's lines as `ledger_lines` rows, each numbered within its voucher.
pub fn ledger_rows(month: Period, entries: &[LedgerEntry]) -> Vec<Row> {
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    entries
        .iter()
        .map(|e| {
            let n = seen.entry(&e.voucher_no).or_default();
            *n += 1;
            vec![
                month.to_string(),
                e.voucher_no.clone(),
                n.to_string(),
                e.date.to_string(),
                e.summary.clone(),
                e.account_code.clone(),
                e.account_name.clone(),
                plain_yuan(e.debit),
                plain_yuan(e.credit),
            ]
        })
        .collect()
}

/// A month's vouchers as `vouchers` rows: the first line's date and summary, the debit total.
pub fn voucher_rows(month: Period, entries: &[LedgerEntry]) -> Vec<Row> {
    let mut order: Vec<&str> = vec![];
    let mut by_no: BTreeMap<&str, (NaiveDate, &str, u32, i64, u32)> = BTreeMap::new();
    for e in entries {
        let v = by_no.entry(&e.voucher_no).or_insert_with(|| {
            order.push(&e.voucher_no);
            (e.date, &e.summary, 0, 0, 0)
        });
        v.2 += 1;
        v.3 += e.debit.0;
        v.4 = v.4.max(e.attachments);
    }
    order
        .into_iter()
        .map(|no| {
            let (d, summary, lines, debit, attachments) = by_no[no];
            vec![
                month.to_string(),
                no.to_string(),
                d.to_string(),
                summary.to_string(),
                lines.to_string(),
                plain_yuan(Fen(debit)),
                attachments.to_string(),
            ]
        })
        .collect()
}

/// The published months' statements as `monthly_statements` rows. The books are read once
/// up to the year's end (opening balances need every earlier line) and each month computed
/// from them.
pub async fn statement_rows(site: &Site, village: RegionCode, months: &[Period]) -> Result<Vec<Row>, AppError> {
    let Some(last) = months.last() else { return Ok(vec![]) };
    let from = NaiveDate::from_ymd_opt(1990, 1, 1).expect("valid");
    let entries = site.store.ledger_entries(village, from, last.end()).await?;
    let mut rows = vec![];
    for &month in months {
        let s = yangguang_core::finance::statement(month, &entries, &site.charts, crate::finance::LARGE_ITEM);
        let m = month.to_string();
        for (section, lines, total) in
            [("收入", &s.income, s.total_income), ("支出", &s.expenditure, s.total_expenditure)]
        {
            for l in lines {
                rows.push(vec![
                    m.clone(),
                    section.into(),
                    l.category.clone(),
                    plain_yuan(l.amount),
                    l.vouchers.len().to_string(),
                ]);
            }
            rows.push(vec![m.clone(), section.into(), "合计".into(), plain_yuan(total), String::new()]);
        }
        for (name, open, close) in
            [("银行存款", s.opening_bank, s.closing_bank), ("库存现金", s.opening_cash, s.closing_cash)]
        {
            rows.push(vec![m.clone(), "期初余额".into(), name.into(), plain_yuan(open), String::new()]);
            rows.push(vec![m.clone(), "期末余额".into(), name.into(), plain_yuan(close), String::new()]);
        }
    }
    Ok(rows)
}

pub async fn assets(site: &Site, village: RegionCode) -> Result<Vec<Row>, AppError> {
    use yangguang_core::assets::Register;
    let mut rows = vec![];
    for (register, label) in [(Register::Assets, "资产"), (Register::Resources, "资源")] {
        for a in crate::assets::village_register(site, village, register).await? {
            rows.push(vec![
                label.into(),
                a.code,
                a.name,
                a.category,
                a.location,
                a.area,
                a.area_unit,
                opt_yuan(a.original_value),
                a.status,
                a.occupant,
            ]);
        }
    }
    Ok(rows)
}

pub async fn leases(site: &Site, village: RegionCode, year: i32) -> Result<Vec<Row>, AppError> {
    Ok(crate::leases::village_leases(site, village)
        .await?
        .into_iter()
        .filter(|l| l.start.year() <= year && year <= l.end.year())
        .map(|l| {
            vec![
                l.contract_no,
                l.asset,
                l.asset_type,
                l.location,
                l.lessee,
                l.area,
                l.area_unit,
                plain_yuan(l.annual_rent),
                l.start.to_string(),
                l.end.to_string(),
                l.schedule.label(false).into(),
            ]
        })
        .collect())
}

pub async fn listings(site: &Site, village: RegionCode, year: i32) -> Result<Vec<Row>, AppError> {
    Ok(crate::trading::village_listings(site, village)
        .await?
        .into_iter()
        .filter(|l| l.announcement.start.year() == year || l.deal.as_ref().is_some_and(|d| d.date.year() == year))
        .map(|l| {
            vec![
                l.project_no,
                l.title,
                l.subject_type,
                l.location,
                l.area,
                l.area_unit,
                plain_yuan(l.reserve_price),
                l.price_unit.label(false).into(),
                l.method.label(false).into(),
                l.stage.label(false).into(),
                l.announcement.start.to_string(),
                l.announcement.end.to_string(),
                l.deal.as_ref().map(|d| d.date.to_string()).unwrap_or_default(),
                opt_yuan(l.deal.as_ref().map(|d| d.price)),
                l.deal.map(|d| d.winner).unwrap_or_default(),
            ]
        })
        .collect())
}

pub async fn decisions(site: &Site, village: RegionCode, year: i32) -> Result<Vec<Row>, AppError> {
    Ok(crate::decisions::village_overview(site, village)
        .await?
        .into_iter()
        .filter(|v| china_date(v.record.new.created_at).year() == year)
        .map(|v| {
            let d = &v.record.new;
            vec![
                d.number.clone(),
                d.subject.clone(),
                d.kind.as_str().into(),
                d.procedure.as_str().into(),
                opt_yuan(d.amount),
                date(d.created_at),
                v.steps.len().to_string(),
                v.record.resolution_disclosure.map(|i| i.to_string()).unwrap_or_default(),
                v.record.result_disclosure.map(|i| i.to_string()).unwrap_or_default(),
            ]
        })
        .collect())
}

/// Questions the asker agreed to show, open or answered (never held or hidden ones), with no
/// trace of who asked.
pub async fn questions(site: &Site, village: RegionCode, year: i32) -> Result<Vec<Row>, AppError> {
    let shown = [QuestionState::Open, QuestionState::Answered];
    Ok(site
        .store
        .village_questions(village, &shown)
        .await?
        .into_iter()
        .filter(|q| q.new.public_ok && china_date(q.new.asked_at).year() == year)
        .map(|q| {
            vec![
                date(q.new.asked_at),
                q.new.target_kind,
                q.new.target_ref,
                q.new.target_title,
                q.new.body,
                q.new.state.as_str().into(),
                q.reply.unwrap_or_default(),
                q.replied_at.map(date).unwrap_or_default(),
            ]
        })
        .collect())
}
