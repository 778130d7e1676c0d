//! The registers' preview (leases, assets and resources, households, credit lines): the rows
//! the file makes compared with the village's stored rows, field by field.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use yangguang_core::RegionCode;
use yangguang_store::NewRecord;

use super::{ImportKind, SHOWN, Upload};
use crate::households::{CREDIT, HOUSEHOLD, PHONE};
use crate::registers::record;
use crate::{AppError, Site};

/// One field of a changed row: its name as people read it, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub name: String,
    pub old: String,
    pub new: String,
    pub changed: bool,
}

/// A row of the register, new, changed or removed.
#[derive(Debug, Clone, Serialize)]
pub struct RowChange {
    pub key: String,
    pub fields: Vec<FieldChange>,
}

/// What replacing one kind of record would do. Counts are exact; lists stop at [`SHOWN`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct KindDiff {
    pub label: String,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub new_rows: Vec<RowChange>,
    pub changed_rows: Vec<RowChange>,
    pub removed_rows: Vec<RowChange>,
    /// Keys of unchanged rows.
    pub unchanged_rows: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordsPreview {
    /// (file, row, column, value, problem): when any, nothing can be imported.
    pub errors: Vec<[String; 5]>,
    pub kinds: Vec<KindDiff>,
}

fn row_error(file: &str, e: &yangguang_import::RowError) -> [String; 5] {
    [file.to_owned(), e.row.to_string(), e.column.clone(), e.value.clone(), e.problem.clone()]
}

/// The records the upload makes, by kind (with the label people read), or its problems.
async fn plan(
    site: &Site,
    upload: &Upload,
) -> Result<Result<Vec<(&'static str, &'static str, Vec<NewRecord>)>, Vec<[String; 5]>>, AppError> {
    let village = upload.village;
    let Some((name, bytes)) = upload.files.first() else {
        return Err(AppError::Invalid("请选择台账文件 / choose the register file".into()));
    };
    Ok(match upload.kind {
        ImportKind::Leases => match yangguang_import::lease::read_leases(bytes, village) {
            Ok(Ok(_)) if !unknown_decisions(site, village, LEASE_NUMBERS, bytes).await?.is_empty() => {
                let unknown = unknown_decisions(site, village, LEASE_NUMBERS, bytes).await?;
                Err(unknown.iter().map(|e| row_error(name, e)).collect())
            }
            Ok(Ok(leases)) => Ok(vec![(
                crate::leases::LEASE,
                "出租合同",
                leases.iter().map(|l| record(village, crate::leases::key(village, &l.contract_no), l)).collect(),
            )]),
            Ok(Err(errors)) => Err(errors.iter().map(|e| row_error(name, e)).collect()),
            Err(e) => Err(vec![whole_file(name, e.to_string())]),
        },
        ImportKind::Assets => match yangguang_import::assets::read_assets(bytes, village) {
            Ok((_, Ok(_))) if !unknown_decisions(site, village, ASSET_NUMBERS, bytes).await?.is_empty() => {
                let unknown = unknown_decisions(site, village, ASSET_NUMBERS, bytes).await?;
                Err(unknown.iter().map(|e| row_error(name, e)).collect())
            }
            Ok((register, Ok(rows))) => Ok(vec![(
                register.kind(),
                if register.kind() == "asset" { "资产" } else { "资源" },
                rows.iter().map(|a| record(village, crate::assets::key(village, &a.code), a)).collect(),
            )]),
            Ok((_, Err(errors))) => Err(errors.iter().map(|e| row_error(name, e)).collect()),
            Err(e) => Err(vec![whole_file(name, e.to_string())]),
        },
        ImportKind::Households => match crate::households::household_records(site, village, &upload.files).await? {
            Ok([households, phones]) => Ok(vec![(HOUSEHOLD, "农户", households), (PHONE, "登录手机号", phones)]),
            Err(problems) => Err(problems
                .iter()
                .map(|p| match p {
                    yangguang_import::household::Problem::File { file, problem } => whole_file(file, problem.clone()),
                    yangguang_import::household::Problem::Row { file, error } => row_error(file, error),
                })
                .collect()),
        },
        ImportKind::Credit => {
            match crate::finance_inclusion::credit_records(site, village, &upload.bank, bytes).await {
                Ok(Ok(lines)) => Ok(vec![(CREDIT, "农户授信", lines)]),
                Ok(Err(errors)) => Err(errors.iter().map(|e| row_error(name, e)).collect()),
                Err(AppError::Invalid(problem)) => Err(vec![whole_file(name, problem)]),
                Err(e) => return Err(e),
            }
        }
        ImportKind::Ledger => unreachable!("the ledger has its own preview"),
    })
}

/// How a register's file names decision numbers (决议编号).
type NumbersOf = fn(&[u8]) -> Result<Vec<yangguang_import::lease::NamedDecision>, yangguang_import::ReadError>;
const LEASE_NUMBERS: NumbersOf = yangguang_import::lease::decision_numbers;
const ASSET_NUMBERS: NumbersOf = yangguang_import::assets::decision_numbers;

/// Rows naming a decision number (决议编号) the village has no decision for.
async fn unknown_decisions(
    site: &Site,
    village: RegionCode,
    numbers_of: NumbersOf,
    bytes: &[u8],
) -> Result<Vec<yangguang_import::RowError>, AppError> {
    let named = numbers_of(bytes).map_err(|e| AppError::Invalid(e.to_string()))?;
    crate::decisions::check_import_numbers(site, village, &named).await
}

fn whole_file(file: &str, problem: String) -> [String; 5] {
    [file.to_owned(), String::new(), String::new(), String::new(), problem]
}

pub(super) async fn preview(site: &Site, upload: &Upload) -> Result<RecordsPreview, AppError> {
    let planned = match plan(site, upload).await? {
        Ok(planned) => planned,
        Err(errors) => return Ok(RecordsPreview { errors, kinds: vec![] }),
    };
    let mut kinds = vec![];
    for (kind, label, records) in planned {
        let stored = site.store.village_records(kind, upload.village).await?;
        // Phone rows are keyed hashes: only their counts mean anything to a person.
        let detail = kind != PHONE;
        kinds.push(diff(label, stored.into_iter().map(|r| (r.key, r.body)).collect(), &records, detail));
    }
    Ok(RecordsPreview { errors: vec![], kinds })
}

/// The kinds of record an import of `kind` replaces or reads.
fn kinds_read(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Leases => &[crate::leases::LEASE],
        ImportKind::Assets => &["asset", "resource"],
        ImportKind::Households => &[HOUSEHOLD, PHONE],
        ImportKind::Credit => &[CREDIT, HOUSEHOLD],
        ImportKind::Ledger => &[],
    }
}

/// The hash of the village's stored rows that the import replaces or reads.
pub(super) async fn basis(site: &Site, village: RegionCode, kind: ImportKind) -> Result<String, AppError> {
    let mut hash = Sha256::new();
    for k in kinds_read(kind) {
        for r in site.store.village_records(k, village).await? {
            hash.update(format!("{k}\t{}\t{}\n", r.key, r.body).as_bytes());
        }
    }
    Ok(hex::encode(hash.finalize()))
}

fn diff(label: &str, stored: BTreeMap<String, String>, records: &[NewRecord], detail: bool) -> KindDiff {
    let mut d = KindDiff { label: label.to_owned(), ..Default::default() };
    let keep = |list: &Vec<RowChange>| detail && list.len() < SHOWN;
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for r in records {
        seen.insert(&r.key, ());
        match stored.get(&r.key) {
            Some(body) if *body == r.body => {
                d.unchanged += 1;
                if detail && d.unchanged_rows.len() < SHOWN {
                    d.unchanged_rows.push(short_key(&r.key));
                }
            }
            Some(body) => {
                d.changed += 1;
                if keep(&d.changed_rows) {
                    d.changed_rows.push(row(&r.key, Some(body), Some(&r.body)));
                }
            }
            None => {
                d.new += 1;
                if keep(&d.new_rows) {
                    d.new_rows.push(row(&r.key, None, Some(&r.body)));
                }
            }
        }
    }
    for (key, body) in &stored {
        if !seen.contains_key(key.as_str()) {
            d.removed += 1;
            if keep(&d.removed_rows) {
                d.removed_rows.push(row(key, Some(body), None));
            }
        }
    }
    d
}

/// A key without its village prefix (`339…/HT-01` → `HT-01`).
fn short_key(key: &str) -> String {
    key.split_once('/').map_or(key, |(_, k)| k).to_owned()
}

fn row(key: &str, old: Option<&str>, new: Option<&str>) -> RowChange {
    let object = |body: Option<&str>| -> serde_json::Map<String, Value> {
        body.and_then(|b| serde_json::from_str::<Value>(b).ok())
            .and_then(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default()
    };
    let (old, new) = (object(old), object(new));
    let mut names: Vec<&String> = new.keys().collect();
    names.extend(old.keys().filter(|k| !new.contains_key(*k)));
    let fields = names
        .into_iter()
        .filter(|n| !HIDDEN.contains(&n.as_str()))
        .map(|n| {
            let (o, w) = (old.get(n), new.get(n));
            FieldChange {
                name: field_label(n).to_owned(),
                old: o.map(show).unwrap_or_default(),
                new: w.map(show).unwrap_or_default(),
                changed: o != w,
            }
        })
        .collect();
    RowChange { key: short_key(key), fields }
}

/// Fields that say nothing to a person or repeat the key.
const HIDDEN: &[&str] = &["village", "register", "lessee_is_person"];

/// A value as one short line: nested lists and tables by their size.
fn show(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("{} 项", a.len()),
        Value::Object(o) => format!("{} 项", o.len()),
        other => other.to_string(),
    }
}

/// The names people read for the registers' fields.
fn field_label(name: &str) -> &str {
    match name {
        "contract_no" => "合同编号",
        "asset" => "资产名称",
        "asset_type" => "资产类别",
        "location" => "坐落",
        "lessee" => "承租方",
        "area" => "面积",
        "area_unit" => "面积单位",
        "annual_rent" => "年租金（分）",
        "start" => "起租日期",
        "end" => "到期日期",
        "schedule" => "付款方式",
        "code" => "编号",
        "name" => "名称",
        "category" => "类别",
        "original_value" => "原值（分）",
        "status" => "状态",
        "occupant" => "使用/承包方",
        "number" => "户号",
        "members" => "成员",
        "land" => "承包地",
        "homestead" => "宅基地",
        "shares" => "股权",
        "credit" => "授信",
        "bank" => "银行",
        "rating" => "信用等级",
        "limit" => "授信额度（分）",
        "valid_until" => "有效期至",
        "household" => "户",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(key: &str, body: &str) -> NewRecord {
        NewRecord { village: RegionCode::parse("339921100201").unwrap(), key: key.into(), body: body.into() }
    }

    #[test]
    fn rows_are_new_changed_unchanged_or_removed_and_changed_fields_are_marked() {
        let stored: BTreeMap<String, String> = [
            ("v/A", r#"{"code":"A","name":"老校舍","occupant":"王*明","village":"339921100201"}"#),
            ("v/B", r#"{"code":"B","name":"仓库"}"#),
            ("v/C", r#"{"code":"C","name":"晒场"}"#),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let records = [
            rec("v/A", r#"{"code":"A","name":"老校舍","occupant":"李*海","village":"339921100201"}"#),
            rec("v/B", r#"{"code":"B","name":"仓库"}"#),
            rec("v/D", r#"{"code":"D","name":"鱼塘","members":[1,2]}"#),
        ];
        let d = diff("资产", stored, &records, true);
        assert_eq!((d.new, d.changed, d.unchanged, d.removed), (1, 1, 1, 1));
        let a = &d.changed_rows[0];
        assert_eq!(a.key, "A", "shown without the village");
        let marked: Vec<(&str, &str, &str)> =
            a.fields.iter().filter(|f| f.changed).map(|f| (f.name.as_str(), f.old.as_str(), f.new.as_str())).collect();
        assert_eq!(marked, [("使用/承包方", "王*明", "李*海")]);
        assert!(!a.fields.iter().any(|f| f.name == "village"), "the village is not a field people read");
        assert_eq!(d.removed_rows[0].key, "C");
        assert_eq!(d.new_rows[0].fields.iter().find(|f| f.name == "成员").unwrap().new, "2 项");
        assert_eq!(d.unchanged_rows, ["B"]);
    }

    #[test]
    fn past_the_shown_rows_only_counts_grow() {
        let records: Vec<NewRecord> = (0..SHOWN + 20).map(|i| rec(&format!("v/{i:04}"), "{}")).collect();
        let d = diff("资产", BTreeMap::new(), &records, true);
        assert_eq!((d.new, d.new_rows.len()), ((SHOWN + 20) as u64, SHOWN));
        let hidden = diff("登录手机号", BTreeMap::new(), &records, false);
        assert_eq!((hidden.new, hidden.new_rows.len()), ((SHOWN + 20) as u64, 0), "phone hashes are only counted");
    }
}
