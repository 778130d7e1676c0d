//! The governance pages of a village, built only from what was published through review:
//! `/v/{code}/party` (organisation, organisational life, dues), `/v/{code}/powers` (the
//! micro-power list and the monthly seal and certificate log) and `/v/{code}/rules` (the
//! charter and rules in force, their versions and what each amendment changed).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use yangguang_app::body_diff::{Change, RowState};
use yangguang_app::governance::{published_of, rules::published_docs};
use yangguang_app::i18n::{GovTexts, Label};
use yangguang_core::catalog::required::{MICRO_POWER_LIST, PARTY_DUES, PARTY_LIFE, PARTY_ORGANISATION, SEAL_LOG};
use yangguang_core::{Disclosure, Region};

use super::village::find_village;
use super::{Crumb, Layout, Scope, cached, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;

/// A published disclosure as a section of a page.
pub struct Section {
    pub title: String,
    pub href: String,
    pub published: String,
    pub body_html: String,
}

fn section(d: &Disclosure) -> Section {
    Section {
        title: d.title.clone(),
        href: format!("/v/{}/d/{}", d.village, d.id),
        published: d
            .published_at
            .map(|t| yangguang_core::time::china_date(t).format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        body_html: demote_headings(&yangguang_app::markdown::render(&d.body_md)),
    }
}

/// A body's headings moved below the section's own `h3`, so the page's outline stays in
/// order (a body's `## 第一章` would otherwise outrank the title it sits under). The HTML is
/// the sanitiser's, whose tags are lower-case.
fn demote_headings(html: &str) -> String {
    let mut out = html.to_owned();
    for (from, to) in [("h6", "h6"), ("h5", "h6"), ("h4", "h6"), ("h3", "h5"), ("h2", "h4"), ("h1", "h4")] {
        if from != to {
            out =
                out.replace(&format!("<{from}>"), &format!("<{to}>")).replace(&format!("<{from} "), &format!("<{to} "));
            out = out.replace(&format!("</{from}>"), &format!("</{to}>"));
        }
    }
    out
}

async fn latest(state: &AppState, village: &Region, item: &str, n: usize) -> Result<Vec<Section>, WebError> {
    Ok(published_of(&state.site, village.code, item).await?.iter().take(n).map(section).collect())
}

fn layout(prefs: &Prefs, uri: &Uri, state: &AppState, village: &Region, title: &str, intro: &str) -> Layout {
    let mut crumbs = region_crumbs(&state.site.regions(), village.code, true);
    crumbs.push(Crumb { label: title.to_owned(), href: None });
    Layout::new(
        prefs,
        super::path_and_query(uri),
        format!("{title} - {}", village.name),
        format!("{}{title}：{intro}", village.name),
        crumbs,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn body_headings_sit_below_the_section_title() {
        let html = super::demote_headings("<h1>a</h1><h2 id=\"x\">b</h2><h3>c</h3><p>h2</p>");
        assert_eq!(html, "<h4>a</h4><h4 id=\"x\">b</h4><h5>c</h5><p>h2</p>");
    }
}

#[derive(Template)]
#[template(path = "party.html")]
struct PartyPage {
    layout: Layout,
    g: &'static GovTexts,
    village_name: String,
    organisation: Vec<Section>,
    life: Vec<Section>,
    dues: Vec<Section>,
}

pub async fn party(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let g = prefs.lang.gov();
        let page = PartyPage {
            layout: layout(&prefs, &uri, &state, &village, g.party_title, g.party_intro),
            g,
            village_name: village.name.clone(),
            organisation: latest(&state, &village, PARTY_ORGANISATION, 1).await?,
            life: latest(&state, &village, PARTY_LIFE, 4).await?,
            dues: latest(&state, &village, PARTY_DUES, 2).await?,
        };
        Ok(page.render()?)
    })
    .await
}

#[derive(Template)]
#[template(path = "powers.html")]
struct PowersPage {
    layout: Layout,
    g: &'static GovTexts,
    village_name: String,
    list: Vec<Section>,
    log: Vec<Section>,
}

pub async fn powers(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let g = prefs.lang.gov();
        let page = PowersPage {
            layout: layout(&prefs, &uri, &state, &village, g.powers_title, g.powers_intro),
            g,
            village_name: village.name.clone(),
            list: latest(&state, &village, MICRO_POWER_LIST, 1).await?,
            log: latest(&state, &village, SEAL_LOG, 6).await?,
        };
        Ok(page.render()?)
    })
    .await
}

/// One version on the rules page.
pub struct VersionView {
    pub label: String,
    pub adopted_on: String,
    pub decision_no: String,
    pub decision_href: String,
    pub section: Section,
    pub changes: Vec<Change>,
    pub first: bool,
}

pub struct DocView {
    pub name: &'static str,
    pub title: String,
    /// Newest first: the first is in force.
    pub versions: Vec<VersionView>,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    layout: Layout,
    g: &'static GovTexts,
    village_name: String,
    docs: Vec<DocView>,
}

pub async fn rules(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let g = prefs.lang.gov();
        let docs = published_docs(&state.site, village.code)
            .await?
            .into_iter()
            .map(|doc| DocView {
                name: doc.doc.label(prefs.lang),
                title: doc.title,
                versions: {
                    let oldest = doc.versions.len().saturating_sub(1);
                    doc.versions
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| VersionView {
                            label: format!("{}{}{}", g.version_word, v.version_no, g.version_after),
                            adopted_on: v.adopted_on.format("%Y-%m-%d").to_string(),
                            decision_href: format!("/v/{}/decisions/{}", village.code, v.decision_no),
                            decision_no: v.decision_no,
                            section: section(&v.disclosure),
                            // The oldest version shown has nothing before it to compare with.
                            first: i == oldest,
                            changes: v.changes,
                        })
                        .collect()
                },
            })
            .collect();
        let page = RulesPage {
            layout: layout(&prefs, &uri, &state, &village, g.rules_title, g.rules_intro),
            g,
            village_name: village.name.clone(),
            docs,
        };
        Ok(page.render()?)
    })
    .await
}
