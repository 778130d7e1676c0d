//! Signed pushes from outside systems (the trading platform's webhook): HMAC-SHA256 over the
//! timestamp and the body, with the shared secret. A push is accepted only with a valid
//! signature and a timestamp close to now, so a captured request cannot be replayed later;
//! replays within the window are refused by the caller remembering the MACs it has seen — the
//! decoded MAC bytes that `verify` returns, never the header's spelling (upper case, with or
//! without `sha256=`, are the same signature).

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("缺少签名或时间戳 / the signature or the timestamp is missing")]
    Missing,
    #[error("时间戳无法识别（应为 Unix 秒数）/ the timestamp is not a number of seconds")]
    BadTimestamp,
    #[error("时间戳与当前时间相差 {0} 秒，超过允许范围 / the timestamp is too old or in the future")]
    Stale(i64),
    #[error("签名不符 / the signature does not match")]
    Mismatch,
}

/// The signature a sender puts in its header: `sha256=` and the hex HMAC of
/// `"{timestamp}.{body}"`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// Checks a push: the timestamp within `max_skew_seconds` of `now`, the signature right
/// (compared in constant time). Returns the decoded MAC, which is the same whatever way the
/// sender spelt it: the key to remember it by.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
    max_skew_seconds: i64,
) -> Result<Vec<u8>, SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else { return Err(SignatureError::Missing) };
    let ts: i64 = timestamp.trim().parse().map_err(|_| SignatureError::BadTimestamp)?;
    let skew = now.timestamp() - ts;
    if skew.abs() > max_skew_seconds {
        return Err(SignatureError::Stale(skew));
    }
    let given = signature.trim().strip_prefix("sha256=").unwrap_or(signature.trim());
    let given = hex::decode(given).map_err(|_| SignatureError::Mismatch)?;
    mac(secret, ts, body).verify_slice(&given).map_err(|_| SignatureError::Mismatch)?;
    Ok(given)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(ts: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(ts, 0).unwrap()
    }

    #[test]
    fn a_signed_push_is_accepted_and_every_fault_is_named() {
        let body = br#"{"project_no":"GYCQ-2026-001"}"#;
        let sig = sign(b"s3cret", 1_790_000_000, body);
        let now = at(1_790_000_100);
        let mac = verify(b"s3cret", Some("1790000000"), Some(&sig), body, now, 300).unwrap();
        assert_eq!(mac.len(), 32);
        // Re-spelt (upper case, no prefix, spaces around) it is the same MAC.
        let respelt = format!(" {} ", sig.trim_start_matches("sha256=").to_uppercase());
        assert_eq!(verify(b"s3cret", Some("1790000000"), Some(&respelt), body, now, 300), Ok(mac));
        assert_eq!(verify(b"s3cret", None, Some(&sig), body, now, 300), Err(SignatureError::Missing));
        assert_eq!(verify(b"s3cret", Some("yesterday"), Some(&sig), body, now, 300), Err(SignatureError::BadTimestamp));
        assert_eq!(
            verify(b"s3cret", Some("1790000000"), Some(&sig), body, at(1_790_000_400), 300),
            Err(SignatureError::Stale(400))
        );
        assert_eq!(verify(b"other", Some("1790000000"), Some(&sig), body, now, 300), Err(SignatureError::Mismatch));
        // A timestamp moved forward to dodge the window breaks the signature.
        assert_eq!(verify(b"s3cret", Some("1790000090"), Some(&sig), body, now, 300), Err(SignatureError::Mismatch));
        assert_eq!(
            verify(b"s3cret", Some("1790000000"), Some("sha256=zz"), body, now, 300),
            Err(SignatureError::Mismatch)
        );
    }

    proptest! {
        #[test]
        fn any_change_to_the_body_breaks_the_signature(body in proptest::collection::vec(any::<u8>(), 1..200), i in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let sig = sign(b"k", 1_000, &body);
            let mut changed = body.clone();
            let i = i.index(changed.len());
            changed[i] ^= flip;
            prop_assert!(verify(b"k", Some("1000"), Some(&sig), &body, at(1_000), 60).is_ok());
            prop_assert_eq!(verify(b"k", Some("1000"), Some(&sig), &changed, at(1_000), 60), Err(SignatureError::Mismatch));
        }
    }
}
