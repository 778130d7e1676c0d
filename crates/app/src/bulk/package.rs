//! The two descriptions of a bulk download's CSV files, written from the one list of table
//! schemas ([`super::tables::TABLES`]): a Frictionless Tabular Data Package
//! (`datapackage.json`) and W3C CSV on the Web metadata (`csv-metadata.json`).

use serde_json::{Value, json};
use yangguang_core::RegionCode;

use super::tables::{TABLES, Table};
use super::{LICENSE_ID, LICENSE_TITLE, LICENSE_URL};

/// CSVW's XML Schema datatype for a Table Schema type.
fn csvw_datatype(kind: &str) -> &'static str {
    match kind {
        "integer" => "integer",
        "number" => "decimal",
        "date" => "date",
        _ => "string",
    }
}

fn resource(table: &Table) -> Value {
    let fields: Vec<Value> =
        table.fields.iter().map(|f| json!({ "name": f.name, "type": f.kind, "title": f.title })).collect();
    let mut schema = json!({ "fields": fields });
    if !table.key.is_empty() {
        schema["primaryKey"] = json!(table.key);
    }
    json!({
        "profile": "tabular-data-resource",
        "name": table.name,
        "path": table.file_name(),
        "title": table.title,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        // The BOM is for spreadsheet programs; `utf-8-sig` tells readers to skip it.
        "encoding": "utf-8-sig",
        "schema": schema,
    })
}

/// The package's name, as the DCAT catalog and the open-data page call it too.
pub fn package_name(village: RegionCode, year: i32) -> String {
    format!("yangguang-{village}-{year}")
}

pub fn title(village_name: &str, year: i32) -> String {
    format!("{village_name}{year}年村务公开数据")
}

pub fn datapackage(village_name: &str, village: RegionCode, year: i32) -> Value {
    json!({
        "profile": "tabular-data-package",
        "name": package_name(village, year),
        "title": title(village_name, year),
        "description": format!(
            "{village_name}（区划代码 {village}）{year} 年公开的事项目录、已公开月份的账目（分录、凭证、月度收支）、资产资源、出租合同、产权交易、民主决策和村民质询答复。"
        ),
        "licenses": [{ "name": LICENSE_ID, "path": LICENSE_URL, "title": LICENSE_TITLE }],
        "keywords": ["村务公开", "三务公开", "open data", village.to_string()],
        "resources": TABLES.iter().map(|t| resource(t)).collect::<Vec<_>>(),
    })
}

pub fn csvw(village_name: &str, village: RegionCode, year: i32) -> Value {
    let tables: Vec<Value> = TABLES
        .iter()
        .map(|t| {
            let columns: Vec<Value> = t
                .fields
                .iter()
                .map(|f| {
                    json!({
                        "name": f.name,
                        "titles": f.name,
                        "dc:description": f.title,
                        "datatype": csvw_datatype(f.kind),
                        "required": false,
                    })
                })
                .collect();
            let mut schema = json!({ "columns": columns });
            if !t.key.is_empty() {
                schema["primaryKey"] = json!(t.key);
            }
            json!({ "url": t.file_name(), "dc:title": t.title, "dc:description": t.description, "tableSchema": schema })
        })
        .collect();
    json!({
        "@context": ["http://www.w3.org/ns/csvw", { "@language": "zh-CN" }],
        "dc:title": title(village_name, year),
        "dc:identifier": package_name(village, year),
        "dc:license": { "@id": LICENSE_URL },
        "dialect": { "encoding": "utf-8", "header": true, "doubleQuote": true },
        "tables": tables,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_described_alike_in_both_descriptors() {
        let code = RegionCode::parse("330100001001").unwrap();
        let package = datapackage("前山村", code, 2026);
        let csvw = csvw("前山村", code, 2026);
        let resources = package["resources"].as_array().unwrap();
        let tables = csvw["tables"].as_array().unwrap();
        assert_eq!(resources.len(), TABLES.len());
        for ((r, t), table) in resources.iter().zip(tables).zip(TABLES) {
            assert_eq!(r["path"], t["url"]);
            let names: Vec<&str> = table.fields.iter().map(|f| f.name).collect();
            let in_package: Vec<&str> =
                r["schema"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
            let in_csvw: Vec<&str> =
                t["tableSchema"]["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
            assert_eq!((in_package, in_csvw), (names.clone(), names));
            for key in table.key {
                assert!(table.fields.iter().any(|f| f.name == *key), "{} keys on a field it has", table.name);
            }
        }
    }
}
