//! `/v/{code}/d/{id}`: one disclosure — title, period, publish time, the catalog item it
//! fulfils, the sanitised body and its attachments, its place in the public log with its
//! content fingerprint and the witnesses of the latest checkpoint; and the attachments.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use yangguang_app::body_diff::{Change, RowState};
use yangguang_app::i18n::Label;
use yangguang_core::{Disclosure, DisclosureId, Region};

use super::village::find_village;
use super::{Crumb, Layout, Scope, cached_over, column_name, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::prefs::Prefs;

pub struct ItemFacts {
    pub name: String,
    pub frequency: String,
    pub deadline: String,
    pub reviewers: String,
}

pub struct AttachmentLink {
    pub position: usize,
    pub file_name: String,
    pub size: String,
    pub thumbnail: bool,
}

pub struct SignoffView {
    pub reviewer: String,
    pub role: String,
    pub at: String,
    pub comment: String,
}

/// This version in the public log (docs/TRANSPARENCY.md): its entry, its content fingerprint,
/// and who witnessed the latest checkpoint.
pub struct LogFacts {
    /// The entry's number (its leaf index is one less).
    pub seq: i64,
    /// "公开记录第 N 条（…叶子序号 N-1…）".
    pub position: String,
    pub content_hash: String,
    /// The content hash's first 16 hex digits in fours.
    pub fingerprint: String,
    /// Which witnesses cosigned the latest checkpoint and when, or why none.
    pub witnessed: String,
    /// The in-browser check's script, in the page's language.
    pub check_script: &'static str,
}

/// What a reader must know about this version's place in its history.
pub struct History {
    /// This version corrects `previous` (id), on `at`, because `reason`.
    pub corrects: Option<(i64, String, String)>,
    /// What the correction changed, rendered (`app::body_diff`).
    pub changes: Vec<Change>,
    /// This version was corrected by `(id, at)`.
    pub corrected_by: Option<(i64, String)>,
    /// This version was withdrawn on `at`, because `reason`.
    pub withdrawn: Option<(String, String)>,
    pub log_seq: Option<i64>,
    /// The item's own number (its first version's id) and this version's number in its chain.
    pub item_number: i64,
    pub version: i32,
    /// The public pages' view of the entry (not needed where staff review a correction).
    pub log: Option<LogFacts>,
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct DisclosurePage {
    layout: Layout,
    id: i64,
    village_code: String,
    title: String,
    published: String,
    published_iso: String,
    period: Option<String>,
    column_id: String,
    column_name: String,
    item: Option<ItemFacts>,
    body_html: String,
    attachments: Vec<AttachmentLink>,
    signoffs: Vec<SignoffView>,
    history: History,
    /// "第 N 号 · 第 V 版".
    reference: String,
    /// "公开日志第 N 条", when the version is in the log.
    log_number: Option<String>,
    staff: Option<StaffActions>,
    /// Satisfaction, the public questions and the 我要质询 link (`crate::voice`).
    v: &'static yangguang_app::i18n::VoiceTexts,
    voice: crate::voice::ItemVoice,
    /// "已被查看 N 次", with its label.
    views: (&'static str, String),
}

/// A public version of this village's (published, superseded by a correction, or withdrawn),
/// or not found: ids of other villages and unpublished versions are indistinguishable from
/// ids that do not exist. A withdrawal is a version too (its entry in the log names its
/// content, attachments included), but it has no page of its own.
pub(crate) async fn find_version(state: &AppState, village: &Region, id: &str) -> Result<Disclosure, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let d = state.site.store.get_disclosure(id).await?;
    if d.village != village.code || !d.state.was_published() {
        return Err(WebError::NotFound);
    }
    Ok(d)
}

/// A public version with a page of its own: any but a withdrawal.
async fn find_disclosure(state: &AppState, village: &Region, id: &str) -> Result<Disclosure, WebError> {
    let d = find_version(state, village, id).await?;
    if d.kind == yangguang_core::DisclosureKind::Withdrawal {
        return Err(WebError::NotFound);
    }
    Ok(d)
}

/// A withdrawal's URL (as the log and its content JSON name it) leads to the page of the
/// version it withdrew, which says when and why. Looked up only when no page was found, so
/// cached pages still cost no query.
async fn withdrawal_redirect(state: &AppState, village: &Region, id: &str, uri: &Uri) -> Result<Response, WebError> {
    let d = find_version(state, village, id).await?;
    match (d.kind, d.replaces) {
        (yangguang_core::DisclosureKind::Withdrawal, Some(withdrawn)) => {
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            Ok(Redirect::permanent(&format!("/v/{}/d/{}{query}", village.code, withdrawn.0)).into_response())
        }
        _ => Err(WebError::NotFound),
    }
}

/// What a signed-in staff member whose roles reach the village may do from the public page:
/// the console's correction and withdrawal of a published version (clerks), or open it there.
pub struct StaffActions {
    pub csrf: String,
    pub can_replace: bool,
}

pub async fn disclosure(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    // Staff see their actions on the page: rendered for them alone, never cached or shared.
    // Nobody else's request costs a query (no session cookie, no lookup).
    if let Some(who) = crate::session::signed_in(&state, &headers).await?
        && who.grants().sees(village.code)
        && !(who.staff.must_change_password || who.needs_totp_setup())
    {
        let page = match find_disclosure(&state, &village, &id).await {
            Ok(d) => {
                let staff = StaffActions {
                    csrf: who.session.csrf_token.clone(),
                    can_replace: d.state == yangguang_core::DisclosureState::Published
                        && who.grants().can_draft(d.village),
                };
                render_page(&state, &prefs, &village, d, &uri, Some(staff)).await?
            }
            Err(WebError::NotFound) => return withdrawal_redirect(&state, &village, &id, &uri).await,
            Err(e) => return Err(e),
        };
        let mut r = (axum::http::StatusCode::OK, page).into_response();
        r.extensions_mut().insert(crate::compress::Uncompressed);
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        state.security.apply(h);
        return Ok(crate::session::no_store(r));
    }
    // Looked up inside the render: a cached page costs no query at all. The page shows the
    // latest checkpoint's witnesses, so a new checkpoint makes it stale too.
    let scopes = [Scope::Village(village.code), Scope::Log, Scope::Visits(village.code)];
    let page = cached_over(&state, &headers, &prefs, &uri, &scopes, || async {
        let d = find_disclosure(&state, &village, &id).await?;
        render_page(&state, &prefs, &village, d, &uri, None).await
    })
    .await;
    match page {
        Err(WebError::NotFound) => withdrawal_redirect(&state, &village, &id, &uri).await,
        other => other,
    }
}

async fn render_page(
    state: &AppState,
    prefs: &Prefs,
    village: &Region,
    d: Disclosure,
    uri: &Uri,
    staff: Option<StaffActions>,
) -> Result<String, WebError> {
    let mut history = history(state, &d).await?;
    if let Some(seq) = history.log_seq {
        history.log = Some(log_facts(state, prefs.lang, seq, d.content_hash()).await?);
    }
    let signoffs = state
        .site
        .store
        .log_entries_for(d.id)
        .await?
        .into_iter()
        .next()
        .map(|e| {
            e.signoffs
                .into_iter()
                .map(|s| SignoffView {
                    reviewer: s.reviewer,
                    role: yangguang_core::catalog::ReviewerRole::parse(&s.role)
                        .map_or(s.role.clone(), |r| r.label(prefs.lang).to_owned()),
                    at: yangguang_core::time::format_china(s.at),
                    comment: s.comment.unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let voice = crate::voice::item_voice(state, prefs.lang.voice(), village, d.id).await?;
    let x = prefs.lang.visits();
    let views = yangguang_app::visits::item_views(&state.site, village.code, d.id).await?;
    let views = (x.item_label, x.item_total.replace("{n}", &views.to_string()));
    render(state, prefs, village, d, uri, signoffs, history, (staff, voice, views))
}

pub(crate) async fn history(state: &AppState, d: &Disclosure) -> Result<History, WebError> {
    let store = &state.site.store;
    let mut h = History {
        corrects: None,
        changes: vec![],
        corrected_by: None,
        withdrawn: None,
        log_seq: None,
        item_number: d.id.0,
        version: d.version,
        log: None,
    };
    // The item's number is its original's id: follow the corrections back (a few at most).
    let mut first = (d.kind, d.replaces);
    while let (yangguang_core::DisclosureKind::Correction, Some(previous)) = first {
        let earlier = store.get_disclosure(previous).await?;
        h.item_number = earlier.id.0;
        first = (earlier.kind, earlier.replaces);
    }
    h.log_seq = store.log_entries_for(d.id).await?.first().map(|e| e.seq);
    if let (yangguang_core::DisclosureKind::Correction, Some(previous)) = (d.kind, d.replaces) {
        let old = store.get_disclosure(previous).await?;
        let at = d.published_at.map(yangguang_core::time::format_china).unwrap_or_default();
        h.corrects = Some((previous.0, at, d.reason.clone().unwrap_or_default()));
        h.changes = yangguang_app::body_diff::changes(&old, d);
    }
    for r in store.list_replacements(d.id).await? {
        if !r.state.was_published() {
            continue;
        }
        let at = r.published_at.map(yangguang_core::time::format_china).unwrap_or_default();
        match r.kind {
            yangguang_core::DisclosureKind::Correction => h.corrected_by = Some((r.id.0, at)),
            yangguang_core::DisclosureKind::Withdrawal => {
                let reason = store.get_disclosure(r.id).await?.reason.unwrap_or_default();
                h.withdrawn = Some((at, reason));
            }
            yangguang_core::DisclosureKind::Original => {}
        }
    }
    Ok(h)
}

async fn log_facts(state: &AppState, lang: Lang, seq: i64, content_hash: String) -> Result<LogFacts, WebError> {
    let t = lang.texts();
    let site = &state.site;
    let witnessed = match yangguang_app::transparency::latest(site).await? {
        Some(cp) if cp.tree_size >= seq => {
            let cosigners = yangguang_app::transparency::cosigners(site, &cp.note);
            if cosigners.is_empty() {
                t.no_cosign.to_owned()
            } else {
                let lines: Vec<String> = cosigners
                    .iter()
                    .map(|(name, at)| {
                        t.cosigned_line
                            .replace("{name}", name)
                            .replace("{time}", &yangguang_core::time::format_china(*at))
                    })
                    .collect();
                let separator = if lang == Lang::Zh { "；" } else { "; " };
                format!(
                    "{}{}",
                    t.cosigned_checkpoint.replace("{size}", &cp.tree_size.to_string()),
                    lines.join(separator)
                )
            }
        }
        _ => t.not_in_checkpoint.to_owned(),
    };
    Ok(LogFacts {
        seq,
        position: t.log_position.replace("{n}", &seq.to_string()).replace("{leaf}", &(seq - 1).to_string()),
        fingerprint: yangguang_core::publication::fingerprint(&content_hash),
        content_hash,
        witnessed,
        check_script: super::transparency::check_script(lang),
    })
}

fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
    }
}

#[allow(clippy::too_many_arguments)]
fn render(
    state: &AppState,
    prefs: &Prefs,
    village: &Region,
    d: Disclosure,
    uri: &Uri,
    signoffs: Vec<SignoffView>,
    history: History,
    (staff, voice, views): (Option<StaffActions>, crate::voice::ItemVoice, (&'static str, String)),
) -> Result<String, WebError> {
    let catalog = &state.site.catalog;
    let lang = prefs.lang;
    let mut crumbs = region_crumbs(&state.site.regions(), village.code, true);
    for c in catalog.ancestry(&d.column) {
        crumbs.push(Crumb {
            label: column_name(c, lang).to_owned(),
            href: Some(format!("/v/{}/c/{}", village.code, c.id)),
        });
    }
    crumbs.push(Crumb { label: d.title.clone(), href: None });
    let item = d.catalog_item.as_deref().and_then(|id| catalog.item(id)).map(|item| ItemFacts {
        name: match lang {
            Lang::Zh => item.name.clone(),
            Lang::En => item.name_en.clone(),
        },
        frequency: item.frequency.label(lang).to_owned(),
        deadline: match lang {
            Lang::Zh => item.deadline.describe_zh(),
            Lang::En => item.deadline.to_string(),
        },
        reviewers: item.reviewers.iter().map(|r| r.label(lang)).collect::<Vec<_>>().join(if lang == Lang::Zh {
            "、"
        } else {
            ", "
        }),
    });
    let description = yangguang_app::markdown::plain_text(&d.body_md, 90);
    let published_at = d.published_at.unwrap_or(d.created_at);
    let page = DisclosurePage {
        layout: Layout::new(
            prefs,
            super::path_and_query(uri),
            format!("{} - {}", d.title, village.name),
            description,
            crumbs,
        ),
        id: d.id.0,
        village_code: village.code.to_string(),
        title: d.title,
        published: yangguang_core::time::format_china(published_at),
        published_iso: published_at.to_rfc3339(),
        period: d.period.map(|p| match lang {
            Lang::Zh => p.label_zh(),
            Lang::En => p.label_en(),
        }),
        column_name: catalog.column(&d.column).map(|c| column_name(c, lang).to_owned()).unwrap_or_default(),
        column_id: d.column,
        item,
        body_html: yangguang_app::markdown::render(&d.body_md),
        attachments: d
            .attachments
            .iter()
            .enumerate()
            .map(|(position, a)| AttachmentLink {
                position,
                file_name: yangguang_core::disclosure::without_bidi_controls(&a.file_name).into_owned(),
                size: human_size(a.byte_size),
                thumbnail: a.media_type.starts_with("image/"),
            })
            .collect(),
        signoffs,
        reference: lang
            .texts()
            .item_reference
            .replace("{n}", &history.item_number.to_string())
            .replace("{v}", &history.version.to_string()),
        log_number: history.log_seq.map(|n| lang.texts().log_number.replace("{n}", &n.to_string())),
        history,
        staff,
        v: lang.voice(),
        voice,
        views,
    };
    Ok(page.render()?)
}

/// `/v/{code}/d/{id}/a/{position}`: an attachment, checked against its hash as it is read.
pub async fn attachment(
    State(state): State<AppState>,
    Path((code, id, position)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let d = find_version(&state, &village, &id).await?;
    let position: usize = position.parse().map_err(|_| WebError::NotFound)?;
    let a = d.attachments.get(position).ok_or(WebError::NotFound)?;
    // Content is addressed by hash: it never changes under this URL.
    attachment_response(&state, a, "public, max-age=86400", false).await
}

/// An attachment's bytes, sandboxed: shown in the browser when `inline` (images and PDFs for
/// a reviewer), else downloaded under its own name.
pub(crate) async fn attachment_response(
    state: &AppState,
    a: &yangguang_core::Attachment,
    cache: &'static str,
    inline: bool,
) -> Result<Response, WebError> {
    let bytes = state.site.files.get(&a.sha256).await?;
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    let media_type =
        HeaderValue::from_str(&a.media_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, media_type);
    let disposition = if inline { "inline" } else { "attachment" };
    let name = yangguang_core::disclosure::without_bidi_controls(&a.file_name);
    if let Ok(v) = HeaderValue::from_str(&content_disposition(disposition, &name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(response)
}

/// A `Content-Disposition` value (RFC 6266) for a stored file name: `filename*` in UTF-8,
/// percent-encoding everything but RFC 8187's attr-chars, and a plain ASCII `filename` for
/// old clients — the name itself when it is plain, else `download` with the name's extension.
pub(crate) fn content_disposition(disposition: &str, name: &str) -> String {
    content_disposition_with(disposition, name, None)
}

/// [`content_disposition`] with a chosen plain `filename` (used when it is plain ASCII).
pub(crate) fn content_disposition_with(disposition: &str, name: &str, ascii: Option<&str>) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let fallback = if let Some(ascii) = ascii.filter(|a| !a.is_empty() && a.chars().all(plain)) {
        ascii.to_owned()
    } else if !name.is_empty() && name.chars().all(plain) && !name.starts_with('.') {
        name.to_owned()
    } else {
        match name.rsplit_once('.').map(|(_, e)| e).filter(|e| !e.is_empty() && e.len() <= 5 && e.chars().all(plain)) {
            Some(ext) => format!("download.{ext}"),
            None => "download".to_owned(),
        }
    };
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// `/v/{code}/d/{id}/a/{position}/thumb`: a small JPEG of an image attachment.
pub async fn thumbnail(
    State(state): State<AppState>,
    Path((code, id, position)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let d = find_version(&state, &village, &id).await?;
    let position: usize = position.parse().map_err(|_| WebError::NotFound)?;
    let a = d.attachments.get(position).ok_or(WebError::NotFound)?;
    let bytes = state.site.files.get_thumbnail(&a.sha256).await?;
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn download_names_are_safe_in_a_header() {
        assert_eq!(
            super::content_disposition("attachment", "2026年 收支*明细.xlsx"),
            "attachment; filename=\"download.xlsx\"; filename*=UTF-8''2026%E5%B9%B4%20%E6%94%B6%E6%94%AF%2A%E6%98%8E%E7%BB%86.xlsx"
        );
        assert_eq!(
            super::content_disposition("inline", "scan-1.pdf"),
            "inline; filename=\"scan-1.pdf\"; filename*=UTF-8''scan-1.pdf"
        );
        let hostile = super::content_disposition("attachment", "a\";\r\nSet-Cookie: x=1.doc");
        assert!(!hostile.contains('\r') && !hostile.contains('\n') && hostile.matches('"').count() == 2, "{hostile}");
    }
}
