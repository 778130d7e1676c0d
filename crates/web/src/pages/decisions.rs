//! `/v/{code}/decisions`: a village's decision records (四议两公开) — each decision's subject,
//! kind, amount, stage and red flags — and `/v/{code}/decisions/{number}`: the whole timeline,
//! each step with its date, meeting form, attendance, votes and quorum verdict, the minutes
//! and sign-in sheets, both publications linked, and the money the decision authorised set
//! against the amount resolved. Flags are never hidden.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use yangguang_app::decisions::{self, DecisionView, Publication};
use yangguang_app::i18n::{DecisionTexts, Label, flag_text};
use yangguang_core::decision::{Quorum, Stage, Step, StepRecord, majority};

use super::village::find_village;
use super::{Layout, Scope, cached};
use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::prefs::Prefs;

/// A counted step's attendance and votes, its verdict, and whether the verdict is a failure.
pub fn verdict(r: &StepRecord, lang: Lang) -> (String, String, bool) {
    let t = lang.decisions();
    let Some(c) = r.counts else { return (String::new(), String::new(), false) };
    let counts = format!(
        "{} {}，{} {}；{}：{} {}，{} {}，{} {}",
        t.expected,
        c.expected,
        t.present,
        c.present,
        t.votes,
        t.votes_for,
        c.votes_for,
        t.against,
        c.against,
        t.abstain,
        c.abstain
    );
    let quorum = Quorum::of(r.step, r.form).met(c.present, c.expected);
    let mut verdict = if quorum { t.quorum_met } else { t.quorum_failed }.to_owned();
    let mut bad = !quorum;
    if r.step.votes() {
        let passed = majority(c.votes_for, c.present);
        bad |= !passed;
        verdict.push_str(if lang == Lang::En { "; " } else { "；" });
        verdict.push_str(if passed { t.passed } else { t.not_passed });
    }
    (counts, verdict, bad)
}

pub struct ListLine {
    pub href: String,
    pub title: String,
    pub meta: String,
    pub flags: Vec<String>,
}

#[derive(Template)]
#[template(path = "decisions.html")]
struct ListPage {
    layout: Layout,
    dt: &'static DecisionTexts,
    lines: Vec<ListLine>,
}

fn stage(view: &DecisionView, lang: Lang) -> &'static str {
    match view.assessment.stage {
        Stage::New => lang.decisions().new_stage,
        Stage::Reached(s) => s.label(lang),
    }
}

pub async fn list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let lang = prefs.lang;
        let dt = lang.decisions();
        let lines = decisions::village_overview(&state.site, village.code)
            .await?
            .iter()
            .map(|v| {
                let d = &v.record.new;
                let amount = d.amount.map(|a| format!(" · {} {a} {}", dt.amount, dt.yuan)).unwrap_or_default();
                ListLine {
                    href: v.path(),
                    title: format!("{} {}", d.number, d.subject),
                    meta: format!("{}{amount} · {}：{}", d.kind.label(lang), dt.state, stage(v, lang)),
                    flags: v.assessment.flags.iter().map(|f| flag_text(f, lang)).collect(),
                }
            })
            .collect();
        let page = ListPage {
            layout: super::register_layout(&state, &prefs, &uri, &village, (dt.title, "decisions"), None),
            dt,
            lines,
        };
        Ok(page.render()?)
    })
    .await
}

pub struct TimelineStep {
    pub name: String,
    pub held: bool,
    pub date: String,
    pub form: String,
    pub counts: String,
    pub verdict: String,
    pub bad: bool,
    pub content: String,
    pub files: Vec<(String, String)>,
    /// For a publication: its page, and the supervision opinion.
    pub href: String,
    pub opinion: String,
}

pub struct MoneyLine {
    pub kind: &'static str,
    pub reference: String,
    pub href: String,
    pub label: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    layout: Layout,
    dt: &'static DecisionTexts,
    title: String,
    facts: Vec<(&'static str, String)>,
    flags: Vec<String>,
    steps: Vec<TimelineStep>,
    money: Vec<MoneyLine>,
    spent: String,
    other: String,
    resolved: String,
    over: String,
}

fn publication_step(
    name: String,
    p: &Option<Publication>,
    village: yangguang_core::RegionCode,
    dt: &DecisionTexts,
) -> TimelineStep {
    let (held, date, href, status) = match p {
        Some(p) if p.published_on.is_some() => (
            true,
            p.published_on.map(|d| d.to_string()).unwrap_or_default(),
            format!("/v/{village}/d/{}", p.disclosure),
            dt.published_on.to_owned(),
        ),
        Some(_) => (false, String::new(), String::new(), dt.in_review.to_owned()),
        None => (false, String::new(), String::new(), dt.not_yet.to_owned()),
    };
    TimelineStep {
        name,
        held,
        date,
        form: String::new(),
        counts: String::new(),
        verdict: status,
        bad: false,
        content: String::new(),
        files: vec![],
        href,
        opinion: p.as_ref().and_then(|p| p.opinion.clone()).unwrap_or_default(),
    }
}

/// Where a linked thing is shown publicly.
fn money_href(village: yangguang_core::RegionCode, kind: &str, target_ref: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match kind {
        "voucher" => match target_ref.split_once(':') {
            Some((month, no)) => format!(
                "/v/{village}/finance/{month}#v-{}",
                yangguang_core::ledger::normalize_voucher_no(no).replace(|c: char| !c.is_ascii_alphanumeric(), "")
            ),
            None => String::new(),
        },
        "lease" => format!("/v/{village}/leases/{}", enc(target_ref)),
        _ => String::new(),
    }
}

pub async fn decision(
    State(state): State<AppState>,
    Path((code, number)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let lang = prefs.lang;
        let dt = lang.decisions();
        let view = decisions::decision_view(&state.site, village.code, &number).await?.ok_or(WebError::NotFound)?;
        let d = &view.record.new;
        let mut steps = vec![];
        for s in d.procedure.steps() {
            let name = s.label(lang).to_owned();
            let step = match s {
                Step::ResolutionPublished => publication_step(name, &view.resolution, village.code, dt),
                Step::ResultPublished => publication_step(name, &view.result, village.code, dt),
                _ => match view.step(*s) {
                    Some(stored) => {
                        let r = &stored.record;
                        let (counts, verdict, bad) = verdict(r, lang);
                        TimelineStep {
                            name,
                            held: true,
                            date: r.date.to_string(),
                            form: r.form.map(|f| f.label(lang).to_owned()).unwrap_or_default(),
                            counts,
                            verdict,
                            bad,
                            content: r.content.clone(),
                            files: view
                                .files
                                .iter()
                                .filter(|f| f.step == *s)
                                .map(|f| (f.file_name.clone(), format!("{}/files/{}", view.path(), f.sha256)))
                                .collect(),
                            href: String::new(),
                            opinion: String::new(),
                        }
                    }
                    None => TimelineStep {
                        name,
                        held: false,
                        date: String::new(),
                        form: String::new(),
                        counts: String::new(),
                        verdict: dt.not_yet.into(),
                        bad: false,
                        content: String::new(),
                        files: vec![],
                        href: String::new(),
                        opinion: String::new(),
                    },
                },
            };
            steps.push(step);
        }
        let mut facts = vec![
            (dt.number, d.number.clone()),
            (dt.kind, d.kind.label(lang).to_owned()),
            (dt.procedure, d.procedure.label(lang).to_owned()),
            (dt.state, stage(&view, lang).to_owned()),
        ];
        if let Some(a) = d.amount {
            facts.insert(2, (dt.amount, format!("{a} {}", dt.yuan)));
        }
        let money = view
            .links
            .iter()
            .map(|l| MoneyLine {
                kind: decisions::link_kind_label(&l.target_kind),
                reference: l.target_ref.clone(),
                href: money_href(village.code, &l.target_kind, &l.target_ref),
                label: l.label.clone(),
                amount: l.amount.to_string(),
            })
            .collect();
        let page = DecisionPage {
            layout: super::register_layout(
                &state,
                &prefs,
                &uri,
                &village,
                (dt.title, "decisions"),
                Some((&d.number, &d.subject)),
            ),
            dt,
            title: d.subject.clone(),
            facts,
            flags: view.assessment.flags.iter().map(|f| flag_text(f, lang)).collect(),
            steps,
            money,
            spent: view.totals.spent.to_string(),
            other: view.totals.other.to_string(),
            resolved: d.amount.map(|a| a.to_string()).unwrap_or_default(),
            over: match (d.amount, view.totals.over) {
                (Some(resolved), Some(_)) => {
                    flag_text(&yangguang_core::decision::Flag::OverAmount { resolved, spent: view.totals.spent }, lang)
                }
                _ => String::new(),
            },
        };
        Ok(page.render()?)
    })
    .await
}

/// `/v/{code}/decisions/{number}/files/{sha256}`: a step's minutes or sign-in sheet, served
/// sandboxed like every attachment.
pub async fn file(
    State(state): State<AppState>,
    Path((code, number, sha256)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let village = find_village(&state, &code)?;
    let files = state.site.store.decision_files(village.code, &number).await?;
    let f = files.into_iter().find(|f| f.sha256 == sha256).ok_or(WebError::NotFound)?;
    let a = yangguang_core::Attachment {
        file_name: f.file_name,
        media_type: f.media_type,
        byte_size: f.byte_size,
        sha256: f.sha256,
    };
    let inline = a.media_type.starts_with("image/") || a.media_type == "application/pdf";
    super::disclosure::attachment_response(&state, &a, "public, max-age=86400", inline).await
}
