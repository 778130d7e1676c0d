//! `/api`: the API's page for people, Chinese first. The endpoint table is read from the
//! OpenAPI document, so the page and the document cannot disagree; each endpoint has an
//! example address with a real village of this deployment. No script.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use crate::AppState;
use crate::error::WebError;
use crate::i18n::ApiTexts;
use crate::pages::{Crumb, Layout, Scope, cached};
use crate::prefs::Prefs;

pub struct EndpointView {
    pub path: String,
    pub summary: String,
    pub params: Vec<String>,
    pub example: String,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    layout: Layout,
    a: &'static ApiTexts,
    endpoints: Vec<EndpointView>,
}

/// The endpoints of the document, in its order (by path), with an example address.
pub fn endpoints(village: &str, month: &str) -> Vec<EndpointView> {
    use utoipa::openapi::Required;
    super::openapi_document()
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| item.get.as_ref().map(|op| (path, op)))
        .map(|(path, op)| {
            let params = op
                .parameters
                .iter()
                .flatten()
                .filter(|p| !path.contains(&format!("{{{}}}", p.name)))
                .map(|p| {
                    let required = if matches!(p.required, Required::True) { " *" } else { "" };
                    format!("{}{required} — {}", p.name, p.description.clone().unwrap_or_default())
                })
                .collect();
            EndpointView {
                path: path.clone(),
                summary: op.summary.clone().unwrap_or_default(),
                params,
                example: path.replace("{code}", village).replace("{period}", month).replace("{id}", "1"),
            }
        })
        .collect()
}

pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    cached(&state, &headers, &prefs, &uri, Scope::Regions, || async {
        let a = prefs.lang.api();
        let regions = state.site.regions();
        let village = regions.villages().next().map(|v| v.code.to_string()).unwrap_or_else(|| "339921100201".into());
        let today = yangguang_app::today();
        let month = yangguang_core::Period::containing(yangguang_core::period::PeriodKind::Month, today);
        let home = regions.home().map(|h| h.name.clone()).unwrap_or_default();
        let page = ApiDocsPage {
            layout: Layout::new(
                &prefs,
                crate::pages::path_and_query(&uri),
                a.title.into(),
                a.intro.into(),
                vec![Crumb { label: home, href: Some("/?all=1".into()) }, Crumb { label: a.title.into(), href: None }],
            ),
            a,
            endpoints: endpoints(&village, &month.to_string()),
        };
        Ok(page.render()?)
    })
    .await
}
