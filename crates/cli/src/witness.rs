//! `yangguang witness`: a small server run by someone other than the operator, cosigning the
//! logs it is told of (docs/TRANSPARENCY.md §8); and `yangguang verify --mirror`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use clap::Args;

#[derive(Args, Debug)]
pub struct WitnessArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
    listen: String,
    /// Where the witness keeps its key (`keys/`) and what it cosigned (`witness-state.json`).
    #[arg(long, value_name = "DIR", default_value = "./yangguang-witness")]
    data_dir: PathBuf,
    /// The witness's name, shown on every checkpoint it cosigns (e.g. `witness.jiwei.example.gov.cn`).
    #[arg(long, default_value = "yangguang-witness")]
    name: String,
    /// A log to witness: its key as on its /verify page (`<origin>+<key id>+<key>`); repeatable.
    #[arg(long = "log", value_name = "VKEY", required = true)]
    logs: Vec<String>,
}

pub async fn witness(args: WitnessArgs) -> anyhow::Result<()> {
    let data_dir = yangguang_app::site::prepare_data_dir(&args.data_dir)?;
    let witness = yangguang_app::witness::Witness::open(&data_dir, &args.name, &args.logs)?;
    let addr: SocketAddr =
        args.listen.parse().with_context(|| format!("listen address {:?} is not HOST:PORT", args.listen))?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    // The platform's operator puts this line in its [[transparency.witness]] `key`.
    println!("witness-key {}", witness.vkey());
    println!("witness-url http://{local}/");
    tracing::info!(address = %local, logs = args.logs.len(), "witness serving");
    yangguang_web::witness::serve(listener, Arc::new(witness), crate::shutdown_signal()).await?;
    Ok(())
}

#[derive(Args, Debug)]
pub struct MirrorArgs {
    /// A log's address (`https://…/log/`) or a directory with its checkpoint and tiles.
    #[arg(long, value_name = "URL|DIR")]
    pub mirror: Option<String>,
    /// The log's key (`<origin>+<key id>+<key>`), from someone other than the server.
    #[arg(long, value_name = "VKEY", requires = "mirror")]
    pub key: Option<String>,
    /// A witness whose cosignature is required (its key); repeatable.
    #[arg(long = "witness", value_name = "VKEY", requires = "mirror")]
    pub witnesses: Vec<String>,
    /// Also write everything fetched to this directory: an offline bundle for `--mirror DIR`.
    #[arg(long, value_name = "DIR", requires = "mirror")]
    pub save: Option<PathBuf>,
}

pub async fn verify_mirror(args: &MirrorArgs, location: &str) -> anyhow::Result<()> {
    let key =
        args.key.as_deref().ok_or_else(|| anyhow!("--mirror needs --key: the log's key from its /verify page"))?;
    let source = yangguang_app::mirror::Source::new(location)?;
    let started = std::time::Instant::now();
    match yangguang_app::mirror::verify_mirror(&source, key, &args.witnesses, args.save.as_deref()).await? {
        Ok(r) => {
            println!(
                "OK: {} entries of {} ({} tiles) match the signed checkpoint{}; verified in {:.1}s",
                r.entries,
                r.origin,
                r.tiles,
                if r.cosigned_by.is_empty() {
                    String::new()
                } else {
                    format!(", cosigned by {}", r.cosigned_by.join(", "))
                },
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(e) => Err(anyhow!("verification failed: {e}")),
    }
}
