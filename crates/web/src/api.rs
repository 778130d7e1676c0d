//! Machine endpoints: the publication log's hash-chained form, so anyone can download it and
//! verify it (the whole log as JSON lines, streamed in batches so memory stays flat; pages
//! of it; the checkpoints signed over the chain before the Merkle tree, kept as history —
//! the tree's endpoints are in `log_api`), and the pushes of the assets and trading platforms.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::error::{Refusal, WebError};

const BATCH: u32 = 2_000;

/// `/api/log.jsonl`: every entry from the first, one JSON object per line.
pub async fn log_jsonl(State(state): State<AppState>) -> Response {
    let body = stream::unfold((state, 0i64, false), |(state, after, done)| async move {
        if done {
            return None;
        }
        match state.site.store.log_entries(after, BATCH).await {
            Ok(batch) if batch.is_empty() => None,
            Ok(batch) => {
                let last = batch.last().map_or(after, |e| e.seq);
                let mut text = String::with_capacity(batch.len() * 700);
                for e in &batch {
                    text.push_str(&serde_json::to_string(e).expect("entries serialise"));
                    text.push('\n');
                }
                Some((Ok::<_, std::io::Error>(text), (state, last, false)))
            }
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), (state, after, true))),
        }
    });
    // Fused: a compressing body may ask once more after the end.
    let mut response = Response::new(Body::from_stream(futures_util::StreamExt::fuse(body)));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson; charset=utf-8"));
    response
        .headers_mut()
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"yangguang-log.jsonl\""));
    response
}

#[derive(Deserialize)]
pub struct LogPage {
    after: Option<i64>,
    limit: Option<u32>,
}

/// `/api/log?after=SEQ&limit=N`: a page of entries (at most 1000).
pub async fn log_page(State(state): State<AppState>, Query(q): Query<LogPage>) -> Result<Response, WebError> {
    let entries = state.site.store.log_entries(q.after.unwrap_or(0), q.limit.unwrap_or(100).min(1000)).await?;
    Ok(Json(entries).into_response())
}

/// `/api/checkpoints`: the signed checkpoints, newest first, with the key that signs them.
pub async fn checkpoints(State(state): State<AppState>) -> Result<Response, WebError> {
    let list = state.site.store.list_checkpoints(400).await?;
    Ok(Json(json!({ "public_key": state.site.key.public_hex, "checkpoints": list })).into_response())
}

/// `/api/checkpoints/latest`: the newest checkpoint, the file `yangguang verify --checkpoint` reads.
pub async fn latest_checkpoint(State(state): State<AppState>) -> Result<Response, WebError> {
    let latest = state.site.store.list_checkpoints(1).await?.into_iter().next().ok_or(WebError::NotFound)?;
    Ok(Json(latest).into_response())
}

#[derive(Deserialize)]
pub struct LedgerPush {
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    /// `1`: answer what the push would change, store nothing.
    #[serde(default)]
    dry_run: Option<String>,
}

/// `POST /api/villages/{code}/ledger` with `Authorization: Bearer <token>` and the exported
/// file as the body (CSV in UTF-8 or GBK, or XLSX): the assets platform pushing a village's
/// month at closing. The answer carries the same row-level errors a clerk sees.
pub async fn push_ledger(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LedgerPush>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let village = yangguang_core::RegionCode::parse(&code).map_err(|_| WebError::NotFound)?;
    let secret = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let token = yangguang_app::integrations::authorize(&state.site, secret, village).await?;
    if body.is_empty() {
        return Err(WebError::BadRequest("请求体为空：应为导出的账簿文件 / the body must be the ledger file".into()));
    }
    let period = q.from.zip(q.to);
    if matches!(q.dry_run.as_deref(), Some("1" | "true")) {
        return dry_run_ledger(&state, village, body, period).await;
    }
    let file: yangguang_app::ledger::LedgerFile = ("ledger".into(), Box::new(std::io::Cursor::new(body)));
    let report = yangguang_app::ledger::import_ledger(&state.site, village, vec![file], period).await?;
    let detail = format!("{} errors", report.errors.len());
    yangguang_app::auth::audit(
        &state.site,
        None,
        &format!("token:{}", token.name),
        "ledger-push",
        &village.to_string(),
        &detail,
    )
    .await;
    if !report.errors.is_empty() {
        let errors: Vec<_> = report
            .errors
            .iter()
            .map(|(_, e)| json!({ "row": e.row, "column": e.column, "value": e.value, "problem": e.problem }))
            .collect();
        return Err(WebError::Invalid(
            Refusal::new("账簿有误，未导入任何内容 / nothing was imported")
                .detail("errors", errors.into())
                .detail("unlisted_errors", report.unlisted_errors.into()),
        ));
    }
    let stored = report.stored.unwrap_or_default();
    if !stored.conflicts.is_empty() {
        return Err(WebError::Conflict(
            Refusal::new(
                "这些凭证属于账目已公开的月份，不能新增或改动，未导入任何内容；如有错误，请在平台上更正该月账目 / \
                 these vouchers fall in months whose accounts are published; nothing was imported",
            )
            .detail("conflicts", json!(stored.conflicts)),
        ));
    }
    Ok(Json(json!({ "status": "imported", "inserted": stored.inserted, "updated": stored.updated, "unchanged": stored.unchanged })).into_response())
}

/// `?dry_run=1`: the change summary a clerk's preview shows (new, changed with old and new,
/// unchanged, the months and whether they are published, scans to re-check), with the status
/// the real push would get; nothing is stored.
async fn dry_run_ledger(
    state: &AppState,
    village: yangguang_core::RegionCode,
    body: axum::body::Bytes,
    period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
) -> Result<Response, WebError> {
    let file: yangguang_app::ledger::LedgerFile = ("ledger".into(), Box::new(std::io::Cursor::new(body)));
    let preview = yangguang_app::preview::preview_ledger(&state.site, village, vec![file], period).await?;
    let status = if !preview.errors.is_empty() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else if !preview.refused.is_empty() {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::OK
    };
    let mut summary = serde_json::to_value(&preview).expect("previews serialise");
    // Errors as the real push reports them.
    summary["errors"] = preview
        .errors
        .iter()
        .map(|[_, row, column, value, problem]| json!({ "row": row.parse::<u64>().unwrap_or(0), "column": column, "value": value, "problem": problem }))
        .collect();
    summary["status"] = json!("dry_run");
    summary["importable"] = json!(status == axum::http::StatusCode::OK);
    Ok((status, Json(summary)).into_response())
}

/// `POST /api/trading/push`: the trading platform pushes listings, signed with HMAC-SHA256
/// over `"{timestamp}.{body}"` (`X-Yangguang-Timestamp`, `X-Yangguang-Signature`). A bad or
/// old signature is 401, a replay 409, a message with problems 422 (nothing stored).
pub async fn push_trading(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    use yangguang_app::trading::PushError;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let ip = header(crate::CLIENT_IP_HEADER).unwrap_or("local").to_owned();
    let outcome = yangguang_app::trading::accept_push(
        &state.site,
        header("x-yangguang-timestamp"),
        header("x-yangguang-signature"),
        &body,
        &ip,
        chrono::Utc::now(),
    )
    .await;
    let report = match outcome {
        Ok(report) => report,
        // Pushes are off: as if the endpoint did not exist.
        Err(PushError::Disabled) => return Err(WebError::NotFound),
        Err(e @ PushError::Signature(_)) => return Err(WebError::Unauthorized(e.to_string())),
        Err(e @ PushError::Replay) => return Err(WebError::conflict(e.to_string())),
        Err(e @ PushError::Malformed(_)) => return Err(WebError::BadRequest(e.to_string())),
        Err(PushError::App(e)) => return Err(e.into()),
    };
    if !report.errors.is_empty() {
        return Err(WebError::Invalid(
            Refusal::new("推送有误，未保存任何内容 / nothing was stored").detail("errors", json!(report)),
        ));
    }
    Ok(Json(json!({ "status": "stored", "inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged })).into_response())
}
