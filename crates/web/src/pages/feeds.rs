//! Atom feeds of a village and of a column, so newsrooms, WeChat bots and supervisors can
//! follow publications. Rendered from the store and cached like pages (new on publish).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use yangguang_store::DisclosureQuery;

use super::village::find_village;
use crate::AppState;
use crate::error::WebError;

const ENTRIES: u32 = 30;

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped rather than breaking the feed.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub async fn village_feed(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    feed(state, code, None, headers, uri).await
}

pub async fn column_feed(
    State(state): State<AppState>,
    Path((code, column)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    feed(state, code, Some(column), headers, uri).await
}

async fn feed(
    state: AppState,
    code: String,
    column: Option<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let catalog = state.site.catalog.clone();
    let column = match column {
        Some(c) => Some(catalog.column(&c).ok_or(WebError::NotFound)?.clone()),
        None => None,
    };
    let key = format!("feed|{}", uri.path());
    let encoding = crate::render::negotiate(&headers);
    let page = super::cached_page(&state, key, super::Scope::Village(village.code), encoding, || async {
            let columns = column
                .as_ref()
                .map(|c| catalog.subtree(&c.id).into_iter().map(String::from).collect())
                .unwrap_or_default();
            let list = state
                .site
                .store
                .list_disclosures(&DisclosureQuery { village: village.code, columns, page: 1, per_page: ENTRIES })
                .await?;
            let base = format!("/v/{}", village.code);
            let title = match &column {
                Some(c) => format!("{} · {}", village.name, c.name),
                None => format!("{} · 村务公开", village.name),
            };
            let updated = list.items.first().and_then(|d| d.published_at).unwrap_or_else(chrono::Utc::now);
            let mut xml = String::from(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n",
            );
            xml.push_str(&format!(
                "<title>{}</title>\n<id>urn:yangguang:{}</id>\n",
                xml_escape(&title),
                xml_escape(uri.path())
            ));
            xml.push_str(&format!(
                "<link rel=\"self\" href=\"{}\"/>\n<link rel=\"alternate\" href=\"{}\"/>\n",
                xml_escape(uri.path()),
                xml_escape(&base)
            ));
            xml.push_str(&format!(
                "<updated>{}</updated>\n<author><name>{}</name></author>\n",
                updated.to_rfc3339(),
                xml_escape(&village.name)
            ));
            for d in &list.items {
                let at = d.published_at.unwrap_or(updated).to_rfc3339();
                let label = if d.state == yangguang_core::DisclosureState::Withdrawn { "（已撤回）" } else { "" };
                xml.push_str(&format!(
                    "<entry>\n<title>{}{label}</title>\n<id>urn:yangguang:disclosure:{}</id>\n<link href=\"{base}/d/{}\"/>\n<updated>{at}</updated>\n<published>{at}</published>\n<category term=\"{}\"/>\n</entry>\n",
                    xml_escape(&d.title),
                    d.id,
                    d.id,
                    xml_escape(&d.column)
                ));
            }
            xml.push_str("</feed>\n");
            Ok(xml)
    })
    .await?;
    let mut response = page.respond(&headers, &state.security).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn xml_special_characters_are_escaped() {
        assert_eq!(xml_escape("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
