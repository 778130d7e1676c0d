//! Import previews, stored vouchers for comparison, and scans flagged for re-checking.

use super::*;
use crate::books::ledger;
use yangguang_store::ImportPreview;

fn preview(id: char, staff_id: i64, expires_day: u32) -> ImportPreview {
    ImportPreview {
        id: id.to_string().repeat(64),
        kind: "ledger".into(),
        village: code("339921100201"),
        staff_id,
        file_sha256: "f".repeat(64),
        settings: r#"{"files":[["a.csv",3]]}"#.into(),
        basis: "basis-1".into(),
        files: vec![0xe8, 0xb4, 0xa6],
        created_at: time(1),
        expires_at: time(expires_day),
    }
}

async fn clerk(store: &dyn Store, name: &str) -> i64 {
    store
        .create_staff(&NewStaff {
            username: name.into(),
            display_name: name.into(),
            password_hash: "x".into(),
            must_change_password: false,
            phone: None,
            grants: vec![Grant { role: Role::VillageClerk, region: code("339921100201") }],
            created_at: time(1),
        })
        .await
        .unwrap()
}

pub async fn a_preview_is_taken_once_by_its_clerk_for_its_village_before_it_expires(store: &dyn Store) {
    seeded(store).await;
    let (mine, other) = (clerk(store, "clerk-a").await, clerk(store, "clerk-b").await);
    let village = code("339921100201");
    store.save_preview(&preview('a', mine, 5)).await.unwrap();
    // Previewing the same file again keeps one preview, with the newer basis.
    store.save_preview(&ImportPreview { basis: "basis-2".into(), ..preview('a', mine, 5) }).await.unwrap();
    assert_eq!(
        store.take_preview(&"a".repeat(64), other, village, time(2)).await.unwrap(),
        None,
        "not another clerk's"
    );
    assert_eq!(store.take_preview(&"a".repeat(64), mine, code("339921100001"), time(2)).await.unwrap(), None);
    assert_eq!(store.take_preview(&"a".repeat(64), mine, village, time(6)).await.unwrap(), None, "not once expired");
    let taken = store.take_preview(&"a".repeat(64), mine, village, time(2)).await.unwrap().expect("the clerk's own");
    assert_eq!((taken.basis.as_str(), taken.files.as_slice()), ("basis-2", &[0xe8, 0xb4, 0xa6][..]));
    assert_eq!(taken.created_at, time(1));
    assert_eq!(store.take_preview(&"a".repeat(64), mine, village, time(2)).await.unwrap(), None, "taken once");
    // Pruning forgets the expired ones only.
    store.save_preview(&preview('b', mine, 3)).await.unwrap();
    store.save_preview(&preview('c', mine, 9)).await.unwrap();
    assert_eq!(store.prune_previews(time(4)).await.unwrap(), 1);
    assert_eq!(store.take_preview(&"b".repeat(64), mine, village, time(2)).await.unwrap(), None, "pruned");
    assert!(store.take_preview(&"c".repeat(64), mine, village, time(4)).await.unwrap().is_some());
}

pub async fn stored_vouchers_come_with_their_lines_and_lock(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), time(1)).await.unwrap();
    let keys = [(2026, 3, "记-2".to_string()), (2026, 3, "记-9".to_string()), (2026, 4, "记-1".to_string())];
    let found = store.stored_vouchers(village, &keys).await.unwrap();
    assert_eq!(found.len(), 1, "only 记-2 of March is stored");
    assert_eq!((found[0].number.as_str(), found[0].locked, found[0].lines.len()), ("记-2", false, 2));
    assert_eq!(found[0].lines[0].debit.0, 200);
    assert_eq!(found[0].content_hash, ledger(&[("记-2", 200, 6)])[0].content_hash);
    store.freeze_books(village, (2026, 3), (2026, 3), DisclosureId(7)).await.unwrap();
    assert!(store.stored_vouchers(village, &keys).await.unwrap()[0].locked);
    assert!(store.stored_vouchers(code("339921100001"), &keys).await.unwrap().is_empty(), "per village");
}

pub async fn a_changed_voucher_flags_its_scans_until_a_clerk_confirms_them(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), time(1)).await.unwrap();
    let r = |no: &str, hash: char| yangguang_store::Receipt {
        year: 2026,
        month: 3,
        voucher_no: no.into(),
        sha256: hash.to_string().repeat(64),
        media_type: "image/jpeg".into(),
        file_name: format!("{no}.jpg"),
        byte_size: 1,
        needs_recheck: false,
    };
    store.add_receipts(village, &[r("记-1", 'a'), r("记-2", 'b'), r("记-2", 'c')]).await.unwrap();
    // Same 记-1, changed 记-2: its two scans are flagged, 记-1's is not.
    let outcome =
        store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 999, 6)]), time(2)).await.unwrap();
    assert_eq!((outcome.updated, outcome.flagged), (1, 2));
    let flagged = store.flagged_receipts(village).await.unwrap();
    assert_eq!(flagged.iter().map(|x| x.sha256.chars().next().unwrap()).collect::<String>(), "bc");
    let month = store.receipts(village, 2026, 3).await.unwrap();
    assert_eq!(month.iter().map(|x| x.needs_recheck).collect::<Vec<_>>(), [false, true, true]);
    // A rolled-back import flags nothing.
    let mut session = store.begin_import(village, time(3)).await.unwrap();
    session.add("", &ledger(&[("记-1", 5, 5)])).await.unwrap();
    assert_eq!(session.outcome().flagged, 1, "the preview counts what would be flagged");
    assert_eq!(session.finish(false).await.unwrap().flagged, 0);
    assert!(!store.receipts(village, 2026, 3).await.unwrap()[0].needs_recheck);
    // Confirming clears one scan once.
    assert!(store.confirm_receipt(village, 2026, 3, "记-2", &"b".repeat(64)).await.unwrap());
    assert!(!store.confirm_receipt(village, 2026, 3, "记-2", &"b".repeat(64)).await.unwrap(), "already cleared");
    assert!(!store.confirm_receipt(code("339921100001"), 2026, 3, "记-2", &"c".repeat(64)).await.unwrap());
    assert_eq!(store.flagged_receipts(village).await.unwrap().len(), 1);
}
