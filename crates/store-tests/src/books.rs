//! Vouchers, import sessions, receipts, integration tokens and ledger columns.

use super::*;

pub(crate) fn voucher_lines(no: &str, amount: i64, day: u32) -> Vec<yangguang_core::ledger::LedgerEntry> {
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

pub(crate) fn ledger(vouchers: &[(&str, i64, u32)]) -> Vec<yangguang_core::ledger::Voucher> {
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

/// The bulk paths (a statement per row on SQLite, COPY's CSV on PostgreSQL) keep every
/// character a clerk's books can hold, and empty text stays empty text, not NULL.
pub async fn bulk_written_lines_keep_every_character(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let texts = ["", "\"租金\", 第一期", "两行\n摘要", "反斜杠 \\N \\ 和\t制表", "NULL", "  空格  "];
    let mut lines = vec![];
    for (i, text) in texts.iter().enumerate() {
        let no = format!("记-{}", i + 1);
        let mut pair = voucher_lines(&no, 100 + i as i64, 5 + i as u32);
        pair[0].summary = (*text).into();
        pair[1].account_name = (*text).into();
        lines.extend(pair);
    }
    let vouchers = yangguang_core::ledger::vouchers(&lines);
    let outcome = store.import_vouchers(village, &vouchers, time(1)).await.unwrap();
    assert_eq!(outcome.inserted, texts.len() as u64);
    let from = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let to = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let entries = store.ledger_entries(village, from, to).await.unwrap();
    assert_eq!(entries.len(), lines.len());
    for (i, text) in texts.iter().enumerate() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 5 + i as u32).unwrap();
        let of_day: Vec<_> = entries.iter().filter(|e| e.date == day).collect();
        assert_eq!(of_day.len(), 2, "both lines of 记-{}", i + 1);
        assert!(of_day.iter().any(|e| e.summary == *text && e.debit.0 == 100 + i as i64), "{text:?}: {of_day:?}");
        assert!(of_day.iter().any(|e| e.account_name == *text && e.credit.0 == 100 + i as i64), "{text:?}: {of_day:?}");
    }
    let again = store.import_vouchers(village, &vouchers, time(2)).await.unwrap();
    assert_eq!(again.unchanged, texts.len() as u64, "importing the same books again changes nothing");
}

pub async fn a_changed_locked_voucher_is_a_conflict_and_nothing_is_stored(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5)]), time(1)).await.unwrap();
    let march =
        (chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    assert_eq!(store.freeze_books(village, (2026, 3), (2026, 3), DisclosureId(7)).await.unwrap(), 1);
    let outcome = store.import_vouchers(village, &ledger(&[("记-1", 999, 5), ("记-4", 50, 8)]), time(2)).await.unwrap();
    assert_eq!(outcome.conflicts.len(), 2, "the changed voucher and the new one: {:?}", outcome.conflicts);
    assert_eq!(outcome.conflicts[0], "2026年3月 记-1");
    assert!(outcome.conflicts[1].starts_with("2026年3月 记-4"), "{:?}", outcome.conflicts);
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
        needs_recheck: false,
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

/// Publishing the monthly accounts freezes the month in the same transaction, if its vouchers
/// are still the ones signed; afterwards no import may add or change a voucher in it.
pub async fn published_books_are_frozen_against_new_and_changed_vouchers(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let march = ((2026, 3), (2026, 3));
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), time(1)).await.unwrap();
    let signed = store.books_fingerprint(village, march.0, march.1).await.unwrap();
    assert_eq!(signed, store.books_fingerprint(village, march.0, march.1).await.unwrap(), "stable");
    let mut d = draft("339921100201", "三月收支");
    d.state = DisclosureState::Submitted;
    let ids = store.insert_disclosures(&[d.clone(), d]).await.unwrap();

    // Books changed after the review: the publication is refused whole.
    store.import_vouchers(village, &ledger(&[("记-2", 250, 6)]), time(2)).await.unwrap();
    let stale = BookFreeze { village, from: march.0, to: march.1, fingerprint: signed.clone() };
    let err = store.publish_freezing(ids[0], time(3), &[], Some(&stale)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.get_disclosure(ids[0]).await.unwrap().state, DisclosureState::Submitted);
    assert!(store.log_head().await.unwrap().is_none(), "nothing was logged");
    assert!(store.frozen_months(village).await.unwrap().is_empty());

    let now = store.books_fingerprint(village, march.0, march.1).await.unwrap();
    assert_ne!(now, signed);
    let books = BookFreeze { village, from: march.0, to: march.1, fingerprint: now.clone() };
    store.publish_freezing(ids[1], time(4), &[], Some(&books)).await.unwrap();
    let frozen = store.frozen_months(village).await.unwrap();
    assert_eq!(frozen.len(), 1);
    assert_eq!((frozen[0].year, frozen[0].month, &frozen[0].fingerprint), (2026, 3, &now));
    assert_eq!(frozen[0].disclosure_id, ids[1]);

    // A new voucher in the frozen month is refused and nothing of the import is stored.
    let added = store.import_vouchers(village, &ledger(&[("记-3", 999, 9), ("记-1", 100, 5)]), time(5)).await.unwrap();
    assert_eq!(added.conflicts.len(), 1, "{:?}", added.conflicts);
    assert!(added.conflicts[0].contains("记-3"));
    assert_eq!((added.inserted, added.updated), (0, 0));
    assert_eq!(store.books_fingerprint(village, march.0, march.1).await.unwrap(), now, "the month is untouched");
    // Another month is open as before.
    let april = store.import_vouchers(code("339921100001"), &ledger(&[("记-3", 999, 9)]), time(6)).await.unwrap();
    assert_eq!(april.inserted, 1, "another village's March is not frozen");
}
