//! Drafting: the new and edit forms (the body in a simple editor, the period in a picker),
//! live preview, saving a draft with its uploaded attachments, and submitting it for review.
//! The multipart reading every upload form shares is in `multipart`, the period's fields in
//! `period_picker`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use yangguang_app::auth::SignedIn;
use yangguang_app::i18n::Label;
use yangguang_app::publishing::{self, Actor, DraftInput};
use yangguang_core::{Attachment, DisclosureId, DisclosureKind, Period};

use super::multipart::store_uploads;
pub use super::multipart::{CsrfMultipart, Submitted};
use super::period_picker::{PeriodFields, PeriodPicker, kind_name};
use super::{Nav, clerk_villages, done, html, layout, nav, render, village_field};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

#[derive(Default)]
pub struct FormValues {
    pub village: String,
    pub item: String,
    pub column: String,
    pub period: PeriodFields,
    pub title: String,
    pub body: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "console/edit.html")]
struct EditPage {
    layout: Layout,
    nav: Nav,
    heading: String,
    action: String,
    villages: Vec<(String, String)>,
    /// Catalog items: id, name with frequency, and the kind of period each needs.
    items: Vec<(String, String, &'static str)>,
    columns: Vec<(String, String)>,
    period: PeriodPicker,
    attachments: Vec<KeptAttachment>,
    is_replacement: bool,
    form: FormValues,
    max_mb: usize,
    /// What is wrong, by field (`village`, `period`, `title`, `files`, … or `form`).
    problems: HashMap<String, String>,
    /// Files already uploaded with this form, carried over when it comes back to be fixed.
    uploaded: Vec<Carried>,
}

/// An existing attachment on the edit form, and whether it is still ticked.
pub struct KeptAttachment {
    pub index: usize,
    pub name: String,
    pub checked: bool,
}

/// A file uploaded with a form that came back to be fixed: stored already, carried in the
/// form as `sha256|media type|name` so that nobody uploads it twice.
pub struct Carried {
    pub value: String,
    pub name: String,
}

impl Carried {
    fn of(a: &Attachment) -> Self {
        Self { value: format!("{}|{}|{}", a.sha256, a.media_type, a.file_name), name: a.file_name.clone() }
    }
}

/// What the edit form is for: a new draft, or an existing one (with its attachments), and,
/// when it comes back to be fixed, what was wrong and what was uploaded.
struct EditTarget {
    heading: &'static str,
    action: String,
    form: FormValues,
    attachments: Vec<KeptAttachment>,
    is_replacement: bool,
    problems: HashMap<String, String>,
    uploaded: Vec<Carried>,
}

fn edit_page_for(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    target: EditTarget,
) -> Result<Response, WebError> {
    let EditTarget { heading, action, form, attachments, is_replacement, problems, uploaded } = target;
    let catalog = &state.site.catalog;
    let villages = clerk_villages(state, who);
    if villages.is_empty() {
        return Err(WebError::Forbidden("需要村务工作者角色才能起草 / drafting needs the village clerk role".into()));
    }
    let items = catalog
        .items()
        .iter()
        .map(|i| (i.id.clone(), format!("{}（{}）", i.name, i.frequency.zh()), kind_name(i.frequency.input_kind())))
        .collect();
    let kind = catalog.item(&form.item).and_then(|i| i.frequency.input_kind());
    let period = PeriodPicker::new(form.period.clone(), kind, yangguang_app::today());
    let columns = catalog
        .columns()
        .iter()
        .map(|c| (c.id.clone(), format!("{}{}", "　".repeat(usize::from(c.depth) - 1), c.name)))
        .collect();
    let page = EditPage {
        layout: layout(headers, heading),
        nav: nav(who, headers),
        heading: heading.into(),
        action,
        villages,
        items,
        columns,
        period,
        attachments,
        is_replacement,
        form,
        max_mb: state.site.upload_limits.max_bytes / 1024 / 1024,
        // Back to be fixed: 422, with everything typed and uploaded still there.
        problems,
        uploaded,
    };
    let status = if page.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(state, headers, status, &page)
}

#[derive(Deserialize)]
pub struct NewQuery {
    village: Option<String>,
    item: Option<String>,
    period: Option<String>,
}

pub async fn new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let item = q.item.as_deref().and_then(|i| state.site.catalog.item(i));
    let form = FormValues {
        village: q.village.unwrap_or_default(),
        item: item.map(|i| i.id.clone()).unwrap_or_default(),
        column: item.map(|i| i.column.clone()).unwrap_or_default(),
        period: PeriodFields::of(q.period.as_deref().and_then(|p| Period::parse_human(p).ok())),
        title: match (item, q.period.as_deref().and_then(|p| Period::parse_human(p).ok())) {
            (Some(i), Some(p)) => format!("{}{}", p.label_zh(), i.name),
            (Some(i), None) => i.name.clone(),
            _ => String::new(),
        },
        ..FormValues::default()
    };
    let target = EditTarget {
        heading: "新建公开事项",
        action: "/console/new".into(),
        form,
        attachments: vec![],
        is_replacement: false,
        problems: HashMap::new(),
        uploaded: vec![],
    };
    edit_page_for(&state, &headers, &who, target)
}

/// A refusal the clerk can fix on the form, by the field it concerns; others are errors.
fn problem_of(e: yangguang_app::AppError, problems: &mut HashMap<String, String>) -> Result<(), WebError> {
    use yangguang_app::AppError;
    match e {
        AppError::Field { field, message } => problems.insert(field.into(), message),
        AppError::Invalid(message) => problems.insert("form".into(), message),
        AppError::Upload(u) => problems.insert("files".into(), u.to_string()),
        other => return Err(other.into()),
    };
    Ok(())
}

impl Submitted {
    /// The draft the form describes; a period that cannot be read is a problem with `period`.
    fn input(&self, attachments: Vec<Attachment>, problems: &mut HashMap<String, String>) -> DraftInput {
        let period = self.period_fields().read().map_err(|m| problems.insert("period".into(), m)).ok().flatten();
        DraftInput {
            column: self.get("column").into(),
            catalog_item: Some(self.get("item").to_owned()).filter(|i| !i.is_empty()),
            period,
            title: self.get("title").into(),
            body_md: self.get("body").into(),
            attachments,
            reason: Some(self.get("reason").to_owned()).filter(|r| !r.trim().is_empty()),
        }
    }

    fn period_fields(&self) -> PeriodFields {
        PeriodFields {
            text: self.get("period").into(),
            year: self.get("period_year").into(),
            part: self.get("period_part").into(),
            date: self.get("period_date").into(),
        }
    }

    /// What was typed, to fill the form again.
    fn values(&self) -> FormValues {
        FormValues {
            village: self.get("village").into(),
            item: self.get("item").into(),
            column: self.get("column").into(),
            period: self.period_fields(),
            title: self.get("title").into(),
            body: self.get("body").into(),
            reason: self.get("reason").into(),
        }
    }
}

// ───────────────────────── saving and submitting ─────────────────────────

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(who), mut form): CsrfMultipart,
) -> Result<Response, WebError> {
    let mut problems = HashMap::new();
    let village = village_field(form.get("village"));
    if let Ok(v) = village
        && !who.grants().can_draft(v)
    {
        return Err(WebError::Forbidden(format!("需要该村（{v}）的村务工作者角色才能起草")));
    }
    let attachments = store_uploads(&state, &mut form, &mut problems).await;
    let mut input = form.input(vec![], &mut problems);
    input.attachments = attachments;
    match village {
        Ok(village) if problems.is_empty() => {
            let ip = client_ip(&headers);
            let actor = Actor { who: &who, ip: &ip };
            match publishing::create_draft(&state.site, &actor, village, input.clone()).await {
                Ok(id) => return Ok(done(&headers, &format!("/console/d/{id}"), "草稿已保存。核对无误后请提交审核。")),
                Err(e) => problem_of(e, &mut problems)?,
            }
        }
        Ok(_) => {}
        Err(_) => {
            problems.insert("village".into(), "请选择村（社区）".into());
        }
    }
    let target = EditTarget {
        heading: "新建公开事项",
        action: "/console/new".into(),
        form: form.values(),
        attachments: vec![],
        is_replacement: false,
        problems,
        uploaded: input.attachments.iter().map(Carried::of).collect(),
    };
    edit_page_for(&state, &headers, &who, target)
}

pub async fn edit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let d = state.site.store.get_disclosure(id).await?;
    if !who.grants().can_draft(d.village) {
        return Err(WebError::Forbidden(format!("需要该村（{}）的村务工作者角色", d.village)));
    }
    if !d.state.is_editable() || d.kind == DisclosureKind::Withdrawal {
        return Err(WebError::BadRequest(format!("此版本状态为“{}”，不能修改", d.state.zh())));
    }
    let form = FormValues {
        village: d.village.to_string(),
        item: d.catalog_item.clone().unwrap_or_default(),
        column: d.column.clone(),
        period: PeriodFields::of(d.period),
        title: d.title.clone(),
        body: d.body_md.clone(),
        reason: d.reason.clone().unwrap_or_default(),
    };
    let target = EditTarget {
        heading: "修改草稿",
        action: format!("/console/d/{id}/edit"),
        form,
        attachments: kept_attachments(&d, None),
        is_replacement: d.kind == DisclosureKind::Correction,
        problems: HashMap::new(),
        uploaded: vec![],
    };
    edit_page_for(&state, &headers, &who, target)
}

/// A draft's attachments on the edit form, ticked unless the submitted form untick them.
fn kept_attachments(d: &yangguang_core::Disclosure, keep: Option<&[usize]>) -> Vec<KeptAttachment> {
    d.attachments
        .iter()
        .enumerate()
        .map(|(i, a)| KeptAttachment {
            index: i,
            name: yangguang_core::disclosure::without_bidi_controls(&a.file_name).into_owned(),
            checked: keep.is_none_or(|k| k.contains(&i)),
        })
        .collect()
}

pub async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfMultipart(Staff(who), mut form): CsrfMultipart,
) -> Result<Response, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let d = state.site.store.get_disclosure(id).await?;
    let mut problems = HashMap::new();
    let mut attachments: Vec<Attachment> =
        d.attachments.iter().enumerate().filter(|(i, _)| form.keep.contains(i)).map(|(_, a)| a.clone()).collect();
    let uploaded = store_uploads(&state, &mut form, &mut problems).await;
    attachments.extend(uploaded.iter().cloned());
    let input = form.input(attachments, &mut problems);
    if problems.is_empty() {
        let ip = client_ip(&headers);
        match publishing::edit_draft(&state.site, &Actor { who: &who, ip: &ip }, id, input).await {
            Ok(()) => {
                let message = "已保存。修改后，之前的审核签署不再有效，需要重新审核。";
                return Ok(done(&headers, &format!("/console/d/{id}"), message));
            }
            Err(e) => problem_of(e, &mut problems)?,
        }
    }
    let target = EditTarget {
        heading: "修改草稿",
        action: format!("/console/d/{id}/edit"),
        form: FormValues { village: d.village.to_string(), ..form.values() },
        attachments: kept_attachments(&d, Some(&form.keep)),
        is_replacement: d.kind == DisclosureKind::Correction,
        problems,
        uploaded: uploaded.iter().map(Carried::of).collect(),
    };
    edit_page_for(&state, &headers, &who, target)
}

pub async fn preview(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfMultipart(Staff(_), form): CsrfMultipart,
) -> Result<Response, WebError> {
    Ok(html(&state, &headers, StatusCode::OK, yangguang_app::markdown::render(form.get("body"))))
}

#[derive(Deserialize)]
pub struct SubmitForm {
    publish_at: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(Staff(who), f): CsrfForm<SubmitForm>,
) -> Result<Response, WebError> {
    let id: DisclosureId = id.parse().map_err(|_| WebError::NotFound)?;
    let publish_at = match f.publish_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .map_err(|_| WebError::BadRequest(format!("定时公开时间 “{s}” 格式不对，应为 2026-12-01T09:00")))?;
            let at = yangguang_core::time::china().from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc));
            Some(at.ok_or_else(|| WebError::BadRequest("定时公开时间无效".into()))?)
        }
    };
    let ip = client_ip(&headers);
    publishing::submit(&state.site, &Actor { who: &who, ip: &ip }, id, publish_at).await?;
    Ok(done(&headers, &format!("/console/d/{id}"), "已提交审核。"))
}
