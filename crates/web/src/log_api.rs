//! The transparency log's endpoints (docs/TRANSPARENCY.md §5): the checkpoint, tiles and
//! entry bundles (C2SP tlog-tiles), inclusion and consistency proofs, the keys, the list of
//! checkpoints, and each published version's canonical JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use yangguang_app::transparency;
use yangguang_core::DisclosureId;

use crate::AppState;
use crate::error::WebError;

/// Full tiles and bundles never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The checkpoint and partial tiles move on as entries are added.
const SHORT: &str = "public, max-age=10";

fn with_cache(mut response: Response, cache: &'static str) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn text(body: String) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

/// `/log/checkpoint`: the latest signed checkpoint with the cosignatures collected so far.
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, WebError> {
    let latest = transparency::latest(&state.site).await?.ok_or(WebError::NotFound)?;
    Ok(with_cache(text(latest.note), SHORT))
}

/// `/log/tile/…`: a hash tile or an entry bundle.
pub async fn tile(State(state): State<AppState>, Path(rest): Path<String>) -> Result<Response, WebError> {
    let path = format!("tile/{rest}");
    let (bytes, full) = transparency::tile(&state.site, &path).await?.ok_or(WebError::NotFound)?;
    let mut response = bytes.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    Ok(with_cache(response, if full { IMMUTABLE } else { SHORT }))
}

/// `/api/disclosures/{id}/proof`: the version's entry and its inclusion proof against the
/// latest checkpoint, with that checkpoint.
pub async fn proof(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let proof = transparency::inclusion(&state.site, id).await?;
    Ok(with_cache(Json(proof).into_response(), SHORT))
}

#[derive(Deserialize)]
pub struct Sizes {
    from: Option<String>,
    to: Option<String>,
}

/// `/api/log/consistency?from=M&to=N`: the consistency proof between two tree sizes.
pub async fn consistency(State(state): State<AppState>, Query(q): Query<Sizes>) -> Result<Response, WebError> {
    let size = |name: &'static str, v: Option<&str>| -> Result<u64, WebError> {
        v.and_then(|v| v.trim().parse().ok()).ok_or_else(|| {
            WebError::BadRequest(format!("{name} 应为树的大小（整数）/ {name} must be a tree size (a whole number)"))
        })
    };
    let (from, to) = (size("from", q.from.as_deref())?, size("to", q.to.as_deref())?);
    let current = transparency::sync(&state.site).await?;
    if from > to || to > current {
        return Err(WebError::BadRequest(format!(
            "应满足 from ≤ to ≤ {current}（当前树的大小）/ sizes must satisfy from ≤ to ≤ {current}"
        )));
    }
    let proof = transparency::consistency(&state.site, from, to).await?;
    // A proof between two sizes never changes.
    Ok(with_cache(Json(json!({ "from": from, "to": to, "proof": proof })).into_response(), IMMUTABLE))
}

/// `/api/log/checkpoints`: every checkpoint signed, largest first (at most 1,000).
pub async fn checkpoints(State(state): State<AppState>) -> Result<Response, WebError> {
    let list = state.site.store.list_tree_checkpoints(1_000).await?;
    let list: Vec<_> = list
        .into_iter()
        .map(|c| {
            let cosigned: Vec<_> = transparency::cosigners(&state.site, &c.note)
                .into_iter()
                .map(|(name, at)| json!({ "witness": name, "at": at }))
                .collect();
            json!({
                "tree_size": c.tree_size,
                "root_hash": c.root_hash,
                "signed_at": c.signed_at,
                "cosigned": cosigned,
                "note": c.note,
            })
        })
        .collect();
    Ok(with_cache(Json(json!({ "checkpoints": list })).into_response(), SHORT))
}

/// `/api/log/keys`: the log's verifier key and the witnesses'.
pub async fn keys(State(state): State<AppState>) -> Result<Response, WebError> {
    let id = transparency::identity(&state.site).await?;
    let witnesses: Vec<_> =
        state.site.log.witnesses.iter().map(|w| json!({ "name": w.name, "key": w.vkey, "url": w.url })).collect();
    Ok(Json(json!({ "origin": id.origin, "log_key": id.vkey(), "witnesses": witnesses })).into_response())
}

/// `/api/disclosures/{id}/content.json`: a published version's canonical JSON, from which
/// its content hash is recomputed (docs/TRANSPARENCY.md §1). Drafts are not published.
pub async fn content_json(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let d = state.site.store.get_disclosure(id).await?;
    if !d.state.was_published() {
        return Err(WebError::NotFound);
    }
    let urls: Vec<String> = (0..d.attachments.len()).map(|i| format!("/v/{}/d/{}/a/{i}", d.village, d.id)).collect();
    let bytes = yangguang_core::publication::canonical_json(&d.content(), &urls);
    let mut response = (StatusCode::OK, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    Ok(with_cache(response, IMMUTABLE))
}
