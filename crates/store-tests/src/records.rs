//! Register documents and platform state.

use super::*;

pub(crate) fn record(village: &str, key: &str, body: &str) -> NewRecord {
    NewRecord { village: code(village), key: key.into(), body: body.into() }
}

pub async fn records_upsert_idempotently_and_page_by_key(store: &dyn Store) {
    seeded(store).await;
    let first = [record("339921100201", "P-2", r#"{"stage":"announcement"}"#), record("339921100201", "P-1", "{}")];
    let done = store.upsert_records("listing", &first, time(1)).await.unwrap();
    assert_eq!(done, [Upserted::Inserted, Upserted::Inserted]);
    // The same push twice changes nothing, not even the time of the last change.
    let again = store.upsert_records("listing", &first, time(2)).await.unwrap();
    assert_eq!(again, [Upserted::Unchanged, Upserted::Unchanged]);
    assert_eq!(store.get_record("listing", "P-2").await.unwrap().unwrap().updated_at, time(1));
    let moved = [record("339921100201", "P-2", r#"{"stage":"deal"}"#)];
    assert_eq!(store.upsert_records("listing", &moved, time(3)).await.unwrap(), [Upserted::Updated]);
    let stored = store.get_record("listing", "P-2").await.unwrap().unwrap();
    assert_eq!((stored.body.as_str(), stored.updated_at), (r#"{"stage":"deal"}"#, time(3)));
    let mut found: Vec<String> =
        store.get_records("listing", &["P-2", "P-1", "P-9"]).await.unwrap().into_iter().map(|r| r.key).collect();
    found.sort();
    assert_eq!(found, ["P-1", "P-2"], "the stored ones among the keys asked for");
    // Kinds are separate name spaces.
    assert_eq!(store.get_record("lease", "P-2").await.unwrap(), None);
    let keys = |records: Vec<yangguang_store::Record>| records.into_iter().map(|r| r.key).collect::<Vec<_>>();
    assert_eq!(keys(store.village_records("listing", code("339921100201")).await.unwrap()), ["P-1", "P-2"]);
    assert_eq!(keys(store.records_after("listing", "", 1).await.unwrap()), ["P-1"]);
    assert_eq!(keys(store.records_after("listing", "P-1", 10).await.unwrap()), ["P-2"]);
    assert_eq!(store.count_records("listing", "3399211").await.unwrap(), 2);
    assert_eq!(store.count_records("listing", "3399212").await.unwrap(), 0);
    // A key given twice in one batch: the last one stands.
    let twice = [record("339921100201", "P-3", "1"), record("339921100201", "P-3", "2")];
    assert_eq!(
        store.upsert_records("listing", &twice, time(4)).await.unwrap(),
        [Upserted::Inserted, Upserted::Updated]
    );
    assert_eq!(store.get_record("listing", "P-3").await.unwrap().unwrap().body, "2");
    // Many at once, across statement batches.
    let many: Vec<_> = (0..1_000).map(|i| record("339921100001", &format!("M-{i:04}"), "{}")).collect();
    let done = store.upsert_records("listing", &many, time(5)).await.unwrap();
    assert!(done.iter().all(|d| *d == Upserted::Inserted));
    assert_eq!(store.count_records("listing", "339921100001").await.unwrap(), 1_000);
    let replaced = store.replace_village_records("listing", code("339921100001"), &many[..10], time(6)).await.unwrap();
    assert_eq!((replaced.unchanged, replaced.removed), (10, 990));
}

pub async fn replacing_a_village_register_removes_what_is_gone(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let other = record("339921100001", "B-1", "{}");
    store.upsert_records("lease", &[other], time(1)).await.unwrap();
    let register = [record("339921100201", "A-1", "1"), record("339921100201", "A-2", "2")];
    let counts = store.replace_village_records("lease", village, &register, time(1)).await.unwrap();
    assert_eq!(counts, RecordCounts { inserted: 2, ..Default::default() });
    let unchanged = store.replace_village_records("lease", village, &register, time(2)).await.unwrap();
    assert!(!unchanged.changed(), "{unchanged:?}");
    let next = [record("339921100201", "A-2", "22"), record("339921100201", "A-3", "3")];
    let counts = store.replace_village_records("lease", village, &next, time(3)).await.unwrap();
    assert_eq!(counts, RecordCounts { inserted: 1, updated: 1, unchanged: 0, removed: 1 });
    assert_eq!(store.village_records("lease", village).await.unwrap().len(), 2);
    // Another village's register is untouched.
    assert!(store.get_record("lease", "B-1").await.unwrap().is_some());
    // Several kinds go together or not at all.
    let phones = [record("339921100201", "h1", "A-2"), record("339921100001", "h2", "B-1")];
    let err =
        store.replace_village_registers(village, &[("lease", &register[..]), ("phone", &phones[..])], time(4)).await;
    assert!(err.is_err(), "a record of another village is refused");
    assert_eq!(store.village_records("lease", village).await.unwrap().len(), 2, "the first kind rolled back too");
    assert!(store.get_record("lease", "A-1").await.unwrap().is_none());
}

pub async fn a_record_for_an_unknown_village_stores_nothing(store: &dyn Store) {
    seeded(store).await;
    let batch = [record("339921100201", "P-1", "{}"), record("339921100299", "P-9", "{}")];
    assert!(store.upsert_records("listing", &batch, time(1)).await.is_err());
    assert_eq!(store.get_record("listing", "P-1").await.unwrap(), None);
}

pub async fn platform_state_is_claimed_once_and_pruned(store: &dyn Store) {
    assert_eq!(store.get_state("cursor:trading").await.unwrap(), None);
    store.put_state("cursor:trading", "c1", time(1)).await.unwrap();
    store.put_state("cursor:trading", "c2", time(2)).await.unwrap();
    assert_eq!(store.get_state("cursor:trading").await.unwrap().as_deref(), Some("c2"));
    assert!(store.claim_state("push:abc", "", time(1)).await.unwrap());
    assert!(!store.claim_state("push:abc", "", time(3)).await.unwrap(), "a second claim must fail");
    assert!(store.claim_state("push:def", "", time(3)).await.unwrap());
    assert_eq!(store.prune_state("push:", time(2)).await.unwrap(), 1);
    assert_eq!(store.get_state("push:abc").await.unwrap(), None);
    assert!(store.get_state("push:def").await.unwrap().is_some());
    assert!(store.get_state("cursor:trading").await.unwrap().is_some(), "other names are kept");
}
