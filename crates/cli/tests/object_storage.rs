//! The real binary on S3-compatible storage (`s3s-fs`, started by the test): `files migrate`
//! copies a data directory's files into the bucket, resumably, refusing a file that does not
//! match its hash; a wrong secret stops the command with a message that does not show it;
//! `backup` streams the bucket into the backup and stops at an altered object; `restore` puts
//! the files into another prefix, and `verify` runs on the result. A small data set: the CI run
//! stays short.

#[path = "../../web/tests/common/s3.rs"]
mod s3;

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, temp_dir};
use s3::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY};
use sha2::{Digest, Sha256};

fn hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Runs the binary with `[files]` pointing at the test's bucket under `prefix`.
fn yangguang(s3: &S3Server, prefix: &str, secret: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("YANGGUANG_CONFIG")
        .env("YANGGUANG__FILES__BACKEND", "s3")
        .env("YANGGUANG__FILES__BUCKET", BUCKET)
        .env("YANGGUANG__FILES__ENDPOINT", &s3.endpoint)
        .env("YANGGUANG__FILES__PREFIX", prefix)
        .env("YANGGUANG_S3_ACCESS_KEY_ID", ACCESS_KEY)
        .env("YANGGUANG_S3_SECRET_ACCESS_KEY", secret)
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Writes `bytes` into a local store as the platform does: `ab/cdef…` by hash.
fn put_local(files: &Path, bytes: &[u8]) -> String {
    let h = hash(bytes);
    std::fs::create_dir_all(files.join(&h[..2])).unwrap();
    std::fs::write(files.join(&h[..2]).join(&h[2..]), bytes).unwrap();
    h
}

#[test]
fn migrate_backup_restore_and_verify_on_s3() {
    let Some(s3) = S3Server::start("cli") else { return };
    let dir = temp_dir("s3");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap();
    let local = data.join("files");
    let scans: Vec<Vec<u8>> = (0..3u8).map(|i| format!("扫描件 {i} ").repeat(5000 + i as usize).into_bytes()).collect();
    let hashes: Vec<String> = scans.iter().map(|b| put_local(&local, b)).collect();
    std::fs::create_dir_all(local.join("thumbs")).unwrap();
    std::fs::write(local.join("thumbs").join(format!("{}.jpg", hashes[0])), b"thumb").unwrap();
    // A file altered on the local disk: refused by name, the others go.
    let bad = hash(b"what it was");
    std::fs::create_dir_all(local.join(&bad[..2])).unwrap();
    std::fs::write(local.join(&bad[..2]).join(&bad[2..]), b"what it is now").unwrap();

    let (ok, text) = yangguang(&s3, "county", SECRET_KEY, &["files", "migrate", "--to", "s3", "--data-dir", data_arg]);
    assert!(!ok && text.contains(&bad[2..]), "{text}");
    assert!(text.contains("4 copied, 0 already there, 1 refused"), "{text}");
    std::fs::remove_file(local.join(&bad[..2]).join(&bad[2..])).unwrap();
    let mut expected: Vec<String> = hashes.iter().map(|h| format!("county/{}/{}", &h[..2], &h[2..])).collect();
    expected.push(format!("county/thumbs/{}.jpg", hashes[0]));
    expected.sort();
    assert_eq!(s3.objects(), expected);
    for h in &hashes {
        let stored = std::fs::read(s3.object_path(&format!("county/{}/{}", &h[..2], &h[2..]))).unwrap();
        assert_eq!(&hash(&stored), h);
    }
    // Again, as after an interruption: nothing is sent twice.
    let (ok, text) = yangguang(&s3, "county", SECRET_KEY, &["files", "migrate", "--to", "s3", "--data-dir", data_arg]);
    assert!(ok && text.contains("0 copied, 4 already there, 0 refused"), "{text}");

    // A wrong secret: a clear refusal, and the secret is not repeated.
    let (ok, text) = yangguang(&s3, "county", "not-the-secret", &["files", "check", "--data-dir", data_arg]);
    assert!(!ok && text.contains("文件存储无法使用") && !text.contains("not-the-secret"), "{text}");
    let (ok, text) = yangguang(&s3, "county", SECRET_KEY, &["files", "check", "--data-dir", data_arg]);
    assert!(ok && text.contains("s3://yangguang/county"), "{text}");
    // print-config names the bucket and never a credential.
    let (_, text) = yangguang(&s3, "county", SECRET_KEY, &["print-config", "--data-dir", data_arg]);
    assert!(text.contains("backend = \"s3\"") && !text.contains(SECRET_KEY) && !text.contains(ACCESS_KEY), "{text}");

    // The local copy goes; the bucket is now the only one.
    std::fs::remove_dir_all(&local).unwrap();
    let dest = dir.join("backup");
    let (ok, text) = yangguang(&s3, "county", SECRET_KEY, &["backup", "--data-dir", data_arg, dest.to_str().unwrap()]);
    assert!(ok && text.contains("4 files"), "{text}");
    for (h, bytes) in hashes.iter().zip(&scans) {
        assert_eq!(&std::fs::read(dest.join("files").join(&h[..2]).join(&h[2..])).unwrap(), bytes);
    }
    assert_eq!(std::fs::read(dest.join("files/thumbs").join(format!("{}.jpg", hashes[0]))).unwrap(), b"thumb");

    // An object altered in the bucket stops a backup, named.
    let victim = format!("county/{}/{}", &hashes[1][..2], &hashes[1][2..]);
    let original = std::fs::read(s3.object_path(&victim)).unwrap();
    std::fs::write(s3.object_path(&victim), b"altered in the bucket").unwrap();
    let (ok, text) =
        yangguang(&s3, "county", SECRET_KEY, &["backup", "--data-dir", data_arg, dir.join("b2").to_str().unwrap()]);
    assert!(!ok && text.contains(&hashes[1][2..]) && text.contains("不符"), "{text}");
    std::fs::write(s3.object_path(&victim), original).unwrap();

    // Restored into another prefix of the bucket, and verified from there.
    let restored = dir.join("restored");
    let restored_arg = restored.to_str().unwrap();
    let (ok, text) =
        yangguang(&s3, "restored", SECRET_KEY, &["restore", "--data-dir", restored_arg, dest.to_str().unwrap()]);
    assert!(ok && text.contains("4 files"), "{text}");
    assert_eq!(s3.objects().iter().filter(|k| k.starts_with("restored/")).count(), 4);
    let (ok, text) = yangguang(&s3, "restored", SECRET_KEY, &["verify", "--data-dir", restored_arg]);
    assert!(ok && text.contains("OK:"), "{text}");
    // `--files s3://bucket/prefix` names the store on the command line, over the settings.
    let flag = format!("s3://{BUCKET}/restored");
    let (ok, text) =
        yangguang(&s3, "county", SECRET_KEY, &["files", "check", "--files", &flag, "--data-dir", restored_arg]);
    assert!(ok && text.contains(&flag), "{text}");
    let (ok, text) = yangguang(&s3, "county", SECRET_KEY, &["verify", "--files", &flag, "--data-dir", restored_arg]);
    assert!(ok && text.contains("OK:"), "{text}");
    let (ok, text) =
        yangguang(&s3, "county", SECRET_KEY, &["files", "check", "--files", "s3:/typo", "--data-dir", data_arg]);
    assert!(!ok && text.contains("--files"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
