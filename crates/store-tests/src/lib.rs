//! The store contract as tests: every backend runs this same suite through
//! [`contract_tests!`], so SQLite and PostgreSQL behave alike.

use chrono::{DateTime, TimeZone, Utc};
use yangguang_core::publication::{Checkpoint, GENESIS, LogAction, SignoffRecord, verify_chain};
use yangguang_core::staff::{Grant, Role};
use yangguang_core::{
    Attachment, DisclosureId, DisclosureKind, DisclosureState, NewDisclosure, Period, Region, RegionCode, RegionKind,
};
use yangguang_store::{
    AuditEntry, Decision, DisclosureQuery, DraftEdit, NewRecord, NewStaff, RecordCounts, Session, Signoff, Store,
    StoreError, Upserted, WorkQuery,
};

/// Generates one `#[tokio::test]` per contract test. `$factory` is an async fn returning the
/// store (or `Option` of it, with `optional`, where `None` means "not configured here"); the
/// optional cleanup closure runs after each test.
#[macro_export]
macro_rules! contract_tests {
    ($factory:ident) => {
        $crate::contract_tests!(@all $factory, (|s| async move { Some(s) }), (|_s| async {}));
    };
    ($factory:ident, optional, $cleanup:expr) => {
        $crate::contract_tests!(@all $factory, (|s| async move { s }), ($cleanup));
    };
    // The one list of contract tests.
    (@all $factory:ident, $wrap:tt, $cleanup:tt) => {
        $crate::contract_tests!(@each $factory, $wrap, $cleanup,
            regions_round_trip_and_upsert_updates_names,
            unknown_region_is_not_found,
            region_with_unknown_parent_is_refused,
            disclosures_round_trip_with_attachments,
            lists_are_newest_first_paginated_and_filtered_by_column,
            drafts_are_never_listed,
            a_batch_with_one_bad_disclosure_stores_nothing,
            published_periods_name_item_and_period,
            unknown_disclosure_is_not_found,
            migrating_twice_is_harmless,
            published_inserts_are_logged_in_one_chain,
            a_correction_supersedes_and_a_withdrawal_withdraws,
            only_submitted_versions_publish_and_published_ones_never_change,
            state_changes_check_the_current_state,
            signoffs_round_trip_in_order,
            work_lists_filter_by_region_prefix_and_state,
            batch_reads_match_single_reads_and_every_submission_is_listed,
            scheduled_versions_come_due,
            staff_round_trip_with_grants_and_unique_usernames,
            sessions_are_found_and_revoked,
            login_failures_are_counted_by_account_or_address,
            the_audit_trail_reads_newest_first,
            checkpoints_round_trip,
            vouchers_import_idempotently_and_replace_unlocked_changes,
            a_changed_locked_voucher_is_a_conflict_and_nothing_is_stored,
            an_import_session_finds_repeats_across_batches_and_rolls_back_whole,
            receipts_attach_to_vouchers_once,
            integration_tokens_are_found_by_hash,
            saved_ledger_columns_are_replaced_per_village,
            records_upsert_idempotently_and_page_by_key,
            replacing_a_village_register_removes_what_is_gone,
            a_record_for_an_unknown_village_stores_nothing,
            platform_state_is_claimed_once_and_pruned);
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
        r("339921100000", "青山镇", Some("339921000000"), RegionKind::Town),
        r("339921100201", "前山村", Some("339921100000"), RegionKind::Village),
        r("339921100001", "青山社区", Some("339921100000"), RegionKind::Community),
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
        kind: DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: None,
        signoffs: vec![],
    }
}

fn draft(village: &str, title: &str) -> NewDisclosure {
    NewDisclosure { state: DisclosureState::Draft, published_at: None, ..disclosure(village, "party-life", title, 2) }
}

fn time(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, day, 3, 0, 0).unwrap()
}

fn signoff_record(hash: &str) -> SignoffRecord {
    SignoffRecord {
        staff_id: 1,
        reviewer: "王*明".into(),
        role: "supervision-committee".into(),
        at: time(1),
        content_hash: hash.into(),
        comment: Some("同意".into()),
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
    let ids = store.insert_disclosures(std::slice::from_ref(&new)).await.unwrap();
    let got = store.get_disclosure(ids[0]).await.unwrap();
    assert_eq!(got.id, ids[0]);
    assert_eq!(
        (got.village, &got.column, &got.catalog_item, got.period, &got.title, &got.body_md),
        (new.village, &new.column, &new.catalog_item, new.period, &new.title, &new.body_md)
    );
    assert_eq!((got.state, got.created_at, got.published_at), (new.state, new.created_at, new.published_at));
    assert_eq!(got.attachments, new.attachments);
}

pub async fn lists_are_newest_first_paginated_and_filtered_by_column(store: &dyn Store) {
    seeded(store).await;
    let batch: Vec<_> = (1..=7)
        .map(|day| {
            let column = if day % 2 == 0 { "finance-income" } else { "party-life" };
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
    let finance = store.list_disclosures(&query(vec!["finance-income", "nothing"], 1)).await.unwrap();
    assert_eq!(finance.total, 3);
    assert!(finance.items.iter().all(|d| d.column == "finance-income"));
}

pub async fn drafts_are_never_listed(store: &dyn Store) {
    seeded(store).await;
    let mut draft = disclosure("339921100201", "party-life", "草稿", 3);
    draft.state = DisclosureState::Draft;
    draft.published_at = None;
    store.insert_disclosures(&[draft]).await.unwrap();
    let query = DisclosureQuery { village: code("339921100201"), columns: vec![], page: 1, per_page: 10 };
    assert_eq!(store.list_disclosures(&query).await.unwrap().total, 0);
    assert_eq!(store.count_disclosures().await.unwrap(), 1);
}

pub async fn a_batch_with_one_bad_disclosure_stores_nothing(store: &dyn Store) {
    seeded(store).await;
    let good = disclosure("339921100201", "party-life", "好的", 3);
    // The village does not exist: the database refuses the row, and the whole batch with it.
    let bad = disclosure("339921100299", "party-life", "坏的", 4);
    let err = store.insert_disclosures(&[good.clone(), bad]).await.unwrap_err();
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
    assert_eq!(periods, vec![("income-expenditure".to_string(), "2026-01".parse::<Period>().unwrap())]);
}

pub async fn unknown_disclosure_is_not_found(store: &dyn Store) {
    let err = store.get_disclosure(DisclosureId(987_654)).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}

pub async fn migrating_twice_is_harmless(store: &dyn Store) {
    seeded(store).await;
    store.migrate().await.unwrap();
    assert_eq!(store.list_regions().await.unwrap().len(), 4);
}

pub async fn published_inserts_are_logged_in_one_chain(store: &dyn Store) {
    seeded(store).await;
    assert!(store.log_head().await.unwrap().is_none());
    let mut first = disclosure("339921100201", "party-life", "一", 3);
    first.signoffs = vec![signoff_record("x")];
    let batch = vec![first, draft("339921100201", "草稿"), disclosure("339921100001", "party-life", "二", 4)];
    let ids = store.insert_disclosures(&batch).await.unwrap();
    let log = store.log_entries(0, 100).await.unwrap();
    assert_eq!(log.len(), 2, "drafts are not logged");
    assert_eq!(log[0].prev_hash, GENESIS);
    assert_eq!((log[0].disclosure_id, log[1].disclosure_id), (ids[0].0, ids[2].0));
    assert_eq!(log[0].signoffs, vec![signoff_record("x")]);
    assert_eq!(log[0].action, LogAction::Publish);
    verify_chain(&log).unwrap();
    let stored = store.get_disclosure(ids[0]).await.unwrap();
    assert_eq!(log[0].content_hash, stored.content_hash(), "the log records the stored content's hash");
    assert_eq!(store.log_head().await.unwrap().unwrap(), log[1]);
    assert_eq!(store.log_entries_for(ids[2]).await.unwrap(), vec![log[1].clone()]);
    assert_eq!(store.log_entries(1, 10).await.unwrap(), vec![log[1].clone()]);
    assert_eq!(store.published_ids(DisclosureId(0), 10).await.unwrap(), vec![ids[0], ids[2]]);
}

pub async fn a_correction_supersedes_and_a_withdrawal_withdraws(store: &dyn Store) {
    seeded(store).await;
    let ids = store
        .insert_disclosures(&[
            disclosure("339921100201", "party-life", "原版", 3),
            disclosure("339921100201", "party-life", "另一条", 4),
        ])
        .await
        .unwrap();
    let mut correction = disclosure("339921100201", "party-life", "更正版", 5);
    correction.kind = DisclosureKind::Correction;
    correction.replaces = Some(ids[0]);
    correction.reason = Some("金额录入错误".into());
    let mut withdrawal = disclosure("339921100201", "party-life", "另一条", 6);
    withdrawal.kind = DisclosureKind::Withdrawal;
    withdrawal.replaces = Some(ids[1]);
    withdrawal.reason = Some("重复发布".into());
    let new = store.insert_disclosures(&[correction.clone(), withdrawal]).await.unwrap();
    assert_eq!(store.get_disclosure(ids[0]).await.unwrap().state, DisclosureState::Superseded);
    assert_eq!(store.get_disclosure(ids[1]).await.unwrap().state, DisclosureState::Withdrawn);
    let corrected = store.get_disclosure(new[0]).await.unwrap();
    assert_eq!(
        (corrected.version, corrected.replaces, corrected.reason.as_deref()),
        (2, Some(ids[0]), Some("金额录入错误"))
    );
    let log = store.log_entries(0, 10).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.action).collect::<Vec<_>>(),
        [LogAction::Publish, LogAction::Publish, LogAction::Correct, LogAction::Withdraw]
    );
    assert_eq!(log[3].reason.as_deref(), Some("重复发布"));
    let query = DisclosureQuery { village: code("339921100201"), columns: vec![], page: 1, per_page: 10 };
    let listed: Vec<_> =
        store.list_disclosures(&query).await.unwrap().items.into_iter().map(|d| (d.title, d.state)).collect();
    assert_eq!(
        listed,
        vec![("更正版".into(), DisclosureState::Published), ("另一条".into(), DisclosureState::Withdrawn)]
    );
    let replacements = store.list_replacements(ids[0]).await.unwrap();
    assert_eq!(replacements.iter().map(|r| r.id).collect::<Vec<_>>(), vec![new[0]]);
    // A superseded version cannot be corrected again: only the current one can.
    let mut again = correction;
    again.title = "再更正".into();
    let err = store.insert_disclosures(&[again]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.log_entries(0, 10).await.unwrap().len(), 4);
}

pub async fn only_submitted_versions_publish_and_published_ones_never_change(store: &dyn Store) {
    seeded(store).await;
    let ids = store.insert_disclosures(&[draft("339921100201", "草稿")]).await.unwrap();
    let err = store.publish(ids[0], time(2), &[]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    store.set_state(ids[0], &[DisclosureState::Draft], DisclosureState::Submitted, None, time(2)).await.unwrap();
    let entry = store.publish(ids[0], time(3), &[signoff_record("h")]).await.unwrap();
    assert_eq!((entry.seq, entry.disclosure_id), (1, ids[0].0));
    let published = store.get_disclosure(ids[0]).await.unwrap();
    assert_eq!((published.state, published.published_at), (DisclosureState::Published, Some(time(3))));
    let edit = DraftEdit {
        column: "party-life".into(),
        catalog_item: None,
        period: None,
        title: "偷改".into(),
        body_md: "偷改".into(),
        attachments: vec![],
        reason: None,
    };
    let err = store.update_draft(ids[0], &edit, time(4)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.get_disclosure(ids[0]).await.unwrap().title, "草稿");
    assert!(matches!(store.publish(ids[0], time(5), &[]).await.unwrap_err(), StoreError::Conflict(_)));
}

pub async fn state_changes_check_the_current_state(store: &dyn Store) {
    seeded(store).await;
    let ids = store.insert_disclosures(&[draft("339921100201", "草稿")]).await.unwrap();
    let err = store
        .set_state(ids[0], &[DisclosureState::Submitted], DisclosureState::Returned, None, time(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let err = store
        .set_state(DisclosureId(999_999), &[DisclosureState::Draft], DisclosureState::Submitted, None, time(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    store.set_state(ids[0], &[DisclosureState::Draft], DisclosureState::Submitted, None, time(2)).await.unwrap();
    let d = store.get_disclosure(ids[0]).await.unwrap();
    assert_eq!((d.state, d.submitted_at), (DisclosureState::Submitted, Some(time(2))));
    let edit = DraftEdit {
        column: "finance-income".into(),
        catalog_item: Some("income-expenditure".into()),
        period: Some("2026-03".parse().unwrap()),
        title: "改后".into(),
        body_md: "新正文".into(),
        attachments: vec![Attachment {
            file_name: "a.pdf".into(),
            media_type: "application/pdf".into(),
            byte_size: 9,
            sha256: "c".repeat(64),
        }],
        reason: None,
    };
    store.update_draft(ids[0], &edit, time(3)).await.unwrap();
    let d = store.get_disclosure(ids[0]).await.unwrap();
    assert_eq!(
        (d.title.as_str(), d.column.as_str(), d.attachments.len(), d.updated_at),
        ("改后", "finance-income", 1, time(3))
    );
}

pub async fn signoffs_round_trip_in_order(store: &dyn Store) {
    seeded(store).await;
    let staff = store.create_staff(&new_staff("reviewer")).await.unwrap();
    let ids = store.insert_disclosures(&[draft("339921100201", "草稿")]).await.unwrap();
    let mk = |decision, comment: &str, day| Signoff {
        disclosure_id: ids[0],
        staff_id: staff,
        reviewer_name: "审核人".into(),
        reviewer_role: "supervision-committee".into(),
        decision,
        comment: Some(comment.into()),
        content_hash: "d".repeat(64),
        at: time(day),
    };
    store.add_signoff(&mk(Decision::Return, "金额有误", 2)).await.unwrap();
    store.add_signoff(&mk(Decision::Approve, "同意", 3)).await.unwrap();
    let got = store.list_signoffs(ids[0]).await.unwrap();
    assert_eq!(got, vec![mk(Decision::Return, "金额有误", 2), mk(Decision::Approve, "同意", 3)]);
}

pub async fn work_lists_filter_by_region_prefix_and_state(store: &dyn Store) {
    seeded(store).await;
    store
        .insert_disclosures(&[
            draft("339921100201", "村的草稿"),
            draft("339921100001", "社区的草稿"),
            disclosure("339921100201", "party-life", "已公开", 3),
        ])
        .await
        .unwrap();
    let q = |prefixes: &[&str], states: &[DisclosureState]| WorkQuery {
        region_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        states: states.to_vec(),
        limit: 50,
    };
    let titles = |list: Vec<yangguang_core::DisclosureSummary>| list.into_iter().map(|d| d.title).collect::<Vec<_>>();
    assert_eq!(titles(store.list_work(&q(&["339921100201"], &[DisclosureState::Draft])).await.unwrap()), ["村的草稿"]);
    assert_eq!(titles(store.list_work(&q(&["339921100"], &[DisclosureState::Draft])).await.unwrap()).len(), 2);
    assert!(store.list_work(&q(&["339921101"], &[DisclosureState::Draft])).await.unwrap().is_empty());
    assert!(store.list_work(&q(&[], &[DisclosureState::Draft])).await.unwrap().is_empty());
}

/// The work list's reads: every submitted version in scope, the longest waiting first and
/// with no limit; several disclosures, sign-offs and published periods read at once agree
/// with the one-at-a-time reads.
pub async fn batch_reads_match_single_reads_and_every_submission_is_listed(store: &dyn Store) {
    seeded(store).await;
    let drafts: Vec<NewDisclosure> = (0..130)
        .map(|i| {
            let village = if i % 2 == 0 { "339921100201" } else { "339921100001" };
            let mut d = draft(village, &format!("送审 {i}"));
            if i % 3 == 0 {
                d.attachments = vec![Attachment {
                    file_name: format!("附件{i}.pdf"),
                    media_type: "application/pdf".into(),
                    byte_size: i,
                    sha256: "a".repeat(64),
                }];
            }
            d
        })
        .collect();
    let ids = store.insert_disclosures(&drafts).await.unwrap();
    // Submitted newest-id first, so the oldest submission is the last id.
    for (n, id) in ids.iter().rev().enumerate() {
        let at = time(1) + chrono::Duration::minutes(n as i64);
        store.set_state(*id, &[DisclosureState::Draft], DisclosureState::Submitted, None, at).await.unwrap();
    }
    let all = store.list_submitted(&["339921100".to_string()]).await.unwrap();
    assert_eq!(all.len(), 130);
    assert_eq!(all[0].id, *ids.last().unwrap(), "the longest waiting comes first");
    assert_eq!(all[129].id, ids[0]);
    let village = store.list_submitted(&["339921100201".to_string()]).await.unwrap();
    assert_eq!(village.len(), 65);
    assert!(store.list_submitted(&[]).await.unwrap().is_empty());

    let wanted = [ids[3], ids[0], DisclosureId(999_999), ids[129]];
    let many = store.get_disclosures(&wanted).await.unwrap();
    let one_by_one = vec![store.get_disclosure(ids[3]).await.unwrap(), store.get_disclosure(ids[0]).await.unwrap(), {
        store.get_disclosure(ids[129]).await.unwrap()
    }];
    assert_eq!(many, one_by_one, "in the order asked, unknown ids skipped");
    assert_eq!(many[0].attachments.len(), 1);

    let staff = store.create_staff(&new_staff("reviewer")).await.unwrap();
    for (id, day) in [(ids[5], 2), (ids[1], 3), (ids[5], 4)] {
        store
            .add_signoff(&Signoff {
                disclosure_id: id,
                staff_id: staff,
                reviewer_name: "审核人".into(),
                reviewer_role: "supervision-committee".into(),
                decision: Decision::Approve,
                comment: None,
                content_hash: "d".repeat(64),
                at: time(day),
            })
            .await
            .unwrap();
    }
    let both = store.signoffs_of(&[ids[1], ids[5]]).await.unwrap();
    let mut separately = store.list_signoffs(ids[5]).await.unwrap();
    separately.extend(store.list_signoffs(ids[1]).await.unwrap());
    separately.sort_by_key(|s| s.at);
    assert_eq!(both, separately);

    let mut published = disclosure("339921100001", "finance-income", "一月", 3);
    published.catalog_item = Some("income-expenditure".into());
    published.period = Some("2026-01".parse().unwrap());
    store.insert_disclosures(&[published]).await.unwrap();
    let periods = store.published_periods_of(&[code("339921100201"), code("339921100001")]).await.unwrap();
    assert_eq!(
        periods,
        vec![(code("339921100001"), "income-expenditure".to_string(), "2026-01".parse::<Period>().unwrap())]
    );
}

pub async fn scheduled_versions_come_due(store: &dyn Store) {
    seeded(store).await;
    let ids = store.insert_disclosures(&[draft("339921100201", "定时")]).await.unwrap();
    store
        .set_state(ids[0], &[DisclosureState::Draft], DisclosureState::Scheduled, Some(time(10)), time(2))
        .await
        .unwrap();
    assert!(store.due_scheduled(time(9)).await.unwrap().is_empty());
    assert_eq!(store.due_scheduled(time(10)).await.unwrap(), ids);
    store.publish(ids[0], time(10), &[]).await.unwrap();
    assert!(store.due_scheduled(time(11)).await.unwrap().is_empty());
}

fn new_staff(username: &str) -> NewStaff {
    NewStaff {
        username: username.into(),
        display_name: format!("{username} 的名字"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        must_change_password: true,
        grants: vec![
            Grant::new(Role::SupervisionMember, code("339921100201")).unwrap(),
            Grant::new(Role::TownshipReviewer, code("339921100000")).unwrap(),
        ],
        created_at: time(1),
    }
}

pub async fn staff_round_trip_with_grants_and_unique_usernames(store: &dyn Store) {
    seeded(store).await;
    let id = store.create_staff(&new_staff("wang")).await.unwrap();
    let mut staff = store.get_staff(id).await.unwrap();
    assert_eq!((staff.username.as_str(), staff.must_change_password, staff.grants.len()), ("wang", true, 2));
    assert_eq!(store.find_staff("wang").await.unwrap().unwrap(), staff);
    assert!(store.find_staff("nobody").await.unwrap().is_none());
    assert!(matches!(store.create_staff(&new_staff("wang")).await.unwrap_err(), StoreError::Conflict(_)));
    staff.must_change_password = false;
    staff.totp_secret = Some("JBSWY3DPEHPK3PXP".into());
    staff.grants = vec![Grant::new(Role::VillageClerk, code("339921100001")).unwrap()];
    store.update_staff(&staff).await.unwrap();
    assert_eq!(store.get_staff(id).await.unwrap(), staff);
    assert_eq!(store.list_staff().await.unwrap().len(), 1);
}

pub async fn sessions_are_found_and_revoked(store: &dyn Store) {
    seeded(store).await;
    let id = store.create_staff(&new_staff("li")).await.unwrap();
    let session = |hash: &str| Session {
        token_hash: hash.into(),
        staff_id: id,
        csrf_token: "csrf".into(),
        created_at: time(1),
        expires_at: time(2),
        revoked: false,
        ip: "127.0.0.1".into(),
    };
    store.create_session(&session("a")).await.unwrap();
    store.create_session(&session("b")).await.unwrap();
    assert_eq!(store.get_session("a").await.unwrap(), Some(session("a")));
    store.revoke_session("a").await.unwrap();
    assert!(store.get_session("a").await.unwrap().unwrap().revoked);
    assert_eq!(store.revoke_sessions(id).await.unwrap(), 1);
    assert!(store.get_session("b").await.unwrap().unwrap().revoked);
    assert!(store.get_session("zzz").await.unwrap().is_none());
}

pub async fn login_failures_are_counted_by_account_or_address(store: &dyn Store) {
    for (user, ip, day) in [("wang", "10.0.0.1", 1), ("wang", "10.0.0.2", 2), ("li", "10.0.0.1", 3)] {
        store.record_login_failure(user, ip, time(day)).await.unwrap();
    }
    assert_eq!(store.count_login_failures(Some("wang"), None, time(1)).await.unwrap(), 2);
    assert_eq!(store.count_login_failures(Some("wang"), None, time(2)).await.unwrap(), 1);
    assert_eq!(store.count_login_failures(None, Some("10.0.0.1"), time(1)).await.unwrap(), 2);
    assert_eq!(store.count_login_failures(Some("zhao"), Some("10.9.9.9"), time(1)).await.unwrap(), 0);
}

pub async fn the_audit_trail_reads_newest_first(store: &dyn Store) {
    for (i, action) in ["login", "draft", "publish"].iter().enumerate() {
        store
            .append_audit(&AuditEntry {
                at: time(1 + i as u32),
                staff_id: None,
                staff_name: "系统".into(),
                action: action.to_string(),
                target: "339921100201".into(),
                detail: String::new(),
                ip: "127.0.0.1".into(),
            })
            .await
            .unwrap();
    }
    let page = store.list_audit(1, 2).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), ["publish", "draft"]);
}

pub async fn checkpoints_round_trip(store: &dyn Store) {
    let cp = Checkpoint::sign(3, &"e".repeat(64), time(5), &[9u8; 32]);
    store.add_checkpoint(&cp).await.unwrap();
    let later = Checkpoint::sign(4, &"f".repeat(64), time(6), &[9u8; 32]);
    store.add_checkpoint(&later).await.unwrap();
    let got = store.list_checkpoints(10).await.unwrap();
    assert_eq!(got, vec![later, cp]);
    got[0].verify(None).unwrap();
}

fn voucher_lines(no: &str, amount: i64, day: u32) -> Vec<yangguang_core::ledger::LedgerEntry> {
    let line = |code: &str, debit: i64, credit: i64, row| yangguang_core::ledger::LedgerEntry {
        date: chrono::NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
        voucher_no: no.into(),
        summary: "收厂房租金".into(),
        account_code: code.into(),
        account_name: String::new(),
        debit: yangguang_core::Fen(debit),
        credit: yangguang_core::Fen(credit),
        attachments: 1,
        row,
    };
    vec![line("102", amount, 0, 1), line("501003", 0, amount, 2)]
}

fn ledger(vouchers: &[(&str, i64, u32)]) -> Vec<yangguang_core::ledger::Voucher> {
    let lines: Vec<_> = vouchers.iter().flat_map(|(no, a, d)| voucher_lines(no, *a, *d)).collect();
    yangguang_core::ledger::vouchers(&lines)
}

pub async fn vouchers_import_idempotently_and_replace_unlocked_changes(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let first = store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), time(1)).await.unwrap();
    assert_eq!((first.inserted, first.updated, first.unchanged), (2, 0, 0));
    let again = store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), time(2)).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2), "importing twice changes nothing");
    let overlap =
        store.import_vouchers(village, &ledger(&[("记-2", 250, 6), ("记-3", 300, 7)]), time(3)).await.unwrap();
    assert_eq!((overlap.inserted, overlap.updated, overlap.unchanged), (1, 1, 0));
    let from = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let to = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let entries = store.ledger_entries(village, from, to).await.unwrap();
    assert_eq!(entries.len(), 6, "no duplicates");
    let debits: i64 = entries.iter().map(|e| e.debit.0).sum();
    assert_eq!(debits, 100 + 250 + 300);
    assert_eq!(entries[0].account_code, "102");
    let other = store.ledger_entries(code("339921100001"), from, to).await.unwrap();
    assert!(other.is_empty(), "books are per village");
}

pub async fn a_changed_locked_voucher_is_a_conflict_and_nothing_is_stored(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5)]), time(1)).await.unwrap();
    let march =
        (chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    assert_eq!(store.lock_vouchers(village, march.0, march.1).await.unwrap(), 1);
    let outcome = store.import_vouchers(village, &ledger(&[("记-1", 999, 5), ("记-4", 50, 8)]), time(2)).await.unwrap();
    assert_eq!(outcome.conflicts, vec!["2026年3月 记-1".to_string()]);
    assert_eq!((outcome.inserted, outcome.updated), (0, 0));
    let entries = store.ledger_entries(village, march.0, march.1).await.unwrap();
    assert_eq!(entries.iter().map(|e| e.debit.0).sum::<i64>(), 100, "the locked voucher and the new one are untouched");
    let same = store.import_vouchers(village, &ledger(&[("记-1", 100, 5)]), time(3)).await.unwrap();
    assert_eq!((same.unchanged, same.conflicts.len()), (1, 0), "re-importing the locked voucher unchanged is fine");
}

pub async fn an_import_session_finds_repeats_across_batches_and_rolls_back_whole(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let march =
        (chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    let mut session = store.begin_import(village, time(1)).await.unwrap();
    assert!(session.add("a.csv", &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)])).await.unwrap().is_empty());
    // A later batch: 记-1 again from the same file, 记-2 identical from another, 记-3 new.
    let repeats = session.add("a.csv", &ledger(&[("记-3", 300, 7), ("记-1", 100, 5)])).await.unwrap();
    assert_eq!(repeats.len(), 1);
    assert_eq!((repeats[0].index, repeats[0].file.as_str(), repeats[0].first_row), (1, "a.csv", 1));
    let repeats = session.add("b.csv", &ledger(&[("记-2", 200, 6), ("记-3", 999, 7)])).await.unwrap();
    let found: Vec<(usize, &str, bool)> = repeats.iter().map(|r| (r.index, r.file.as_str(), r.same_content)).collect();
    assert_eq!(found, vec![(0, "a.csv", true), (1, "a.csv", false)]);
    assert_eq!(session.outcome().inserted, 3);
    assert!(store.ledger_entries(village, march.0, march.1).await.unwrap().is_empty(), "nobody sees an open import");
    let rolled_back = session.finish(false).await.unwrap();
    assert_eq!(rolled_back.inserted, 0);
    assert!(store.ledger_entries(village, march.0, march.1).await.unwrap().is_empty(), "a rollback stores nothing");
    // A new session starts with nothing seen.
    let mut session = store.begin_import(village, time(2)).await.unwrap();
    assert!(session.add("a.csv", &ledger(&[("记-1", 100, 5)])).await.unwrap().is_empty());
    assert_eq!(session.finish(true).await.unwrap().inserted, 1);
    assert_eq!(store.ledger_entries(village, march.0, march.1).await.unwrap().len(), 2);
}

pub async fn receipts_attach_to_vouchers_once(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), time(1)).await.unwrap();
    assert_eq!(store.voucher_numbers(village, 2026, 3).await.unwrap(), vec!["记-1".to_string(), "记-2".to_string()]);
    let r = |no: &str, hash: char| yangguang_store::Receipt {
        year: 2026,
        month: 3,
        voucher_no: no.into(),
        sha256: hash.to_string().repeat(64),
        media_type: "image/jpeg".into(),
        file_name: format!("{no}.jpg"),
        byte_size: 1234,
    };
    assert_eq!(store.add_receipts(village, &[r("记-1", 'a'), r("记-1", 'b'), r("记-2", 'c')]).await.unwrap(), 3);
    assert_eq!(store.add_receipts(village, &[r("记-1", 'a')]).await.unwrap(), 0, "the same scan twice is one receipt");
    let got = store.receipts(village, 2026, 3).await.unwrap();
    assert_eq!(got.iter().map(|x| x.sha256.chars().next().unwrap()).collect::<String>(), "abc");
    assert_eq!(store.receipt_month(village, &"c".repeat(64)).await.unwrap(), Some((2026, 3)));
    assert_eq!(store.receipt_month(code("339921100001"), &"c".repeat(64)).await.unwrap(), None);
    assert!(store.receipts(village, 2026, 4).await.unwrap().is_empty());
}

pub async fn integration_tokens_are_found_by_hash(store: &dyn Store) {
    let token = yangguang_store::IntegrationToken {
        token_hash: "f".repeat(64),
        name: "三资监管平台".into(),
        regions: vec![code("339921100000"), code("339921100201")],
        created_at: time(1),
    };
    store.create_token(&token).await.unwrap();
    assert_eq!(store.find_token(&"f".repeat(64)).await.unwrap(), Some(token));
    assert_eq!(store.find_token(&"e".repeat(64)).await.unwrap(), None);
}

pub async fn saved_ledger_columns_are_replaced_per_village(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    assert_eq!(store.ledger_columns(village).await.unwrap(), None);
    store.save_ledger_columns(village, r#"{"debit":["收"]}"#).await.unwrap();
    store.save_ledger_columns(village, r#"{"debit":["收入"]}"#).await.unwrap();
    assert_eq!(store.ledger_columns(village).await.unwrap().as_deref(), Some(r#"{"debit":["收入"]}"#));
    assert_eq!(store.ledger_columns(code("339921100001")).await.unwrap(), None);
}

fn record(village: &str, key: &str, body: &str) -> NewRecord {
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
