//! The store contract as tests: every backend runs this same suite through
//! [`contract_tests!`], so SQLite and PostgreSQL behave alike.

use chrono::{TimeZone, Utc};
use yangguang_core::{
    Attachment, DisclosureId, DisclosureState, NewDisclosure, Period, Region, RegionCode,
    RegionKind,
};
use yangguang_store::{DisclosureQuery, Store, StoreError};

/// Generates one `#[tokio::test]` per contract test. `$factory` is an async fn returning the
/// store (or `Option` of it, with `optional`, where `None` means "not configured here"); the
/// optional cleanup closure runs after each test.
#[macro_export]
macro_rules! contract_tests {
    ($factory:ident) => {
        $crate::contract_tests!(@each $factory, (|s| async move { Some(s) }), (|_s| async {}),
            regions_round_trip_and_upsert_updates_names,
            unknown_region_is_not_found,
            region_with_unknown_parent_is_refused,
            disclosures_round_trip_with_attachments,
            lists_are_newest_first_paginated_and_filtered_by_column,
            drafts_are_never_listed,
            a_batch_with_one_bad_disclosure_stores_nothing,
            published_periods_name_item_and_period,
            unknown_disclosure_is_not_found,
            migrating_twice_is_harmless);
    };
    ($factory:ident, optional, $cleanup:expr) => {
        $crate::contract_tests!(@each $factory, (|s| async move { s }), ($cleanup),
            regions_round_trip_and_upsert_updates_names,
            unknown_region_is_not_found,
            region_with_unknown_parent_is_refused,
            disclosures_round_trip_with_attachments,
            lists_are_newest_first_paginated_and_filtered_by_column,
            drafts_are_never_listed,
            a_batch_with_one_bad_disclosure_stores_nothing,
            published_periods_name_item_and_period,
            unknown_disclosure_is_not_found,
            migrating_twice_is_harmless);
    };
    (@each $factory:ident, ($wrap:expr), ($cleanup:expr), $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let Some(store) = ($wrap)($factory().await).await else { return };
                $crate::$name(&store).await;
                ($cleanup)(store).await;
            }
        )*
    };
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A county with one town and two villages.
pub fn sample_regions() -> Vec<Region> {
    let r = |c: &str, name: &str, parent: Option<&str>, kind| Region {
        code: code(c),
        name: name.into(),
        parent: parent.map(code),
        kind,
    };
    vec![
        r("339921000000", "清溪县", None, RegionKind::County),
        r(
            "339921100000",
            "青山镇",
            Some("339921000000"),
            RegionKind::Town,
        ),
        r(
            "339921100201",
            "前山村",
            Some("339921100000"),
            RegionKind::Village,
        ),
        r(
            "339921100001",
            "青山社区",
            Some("339921100000"),
            RegionKind::Community,
        ),
    ]
}

fn disclosure(village: &str, column: &str, title: &str, day: u32) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 3, day, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(village),
        column: column.into(),
        catalog_item: None,
        period: None,
        title: title.into(),
        body_md: format!("# {title}\n\n正文"),
        state: DisclosureState::Published,
        created_at: at,
        published_at: Some(at),
        attachments: vec![],
    }
}

async fn seeded(store: &dyn Store) {
    store.upsert_regions(&sample_regions()).await.unwrap();
}

pub async fn regions_round_trip_and_upsert_updates_names(store: &dyn Store) {
    seeded(store).await;
    assert_eq!(store.list_regions().await.unwrap().len(), 4);
    let mut renamed = sample_regions()[2].clone();
    renamed.name = "前山新村".into();
    store.upsert_regions(&[renamed.clone()]).await.unwrap();
    assert_eq!(store.get_region(renamed.code).await.unwrap(), renamed);
    assert_eq!(store.list_regions().await.unwrap().len(), 4);
}

pub async fn unknown_region_is_not_found(store: &dyn Store) {
    let err = store.get_region(code("339921100299")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

pub async fn region_with_unknown_parent_is_refused(store: &dyn Store) {
    let orphan = Region {
        code: code("339921200201"),
        name: "孤村".into(),
        parent: Some(code("339921200000")),
        kind: RegionKind::Village,
    };
    let err = store.upsert_regions(&[orphan]).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(store.list_regions().await.unwrap().is_empty());
}

pub async fn disclosures_round_trip_with_attachments(store: &dyn Store) {
    seeded(store).await;
    let mut new = disclosure("339921100201", "finance-income", "2026年2月收支明细", 5);
    new.catalog_item = Some("income-expenditure".into());
    new.period = Some("2026-02".parse().unwrap());
    new.attachments = vec![
        Attachment {
            file_name: "明细.csv".into(),
            media_type: "text/csv".into(),
            byte_size: 12,
            sha256: "a".repeat(64),
        },
        Attachment {
            file_name: "票据.png".into(),
            media_type: "image/png".into(),
            byte_size: 3400,
            sha256: "b".repeat(64),
        },
    ];
    let ids = store
        .insert_disclosures(std::slice::from_ref(&new))
        .await
        .unwrap();
    let got = store.get_disclosure(ids[0]).await.unwrap();
    assert_eq!(got.id, ids[0]);
    assert_eq!(
        (
            got.village,
            &got.column,
            &got.catalog_item,
            got.period,
            &got.title,
            &got.body_md
        ),
        (
            new.village,
            &new.column,
            &new.catalog_item,
            new.period,
            &new.title,
            &new.body_md
        )
    );
    assert_eq!(
        (got.state, got.created_at, got.published_at),
        (new.state, new.created_at, new.published_at)
    );
    assert_eq!(got.attachments, new.attachments);
}

pub async fn lists_are_newest_first_paginated_and_filtered_by_column(store: &dyn Store) {
    seeded(store).await;
    let batch: Vec<_> = (1..=7)
        .map(|day| {
            let column = if day % 2 == 0 {
                "finance-income"
            } else {
                "party-life"
            };
            disclosure("339921100201", column, &format!("第{day}条"), day)
        })
        .chain([disclosure("339921100001", "party-life", "社区的", 9)])
        .collect();
    store.insert_disclosures(&batch).await.unwrap();
    let query = |columns: Vec<&str>, page| DisclosureQuery {
        village: code("339921100201"),
        columns: columns.into_iter().map(String::from).collect(),
        page,
        per_page: 3,
    };
    let first = store.list_disclosures(&query(vec![], 1)).await.unwrap();
    assert_eq!(first.total, 7);
    assert_eq!(first.page_count(), 3);
    let titles: Vec<_> = first.items.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["第7条", "第6条", "第5条"]);
    let last = store.list_disclosures(&query(vec![], 3)).await.unwrap();
    assert_eq!(last.items.len(), 1);
    let finance = store
        .list_disclosures(&query(vec!["finance-income", "nothing"], 1))
        .await
        .unwrap();
    assert_eq!(finance.total, 3);
    assert!(finance.items.iter().all(|d| d.column == "finance-income"));
}

pub async fn drafts_are_never_listed(store: &dyn Store) {
    seeded(store).await;
    let mut draft = disclosure("339921100201", "party-life", "草稿", 3);
    draft.state = DisclosureState::Draft;
    draft.published_at = None;
    store.insert_disclosures(&[draft]).await.unwrap();
    let query = DisclosureQuery {
        village: code("339921100201"),
        columns: vec![],
        page: 1,
        per_page: 10,
    };
    assert_eq!(store.list_disclosures(&query).await.unwrap().total, 0);
    assert_eq!(store.count_disclosures().await.unwrap(), 1);
}

pub async fn a_batch_with_one_bad_disclosure_stores_nothing(store: &dyn Store) {
    seeded(store).await;
    let good = disclosure("339921100201", "party-life", "好的", 3);
    // The village does not exist: the database refuses the row, and the whole batch with it.
    let bad = disclosure("339921100299", "party-life", "坏的", 4);
    let err = store
        .insert_disclosures(&[good.clone(), bad])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.count_disclosures().await.unwrap(), 0);
    let mut untitled = good.clone();
    untitled.title = "  ".into();
    assert!(store.insert_disclosures(&[good, untitled]).await.is_err());
    assert_eq!(store.count_disclosures().await.unwrap(), 0);
}

pub async fn published_periods_name_item_and_period(store: &dyn Store) {
    seeded(store).await;
    let mut a = disclosure("339921100201", "finance-income", "一月", 3);
    a.catalog_item = Some("income-expenditure".into());
    a.period = Some("2026-01".parse().unwrap());
    let mut b = a.clone();
    b.state = DisclosureState::Draft;
    b.published_at = None;
    b.period = Some("2026-02".parse().unwrap());
    store.insert_disclosures(&[a, b]).await.unwrap();
    let periods = store.published_periods(code("339921100201")).await.unwrap();
    assert_eq!(
        periods,
        vec![(
            "income-expenditure".to_string(),
            "2026-01".parse::<Period>().unwrap()
        )]
    );
}

pub async fn unknown_disclosure_is_not_found(store: &dyn Store) {
    let err = store
        .get_disclosure(DisclosureId(987_654))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

pub async fn migrating_twice_is_harmless(store: &dyn Store) {
    seeded(store).await;
    store.migrate().await.unwrap();
    assert_eq!(store.list_regions().await.unwrap().len(), 4);
}
