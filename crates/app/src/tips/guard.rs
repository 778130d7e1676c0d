//! What keeps the public form from being abused without learning who uses it: counts per
//! address kept only as a keyed hash under a secret that is replaced every hour (so an
//! address cannot be recovered, nor followed from one hour to the next, and nothing reaches
//! the disk), and one-time form tokens against replayed submissions. The counts are per
//! process on purpose — in the database they would be on disk — so with several app servers
//! each allows its own 5 an hour per address (docs/SCALING.md: route `/tips` by address).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Site;

/// Reports one address may send in an hour.
pub const SUBMISSIONS_PER_HOUR: u32 = 5;
/// Receipt-code checks one address may make in an hour (right or wrong).
pub const LOOKUPS_PER_HOUR: u32 = 20;
/// How long a form may be open before it is sent.
const FORM_HOURS: i64 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counted {
    Submission,
    Lookup,
}

struct Window {
    hour: i64,
    secret: [u8; 32],
    counts: HashMap<(Counted, [u8; 16]), u32>,
}

/// Per-address counts for the current hour, by keyed hash only.
pub struct Throttle {
    window: Mutex<Window>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self { window: Mutex::new(Window { hour: i64::MIN, secret: [0; 32], counts: HashMap::new() }) }
    }
}

impl Throttle {
    /// Counts one use by `address`; `false` when it is over `limit` this hour.
    pub fn allow(&self, what: Counted, address: &str, limit: u32, now: DateTime<Utc>) -> bool {
        let mut w = self.window.lock().expect("throttle lock");
        let hour = now.timestamp().div_euclid(3600);
        if w.hour != hour {
            // A new hour: a new secret, and the old hashes are gone with the old counts.
            *w = Window { hour, secret: crate::auth::random_bytes(), counts: HashMap::new() };
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(&w.secret).expect("any key length");
        mac.update(address.as_bytes());
        let tag: [u8; 16] = mac.finalize().into_bytes()[..16].try_into().expect("16 of 32 bytes");
        let count = w.counts.entry((what, tag)).or_insert(0);
        *count += 1;
        *count <= limit
    }
}

/// A token for a fresh form (see [`crate::form_token`]).
pub fn form_token(site: &Site, now: DateTime<Utc>) -> String {
    crate::form_token::issue(&site.key, "tips", now)
}

/// Whether a form's token is genuine and recent (without spending it): its nonce.
pub fn form_token_valid(site: &Site, token: &str, now: DateTime<Utc>) -> Option<String> {
    crate::form_token::check(&site.key, "tips", token, Duration::hours(FORM_HOURS), now)
}

/// Spends a form's token: `false` when it was spent before (the form was sent twice).
pub async fn spend_form_token(site: &Site, nonce: &str, now: DateTime<Utc>) -> Result<bool, crate::AppError> {
    crate::form_token::spend(site, "tips", nonce, Duration::hours(FORM_HOURS), now).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_address_is_counted_within_its_hour() {
        let t = Throttle::default();
        let at = Utc.with_ymd_and_hms(2026, 4, 1, 9, 10, 0).unwrap();
        for _ in 0..3 {
            assert!(t.allow(Counted::Lookup, "10.0.0.1", 3, at));
        }
        assert!(!t.allow(Counted::Lookup, "10.0.0.1", 3, at));
        assert!(t.allow(Counted::Lookup, "10.0.0.2", 3, at), "another address");
        assert!(t.allow(Counted::Submission, "10.0.0.1", 3, at), "another kind");
        assert!(t.allow(Counted::Lookup, "10.0.0.1", 3, at + Duration::hours(1)), "a new hour");
    }
}
