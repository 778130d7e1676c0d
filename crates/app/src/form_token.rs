//! One-time tokens for public forms (villagers' questions, 监督举报): `issued.nonce.mac`, the MAC
//! under a key derived from the platform key for the form's purpose, so any app server of the
//! deployment accepts a token another issued; spending one is a `platform_state` claim, so a
//! replayed form is recorded once however many servers see it.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::keys::PlatformKey;
use crate::{AppError, Site};

fn mac(key: &PlatformKey, purpose: &str, body: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.derive(purpose)).expect("any key length");
    mac.update(body.as_bytes());
    mac
}

/// A token for a form shown at `now`.
pub fn issue(key: &PlatformKey, purpose: &str, now: DateTime<Utc>) -> String {
    let body = format!("{}.{}", now.timestamp(), hex::encode(crate::auth::random_bytes::<16>()));
    let tag = hex::encode(mac(key, purpose, &body).finalize().into_bytes());
    format!("{body}.{tag}")
}

/// The token's nonce when it is genuine (compared in constant time) and was issued within
/// `max_age` of `now`; nothing is spent.
pub fn check(key: &PlatformKey, purpose: &str, token: &str, max_age: Duration, now: DateTime<Utc>) -> Option<String> {
    let (body, tag) = token.rsplit_once('.')?;
    let (issued, nonce) = body.split_once('.')?;
    let issued = DateTime::from_timestamp(issued.parse().ok()?, 0)?;
    let fresh = issued <= now + Duration::minutes(5) && now - issued <= max_age;
    let genuine = mac(key, purpose, body).verify_slice(&hex::decode(tag).ok()?).is_ok();
    (fresh && genuine).then(|| nonce.to_owned())
}

/// Spends a checked token's nonce: `false` when it was spent before (the form was sent twice).
/// Spent nonces older than `max_age` are forgotten first: such tokens no longer check.
pub async fn spend(
    site: &Site,
    purpose: &str,
    nonce: &str,
    max_age: Duration,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let prefix = format!("form/{purpose}/");
    site.store.prune_state(&prefix, now - max_age - Duration::hours(1)).await?;
    Ok(site.store.claim_state(&format!("{prefix}{nonce}"), "1", now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_checks_for_its_purpose_while_fresh_and_untouched() {
        let site = PlatformKey::from_secret([7; 32]);
        let now = Utc::now();
        let token = issue(&site, "questions", now);
        let hours = Duration::hours(6);
        let nonce = check(&site, "questions", &token, hours, now).expect("genuine");
        assert_eq!(nonce.len(), 32);
        assert_eq!(check(&site, "tips", &token, hours, now), None, "another form's token");
        assert_eq!(check(&site, "questions", &token, hours, now + Duration::hours(7)), None, "too old");
        let last = if token.ends_with('0') { "1" } else { "0" };
        let forged = format!("{}{last}", &token[..token.len() - 1]);
        assert_eq!(check(&site, "questions", &forged, hours, now), None, "forged");
        assert_eq!(check(&site, "questions", "1.2", hours, now), None);
    }
}
