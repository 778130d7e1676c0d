//! `/api/v1`: the region tree, the columns, the catalog, a village's public disclosures (a
//! keyset page in SQL) and one version in full, and the publication log.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use yangguang_core::catalog::{Audience, Column, Frequency};
use yangguang_core::deadline::DeadlineRule;
use yangguang_core::{Disclosure, DisclosureId, DisclosureState, DisclosureSummary, Period, Region};
use yangguang_store::PublicDisclosureQuery;

use super::schema::*;
use super::support::{Cursor, LIST_CACHE, Params, json, next_href, serde_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::village::find_village;

/// Regions, columns and the catalog change only when an operator loads new files.
const REFERENCE_CACHE: &str = "public, max-age=3600";

fn region_node(regions: &yangguang_app::regions::RegionIndex, r: &Region) -> ApiRegion {
    let html = if r.kind.is_village_level() { format!("/v/{}", r.code) } else { format!("/r/{}", r.code) };
    ApiRegion {
        code: r.code.to_string(),
        name: r.name.clone(),
        kind: r.kind.as_str().to_owned(),
        parent: r.parent.map(|p| p.to_string()),
        html,
        children: regions.children(r.code).map(|c| region_node(regions, c)).collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/regions", tag = "reference",
    summary = "行政区划树 / the region tree",
    responses((status = 200, body = RegionTree), (status = 304, description = "unchanged (If-None-Match)")))]
pub async fn regions(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    Params::parse(uri.query(), &[])?;
    let index = state.site.regions();
    let tree = RegionTree { regions: index.roots().map(|r| region_node(&index, r)).collect() };
    json(&headers, &tree, REFERENCE_CACHE, None)
}

#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "reference",
    summary = "一个区划及其下级 / one region and the regions under it",
    params(("code" = String, Path, description = "12-digit region code", example = "339921100201")),
    responses((status = 200, body = ApiRegion), (status = 304, description = "unchanged"),
        (status = 404, body = ApiError)))]
pub async fn region(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    Params::parse(uri.query(), &[])?;
    let code = yangguang_core::RegionCode::parse(&code).map_err(|_| WebError::NotFound)?;
    let index = state.site.regions();
    let r = index.get(code).ok_or(WebError::NotFound)?;
    json(&headers, &region_node(&index, r), REFERENCE_CACHE, None)
}

fn column_node(catalog: &yangguang_core::catalog::Catalog, c: &Column) -> ApiColumn {
    ApiColumn {
        id: c.id.clone(),
        parent: c.parent.clone(),
        name: c.name.clone(),
        name_en: c.name_en.clone(),
        summary: c.summary.clone(),
        summary_en: c.summary_en.clone(),
        depth: c.depth,
        login_required: c.login_required,
        children: catalog.children(&c.id).map(|k| column_node(catalog, k)).collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/columns", tag = "reference",
    summary = "栏目树 / the column tree",
    responses((status = 200, body = ColumnTree), (status = 304, description = "unchanged")))]
pub async fn columns(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    Params::parse(uri.query(), &[])?;
    let catalog = &state.site.catalog;
    let tree = ColumnTree { columns: catalog.top_columns().map(|c| column_node(catalog, c)).collect() };
    json(&headers, &tree, REFERENCE_CACHE, None)
}

fn frequency(f: Frequency) -> &'static str {
    match f {
        Frequency::Monthly => "monthly",
        Frequency::Quarterly => "quarterly",
        Frequency::HalfYearly => "half-yearly",
        Frequency::Yearly => "yearly",
        Frequency::OnEvent => "on-event",
        Frequency::Continuous => "continuous",
    }
}

/// The rule as `items.toml` writes it (what `DeadlineRule::parse` reads).
fn deadline(rule: DeadlineRule) -> String {
    let offset = |days: u32, working: bool| format!("{days}{}", if working { "wd" } else { "d" });
    match rule {
        DeadlineRule::AfterPeriodEnd { days, working } => format!("period-end+{}", offset(days, working)),
        DeadlineRule::AfterEvent { days, working } => format!("event+{}", offset(days, working)),
        DeadlineRule::BeforeEvent => "before-event".into(),
        DeadlineRule::Always => "always".into(),
    }
}

#[utoipa::path(get, path = "/api/v1/catalog", tag = "reference",
    summary = "公开目录 / the disclosure catalog",
    responses((status = 200, body = CatalogList), (status = 304, description = "unchanged")))]
pub async fn catalog(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    Params::parse(uri.query(), &[])?;
    let items = state
        .site
        .catalog
        .items()
        .iter()
        .map(|i| ApiCatalogItem {
            id: i.id.clone(),
            name: i.name.clone(),
            name_en: i.name_en.clone(),
            column: i.column.clone(),
            frequency: frequency(i.frequency).into(),
            deadline: deadline(i.deadline),
            reviewers: i.reviewers.iter().map(|r| r.as_str().to_owned()).collect(),
            audience: match i.audience {
                Audience::Public => "public",
                Audience::Household => "household",
            }
            .into(),
        })
        .collect();
    json(&headers, &CatalogList { items }, REFERENCE_CACHE, None)
}

fn item(d: &DisclosureSummary) -> DisclosureItem {
    DisclosureItem {
        id: d.id.0,
        village: d.village.to_string(),
        column: d.column.clone(),
        period: d.period.map(|p| p.to_string()),
        title: d.title.clone(),
        state: d.state.as_str().into(),
        kind: d.kind.as_str().into(),
        version: d.version,
        published_at: d.published_at,
        attachment_count: d.attachment_count,
        api: format!("/api/v1/disclosures/{}", d.id.0),
        html: format!("/v/{}/d/{}", d.village, d.id.0),
    }
}

const DISCLOSURE_PARAMS: [&str; 5] = ["column", "period", "state", "cursor", "limit"];

#[utoipa::path(get, path = "/api/v1/villages/{code}/disclosures", tag = "disclosures",
    summary = "一个村的公开事项（按编号翻页）/ a village's public disclosures, paged by key",
    description = "Every public version (current, corrected, withdrawn) in ascending id order. \
        Pages are stable while new versions are published: a new one appears on a later page.",
    params(("code" = String, Path, description = "the village's 12-digit code"),
        ("column" = Option<String>, Query, description = "a column id, e.g. `finance-monthly`"),
        ("period" = Option<String>, Query, description = "`2026-03`, `2026-Q1`, `2026-H1` or `2026`"),
        ("state" = Option<String>, Query, description = "`published`, `superseded` or `withdrawn`"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 200 (default 50)")),
    responses((status = 200, body = DisclosurePage), (status = 304, description = "unchanged"),
        (status = 400, body = ApiError, description = "a parameter cannot be read; `field` names it"),
        (status = 404, body = ApiError)))]
pub async fn village_disclosures(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let p = Params::parse(uri.query(), &DISCLOSURE_PARAMS)?;
    let limit = p.limit()?;
    let after = match p.cursor("disclosures")? {
        Some(key) => Some(DisclosureId(key.parse().map_err(|_| Cursor::invalid())?)),
        None => None,
    };
    let columns = match p.get("column") {
        Some(c) if state.site.catalog.column(c).is_some() => vec![c.to_owned()],
        Some(_) => {
            return Err(WebError::parameter(
                "column",
                "没有这个栏目；栏目编号见 /api/v1/columns / no such column (see /api/v1/columns)",
            ));
        }
        None => vec![],
    };
    let period = match p.get("period") {
        Some(text) => Some(text.parse::<Period>().map_err(|_| {
            WebError::parameter(
                "period",
                "period 应为 2026-03、2026-Q1、2026-H1 或 2026 / period must look like 2026-03",
            )
        })?),
        None => None,
    };
    let states = match p.get("state") {
        Some(s) => {
            let parsed = DisclosureState::parse(s).filter(|s| s.was_published() && *s != DisclosureState::Draft);
            vec![parsed.ok_or_else(|| {
                WebError::parameter(
                    "state",
                    "state 应为 published、superseded 或 withdrawn / state must be published, superseded or withdrawn",
                )
            })?]
        }
        None => vec![],
    };
    let query = PublicDisclosureQuery { village: village.code, columns, period, states, after, limit: limit + 1 };
    let mut rows = state.site.store.public_disclosures(&query).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|d| Cursor::encode("disclosures", &d.id.0.to_string())) } else { None };
    let last_modified = rows.iter().filter_map(|d| d.published_at).max();
    let page = DisclosurePage {
        items: rows.iter().map(item).collect(),
        next: next_href(uri.path(), uri.query(), next_cursor.as_deref()),
        next_cursor,
    };
    json(&headers, &page, LIST_CACHE, last_modified)
}

/// A version anyone may read: published once (current, corrected or withdrawn).
async fn public_version(state: &AppState, id: DisclosureId) -> Result<Option<Disclosure>, WebError> {
    match state.site.store.get_disclosure(id).await {
        Ok(d) if d.state.was_published() => Ok(Some(d)),
        Ok(_) | Err(yangguang_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Every public version of `d`'s item, oldest first: back along `replaces`, then forward
/// along the corrections (at most a hundred; chains are a handful long).
async fn chain(state: &AppState, d: &Disclosure) -> Result<Vec<VersionLink>, WebError> {
    let mut first = d.id;
    let mut replaces = d.replaces;
    let mut steps = 0;
    while let Some(prev) = replaces
        && steps < 100
    {
        match public_version(state, prev).await? {
            Some(p) => {
                first = p.id;
                replaces = p.replaces;
            }
            None => break,
        }
        steps += 1;
    }
    let mut out = vec![];
    let mut frontier = vec![first];
    while let Some(id) = frontier.pop()
        && out.len() < 100
    {
        let Some(v) = public_version(state, id).await? else { continue };
        out.push(VersionLink {
            id: v.id.0,
            version: v.version,
            kind: v.kind.as_str().into(),
            state: v.state.as_str().into(),
            published_at: v.published_at,
            api: format!("/api/v1/disclosures/{}", v.id.0),
        });
        for next in state.site.store.list_replacements(v.id).await? {
            frontier.push(next.id);
        }
    }
    out.sort_by_key(|v| v.id);
    Ok(out)
}

#[utoipa::path(get, path = "/api/v1/disclosures/{id}", tag = "disclosures",
    summary = "一个公开版本的全文、更正链与核验链接 / one public version in full",
    params(("id" = i64, Path, description = "the version's number")),
    responses((status = 200, body = DisclosureDetail), (status = 304, description = "unchanged"),
        (status = 404, body = ApiError, description = "no such version, or never public")))]
pub async fn disclosure(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    Params::parse(uri.query(), &[])?;
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let d = public_version(&state, id).await?.ok_or(WebError::NotFound)?;
    let versions = chain(&state, &d).await?;
    let entries = state.site.store.log_entries_for(d.id).await?;
    let signoffs = entries
        .first()
        .map(|e| {
            e.signoffs
                .iter()
                .map(|s| ApiSignoff {
                    reviewer: s.reviewer.clone(),
                    role: s.role.clone(),
                    at: s.at,
                    comment: s.comment.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let last_modified = entries.iter().map(|e| e.at).chain(versions.iter().filter_map(|v| v.published_at)).max();
    let base = format!("/v/{}/d/{}", d.village, d.id.0);
    let detail = DisclosureDetail {
        id: d.id.0,
        village: d.village.to_string(),
        column: d.column.clone(),
        catalog_item: d.catalog_item.clone(),
        period: d.period.map(|p| p.to_string()),
        title: d.title.clone(),
        body_md: d.body_md.clone(),
        state: d.state.as_str().into(),
        kind: d.kind.as_str().into(),
        version: d.version,
        replaces: d.replaces.map(|r| r.0),
        reason: d.reason.clone(),
        published_at: d.published_at,
        content_hash: d.content_hash(),
        content_url: format!("/api/disclosures/{}/content.json", d.id.0),
        proof_url: format!("/api/disclosures/{}/proof", d.id.0),
        attachments: d
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| ApiAttachment {
                file_name: a.file_name.clone(),
                media_type: a.media_type.clone(),
                byte_size: a.byte_size,
                sha256: a.sha256.clone(),
                url: format!("{base}/a/{i}"),
            })
            .collect(),
        html: base,
        signoffs,
        versions,
        log: entries
            .iter()
            .map(|e| LogRef { seq: e.seq, action: serde_name(&e.action), at: e.at, entry_hash: e.entry_hash.clone() })
            .collect(),
    };
    json(&headers, &detail, LIST_CACHE, last_modified)
}

#[utoipa::path(get, path = "/api/v1/log", tag = "log",
    summary = "公开记录链（按序号翻页）/ the publication log, paged by sequence number",
    params(("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 200 (default 50)")),
    responses((status = 200, body = LogPage), (status = 304, description = "unchanged"),
        (status = 400, body = ApiError)))]
pub async fn log(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    let p = Params::parse(uri.query(), &["cursor", "limit"])?;
    let limit = p.limit()?;
    let after = match p.cursor("log")? {
        Some(key) => key.parse::<i64>().map_err(|_| Cursor::invalid())?,
        None => 0,
    };
    let mut entries = state.site.store.log_entries(after, limit + 1).await?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    let next_cursor = if more { entries.last().map(|e| Cursor::encode("log", &e.seq.to_string())) } else { None };
    let last_modified = entries.iter().map(|e| e.at).max();
    let page = LogPage {
        items: entries
            .into_iter()
            .map(|e| ApiLogEntry {
                seq: e.seq,
                at: e.at,
                village: e.village.to_string(),
                disclosure_id: e.disclosure_id,
                version: e.version,
                action: serde_name(&e.action),
                content_hash: e.content_hash,
                signoffs: e
                    .signoffs
                    .into_iter()
                    .map(|s| ApiSignoff { reviewer: s.reviewer, role: s.role, at: s.at, comment: s.comment })
                    .collect(),
                reason: e.reason,
                prev_hash: e.prev_hash,
                entry_hash: e.entry_hash,
            })
            .collect(),
        next: next_href(uri.path(), uri.query(), next_cursor.as_deref()),
        next_cursor,
    };
    // Entries never change: a full page is cacheable for long; the last one grows.
    json(&headers, &page, if more { "public, max-age=86400" } else { LIST_CACHE }, last_modified)
}
