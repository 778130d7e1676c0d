//! The one place where errors become HTTP responses. Handlers return `WebError`; its
//! `IntoResponse` only marks the response, and the `render_errors` middleware, which knows
//! the reader's language and display settings, turns the mark into a Chinese (or English)
//! HTML page, or into `{"code", "message"}` JSON for machine endpoints. Internal causes
//! are logged, never shown.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use yangguang_store::StoreError;

use crate::AppState;
use crate::prefs::Prefs;

#[derive(Debug, Clone, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    /// The actor lacks a role or the request is forged; the message says what is missing.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request cannot be done as asked; the message says what to fix.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable codes for clients and translations.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not-found",
            Self::Forbidden(_) => "forbidden",
            Self::BadRequest(_) => "bad-request",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Unavailable(m) => Self::Unavailable(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<yangguang_app::AppError> for WebError {
    fn from(e: yangguang_app::AppError) -> Self {
        use yangguang_app::AppError;
        match e {
            AppError::Forbidden(m) => Self::Forbidden(m),
            AppError::Invalid(m) | AppError::Conflict(m) => Self::BadRequest(m),
            AppError::Upload(u) => Self::BadRequest(u.to_string()),
            AppError::NotFound => Self::NotFound,
            AppError::Store(s) => s.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match &self {
            Self::NotFound => {}
            Self::Forbidden(m) | Self::BadRequest(m) => tracing::info!(problem = %m, "request refused"),
            other => tracing::error!(error = %other, "request failed"),
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

pub async fn render_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let prefs = Prefs::from_headers(request.headers());
    let json = request.uri().path().starts_with("/api/") || request.uri().path() == "/healthz";
    let headers = request.headers().clone();
    let mut response = next.run(request).await;
    // Unmatched routes come back as a bare 404 from the router: give them the page too.
    let error = match response.extensions_mut().remove::<WebError>() {
        Some(e) => e,
        None if response.status() == StatusCode::NOT_FOUND && response.headers().get("content-type").is_none() => {
            WebError::NotFound
        }
        None => return response,
    };
    if json {
        let t = prefs.lang.texts();
        let message = match &error {
            WebError::NotFound => t.not_found_title.to_owned(),
            WebError::Forbidden(m) | WebError::BadRequest(m) => m.clone(),
            _ => t.error_title.to_owned(),
        };
        let body = serde_json::json!({ "code": error.code(), "message": message });
        return (error.status(), axum::Json(body)).into_response();
    }
    crate::pages::error_page(&state, &prefs, &error).respond(&headers, &state.security)
}
