//! The console's published list: search, filters, scope and paging, alike on both databases.

use yangguang_core::{DisclosureKind, DisclosureState, Period};
use yangguang_store::{PublishedQuery, Store};

use crate::{code, disclosure, draft, seeded};

pub async fn published_lists_search_filter_scope_and_page(store: &dyn Store) {
    seeded(store).await;
    let mut items = vec![];
    for day in 1..=25u32 {
        let mut d = disclosure("339921100201", "party-life", &format!("第{day}次组织生活"), day);
        d.period = Some(Period::Month { year: 2026, month: if day % 2 == 0 { 3 } else { 2 } });
        items.push(d);
    }
    items.push(disclosure("339921100201", "finance-monthly", "3月收支 100%_明细", 26));
    items.push(disclosure("339921100001", "party-life", "社区的组织生活", 27));
    items.push(draft("339921100201", "草稿组织生活"));
    let ids = store.insert_disclosures(&items).await.unwrap();
    // One item corrected, another withdrawn: the original of each changes state.
    let mut correction = disclosure("339921100201", "party-life", "第1次组织生活（更正）", 28);
    correction.kind = DisclosureKind::Correction;
    correction.replaces = Some(ids[0]);
    correction.reason = Some("人数有误".into());
    let mut withdrawal = disclosure("339921100201", "party-life", "撤回", 28);
    withdrawal.kind = DisclosureKind::Withdrawal;
    withdrawal.replaces = Some(ids[1]);
    withdrawal.reason = Some("重复".into());
    let new = store.insert_disclosures(&[correction, withdrawal]).await.unwrap();

    let village = || PublishedQuery {
        region_prefixes: vec!["339921100201".into()],
        page: 1,
        per_page: 10,
        ..PublishedQuery::default()
    };
    // Every version that was public in the village, newest first; no draft, no withdrawal request.
    let all = store.list_published(&village()).await.unwrap();
    assert_eq!((all.total, all.items.len(), all.page_count()), (27, 10, 3));
    assert_eq!(all.items[0].id, new[0]);
    assert_eq!((all.items[0].version, all.items[0].state), (2, DisclosureState::Published));
    assert!(all.items.iter().all(|d| d.kind != DisclosureKind::Withdrawal));
    let third = store.list_published(&PublishedQuery { page: 3, ..village() }).await.unwrap();
    assert_eq!(third.items.len(), 7);
    // States: corrected and withdrawn.
    let states = |s: DisclosureState| PublishedQuery { states: vec![s], ..village() };
    let corrected = store.list_published(&states(DisclosureState::Superseded)).await.unwrap();
    assert_eq!(corrected.items.iter().map(|d| d.id).collect::<Vec<_>>(), [ids[0]]);
    let withdrawn = store.list_published(&states(DisclosureState::Withdrawn)).await.unwrap();
    assert_eq!(withdrawn.items.iter().map(|d| d.id).collect::<Vec<_>>(), [ids[1]]);
    // Column, period and text.
    let column = PublishedQuery { columns: vec!["finance-monthly".into()], ..village() };
    assert_eq!(store.list_published(&column).await.unwrap().total, 1);
    let march = PublishedQuery { period: Some(Period::Month { year: 2026, month: 3 }), ..village() };
    assert_eq!(store.list_published(&march).await.unwrap().total, 12);
    let text = |t: &str| PublishedQuery { text: t.into(), ..village() };
    assert_eq!(store.list_published(&text("第2次")).await.unwrap().total, 1);
    assert_eq!(store.list_published(&text("更正")).await.unwrap().total, 1);
    // `%` and `_` are the characters, not wildcards.
    assert_eq!(store.list_published(&text("100%_")).await.unwrap().total, 1);
    assert_eq!(store.list_published(&text("0%")).await.unwrap().total, 1);
    assert_eq!(store.list_published(&text("_明")).await.unwrap().total, 1);
    assert_eq!(store.list_published(&text("%组织")).await.unwrap().total, 0);
    // A number finds that version and the correction of it.
    let by_number = store.list_published(&text(&format!("#{}", ids[0].0))).await.unwrap();
    let mut found: Vec<_> = by_number.items.iter().map(|d| d.id).collect();
    found.sort();
    assert_eq!(found, [ids[0], new[0]]);
    let written = store.list_published(&text(&format!("第 {} 号", ids[1].0))).await.unwrap();
    assert_eq!(written.items.iter().map(|d| d.id).collect::<Vec<_>>(), [ids[1]]);
    // Plain digits are searched in titles as well.
    assert!(store.list_published(&text("2")).await.unwrap().total > 2);
    // Scope: the town sees both villages; a village filter narrows it; no scope, nothing.
    let town = PublishedQuery { region_prefixes: vec!["339921100".into()], ..village() };
    assert_eq!(store.list_published(&town).await.unwrap().total, 28);
    let community = PublishedQuery { village: Some(code("339921100001")), ..town.clone() };
    assert_eq!(store.list_published(&community).await.unwrap().total, 1);
    let other_town = PublishedQuery { region_prefixes: vec!["339921101".into()], ..village() };
    assert_eq!(store.list_published(&other_town).await.unwrap().total, 0);
    assert_eq!(store.list_published(&PublishedQuery { region_prefixes: vec![], ..village() }).await.unwrap().total, 0);
}
