//! `yangguang warnings recompute`: every village's warnings of a region recomputed from the
//! database and the changes written, printing the time and the counts; with `--village`, one
//! village's incremental refresh (what an import or a publication triggers). `--as-of` reckons
//! from another day over demo data, as `yangguang demo --as-of` built it.

use std::time::Instant;

use anyhow::anyhow;
use clap::{Args, Subcommand};
use yangguang_core::RegionCode;

use crate::Common;

#[derive(Subcommand, Debug)]
pub enum WarningsCommand {
    /// Recompute the warnings of a region (by default the county) and print the time and counts.
    Recompute(RecomputeArgs),
}

#[derive(Args, Debug)]
pub struct RecomputeArgs {
    #[command(flatten)]
    pub common: Common,
    /// The region (county or town code); by default the home region (the county).
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// Only this village, as after one import.
    #[arg(long, value_name = "CODE", conflicts_with = "region")]
    pub village: Option<String>,
    /// Reckon as of this day instead of today (what is overdue, the months checked for
    /// spikes, the arrears' grace) — demo data only, to match `yangguang demo --as-of`.
    #[arg(long, value_name = "DATE", conflicts_with = "village")]
    pub as_of: Option<chrono::NaiveDate>,
}

fn code(flag: &str, text: &str) -> anyhow::Result<RegionCode> {
    RegionCode::parse(text).map_err(|e| anyhow!("{flag} {text}: {e}"))
}

pub async fn run(command: WarningsCommand) -> anyhow::Result<()> {
    let WarningsCommand::Recompute(args) = command;
    let settings = args.common.settings()?;
    crate::init_logging(&settings);
    let site = crate::open_site(&settings).await?;
    let regions = site.regions();
    let started = Instant::now();
    let (label, outcome) = if let Some(v) = &args.village {
        let v = code("--village", v)?;
        if !regions.get(v).is_some_and(|r| r.kind.is_village_level()) {
            return Err(anyhow!("--village {v}: 不是村或社区 / not a village"));
        }
        (v.to_string(), yangguang_app::warnings::refresh_village(&site, v).await?)
    } else {
        let region = match &args.region {
            Some(c) => {
                let c = code("--region", c)?;
                regions.get(c).cloned().ok_or_else(|| anyhow!("--region {c}: 没有这个区划 / unknown region"))?
            }
            None => regions.home().cloned().ok_or_else(|| anyhow!("no regions: import them or run the demo first"))?,
        };
        let outcome = match args.as_of {
            None => yangguang_app::warnings::recompute(&site, region.code, chrono::Utc::now()).await?,
            Some(day) => {
                // A real deployment's warnings follow the real day; moving it is for the demo.
                if site.store.get_state(crate::questions::DEMO_MARK).await?.is_none() {
                    return Err(anyhow!(
                        "--as-of 只用于演示数据 / --as-of is for demo data only: this database was not created by `yangguang demo`"
                    ));
                }
                let villages = yangguang_app::calendar::villages_under(&site, region.code);
                yangguang_app::warnings::refresh(&site, &villages, day, chrono::Utc::now()).await?
            }
        };
        (format!("{} {}", region.code, region.name), outcome)
    };
    let elapsed = started.elapsed();
    println!(
        "{label}: {} villages, {} findings in {:.0} ms; opened {}, updated {}, reopened {}, resolved {}",
        outcome.villages,
        outcome.findings,
        elapsed.as_secs_f64() * 1000.0,
        outcome.opened,
        outcome.updated,
        outcome.reopened,
        outcome.resolved
    );
    Ok(())
}
