//! Counters and small states that every app server over the database reads and writes — rate
//! windows, login-code attempts — kept in `platform_state` and changed by compare-and-set:
//! read, compute, write only if nobody wrote meanwhile, else read again. So a limit holds
//! exactly however many servers count, with no lock held across a round trip.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{AppError, Site};

/// Tries before giving up: each failure means another request changed the same value.
const TRIES: usize = 64;

/// Applies `change` to the state under `name` (its default when unset or unreadable):
/// `change` returns the new value (`None`: nothing to write) and the answer. Runs `change`
/// again on the value read anew whenever another writer got there first.
pub async fn update<T, R>(
    site: &Site,
    name: &str,
    now: DateTime<Utc>,
    mut change: impl FnMut(T) -> (Option<T>, R),
) -> Result<R, AppError>
where
    T: Default + Serialize + DeserializeOwned,
{
    for _ in 0..TRIES {
        let read = site.store.get_state(name).await?;
        let value = read.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
        let (new, answer) = change(value);
        let Some(new) = new else { return Ok(answer) };
        let text = serde_json::to_string(&new).expect("state serialises");
        if site.store.replace_state(name, read.as_deref(), &text, now).await? {
            return Ok(answer);
        }
    }
    Err(yangguang_store::StoreError::Unavailable(format!("{name}: too many concurrent changes")).into())
}
