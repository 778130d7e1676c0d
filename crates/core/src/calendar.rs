//! The disclosure calendar (公开日历): for one village, every catalog item × period whose
//! deadline falls in a range of months, with its state — on time, late by N days, missing
//! (overdue by N days), waiting for review, open (not yet due) or not applicable — and the
//! tallies supervisors read: 及时率 (on time / due) and 公开率 (published / due).
//!
//! Pure: the caller reads what the village published, what waits for review and how many
//! vouchers each month of its books holds, in bulk, and passes them in ([`Facts`]).
//!
//! A cell belongs to the month its deadline falls in (what fell due that month), as the
//! village page's "due this month" list has always counted. Periodic items get one cell per
//! period; per-event items one per event the village recorded (a published or submitted
//! version with the event's day as its period) — an event nobody recorded cannot be seen.
//! Items that are always visible (`continuous`) have no deadline and no cells.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};

use crate::catalog::{Catalog, CatalogItem, Frequency};
use crate::disclosure::DisclosureId;
use crate::period::{Period, PeriodKind};
use crate::region::RegionCode;

/// The first publication of an item for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publication {
    /// The day it was published (China time).
    pub on: NaiveDate,
    pub id: DisclosureId,
}

/// What one village did, as read from the store.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// (catalog item, period) → its first publication (withdrawn ones do not count).
    pub published: HashMap<(String, Period), Publication>,
    /// (catalog item, period) → a version submitted for review (or scheduled), not yet out.
    pub pending: HashMap<(String, Period), DisclosureId>,
    /// (year, month) → vouchers in the village's books.
    pub vouchers: HashMap<(i32, u32), u32>,
}

impl Facts {
    /// The last month the books hold a voucher in.
    fn last_book_month(&self) -> Option<(i32, u32)> {
        self.vouchers.iter().filter(|(_, n)| **n > 0).map(|(m, _)| *m).max()
    }
}

/// Why a cell does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotApplicable {
    /// A month with no vouchers while the books run past it: nothing to publish.
    NoVouchers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellState {
    /// Published on or before the deadline.
    OnTime,
    /// Published `days` after the deadline.
    Late {
        days: i64,
    },
    /// The deadline passed `days` ago and nothing is published.
    Missing {
        days: i64,
    },
    /// A version waits for review; `overdue` days past the deadline (0 when not yet due).
    Waiting {
        overdue: i64,
    },
    /// Not yet due, nothing published.
    Open,
    NotApplicable(NotApplicable),
}

impl CellState {
    /// A short stable name, for CSS classes, exports and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::OnTime => "on-time",
            Self::Late { .. } => "late",
            Self::Missing { .. } => "missing",
            Self::Waiting { .. } => "waiting",
            Self::Open => "open",
            Self::NotApplicable(_) => "not-applicable",
        }
    }

    /// Due: the deadline has passed, or it was published already.
    pub fn is_due(self) -> bool {
        match self {
            Self::OnTime | Self::Late { .. } | Self::Missing { .. } => true,
            Self::Waiting { overdue } => overdue > 0,
            Self::Open | Self::NotApplicable(_) => false,
        }
    }

    pub fn is_published(self) -> bool {
        matches!(self, Self::OnTime | Self::Late { .. })
    }

    /// Due and not published (missing, or waiting past the deadline): a gap to show.
    pub fn is_gap(self) -> bool {
        self.is_due() && !self.is_published()
    }
}

/// One catalog item for one period (or event) in one village.
#[derive(Debug, Clone)]
pub struct Cell<'c> {
    pub village: RegionCode,
    pub item: &'c CatalogItem,
    pub period: Period,
    pub deadline: NaiveDate,
    pub state: CellState,
    /// The publication, or the version waiting for review.
    pub evidence: Option<DisclosureId>,
    pub published_on: Option<NaiveDate>,
    /// A monthly item in a quiet month, due with its quarter ([`crate::catalog::BusyRule`]).
    pub quiet: bool,
}

impl Cell<'_> {
    /// The month the deadline falls in: where the cell stands in the calendar.
    pub fn month(&self) -> Period {
        Period::containing(PeriodKind::Month, self.deadline)
    }
}

/// The months `first..=last` (both months).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub first: Period,
    pub last: Period,
}

impl Window {
    /// The `n` months ending with the month of `day`.
    pub fn months_to(day: NaiveDate, n: u32) -> Self {
        let last = Period::containing(PeriodKind::Month, day);
        let mut first = last;
        for _ in 1..n.max(1) {
            first = Period::containing(PeriodKind::Month, first.start().pred_opt().expect("in range"));
        }
        Self { first, last }
    }

    /// The twelve months up to and including the month of `today` (the rates' window: only
    /// what is due by `today` counts, so the running month adds what has passed already).
    pub fn last_twelve(today: NaiveDate) -> Self {
        Self::months_to(today, 12)
    }

    pub fn months(self) -> Vec<Period> {
        let mut out = vec![];
        let mut m = self.first;
        while m.start() <= self.last.start() {
            out.push(m);
            m = m.next();
        }
        out
    }

    fn contains(self, day: NaiveDate) -> bool {
        day >= self.first.start() && day <= self.last.end()
    }
}

fn state_of(deadline: NaiveDate, today: NaiveDate, published: Option<Publication>, pending: bool) -> CellState {
    let overdue = (today - deadline).num_days();
    match published {
        Some(p) if p.on <= deadline => CellState::OnTime,
        Some(p) => CellState::Late { days: (p.on - deadline).num_days() },
        None if pending => CellState::Waiting { overdue: overdue.max(0) },
        None if overdue > 0 => CellState::Missing { days: overdue },
        None => CellState::Open,
    }
}

/// Every cell of one village whose deadline falls in `window`, as of `today`, in deadline
/// order.
pub fn village_cells<'c>(
    catalog: &'c Catalog,
    village: RegionCode,
    window: Window,
    today: NaiveDate,
    facts: &Facts,
) -> Vec<Cell<'c>> {
    let holidays = catalog.holidays();
    let last_books = facts.last_book_month();
    let mut cells = vec![];
    let mut push = |item: &'c CatalogItem, period: Period, deadline: NaiveDate, quiet: bool, na: bool| {
        let key = (item.id.clone(), period);
        let published = facts.published.get(&key).copied();
        let pending = facts.pending.get(&key).copied();
        let state = if na && published.is_none() && pending.is_none() {
            CellState::NotApplicable(NotApplicable::NoVouchers)
        } else {
            state_of(deadline, today, published, pending.is_some())
        };
        cells.push(Cell {
            village,
            item,
            period,
            deadline,
            state,
            evidence: published.map(|p| p.id).or(pending),
            published_on: published.map(|p| p.on),
            quiet,
        });
    };
    for item in catalog.items() {
        match item.frequency {
            Frequency::Continuous => {}
            Frequency::OnEvent => {
                let mut events: Vec<Period> = facts
                    .published
                    .keys()
                    .chain(facts.pending.keys())
                    .filter(|(id, p)| *id == item.id && p.kind() == PeriodKind::Day)
                    .map(|(_, p)| *p)
                    .collect();
                events.sort();
                events.dedup();
                for event in events {
                    if let Some(deadline) = item.deadline.deadline_after_event(event.start(), holidays)
                        && window.contains(deadline)
                    {
                        push(item, event, deadline, false, false);
                    }
                }
            }
            frequency => {
                let kind = frequency.period_kind().expect("periodic");
                // A period whose deadline can fall in the window ends at most ~a year before it.
                let mut period = Period::containing(kind, window.first.start() - Days::new(400));
                while period.start() <= window.last.end() {
                    let month = match period {
                        Period::Month { year, month } => Some((year, month)),
                        _ => None,
                    };
                    let vouchers = month.map(|m| facts.vouchers.get(&m).copied().unwrap_or(0));
                    if let Some(deadline) = item.deadline(period, vouchers, holidays)
                        && window.contains(deadline)
                    {
                        let quiet = item.busy.is_some_and(|b| vouchers.is_some_and(|n| n < b.vouchers));
                        // No vouchers in a month the books have moved past: nothing to publish.
                        let na = item.busy.is_some()
                            && vouchers == Some(0)
                            && last_books.zip(month).is_some_and(|(last, m)| last > m);
                        push(item, period, deadline, quiet, na);
                    }
                    period = period.next();
                }
            }
        }
    }
    cells.sort_by(|a, b| (a.deadline, &a.item.id, a.period).cmp(&(b.deadline, &b.item.id, b.period)));
    cells
}

/// Counts of cells by state, and the rates made of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Due: deadline passed, or published already.
    pub due: u32,
    pub on_time: u32,
    pub late: u32,
    /// Due and not published (waiting past the deadline included).
    pub missing: u32,
    /// Versions waiting for review (due or not).
    pub waiting: u32,
    pub open: u32,
    pub not_applicable: u32,
}

impl Tally {
    pub fn add(&mut self, state: CellState) {
        if state.is_due() {
            self.due += 1;
        }
        match state {
            CellState::OnTime => self.on_time += 1,
            CellState::Late { .. } => self.late += 1,
            CellState::Missing { .. } => self.missing += 1,
            CellState::Waiting { overdue } => {
                self.waiting += 1;
                if overdue > 0 {
                    self.missing += 1;
                }
            }
            CellState::Open => self.open += 1,
            CellState::NotApplicable(_) => self.not_applicable += 1,
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.due += other.due;
        self.on_time += other.on_time;
        self.late += other.late;
        self.missing += other.missing;
        self.waiting += other.waiting;
        self.open += other.open;
        self.not_applicable += other.not_applicable;
    }

    pub fn published(&self) -> u32 {
        self.on_time + self.late
    }

    /// 及时率: on time / due, in thousandths; `None` when nothing was due.
    pub fn timely_permille(&self) -> Option<u32> {
        permille(self.on_time, self.due)
    }

    /// 公开率: published / due, in thousandths; `None` when nothing was due.
    pub fn published_permille(&self) -> Option<u32> {
        permille(self.published(), self.due)
    }
}

fn permille(part: u32, whole: u32) -> Option<u32> {
    // Rounded half up, in integers: the same figure on every page and in every export.
    (whole > 0).then(|| ((u64::from(part) * 2000 + u64::from(whole)) / (2 * u64::from(whole))) as u32)
}

/// A rate in thousandths as people read it: `92.3%`, or `—` when nothing was due.
pub fn percent(permille: Option<u32>) -> String {
    match permille {
        Some(p) => format!("{}.{}%", p / 10, p % 10),
        None => "—".into(),
    }
}

/// The tally of some cells.
pub fn tally<'a, 'c: 'a>(cells: impl IntoIterator<Item = &'a Cell<'c>>) -> Tally {
    let mut t = Tally::default();
    for c in cells {
        t.add(c.state);
    }
    t
}

/// The tally of each month (by deadline) of some cells.
pub fn by_month<'a, 'c: 'a>(cells: impl IntoIterator<Item = &'a Cell<'c>>) -> BTreeMap<Period, Tally> {
    let mut out: BTreeMap<Period, Tally> = BTreeMap::new();
    for c in cells {
        out.entry(c.month()).or_default().add(c.state);
    }
    out
}

#[cfg(test)]
mod tests;
