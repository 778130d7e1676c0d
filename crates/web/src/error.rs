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

/// Every way a request can fail, each with one HTTP status and one stable machine code
/// (`code()`), the same in JSON answers and on HTML pages:
///
/// | code | status | meaning |
/// |---|---|---|
/// | `not_found` | 404 | no such page or record (or not visible to the reader) |
/// | `unauthorized` | 401 | a machine request without valid credentials or signature |
/// | `forbidden` | 403 | the reader lacks a role, or the request is forged |
/// | `invalid` | 400 | the request itself is malformed |
/// | `bad_parameter` | 400 | a query or path parameter cannot be read; `field` names it |
/// | `invalid` | 422 | well-formed, but the content breaks a rule; `field` names the field |
/// | `conflict` | 409 | the record changed or the request was already done |
/// | `unavailable` | 503 | the database is out of reach |
/// | `internal` | 500 | a fault of ours: logged, never caused by what the user sent |
#[derive(Debug, Clone, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The actor lacks a role or the request is forged; the message says what is missing.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request cannot be read as asked; the message says what to fix.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A parameter of a machine request (the JSON API's `limit`, `cursor`, …) cannot be read;
    /// the refusal names it.
    #[error("bad parameter: {}", .0.message)]
    BadParameter(Refusal),
    /// The content breaks a rule; the refusal says which field and why.
    #[error("invalid: {}", .0.message)]
    Invalid(Refusal),
    #[error("conflict: {}", .0.message)]
    Conflict(Refusal),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a refused request is told: a message for people (Chinese first), the field at fault if
/// one is, and details for machines (row-level problems), added to the JSON answer.
#[derive(Debug, Clone, Default)]
pub struct Refusal {
    pub message: String,
    pub field: Option<String>,
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl Refusal {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), ..Self::default() }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn detail(mut self, key: &str, value: serde_json::Value) -> Self {
        self.details.insert(key.to_owned(), value);
        self
    }
}

impl WebError {
    /// A parameter that cannot be read (400), naming it.
    pub fn parameter(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadParameter(Refusal::new(message).field(field))
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(Refusal::new(message))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(Refusal::new(message))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) | Self::BadParameter(_) => StatusCode::BAD_REQUEST,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable codes for clients and translations.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::BadRequest(_) | Self::Invalid(_) => "invalid",
            Self::BadParameter(_) => "bad_parameter",
            Self::Conflict(_) => "conflict",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The message the reader is shown: a refusal's own, or `None` for the generic page.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Unauthorized(m) | Self::Forbidden(m) | Self::BadRequest(m) => Some(m),
            Self::Invalid(r) | Self::Conflict(r) | Self::BadParameter(r) => Some(&r.message),
            Self::NotFound | Self::Unavailable(_) | Self::Internal(_) => None,
        }
    }

    fn json(&self, generic: &str) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        body.insert("code".into(), self.code().into());
        body.insert("message".into(), self.message().unwrap_or(generic).into());
        if let Self::Invalid(r) | Self::Conflict(r) | Self::BadParameter(r) = self {
            if let Some(field) = &r.field {
                body.insert("field".into(), field.clone().into());
            }
            body.extend(r.details.clone());
        }
        body.into()
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(m) => {
                Self::conflict(format!("记录已被改动或已存在 / the record changed or exists: {m}"))
            }
            StoreError::Invalid(m) => Self::invalid(format!("数据不符合规则 / the data breaks a rule: {m}")),
            StoreError::Unavailable(m) => Self::Unavailable(m),
            other @ (StoreError::Backend(_) | StoreError::Schema(_)) => Self::Internal(other.to_string()),
        }
    }
}

impl From<yangguang_app::AppError> for WebError {
    fn from(e: yangguang_app::AppError) -> Self {
        use yangguang_app::AppError;
        match e {
            AppError::Forbidden(m) => Self::Forbidden(m),
            AppError::Invalid(m) => Self::invalid(m),
            AppError::Field { field, message } => Self::Invalid(Refusal::new(message).field(field)),
            AppError::Conflict(m) => Self::conflict(m),
            AppError::Upload(u) => Self::invalid(u.to_string()),
            AppError::NotFound => Self::NotFound,
            AppError::Store(s) => s.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// A stored file that cannot be read is the operator's problem, not the reader's: logged, and
/// answered with the not-found page (missing) or the unavailable page (store down, altered).
impl From<yangguang_app::files::FileError> for WebError {
    fn from(e: yangguang_app::files::FileError) -> Self {
        use yangguang_app::files::FileError;
        match e {
            FileError::NotFound => {
                tracing::warn!("a stored file is missing from the file store (run `yangguang verify`)");
                Self::NotFound
            }
            other => Self::Unavailable(other.to_string()),
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
            Self::Unavailable(_) | Self::Internal(_) => tracing::error!(error = %self, "request failed"),
            refused => tracing::info!(problem = %refused, "request refused"),
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

pub async fn render_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let prefs = Prefs::from_headers(request.headers());
    let path = request.uri().path();
    let json = path.starts_with("/api/") || path.starts_with("/open311/") || path == "/healthz";
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
        let generic = if matches!(error, WebError::NotFound) { t.not_found_title } else { t.error_title };
        return (error.status(), axum::Json(error.json(generic))).into_response();
    }
    crate::pages::error_page(&state, &prefs, &error, crate::render::negotiate(&headers))
        .respond(&headers, &state.security)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_answers_422_with_a_stable_code_and_the_field_named() {
        let e: WebError =
            yangguang_app::AppError::Field { field: "title", message: "标题不能超过 120 个字".into() }.into();
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = e.json("出错了");
        assert_eq!(body["code"], "invalid");
        assert_eq!(body["field"], "title");
        assert_eq!(body["message"], "标题不能超过 120 个字");
    }

    #[test]
    fn store_errors_map_to_the_documented_codes() {
        let cases = [
            (StoreError::NotFound, 404, "not_found"),
            (StoreError::Invalid("x".into()), 422, "invalid"),
            (StoreError::Conflict("x".into()), 409, "conflict"),
            (StoreError::Unavailable("x".into()), 503, "unavailable"),
            (StoreError::Backend("x".into()), 500, "internal"),
        ];
        for (store, status, code) in cases {
            let e = WebError::from(store);
            assert_eq!((e.status().as_u16(), e.code()), (status, code));
        }
    }
}
