//! What app servers share: the change feed, job leases, compare-and-set state.

use chrono::Duration;

use super::*;

pub async fn the_change_feed_reads_in_order_from_where_a_reader_was(store: &dyn Store) {
    assert_eq!(store.latest_change().await.unwrap(), 0, "nothing recorded yet");
    assert!(store.changes_since(0, 10).await.unwrap().is_empty());
    let scopes = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let first = store.record_changes("a", &scopes(&["village:339921100201", "log"]), time(1)).await.unwrap();
    let second = store.record_changes("b", &scopes(&["regions"]), time(2)).await.unwrap();
    assert!(second > first && first > 0);
    assert_eq!(store.latest_change().await.unwrap(), second);

    let all = store.changes_since(0, 10).await.unwrap();
    let seen: Vec<(&str, &str)> = all.iter().map(|c| (c.origin.as_str(), c.scope.as_str())).collect();
    assert_eq!(seen, [("a", "village:339921100201"), ("a", "log"), ("b", "regions")]);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    assert_eq!(all[1].id, first, "the last id of a batch is returned");
    let after = store.changes_since(first, 10).await.unwrap();
    assert_eq!(after.iter().map(|c| c.id).collect::<Vec<_>>(), [second]);
    assert_eq!(store.changes_since(0, 2).await.unwrap().len(), 2, "limited");

    // Pruning keeps the latest row, so the feed's position survives a quiet day.
    assert_eq!(store.prune_changes(time(30)).await.unwrap(), 2);
    assert_eq!(store.latest_change().await.unwrap(), second);
    let third = store.record_changes("a", &scopes(&["everywhere"]), time(3)).await.unwrap();
    assert!(third > second, "ids never go back");
}

pub async fn a_listener_wakes_on_changes_where_the_database_notifies(store: &dyn Store) {
    let Some(mut listener) = store.listen_changes().await.unwrap() else {
        assert_eq!(store.backend(), "sqlite", "only SQLite has no listener");
        return;
    };
    let woken = tokio::spawn(async move {
        listener.wait().await.unwrap();
    });
    // The listener may start listening a moment later: announce until it wakes.
    for _ in 0..100 {
        store.record_changes("other", &["log".to_owned()], time(1)).await.unwrap();
        if woken.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::timeout(std::time::Duration::from_secs(10), woken).await.expect("the listener woke").unwrap();
}

pub async fn a_lease_has_one_holder_until_it_lapses_or_is_released(store: &dyn Store) {
    let now = time(1);
    let until = now + Duration::seconds(30);
    assert_eq!(store.lease("jobs").await.unwrap(), None);
    assert!(store.claim_lease("jobs", "a", now, until).await.unwrap());
    assert!(!store.claim_lease("jobs", "b", now, until).await.unwrap(), "held by a");
    assert!(store.claim_lease("other", "b", now, until).await.unwrap(), "leases are by name");
    // The holder renews; another server still cannot take it before it lapses.
    let later = now + Duration::seconds(20);
    assert!(store.claim_lease("jobs", "a", later, later + Duration::seconds(30)).await.unwrap());
    assert!(!store.claim_lease("jobs", "b", now + Duration::seconds(40), now + Duration::seconds(70)).await.unwrap());
    let lease = store.lease("jobs").await.unwrap().unwrap();
    assert_eq!((lease.holder.as_str(), lease.expires_at), ("a", later + Duration::seconds(30)));
    // Lapsed: b takes it, and a's renewal is refused.
    let lapsed = later + Duration::seconds(31);
    assert!(store.claim_lease("jobs", "b", lapsed, lapsed + Duration::seconds(30)).await.unwrap());
    assert!(!store.claim_lease("jobs", "a", lapsed, lapsed + Duration::seconds(30)).await.unwrap());
    // Released by its holder only; then anyone takes it at once.
    assert!(!store.release_lease("jobs", "a").await.unwrap());
    assert!(store.release_lease("jobs", "b").await.unwrap());
    assert_eq!(store.lease("jobs").await.unwrap(), None);
    assert!(store.claim_lease("jobs", "a", lapsed, lapsed + Duration::seconds(30)).await.unwrap());
}

pub async fn state_is_replaced_only_from_the_value_read(store: &dyn Store) {
    let now = time(1);
    assert!(store.replace_state("count", None, "1", now).await.unwrap(), "unset: set");
    assert!(!store.replace_state("count", None, "1", now).await.unwrap(), "set meanwhile");
    assert!(!store.replace_state("count", Some("0"), "2", now).await.unwrap(), "not the value read");
    assert!(store.replace_state("count", Some("1"), "2", now).await.unwrap());
    assert_eq!(store.get_state("count").await.unwrap().as_deref(), Some("2"));
    assert!(!store.replace_state("missing", Some("1"), "2", now).await.unwrap(), "nothing to replace");

    // Counted from many tasks at once, read-compute-replace loses no increment.
    futures_join_all((0..20).map(|_| bump(store, now))).await;
    assert_eq!(store.get_state("count").await.unwrap().as_deref(), Some("22"));
}

async fn bump(store: &dyn Store, now: DateTime<Utc>) {
    loop {
        let read = store.get_state("count").await.unwrap();
        let n: u32 = read.as_deref().unwrap().parse().unwrap();
        if store.replace_state("count", read.as_deref(), &(n + 1).to_string(), now).await.unwrap() {
            return;
        }
    }
}

/// Runs futures concurrently on this task (the store is borrowed, so no spawning).
async fn futures_join_all<F: std::future::Future<Output = ()>>(futures: impl IntoIterator<Item = F>) {
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    std::future::poll_fn(|cx| {
        pending.retain_mut(|f| f.as_mut().poll(cx).is_pending());
        if pending.is_empty() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
}
