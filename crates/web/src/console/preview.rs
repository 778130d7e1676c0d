//! What a reviewer opens before signing: every attachment of a version (images and PDFs in
//! the browser, other files downloaded), and for accounts drawn from the books the month page
//! exactly as villagers will see it, with every voucher and receipt scan — none of it public
//! yet, so these routes serve it only to staff whose roles reach the village.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use yangguang_core::{Disclosure, DisclosureId, Period};

use super::html;
use crate::AppState;
use crate::error::WebError;
use crate::pages::{disclosure, finance};
use crate::prefs::Prefs;
use crate::session::Staff;

/// Private, never stored by a shared cache: the version may not be public.
const PRIVATE: &str = "private, no-store";

/// A version the reader's roles reach; others are not found (not even their existence shows).
async fn visible(state: &AppState, who: &Staff, id: &str) -> Result<Disclosure, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let d = state.site.store.get_disclosure(id).await?;
    if !who.0.grants().sees(d.village) {
        return Err(WebError::NotFound);
    }
    Ok(d)
}

/// Whether a reviewer's browser shows the file itself rather than downloading it.
pub fn shown_inline(media_type: &str) -> bool {
    media_type.starts_with("image/") || media_type == "application/pdf"
}

/// `/console/d/{id}/a/{position}`: one attachment of any version the reader may see.
pub async fn open_attachment(
    State(state): State<AppState>,
    Path((id, position)): Path<(String, String)>,
    who: Staff,
) -> Result<Response, WebError> {
    let d = visible(&state, &who, &id).await?;
    let position: usize = position.parse().map_err(|_| WebError::NotFound)?;
    let a = d.attachments.get(position).ok_or(WebError::NotFound)?;
    disclosure::attachment_response(&state, a, PRIVATE, shown_inline(&a.media_type)).await
}

/// The month a version's accounts cover, when they are drawn from the books.
fn month_of(state: &AppState, d: &Disclosure) -> Option<Period> {
    let item = d.catalog_item.as_deref().and_then(|i| state.site.catalog.item(i))?;
    match d.period {
        Some(p @ Period::Month { .. }) if item.locks_books => Some(p),
        _ => None,
    }
}

/// `/console/d/{id}/books`: the month page of the accounts under review, from the books now.
pub async fn preview_books(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    uri: Uri,
    who: Staff,
) -> Result<Response, WebError> {
    let d = visible(&state, &who, &id).await?;
    let period = month_of(&state, &d).ok_or(WebError::NotFound)?;
    let village = state.site.regions().get(d.village).cloned().ok_or(WebError::NotFound)?;
    let prefs = Prefs::from_headers(&headers);
    let links = finance::MonthLinks::Review(d.id);
    let body = finance::render(&state, &prefs, &village, period, None, &uri, &links).await?;
    Ok(html(&state, &headers, StatusCode::OK, body))
}

/// `/console/d/{id}/receipts/{sha256}/{size}`: a receipt scan of the month under review.
pub async fn preview_receipt(
    State(state): State<AppState>,
    Path((id, sha256, size)): Path<(String, String, String)>,
    who: Staff,
) -> Result<Response, WebError> {
    let d = visible(&state, &who, &id).await?;
    let period = month_of(&state, &d).ok_or(WebError::NotFound)?;
    let month = state.site.store.receipt_month(d.village, &sha256).await?;
    let (Some((year, m)), Period::Month { year: y, month }) = (month, period) else { return Err(WebError::NotFound) };
    if (year, m) != (y, month) {
        return Err(WebError::NotFound);
    }
    finance::scan_response(&state, &sha256, &size, PRIVATE).await
}
