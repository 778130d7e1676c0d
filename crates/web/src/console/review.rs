//! One version of a disclosure in the console: its page with the sign-offs, reviewing it
//! (approve or return), and starting a correction or a withdrawal of a published one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use yangguang_app::i18n::Label;
use yangguang_app::publishing::{self, Actor, ReviewOutcome};
use yangguang_core::{DisclosureId, DisclosureKind, DisclosureState};
use yangguang_store::Decision;

use super::{Nav, done, layout, nav, render, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};
use yangguang_app::body_diff::{Change, RowState};

/// An attachment as a reviewer sees it: opened in the browser, an image shown, a table read.
pub struct AttachmentView {
    pub href: String,
    pub name: String,
    pub size: String,
    pub image: bool,
    pub table: Option<CsvTable>,
}

/// A CSV attachment's first rows, to read on the review page.
pub struct CsvTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows beyond those shown (the file has them all).
    pub more: usize,
}

/// Rows of a CSV attachment shown on the review page; the file itself has them all.
const CSV_ROWS_SHOWN: usize = 2_000;

fn csv_table(bytes: &[u8]) -> Option<CsvTable> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader.headers().ok()?.iter().map(str::to_owned).collect();
    let (mut rows, mut more) = (vec![], 0);
    for record in reader.records() {
        let record = record.ok()?;
        if rows.len() < CSV_ROWS_SHOWN {
            rows.push(record.iter().map(str::to_owned).collect());
        } else {
            more += 1;
        }
    }
    Some(CsvTable { header, rows, more })
}

pub struct SignoffRow {
    pub who: String,
    pub decision: &'static str,
    pub comment: String,
    pub at: String,
    pub valid: &'static str,
}

#[derive(Template)]
#[template(path = "console/detail.html")]
struct DetailPage {
    layout: Layout,
    nav: Nav,
    id: i64,
    title: String,
    state: &'static str,
    scheduled: String,
    kind: &'static str,
    reason: String,
    village: String,
    column: String,
    item: String,
    period: String,
    required: String,
    missing: String,
    hash: String,
    public_url: String,
    body_html: String,
    attachments: Vec<AttachmentView>,
    /// The month page a reviewer can open before signing accounts drawn from the books.
    books_href: String,
    /// For a correction: what changed against the published version it replaces.
    changes: Vec<Change>,
    signoffs: Vec<SignoffRow>,
    can_edit: bool,
    /// A draft or returned version can be sent to review; a submitted one waits.
    can_submit: bool,
    can_review: bool,
    can_replace: bool,
}

pub async fn detail(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let site = &state.site;
    let d = site.store.get_disclosure(id).await?;
    let grants = who.grants();
    if !grants.sees(d.village) {
        return Err(WebError::Forbidden(format!(
            "您的角色不涉及该村（{}）/ this village is outside your roles",
            d.village
        )));
    }
    let signoffs = site.store.list_signoffs(id).await?;
    let hash = d.content_hash();
    let required = publishing::required_reviewers(site, &d);
    let missing = publishing::missing_reviewers(site, &d, &signoffs);
    let changes = match (d.kind, d.replaces) {
        (DisclosureKind::Correction, Some(previous)) => {
            yangguang_app::body_diff::changes(&site.store.get_disclosure(previous).await?, &d)
        }
        _ => vec![],
    };
    // CSV attachments are shown as tables: read before the page is built (the store is async).
    let mut tables = Vec::with_capacity(d.attachments.len());
    for a in &d.attachments {
        let table = if a.media_type.starts_with("text/csv") {
            site.files.get(&a.sha256).await.ok().and_then(|b| csv_table(&b))
        } else {
            None
        };
        tables.push(table);
    }
    let mut tables = tables.into_iter();
    let role_names =
        |roles: &[yangguang_core::catalog::ReviewerRole]| roles.iter().map(|r| r.zh()).collect::<Vec<_>>().join("、");
    let page = DetailPage {
        layout: layout(&headers, &d.title),
        nav: nav(&who, &headers),
        id: id.0,
        title: d.title.clone(),
        state: d.state.zh(),
        scheduled: d
            .scheduled_at
            .filter(|_| d.state == DisclosureState::Scheduled)
            .map(yangguang_core::time::format_china)
            .unwrap_or_default(),
        kind: match d.kind {
            DisclosureKind::Original => "原始公开",
            DisclosureKind::Correction => "更正",
            DisclosureKind::Withdrawal => "撤回申请",
        },
        reason: d.reason.clone().unwrap_or_default(),
        village: village_name(&state, d.village),
        column: site.catalog.column(&d.column).map(|c| c.name.clone()).unwrap_or_default(),
        item: d.catalog_item.as_deref().and_then(|i| site.catalog.item(i)).map(|i| i.name.clone()).unwrap_or_default(),
        period: d.period.map(|p| p.label_zh()).unwrap_or_default(),
        required: role_names(&required),
        missing: if d.state == DisclosureState::Submitted { role_names(&missing) } else { String::new() },
        public_url: if d.state.was_published() && d.kind != DisclosureKind::Withdrawal {
            format!("/v/{}/d/{}", d.village, d.id)
        } else {
            String::new()
        },
        body_html: yangguang_app::markdown::render(&d.body_md),
        attachments: d
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| AttachmentView {
                href: format!("/console/d/{}/a/{i}", d.id),
                name: yangguang_core::disclosure::without_bidi_controls(&a.file_name).into_owned(),
                size: format!("{} 字节", a.byte_size),
                image: a.media_type.starts_with("image/"),
                table: tables.next().flatten(),
            })
            .collect(),
        books_href: if d.catalog_item.as_deref().and_then(|i| site.catalog.item(i)).is_some_and(|i| i.locks_books)
            && matches!(d.period, Some(yangguang_core::Period::Month { .. }))
        {
            format!("/console/d/{}/books", d.id)
        } else {
            String::new()
        },
        changes,
        signoffs: signoffs
            .iter()
            .map(|s| SignoffRow {
                who: format!(
                    "{} · {}",
                    s.reviewer_name,
                    yangguang_core::catalog::ReviewerRole::parse(&s.reviewer_role).map_or("", |r| r.zh())
                ),
                decision: match s.decision {
                    Decision::Approve => "同意",
                    Decision::Return => "退回",
                },
                comment: s.comment.clone().unwrap_or_default(),
                at: yangguang_core::time::format_china(s.at),
                valid: if s.decision == Decision::Return {
                    "—"
                } else if s.content_hash == hash {
                    "有效"
                } else {
                    "已失效（内容在签署后被修改）"
                },
            })
            .collect(),
        can_edit: d.state.is_editable() && d.kind != DisclosureKind::Withdrawal && grants.can_draft(d.village),
        can_submit: matches!(d.state, DisclosureState::Draft | DisclosureState::Returned)
            && d.kind != DisclosureKind::Withdrawal
            && grants.can_draft(d.village),
        can_review: d.state == DisclosureState::Submitted && required.iter().any(|r| grants.can_sign(*r, d.village)),
        can_replace: d.state == DisclosureState::Published
            && d.kind != DisclosureKind::Withdrawal
            && grants.can_draft(d.village),
        hash,
    };
    render(&state, &headers, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct ReviewForm {
    decision: String,
    comment: Option<String>,
    /// The content hash the review page displayed.
    hash: Option<String>,
}

pub async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Staff(who), f): CsrfForm<ReviewForm>,
) -> Result<Response, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let decision =
        Decision::parse(&f.decision).ok_or_else(|| WebError::BadRequest("审核意见只能是同意或退回".into()))?;
    // Returning needs a reason: back to the same page, the message above the box, not a dead end.
    if decision == Decision::Return && f.comment.as_deref().is_none_or(|c| c.trim().is_empty()) {
        let to = format!("/console/d/{id}#comment");
        return Ok(done(
            &headers,
            &to,
            "退回时请在“意见”框里写明原因（要改什么），再点“退回修改”。 / write the reason first",
        ));
    }
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    let outcome = publishing::review(&state.site, &actor, id, decision, f.comment, f.hash.as_deref()).await?;
    let message = match outcome {
        ReviewOutcome::Returned => "已退回，起草人会看到您的意见。".to_owned(),
        ReviewOutcome::Waiting(missing) => {
            format!("已签署。尚需{}签署后公开。", missing.iter().map(|r| r.zh()).collect::<Vec<_>>().join("、"))
        }
        ReviewOutcome::Scheduled(at) => format!("已签署，将于 {} 公开。", yangguang_core::time::format_china(at)),
        ReviewOutcome::Published(seq) => format!("已签署并公开，公开记录第 {seq} 条。"),
    };
    Ok(done(&headers, &format!("/console/d/{id}"), &message))
}

#[derive(Deserialize)]
pub struct ReasonForm {
    reason: String,
}

async fn replace(
    state: AppState,
    headers: HeaderMap,
    id: String,
    CsrfForm(Staff(who), f): CsrfForm<ReasonForm>,
    kind: DisclosureKind,
) -> Result<Response, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let ip = client_ip(&headers);
    let new = publishing::start_replacement(&state.site, &Actor { who: &who, ip: &ip }, id, kind, &f.reason).await?;
    let (to, message) = match kind {
        DisclosureKind::Correction => (format!("/console/d/{new}/edit"), "已起草更正版本，请修改内容后提交审核。"),
        _ => (format!("/console/d/{new}"), "撤回申请已提交审核。"),
    };
    Ok(done(&headers, &to, message))
}

pub async fn correct(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: CsrfForm<ReasonForm>,
) -> Result<Response, WebError> {
    replace(state, headers, id, form, DisclosureKind::Correction).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: CsrfForm<ReasonForm>,
) -> Result<Response, WebError> {
    replace(state, headers, id, form, DisclosureKind::Withdrawal).await
}
