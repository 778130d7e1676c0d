//! `yangguang backup DEST` and `yangguang restore SRC`: a consistent copy of a running
//! deployment — the database from one snapshot (SQLite's `VACUUM INTO`, or `pg_dump`), then the
//! content-addressed files, the platform keys and the catalog — and putting one back into an
//! empty data directory. Files are copied after the database snapshot: they are immutable and
//! written before anything refers to them, so every file the snapshot names is in the copy.
//! Files come from the configured store (local or S3, `[files]`), streamed into the backup's
//! `files/` with each hash checked on the way; a restore puts them into the configured store
//! (a key already there is left as it is, so a restore into a shared bucket is safe to repeat).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::settings::Settings;
use crate::stores;

const MANIFEST: &str = "backup.json";
const SQLITE_FILE: &str = "yangguang.db";
const PG_DUMP_FILE: &str = "database.pgdump";

fn postgres_url(settings: &Settings) -> Option<&str> {
    settings.database().filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// An empty or missing directory, created; anything else refused (a backup never mixes with
/// another, a restore never overwrites a deployment).
fn empty_dir(dir: &Path, what: &str) -> anyhow::Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!("{what} {} 不是空的，为免覆盖已拒绝 / {} is not empty", dir.display(), dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Copies a directory tree; returns (files, bytes). A missing source is an empty tree.
fn copy_tree(src: &Path, dst: &Path) -> anyhow::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    if !src.exists() {
        return Ok((0, 0));
    }
    std::fs::create_dir_all(dst).with_context(|| format!("creating {}", dst.display()))?;
    for entry in std::fs::read_dir(src).with_context(|| format!("reading {}", src.display()))? {
        let entry = entry?;
        let to = dst.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            let (f, b) = copy_tree(&entry.path(), &to)?;
            (files, bytes) = (files + f, bytes + b);
        } else {
            bytes += std::fs::copy(entry.path(), &to).with_context(|| format!("copying {}", entry.path().display()))?;
            files += 1;
        }
    }
    Ok((files, bytes))
}

/// Every stored file into `dest` (the backup's `files/`, laid out as a local store); returns
/// (files, bytes). A file whose bytes do not hash to its name stops the backup.
async fn files_out(settings: &Settings, dest: &Path) -> anyhow::Result<(u64, u64)> {
    let store = settings.files.open(&settings.storage.data_dir).await?;
    let (mut files, mut bytes) = (0, 0);
    for key in store.keys().await.with_context(|| format!("listing {}", store.describe()))? {
        bytes += store.copy_out(&key, &dest.join(&key)).await.with_context(|| {
            format!("备份文件 {key} 失败，请运行 yangguang verify / backing up {key} from {}", store.describe())
        })?;
        files += 1;
    }
    Ok((files, bytes))
}

/// The backup's files into the configured store; returns how many were written.
async fn files_in(settings: &Settings, src: &Path) -> anyhow::Result<u64> {
    let store = settings.files.open(&settings.storage.data_dir).await?;
    let backup = yangguang_app::files::FileStore::new(src);
    let mut written = 0;
    for key in backup.keys().await? {
        if store
            .copy_in(&key, &src.join(&key))
            .await
            .with_context(|| format!("恢复文件 {key} 失败 / restoring {key} into {}", store.describe()))?
        {
            written += 1;
        }
    }
    Ok(written)
}

fn run_tool(mut command: Command, tool: &str) -> anyhow::Result<()> {
    let status = command.status().with_context(|| {
        format!("{tool} 无法运行：请安装 PostgreSQL 客户端（apt-get install postgresql-client）/ cannot run {tool}")
    })?;
    if !status.success() {
        bail!("{tool} 失败（{status}）/ {tool} failed");
    }
    Ok(())
}

pub async fn backup(settings: &Settings, dest: &Path) -> anyhow::Result<()> {
    let data_dir = &settings.storage.data_dir;
    empty_dir(dest, "备份目录 / backup directory")?;
    let backend = match postgres_url(settings) {
        Some(url) => {
            let mut dump = Command::new("pg_dump");
            dump.args(["--format=custom", "--no-owner", "--file"]).arg(dest.join(PG_DUMP_FILE)).arg(url);
            run_tool(dump, "pg_dump")?;
            "postgres"
        }
        None => {
            let store = stores::open_store(settings.database(), data_dir).await?;
            store.backup_into(&dest.join(SQLITE_FILE)).await.context("copying the database")?;
            "sqlite"
        }
    };
    let (files, bytes) = files_out(settings, &dest.join("files")).await?;
    copy_tree(&data_dir.join("keys"), &dest.join("keys"))?;
    copy_tree(&settings.catalog_dir(), &dest.join("catalog"))?;
    let manifest = serde_json::json!({
        "format": 1,
        "created_at": chrono::Utc::now().to_rfc3339(),
        "backend": backend,
        "files": files,
        "file_bytes": bytes,
        "files_from": settings.files.backend.trim(),
    });
    std::fs::write(dest.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    println!(
        "备份完成 / backup written to {}: {backend} database, {files} files ({bytes} bytes), keys, catalog",
        dest.display()
    );
    Ok(())
}

pub async fn restore(settings: &Settings, src: &Path) -> anyhow::Result<()> {
    if !src.join(MANIFEST).exists() {
        bail!("{} 不是 yangguang 备份（缺少 {MANIFEST}）/ not a backup", src.display());
    }
    let data_dir = &settings.storage.data_dir;
    empty_dir(data_dir, "数据目录 / data directory")?;
    match (postgres_url(settings), src.join(SQLITE_FILE).exists(), src.join(PG_DUMP_FILE).exists()) {
        (None, true, _) => {
            std::fs::copy(src.join(SQLITE_FILE), data_dir.join(SQLITE_FILE)).context("copying the database")?;
        }
        (Some(url), _, true) => {
            let mut restore = Command::new("pg_restore");
            restore.args(["--no-owner", "--exit-on-error", "--dbname", url]).arg(src.join(PG_DUMP_FILE));
            run_tool(restore, "pg_restore")?;
        }
        _ => bail!(
            "备份的数据库类型与配置的不同 / the backup's database does not match the configured one \
             (SQLite backups restore to a data directory, PostgreSQL dumps to a postgres:// database)"
        ),
    }
    let files = files_in(settings, &src.join("files")).await?;
    copy_tree(&src.join("keys"), &data_dir.join("keys"))?;
    copy_tree(&src.join("catalog"), &settings.catalog_dir())?;
    let store = stores::open_store(settings.database(), data_dir).await?;
    let problems = store.integrity_check().await?;
    if !problems.is_empty() {
        bail!("恢复的数据库自检未通过 / the restored database fails its integrity check: {}", problems.join("; "));
    }
    println!(
        "已恢复到 {} / restored: {files} files; 请运行 yangguang verify 核对全部公开记录 / run `yangguang verify` next",
        data_dir.display()
    );
    Ok(())
}
