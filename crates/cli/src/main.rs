//! The `yangguang` binary: serve the site, create the demo county, import regions, print the
//! effective configuration. Flag names are a public contract: operators' scripts use them.

mod backup;
mod calendar;
mod file_settings;
mod files_cmd;
mod questions;
mod scale;
mod settings;
mod stores;
mod tips;
mod warnings;
mod witness;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use yangguang_app::demo::DemoOptions;
use yangguang_app::today;
use yangguang_app::{Site, catalog_files, site::prepare_data_dir};

use crate::settings::{Overrides, Settings};

/// 阳光村务公开平台 — village affairs disclosure for a whole county on one machine.
#[derive(Parser, Debug)]
#[command(name = "yangguang", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the public site.
    Serve(Common),
    /// Create the demo county in an empty data directory (or database), then serve it.
    Demo(DemoArgs),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print the effective settings (secrets redacted) and exit.
    PrintConfig(Common),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Recheck the publication log, published content and attachment files; or, with
    /// --log and --checkpoint, a downloaded copy of the log with no database.
    Verify(VerifyArgs),
    /// Sign a checkpoint of the publication log's head now.
    Checkpoint(Common),
    /// Rebuild the full-text search index from the database (with a running server on this
    /// data directory: ask every server to rebuild its own).
    Reindex(Common),
    /// Tokens for machines that push data (POST /api/villages/{code}/ledger).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Copy the running deployment into an empty directory: the database from one snapshot
    /// (SQLite) or pg_dump (PostgreSQL), then the files, keys and catalog.
    Backup(BackupArgs),
    /// Put a backup back into an empty data directory (and an empty PostgreSQL database).
    Restore(RestoreArgs),
    /// The file store: check it answers, or migrate local files to S3 (`[files]`).
    #[command(subcommand)]
    Files(files_cmd::FilesCommand),
    /// Run a witness: cosign the checkpoints of the logs given, refusing any that is not
    /// consistent with what it cosigned before.
    Witness(witness::WitnessArgs),
    /// 监督举报: the discipline commission's key pair (`tips keygen --out FILE`).
    #[command(subcommand)]
    Tips(tips::TipsCommand),
    /// The disclosure calendar of a region: rates, the recompute's time, and the cells to a
    /// CSV or XLSX file (`--out`).
    Calendar(calendar::CalendarArgs),
    /// Warnings (预警): `warnings recompute` recomputes a region's (or, with --village, one
    /// village's) warnings and prints the time and counts.
    #[command(subcommand)]
    Warnings(warnings::WarningsCommand),
    /// Escalate villagers' questions past their deadline now (the server does it every 20 s).
    #[command(hide = true)]
    EscalateQuestions(questions::EscalateArgs),
}

#[derive(Args, Debug)]
struct BackupArgs {
    #[command(flatten)]
    common: Common,
    /// An empty or new directory for the copy.
    dest: PathBuf,
}

#[derive(Args, Debug)]
struct RestoreArgs {
    #[command(flatten)]
    common: Common,
    /// A directory written by `yangguang backup`.
    src: PathBuf,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create a token scoped to regions; prints its secret once.
    Add {
        #[command(flatten)]
        common: Common,
        /// Who uses it, e.g. "三资监管平台".
        name: String,
        /// Region codes it may write to (a county or town covers its villages); repeatable.
        #[arg(long = "region", required = true)]
        regions: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create a staff account; prints its one-time password (to be changed at first login).
    Add {
        #[command(flatten)]
        common: Common,
        /// Login name (letters, digits, . _ -).
        username: String,
        /// Name shown on sign-offs and in the audit trail.
        #[arg(long)]
        name: String,
        /// ROLE@REGION_CODE, repeatable: e.g. village-clerk@339921001201, platform-admin@339900000000.
        /// Roles: village-clerk, branch-member, supervision-member, finance-group-member,
        /// township-reviewer, county-operator, catalog-admin, bank-editor, discipline-commission,
        /// platform-admin.
        #[arg(long = "grant", required = true)]
        grants: Vec<String>,
    },
    /// List staff accounts and their roles.
    List(Common),
}

#[derive(Args, Debug)]
struct VerifyArgs {
    #[command(flatten)]
    common: Common,
    /// A downloaded log (JSON lines from /api/log.jsonl) to verify offline.
    #[arg(long, requires = "checkpoint")]
    log: Option<PathBuf>,
    /// A downloaded checkpoint (JSON from /api/checkpoints/latest).
    #[arg(long, requires = "log")]
    checkpoint: Option<PathBuf>,
    /// The platform's public key (hex), from the "how to verify" page.
    #[arg(long)]
    public_key: Option<String>,
    #[command(flatten)]
    mirror: witness::MirrorArgs,
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// A village's books: CSV (UTF-8 or GBK) or XLSX exports of the accounting software.
    /// Every problem is listed by file, row and column; nothing is stored unless all is well.
    /// Importing the same books again changes nothing.
    Ledger {
        #[command(flatten)]
        common: Common,
        /// The village's 12-digit code.
        #[arg(long)]
        village: String,
        /// First day of the period the entries must fall in (YYYY-MM-DD).
        #[arg(long, requires = "to")]
        from: Option<chrono::NaiveDate>,
        /// Last day of the period (YYYY-MM-DD).
        #[arg(long, requires = "from")]
        to: Option<chrono::NaiveDate>,
        /// The exported files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Receipt scans for a village's vouchers: image files, folders of them, or zips, named
    /// like `2026-03_记-001.jpg` (or listed in a CSV `文件名,期间,凭证号` given among them).
    Receipts {
        #[command(flatten)]
        common: Common,
        /// The village's 12-digit code.
        #[arg(long)]
        village: String,
        /// Files, folders or zips.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// A village's assets register (资产编号, 资产名称, 资产类别, 原值…) or resources register
    /// (资源编号, 资源名称, 资源类型, 面积…), told apart by the header, replacing the stored one
    /// whole. A change opens a draft of the register for review.
    Assets {
        #[command(flatten)]
        common: Common,
        /// The village's 12-digit code.
        #[arg(long)]
        village: String,
        /// The register file (CSV UTF-8/GBK or XLSX).
        file: PathBuf,
    },
    /// A village's lease register (CSV UTF-8/GBK or XLSX), replacing the stored one whole.
    /// Every problem is listed by row and column; nothing is stored unless all is well. A
    /// change opens a draft of the contracts register for review.
    Leases {
        #[command(flatten)]
        common: Common,
        /// The village's 12-digit code.
        #[arg(long)]
        village: String,
        /// The register file.
        file: PathBuf,
    },
    /// A village's households and their three rights: the members table (户号, 姓名, 与户主关系,
    /// 身份证号, optional 联系电话) and optionally plots, homesteads and shares with dividends,
    /// each file's kind told by its header. Replaces the stored register whole; every problem is
    /// listed and nothing is stored unless all is well.
    Households {
        #[command(flatten)]
        common: Common,
        /// The village's 12-digit code.
        #[arg(long)]
        village: String,
        /// The register files (CSV UTF-8/GBK or XLSX).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Household credit lines from the bank's file (户号 or 身份证号, 信用等级, 授信额度,
    /// 有效期), shown only to each household.
    Credit {
        #[command(flatten)]
        common: Common,
        /// The village's 12-digit code.
        #[arg(long)]
        village: String,
        /// The bank's name, as households will see it.
        #[arg(long, default_value = "农商银行")]
        bank: String,
        /// The bank's file (CSV UTF-8/GBK or XLSX).
        file: PathBuf,
    },
    /// Regions from a CSV with the header `code,name,parent_code,kind`.
    Regions {
        #[command(flatten)]
        common: Common,
        /// The CSV file (UTF-8).
        file: PathBuf,
    },
}

#[derive(Args, Debug, Clone, Default)]
struct Common {
    /// Address to listen on [default: 127.0.0.1:8080; env YANGGUANG__SERVER__LISTEN].
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Data directory: SQLite file, files, catalog [default: ./yangguang-data; env YANGGUANG__STORAGE__DATA_DIR].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: postgres://user@host/db for PostgreSQL [default: SQLite in the data directory; env YANGGUANG__STORAGE__DATABASE].
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Where files are stored: `local` (the data directory) or `s3://bucket/prefix` (endpoint and
    /// region from `[files]`, keys from YANGGUANG_S3_ACCESS_KEY_ID/…) [default: local; env YANGGUANG__FILES__BACKEND].
    // Its own id: the import commands' positional `files` would otherwise take its values.
    #[arg(long = "files", id = "file_store", value_name = "URL")]
    file_store: Option<String>,
    /// A TOML settings file [env YANGGUANG_CONFIG].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct DemoArgs {
    #[command(flatten)]
    common: Common,
    /// How many demo counties to create (each 12 towns, 229 villages and communities), or
    /// `full`: one county with books as busy as the real one's (about 190,000 receipt scans a
    /// year; takes minutes).
    #[arg(long, default_value = "1", value_parser = parse_scale)]
    scale: Scale,
    /// Seed of the generator: the same seed and date give the same county.
    #[arg(long, default_value_t = 20_260_101)]
    seed: u64,
    /// The demo's "today" (YYYY-MM-DD): history covers the 24 months before it [default: today].
    #[arg(long, value_name = "DATE")]
    as_of: Option<chrono::NaiveDate>,
    /// Create the data and exit instead of serving.
    #[arg(long)]
    no_serve: bool,
}

#[derive(Debug, Clone, Copy)]
struct Scale {
    counties: u32,
    full: bool,
}

fn parse_scale(s: &str) -> Result<Scale, String> {
    if s == "full" {
        return Ok(Scale { counties: 1, full: true });
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=500).contains(&n) => Ok(Scale { counties: n, full: false }),
        _ => Err(format!("{s:?} is not `full` or a number of counties from 1 to 500")),
    }
}

impl Common {
    fn settings(&self) -> anyhow::Result<Settings> {
        let overrides = Overrides {
            config: self.config.clone(),
            listen: self.listen.clone(),
            data_dir: self.data_dir.clone(),
            database: self.database.clone(),
            files: self.file_store.clone(),
        };
        Settings::load(&overrides, std::env::vars())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误 / error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "stopped");
            eprintln!("错误 / error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::PrintConfig(common) => {
            print!("{}", common.settings()?.to_redacted_toml());
            Ok(())
        }
        Command::Serve(common) => {
            let settings = common.settings()?;
            init_logging(&settings);
            let site = open_site(&settings).await?;
            serve(&settings, site).await
        }
        Command::Demo(args) => {
            let settings = args.common.settings()?;
            init_logging(&settings);
            let site = open_site(&settings).await?;
            if site.regions().is_empty() {
                let options = DemoOptions {
                    seed: args.seed,
                    as_of: args.as_of.unwrap_or_else(today),
                    scale: args.scale.counties,
                    full: args.scale.full,
                };
                let started = Instant::now();
                let summary =
                    yangguang_app::demo::generate(&site, &options).await.context("creating the demo county")?;
                // Marks demo data: only here may `escalate-questions --as-of` move the clock.
                site.store.put_state(questions::DEMO_MARK, &options.as_of.to_string(), chrono::Utc::now()).await?;
                println!("演示账号 / demo accounts (one-time passwords, to be changed at first login):");
                for a in &summary.accounts {
                    println!("demo-account {} {} {} {}", a.username, a.password, a.role.as_str(), a.region);
                }
                tracing::info!(
                    corrections = summary.corrections,
                    vouchers = summary.vouchers,
                    receipts = summary.receipts,
                    listings = summary.listings,
                    leases = summary.leases,
                    households = summary.households,
                    visits = summary.visits,
                    withdrawals = summary.withdrawals,
                    counties = summary.counties,
                    towns = summary.towns,
                    villages = summary.villages,
                    disclosures = summary.disclosures,
                    attachments = summary.attachments,
                    seconds = started.elapsed().as_secs_f64(),
                    "demo county created"
                );
            } else {
                tracing::info!(villages = site.regions().village_count(), "data already present: serving it unchanged");
            }
            if args.no_serve { Ok(()) } else { serve(&settings, site).await }
        }
        Command::User(UserCommand::Add { common, username, name, grants }) => {
            let settings = common.settings()?;
            init_logging(&settings);
            let site = open_site(&settings).await?;
            let grants = grants.iter().map(|g| parse_grant(g)).collect::<anyhow::Result<Vec<_>>>()?;
            let (_, password) = yangguang_app::auth::create_staff(&site, &username, &name, grants).await?;
            println!("created {username}; one-time password: {password}");
            println!("(it must be changed at first login)");
            Ok(())
        }
        Command::User(UserCommand::List(common)) => {
            let settings = common.settings()?;
            init_logging(&settings);
            let site = open_site(&settings).await?;
            for s in site.store.list_staff().await? {
                if s.password_hash == "!" {
                    continue; // reviewers of the demo's history: no login
                }
                let grants: Vec<String> = s.grants.iter().map(|g| format!("{}@{}", g.role, g.region)).collect();
                let state = if s.disabled { " (disabled)" } else { "" };
                println!("{}\t{}\t{}{state}", s.username, s.display_name, grants.join(" "));
            }
            Ok(())
        }
        Command::Verify(args) => verify(args).await,
        Command::Calendar(args) => calendar::run(args).await,
        Command::Warnings(command) => warnings::run(command).await,
        Command::Tips(command) => tips::run(command),
        Command::Witness(args) => {
            init_logging(&Settings::default());
            witness::witness(args).await
        }
        Command::Backup(args) => {
            let settings = args.common.settings()?;
            init_logging(&settings);
            backup::backup(&settings, &args.dest).await
        }
        Command::Restore(args) => {
            let settings = args.common.settings()?;
            init_logging(&settings);
            backup::restore(&settings, &args.src).await
        }
        Command::Files(command) => files_cmd::run(command).await,
        Command::Token(TokenCommand::Add { common, name, regions }) => {
            let settings = common.settings()?;
            init_logging(&settings);
            let site = open_site(&settings).await?;
            let regions = regions
                .iter()
                .map(|r| yangguang_core::RegionCode::parse(r).map_err(|e| anyhow!("--region {r}: {e}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let secret = yangguang_app::integrations::create_token(&site, &name, regions).await?;
            println!("token for {name}: {secret}");
            println!("(shown once: give it to the integrator; it is stored only as a hash)");
            Ok(())
        }
        Command::EscalateQuestions(args) => questions::escalate(args).await,
        Command::Reindex(common) => {
            let settings = common.settings()?;
            init_logging(&settings);
            let site = open_site(&settings).await?;
            reindex(&settings, &site).await
        }
        Command::Checkpoint(common) => {
            let settings = common.settings()?;
            init_logging(&settings);
            let site = open_site(&settings).await?;
            match yangguang_app::jobs::make_checkpoint(&site, chrono::Utc::now()).await? {
                Some(cp) => print!("checkpoint of {} entries, root {}:\n\n{}", cp.tree_size, cp.root_hash, cp.note),
                None => println!("the publication log is empty: nothing to sign"),
            }
            Ok(())
        }
        Command::Import(ImportCommand::Ledger { common, village, from, to, files }) => {
            let (site, village) = village_site(&common, &village).await?;
            let mut contents: Vec<yangguang_app::ledger::LedgerFile> = vec![];
            for f in &files {
                let file = std::fs::File::open(f).with_context(|| format!("cannot read {}", f.display()))?;
                contents.push((f.display().to_string(), Box::new(std::io::BufReader::new(file))));
            }
            let started = Instant::now();
            let report = yangguang_app::ledger::import_ledger(&site, village, contents, from.zip(to)).await?;
            for f in &report.files {
                println!(
                    "{}: {} ({} entry lines, {} title/total/signature lines skipped)",
                    f.name, f.format, f.entries, f.skipped_rows
                );
            }
            for (file, e) in &report.errors {
                println!("{file}: {e}");
            }
            if let Some(note) = report.unlisted_note() {
                println!("{note}");
            }
            match &report.stored {
                Some(s) if s.conflicts.is_empty() => {
                    println!(
                        "imported: {} new vouchers, {} replaced, {} unchanged ({:.1}s)",
                        s.inserted,
                        s.updated,
                        s.unchanged,
                        started.elapsed().as_secs_f64()
                    );
                    Ok(())
                }
                Some(s) => Err(anyhow!(
                    "nothing imported: these vouchers changed after they were published: {}",
                    s.conflicts.join(", ")
                )),
                None => Err(anyhow!(
                    "nothing imported: {} problems to fix (listed above)",
                    report.errors.len() as u64 + report.unlisted_errors
                )),
            }
        }
        Command::Import(ImportCommand::Receipts { common, village, paths }) => {
            let (site, village) = village_site(&common, &village).await?;
            let mut files = vec![];
            for path in &paths {
                collect_files(path, &mut files)?;
            }
            // A village's year of scans takes a while: a bar on a terminal, nothing in a log.
            let scans = files.iter().filter(|(name, _)| !name.to_lowercase().ends_with(".csv")).count();
            let bar = if files.iter().any(|(_, bytes)| bytes.starts_with(b"PK\x03\x04")) {
                indicatif::ProgressBar::no_length()
            } else {
                indicatif::ProgressBar::new(scans as u64)
            };
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} scans  {per_sec}  {eta}")
            {
                bar.set_style(style);
            }
            let report =
                yangguang_app::receipts::import_receipts_counting(&site, village, files, &|| bar.inc(1)).await?;
            bar.finish_and_clear();
            for (name, why) in &report.unmatched {
                println!("not attached: {name}: {why}");
            }
            println!(
                "attached {} receipts ({} were already there, {} not attached)",
                report.added,
                report.already_there,
                report.unmatched.len()
            );
            Ok(())
        }
        Command::Import(ImportCommand::Assets { common, village, file }) => {
            let (site, village) = village_site(&common, &village).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let report = yangguang_app::assets::import_assets(&site, None, village, &bytes).await?;
            print_register_import(&file, &report)
        }
        Command::Import(ImportCommand::Leases { common, village, file }) => {
            let (site, village) = village_site(&common, &village).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let report = yangguang_app::leases::import_leases(&site, None, village, &bytes).await?;
            print_register_import(&file, &report)
        }
        Command::Import(ImportCommand::Households { common, village, files }) => {
            let (site, village) = village_site(&common, &village).await?;
            let mut contents = vec![];
            for f in &files {
                let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
                contents.push((f.display().to_string(), bytes));
            }
            let started = Instant::now();
            let report = yangguang_app::households::import_households(&site, None, village, &contents).await?;
            for p in &report.problems {
                println!("{p}");
            }
            if !report.problems.is_empty() {
                bail!("nothing imported: {} problems to fix (listed above)", report.problems.len());
            }
            let c = report.households;
            println!(
                "households: {} new, {} changed, {} removed, {} unchanged; {} phone numbers for login ({:.1}s)",
                c.inserted,
                c.updated,
                c.removed,
                c.unchanged,
                report.phones.inserted + report.phones.updated + report.phones.unchanged,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Import(ImportCommand::Credit { common, village, bank, file }) => {
            let (site, village) = village_site(&common, &village).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let report = yangguang_app::finance_inclusion::import_credit(&site, None, village, &bank, &bytes).await?;
            for e in &report.errors {
                println!("{}: {e}", file.display());
            }
            if !report.errors.is_empty() {
                bail!("nothing imported: {} problems to fix (listed above)", report.errors.len());
            }
            println!("credit lines: {} households", report.households);
            Ok(())
        }
        Command::Import(ImportCommand::Regions { common, file }) => {
            let settings = common.settings()?;
            init_logging(&settings);
            let site = open_site(&settings).await?;
            let text = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = String::from_utf8(text).map_err(|e| {
                anyhow!("{} is not UTF-8 (byte {}): save it as UTF-8 CSV", file.display(), e.utf8_error().valid_up_to())
            })?;
            let count = site.import_regions_csv(&text).await?;
            println!("imported {count} regions from {}", file.display());
            Ok(())
        }
    }
}

/// Files under `path` (a file, or a folder read recursively), as (name, bytes).
fn collect_files(path: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            collect_files(&e.path(), out)?;
        }
    } else {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push((name, std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?));
    }
    Ok(())
}

fn parse_grant(text: &str) -> anyhow::Result<yangguang_core::staff::Grant> {
    let (role, region) = text.split_once('@').ok_or_else(|| anyhow!("--grant {text}: expected ROLE@REGION_CODE"))?;
    let role =
        yangguang_core::staff::Role::parse(role).ok_or_else(|| anyhow!("--grant {text}: unknown role {role}"))?;
    let region = yangguang_core::RegionCode::parse(region).map_err(|e| anyhow!("--grant {text}: {e}"))?;
    Ok(yangguang_core::staff::Grant::new(role, region)?)
}

async fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    if let Some(location) = &args.mirror.mirror {
        return witness::verify_mirror(&args.mirror, location).await;
    }
    if let (Some(log), Some(checkpoint)) = (&args.log, &args.checkpoint) {
        let log_text = std::fs::read_to_string(log).with_context(|| format!("cannot read {}", log.display()))?;
        let cp_text =
            std::fs::read_to_string(checkpoint).with_context(|| format!("cannot read {}", checkpoint.display()))?;
        return match yangguang_app::verify::verify_offline(&log_text, &cp_text, args.public_key.as_deref()) {
            Ok(n) => {
                println!("OK: {n} log entries chain correctly up to the signed checkpoint");
                Ok(())
            }
            Err(e) => Err(anyhow!("verification failed: {e}")),
        };
    }
    let settings = args.common.settings()?;
    init_logging(&settings);
    let site = open_site(&settings).await?;
    let started = Instant::now();
    match yangguang_app::verify::verify_store(&site).await? {
        Ok(r) => {
            println!(
                "OK: {} log entries, {} published versions, {} attachment files, {} chain checkpoints, {} tree checkpoints, {} frozen months of books verified in {:.1}s",
                r.entries,
                r.versions,
                r.attachments,
                r.checkpoints,
                r.tree_checkpoints,
                r.months,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(e) => Err(anyhow!("verification failed: {e}")),
    }
}

fn init_logging(settings: &Settings) {
    use tracing_subscriber::EnvFilter;
    // sqlx reports PostgreSQL notices ("already exists, skipping") at info: not news.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(&settings.log.level))
        .add_directive("sqlx=warn".parse().expect("valid directive"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = if settings.log.format == "json" { builder.json().try_init() } else { builder.try_init() };
}

async fn open_site(settings: &Settings) -> anyhow::Result<Arc<Site>> {
    let data_dir = prepare_data_dir(&settings.storage.data_dir)?;
    let catalog = catalog_files::load_catalog(&settings.catalog_dir())?;
    let store = stores::open_store(settings.database(), &data_dir).await?;
    let files = settings.files.open(&data_dir).await?;
    let key = yangguang_app::keys::PlatformKey::load_or_create(&data_dir)?;
    let mut site = Site::new(store, catalog, files, key).await?;
    site.upload_limits = settings.uploads.limits()?;
    site.trading = settings.trading.config()?;
    site.public_url = settings.server.public_url()?;
    site.sms = settings.sms.sender()?;
    site.notify.daily_digest = settings.sms.staff_digest;
    site.tips.public_key = settings.tips.public_key()?;
    settings.villagers.apply(&mut site.questions)?;
    site.jobs.length = settings.jobs.lease()?;
    settings.cache.budget()?;
    let witnesses = settings
        .transparency
        .witness
        .iter()
        .map(|w| yangguang_app::transparency::Witness::new(&w.url, &w.key))
        .collect::<Result<Vec<_>, _>>()
        .context("[[transparency.witness]]")?;
    let origin = Some(settings.transparency.origin.as_str());
    site.log = yangguang_app::transparency::TransparencyLog::new(origin, site.key.secret(), witnesses)
        .context("[transparency] origin")?;
    let site = Arc::new(site);
    // Older data directories: every log entry gets its canonical bytes, then the tree is read.
    let started = Instant::now();
    let filled = yangguang_app::transparency::upgrade(&site).await?;
    if filled > 0 {
        tracing::info!(entries = filled, seconds = started.elapsed().as_secs_f64(), "transparency log upgraded");
    }
    Ok(site)
}

/// The site, opened for a command about one village (`--village CODE`).
async fn village_site(common: &Common, village: &str) -> anyhow::Result<(Arc<Site>, yangguang_core::RegionCode)> {
    let settings = common.settings()?;
    init_logging(&settings);
    let site = open_site(&settings).await?;
    let village = yangguang_core::RegionCode::parse(village).map_err(|e| anyhow!("--village: {e}"))?;
    Ok((site, village))
}

/// Every problem of a register import, or what it changed and the draft it opened.
fn print_register_import(
    file: &std::path::Path,
    report: &yangguang_app::registers::RegisterImport,
) -> anyhow::Result<()> {
    for e in &report.errors {
        println!("{}: {e}", file.display());
    }
    if !report.errors.is_empty() {
        bail!("nothing imported: {} problems to fix (listed above)", report.errors.len());
    }
    let c = report.counts;
    println!(
        "{} register: {} new, {} changed, {} removed, {} unchanged",
        report.register, c.inserted, c.updated, c.removed, c.unchanged
    );
    if let Some(id) = report.draft {
        println!("the register changed: draft {id} awaits review before it is published");
    }
    Ok(())
}

async fn serve(settings: &Settings, site: Arc<Site>) -> anyhow::Result<()> {
    let addr: SocketAddr = settings.server.listen.parse().with_context(|| {
        format!("listen address {:?} is not HOST:PORT, e.g. 127.0.0.1:8080", settings.server.listen)
    })?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow!("cannot listen on {addr}: the port is already in use (地址已被占用); choose another with --listen")
        } else {
            anyhow!("cannot listen on {addr}: {e}")
        }
    })?;
    let local = listener.local_addr()?;
    // The log's tree read before the first request (other commands never read it whole).
    yangguang_app::transparency::sync(&site).await?;
    tracing::info!(
        address = %local,
        backend = site.store.backend(),
        villages = site.regions().village_count(),
        data_dir = %settings.storage.data_dir.display(),
        "serving; open http://{local}/"
    );
    yangguang_app::auth::seal_clear_totp_secrets(&site).await?;
    open_search(settings, &site)?;
    let jobs = yangguang_app::jobs::spawn(site.clone());
    let feed = yangguang_app::trading::spawn_puller(site.clone());
    let visits = yangguang_app::visits::spawn(site.clone(), settings.visits.settings()?);
    let state = yangguang_web::AppState::new(site.clone())
        .with_trusted_proxies(settings.server.trusted_proxies()?)
        .with_cache_budget(settings.cache.budget()?);
    yangguang_web::serve_with_limits(listener, state, settings.server.limits()?, shutdown_signal()).await?;
    // The last seconds' visits, before the task goes.
    if let Err(e) = site.visits.flush_now().await {
        tracing::warn!(error = %e, "the last visit counts could not be written");
    }
    if let Some(visits) = visits {
        visits.abort();
    }
    jobs.abort();
    let _ = jobs.await;
    if let Some(feed) = feed {
        feed.abort();
    }
    // Another app server takes the background jobs over at once, not when the lease lapses.
    yangguang_app::jobs::release_lease(&site).await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Opens the search index; a missing or unusable one is rebuilt in the background while the
/// server already serves (search then says its results may be incomplete).
fn open_search(settings: &Settings, site: &Arc<Site>) -> anyhow::Result<()> {
    let dir = settings.search_dir();
    let rebuild = site.search.open(&dir).with_context(|| format!("search index in {}", dir.display()))?;
    let site = site.clone();
    tokio::spawn(async move {
        if rebuild {
            let started = Instant::now();
            let mut last = 0;
            let result = yangguang_app::search::rebuild(&site, |done, total| {
                if done == total || done >= last + total.div_ceil(10) {
                    last = done;
                    tracing::info!(villages = done, of = total, "building the search index");
                }
            })
            .await;
            match result {
                Ok(()) => tracing::info!(seconds = started.elapsed().as_secs_f64(), "search index built"),
                Err(e) => tracing::error!(error = %e, "building the search index failed; `yangguang reindex` retries"),
            }
        }
        if let Err(e) = yangguang_app::search::catch_up(&site).await {
            tracing::warn!(error = %e, "search index catch-up failed");
        }
    });
    Ok(())
}

/// `yangguang reindex`: rebuilds the index here, printing progress; when a running server holds
/// the index, asks it (and every other server) to rebuild instead.
async fn reindex(settings: &Settings, site: &Arc<Site>) -> anyhow::Result<()> {
    let dir = settings.search_dir();
    site.search.open(&dir).with_context(|| format!("search index in {}", dir.display()))?;
    let started = Instant::now();
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut last = 0;
    let result = yangguang_app::search::rebuild(site, |done, total| {
        if tty {
            eprint!("\rindexing villages {done}/{total}");
        } else if done == total || done >= last + total.div_ceil(10) {
            last = done;
            eprintln!("indexing villages {done}/{total}");
        }
    })
    .await;
    if tty {
        eprintln!();
    }
    match result {
        Ok(()) => {
            let index = site.search.index().expect("opened above");
            index.release_writer();
            println!(
                "search index rebuilt in {:.1}s: {} documents, {:.1} MB in {}",
                started.elapsed().as_secs_f64(),
                index.num_docs(),
                index.size_on_disk() as f64 / 1e6,
                dir.display()
            );
            Ok(())
        }
        Err(yangguang_app::AppError::Conflict(_)) => {
            yangguang_app::search::request_rebuild(site).await?;
            println!(
                "a running server holds the search index in {}: every server was asked to rebuild its own index (within a few seconds; its log shows the progress)",
                dir.display()
            );
            Ok(())
        }
        Err(e) => Err(anyhow!("rebuilding the search index failed: {e}")),
    }
}

/// Resolves on Ctrl-C or SIGTERM; the server then finishes requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_public_flag_names_stay() {
        let cli = Cli::try_parse_from([
            "yangguang",
            "serve",
            "--listen",
            "0.0.0.0:80",
            "--data-dir",
            "/d",
            "--database",
            "postgres://x/y",
        ])
        .unwrap();
        let Command::Serve(c) = cli.command else { panic!("serve") };
        assert_eq!(
            (c.listen.as_deref(), c.data_dir.as_deref(), c.database.as_deref()),
            (Some("0.0.0.0:80"), Some(std::path::Path::new("/d")), Some("postgres://x/y"))
        );
        assert!(Cli::try_parse_from(["yangguang", "demo", "--scale", "0"]).is_err());
        assert!(Cli::try_parse_from(["yangguang", "demo", "--scale", "full"]).is_ok());
        assert!(Cli::try_parse_from(["yangguang", "demo", "--scale", "fuller"]).is_err());
        assert!(
            Cli::try_parse_from(["yangguang", "demo", "--scale", "2", "--as-of", "2026-11-24", "--no-serve"]).is_ok()
        );
    }

    #[test]
    fn the_files_flag_and_an_imports_file_list_stay_apart() {
        let ledger = |args: &[&str]| {
            let cli =
                Cli::try_parse_from(["yangguang", "import", "ledger", "--village", "339921001201"].iter().chain(args))
                    .unwrap();
            let Command::Import(ImportCommand::Ledger { common, files, .. }) = cli.command else { panic!("ledger") };
            (common.file_store, files.len())
        };
        assert_eq!(ledger(&["a.csv", "b.csv"]), (None, 2));
        assert_eq!(ledger(&["--files", "local", "a.csv"]), (Some("local".into()), 1));
    }
}
