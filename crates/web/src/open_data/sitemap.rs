//! `sitemap.xml`: the public pages search engines should know — the home, every region and
//! village, each village's columns, items, published months of accounts and open-data page.
//! Past [`MAX_URLS`] addresses (a province) it becomes a sitemap index of numbered files,
//! `/sitemaps/{n}.xml`, as the sitemaps protocol requires.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use yangguang_app::Scope;
use yangguang_app::finance::MONTHLY_ACCOUNTS_ITEM;
use yangguang_core::Period;
use yangguang_store::DisclosureQuery;

use crate::AppState;
use crate::error::WebError;
use crate::pages::cached_page_over;
use crate::pages::feeds::xml_escape;

/// The protocol's limit on addresses in one sitemap file.
pub const MAX_URLS: usize = 50_000;

/// One address, with the date it last changed when known.
pub struct Entry {
    pub path: String,
    pub modified: Option<DateTime<Utc>>,
}

fn entry(path: String) -> Entry {
    Entry { path, modified: None }
}

/// Every public page the sitemap lists, in a stable order.
pub async fn entries(state: &AppState) -> Result<Vec<Entry>, WebError> {
    let regions = state.site.regions();
    let mut out = vec![entry("/".into()), entry("/open-data".into()), entry("/verify".into())];
    let mut areas: Vec<_> = regions.villages().filter_map(|v| v.parent).collect();
    areas.sort();
    areas.dedup();
    for code in areas {
        out.push(entry(format!("/r/{code}")));
    }
    let tops: Vec<String> = state.site.catalog.top_columns().map(|c| c.id.to_string()).collect();
    for village in regions.villages() {
        let code = village.code;
        out.push(entry(format!("/v/{code}")));
        out.push(entry(format!("/v/{code}/open-data")));
        for c in &tops {
            out.push(entry(format!("/v/{code}/c/{c}")));
        }
        let mut months: Vec<Period> = state
            .site
            .store
            .published_periods(code)
            .await?
            .into_iter()
            .filter(|(item, p)| item == MONTHLY_ACCOUNTS_ITEM && matches!(p, Period::Month { .. }))
            .map(|(_, p)| p)
            .collect();
        months.sort_by_key(|p| p.start());
        months.dedup();
        out.extend(months.into_iter().map(|p| entry(format!("/v/{code}/finance/{p}"))));
        let mut page = 1;
        loop {
            let list = state
                .site
                .store
                .list_disclosures(&DisclosureQuery { village: code, columns: vec![], page, per_page: 500 })
                .await?;
            let n = list.items.len();
            out.extend(
                list.items
                    .into_iter()
                    .map(|d| Entry { path: format!("/v/{code}/d/{}", d.id), modified: d.published_at }),
            );
            if n < 500 {
                break;
            }
            page += 1;
        }
    }
    Ok(out)
}

pub fn urlset(origin: &str, entries: &[Entry]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for e in entries {
        xml.push_str("<url><loc>");
        xml.push_str(&xml_escape(&format!("{origin}{}", e.path)));
        xml.push_str("</loc>");
        if let Some(at) = e.modified {
            xml.push_str(&format!("<lastmod>{}</lastmod>", at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn index(origin: &str, parts: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=parts {
        xml.push_str(&format!("<sitemap><loc>{}/sitemaps/{n}.xml</loc></sitemap>\n", xml_escape(origin)));
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

/// `part` 0 is `/sitemap.xml` itself (the whole list, or the index); `n` ≥ 1 the n-th file.
async fn serve(state: AppState, headers: HeaderMap, part: usize) -> Result<Response, WebError> {
    let origin = crate::public_base::base(&state, &headers);
    let regions = state.site.regions();
    let mut scopes = vec![Scope::Regions];
    scopes.extend(regions.villages().map(|v| Scope::Village(v.code)));
    let limit = state.sitemap_limit;
    let key = format!("sitemap|{part}|{limit}|{origin}");
    let encoding = crate::render::negotiate(&headers);
    let page = cached_page_over(&state, key, &scopes, encoding, || async {
        let all = entries(&state).await?;
        let parts = all.len().div_ceil(limit);
        match part {
            0 if all.len() <= limit => Ok(urlset(&origin, &all)),
            0 => Ok(index(&origin, parts)),
            n if n <= parts && parts > 1 => Ok(urlset(&origin, &all[(n - 1) * limit..(n * limit).min(all.len())])),
            _ => Err(WebError::NotFound),
        }
    })
    .await?;
    let mut response = page.respond(&headers, &state.security).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(super::DOWNLOAD_CACHE));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Ok(response)
}

pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    serve(state, headers, 0).await
}

pub async fn sitemap_part(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let n: usize = file
        .strip_suffix(".xml")
        .filter(|n| n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .ok_or(WebError::NotFound)?;
    serve(state, headers, n).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_escaped_and_the_index_numbers_its_files() {
        let xml = urlset("http://a", &[entry("/v/1?x=1&y=2".into())]);
        assert!(xml.contains("<loc>http://a/v/1?x=1&amp;y=2</loc>"), "{xml}");
        let idx = index("http://a", 3);
        assert_eq!(idx.matches("<sitemap>").count(), 3);
        assert!(idx.contains("<loc>http://a/sitemaps/3.xml</loc>"));
    }
}
