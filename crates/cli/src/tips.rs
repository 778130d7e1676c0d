//! `yangguang tips keygen`: the discipline commission's key pair for sealed whistle-blowing
//! reports. The secret key goes into a file encrypted under a passphrase (typed twice at a
//! terminal without echo, or read as the first line of standard input); the public key is
//! printed for `[tips] public_key`. The platform never sees the secret key in clear.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use yangguang_app::tips::seal::{self, KdfParams};

#[derive(Subcommand, Debug)]
pub enum TipsCommand {
    /// Create the commission's key file and print its public key for `[tips] public_key`.
    Keygen(KeygenArgs),
}

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// The key file to write (refused if it exists). Keep it, and its passphrase, apart.
    #[arg(long)]
    out: PathBuf,
}

fn read_passphrase() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("纪委私钥口令 / passphrase: ")?;
        let again = rpassword::prompt_password("再输入一次 / again: ")?;
        if first != again {
            bail!("两次输入的口令不一致 / the passphrases differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the passphrase from standard input")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file =
        options.open(path).with_context(|| format!("cannot create {} (does it exist already?)", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

pub fn run(command: TipsCommand) -> anyhow::Result<()> {
    match command {
        TipsCommand::Keygen(args) => {
            if args.out.exists() {
                bail!("{} already exists: a key file is never overwritten", args.out.display());
            }
            let passphrase = read_passphrase()?;
            let (text, public) = seal::create_key_file(&passphrase, KdfParams::default())?;
            write_new(&args.out, &text)?;
            let public = seal::public_key_text(&public);
            eprintln!("已写入纪委私钥文件 {} ；请与口令分开妥善保管 / key file written", args.out.display());
            println!("[tips]\npublic_key = \"{public}\"");
            Ok(())
        }
    }
}
