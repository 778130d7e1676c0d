//! The public API's keyset pages of disclosures: ascending ids after a cursor, stable while
//! new versions arrive, public versions only, alike on both databases.

use yangguang_core::{DisclosureId, DisclosureKind, DisclosureState, Period};
use yangguang_store::{PublicDisclosureQuery, Store};

use crate::{code, disclosure, draft, seeded};

pub async fn public_disclosures_page_by_key_and_stay_stable_while_rows_arrive(store: &dyn Store) {
    seeded(store).await;
    let mut items = vec![];
    for day in 1..=7u32 {
        let mut d = disclosure("339921100201", "party-life", &format!("第{day}次组织生活"), day);
        d.period = Some(Period::Month { year: 2026, month: if day % 2 == 0 { 3 } else { 2 } });
        items.push(d);
    }
    items.push(disclosure("339921100201", "finance-monthly", "3月收支", 8));
    items.push(disclosure("339921100001", "party-life", "社区的组织生活", 9));
    items.push(draft("339921100201", "草稿组织生活"));
    let ids = store.insert_disclosures(&items).await.unwrap();
    let mut withdrawal = disclosure("339921100201", "party-life", "撤回", 10);
    withdrawal.kind = DisclosureKind::Withdrawal;
    withdrawal.replaces = Some(ids[1]);
    withdrawal.reason = Some("重复".into());
    store.insert_disclosures(&[withdrawal]).await.unwrap();

    let query = |after: Option<DisclosureId>| PublicDisclosureQuery {
        village: code("339921100201"),
        columns: vec![],
        period: None,
        states: vec![],
        after,
        limit: 3,
    };
    let first = store.public_disclosures(&query(None)).await.unwrap();
    assert_eq!(first.iter().map(|d| d.id).collect::<Vec<_>>(), ids[..3]);
    // A version published between two pages lands after the last: the next page is unchanged.
    let late = store.insert_disclosures(&[disclosure("339921100201", "party-life", "新的一条", 11)]).await.unwrap();
    let second = store.public_disclosures(&query(Some(first[2].id))).await.unwrap();
    assert_eq!(second.iter().map(|d| d.id).collect::<Vec<_>>(), ids[3..6]);
    let third = store.public_disclosures(&query(Some(second[2].id))).await.unwrap();
    // Neither the draft, nor the other village's item, nor the withdrawal request itself.
    assert_eq!(third.iter().map(|d| d.id).collect::<Vec<_>>(), [ids[6], ids[7], late[0]]);
    assert!(store.public_disclosures(&query(Some(late[0]))).await.unwrap().is_empty());
    // The withdrawn original is listed with its state; filters narrow.
    assert_eq!(first[1].state, DisclosureState::Withdrawn);
    let withdrawn = PublicDisclosureQuery { states: vec![DisclosureState::Withdrawn], limit: 50, ..query(None) };
    assert_eq!(store.public_disclosures(&withdrawn).await.unwrap().len(), 1);
    let drafts = PublicDisclosureQuery { states: vec![DisclosureState::Draft], limit: 50, ..query(None) };
    assert!(store.public_disclosures(&drafts).await.unwrap().is_empty());
    let march =
        PublicDisclosureQuery { period: Some(Period::Month { year: 2026, month: 3 }), limit: 50, ..query(None) };
    assert_eq!(store.public_disclosures(&march).await.unwrap().len(), 3);
    let column = PublicDisclosureQuery { columns: vec!["finance-monthly".into()], limit: 50, ..query(None) };
    assert_eq!(store.public_disclosures(&column).await.unwrap().iter().map(|d| d.id).collect::<Vec<_>>(), [ids[7]]);
}
