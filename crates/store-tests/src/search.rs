//! The search index's change feed and the publication log read as a feed of villages.

use super::*;

pub async fn the_search_feed_is_a_sequence_of_villages_read_after_a_cursor(store: &dyn Store) {
    seeded(store).await;
    assert_eq!(store.search_heads().await.unwrap(), (0, 0));
    assert!(store.search_changes_after(0, 10).await.unwrap().is_empty());
    let a = code("339921100201");
    let b = code("339921100001");
    let seqs = store.record_search_changes(&[Some(a), None, Some(b)], time(1)).await.unwrap();
    assert_eq!(seqs.len(), 3);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let all = store.search_changes_after(0, 10).await.unwrap();
    assert_eq!(all.iter().map(|c| c.village).collect::<Vec<_>>(), [Some(a), None, Some(b)]);
    assert_eq!(all.iter().map(|c| c.seq).collect::<Vec<_>>(), seqs);
    let after = store.search_changes_after(seqs[0], 1).await.unwrap();
    assert_eq!(after.iter().map(|c| (c.seq, c.village)).collect::<Vec<_>>(), [(seqs[1], None)]);
    assert_eq!(store.search_heads().await.unwrap().0, seqs[2]);

    // The log, as villages: each once, with the last sequence number read.
    store
        .insert_disclosures(&[
            disclosure("339921100201", "party-life", "一", 1),
            disclosure("339921100201", "party-life", "二", 2),
            disclosure("339921100001", "party-life", "三", 3),
        ])
        .await
        .unwrap();
    let (_, log_head) = store.search_heads().await.unwrap();
    assert!(log_head >= 3);
    let (villages, last) = store.log_villages_after(0, 100).await.unwrap();
    assert_eq!((villages, last), (vec![a, b], log_head));
    let (villages, last) = store.log_villages_after(log_head, 100).await.unwrap();
    assert_eq!((villages, last), (vec![], log_head));

    // Pruning forgets old changes but never reuses their numbers.
    store.record_search_changes(&[Some(b)], time(5)).await.unwrap();
    assert_eq!(store.prune_search_changes(time(3)).await.unwrap(), 3);
    let left = store.search_changes_after(0, 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].seq > seqs[2]);
    let more = store.record_search_changes(&[Some(a)], time(6)).await.unwrap();
    assert!(more[0] > left[0].seq);
}
