//! `yangguang calendar`: the disclosure calendar of a region recomputed from the database —
//! its rates over the months asked for, the time the recompute took, and optionally every
//! cell written to a CSV or XLSX file. The bench (`bench/calendar.sh`) times it on the demo
//! county at full scale.

use std::time::Instant;

use anyhow::{anyhow, bail};
use chrono::NaiveDate;
use clap::Args;
use yangguang_core::calendar::{Window, percent, tally};
use yangguang_core::period::PeriodKind;
use yangguang_core::{Period, RegionCode};

use crate::Common;

#[derive(Args, Debug)]
pub struct CalendarArgs {
    #[command(flatten)]
    pub common: Common,
    /// The region (county, town or village code); by default the home region (the county).
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// First month (YYYY-MM); by default 11 months before --to.
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<String>,
    /// Last month (YYYY-MM); by default this month.
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<String>,
    /// Reckon as of this day instead of today (what is overdue, and by how much).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Write every cell to this file: `.csv` or `.xlsx`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

fn month(flag: &str, text: &str) -> anyhow::Result<Period> {
    text.parse::<Period>()
        .ok()
        .filter(|p| p.kind() == PeriodKind::Month)
        .ok_or_else(|| anyhow!("{flag} {text}: 月份应写成 2026-05 / a month is written 2026-05"))
}

pub async fn run(args: CalendarArgs) -> anyhow::Result<()> {
    let settings = args.common.settings()?;
    crate::init_logging(&settings);
    let site = crate::open_site(&settings).await?;
    let today = args.as_of.unwrap_or_else(yangguang_app::today);
    let regions = site.regions();
    let region = match &args.region {
        Some(code) => {
            let code = RegionCode::parse(code).map_err(|e| anyhow!("--region {code}: {e}"))?;
            regions.get(code).cloned().ok_or_else(|| anyhow!("--region {code}: 没有这个区划 / unknown region"))?
        }
        None => regions.home().cloned().ok_or_else(|| anyhow!("no regions: import them or run the demo first"))?,
    };
    let last = match &args.to {
        Some(t) => month("--to", t)?,
        None => Period::containing(PeriodKind::Month, today),
    };
    let first = match &args.from {
        Some(f) => month("--from", f)?,
        None => Window::months_to(last.start(), 12).first,
    };
    if first.start() > last.start() {
        bail!("--from {first} 晚于 --to {last} / --from is after --to");
    }
    let window = Window { first, last };
    let started = Instant::now();
    let villages = yangguang_app::calendar::villages_under(&site, region.code);
    let cells = yangguang_app::calendar::cells(&site, &villages, window, today).await?;
    let t = tally(&cells);
    let elapsed = started.elapsed();
    println!(
        "{} {}: {} villages, {} months, {} cells in {:.0} ms; due {}, on time {}, late {}, not published {} — 及时率 {}, 公开率 {}",
        region.code,
        region.name,
        villages.len(),
        window.months().len(),
        cells.len(),
        elapsed.as_secs_f64() * 1000.0,
        t.due,
        t.on_time,
        t.late,
        t.missing,
        percent(t.timely_permille()),
        percent(t.published_permille()),
    );
    if let Some(out) = &args.out {
        use yangguang_app::calendar::export;
        let bytes = match out.extension().and_then(|e| e.to_str()) {
            Some("csv") => export::cells_csv(&regions, &cells),
            Some("xlsx") => {
                let (rows, _) = yangguang_app::calendar::roll_up(&site, &villages, &cells);
                export::calendar_xlsx(&regions, &cells, &rows, &format!("{}公开日历", region.name))?
            }
            _ => bail!("--out {}: 应为 .csv 或 .xlsx 文件 / a .csv or .xlsx file", out.display()),
        };
        std::fs::write(out, bytes).map_err(|e| anyhow!("{}: {e}", out.display()))?;
        println!("wrote {}", out.display());
    }
    Ok(())
}
