//! What keeps villagers' questions honest and the system safe: receipt codes (long, random,
//! stored only as keyed hashes), plain text with a length limit, one-time form tokens against
//! replayed forms, and sliding-window rate limits per address, device and household.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{AppError, Site};

/// Crockford's base32 without check symbol: no I, L, O or U, so a code read aloud or copied by
/// hand is hard to get wrong.
const CODE_CHARS: usize = 20;

/// A new receipt code: 100 random bits, as five groups of four ("ZX4K-9PQM-…").
pub fn new_receipt_code() -> String {
    let bytes = crate::auth::random_bytes::<13>();
    let text = base32::encode(base32::Alphabet::Crockford, &bytes);
    let chars: Vec<char> = text.chars().take(CODE_CHARS).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A code as typed: case, spaces and dashes ignored, and the letters people confuse with
/// digits read as those digits. `None` when it cannot be a receipt code.
pub fn normalise_code(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_CHARS);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '\u{3000}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'U') => c,
            _ => return None,
        };
        out.push(c);
    }
    (out.len() == CODE_CHARS).then_some(out)
}

fn keyed(site: &Site, purpose: &[u8], text: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(site.key.secret()).expect("any key length");
    mac.update(purpose);
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What is stored for a code: a keyed hash, so the database alone does not give codes away.
pub fn receipt_hash(site: &Site, normalised: &str) -> String {
    keyed(site, b"yangguang question receipt v1:", normalised)
}

/// What is stored for a device cookie.
pub fn device_hash(site: &Site, device: &str) -> String {
    keyed(site, b"yangguang device v1:", device)
}

/// A villager's text as plain text: trimmed, control characters removed (line breaks kept),
/// within `max` characters. Refusals name the field and keep nothing from it: the form
/// shows the typed text again.
pub fn plain_text(field: &'static str, typed: &str, max: usize) -> Result<String, AppError> {
    let text: String = typed
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned();
    if text.is_empty() {
        return Err(AppError::Field { field, message: "请填写内容 / please write something".into() });
    }
    let n = text.chars().count();
    if n > max {
        return Err(AppError::Field {
            field,
            message: format!(
                "内容过长：共 {n} 字，最多 {max} 字，请删减后再提交 / too long: {n} characters, at most {max}"
            ),
        });
    }
    Ok(text)
}

/// How long a form may wait between being shown and being sent.
const FORM_HOURS: i64 = 6;

/// A one-time token for a question form shown at `now` (see [`crate::form_token`]).
pub fn form_token(site: &Site, now: DateTime<Utc>) -> String {
    crate::form_token::issue(&site.key, "questions", now)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormError {
    #[error("表单已失效，请重新打开页面后再提交（您填写的内容已保留） / the form expired: send it again")]
    Expired,
    #[error(
        "此表单已经提交过，未重复记录。如需再问，请重新打开页面 / this form was already sent; nothing was recorded twice"
    )]
    Replayed,
}

/// Accepts a form token once: a forged or old token is `Expired`, a used one `Replayed`.
pub async fn claim_form(site: &Site, token: &str, now: DateTime<Utc>) -> Result<Result<(), FormError>, AppError> {
    let age = Duration::hours(FORM_HOURS);
    let Some(nonce) = crate::form_token::check(&site.key, "questions", token, age, now) else {
        return Ok(Err(FormError::Expired));
    };
    if crate::form_token::spend(site, "questions", &nonce, age, now).await? {
        Ok(Ok(()))
    } else {
        Ok(Err(FormError::Replayed))
    }
}

/// Takes one from a sliding window kept in `platform_state` under `name`: `false` (nothing
/// taken) when `max` were already taken within `window`. Counted by compare-and-set
/// ([`crate::shared_state`]), so the limit holds across every app server.
pub async fn take(site: &Site, name: &str, max: usize, window: Duration, now: DateTime<Utc>) -> Result<bool, AppError> {
    crate::shared_state::update(site, name, now, |times: Vec<DateTime<Utc>>| {
        let taken = slide(times, max, window, now);
        let ok = taken.is_some();
        (taken, ok)
    })
    .await
}

/// The window after taking one at `now`, or `None` when `max` were taken within `window`.
pub fn slide(
    mut times: Vec<DateTime<Utc>>,
    max: usize,
    window: Duration,
    now: DateTime<Utc>,
) -> Option<Vec<DateTime<Utc>>> {
    times.retain(|t| *t > now - window);
    if times.len() >= max {
        return None;
    }
    times.push(now);
    Some(times)
}

/// Forgets rate windows after two days (spent form tokens are forgotten as they are spent).
pub async fn prune(site: &Site, now: DateTime<Utc>) -> Result<u64, AppError> {
    let before = now - Duration::days(2);
    Ok(site.store.prune_state("qrate:", before).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_codes_are_long_grouped_and_read_forgivingly() {
        let code = new_receipt_code();
        assert_eq!(code.len(), 24, "{code}");
        assert_eq!(code.split('-').count(), 5);
        let n = normalise_code(&code).unwrap();
        assert_eq!(n.len(), 20);
        assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")), Some(n.clone()));
        assert_ne!(new_receipt_code(), code, "random");
        assert_eq!(normalise_code("oooo-iiii-llll-2222-3333").unwrap(), "00001111111122223333");
        assert_eq!(normalise_code("ABCD-EFGH"), None, "too short");
        assert_eq!(normalise_code("UUUU-UUUU-UUUU-UUUU-UUUU"), None, "not in the alphabet");
        assert_eq!(normalise_code("<scr-ipt>"), None);
    }

    #[test]
    fn villagers_text_is_plain_trimmed_and_limited() {
        assert_eq!(plain_text("body", "  问\r\n题\u{7}  ", 10).unwrap(), "问\n题");
        assert!(matches!(plain_text("body", "   ", 10), Err(AppError::Field { field: "body", .. })));
        let long = "字".repeat(11);
        match plain_text("body", &long, 10) {
            Err(AppError::Field { message, .. }) => assert!(message.contains("共 11 字"), "{message}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(plain_text("body", "<b>x</b>", 10).unwrap(), "<b>x</b>", "kept as typed, escaped when shown");
    }
}
