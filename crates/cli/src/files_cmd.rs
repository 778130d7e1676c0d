//! `yangguang files check` and `yangguang files migrate --to s3`: reach the configured file
//! store, and copy a data directory's local files into the S3 bucket configured in `[files]`.

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use yangguang_app::files::{FileError, FileStore};

#[derive(Subcommand, Debug)]
pub enum FilesCommand {
    /// Check that the configured file store answers (for S3: the bucket can be listed).
    Check(crate::Common),
    /// Copy the data directory's `files/` into the object storage configured in `[files]`.
    /// Resumable: objects already there are skipped (one HEAD each); every file is checked
    /// against its hash before it is sent.
    Migrate(MigrateArgs),
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    #[command(flatten)]
    common: crate::Common,
    /// The backend to copy to (`[files] backend` must say the same).
    #[arg(long, value_enum)]
    to: Target,
    /// Uploads in flight at once.
    #[arg(long, default_value_t = 16)]
    parallel: usize,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Target {
    S3,
}

pub async fn run(command: FilesCommand) -> anyhow::Result<()> {
    match command {
        FilesCommand::Check(common) => {
            let settings = common.settings()?;
            let files = settings.files.open(&settings.storage.data_dir).await?;
            println!("OK: 文件存储可用 / the file store answers: {}", files.describe());
            Ok(())
        }
        FilesCommand::Migrate(args) => migrate(args).await,
    }
}

async fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    let Target::S3 = args.to;
    let settings = args.common.settings()?;
    if settings.files.backend.trim() != "s3" {
        bail!(
            "请先在 [files] 中设置 backend = \"s3\" 和存储桶 / set [files] backend = \"s3\" and the bucket first \
             (the local files stay where they are until you remove them)"
        );
    }
    let root = settings.storage.data_dir.join("files");
    let source = FileStore::new(&root);
    let target = settings.files.open(&settings.storage.data_dir).await?;
    let keys = source.keys().await.with_context(|| format!("listing {}", root.display()))?;
    let total = keys.len();
    let (mut copied, mut present, mut corrupt) = (0u64, 0u64, vec![]);
    let mut running = tokio::task::JoinSet::new();
    let mut keys = keys.into_iter();
    loop {
        while running.len() < args.parallel.max(1) {
            let Some(key) = keys.next() else { break };
            let (target, path) = (target.clone(), root.join(&key));
            running.spawn(async move {
                let result = target.copy_in(&key, &path).await;
                (key, result)
            });
        }
        let Some(done) = running.join_next().await else { break };
        match done.context("an upload task failed")? {
            (_, Ok(true)) => copied += 1,
            (_, Ok(false)) => present += 1,
            (key, Err(FileError::Corrupt(_))) => corrupt.push(key),
            (key, Err(e)) => {
                bail!("{key}: {e} — 已复制 {copied} 个，重新运行即可从中断处继续 / run again to resume")
            }
        }
        let finished = copied + present + corrupt.len() as u64;
        if finished.is_multiple_of(1000) {
            eprintln!("{finished}/{total}");
        }
    }
    println!(
        "已复制到 {} / migrated: {copied} copied, {present} already there, {} refused (altered locally)",
        target.describe(),
        corrupt.len()
    );
    if !corrupt.is_empty() {
        bail!(
            "这些本地文件的内容与名字不符，未上传 / these local files do not match their hash: {}",
            corrupt.join(", ")
        );
    }
    Ok(())
}
