use proptest::prelude::*;

use super::*;
use crate::holidays::Holidays;

const COLUMNS: &str = "[[column]]\nid = \"finance\"\nname = \"阳光财务\"\nname_en = \"Finances\"\n";

const ITEMS: &str = r#"
[[item]]
id = "accounts"
name = "收支明细"
name_en = "Accounts"
column = "finance"
frequency = "monthly"
deadline = "period-end+10d"
reviewers = ["finance-group"]
busy_vouchers = 30
quiet_deadline = "period-end+20d"

[[item]]
id = "debts"
name = "债权债务"
name_en = "Debts"
column = "finance"
frequency = "quarterly"
deadline = "period-end+20d"
reviewers = ["finance-group"]

[[item]]
id = "profile"
name = "村情概况"
name_en = "Profile"
column = "finance"
frequency = "on-event"
deadline = "event+20wd"
reviewers = ["finance-group"]

[[item]]
id = "rules"
name = "村规民约"
name_en = "Rules"
column = "finance"
frequency = "continuous"
deadline = "always"
reviewers = ["finance-group"]
"#;

fn catalog() -> Catalog {
    let holidays = Holidays::parse("holidays.toml", include_str!("../../../../catalog/holidays.toml")).unwrap();
    Catalog::parse("columns.toml", COLUMNS, "items.toml", ITEMS).unwrap().with_holidays(holidays)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn p(s: &str) -> Period {
    s.parse().unwrap()
}

fn village() -> RegionCode {
    RegionCode::parse("339921100201").unwrap()
}

fn published(facts: &mut Facts, item: &str, period: &str, on: NaiveDate, id: i64) {
    facts.published.insert((item.into(), p(period)), Publication { on, id: DisclosureId(id) });
}

fn busy_books(facts: &mut Facts, months: &[(i32, u32)]) {
    for m in months {
        facts.vouchers.insert(*m, 40);
    }
}

fn cell<'a, 'c>(cells: &'a [Cell<'c>], item: &str, period: &str) -> &'a Cell<'c> {
    cells.iter().find(|c| c.item.id == item && c.period == p(period)).unwrap_or_else(|| panic!("{item} {period}"))
}

#[test]
fn each_state_with_its_days() {
    let catalog = catalog();
    let mut facts = Facts::default();
    busy_books(&mut facts, &[(2026, 3), (2026, 4), (2026, 5), (2026, 6), (2026, 7), (2026, 8), (2026, 9)]);
    published(&mut facts, "accounts", "2026-03", d(2026, 4, 8), 1); // deadline 04-10
    published(&mut facts, "accounts", "2026-04", d(2026, 5, 22), 2); // deadline 05-10: 12 days late
    // 2026-05: never published (deadline 06-10).
    facts.pending.insert(("accounts".into(), p("2026-06")), DisclosureId(9)); // deadline 07-10
    published(&mut facts, "accounts", "2026-07", d(2026, 8, 10), 3); // on the day: on time
    let today = d(2026, 7, 15);
    let cells = village_cells(&catalog, village(), Window::months_to(today, 6), today, &facts);
    assert_eq!(cell(&cells, "accounts", "2026-03").state, CellState::OnTime);
    assert_eq!(cell(&cells, "accounts", "2026-04").state, CellState::Late { days: 12 });
    let may = cell(&cells, "accounts", "2026-05");
    assert_eq!((may.deadline, may.state), (d(2026, 6, 10), CellState::Missing { days: 35 }));
    assert_eq!(may.evidence, None);
    let june = cell(&cells, "accounts", "2026-06");
    assert_eq!((june.state, june.evidence), (CellState::Waiting { overdue: 5 }, Some(DisclosureId(9))));
    // The July accounts are due in August: outside a window ending in July.
    assert!(cells.iter().all(|c| c.period != p("2026-07")));
    // Q1 debts, due 04-20, never published; Q2 due 07-20, still open.
    assert_eq!(cell(&cells, "debts", "2026-Q1").state, CellState::Missing { days: 86 });
    assert_eq!(cell(&cells, "debts", "2026-Q2").state, CellState::Open);
    // Always-visible items have no cells; cells come in deadline order.
    assert!(cells.iter().all(|c| c.item.id != "rules"));
    assert!(cells.windows(2).all(|w| w[0].deadline <= w[1].deadline));
}

#[test]
fn quiet_months_are_due_with_their_quarter_and_empty_months_do_not_count() {
    let catalog = catalog();
    let mut facts = Facts::default();
    facts.vouchers.insert((2026, 1), 12); // quiet: due 2026-04-20 with Q1
    facts.vouchers.insert((2026, 3), 45); // busy: due 2026-04-10
    // February has no vouchers, and the books run on to March: nothing to publish.
    published(&mut facts, "accounts", "2026-01", d(2026, 4, 15), 1);
    let today = d(2026, 5, 3);
    let cells = village_cells(&catalog, village(), Window::months_to(today, 4), today, &facts);
    let jan = cell(&cells, "accounts", "2026-01");
    assert_eq!((jan.deadline, jan.quiet, jan.state), (d(2026, 4, 20), true, CellState::OnTime));
    let feb = cell(&cells, "accounts", "2026-02");
    assert_eq!(feb.state, CellState::NotApplicable(NotApplicable::NoVouchers));
    let mar = cell(&cells, "accounts", "2026-03");
    assert_eq!((mar.deadline, mar.quiet, mar.state), (d(2026, 4, 10), false, CellState::Missing { days: 23 }));
    // April has no vouchers but nothing later either: the books stopped, so it is not excused
    // (quiet, due with Q2 on 07-20: outside this window).
    assert!(cells.iter().all(|c| c.period != p("2026-04")));
    let t = tally(cells.iter().filter(|c| c.item.id == "accounts"));
    assert_eq!((t.due, t.on_time, t.missing, t.not_applicable), (2, 1, 1, 1));
}

#[test]
fn events_are_counted_in_working_days_over_the_holidays() {
    let catalog = catalog();
    let mut facts = Facts::default();
    // A change on 28 Sep 2026: 20 working days over National Day end on 30 Oct.
    published(&mut facts, "profile", "2026-09-28", d(2026, 10, 30), 1);
    published(&mut facts, "profile", "2026-09-29", d(2026, 11, 3), 2);
    let today = d(2026, 11, 20);
    let cells = village_cells(&catalog, village(), Window::months_to(today, 3), today, &facts);
    let first = cell(&cells, "profile", "2026-09-28");
    assert_eq!((first.deadline, first.state), (d(2026, 10, 30), CellState::OnTime));
    // The next day's change: 31 Oct is an ordinary Saturday, so it is due Monday 2 Nov.
    let second = cell(&cells, "profile", "2026-09-29");
    assert_eq!((second.deadline, second.state), (d(2026, 11, 2), CellState::Late { days: 1 }));
}

#[test]
fn rates_of_a_hand_counted_village() {
    let mut t = Tally::default();
    for s in [
        CellState::OnTime,
        CellState::OnTime,
        CellState::OnTime,
        CellState::Late { days: 3 },
        CellState::Missing { days: 10 },
        CellState::Waiting { overdue: 2 },
        CellState::Waiting { overdue: 0 },
        CellState::Open,
        CellState::NotApplicable(NotApplicable::NoVouchers),
    ] {
        t.add(s);
    }
    assert_eq!((t.due, t.on_time, t.published(), t.missing, t.waiting), (6, 3, 4, 2, 2));
    assert_eq!(t.timely_permille(), Some(500));
    assert_eq!(t.published_permille(), Some(667), "4/6 rounds to 66.7%");
    assert_eq!(percent(t.published_permille()), "66.7%");
    assert_eq!(percent(Tally::default().timely_permille()), "—");
}

#[test]
fn windows_count_whole_months() {
    let w = Window::last_twelve(d(2026, 12, 7));
    assert_eq!((w.first, w.last), (p("2026-01"), p("2026-12")));
    assert_eq!(w.months().len(), 12);
    assert_eq!(Window::months_to(d(2026, 3, 1), 3).months(), vec![p("2026-01"), p("2026-02"), p("2026-03")]);
}

proptest! {
    /// Whatever a village published and when: every cell's deadline is in the window, its
    /// state agrees with its publication date, and the tallies stay ordered.
    #[test]
    fn states_agree_with_the_facts(
        months in proptest::collection::vec((0u32..24, 0u32..60, proptest::option::of(0i64..90)), 0..24),
        today_offset in 0i64..800,
    ) {
        let catalog = catalog();
        let mut facts = Facts::default();
        for (i, (m, vouchers, published_after)) in months.iter().enumerate() {
            let month = Period::containing(PeriodKind::Month, d(2025, 1, 1) + chrono::Months::new(*m));
            let Period::Month { year, month: mm } = month else { unreachable!() };
            facts.vouchers.insert((year, mm), *vouchers);
            if let Some(after) = published_after {
                let on = month.end() + chrono::Days::new(*after as u64);
                facts.published.insert(("accounts".into(), month), Publication { on, id: DisclosureId(i as i64) });
            }
        }
        let today = d(2025, 1, 1) + chrono::Days::new(today_offset as u64);
        let window = Window::months_to(today, 12);
        let cells = village_cells(&catalog, village(), window, today, &facts);
        for c in &cells {
            prop_assert!(c.deadline >= window.first.start() && c.deadline <= window.last.end());
            match (c.state, c.published_on) {
                (CellState::OnTime, Some(on)) => prop_assert!(on <= c.deadline),
                (CellState::Late { days }, Some(on)) => prop_assert_eq!((on - c.deadline).num_days(), days),
                (CellState::Missing { days }, None) => prop_assert_eq!((today - c.deadline).num_days(), days),
                (CellState::Open, None) => prop_assert!(c.deadline >= today),
                (CellState::NotApplicable(_), None) => prop_assert_eq!(c.item.id.as_str(), "accounts"),
                (state, on) => prop_assert!(false, "{state:?} with {on:?}"),
            }
        }
        let t = tally(&cells);
        prop_assert!(t.on_time <= t.published() && t.published() <= t.due);
        prop_assert_eq!(t.due, t.published() + t.missing);
        let months = by_month(&cells);
        prop_assert_eq!(months.values().map(|m| m.due).sum::<u32>(), t.due);
    }
}
