//! What a village offers as open data, listed once for the open-data pages, the DCAT catalog
//! and the sitemap: per year, the bulk ZIP and (with published accounts) the Fiscal Data
//! Package; the village's Atom feed; its trading listings as OCDS.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use yangguang_app::finance::MONTHLY_ACCOUNTS_ITEM;
use yangguang_app::i18n::Lang;
use yangguang_core::time::china_date;
use yangguang_core::{Period, Region};
use yangguang_store::DisclosureQuery;

use crate::AppState;
use crate::error::WebError;

/// A file of a dataset.
pub struct Distribution {
    pub title: String,
    /// The site path it is downloaded from.
    pub href: String,
    pub media_type: &'static str,
    /// The short name readers know it by (ZIP, CSV, JSON…).
    pub format: &'static str,
    /// Where the format is defined: the standard a harvester can check it against.
    pub conforms_to: Option<&'static str>,
}

pub struct Dataset {
    /// A fragment naming it within its village's open-data page (`bulk-2026`).
    pub slug: String,
    pub title: String,
    pub description: String,
    /// The last publication it includes; `None` when nothing was published yet.
    pub modified: Option<DateTime<Utc>>,
    pub keywords: Vec<&'static str>,
    pub distributions: Vec<Distribution>,
    /// Its schema described for people (a package's tables), when it has one.
    pub schema: Option<String>,
}

pub const FRICTIONLESS: &str = "https://specs.frictionlessdata.io/tabular-data-package/";
pub const FISCAL: &str = "https://specs.frictionlessdata.io/fiscal-data-package/";
pub const ATOM: &str = "https://www.rfc-editor.org/rfc/rfc4287";
pub const OCDS: &str = "https://standard.open-contracting.org/1.1/";

/// The latest publication time of the village in each year (China time), from its list of
/// disclosures, newest first.
pub async fn last_published_by_year(
    state: &AppState,
    village: &Region,
) -> Result<BTreeMap<i32, DateTime<Utc>>, WebError> {
    let mut latest = BTreeMap::new();
    let mut page = 1;
    loop {
        let list = state
            .site
            .store
            .list_disclosures(&DisclosureQuery { village: village.code, columns: vec![], page, per_page: 500 })
            .await?;
        for at in list.items.iter().filter_map(|d| d.published_at) {
            let e = latest.entry(china_date(at).year()).or_insert(at);
            *e = (*e).max(at);
        }
        if list.items.len() < 500 {
            return Ok(latest);
        }
        page += 1;
    }
}

/// Every dataset of a village, newest year first, then the feeds.
pub async fn village_datasets(state: &AppState, village: &Region, lang: Lang) -> Result<Vec<Dataset>, WebError> {
    let o = lang.open_data();
    let code = village.code;
    let periods = state.site.store.published_periods(code).await?;
    let mut years: BTreeMap<i32, bool> = BTreeMap::new();
    for (item, p) in &periods {
        let accounts = item == MONTHLY_ACCOUNTS_ITEM && matches!(p, Period::Month { .. });
        *years.entry(p.start().year()).or_default() |= accounts;
    }
    let latest = last_published_by_year(state, village).await?;
    let tables: Vec<&str> = yangguang_app::bulk::tables::TABLES.iter().map(|t| t.title).collect();
    let mut out = vec![];
    for (&year, &accounts) in years.iter().rev() {
        let y = year.to_string();
        let mut distributions = vec![Distribution {
            title: format!("{}.zip", yangguang_app::bulk::package::package_name(code, year)),
            href: format!("/v/{code}/open-data/{year}/bulk.zip"),
            media_type: "application/zip",
            format: "ZIP",
            conforms_to: Some(FRICTIONLESS),
        }];
        if accounts {
            distributions.push(Distribution {
                title: o.fdp_title.replace("{year}", &y),
                href: format!("/v/{code}/open-data/{year}/datapackage.json"),
                media_type: "application/json",
                format: "JSON",
                conforms_to: Some(FISCAL),
            });
        }
        out.push(Dataset {
            slug: format!("bulk-{year}"),
            title: format!("{} · {}", village.name, o.bulk_title.replace("{year}", &y)),
            description: o.bulk_plain.into(),
            modified: latest.get(&year).copied(),
            keywords: vec!["村务公开", "三务公开", "财务公开"],
            distributions,
            schema: Some(tables.join("、")),
        });
    }
    out.push(Dataset {
        slug: "feed".into(),
        title: format!("{} · {}", village.name, o.feed_title),
        description: lang.villager().atom_plain.into(),
        modified: latest.values().max().copied(),
        keywords: vec!["村务公开"],
        distributions: vec![Distribution {
            title: "feed.atom".into(),
            href: format!("/v/{code}/feed.atom"),
            media_type: "application/atom+xml",
            format: "Atom",
            conforms_to: Some(ATOM),
        }],
        schema: None,
    });
    let listings = yangguang_app::trading::village_listings(&state.site, code).await?;
    if !listings.is_empty() {
        out.push(Dataset {
            slug: "ocds".into(),
            title: format!("{} · {}", village.name, o.ocds_title),
            description: lang.villager().ocds_plain.into(),
            modified: listings.iter().map(|l| l.updated_at).max(),
            keywords: vec!["产权交易", "open contracting"],
            distributions: vec![Distribution {
                title: "ocds.json".into(),
                href: format!("/v/{code}/trading/ocds.json"),
                media_type: "application/json",
                format: "JSON",
                conforms_to: Some(OCDS),
            }],
            schema: None,
        });
    }
    Ok(out)
}
