//! The witness's HTTP face (`yangguang witness`): C2SP tlog-witness `POST /add-checkpoint`,
//! and `GET /` saying who it is and its key. It shares nothing with the platform's router.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use yangguang_app::witness::Witness;

/// Requests carry a checkpoint and at most 63 hashes: a few KB.
const MAX_BODY: usize = 64 * 1024;

pub fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/", get(about))
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(witness)
}

async fn about(State(witness): State<Arc<Witness>>) -> Response {
    plain(StatusCode::OK, "text/plain; charset=utf-8", format!("yangguang witness\n{}\n", witness.vkey()))
}

async fn add_checkpoint(State(witness): State<Arc<Witness>>, body: Bytes) -> Response {
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    match witness.add_checkpoint(&body, now).await {
        Ok(lines) => plain(StatusCode::OK, "text/plain; charset=utf-8", lines),
        Err(refused) => {
            let status = StatusCode::from_u16(refused.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if status.is_server_error() {
                tracing::error!(error = %refused, "the witness could not cosign");
            } else {
                tracing::info!(status = status.as_u16(), reason = %refused, "refused a checkpoint");
            }
            plain(status, refused.content_type(), refused.body())
        }
    }
}

fn plain(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Serves the witness until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    witness: Arc<Witness>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(witness)).with_graceful_shutdown(shutdown).await
}
