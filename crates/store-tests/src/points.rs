//! The points system: rules in versions that only move forward, events within their caps,
//! corrections that reverse an event once (never an edit), redemptions within the balance,
//! balances per window, and the ranking opt-out.

use chrono::NaiveDate;
use yangguang_core::points::{Balance, Cap, CapPeriod, RuleItem, RuleVersion};
use yangguang_store::{NewPointEvent, NewRedemption, PointCorrection, PointsRefusal, StoredRules};

use super::*;

const VILLAGE: &str = "339921100201";
const HOME: &str = "339921100201/001";
const NEIGHBOUR: &str = "339921100201/002";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn volunteering() -> RuleItem {
    RuleItem {
        category: "志愿服务".into(),
        name: "参加志愿服务".into(),
        points: 10,
        cap: Some(Cap { per: CapPeriod::Month, points: 20 }),
    }
}

fn burning() -> RuleItem {
    RuleItem { category: "移风易俗".into(), name: "违规焚烧秸秆".into(), points: -10, cap: None }
}

fn rules(from: &str) -> StoredRules {
    StoredRules {
        version: RuleVersion { effective_from: day(from), items: vec![volunteering(), burning()] },
        created_by: "李文（clerk）".into(),
        created_at: time(1),
    }
}

fn event(household: &str, item: &RuleItem, date: &str, points: i64) -> NewPointEvent {
    NewPointEvent {
        village: code(VILLAGE),
        household: household.into(),
        rule_from: day("2026-01-01"),
        category: item.category.clone(),
        item: item.name.clone(),
        rule_points: item.points,
        date: day(date),
        points,
        reason: "清扫村道".into(),
        evidence: None,
        recorded_by: "李文（clerk）".into(),
        recorded_at: time(2),
    }
}

pub async fn points_rules_move_forward_in_versions(store: &dyn Store) {
    seeded(store).await;
    let village = code(VILLAGE);
    assert!(store.point_rules(village).await.unwrap().is_empty());
    store.add_point_rules(village, &rules("2026-01-01")).await.unwrap();
    let mut later = rules("2026-07-01");
    later.version.items[0].points = 8;
    store.add_point_rules(village, &later).await.unwrap();
    for (date, what) in [("2026-07-01", "the same date"), ("2026-03-01", "an earlier date")] {
        assert!(
            matches!(store.add_point_rules(village, &rules(date)).await, Err(StoreError::Conflict(_))),
            "{what} is refused"
        );
    }
    let stored = store.point_rules(village).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0], rules("2026-01-01"));
    assert_eq!(stored[1].version.items[0].points, 8);
    assert!(store.point_rules(code("339921100001")).await.unwrap().is_empty(), "per village");
}

pub async fn point_events_keep_within_caps_and_are_corrected_never_edited(store: &dyn Store) {
    seeded(store).await;
    let item = volunteering();
    let first = store.record_point_event(&event(HOME, &item, "2026-03-02", 10), &item).await.unwrap().unwrap();
    store.record_point_event(&event(HOME, &item, "2026-03-20", 10), &item).await.unwrap().unwrap();
    // The month's cap of 20 is reached; another month and another household are not affected.
    let refused = store.record_point_event(&event(HOME, &item, "2026-03-31", 5), &item).await.unwrap();
    let Err(PointsRefusal::OverCap(over)) = refused else { panic!("over the cap: {refused:?}") };
    assert_eq!((over.used, over.left, over.cap.points), (20, 0, 20));
    store.record_point_event(&event(HOME, &item, "2026-04-01", 10), &item).await.unwrap().unwrap();
    store.record_point_event(&event(NEIGHBOUR, &item, "2026-03-05", 10), &item).await.unwrap().unwrap();

    // A correction reverses the event once, naming it; the original stays as it was.
    let correction = PointCorrection {
        corrects: first,
        household: HOME.into(),
        date: day("2026-03-25"),
        reason: "登记错户".into(),
        recorded_by: "王芳（clerk2）".into(),
        recorded_at: time(3),
    };
    let counter = store.correct_point_event(&correction).await.unwrap();
    let original = store.get_point_event(first).await.unwrap();
    assert_eq!((original.event.points, original.corrected_by, original.corrects), (10, Some(counter), None));
    let c = store.get_point_event(counter).await.unwrap();
    assert_eq!((c.event.points, c.corrects, c.event.item.as_str()), (-10, Some(first), "参加志愿服务"));
    assert_eq!((c.event.reason.as_str(), c.event.recorded_by.as_str()), ("登记错户", "王芳（clerk2）"));
    assert!(matches!(store.correct_point_event(&correction).await, Err(StoreError::Conflict(_))), "once");
    let of_correction = PointCorrection { corrects: counter, ..correction.clone() };
    assert!(matches!(store.correct_point_event(&of_correction).await, Err(StoreError::Conflict(_))));
    let other_household = PointCorrection { household: NEIGHBOUR.into(), ..correction.clone() };
    assert!(matches!(store.correct_point_event(&other_household).await, Err(StoreError::NotFound)));
    let missing = PointCorrection { corrects: 999_999, ..correction };
    assert!(matches!(store.correct_point_event(&missing).await, Err(StoreError::NotFound)));
    // The corrected event no longer counts against the cap.
    store.record_point_event(&event(HOME, &item, "2026-03-31", 10), &item).await.unwrap().unwrap();

    let events = store.household_point_events(HOME).await.unwrap();
    assert_eq!(events.len(), 5);
    assert_eq!(events[0].event.date, day("2026-04-01"), "the latest date first");
    assert_eq!(events.iter().map(|e| e.event.points).sum::<i64>(), 30);
    let village = store.village_point_events(code(VILLAGE), None, 3).await.unwrap();
    assert_eq!(village.len(), 3);
    assert!(village[0].id > village[1].id, "the latest recorded first");
    let one = store.village_point_events(code(VILLAGE), Some(NEIGHBOUR), 50).await.unwrap();
    assert_eq!(one.len(), 1);
    // Deductions have no cap here and count as deducted.
    let b = burning();
    store.record_point_event(&event(NEIGHBOUR, &b, "2026-03-06", -10), &b).await.unwrap().unwrap();
    let balances = store.point_balances(code(VILLAGE), None).await.unwrap();
    let neighbour = balances.iter().find(|h| h.household == NEIGHBOUR).unwrap();
    assert_eq!(neighbour.balance, Balance { earned: 10, deducted: 10, redeemed: 0 });
    let home = balances.iter().find(|h| h.household == HOME).unwrap();
    assert_eq!(home.balance, Balance { earned: 30, deducted: 0, redeemed: 0 }, "corrections net out");
}

pub async fn redemptions_need_the_balance_and_households_may_leave_the_ranking(store: &dyn Store) {
    seeded(store).await;
    let village = code(VILLAGE);
    let item = volunteering();
    store.record_point_event(&event(HOME, &item, "2026-03-02", 10), &item).await.unwrap().unwrap();
    store.record_point_event(&event(HOME, &item, "2026-04-02", 10), &item).await.unwrap().unwrap();
    let redeem = |date: &str, points| NewRedemption {
        village,
        household: HOME.into(),
        date: day(date),
        item: "大米一袋".into(),
        points,
        recorded_by: "李文（clerk）".into(),
        recorded_at: time(4),
    };
    store.redeem_points(&redeem("2026-04-10", 15)).await.unwrap().unwrap();
    assert_eq!(store.redeem_points(&redeem("2026-04-11", 6)).await.unwrap(), Err(PointsRefusal::Short(5)));
    store.redeem_points(&redeem("2026-05-01", 5)).await.unwrap().unwrap();
    assert_eq!(store.household_redemptions(HOME).await.unwrap().len(), 2);
    let april = store.village_redemptions(village, day("2026-04-01"), day("2026-04-30")).await.unwrap();
    assert_eq!(april.len(), 1);
    assert_eq!((april[0].redemption.item.as_str(), april[0].redemption.points), ("大米一袋", 15));
    // A window counts only what is dated in it.
    let march = store.point_balances(village, Some((day("2026-03-01"), day("2026-03-31")))).await.unwrap();
    assert_eq!(march.len(), 1);
    assert_eq!(march[0].balance, Balance { earned: 10, deducted: 0, redeemed: 0 });
    let all = store.point_balances(village, None).await.unwrap();
    assert_eq!(all[0].balance.total(), 0);

    assert!(store.points_ranked(HOME).await.unwrap());
    assert!(store.points_ranked("339921100201/404").await.unwrap(), "ranked unless opted out");
    store.set_points_ranked(village, HOME, false, time(5)).await.unwrap();
    assert!(!store.points_ranked(HOME).await.unwrap());
    assert!(!store.point_balances(village, None).await.unwrap()[0].ranked);
    store.set_points_ranked(village, HOME, true, time(6)).await.unwrap();
    assert!(store.point_balances(village, None).await.unwrap()[0].ranked);
    // Opting out before any points is kept for later.
    store.set_points_ranked(village, NEIGHBOUR, false, time(6)).await.unwrap();
    store.record_point_event(&event(NEIGHBOUR, &item, "2026-03-02", 10), &item).await.unwrap().unwrap();
    assert!(!store.points_ranked(NEIGHBOUR).await.unwrap());
}

pub async fn redemptions_are_corrected_by_a_counter_entry_never_edited(store: &dyn Store) {
    seeded(store).await;
    let village = code(VILLAGE);
    let item = volunteering();
    store.record_point_event(&event(HOME, &item, "2026-03-02", 10), &item).await.unwrap().unwrap();
    let redemption = NewRedemption {
        village,
        household: HOME.into(),
        date: day("2026-03-10"),
        item: "大米一袋".into(),
        points: 8,
        recorded_by: "李文（clerk）".into(),
        recorded_at: time(4),
    };
    let id = store.redeem_points(&redemption).await.unwrap().unwrap();
    let correction = |corrects, household: &str| PointCorrection {
        corrects,
        household: household.into(),
        date: day("2026-04-02"),
        reason: "登记错户".into(),
        recorded_by: "李文（clerk）".into(),
        recorded_at: time(5),
    };
    // Another household's redemption, or none: not found.
    assert!(matches!(store.correct_redemption(&correction(id, NEIGHBOUR)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.correct_redemption(&correction(id + 100, HOME)).await, Err(StoreError::NotFound)));
    let cid = store.correct_redemption(&correction(id, HOME)).await.unwrap();
    // Once only.
    assert!(matches!(store.correct_redemption(&correction(id, HOME)).await, Err(StoreError::Conflict(_))));
    let kept = store.get_redemption(id).await.unwrap();
    assert_eq!(kept.redemption, redemption, "the redemption itself never changes");
    let c = kept.corrected.expect("its correction");
    assert_eq!((c.id, c.points, c.reason.as_str(), c.date), (cid, 8, "登记错户", day("2026-04-02")));
    assert_eq!(store.household_redemptions(HOME).await.unwrap()[0].corrected.as_ref().map(|c| c.id), Some(cid));
    // The points are back: all time, and in the window of the correction's date.
    let all = store.point_balances(village, None).await.unwrap();
    assert_eq!(all[0].balance, Balance { earned: 10, deducted: 0, redeemed: 0 });
    let march = store.point_balances(village, Some((day("2026-03-01"), day("2026-03-31")))).await.unwrap();
    assert_eq!(march[0].balance.redeemed, 8, "corrected in April");
    // So the whole balance can be redeemed again.
    let again = NewRedemption { points: 10, date: day("2026-04-03"), ..redemption };
    store.redeem_points(&again).await.unwrap().unwrap();
}
