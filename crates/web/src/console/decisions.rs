//! `/console/decisions`: a clerk's decision records (四议两公开) — the list with its red flags,
//! opening a decision with the next number proposed, recording and correcting steps (the
//! next expected step proposed), minutes and sign-in sheets, the money each decision
//! authorised, and the drafts that publish the resolution and the result through review.
//! A refused form comes back with what was typed and the message next to its field. The
//! rules and the audit trail are `app::decisions`'.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yangguang_app::AppError;
use yangguang_app::auth::SignedIn;
use yangguang_app::decisions::{self, DecisionInput, DecisionView, LinkInput, StepInput};
use yangguang_app::i18n::{DecisionConsoleTexts, Label, Lang, flag_text};
use yangguang_app::publishing::Actor;
use yangguang_core::RegionCode;
use yangguang_core::decision::{FORMS, KINDS, Procedure, Step};

use super::gov_form::lang;
use super::multipart::CsrfMultipart;
use super::{Nav, done, layout, nav, render, village_field, village_name};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

/// A refused form: which one, what was typed, and the message for its field.
#[derive(Default)]
pub struct Kept {
    pub form: &'static str,
    pub field: String,
    pub message: String,
    pub values: HashMap<String, String>,
}

impl Kept {
    /// What was typed into `name` of `form`, or `default` when that form was not refused.
    pub fn v(&self, form: &str, name: &str, default: &str) -> String {
        if self.form == form { self.values.get(name).cloned().unwrap_or_default() } else { default.to_owned() }
    }

    /// The message when `form`'s `field` was refused.
    pub fn err(&self, form: &str, field: &str) -> String {
        if self.form == form && self.field == field { self.message.clone() } else { String::new() }
    }

    /// The message when `form` was refused for a field it has no place for.
    pub fn other(&self, form: &str, fields: &[&str]) -> String {
        if self.form == form && !fields.contains(&self.field.as_str()) { self.message.clone() } else { String::new() }
    }
}

pub struct ListRow {
    pub village: String,
    pub number: String,
    pub href: String,
    pub subject: String,
    pub kind: &'static str,
    pub amount: String,
    pub stage: String,
    pub flags: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/decisions.html")]
struct ListPage {
    layout: Layout,
    nav: Nav,
    t: &'static DecisionConsoleTexts,
    villages: Vec<(String, String)>,
    proposed: String,
    kinds: Vec<(&'static str, &'static str)>,
    procedures: [(&'static str, &'static str); 2],
    rows: Vec<ListRow>,
    kept: Kept,
}

fn stage_text(view: &DecisionView, lang: Lang) -> String {
    match view.assessment.stage {
        yangguang_core::decision::Stage::New => lang.decisions().new_stage.into(),
        yangguang_core::decision::Stage::Reached(s) => s.label(lang).into(),
    }
}

fn clerk_villages(state: &AppState, who: &SignedIn) -> Result<Vec<(RegionCode, String)>, WebError> {
    let villages: Vec<(RegionCode, String)> = who
        .staff
        .grants
        .iter()
        .filter(|g| g.role == yangguang_core::staff::Role::VillageClerk)
        .map(|g| (g.region, village_name(state, g.region)))
        .collect();
    if villages.is_empty() {
        return Err(WebError::Forbidden("只有村务工作者可以登记民主决策 / needs the village clerk role".into()));
    }
    Ok(villages)
}

pub async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    list(&state, &headers, &who, Kept::default(), StatusCode::OK).await
}

async fn list(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    kept: Kept,
    status: StatusCode,
) -> Result<Response, WebError> {
    let villages = clerk_villages(state, who)?;
    let lang = lang(headers);
    let t = lang.decisions_console();
    let mut rows = vec![];
    for (code, name) in &villages {
        for view in decisions::village_overview(&state.site, *code).await? {
            let d = &view.record.new;
            rows.push(ListRow {
                village: name.clone(),
                number: d.number.clone(),
                href: format!("/console/decisions/{code}/{}", d.number),
                subject: d.subject.clone(),
                kind: d.kind.label(lang),
                amount: d.amount.map(|a| format!("{a} {}", t.yuan)).unwrap_or_default(),
                stage: stage_text(&view, lang),
                flags: view.assessment.flags.iter().map(|f| flag_text(f, lang)).collect(),
            });
        }
    }
    let proposed = decisions::proposed_number(&state.site, villages[0].0).await?;
    let page = ListPage {
        layout: layout(headers, t.title),
        nav: nav(who, headers),
        t,
        villages: villages.iter().map(|(c, n)| (c.to_string(), n.clone())).collect(),
        proposed,
        kinds: KINDS.iter().map(|k| (k.as_str(), k.label(lang))).collect(),
        procedures: procedures(lang),
        rows,
        kept,
    };
    render(state, headers, status, &page)
}

fn kept(form: &'static str, e: AppError, values: HashMap<String, String>) -> Result<Kept, WebError> {
    match e {
        AppError::Field { field, message } => Ok(Kept { form, field: field.into(), message, values }),
        other => Err(other.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let village = village_field(f.get("village").map_or("", String::as_str))?;
    let input = DecisionInput {
        number: f.get("number").cloned().unwrap_or_default(),
        subject: f.get("subject").cloned().unwrap_or_default(),
        kind: f.get("kind").cloned().unwrap_or_default(),
        procedure: f.get("procedure").cloned().unwrap_or_default(),
        amount: f.get("amount").cloned().unwrap_or_default(),
    };
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    match decisions::create(&state.site, &actor, village, &input).await {
        Ok(number) => Ok(done(
            &headers,
            &format!("/console/decisions/{village}/{number}"),
            &format!("已登记决议 {number}。请按顺序登记各步骤。"),
        )),
        Err(e) => {
            let kept = kept("create", e, f)?;
            list(&state, &headers, &who, kept, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub struct StepRow {
    pub name: &'static str,
    pub recorded: bool,
    pub date: String,
    pub form: &'static str,
    pub counts: String,
    pub verdict: String,
    pub bad: bool,
    pub content: String,
    pub by: String,
    pub files: Vec<(String, String)>,
    pub publication: String,
}

pub struct LinkRow {
    pub kind: &'static str,
    pub kind_code: String,
    pub target_ref: String,
    pub label: String,
    pub amount: String,
    pub outgoing: bool,
}

#[derive(Template)]
#[template(path = "console/decision.html")]
struct DetailPage {
    layout: Layout,
    nav: Nav,
    t: &'static DecisionConsoleTexts,
    village: String,
    village_name: String,
    number: String,
    subject: String,
    kind: &'static str,
    kind_code: &'static str,
    procedure: &'static str,
    amount: String,
    public_href: String,
    flags: Vec<String>,
    steps: Vec<StepRow>,
    step_choices: Vec<(&'static str, &'static str)>,
    next_step: &'static str,
    forms: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    recorded: Vec<(&'static str, &'static str)>,
    links: Vec<LinkRow>,
    spent: String,
    income: String,
    over: String,
    /// (step code, name, state text, console link, can draft now)
    publications: Vec<(&'static str, &'static str, String, String, bool)>,
    kept: Kept,
}

fn publication_text(p: &Option<decisions::Publication>, lang: Lang) -> (String, String) {
    let t = lang.decisions_console();
    match p {
        None => (t.no_draft.into(), String::new()),
        Some(p) => {
            let state = match p.published_on {
                Some(d) => format!("{} {} {d} {}", p.state.label(lang), t.published_on, t.published_after),
                None => p.state.label(lang).to_owned(),
            };
            let opinion = p.opinion.as_ref().map(|o| format!("{}{o}", t.opinion)).unwrap_or_default();
            (format!("{state}{opinion}"), format!("/console/d/{}", p.disclosure))
        }
    }
}

async fn detail(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    village: RegionCode,
    number: &str,
    kept: Kept,
    status: StatusCode,
) -> Result<Response, WebError> {
    if !who.grants().can_draft(village) {
        return Err(WebError::Forbidden(format!(
            "需要该村（{village}）的村务工作者角色 / needs the village clerk role"
        )));
    }
    let view = decisions::decision_view(&state.site, village, number).await?.ok_or(WebError::NotFound)?;
    let d = &view.record.new;
    let lang = lang(headers);
    let t = lang.decisions_console();
    let mut steps = vec![];
    for s in d.procedure.steps() {
        let files: Vec<(String, String)> = view
            .files
            .iter()
            .filter(|f| f.step == *s)
            .map(|f| (f.file_name.clone(), format!("{}/files/{}", view.path(), f.sha256)))
            .collect();
        let publication = match s {
            Step::ResolutionPublished => Some(publication_text(&view.resolution, lang).0),
            Step::ResultPublished => Some(publication_text(&view.result, lang).0),
            _ => None,
        };
        let row = match view.step(*s) {
            Some(stored) => {
                let r = &stored.record;
                let (counts, verdict, bad) = super::super::pages::decisions::verdict(r, lang);
                StepRow {
                    name: s.label(lang),
                    recorded: true,
                    date: r.date.to_string(),
                    form: r.form.map(|f| f.label(lang)).unwrap_or(""),
                    counts,
                    verdict,
                    bad,
                    content: r.content.clone(),
                    by: format!("{} · {}", stored.recorded_by, yangguang_core::time::format_china(stored.recorded_at)),
                    files,
                    publication: String::new(),
                }
            }
            None => StepRow {
                name: s.label(lang),
                recorded: publication.is_some(),
                date: String::new(),
                form: "",
                counts: String::new(),
                verdict: String::new(),
                bad: false,
                content: String::new(),
                by: String::new(),
                files,
                publication: publication.unwrap_or_default(),
            },
        };
        steps.push(row);
    }
    let typed = decisions::typed_steps(d.procedure);
    let next = decisions::next_step(&view).or(typed.last().copied()).unwrap_or(Step::Proposal);
    let publications = [
        (Step::ResolutionPublished, &view.resolution, Step::Resolution),
        (Step::ResultPublished, &view.result, Step::Implementation),
    ]
    .into_iter()
    .map(|(s, p, needs)| {
        let (text, href) = publication_text(p, lang);
        let can = view.step(needs).is_some()
            && p.as_ref().is_none_or(|p| {
                matches!(p.state, yangguang_core::DisclosureState::Draft | yangguang_core::DisclosureState::Returned)
            });
        (s.as_str(), s.label(lang), text, href, can)
    })
    .collect();
    let page = DetailPage {
        layout: layout(headers, &format!("{} {}", t.decision, d.number)),
        nav: nav(who, headers),
        t,
        village: village.to_string(),
        village_name: village_name(state, village),
        number: d.number.clone(),
        subject: d.subject.clone(),
        kind: d.kind.label(lang),
        kind_code: d.kind.as_str(),
        procedure: d.procedure.label(lang),
        amount: d.amount.map(|a| a.to_string()).unwrap_or_default(),
        public_href: view.path(),
        flags: view.assessment.flags.iter().map(|f| flag_text(f, lang)).collect(),
        steps,
        step_choices: typed.iter().map(|s| (s.as_str(), s.label(lang))).collect(),
        next_step: next.as_str(),
        forms: FORMS.iter().map(|f| (f.as_str(), f.label(lang))).collect(),
        kinds: KINDS.iter().map(|k| (k.as_str(), k.label(lang))).collect(),
        recorded: view.steps.iter().map(|s| (s.record.step.as_str(), s.record.step.label(lang))).collect(),
        links: view
            .links
            .iter()
            .map(|l| LinkRow {
                kind: lang.link_kind(&l.target_kind),
                kind_code: l.target_kind.clone(),
                target_ref: l.target_ref.clone(),
                label: l.label.clone(),
                amount: l.amount.to_string(),
                outgoing: l.outgoing,
            })
            .collect(),
        spent: view.totals.spent.to_string(),
        income: view.totals.other.to_string(),
        over: view.totals.over.map(|o| o.to_string()).unwrap_or_default(),
        publications,
        kept,
    };
    render(state, headers, status, &page)
}

pub async fn detail_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((village, number)): Path<(String, String)>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    let village = village_field(&village)?;
    detail(&state, &headers, &who, village, &number, Kept::default(), StatusCode::OK).await
}

/// Ends one of the detail page's forms: on success back to the page with the message, on a
/// refused field the page again with what was typed.
async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    (village, number): (RegionCode, &str),
    form: &'static str,
    values: HashMap<String, String>,
    outcome: Result<String, AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(message) => Ok(done(headers, &format!("/console/decisions/{village}/{number}"), &message)),
        Err(e) => {
            let kept = kept(form, e, values)?;
            detail(state, headers, who, village, number, kept, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

fn get(f: &HashMap<String, String>, k: &str) -> String {
    f.get(k).cloned().unwrap_or_default()
}

pub async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((village, number)): Path<(String, String)>,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let village = village_field(&village)?;
    let input = DecisionInput {
        subject: get(&f, "subject"),
        kind: get(&f, "kind"),
        amount: get(&f, "amount"),
        ..Default::default()
    };
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    let outcome = decisions::edit(&state.site, &actor, village, &number, &input)
        .await
        .map(|()| "已保存修改（记入审计日志）。".into());
    finish(&state, &headers, &who, (village, &number), "edit", f, outcome).await
}

pub async fn step(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((village, number)): Path<(String, String)>,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let village = village_field(&village)?;
    let input = StepInput {
        step: get(&f, "step"),
        date: get(&f, "date"),
        form: get(&f, "form"),
        expected: get(&f, "expected"),
        present: get(&f, "present"),
        votes_for: get(&f, "votes_for"),
        against: get(&f, "against"),
        abstain: get(&f, "abstain"),
        content: get(&f, "content"),
    };
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    let outcome = decisions::record_step(&state.site, &actor, village, &number, &input)
        .await
        .map(|step| format!("已登记“{}”。", step.zh()));
    finish(&state, &headers, &who, (village, &number), "step", f, outcome).await
}

pub async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((village, number)): Path<(String, String)>,
    CsrfMultipart(Staff(who), form): CsrfMultipart,
) -> Result<Response, WebError> {
    let village = village_field(&village)?;
    let step = form.get("file_step").to_owned();
    let values = HashMap::from([("file_step".to_owned(), step.clone())]);
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    let files = form.files;
    let outcome = async {
        if files.is_empty() {
            return Err(AppError::Field {
                field: "files", message: "请选择要上传的文件 / choose a file".into()
            });
        }
        let count = files.len();
        for (name, bytes) in files {
            decisions::attach(&state.site, &actor, village, &number, &step, &name, bytes).await.map_err(
                |e| match e {
                    AppError::Upload(u) => AppError::Field { field: "files", message: u.to_string() },
                    other => other,
                },
            )?;
        }
        Ok(format!("已上传 {count} 个文件。"))
    }
    .await;
    finish(&state, &headers, &who, (village, &number), "file", values, outcome).await
}

pub async fn link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((village, number)): Path<(String, String)>,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let village = village_field(&village)?;
    let input = LinkInput {
        kind: get(&f, "kind"),
        month: get(&f, "month"),
        reference: get(&f, "reference"),
        label: get(&f, "label"),
        amount: get(&f, "link_amount"),
    };
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    let outcome = decisions::link(&state.site, &actor, village, &number, &input)
        .await
        .map(|l| format!("已关联{} {}（{} 元）。", decisions::link_kind_label(&l.target_kind), l.target_ref, l.amount));
    finish(&state, &headers, &who, (village, &number), "link", f, outcome).await
}

pub async fn unlink(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((village, number)): Path<(String, String)>,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let village = village_field(&village)?;
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    decisions::unlink(&state.site, &actor, village, &number, &get(&f, "kind"), &get(&f, "target_ref")).await?;
    Ok(done(&headers, &format!("/console/decisions/{village}/{number}"), "已取消关联（记入审计日志）。"))
}

pub async fn publication(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((village, number)): Path<(String, String)>,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let village = village_field(&village)?;
    let step = Step::parse(&get(&f, "publication"))
        .filter(|s| s.is_publication())
        .ok_or_else(|| WebError::BadRequest("只能生成决议公开或结果公开 / not a publication".into()))?;
    let ip = client_ip(&headers);
    let actor = Actor { who: &who, ip: &ip };
    match decisions::draft_publication(&state.site, &actor, village, &number, step).await {
        Ok(id) => {
            Ok(done(&headers, &format!("/console/d/{id}"), &format!("已生成“{}”公开稿，请核对后提交审核。", step.zh())))
        }
        Err(e) => {
            let kept = kept("publication", e, f)?;
            detail(&state, &headers, &who, village, &number, kept, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The procedures a village may follow, for the create form.
pub fn procedures(lang: Lang) -> [(&'static str, &'static str); 2] {
    [Procedure::FourTwo, Procedure::FiveTwo].map(|p| (p.as_str(), p.label(lang)))
}
