//! Sealed whistle-blowing reports: stored opaque, found by their lookup, states and replies.

use yangguang_core::tip::TipStatus;
use yangguang_store::{NewTip, TipReply};

use super::*;

pub async fn sealed_tips_round_trip_with_attachments_states_and_replies(store: &dyn Store) {
    let new = |n: u32, files: usize| NewTip {
        lookup: format!("lookup-{n}"),
        reply_key: format!("reply-{n}"),
        sealed: format!("tip1:sealed-{n}"),
        attachments: (0..files).map(|i| format!("tip1:file-{n}-{i}")).collect(),
    };
    assert!(store.list_tips().await.unwrap().is_empty());
    assert_eq!(store.count_tips(TipStatus::New).await.unwrap(), 0);
    let first = store.create_tip(&new(1, 2), time(1)).await.unwrap();
    let second = store.create_tip(&new(2, 0), time(2)).await.unwrap();
    // A lookup drawn twice is refused, and nothing of the second report is stored.
    assert!(matches!(store.create_tip(&new(1, 1), time(3)).await, Err(StoreError::Conflict(_))));

    let list = store.list_tips().await.unwrap();
    assert_eq!(list.iter().map(|t| t.id).collect::<Vec<_>>(), [second, first], "newest first");
    let tip = store.get_tip(first).await.unwrap();
    assert_eq!((tip.sealed.as_str(), tip.reply_key.as_str()), ("tip1:sealed-1", "reply-1"));
    assert_eq!((tip.status, tip.attachments, tip.received_at, tip.updated_at), (TipStatus::New, 2, time(1), time(1)));
    assert_eq!(store.find_tip("lookup-2").await.unwrap().map(|t| t.id), Some(second));
    assert_eq!(store.find_tip("lookup-9").await.unwrap(), None);
    assert!(matches!(store.get_tip(999).await, Err(StoreError::NotFound)));

    assert_eq!(store.tip_attachment(first, 1).await.unwrap(), "tip1:file-1-1");
    assert!(matches!(store.tip_attachment(first, 2).await, Err(StoreError::NotFound)));
    assert!(matches!(store.tip_attachment(second, 0).await, Err(StoreError::NotFound)));

    assert_eq!(store.count_tips(TipStatus::New).await.unwrap(), 2);
    store.set_tip_status(first, TipStatus::Investigating, time(4)).await.unwrap();
    assert!(matches!(store.set_tip_status(999, TipStatus::Accepted, time(4)).await, Err(StoreError::NotFound)));
    assert_eq!(store.count_tips(TipStatus::New).await.unwrap(), 1);
    assert_eq!(store.count_tips(TipStatus::Investigating).await.unwrap(), 1);
    let tip = store.get_tip(first).await.unwrap();
    assert_eq!((tip.status, tip.updated_at), (TipStatus::Investigating, time(4)));

    let reply = |n: u32, day| TipReply { to_reporter: format!("r{n}"), to_commission: format!("c{n}"), at: time(day) };
    store.add_tip_reply(first, &reply(1, 5)).await.unwrap();
    store.add_tip_reply(first, &reply(2, 6)).await.unwrap();
    assert!(matches!(store.add_tip_reply(999, &reply(3, 6)).await, Err(StoreError::NotFound)));
    assert_eq!(store.tip_replies(first).await.unwrap(), [reply(1, 5), reply(2, 6)]);
    assert!(store.tip_replies(second).await.unwrap().is_empty());
    assert_eq!(store.get_tip(first).await.unwrap().updated_at, time(6));
}
