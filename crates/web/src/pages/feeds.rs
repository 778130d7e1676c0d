//! Atom feeds of a village and of a column, so newsrooms, WeChat bots and supervisors can
//! follow publications. Rendered from the store and cached like pages (new on publish); the
//! entries (corrections, withdrawals, what they replace) are built in [`super::feed_entries`].

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
    let base = crate::public_base::base(&state, &headers);
    // The base is part of the key: a feed names its absolute address.
    let key = format!("feed|{base}|{}", uri.path());
    let encoding = crate::render::negotiate(&headers);
    let page = super::cached_page(&state, key, super::Scope::Village(village.code), encoding, || async {
        let columns =
            column.as_ref().map(|c| catalog.subtree(&c.id).into_iter().map(String::from).collect()).unwrap_or_default();
        let list = state
            .site
            .store
            .list_disclosures(&DisclosureQuery { village: village.code, columns, page: 1, per_page: ENTRIES })
            .await?;
        let entries = super::feed_entries::entries(&state.site, &list.items).await?;
        let title = match &column {
            Some(c) => format!("{} · {}", village.name, c.name),
            None => format!("{} · 村务公开", village.name),
        };
        let head = super::feed_entries::FeedHead {
            title,
            author: village.name.clone(),
            self_path: uri.path().to_owned(),
            alternate: format!("/v/{}", village.code),
        };
        Ok(super::feed_entries::atom(&base, &head, &entries, chrono::Utc::now()))
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
