//! A village's health (红黄绿) on the supervision dashboard: one pure rule over its disclosure
//! calendar figures (the last 12 months, [`crate::calendar::Tally`]) and its open warnings by
//! severity. The rule is stated on the page from the same [`Thresholds`], so what a supervisor
//! reads is what was computed.
//!
//! Every reason that applies is returned, not only the worst, so a cell can say *why* a
//! village is red ("逾期未公开 3 项；红色预警 1 条") rather than only that it is.

use crate::calendar::Tally;

/// Red, yellow or green, worst last (so `max` picks the worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Health {
    Green,
    Yellow,
    Red,
}

impl Health {
    /// A short stable name, for CSS classes and tests.
    pub fn code(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
        }
    }

    pub const ALL: [Health; 3] = [Health::Red, Health::Yellow, Health::Green];
}

/// Why a village is not green.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Open red warnings.
    RedWarnings(u32),
    /// Open yellow warnings.
    YellowWarnings(u32),
    /// Items due and not published (missing, or waiting for review past the deadline).
    Overdue(u32),
    /// 公开率 below the threshold, in thousandths.
    LowPublished(u32),
    /// 及时率 below the threshold, in thousandths.
    LowTimely(u32),
}

/// Where the colours change. Rates in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Red from this many overdue items.
    pub red_overdue: u32,
    /// Red below this 公开率.
    pub red_published_below: u32,
    /// Yellow below this 及时率.
    pub yellow_timely_below: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { red_overdue: 3, red_published_below: 800, yellow_timely_below: 900 }
    }
}

/// A village's colour and every reason for it (empty when green).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub health: Health,
    pub reasons: Vec<(Health, Reason)>,
}

/// The rule:
/// - red: any open red warning, or at least `red_overdue` items overdue, or 公开率 below
///   `red_published_below`;
/// - yellow: any open yellow warning, or any item overdue, or 及时率 below
///   `yellow_timely_below`;
/// - green: otherwise (also when nothing was due: no figures, nothing wrong).
pub fn assess(tally: &Tally, (red, yellow): (u32, u32), th: &Thresholds) -> Assessment {
    let mut reasons = vec![];
    if red > 0 {
        reasons.push((Health::Red, Reason::RedWarnings(red)));
    }
    if tally.missing > 0 {
        let h = if tally.missing >= th.red_overdue { Health::Red } else { Health::Yellow };
        reasons.push((h, Reason::Overdue(tally.missing)));
    }
    if let Some(p) = tally.published_permille()
        && p < th.red_published_below
    {
        reasons.push((Health::Red, Reason::LowPublished(p)));
    }
    if yellow > 0 {
        reasons.push((Health::Yellow, Reason::YellowWarnings(yellow)));
    }
    if let Some(p) = tally.timely_permille()
        && p < th.yellow_timely_below
    {
        reasons.push((Health::Yellow, Reason::LowTimely(p)));
    }
    // Red reasons first, then yellow: the cell names the worst first.
    reasons.sort_by_key(|(h, _)| std::cmp::Reverse(*h));
    let health = reasons.iter().map(|(h, _)| *h).max().unwrap_or(Health::Green);
    Assessment { health, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tally of `due` items of which `on_time` on time, `late` late, the rest missing.
    fn tally(due: u32, on_time: u32, late: u32) -> Tally {
        Tally { due, on_time, late, missing: due - on_time - late, ..Tally::default() }
    }

    fn colour(t: Tally, w: (u32, u32)) -> Health {
        assess(&t, w, &Thresholds::default()).health
    }

    #[test]
    fn everything_on_time_and_no_warnings_is_green() {
        let a = assess(&tally(20, 20, 0), (0, 0), &Thresholds::default());
        assert_eq!(a, Assessment { health: Health::Green, reasons: vec![] });
    }

    #[test]
    fn nothing_due_and_no_warnings_is_green() {
        assert_eq!(colour(Tally::default(), (0, 0)), Health::Green);
    }

    #[test]
    fn a_red_warning_makes_an_otherwise_perfect_village_red() {
        let a = assess(&tally(20, 20, 0), (1, 0), &Thresholds::default());
        assert_eq!(a.health, Health::Red);
        assert_eq!(a.reasons, vec![(Health::Red, Reason::RedWarnings(1))]);
    }

    #[test]
    fn a_yellow_warning_makes_it_yellow_and_no_more() {
        assert_eq!(colour(tally(20, 20, 0), (0, 2)), Health::Yellow);
        assert_eq!(colour(tally(20, 20, 0), (0, 200)), Health::Yellow);
    }

    #[test]
    fn overdue_items_are_yellow_until_the_red_count() {
        // 40 due: one or two missing keep 公开率 above 80% and 及时率 above 90%.
        assert_eq!(colour(tally(40, 39, 0), (0, 0)), Health::Yellow);
        assert_eq!(colour(tally(40, 38, 0), (0, 0)), Health::Yellow);
        let a = assess(&tally(40, 37, 0), (0, 0), &Thresholds::default());
        assert_eq!(a.health, Health::Red);
        assert_eq!(a.reasons, vec![(Health::Red, Reason::Overdue(3))]);
    }

    #[test]
    fn late_publication_lowers_the_timely_rate_to_yellow() {
        // 10 due, all published, 2 late: 及时率 80% < 90%, 公开率 100%.
        let a = assess(&tally(10, 8, 2), (0, 0), &Thresholds::default());
        assert_eq!(a.health, Health::Yellow);
        assert_eq!(a.reasons, vec![(Health::Yellow, Reason::LowTimely(800))]);
        // Exactly at the threshold is not below it.
        assert_eq!(colour(tally(10, 9, 1), (0, 0)), Health::Green);
    }

    #[test]
    fn a_low_published_rate_is_red_even_with_few_items() {
        // 2 due, 1 missing: one overdue item (yellow), but 公开率 50% (red).
        let a = assess(&tally(2, 1, 0), (0, 0), &Thresholds::default());
        assert_eq!(a.health, Health::Red);
        assert_eq!(
            a.reasons,
            vec![
                (Health::Red, Reason::LowPublished(500)),
                (Health::Yellow, Reason::Overdue(1)),
                (Health::Yellow, Reason::LowTimely(500)),
            ]
        );
    }

    #[test]
    fn waiting_past_the_deadline_counts_as_overdue() {
        let mut t = tally(40, 40, 0);
        t.on_time = 39;
        t.add(crate::calendar::CellState::Waiting { overdue: 4 });
        t.due -= 1; // the waiting item replaces the 40th on-time one
        assert_eq!((t.due, t.missing), (40, 1));
        assert_eq!(colour(t, (0, 0)), Health::Yellow);
    }

    #[test]
    fn thresholds_change_where_the_colours_change() {
        let strict = Thresholds { red_overdue: 1, ..Thresholds::default() };
        assert_eq!(assess(&tally(40, 39, 0), (0, 0), &strict).health, Health::Red);
    }
}
