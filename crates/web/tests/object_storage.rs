//! Files on S3-compatible object storage, through the real server against a real S3 server
//! (`s3s-fs`, see `common/s3.rs`): a receipt photo uploaded at the desk lands in the bucket,
//! is served back through the public receipt URLs (full and thumbnail), a duplicate upload
//! sends nothing again, and an object missing from the bucket gives the not-found page, not a
//! 500 — nor does a bucket that stopped answering.

mod common;

use std::io::Cursor;

use chrono::{NaiveDate, TimeZone, Utc};
use common::code;
use common::s3::S3Server;
use common::server::{Client, start};
use yangguang_app::files::FileStore;
use yangguang_app::keys::PlatformKey;
use yangguang_core::ledger::{LedgerEntry, vouchers};
use yangguang_core::staff::Role;
use yangguang_core::{DisclosureKind, DisclosureState, Fen, NewDisclosure};
use yangguang_store::{LedgerStore, Store};

const VILLAGE: &str = "339921100201";

fn line(no: &str, account: &str, debit: i64, credit: i64, att: u32) -> LedgerEntry {
    LedgerEntry {
        date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
        voucher_no: no.into(),
        summary: "购办公用品".into(),
        account_code: account.into(),
        account_name: String::new(),
        debit: Fen(debit),
        credit: Fen(credit),
        attachments: att,
        row: 0,
    }
}

/// A camera photo (a JPEG big enough to get its own thumbnail).
fn photo(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([seed, (x / 3) as u8, (y / 2) as u8]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_live_in_the_bucket_and_come_back_through_the_public_urls() {
    let Some(s3) = S3Server::start("web") else { return };
    let files = FileStore::s3(&s3.config("county-339921")).unwrap();
    files.check().await.expect("the bucket answers");

    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    store
        .import_vouchers(
            code(VILLAGE),
            &vouchers(&[line("记-001", "531002", 32_050, 0, 1), line("记-001", "101", 0, 32_050, 1)]),
            Utc::now(),
        )
        .await
        .unwrap();
    let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(store);
    let site = yangguang_app::Site::new(
        store,
        yangguang_app::catalog_files::default_catalog(),
        files,
        PlatformKey::from_secret([7; 32]),
    )
    .await
    .unwrap();
    let at = Utc.with_ymd_and_hms(2026, 4, 5, 2, 0, 0).unwrap();
    site.add_disclosures(&[NewDisclosure {
        village: code(VILLAGE),
        column: "finance-income".into(),
        catalog_item: Some("income-expenditure".into()),
        period: Some("2026-03".parse().unwrap()),
        title: "2026年3月收支明细及原始票据".into(),
        body_md: "见收支明细账".into(),
        state: DisclosureState::Published,
        created_at: at,
        published_at: Some(at),
        attachments: vec![],
        kind: DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: None,
        signoffs: vec![],
    }])
    .await
    .unwrap();
    let state = yangguang_web::AppState::new(std::sync::Arc::new(site));
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let base = start(state.clone()).await;
    let staff = Client::new(&base, Some(clerk));
    let public = Client::new(&base, None);

    // Uploaded at the desk: the scan and its thumbnail are objects under the prefix.
    let fields = [("csrf", "c"), ("village", VILLAGE), ("month", "2026-03")];
    let up = staff.post_multipart("/console/receipts/upload", &fields, &[("记-001.jpg", &photo(1))]).await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert!(up.body.contains("已上传 1 张到“待分配”"), "{}", up.body);
    let scan = state.site.store.tray(code(VILLAGE), 2026, 3).await.unwrap().remove(0);
    let content_key = format!("county-339921/{}/{}", &scan.sha256[..2], &scan.sha256[2..]);
    let thumb_key = format!("county-339921/thumbs/{}.jpg", scan.sha256);
    let objects = s3.objects();
    assert_eq!(objects, [content_key.clone(), thumb_key.clone()], "the scan and its thumbnail, nothing else");
    let stored = std::fs::read(s3.object_path(&content_key)).unwrap();
    assert_eq!(yangguang_app::files::sha256_hex(&stored), scan.sha256, "stored under its own hash");

    // The same photo again: not a second scan, and nothing written to the bucket again.
    let modified = std::fs::metadata(s3.object_path(&content_key)).unwrap().modified().unwrap();
    let again = staff.post_multipart("/console/receipts/upload", &fields, &[("记-001.jpg", &photo(1))]).await;
    assert!(again.body.contains("1 张此前已上传"), "{}", again.body);
    assert_eq!(s3.objects().len(), 2);
    assert_eq!(std::fs::metadata(s3.object_path(&content_key)).unwrap().modified().unwrap(), modified);

    // Assigned and published: the public receipt URLs read it back from the bucket.
    let done = staff.post("/console/receipts/assign-suggested", &fields).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let full = public.get(&format!("/v/{VILLAGE}/receipts/{}/full", scan.sha256)).await;
    assert_eq!(full.status, 200, "{}", full.body);
    assert_eq!(full.bytes, stored);
    assert_eq!(full.header("content-type"), "image/jpeg");
    let thumb = public.get(&format!("/v/{VILLAGE}/receipts/{}/thumb", scan.sha256)).await;
    assert_eq!(thumb.status, 200);
    assert_eq!(thumb.bytes, std::fs::read(s3.object_path(&thumb_key)).unwrap());
    assert!(thumb.bytes.len() < stored.len(), "the thumbnail is the small one");
    let viewer = public.get(&format!("/v/{VILLAGE}/finance/2026-03/receipt/{}", scan.sha256)).await;
    assert_eq!(viewer.status, 200, "{}", viewer.body);

    // An object lost from the bucket: the reader gets the not-found page, not a server error.
    std::fs::remove_file(s3.object_path(&content_key)).unwrap();
    let gone = public.get(&format!("/v/{VILLAGE}/receipts/{}/full", scan.sha256)).await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    assert!(gone.header("content-type").starts_with("text/html"), "the error page");
    // An object altered in the bucket is refused, not served.
    std::fs::write(s3.object_path(&content_key), b"altered").unwrap();
    let altered = public.get(&format!("/v/{VILLAGE}/receipts/{}/full", scan.sha256)).await;
    assert_eq!(altered.status, 503, "{}", altered.body);
    assert_ne!(altered.bytes, b"altered");

    // The bucket stops answering: the unavailable page, and the clerk's upload is refused
    // with the reason instead of a 500.
    drop(s3);
    let down = public.get(&format!("/v/{VILLAGE}/receipts/{}/thumb", scan.sha256)).await;
    assert_eq!(down.status, 503, "{}", down.body);
    let refused = staff.post_multipart("/console/receipts/upload", &fields, &[("记-001b.jpg", &photo(2))]).await;
    assert_ne!(refused.status, 500, "{}", refused.body);
    assert!(refused.body.contains("对象存储出错"), "{}", refused.body);
}
