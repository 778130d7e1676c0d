//! `/console/party`: the branch's organisation and committee, organisational life and party
//! dues. Each save is checked field by field (the form comes back with what was typed and the
//! problems beside their fields) and drafted for review by `app::governance::party`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yangguang_app::auth::SignedIn;
use yangguang_app::governance::party as service;
use yangguang_app::i18n::{Label, Lang};
use yangguang_app::publishing::Actor;
use yangguang_core::governance::Problem;
use yangguang_core::governance::party::{Branch, BranchKind, CommitteeMember, Dues, DuesUse, Meeting, MeetingKind};
use yangguang_core::period::PeriodKind;
use yangguang_core::{Period, RegionCode};

use super::gov_form::{GovForm, amount, date, field, lang, number, village};
use super::{Nav, done, layout, nav, render};
use crate::AppState;
use crate::error::WebError;
use crate::pages::Layout;
use crate::session::{CsrfForm, Staff, client_ip};

pub struct MeetingLine {
    pub id: i64,
    pub held_on: String,
    pub kind: &'static str,
    pub topic: String,
    pub attendance: String,
}

pub struct DuesLine {
    pub half: String,
    pub figures: String,
}

#[derive(Template)]
#[template(path = "console/party.html")]
struct PartyPage {
    layout: Layout,
    nav: Nav,
    village: String,
    villages: Vec<(String, String)>,
    f: GovForm,
    branch_kinds: Vec<(&'static str, &'static str)>,
    meeting_kinds: Vec<(&'static str, &'static str)>,
    meetings: Vec<MeetingLine>,
    quarters: Vec<(String, String)>,
    halves: Vec<(String, String)>,
    dues: Vec<DuesLine>,
}

fn halves(today: chrono::NaiveDate) -> Vec<Period> {
    let mut h = Period::containing(PeriodKind::HalfYear, today);
    let mut out = vec![];
    for _ in 0..4 {
        out.push(h);
        h = Period::containing(PeriodKind::HalfYear, h.start().pred_opt().expect("in range"));
    }
    out
}

fn period_label(p: Period, lang: Lang) -> String {
    match lang {
        Lang::Zh => p.label_zh(),
        Lang::En => p.label_en(),
    }
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    asked: Option<&str>,
    mut f: GovForm,
) -> Result<Response, WebError> {
    let (code, villages) = village(state, who, asked)?;
    let lang = lang(headers);
    let store = &state.site.store;
    if let Some(b) = store.party_branch(code).await? {
        f.set("branch", "name", b.name.clone());
        f.set("branch", "kind", b.kind.as_str());
        f.set("branch", "secretary", b.secretary.clone());
        f.set("branch", "members_total", b.members_total.to_string());
        f.set("branch", "members_full", b.members_full.to_string());
        f.set("branch", "members_probationary", b.members_probationary.to_string());
        let lines: Vec<String> = b.committee.iter().map(|m| format!("{}，{}，{}", m.name, m.post, m.duties)).collect();
        f.set("branch", "committee", lines.join("\n"));
    }
    let today = yangguang_app::today();
    f.set("meeting", "held_on", today.to_string());
    let from = today.checked_sub_months(chrono::Months::new(24)).unwrap_or(today);
    let mut meetings: Vec<MeetingLine> = store
        .party_meetings(code, from, today)
        .await?
        .into_iter()
        .map(|m| MeetingLine {
            id: m.id,
            held_on: m.value.held_on.to_string(),
            kind: m.value.kind.label(lang),
            topic: m.value.topic.clone(),
            attendance: format!("{}/{}", m.value.present, m.value.expected),
        })
        .collect();
    meetings.reverse();
    let dues = store.party_dues(code).await?;
    let current_half = Period::containing(PeriodKind::HalfYear, today);
    if let Some(last) = dues.iter().find(|d| d.half < current_half) {
        f.set("dues", "brought_forward", last.carried.to_string().replace(',', ""));
    }
    let page = PartyPage {
        layout: layout(headers, lang.gov().party_title),
        nav: nav(who, headers),
        village: code.to_string(),
        villages,
        branch_kinds: BranchKind::ALL.iter().map(|k| (k.as_str(), k.label(lang))).collect(),
        meeting_kinds: MeetingKind::ALL.iter().map(|k| (k.as_str(), k.label(lang))).collect(),
        meetings,
        quarters: service::recent_quarters(today).into_iter().map(|q| (q.to_string(), period_label(q, lang))).collect(),
        halves: halves(today).into_iter().map(|h| (h.to_string(), period_label(h, lang))).collect(),
        dues: dues
            .iter()
            .map(|d| DuesLine {
                half: period_label(d.half, lang),
                figures: format!(
                    "{} {} / {} {} / {} {} / {} {}",
                    lang.gov().c_brought,
                    d.brought_forward,
                    lang.gov().c_collected,
                    d.collected,
                    lang.gov().c_used,
                    d.used,
                    lang.gov().c_carried,
                    d.carried
                ),
            })
            .collect(),
        f,
    };
    let status = if page.f.has_errors() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(state, headers, status, &page)
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Staff(who): Staff,
) -> Result<Response, WebError> {
    show(&state, &headers, &who, q.get("village").map(String::as_str), GovForm::default()).await
}

/// The outcome of a form: the next page with a message, or this page again with the problems.
async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    code: RegionCode,
    form: &str,
    sent: &HashMap<String, String>,
    outcome: Result<String, yangguang_app::AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(message) => Ok(done(headers, &format!("/console/party?village={code}"), &message)),
        Err(e) => {
            let mut f = GovForm::sent(form, sent);
            f.refused(form, e, lang(headers))?;
            show(state, headers, who, Some(&code.to_string()), f).await
        }
    }
}

async fn refuse_problems(
    state: &AppState,
    headers: &HeaderMap,
    who: &SignedIn,
    code: RegionCode,
    form: &str,
    sent: &HashMap<String, String>,
    problems: &[Problem],
) -> Result<Response, WebError> {
    let mut f = GovForm::sent(form, sent);
    f.problems(form, problems, lang(headers));
    show(state, headers, who, Some(&code.to_string()), f).await
}

/// Committee members typed one a line: name, post, duties (Chinese or ASCII commas).
fn committee(text: &str) -> Vec<CommitteeMember> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, [',', '，', '、', '\t']).map(str::trim);
            CommitteeMember {
                name: parts.next().unwrap_or("").into(),
                post: parts.next().unwrap_or("").into(),
                duties: parts.next().unwrap_or("").into(),
            }
        })
        .collect()
}

pub async fn save_branch(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let mut problems = vec![];
    let b = Branch {
        name: field(&f, "name").into(),
        kind: BranchKind::parse(field(&f, "kind")).unwrap_or(BranchKind::Branch),
        secretary: field(&f, "secretary").into(),
        members_total: number(&f, "members_total", "党员总数", &mut problems),
        members_full: number(&f, "members_full", "正式党员人数", &mut problems),
        members_probationary: number(&f, "members_probationary", "预备党员人数", &mut problems),
        committee: committee(field(&f, "committee")),
    };
    if problems.is_empty() {
        problems = b.problems();
    }
    if !problems.is_empty() {
        return refuse_problems(&state, &headers, &who, code, "branch", &f, &problems).await;
    }
    let ip = client_ip(&headers);
    let outcome = service::save_branch(&state.site, &Actor { who: &who, ip: &ip }, code, b).await.map(|d| d.message());
    finish(&state, &headers, &who, code, "branch", &f, outcome).await
}

pub async fn add_meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let mut problems = vec![];
    let m = Meeting {
        held_on: date(&f, "held_on", "日期", &mut problems),
        kind: MeetingKind::parse(field(&f, "kind")).unwrap_or(MeetingKind::ThemeDay),
        topic: field(&f, "topic").into(),
        expected: number(&f, "expected", "应到人数", &mut problems),
        present: number(&f, "present", "实到人数", &mut problems),
    };
    if problems.is_empty() {
        problems = m.problems(yangguang_app::today());
    }
    if !problems.is_empty() {
        return refuse_problems(&state, &headers, &who, code, "meeting", &f, &problems).await;
    }
    let ip = client_ip(&headers);
    let outcome = service::add_meeting(&state.site, &Actor { who: &who, ip: &ip }, code, m)
        .await
        .map(|_| "已登记。季度结束后请生成该季度组织生活公开草稿。 / Recorded.".to_owned());
    finish(&state, &headers, &who, code, "meeting", &f, outcome).await
}

pub async fn delete_meeting(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let id: i64 = field(&f, "id").parse().map_err(|_| WebError::BadRequest("id".into()))?;
    let ip = client_ip(&headers);
    service::delete_meeting(&state.site, &Actor { who: &who, ip: &ip }, code, id).await?;
    Ok(done(&headers, &format!("/console/party?village={code}"), "已删除该条登记。 / Deleted."))
}

pub async fn draft_life(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let Ok(quarter) = field(&f, "quarter").parse::<Period>() else {
        let p = [Problem::new("quarter", "请选择季度 / choose a quarter")];
        return refuse_problems(&state, &headers, &who, code, "life", &f, &p).await;
    };
    let ip = client_ip(&headers);
    let outcome =
        service::draft_life(&state.site, &Actor { who: &who, ip: &ip }, code, quarter).await.map(|d| d.message());
    finish(&state, &headers, &who, code, "life", &f, outcome).await
}

/// Uses typed one a line: purpose, amount.
fn uses(text: &str, problems: &mut Vec<Problem>) -> Vec<DuesUse> {
    let mut out = vec![];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let split = line.rfind([',', '，', '\t', ' ']);
        let (purpose, amount) = match split {
            Some(i) => (line[..i].trim(), line[i..].trim_start_matches([',', '，', '\t', ' ']).trim()),
            None => (line, ""),
        };
        match yangguang_core::ledger::parse_amount(amount) {
            Ok(a) if !amount.is_empty() => out.push(DuesUse { purpose: purpose.into(), amount: a }),
            _ => problems.push(Problem::new(
                "uses",
                format!("“{line}”应写成“用途，金额”，如“订阅党报党刊，1200” / write each use as purpose, amount"),
            )),
        }
    }
    out
}

pub async fn save_dues(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(Staff(who), f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (code, _) = village(&state, &who, Some(field(&f, "village")))?;
    let mut problems = vec![];
    let half = field(&f, "half").parse::<Period>().unwrap_or_else(|_| {
        problems.push(Problem::new("half", "请选择半年 / choose a half-year"));
        Period::HalfYear { year: 2000, half: 1 }
    });
    let d = Dues {
        half,
        brought_forward: amount(&f, "brought_forward", "上期结余", &mut problems),
        collected: amount(&f, "collected", "本期收缴", &mut problems),
        used: amount(&f, "used", "本期使用", &mut problems),
        carried: amount(&f, "carried", "结余", &mut problems),
        uses: uses(field(&f, "uses"), &mut problems),
    };
    if problems.is_empty() {
        problems = d.problems();
    }
    if !problems.is_empty() {
        return refuse_problems(&state, &headers, &who, code, "dues", &f, &problems).await;
    }
    let ip = client_ip(&headers);
    let outcome = service::save_dues(&state.site, &Actor { who: &who, ip: &ip }, code, d).await.map(|d| d.message());
    finish(&state, &headers, &who, code, "dues", &f, outcome).await
}
