//! Regions, disclosures, sign-offs, work lists and the publication log.

use super::*;

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
    // Each entry's canonical bytes (the Merkle tree's leaves) say what it is and what it replaces.
    let leaves = store.leaf_entries(0, 10).await.unwrap();
    assert_eq!(leaves.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let parsed: Vec<LeafEntry> = leaves.iter().map(|(_, b)| LeafEntry::parse(b.as_bytes()).unwrap()).collect();
    assert_eq!(parsed[2].replaces, Some(Replaced { disclosure: ids[0].0, version: 1 }));
    assert_eq!(
        (parsed[3].kind, parsed[3].replaces.as_ref().map(|r| r.disclosure)),
        (LogAction::Withdraw, Some(ids[1].0))
    );
    assert!(parsed.iter().zip(&log).all(|(leaf, e)| leaf.chain == e.entry_hash && leaf.content_hash == e.content_hash));
    let hashes = store.leaf_hashes(0, 10).await.unwrap();
    assert_eq!(hashes[0].1, hex::encode(yangguang_core::tlog::leaf_hash(leaves[0].1.as_bytes())));
    assert_eq!(store.fill_leaves(100).await.unwrap(), 0, "nothing is left without its bytes");
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

pub async fn tree_checkpoints_round_trip_once_per_size(store: &dyn Store) {
    let cp = |size: i64, note: &str| TreeCheckpoint {
        tree_size: size,
        root_hash: format!("{size:064}"),
        note: note.into(),
        signed_at: time(size as u32),
    };
    store.add_tree_checkpoint(&cp(3, "three")).await.unwrap();
    store.add_tree_checkpoint(&cp(7, "seven")).await.unwrap();
    store.add_tree_checkpoint(&cp(3, "another three")).await.unwrap();
    assert_eq!(store.list_tree_checkpoints(10).await.unwrap(), vec![cp(7, "seven"), cp(3, "three")]);
    store.set_tree_checkpoint_note(3, "three, cosigned").await.unwrap();
    assert_eq!(store.tree_checkpoint(3).await.unwrap(), Some(cp(3, "three, cosigned")));
    assert_eq!(store.tree_checkpoint(4).await.unwrap(), None);
    assert!(matches!(store.set_tree_checkpoint_note(4, "x").await, Err(StoreError::NotFound)));
}
