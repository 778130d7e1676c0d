//! `yangguang escalate-questions` (hidden): escalates villagers' unanswered questions past
//! their deadline now, as the server's background job does every 20 s. With `--as-of` it
//! reckons from another day — only over demo data (a database `yangguang demo` created), so a
//! production deployment can never escalate early; the browser test uses it as its clock.

use anyhow::bail;
use chrono::{NaiveDate, TimeZone, Utc};
use clap::Args;

use crate::Common;

/// The `platform_state` name `yangguang demo` writes: this database holds demo data.
pub const DEMO_MARK: &str = "demo/as-of";

#[derive(Args, Debug)]
pub struct EscalateArgs {
    #[command(flatten)]
    pub common: Common,
    /// Reckon deadlines as at the end of this day (Beijing time), demo data only.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
}

pub async fn escalate(args: EscalateArgs) -> anyhow::Result<()> {
    let settings = args.common.settings()?;
    crate::init_logging(&settings);
    let site = crate::open_site(&settings).await?;
    let now = match args.as_of {
        None => Utc::now(),
        Some(day) => {
            if site.store.get_state(DEMO_MARK).await?.is_none() {
                bail!("--as-of is for demo data only: this database was not created by `yangguang demo`");
            }
            let end = day.and_hms_opt(23, 59, 59).expect("a valid time");
            yangguang_core::time::china()
                .from_local_datetime(&end)
                .single()
                .expect("a fixed offset")
                .with_timezone(&Utc)
        }
    };
    let n = yangguang_app::questions::escalate_due(&site, now).await?;
    site.announce().await;
    println!("escalated {n} questions past their deadline");
    Ok(())
}
