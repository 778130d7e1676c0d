//! The trading listings as Open Contracting Data Standard 1.1: every version of a listing the
//! platform sent is a release (kept as a `listing-release` record when it arrives), gathered
//! into a release package, and compiled per `ocid` into a record package with the OCDS merge
//! rules. Amounts are totals; the unit price is in our `unitPrice` extension
//! (`crates/app/ocds-extension`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use yangguang_core::contract_value::contract_total;
use yangguang_core::trading::{Listing, PriceUnit, Stage};
use yangguang_core::{Fen, RegionCode};

use crate::registers::decode;
use crate::trading::{LISTING, village_listings};
use crate::{AppError, Site};

/// Each version of a listing, keyed `{project_no}@{updated_at in ms, zero-padded}`.
pub const LISTING_RELEASE: &str = "listing-release";
/// Where the extension's files are served, relative to the public base URL.
pub const EXTENSION_PATH: &str = "/open-data/ocds/unit-price/extension.json";
pub const EXTENSION_SCHEMA_PATH: &str = "/open-data/ocds/unit-price/release-schema.json";
pub const EXTENSION_JSON: &str = include_str!("../ocds-extension/extension.json");
pub const EXTENSION_SCHEMA: &str = include_str!("../ocds-extension/release-schema.json");
/// The scheme of region codes (统计用区划代码) as party identifiers. Not (yet) in org-id.guide,
/// documented in the README; organisations with a 统一社会信用代码 use the registered `CN-USCC`.
pub const REGION_SCHEME: &str = "CN-XZQH";
pub const USCC_SCHEME: &str = "CN-USCC";

/// The history key of one version of a listing.
pub fn release_key(l: &Listing) -> String {
    format!("{}@{:015}", l.project_no, l.updated_at.timestamp_millis().max(0))
}

/// Every version of the listings of `village` (or of all villages), oldest first per listing;
/// the current one included even when it arrived before history was kept.
pub async fn listing_versions(site: &Site, village: Option<RegionCode>) -> Result<Vec<Listing>, AppError> {
    let mut all: Vec<Listing> = Vec::new();
    match village {
        Some(v) => {
            for r in site.store.village_records(LISTING_RELEASE, v).await? {
                all.push(decode(&r)?);
            }
            all.extend(village_listings(site, v).await?);
        }
        None => {
            for kind in [LISTING_RELEASE, LISTING] {
                let mut after = String::new();
                loop {
                    let page = site.store.records_after(kind, &after, 1000).await?;
                    let Some(last) = page.last() else { break };
                    after = last.key.clone();
                    for r in &page {
                        all.push(decode(r)?);
                    }
                }
            }
        }
    }
    all.sort_by(|a, b| a.project_no.cmp(&b.project_no).then(a.updated_at.cmp(&b.updated_at)));
    all.dedup_by(|a, b| a.project_no == b.project_no && a.updated_at == b.updated_at);
    Ok(all)
}

/// What an OCDS package needs besides the releases.
pub struct PackageMeta<'a> {
    /// The package's own absolute URL.
    pub uri: &'a str,
    /// The deployment's public base URL (no trailing slash), for the extension's address.
    pub base: &'a str,
    pub ocid_prefix: &'a str,
}

/// Releases of `versions` (see [`listing_versions`]), with village names from the site.
pub fn releases(site: &Site, versions: &[Listing], prefix: &str) -> Vec<Value> {
    let regions = site.regions();
    versions
        .iter()
        .map(|l| {
            let name = regions.get(l.village).map(|r| r.name.clone()).unwrap_or_default();
            release(l, prefix, &name)
        })
        .collect()
}

fn package_head(meta: &PackageMeta<'_>, published: DateTime<Utc>) -> Map<String, Value> {
    let mut head = Map::new();
    head.insert("uri".into(), meta.uri.into());
    head.insert("version".into(), "1.1".into());
    head.insert("extensions".into(), json!([format!("{}{EXTENSION_PATH}", meta.base)]));
    head.insert("publishedDate".into(), stamp(published).into());
    head.insert("publisher".into(), json!({"name": "阳光村务公开平台 yangguang"}));
    head.insert("license".into(), "https://creativecommons.org/licenses/by/4.0/".into());
    head
}

fn published_at(versions: &[Listing], now: DateTime<Utc>) -> DateTime<Utc> {
    versions.iter().map(|l| l.updated_at).max().unwrap_or(now)
}

/// A release package of every version of every listing; `None` when there is none (OCDS
/// packages need a release).
pub fn release_package(site: &Site, versions: &[Listing], meta: &PackageMeta<'_>, now: DateTime<Utc>) -> Option<Value> {
    if versions.is_empty() {
        return None;
    }
    let mut package = package_head(meta, published_at(versions, now));
    package.insert("releases".into(), releases(site, versions, meta.ocid_prefix).into());
    Some(Value::Object(package))
}

/// A record package: per `ocid`, every release and the compiled release.
pub fn record_package(site: &Site, versions: &[Listing], meta: &PackageMeta<'_>, now: DateTime<Utc>) -> Option<Value> {
    if versions.is_empty() {
        return None;
    }
    let mut by_ocid: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in releases(site, versions, meta.ocid_prefix) {
        by_ocid.entry(r["ocid"].as_str().unwrap_or_default().to_owned()).or_default().push(r);
    }
    let records: Vec<Value> = by_ocid
        .into_iter()
        .map(|(ocid, releases)| {
            let compiled = compile(&releases);
            json!({"ocid": ocid, "releases": releases, "compiledRelease": compiled})
        })
        .collect();
    let mut package = package_head(meta, published_at(versions, now));
    package.insert("records".into(), records.into());
    Some(Value::Object(package))
}

/// Compiles releases of one `ocid` (oldest first) by the OCDS merge rules: objects merged
/// field by field, arrays of objects with `id`s merged by id, anything else replaced by the
/// later value, `null` removing a field; the result tagged `compiled`.
pub fn compile(releases: &[Value]) -> Value {
    let mut out = Value::Object(Map::new());
    for r in releases {
        merge(&mut out, r);
    }
    if let Some(obj) = out.as_object_mut() {
        let ocid = obj.get("ocid").and_then(Value::as_str).unwrap_or_default().to_owned();
        let date = obj.get("date").and_then(Value::as_str).unwrap_or_default().to_owned();
        obj.insert("id".into(), format!("{ocid}-{date}").into());
        obj.insert("tag".into(), json!(["compiled"]));
    }
    out
}

fn identified(items: &[Value]) -> bool {
    items.iter().all(|i| i.get("id").is_some_and(|id| id.is_string() || id.is_number()))
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(k);
                } else if let Some(existing) = a.get_mut(k) {
                    merge(existing, v);
                } else {
                    let mut fresh = if v.is_object() { Value::Object(Map::new()) } else { Value::Null };
                    merge(&mut fresh, v);
                    a.insert(k.clone(), fresh);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if identified(a) && identified(b) && !b.is_empty() && b[0].is_object() => {
            for item in b {
                match a.iter_mut().find(|x| x.get("id") == item.get("id")) {
                    Some(existing) => merge(existing, item),
                    None => a.push(strip_nulls(item)),
                }
            }
        }
        (slot, v) => *slot = strip_nulls(v),
    }
}

fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            Value::Object(o.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), strip_nulls(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn money(fen: Fen) -> Value {
    json!({"amount": fen.0 as f64 / 100.0, "currency": "CNY"})
}

/// The first moment of a day in China.
fn day_start(day: NaiveDate) -> String {
    format!("{day}T00:00:00+08:00")
}

/// The last second of a day in China: periods include their last day.
fn day_end(day: NaiveDate) -> String {
    format!("{day}T23:59:59+08:00")
}

fn unit_price(fen: Fen, unit: PriceUnit) -> Value {
    let basis = match unit {
        PriceUnit::Year => "perYear",
        PriceUnit::MuYear => "perMuPerYear",
        PriceUnit::Total => "lumpSum",
    };
    json!({"value": money(fen), "basis": basis, "basisDetails": unit.label(false)})
}

fn total(l: &Listing, price: Fen) -> Option<Value> {
    contract_total(price, l.price_unit, &l.area, &l.area_unit, l.term).map(money)
}

fn release(l: &Listing, prefix: &str, village_name: &str) -> Value {
    let ocid = format!("{prefix}-{}", l.project_no);
    let buyer_id = format!("{REGION_SCHEME}-{}", l.village);
    let buyer_name = format!("{village_name}股份经济合作社");
    let buyer = json!({"id": buyer_id, "name": buyer_name});
    let mut parties = vec![json!({
        "id": buyer_id,
        "name": buyer_name,
        "identifier": {"scheme": REGION_SCHEME, "id": l.village.to_string(), "legalName": buyer_name},
        "roles": ["buyer", "procuringEntity"],
        "address": {"region": village_name, "countryName": "中国"},
    })];
    let status = match l.stage {
        Stage::Terminated => "cancelled",
        s if s.has_result() => "complete",
        _ => "active",
    };
    let period =
        |w: &yangguang_core::trading::Window| json!({"startDate": day_start(w.start), "endDate": day_end(w.end)});
    let mut tender = json!({
        "id": l.project_no,
        "title": l.title,
        "description": format!("{}，{}，{} {}", l.subject_type, l.location, l.area, l.area_unit),
        "status": status,
        "procuringEntity": buyer,
        "unitPrice": unit_price(l.reserve_price, l.price_unit),
        "procurementMethod": "open",
        "procurementMethodDetails": l.method.label(false),
        "mainProcurementCategory": "services",
        "tenderPeriod": period(&l.announcement),
        "items": [{
            "id": "1",
            "description": l.title,
            "classification": {"scheme": "yangguang-subject", "id": l.subject_type, "description": l.subject_type},
            "quantity": l.area.parse::<f64>().unwrap_or(0.0),
            "unit": {"name": if l.area_unit == "mu" { "亩" } else { "平方米" }},
        }],
    });
    if let Some(value) = total(l, l.reserve_price) {
        tender["value"] = value;
    }
    if let Some(term) = &l.term {
        tender["contractPeriod"] = period(term);
    }
    let tag = match (l.stage, &l.deal) {
        (Stage::Terminated, _) => "tenderCancellation",
        (_, Some(_)) => "award",
        _ => "tender",
    };
    let mut out = json!({
        "ocid": ocid,
        "id": format!("{}-{}", l.project_no, l.updated_at.timestamp()),
        "date": stamp(l.updated_at),
        "tag": [tag],
        "language": "zh",
        "initiationType": "tender",
        "buyer": buyer,
        "tender": tender,
    });
    if let Some(deal) = &l.deal {
        let (winner_id, identifier) = match &deal.winner_uscc {
            Some(code) if !deal.winner_is_person => (
                format!("{USCC_SCHEME}-{code}"),
                Some(json!({"scheme": USCC_SCHEME, "id": code, "legalName": deal.winner})),
            ),
            _ => (format!("{}-winner", l.project_no), None),
        };
        let mut winner = json!({"id": winner_id, "name": deal.winner, "roles": ["supplier"]});
        if let Some(identifier) = identifier {
            winner["identifier"] = identifier;
        }
        parties.push(winner);
        let mut award = json!({
            "id": format!("{}-1", l.project_no),
            "title": l.title,
            "status": "active",
            "date": day_start(deal.date),
            "unitPrice": unit_price(deal.price, l.price_unit),
            "suppliers": [{"id": winner_id, "name": deal.winner}],
        });
        if let Some(value) = total(l, deal.price) {
            award["value"] = value;
        }
        if let Some(premium) = l.premium_text() {
            award["description"] = format!("成交价较底价溢价 {premium} / premium over the reserve price").into();
        }
        if let Some(term) = &l.term {
            award["contractPeriod"] = period(term);
        }
        out["awards"] = json!([award]);
    }
    out["parties"] = json!(parties);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiling_merges_identified_arrays_and_replaces_the_rest() {
        let a = json!({"ocid": "o", "id": "1", "date": "d1", "tag": ["tender"], "tender": {"status": "active", "title": "t"},
            "parties": [{"id": "p1", "name": "A", "roles": ["buyer"]}]});
        let b = json!({"ocid": "o", "id": "2", "date": "d2", "tag": ["award"], "tender": {"status": "complete"},
            "parties": [{"id": "p1", "name": "A"}, {"id": "p2", "name": "B"}], "awards": [{"id": "a1", "title": null}]});
        let c = compile(&[a, b]);
        assert_eq!(c["tag"], json!(["compiled"]));
        assert_eq!(c["id"], "o-d2");
        assert_eq!(c["tender"], json!({"status": "complete", "title": "t"}));
        assert_eq!(c["parties"].as_array().unwrap().len(), 2);
        assert_eq!(c["parties"][0]["roles"], json!(["buyer"]), "merged by id, not replaced");
        assert_eq!(c["awards"], json!([{"id": "a1"}]), "nulls are not kept");
    }
}
