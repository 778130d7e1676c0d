//! The demo's warnings are believable (issue 15): on the demo county (default scale, as of a
//! fixed day) every rule fires on its planted case (`yangguang_app::demo::planted::PLANTED`,
//! by village and subject), the village kept clean has no warning at all, and fewer than
//! 15% of the villages are red by the dashboard's colour rule. The county is built once, in a
//! thread of its own, and every test reads what it found; the supervisors' warnings list of
//! the real server shows the demo village's planted rules.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::{NaiveDate, Utc};
use common::server::{Client, start};
use common::{site_over, staff_cookie, store_with};
use yangguang_app::demo::planted::{PLANTED, Place, Places};
use yangguang_app::demo::{DemoOptions, generate};
use yangguang_core::health::Health;
use yangguang_core::staff::Role;
use yangguang_core::warning::Rule;
use yangguang_core::{RegionCode, RegionKind};
use yangguang_store::{StoredWarning, WarningState};
use yangguang_web::AppState;

/// The day the tests' demo is built as of (the CLI tests' day).
const AS_OF: &str = "2026-11-24";

fn as_of() -> NaiveDate {
    AS_OF.parse().unwrap()
}

struct Demo {
    places: Places,
    names: HashMap<RegionCode, String>,
    /// The standing (open) warnings after a recompute.
    warnings: Vec<StoredWarning>,
    villages: usize,
    red: Vec<String>,
    /// The console's warnings list for the demo village, as a county operator sees it.
    list_page: String,
    /// The public page of the demo village's planted unpublished month, and its home.
    gap_page: String,
    home_page: String,
}

static DEMO: OnceLock<Demo> = OnceLock::new();

fn demo() -> &'static Demo {
    DEMO.get_or_init(|| std::thread::spawn(build).join().expect("the demo builds"))
}

fn build() -> Demo {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = store_with(&[]).await;
        let site = site_over(store, "warnings-demo").await;
        let options = DemoOptions { seed: 7, as_of: as_of(), scale: 1, full: false };
        generate(&site, &options).await.unwrap();
        let regions = site.store.list_regions().await.unwrap();
        let places = Places::of(&regions).expect("the demo town has four villages");
        let county = regions.iter().find(|r| r.kind == RegionKind::County).unwrap().clone();
        let villages: Vec<RegionCode> = regions.iter().filter(|r| r.kind.is_village_level()).map(|r| r.code).collect();
        // The recompute, as `yangguang warnings recompute` does, as of the demo's day.
        yangguang_app::warnings::refresh(&site, &villages, as_of(), Utc::now()).await.unwrap();
        let warnings: Vec<StoredWarning> = site
            .store
            .village_warnings(&villages)
            .await
            .unwrap()
            .into_iter()
            .filter(|w| w.state == WarningState::Open)
            .collect();
        // The dashboard's colours, from its own function and thresholds.
        let counts: HashMap<RegionCode, (u32, u32)> = yangguang_app::warnings::open_counts(&site, &villages)
            .await
            .unwrap()
            .into_iter()
            .map(|(v, (r, y))| (v, (r as u32, y as u32)))
            .collect();
        let board = yangguang_app::dashboard::dashboard(&site, &county, as_of(), &counts).await.unwrap();
        let red: Vec<String> = board
            .groups
            .iter()
            .flat_map(|g| &g.villages)
            .filter(|v| v.assessment.health == Health::Red)
            .map(|v| v.name.clone())
            .collect();
        let state = AppState::new(Arc::new(site));
        let cookie = staff_cookie(&state, "county-sup", Role::CountyOperator, &county.code.to_string()).await;
        let base = start(state.clone()).await;
        let page = Client::new(&base, Some(cookie)).get(&format!("/console/warnings?village={}", places.demo)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let gap = yangguang_app::demo::planted_month(as_of(), yangguang_app::demo::GAP_MONTHS_BACK);
        let villager = Client::new(&base, None);
        let gap_page = villager.get(&format!("/v/{}/finance/{gap}", places.demo)).await.body;
        let home_page = villager.get(&format!("/v/{}", places.demo)).await.body;
        Demo {
            places,
            names: regions.iter().map(|r| (r.code, r.name.clone())).collect(),
            warnings,
            villages: villages.len(),
            red,
            list_page: page.body,
            gap_page,
            home_page,
        }
    })
}

/// Every planted case of `rule` is found in its village, with its subject.
fn fires(rule: Rule) {
    let demo = demo();
    let cases: Vec<_> = PLANTED.iter().filter(|p| p.rule == rule).collect();
    assert!(!cases.is_empty(), "no planted case for {}", rule.code());
    for case in cases {
        let village = demo.places.code(case.place);
        let found = demo.warnings.iter().any(|w| {
            w.finding.village == village
                && w.finding.rule == rule
                && case.matches(&w.finding.subject, &w.finding.message, as_of())
        });
        let theirs: Vec<_> = demo
            .warnings
            .iter()
            .filter(|w| w.finding.village == village && w.finding.rule == rule)
            .map(|w| (&w.finding.subject, &w.finding.message))
            .collect();
        assert!(
            found,
            "{} did not fire in {} on {:?} ({}); its findings of the rule: {theirs:?}",
            rule.code(),
            demo.names[&village],
            case.key,
            case.what
        );
    }
}

macro_rules! planted_tests {
    ($($name:ident => $rule:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                fires(Rule::$rule);
            }
        )*

        /// The macro's list is the whole of `Rule::ALL`.
        #[test]
        fn every_rule_has_a_test_here() {
            let tested = [$(Rule::$rule),*];
            for rule in Rule::ALL {
                assert!(tested.contains(&rule), "no test for {}", rule.code());
            }
        }
    };
}

planted_tests! {
    item_overdue_fires_on_its_planted_case => ItemOverdue,
    finance_missing_fires_on_its_planted_case => FinanceMissing,
    no_signoff_fires_on_its_planted_case => NoSignoff,
    changed_after_publication_fires_on_its_planted_case => ChangedAfterPublication,
    question_overdue_fires_on_its_planted_case => QuestionOverdue,
    cash_negative_fires_on_its_planted_case => CashNegative,
    cash_over_limit_fires_on_its_planted_case => CashOverLimit,
    cash_payment_fires_on_its_planted_case => CashPayment,
    split_payment_fires_on_its_planted_case => SplitPayment,
    missing_receipt_fires_on_its_planted_case => MissingReceipt,
    duplicate_receipt_fires_on_its_planted_case => DuplicateReceipt,
    no_decision_fires_on_its_planted_case => NoDecision,
    over_resolved_fires_on_its_planted_case => OverResolved,
    lease_untraded_fires_on_its_planted_case => LeaseUntraded,
    deal_below_reserve_fires_on_its_planted_case => DealBelowReserve,
    deal_below_previous_fires_on_its_planted_case => DealBelowPrevious,
    rent_after_end_fires_on_its_planted_case => RentAfterEnd,
    rent_arrears_fires_on_its_planted_case => RentArrears,
    spending_spike_fires_on_its_planted_case => SpendingSpike,
}

#[test]
fn the_clean_village_has_no_warning_of_any_rule() {
    let demo = demo();
    let clean = demo.places.code(Place::Clean);
    let found: Vec<_> = demo
        .warnings
        .iter()
        .filter(|w| w.finding.village == clean)
        .map(|w| (w.finding.rule.code(), &w.finding.subject, &w.finding.message))
        .collect();
    assert!(found.is_empty(), "{} should be clean: {found:?}", demo.names[&clean]);
}

#[test]
fn fewer_than_one_village_in_seven_is_red_on_the_dashboard() {
    let demo = demo();
    // 15%: a supervisor's list of villages to chase, not the whole county.
    assert!(
        demo.red.len() * 100 < demo.villages * 15,
        "{} of {} villages are red: {:?}",
        demo.red.len(),
        demo.villages,
        demo.red
    );
    // The planted villages are among them, the clean one is not.
    for place in [Place::Demo, Place::Second, Place::Third] {
        assert!(demo.red.contains(&demo.names[&demo.places.code(place)]), "{place:?}");
    }
    assert!(!demo.red.contains(&demo.names[&demo.places.code(Place::Clean)]));
}

#[test]
fn the_supervisors_list_shows_the_demo_villages_planted_rules() {
    let demo = demo();
    for case in PLANTED.iter().filter(|p| p.place == Place::Demo) {
        let label = case.rule.label(false);
        assert!(demo.list_page.contains(label), "the warnings list lacks 「{label}」");
    }
}

/// The planted unpublished month says so on the village's public pages (issue 15's "the demo
/// village's May 2026 shows as 未按时公开").
#[test]
fn the_planted_gap_shows_as_not_published_on_the_public_pages() {
    let demo = demo();
    assert!(demo.gap_page.contains("未按时公开"), "{}", demo.gap_page);
    assert!(demo.home_page.contains("及时率") && demo.home_page.contains("公开率"), "{}", demo.home_page);
}
