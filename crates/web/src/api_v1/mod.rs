//! The public read-only JSON API, `/api/v1/…`: everything a villager can read on the public
//! pages, for machines — regions, columns, the catalog, disclosures with their versions,
//! monthly accounts and vouchers, leases, listings, decisions, public questions, the log.
//! Lists page by key with opaque cursors; answers carry strong ETags; errors are the one
//! JSON shape of `error.rs`. The OpenAPI 3.1 document (`/openapi.json`) is derived from
//! these handlers and their types with `utoipa`; `/api` is the page for people.

pub mod content;
pub mod cors;
pub mod docs;
pub mod registers;
pub mod schema;
pub mod support;

use std::sync::OnceLock;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;
use crate::error::WebError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "阳光村务公开 公开数据接口 / yangguang public API",
        version = "1.0.0",
        description = "只读、无需登录：公开页面上能看到的一切，以 JSON 提供。列表按游标翻页（`next_cursor`），\
            回答带强 ETag（`If-None-Match` 得 304），允许跨域读取（GET/HEAD/OPTIONS）。金额以分为单位（`*_fen`）。\n\n\
            Read-only, no sign-in: everything the public pages show, as JSON. Lists page by opaque cursor \
            (`next_cursor`, stable while rows are added); answers carry strong ETags (`If-None-Match` → 304) \
            and allow cross-origin reads. Money is integer fen (`*_fen`). Errors: `{code, message, field}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    paths(
        content::regions,
        content::region,
        content::columns,
        content::catalog,
        content::village_disclosures,
        content::disclosure,
        content::log,
        registers::finance_months,
        registers::finance_statement,
        registers::vouchers,
        registers::leases,
        registers::listings,
        registers::decisions,
        registers::questions,
    ),
    components(schemas(schema::ApiError)),
    tags(
        (name = "reference", description = "区划、栏目与公开目录 / regions, columns and the catalog"),
        (name = "disclosures", description = "公开事项及其版本 / disclosures and their versions"),
        (name = "finance", description = "财务公开：月度收支、凭证与原始票据 / monthly accounts, vouchers, receipts"),
        (name = "registers", description = "出租、交易与决策 / leases, trading listings, decisions"),
        (name = "questions", description = "质询与答复 / questions and replies"),
        (name = "log", description = "公开记录链 / the publication log"),
    )
)]
pub struct ApiDoc;

/// The document, built once: it depends only on the code.
pub fn openapi_document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// `/openapi.json`.
pub async fn openapi_json(headers: HeaderMap) -> Result<Response, WebError> {
    support::json(&headers, openapi_document(), "public, max-age=3600", None)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/api", get(docs::page))
        .route("/api/v1/regions", get(content::regions))
        .route("/api/v1/regions/{code}", get(content::region))
        .route("/api/v1/columns", get(content::columns))
        .route("/api/v1/catalog", get(content::catalog))
        .route("/api/v1/villages/{code}/disclosures", get(content::village_disclosures))
        .route("/api/v1/disclosures/{id}", get(content::disclosure))
        .route("/api/v1/log", get(content::log))
        .route("/api/v1/villages/{code}/finance", get(registers::finance_months))
        .route("/api/v1/villages/{code}/finance/{period}", get(registers::finance_statement))
        .route("/api/v1/villages/{code}/finance/{period}/vouchers", get(registers::vouchers))
        .route("/api/v1/villages/{code}/leases", get(registers::leases))
        .route("/api/v1/villages/{code}/listings", get(registers::listings))
        .route("/api/v1/villages/{code}/decisions", get(registers::decisions))
        .route("/api/v1/villages/{code}/questions", get(registers::questions))
}
