//! The paper board (打印公示单): the law's primary channel is still the board at the village
//! office, so every disclosure prints as an A4 sheet — `/v/{code}/d/{id}/print` — and a
//! village prints a whole period's board at once — `/v/{code}/print?period=2026-03` — one
//! sheet per page after a cover that lists what is posted and what is due but missing (from
//! the disclosure calendar). Each sheet carries a QR code (server-rendered SVG, `crate::qr`)
//! of the item's stable absolute address and the short content fingerprint its page shows,
//! so a villager can check the paper against the record.
//!
//! A withdrawn item is no longer part of the public record: printing its content as a notice
//! would post something the village took back, so its sheet carries the withdrawal (date and
//! reason) in place of the content, and a period's board leaves it out, naming it on the cover
//! for the clerk to take down. A version superseded by a correction prints with a banner
//! pointing at the correction. Pages are rendered like the public pages (cached, invalidated
//! by the village's publications and the log), with their own print stylesheet and no
//! navigation or script.

use std::sync::LazyLock;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use chrono::NaiveDate;
use yangguang_app::i18n::{Label, Lang, PrintTexts};
use yangguang_core::calendar::Window;
use yangguang_core::period::PeriodKind;
use yangguang_core::{Disclosure, DisclosureKind, DisclosureState, Period, Region};

use super::village::find_village;
use super::{Scope, cached_over, column_name, region_crumbs};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;
use crate::render::SecurityHeaders;

/// The sheets' stylesheet: A4, large black type on white, nothing but the notice.
pub const PRINT_CSS: &str = include_str!("../../assets/print.css");

/// The print pages allow their own stylesheet and no script at all.
static PRINT_SECURITY: LazyLock<SecurityHeaders> = LazyLock::new(|| SecurityHeaders::new(PRINT_CSS, &[]));

/// Items of one period printed at most (a village publishes a few dozen a month).
const MAX_SHEETS: usize = 500;

pub struct SignoffLine {
    pub role: String,
    pub reviewer: String,
    pub date: String,
}

/// One printed notice.
pub struct Sheet {
    pub id: i64,
    pub village: String,
    pub column: String,
    pub item: Option<String>,
    pub period: Option<String>,
    pub title: String,
    /// The sanitised body; empty for a withdrawn item (its banner says why).
    pub body_html: String,
    pub attachments: Vec<String>,
    pub signoffs: Vec<SignoffLine>,
    pub published: String,
    pub reference: String,
    /// Withdrawn or corrected: what the reader of the paper must know first.
    pub banner: Option<String>,
    pub url: String,
    pub qr_svg: String,
    /// As the item's page shows it (`core::publication::fingerprint`); `None` outside the log.
    pub fingerprint: Option<String>,
}

/// One line of the cover.
pub struct CoverLine {
    pub title: String,
    pub detail: String,
    pub state: String,
}

pub struct Cover {
    pub title: String,
    pub published: Vec<CoverLine>,
    pub missing: Vec<CoverLine>,
    pub withdrawn: Vec<CoverLine>,
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    p: &'static PrintTexts,
    html_lang: &'static str,
    title: String,
    css: &'static str,
    back: String,
    printed_on: String,
    cover: Option<Cover>,
    sheets: Vec<Sheet>,
}

/// The site's public address: the configured one, else the one the reader used.
fn public_base(state: &AppState, prefs: &Prefs) -> String {
    match (&state.site.public_url, &prefs.origin) {
        (Some(url), _) => url.trim_end_matches('/').to_string(),
        (None, Some(origin)) => origin.clone(),
        (None, None) => String::new(),
    }
}

fn date_text(day: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => day.format("%Y年%-m月%-d日").to_string(),
        Lang::En => day.to_string(),
    }
}

fn period_text(p: Period, lang: Lang) -> String {
    match lang {
        Lang::Zh => p.label_zh(),
        Lang::En => p.label_en(),
    }
}

/// A version as a printed sheet: its facts, sign-offs, QR code and fingerprint.
async fn sheet(state: &AppState, lang: Lang, base: &str, village: &Region, d: Disclosure) -> Result<Sheet, WebError> {
    let p = lang.print();
    let site = &state.site;
    let catalog = &site.catalog;
    let history = super::disclosure::history(state, &d).await?;
    let entry = site.store.log_entries_for(d.id).await?.into_iter().next();
    let fingerprint = entry.as_ref().map(|_| yangguang_core::publication::fingerprint(&d.content_hash()));
    let signoffs = entry
        .map(|e| {
            e.signoffs
                .into_iter()
                .map(|s| SignoffLine {
                    role: yangguang_core::catalog::ReviewerRole::parse(&s.role)
                        .map_or(s.role.clone(), |r| r.label(lang).to_owned()),
                    reviewer: s.reviewer,
                    date: date_text(yangguang_core::time::china_date(s.at), lang),
                })
                .collect()
        })
        .unwrap_or_default();
    let banner = match (&history.withdrawn, &history.corrected_by) {
        (Some((at, reason)), _) => Some(p.withdrawn.replace("{at}", at).replace("{reason}", reason)),
        (None, Some((id, at))) => Some(p.superseded.replace("{at}", at).replace("{id}", &id.to_string())),
        (None, None) => None,
    };
    let url = format!("{base}/v/{}/d/{}", village.code, d.id.0);
    let place: Vec<String> = region_crumbs(&site.regions(), village.code, false).into_iter().map(|c| c.label).collect();
    let separator = if lang == Lang::Zh { " › " } else { " > " };
    let column = catalog.ancestry(&d.column).iter().map(|c| column_name(c, lang)).collect::<Vec<_>>().join(separator);
    let item = d.catalog_item.as_deref().and_then(|id| catalog.item(id)).map(|item| {
        let name = match lang {
            Lang::Zh => &item.name,
            Lang::En => &item.name_en,
        };
        format!("{name}（{}）", item.frequency.label(lang))
    });
    let published = d.published_at.unwrap_or(d.created_at);
    Ok(Sheet {
        id: d.id.0,
        village: place.join(" "),
        column,
        item,
        period: d.period.map(|x| period_text(x, lang)),
        body_html: if history.withdrawn.is_some() {
            String::new()
        } else {
            yangguang_app::markdown::render(&d.body_md)
        },
        attachments: d
            .attachments
            .iter()
            .map(|a| yangguang_core::disclosure::without_bidi_controls(&a.file_name).into_owned())
            .collect(),
        signoffs,
        published: date_text(yangguang_core::time::china_date(published), lang),
        reference: lang
            .texts()
            .item_reference
            .replace("{n}", &history.item_number.to_string())
            .replace("{v}", &history.version.to_string()),
        banner,
        qr_svg: crate::qr::qr_svg(&url, p.qr_label)?,
        url,
        fingerprint,
        title: d.title,
    })
}

fn render(
    prefs: &Prefs,
    title: String,
    back: String,
    cover: Option<Cover>,
    sheets: Vec<Sheet>,
) -> Result<String, WebError> {
    let lang = prefs.lang;
    let page = PrintPage {
        p: lang.print(),
        html_lang: lang.texts().html_lang,
        title: format!("{title} - {}", lang.texts().site_name),
        css: PRINT_CSS,
        back,
        printed_on: date_text(yangguang_app::today(), lang),
        cover,
        sheets,
    };
    Ok(page.render()?)
}

/// The print words of a page whose layout offers `other` as the other language (templates
/// know the page's language only so).
pub fn words(other: &Lang) -> &'static PrintTexts {
    other.other().print()
}

/// The print page's own policy in place of the site's (its stylesheet differs).
fn with_print_policy(page: Result<Response, WebError>) -> Result<Response, WebError> {
    let mut r = page?;
    PRINT_SECURITY.apply(r.headers_mut());
    Ok(r)
}

/// `/v/{code}/d/{id}/print`: one item's sheet.
pub async fn disclosure_sheet(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    let scopes = [Scope::Village(village.code), Scope::Log];
    let page = cached_over(&state, &headers, &prefs, &uri, &scopes, || async {
        let d = super::disclosure::find_version(&state, &village, &id).await?;
        // A withdrawal's own number prints the sheet of what it withdrew.
        let d = match (d.kind, d.replaces) {
            (DisclosureKind::Withdrawal, Some(withdrawn)) => state.site.store.get_disclosure(withdrawn).await?,
            _ => d,
        };
        let base = public_base(&state, &prefs);
        let back = format!("/v/{}/d/{}", village.code, d.id.0);
        let s = sheet(&state, prefs.lang, &base, &village, d).await?;
        render(&prefs, format!("{} - {}", s.title, village.name), back, None, vec![s])
    })
    .await;
    with_print_policy(page)
}

/// The `period` of a query string, or a message that says how to write one.
fn period_of(query: Option<&str>, p: &PrintTexts) -> Result<Period, WebError> {
    let value = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let shown: String = value.chars().take(40).collect();
    value.trim().parse::<Period>().map_err(|_| WebError::BadRequest(p.bad_period.replace("{value}", &shown)))
}

/// `/v/{code}/print?period=2026-03` (or `2026-Q1`, `2026-H1`, `2026`): the cover and every
/// published item of the period, one sheet per page.
pub async fn period_sheets(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    let period = period_of(query.as_deref(), prefs.lang.print())?;
    // Only the period is in the cache key: a canonical URI, whatever else the query held.
    let canonical: Uri =
        format!("/v/{}/print?period={period}", village.code).parse().map_err(|_| WebError::NotFound)?;
    let scopes = [Scope::Village(village.code), Scope::Log];
    let page = cached_over(&state, &headers, &prefs, &canonical, &scopes, || async {
        let (cover, sheets) = board(&state, &prefs, &village, period).await?;
        let back = match period.kind() {
            PeriodKind::Month => format!("/v/{}/finance/{period}", village.code),
            _ => format!("/v/{}", village.code),
        };
        render(&prefs, cover.title.clone(), back, Some(cover), sheets)
    })
    .await;
    with_print_policy(page)
}

/// A period's board: the cover and the sheets of its published items.
async fn board(
    state: &AppState,
    prefs: &Prefs,
    village: &Region,
    period: Period,
) -> Result<(Cover, Vec<Sheet>), WebError> {
    let lang = prefs.lang;
    let p = lang.print();
    let site = &state.site;
    let mut summaries = vec![];
    for page in 1.. {
        let query = yangguang_store::PublishedQuery {
            region_prefixes: vec![village.code.to_string()],
            village: Some(village.code),
            columns: vec![],
            period: Some(period),
            states: vec![DisclosureState::Published, DisclosureState::Withdrawn],
            text: String::new(),
            page,
            per_page: 100,
        };
        let found = site.store.list_published(&query).await?;
        let done = found.items.len() < 100 || summaries.len() + found.items.len() >= MAX_SHEETS;
        summaries.extend(found.items.into_iter().filter(|s| s.kind != DisclosureKind::Withdrawal));
        if done {
            break;
        }
    }
    // The board reads in catalog order: by column, then oldest first.
    summaries.sort_by(|a, b| (&a.column, a.published_at, a.id).cmp(&(&b.column, b.published_at, b.id)));
    let base = public_base(state, prefs);
    let (mut sheets, mut published, mut withdrawn) = (vec![], vec![], vec![]);
    for s in summaries {
        let date = s.published_at.map(|t| date_text(yangguang_core::time::china_date(t), lang)).unwrap_or_default();
        if s.state == DisclosureState::Withdrawn {
            withdrawn.push(CoverLine { title: s.title, detail: date, state: String::new() });
            continue;
        }
        let d = site.store.get_disclosure(s.id).await?;
        let sheet = sheet(state, lang, &base, village, d).await?;
        published.push(CoverLine {
            title: sheet.title.clone(),
            detail: date,
            state: p.sheet_no.replace("{n}", &(sheets.len() + 2).to_string()),
        });
        sheets.push(sheet);
    }
    let missing = missing(state, lang, village, period).await?;
    let cover = Cover {
        title: p.cover_title.replace("{village}", &village.name).replace("{period}", &period_text(period, lang)),
        published,
        missing,
        withdrawn,
    };
    Ok((cover, sheets))
}

/// The period's items due and not published, from the disclosure calendar as of today.
async fn missing(state: &AppState, lang: Lang, village: &Region, period: Period) -> Result<Vec<CoverLine>, WebError> {
    let today = yangguang_app::today();
    // Deadlines fall after the period's end: a month and its quarter's (quiet months) at most.
    let last_day = period.end() + chrono::Days::new(120);
    let window = Window {
        first: Period::containing(PeriodKind::Month, period.start()),
        last: Period::containing(PeriodKind::Month, last_day),
    };
    let codes = [village.code];
    let cells = yangguang_app::calendar::cells(&state.site, &codes, window, today).await?;
    let c = lang.calendar();
    Ok(cells
        .iter()
        .filter(|cell| cell.period == period && cell.state.is_gap())
        .map(|cell| CoverLine {
            title: super::gaps::cell_title(cell, lang),
            detail: date_text(cell.deadline, lang),
            state: c.state(cell.state, cell.deadline),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_read_from_the_query_and_nonsense_is_refused_with_the_forms_to_use() {
        let p = Lang::Zh.print();
        assert_eq!(period_of(Some("period=2026-03"), p).unwrap().to_string(), "2026-03");
        assert_eq!(period_of(Some("x=1&period=2026-Q4"), p).unwrap().to_string(), "2026-Q4");
        for hostile in
            [None, Some("period="), Some("period=%3Cscript%3E"), Some("period=2026-13"), Some("period=99999")]
        {
            match period_of(hostile, p) {
                Err(WebError::BadRequest(m)) => assert!(m.contains("2026-Q1"), "{m}"),
                other => panic!("{hostile:?}: {other:?}"),
            }
        }
    }
}
