//! A witness (`yangguang witness`, docs/TRANSPARENCY.md §8): run by someone other than the
//! operator, it keeps for each log it knows the last checkpoint it cosigned, and cosigns a
//! new one only if it is signed by the log and consistent with that one (C2SP tlog-witness).
//! Its memory is a small JSON file in its data directory, replaced atomically after each
//! cosignature and before the answer leaves, so a restart never forgets what it signed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use yangguang_core::tlog::{self, AddCheckpointRequest, WitnessRefusal, WitnessState};

use crate::AppError;

/// Why a witness did not cosign: the request's fault (tlog-witness statuses), or its own
/// state could not be kept (500: nothing was cosigned).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error(transparent)]
    Refusal(#[from] WitnessRefusal),
    #[error("见证状态无法保存，未副署 / the witness could not keep its state: {0}")]
    NotSaved(String),
}

impl Refused {
    pub fn status(&self) -> u16 {
        match self {
            Self::Refusal(r) => r.status(),
            Self::NotSaved(_) => 500,
        }
    }

    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Refusal(r) => r.content_type(),
            Self::NotSaved(_) => "text/plain; charset=utf-8",
        }
    }

    pub fn body(&self) -> String {
        match self {
            Self::Refusal(r) => r.body(),
            other => format!("{other}\n"),
        }
    }
}

pub struct Witness {
    cosigner: tlog::Cosigner,
    /// Each known log's origin and keys.
    logs: BTreeMap<String, Vec<tlog::Verifier>>,
    state_path: PathBuf,
    /// What was last cosigned per origin; the lock serialises requests, as the check of `old`
    /// and the update must be one step.
    state: tokio::sync::Mutex<BTreeMap<String, WitnessState>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Remembered {
    size: u64,
    root: String,
}

impl Witness {
    /// A witness named `name` with the key kept in `data_dir`, knowing the logs given as
    /// vkeys (the key name is the log's origin).
    pub fn open(data_dir: &Path, name: &str, log_keys: &[String]) -> Result<Self, AppError> {
        let key = crate::keys::PlatformKey::load_or_create(data_dir)?;
        let cosigner = tlog::Cosigner::new(name, *key.secret())
            .map_err(|e| AppError::Invalid(format!("见证名称 “{name}” 无效 / bad witness name: {e}")))?;
        let mut logs: BTreeMap<String, Vec<tlog::Verifier>> = BTreeMap::new();
        for vkey in log_keys {
            let verifier = tlog::Verifier::parse(vkey.trim())
                .map_err(|e| AppError::Invalid(format!("日志公钥 “{vkey}” 无效 / bad log key: {e}")))?;
            logs.entry(verifier.name().to_owned()).or_default().push(verifier);
        }
        let state_path = data_dir.join("witness-state.json");
        let state = match std::fs::read_to_string(&state_path) {
            Ok(text) => {
                let stored: BTreeMap<String, Remembered> = serde_json::from_str(&text).map_err(|e| {
                    AppError::Invalid(format!("{} 无法读取 / unreadable witness state: {e}", state_path.display()))
                })?;
                let mut out = BTreeMap::new();
                for (origin, r) in stored {
                    let root = hex::decode(&r.root).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
                        AppError::Invalid(format!(
                            "{} 中的根哈希有误 / bad root in witness state",
                            state_path.display()
                        ))
                    })?;
                    out.insert(origin, WitnessState { size: r.size, root });
                }
                out
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => {
                return Err(AppError::DataDir { path: state_path.display().to_string(), cause: e.to_string() });
            }
        };
        Ok(Self { cosigner, logs, state_path, state: tokio::sync::Mutex::new(state) })
    }

    /// The witness's verifier key, for the platform's `[[transparency.witness]]`.
    pub fn vkey(&self) -> String {
        self.cosigner.vkey()
    }

    /// Answers an `add-checkpoint` request body: the cosignature lines, or the refusal.
    pub async fn add_checkpoint(&self, body: &[u8], now: u64) -> Result<String, Refused> {
        let request = AddCheckpointRequest::parse(body)?;
        let keys = self.logs.get(&request.checkpoint.origin).map(Vec::as_slice).unwrap_or(&[]);
        let mut state = self.state.lock().await;
        let last = state.get(&request.checkpoint.origin);
        let cosigned = tlog::add_checkpoint(&request, keys, last, std::slice::from_ref(&self.cosigner), now)?;
        let mut next = state.clone();
        next.insert(request.checkpoint.origin.clone(), cosigned.state);
        self.save(&next).map_err(|e| Refused::NotSaved(e.to_string()))?;
        *state = next;
        Ok(cosigned.response_body())
    }

    /// Writes the state to a new file and renames it over the old one.
    fn save(&self, state: &BTreeMap<String, WitnessState>) -> std::io::Result<()> {
        let stored: BTreeMap<&String, Remembered> =
            state.iter().map(|(o, s)| (o, Remembered { size: s.size, root: hex::encode(s.root) })).collect();
        let tmp = self.state_path.with_extension("json.tmp");
        {
            let mut file = std::fs::File::create(&tmp)?;
            std::io::Write::write_all(&mut file, &serde_json::to_vec_pretty(&stored).expect("state serialises"))?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.state_path)
    }

    /// What it last cosigned for a log.
    pub async fn last(&self, origin: &str) -> Option<WitnessState> {
        self.state.lock().await.get(origin).copied()
    }
}
