//! The receipt tray: scans waiting for a voucher, assigned, removed and detached back.

use super::books::ledger;
use super::*;

pub async fn the_receipt_tray_moves_scans_onto_vouchers_and_back(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let other = code("339921100202");
    store.import_vouchers(village, &ledger(&[("记-1", 100, 5), ("记-2", 200, 6)]), time(1)).await.unwrap();
    let scan = |hash: char| yangguang_store::NewTrayScan {
        year: 2026,
        month: 3,
        sha256: hash.to_string().repeat(64),
        media_type: "image/jpeg".into(),
        file_name: format!("{hash}.jpg"),
        byte_size: 99,
    };
    assert_eq!(store.add_to_tray(village, &[scan('a'), scan('b'), scan('c')], time(2)).await.unwrap(), 3);
    assert_eq!(store.add_to_tray(village, &[scan('a')], time(3)).await.unwrap(), 0, "one scan, one place in the tray");
    let tray = store.tray(village, 2026, 3).await.unwrap();
    assert_eq!(tray.iter().map(|s| s.file_name.as_str()).collect::<Vec<_>>(), ["a.jpg", "b.jpg", "c.jpg"]);
    assert_eq!(tray[0].added_at, time(2));
    assert!(store.tray(village, 2026, 4).await.unwrap().is_empty());
    assert!(store.tray(other, 2026, 3).await.unwrap().is_empty());

    // Another village cannot take this village's scans.
    assert!(matches!(store.assign_from_tray(other, tray[0].id, "记-1").await, Err(StoreError::NotFound)));
    // A voucher the month does not have: nothing moves.
    assert!(matches!(store.assign_from_tray(village, tray[0].id, "记-9").await, Err(StoreError::Invalid(_))));
    assert_eq!(store.tray(village, 2026, 3).await.unwrap().len(), 3);

    let r = store.assign_from_tray(village, tray[0].id, "记-1").await.unwrap();
    assert_eq!((r.voucher_no.as_str(), r.file_name.as_str(), r.byte_size), ("记-1", "a.jpg", 99));
    assert!(matches!(store.assign_from_tray(village, tray[0].id, "记-1").await, Err(StoreError::NotFound)));
    store.assign_from_tray(village, tray[1].id, "记-2").await.unwrap();
    let receipts = store.receipts(village, 2026, 3).await.unwrap();
    assert_eq!(receipts.iter().map(|r| r.voucher_no.as_str()).collect::<Vec<_>>(), ["记-1", "记-2"]);
    assert_eq!(store.tray(village, 2026, 3).await.unwrap().len(), 1);

    let removed = store.remove_from_tray(village, tray[2].id).await.unwrap();
    assert_eq!(removed.sha256, "c".repeat(64));
    assert!(store.tray(village, 2026, 3).await.unwrap().is_empty());

    // Detached from the wrong voucher, the scan is back in the tray to assign again.
    let a = "a".repeat(64);
    assert!(matches!(store.detach_receipt(village, (2026, 3, "记-2"), &a, time(4)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.detach_receipt(other, (2026, 3, "记-1"), &a, time(4)).await, Err(StoreError::NotFound)));
    let back = store.detach_receipt(village, (2026, 3, "记-1"), &a, time(4)).await.unwrap();
    assert_eq!((back.file_name.as_str(), back.added_at), ("a.jpg", time(4)));
    assert_eq!(store.receipts(village, 2026, 3).await.unwrap().len(), 1);
    store.assign_from_tray(village, back.id, "记-2").await.unwrap();
    let receipts = store.receipts(village, 2026, 3).await.unwrap();
    assert_eq!(receipts.iter().filter(|r| r.voucher_no == "记-2").count(), 2);
}
