//! `yangguang verify` on the demo county: it passes, and it fails naming the item after each
//! kind of tampering done behind the platform's back — a published body changed by direct
//! SQL, a log entry deleted or reordered, an attachment file altered, a row slipped in as
//! published, an entry's canonical bytes edited. And the served log verifies from its tiles
//! with no database, online and from an offline bundle.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{AS_OF, Server, run, temp_dir};

/// The demo is created once; each test tampers with its own copy.
fn demo_copy(name: &str) -> PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    let base = BASE.get_or_init(|| {
        let dir = temp_dir("verify-base");
        let (status, stderr) = run(&["demo", "--data-dir", dir.to_str().unwrap(), "--as-of", AS_OF, "--no-serve"]);
        assert!(status.success(), "{stderr}");
        let (status, stderr) = run(&["checkpoint", "--data-dir", dir.to_str().unwrap()]);
        assert!(status.success(), "{stderr}");
        dir
    });
    let copy = temp_dir(name).join("data");
    let ok = std::process::Command::new("cp").arg("-a").arg(base).arg(&copy).status().unwrap();
    assert!(ok.success());
    copy
}

fn sql(data: &Path, statements: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", data.join("yangguang.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(statements).execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    });
}

fn verify(data: &Path) -> (bool, String) {
    let out = std::process::Command::new(common::BIN)
        .args(["verify", "--data-dir", data.to_str().unwrap()])
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn verify_passes_on_the_untouched_demo() {
    let data = demo_copy("clean");
    let (ok, text) = verify(&data);
    assert!(ok, "{text}");
    assert!(text.contains("OK:") && text.contains("1 tree checkpoints"), "{text}");
    assert!(!text.contains(" 0 frozen months"), "the demo's published months are frozen: {text}");
}

#[test]
fn a_published_body_changed_by_direct_sql_is_detected_and_named() {
    let data = demo_copy("body");
    sql(&data, "UPDATE disclosure SET body_md = body_md || '（已篡改）' WHERE disclosure_id = 1234;");
    let (ok, text) = verify(&data);
    assert!(!ok, "{text}");
    assert!(text.contains("事项 #1234") && text.contains("公开后被改动"), "{text}");
}

#[test]
fn a_deleted_log_entry_is_detected() {
    let data = demo_copy("deleted");
    // Behind the platform's back: the foreign key from the tree's leaves is switched off too.
    sql(&data, "PRAGMA foreign_keys = OFF; DELETE FROM log_entry WHERE seq = 500;");
    let (ok, text) = verify(&data);
    assert!(!ok, "{text}");
    assert!(text.contains("第 501 条") && text.contains("事项 #"), "{text}");
}

#[test]
fn reordered_log_entries_are_detected() {
    let data = demo_copy("reordered");
    sql(
        &data,
        "PRAGMA foreign_keys = OFF; UPDATE log_entry SET seq = -1 WHERE seq = 700; UPDATE log_entry SET seq = 700 WHERE seq = 701; UPDATE log_entry SET seq = 701 WHERE seq = -1;",
    );
    let (ok, text) = verify(&data);
    assert!(!ok, "{text}");
    assert!(text.contains("第 700 条"), "{text}");
}

#[test]
fn an_altered_attachment_file_is_detected_and_named() {
    let data = demo_copy("attachment");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (id, sha): (i64, String) = runtime.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", data.join("yangguang.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_as("SELECT disclosure_id, sha256 FROM attachment ORDER BY attachment_id LIMIT 1 OFFSET 40")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    });
    let file = data.join("files").join(&sha[..2]).join(&sha[2..]);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend_from_slice("张*明,9999.00\n".as_bytes());
    std::fs::write(&file, bytes).unwrap();
    let (ok, text) = verify(&data);
    assert!(!ok, "{text}");
    assert!(text.contains(&format!("事项 #{id}")) && text.contains("文件内容被改动"), "{text}");
}

#[test]
fn a_row_slipped_in_as_published_without_review_is_detected() {
    let data = demo_copy("slipped");
    sql(
        &data,
        "INSERT INTO disclosure (village_code, column_id, title, body_md, state, kind, version, created_at, updated_at, published_at)
         SELECT village_code, column_id, '未经审核的公告', '内容', 'published', 'original', 1, created_at, updated_at, published_at
         FROM disclosure WHERE disclosure_id = 1;",
    );
    let (ok, text) = verify(&data);
    assert!(!ok, "{text}");
    assert!(text.contains("未经审核的公告") && text.contains("公开记录中没有它"), "{text}");
}

#[test]
fn a_log_cut_back_past_its_signed_checkpoint_is_detected() {
    let data = demo_copy("truncated");
    // The last entry removed and its item made a draft again: what is left chains and agrees
    // with the items, but no longer makes the tree the last checkpoint signed.
    sql(
        &data,
        "PRAGMA foreign_keys = OFF;
         UPDATE disclosure SET state = 'draft' WHERE disclosure_id = (SELECT disclosure_id FROM log_entry ORDER BY seq DESC LIMIT 1);
         DELETE FROM log_leaf WHERE seq = (SELECT MAX(seq) FROM log_entry);
         DELETE FROM log_entry WHERE seq = (SELECT MAX(seq) FROM log_entry);",
    );
    let (ok, text) = verify(&data);
    assert!(!ok, "{text}");
    assert!(text.contains("检查点") && text.contains("signed checkpoint"), "{text}");
}

fn verify_mirror(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(common::BIN).arg("verify").args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// The log as anyone fetches it — checkpoint, tiles, entry bundles — verifies with no
/// database, from the server and from the offline bundle `--save` wrote; a changed tile or
/// entry, or another key, fails.
#[test]
fn the_served_log_verifies_from_its_tiles_online_and_offline() {
    let data = demo_copy("mirror");
    let server = Server::start(&["serve", "--data-dir", data.to_str().unwrap()]);
    let keys: serde_json::Value = serde_json::from_str(&server.get("/api/log/keys").body).unwrap();
    let key = keys["log_key"].as_str().unwrap().to_owned();
    let bundle = temp_dir("mirror-bundle").join("log");
    let url = format!("{}/log/", server.base());
    let (ok, text) = verify_mirror(&["--mirror", &url, "--key", &key, "--save", bundle.to_str().unwrap()]);
    assert!(ok && text.contains("OK:") && text.contains("entries"), "{text}");
    drop(server);
    let offline = bundle.to_str().unwrap();
    let (ok, text) = verify_mirror(&["--mirror", offline, "--key", &key]);
    assert!(ok, "the offline bundle verifies with the server gone: {text}");

    let tile = bundle.join("tile/0/000");
    let good = std::fs::read(&tile).unwrap();
    let mut bad = good.clone();
    bad[40] ^= 1;
    std::fs::write(&tile, &bad).unwrap();
    let (ok, text) = verify_mirror(&["--mirror", offline, "--key", &key]);
    assert!(!ok && text.contains("瓦片"), "a changed tile: {text}");
    std::fs::write(&tile, &good).unwrap();

    let entries = bundle.join("tile/entries/001");
    let good = std::fs::read(&entries).unwrap();
    let text = String::from_utf8_lossy(&good).replacen("\"version\":1", "\"version\":2", 1);
    std::fs::write(&entries, text.as_bytes()).unwrap();
    let (ok, text) = verify_mirror(&["--mirror", offline, "--key", &key]);
    assert!(!ok && text.contains("条目包"), "a changed entry: {text}");
    std::fs::write(&entries, &good).unwrap();

    let other = key.replace("yangguang/", "someone-else/");
    let (ok, text) = verify_mirror(&["--mirror", offline, "--key", &other]);
    assert!(!ok, "another key: {text}");
}

/// A data directory from before the tree: its entries get their bytes at start, in the same
/// order, and the tree is the one signed before.
#[test]
fn an_older_data_directory_upgrades_at_start_to_the_same_tree() {
    let data = demo_copy("upgrade");
    let root_before = checkpoint_root(&data);
    sql(&data, "DELETE FROM log_leaf; DELETE FROM tree_checkpoint;");
    let (status, stderr) = run(&["checkpoint", "--data-dir", data.to_str().unwrap()]);
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("transparency log upgraded"), "{stderr}");
    assert_eq!(checkpoint_root(&data), root_before);
    let (ok, text) = verify(&data);
    assert!(ok, "{text}");
}

fn checkpoint_root(data: &Path) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", data.join("yangguang.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar("SELECT root_hash FROM tree_checkpoint ORDER BY tree_size DESC LIMIT 1")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    })
}

#[test]
fn an_entry_changed_in_the_tree_is_detected_and_named() {
    let data = demo_copy("leaf");
    sql(&data, "UPDATE log_leaf SET entry = replace(entry, '\"version\":1', '\"version\":3') WHERE seq = 42;");
    let (ok, text) = verify(&data);
    assert!(!ok && text.contains("第 42 条"), "{text}");
}

/// A line of a published month's books, and the voucher it belongs to.
const FROZEN_LINE: &str = "SELECT e.ledger_entry_id FROM ledger_entry e JOIN voucher v ON v.voucher_id = e.voucher_id
     JOIN book_lock b ON b.village_code = v.village_code AND b.year = v.year AND b.month = v.month
     ORDER BY e.ledger_entry_id LIMIT 1";

#[test]
fn a_ledger_line_changed_by_direct_sql_in_a_published_month_is_named() {
    let data = demo_copy("ledger-line");
    sql(&data, &format!("UPDATE ledger_entry SET credit = credit + 100 WHERE ledger_entry_id = ({FROZEN_LINE});"));
    let (ok, text) = verify(&data);
    assert!(!ok, "{text}");
    assert!(text.contains("凭证") && text.contains("分录与入账时不符") && text.contains("年"), "{text}");
}

#[test]
fn a_voucher_removed_from_a_published_month_is_named_from_the_signed_ledger() {
    let data = demo_copy("voucher-removed");
    sql(
        &data,
        &format!(
            "CREATE TEMP TABLE gone AS SELECT voucher_id FROM ledger_entry WHERE ledger_entry_id = ({FROZEN_LINE});
             DELETE FROM ledger_entry WHERE voucher_id IN (SELECT voucher_id FROM gone);
             DELETE FROM voucher WHERE voucher_id IN (SELECT voucher_id FROM gone);"
        ),
    );
    let (ok, text) = verify(&data);
    assert!(!ok, "{text}");
    assert!(text.contains("删除了凭证"), "{text}");
}

/// Another process writing to the database in many small transactions, as a busy server does,
/// until `stop`; counts its commits in `done`.
fn keep_writing(
    data: PathBuf,
    done: std::sync::Arc<std::sync::atomic::AtomicU64>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::Ordering;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(data.join("yangguang.db"))
            .busy_timeout(std::time::Duration::from_secs(30))
            .connect()
            .await
            .unwrap();
        while !stop.load(Ordering::Relaxed) {
            let n = done.load(Ordering::Relaxed);
            sqlx::query(
                "INSERT INTO audit (at, staff_id, staff_name, action, target, detail, ip)
                 VALUES ('2026-11-24T00:00:00Z', NULL, '压力写入', 'load', $1, '', '127.0.0.1')",
            )
            .bind(format!("row {n}"))
            .execute(&mut conn)
            .await
            .unwrap();
            done.fetch_add(1, Ordering::Relaxed);
        }
    });
}

#[test]
fn a_backup_taken_during_heavy_writes_restores_and_verifies() {
    use std::sync::atomic::Ordering;
    let data = demo_copy("backup");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = std::thread::spawn({
        let (data, done, stop) = (data.clone(), done.clone(), stop.clone());
        move || keep_writing(data, done, stop)
    });
    while done.load(Ordering::Relaxed) < 200 {
        std::thread::yield_now();
    }
    let dest = temp_dir("backup-copy").join("copy");
    let (status, stderr) = run(&["backup", "--data-dir", data.to_str().unwrap(), dest.to_str().unwrap()]);
    let during = done.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(status.success(), "{stderr}");
    assert!(during > 200, "the writes went on during the backup");
    assert!(dest.join("backup.json").exists() && dest.join("keys").exists() && dest.join("files").exists());

    let (status, stderr) = run(&["backup", "--data-dir", data.to_str().unwrap(), dest.to_str().unwrap()]);
    assert!(!status.success() && stderr.contains("不是空的"), "a backup never mixes with another: {stderr}");

    let restored = temp_dir("backup-restored").join("data");
    let (status, stderr) = run(&["restore", "--data-dir", restored.to_str().unwrap(), dest.to_str().unwrap()]);
    assert!(status.success(), "{stderr}");
    let (ok, text) = verify(&restored);
    assert!(ok, "the restored copy verifies: {text}");
    let (status, stderr) = run(&["restore", "--data-dir", restored.to_str().unwrap(), dest.to_str().unwrap()]);
    assert!(!status.success() && stderr.contains("不是空的"), "a restore never overwrites: {stderr}");
}
