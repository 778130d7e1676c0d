//! `/v/{code}/open-data`: a village's datasets, each with its files, format, licence, update
//! date and schema, and schema.org `Dataset` JSON-LD for search engines' dataset search;
//! `/open-data`: the county's own datasets (the DCAT catalog, the OCDS) and every village's page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{Value, json};
use yangguang_app::Scope;
use yangguang_app::bulk::LICENSE_URL;
use yangguang_app::i18n::OpenDataTexts;
use yangguang_core::time::china_date;

use super::datasets::{self, Dataset};
use crate::AppState;
use crate::error::WebError;
use crate::pages::village::find_village;
use crate::pages::{Crumb, Layout, cached_over, region_crumbs};
use crate::prefs::Prefs;

pub struct FileLine {
    pub title: String,
    pub href: String,
    pub format: &'static str,
    pub download: bool,
}

pub struct DatasetView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub updated: String,
    pub schema: Option<String>,
    pub files: Vec<FileLine>,
}

#[derive(Template)]
#[template(path = "open_data_page.html")]
struct OpenDataPage {
    layout: Layout,
    o: &'static OpenDataTexts,
    heading: String,
    license_url: &'static str,
    datasets: Vec<DatasetView>,
    /// (href, name, where) of each village, on the county's page.
    villages: Vec<(String, String, String)>,
}

fn view(d: &Dataset, o: &OpenDataTexts) -> DatasetView {
    DatasetView {
        slug: d.slug.clone(),
        title: d.title.clone(),
        description: d.description.clone(),
        updated: d.modified.map(|at| china_date(at).to_string()).unwrap_or_else(|| o.never.into()),
        schema: d.schema.clone(),
        files: d
            .distributions
            .iter()
            .map(|f| FileLine {
                title: f.title.clone(),
                href: f.href.clone(),
                format: f.format,
                download: f.media_type == "application/zip",
            })
            .collect(),
    }
}

/// JSON for a `<script>` element: `<` escaped so no string in it can end the element.
pub fn script_json(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// schema.org `Dataset`s of a village page, with absolute addresses.
fn json_ld(origin: &str, page: &str, village: &str, sets: &[Dataset]) -> Value {
    let graph: Vec<Value> = sets
        .iter()
        .map(|d| {
            let mut v = json!({
                "@type": "Dataset",
                "@id": format!("{origin}{page}#{}", d.slug),
                "name": d.title,
                "description": d.description,
                "url": format!("{origin}{page}#{}", d.slug),
                "license": LICENSE_URL,
                "isAccessibleForFree": true,
                "inLanguage": "zh-CN",
                "keywords": d.keywords,
                "creator": { "@type": "GovernmentOrganization", "name": village },
                "spatialCoverage": { "@type": "Place", "name": village },
                "distribution": d.distributions.iter().map(|f| json!({
                    "@type": "DataDownload",
                    "name": f.title,
                    "encodingFormat": f.media_type,
                    "contentUrl": format!("{origin}{}", f.href),
                })).collect::<Vec<_>>(),
            });
            if let Some(at) = d.modified {
                v["dateModified"] = json!(china_date(at).to_string());
            }
            v
        })
        .collect();
    json!({ "@context": "https://schema.org", "@graph": graph })
}

pub async fn village_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached_over(&state, &headers, &prefs, &uri, &[Scope::Village(village.code)], || async {
        let lang = prefs.lang;
        let o = lang.open_data();
        let sets = datasets::village_datasets(&state, &village, lang).await?;
        let path = format!("/v/{}/open-data", village.code);
        let mut crumbs = region_crumbs(&state.site.regions(), village.code, true);
        crumbs.push(Crumb { label: o.title.into(), href: None });
        let heading = format!("{} · {}", village.name, o.title);
        let mut layout =
            Layout::new(&prefs, crate::pages::path_and_query(&uri), heading.clone(), o.intro.into(), crumbs);
        layout.feed = Some((format!("/v/{}/feed.atom", village.code), format!("{} · {}", village.name, o.feed_title)));
        let origin = crate::public_base::base(&state, &headers);
        layout.json_ld = script_json(&json_ld(&origin, &path, &village.name, &sets));
        let page = OpenDataPage {
            layout,
            o,
            heading,
            license_url: LICENSE_URL,
            datasets: sets.iter().map(|d| view(d, o)).collect(),
            villages: vec![],
        };
        Ok(page.render()?)
    })
    .await
}

pub async fn county_page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    cached_over(&state, &headers, &prefs, &uri, &[Scope::Regions], || async {
        let o = prefs.lang.open_data();
        let regions = state.site.regions();
        let catalog = |title: String, href: &str, format: &'static str| FileLine {
            title,
            href: href.into(),
            format,
            download: false,
        };
        let county = DatasetView {
            slug: "catalog".into(),
            title: o.catalog.into(),
            description: o.catalog_plain.into(),
            updated: yangguang_app::today().to_string(),
            schema: None,
            files: vec![
                catalog("catalog.jsonld".into(), "/open-data/catalog.jsonld", "JSON-LD"),
                catalog("catalog.ttl".into(), "/open-data/catalog.ttl", "Turtle"),
                catalog(o.county_ocds_title.into(), "/open-data/ocds.json", "JSON (OCDS)"),
            ],
        };
        let villages = regions
            .villages()
            .map(|v| {
                let place = regions.get(v.parent.unwrap_or(v.code)).map(|p| p.name.clone()).unwrap_or_default();
                (format!("/v/{}/open-data", v.code), v.name.clone(), place)
            })
            .collect();
        let mut crumbs = regions.home().map(|r| region_crumbs(&regions, r.code, true)).unwrap_or_default();
        crumbs.push(Crumb { label: o.county_title.into(), href: None });
        let page = OpenDataPage {
            layout: Layout::new(
                &prefs,
                crate::pages::path_and_query(&uri),
                o.county_title.into(),
                o.county_intro.into(),
                crumbs,
            ),
            o,
            heading: o.county_title.into(),
            license_url: LICENSE_URL,
            datasets: vec![county],
            villages,
        };
        Ok(page.render()?)
    })
    .await
}
