//! Transparency about gaps: what a village had to publish and did not (未按时公开), and its
//! rates over the last 12 months (及时率, 公开率), for the village home, its column pages and
//! its finance month pages (`gaps.html`, `rates.html`). Computed from the disclosure calendar
//! (`app::calendar`) inside the page's render, so it is cached with the page: a publication
//! in the village, or a new day, renders it again.

use yangguang_app::i18n::{CalendarTexts, Lang};
use yangguang_core::calendar::{Cell, Tally, Window, percent};
use yangguang_core::catalog::required::MONTHLY_ACCOUNTS;
use yangguang_core::{Region, RegionCode};

use crate::AppState;
use crate::error::WebError;

/// An item due and not published, as a line on a page.
pub struct Gap {
    pub title: String,
    pub state: String,
    pub deadline: String,
    pub href: String,
}

/// A village's record over the last 12 months.
pub struct Record {
    pub c: &'static CalendarTexts,
    pub timely: String,
    pub published: String,
    pub counts: String,
    pub gaps: Vec<Gap>,
}

/// The title of an item for a period as people read it: "2026年5月收支明细及原始票据".
pub fn cell_title(cell: &Cell<'_>, lang: Lang) -> String {
    let (period, name) = match lang {
        Lang::Zh => (cell.period.label_zh(), &cell.item.name),
        Lang::En => (cell.period.label_en(), &cell.item.name_en),
    };
    match (cell.period.kind(), lang) {
        (yangguang_core::period::PeriodKind::Day, Lang::Zh) => format!("{name}（{period}）"),
        (_, Lang::Zh) => format!("{period}{name}"),
        (_, Lang::En) => format!("{name}, {period}"),
    }
}

/// Where a reader finds an item: the month's accounts page for the monthly accounts, else its column.
pub fn cell_href(cell: &Cell<'_>) -> String {
    if cell.item.id == MONTHLY_ACCOUNTS {
        format!("/v/{}/finance/{}", cell.village, cell.period)
    } else {
        format!("/v/{}/c/{}", cell.village, cell.item.column)
    }
}

/// The gaps among some cells, the longest overdue first.
pub fn gaps<'a, 'c: 'a>(cells: impl IntoIterator<Item = &'a Cell<'c>>, lang: Lang) -> Vec<Gap> {
    let c = lang.calendar();
    let mut gaps: Vec<&Cell<'_>> = cells.into_iter().filter(|cell| cell.state.is_gap()).collect();
    gaps.sort_by_key(|cell| cell.deadline);
    gaps.into_iter()
        .map(|cell| Gap {
            title: cell_title(cell, lang),
            state: c.state(cell.state, cell.deadline),
            deadline: cell.deadline.to_string(),
            href: cell_href(cell),
        })
        .collect()
}

/// A tally's rates and counts as a page shows them.
pub fn rates(t: &Tally, lang: Lang) -> (String, String, String) {
    (percent(t.timely_permille()), percent(t.published_permille()), lang.calendar().counts(t))
}

/// A village's record over the 12 months to today; `columns` keeps only the gaps of those
/// columns' items (a column page), `item` only those of one item (the finance pages).
pub async fn village_record(
    state: &AppState,
    lang: Lang,
    village: &Region,
    columns: Option<&[&str]>,
    item: Option<&str>,
) -> Result<Record, WebError> {
    let today = yangguang_app::today();
    let codes: [RegionCode; 1] = [village.code];
    let cells = yangguang_app::calendar::cells(&state.site, &codes, Window::last_twelve(today), today).await?;
    let tally = yangguang_core::calendar::tally(&cells);
    let (timely, published, counts) = rates(&tally, lang);
    let wanted = |cell: &&Cell<'_>| {
        columns.is_none_or(|cs| cs.contains(&cell.item.column.as_str())) && item.is_none_or(|i| cell.item.id == i)
    };
    Ok(Record { c: lang.calendar(), timely, published, counts, gaps: gaps(cells.iter().filter(wanted), lang) })
}
