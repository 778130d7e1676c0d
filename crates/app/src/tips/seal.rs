//! The cryptography of sealed reports, all from maintained RustCrypto crates:
//!
//! - a report, each attachment and each reply is a libsodium-style **sealed box**
//!   (`crypto_box`: an ephemeral X25519 key agreement + XSalsa20-Poly1305) to the discipline
//!   commission's public key, or for replies also to a key derived from the reporter's receipt
//!   code; only the holder of the matching secret key opens it;
//! - the commission's secret key lives in a **key file** encrypted under its passphrase
//!   (argon2id → XChaCha20-Poly1305), never in the platform's configuration or database;
//! - the **receipt code** (24 Crockford base32 characters, 120 random bits) yields, with
//!   HKDF-SHA256, the lookup stored beside the report and the reporter's reply key pair.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_box::aead::OsRng;
pub use crypto_box::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};

/// The prefix of every sealed value this module writes.
const SEALED_PREFIX: &str = "tip1:";
/// Plain texts are padded to a multiple of this many bytes before sealing, so a sealed
/// report's length tells little about how much was written.
const PAD_TO: usize = 1024;
pub const KEY_FILE_FORMAT: &str = "yangguang-tips-key-v1";
/// The shortest passphrase a key file is made with.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// Receipt code length (in characters of Crockford base32: 5 bits each).
const CODE_CHARS: usize = 24;
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "这不是监督举报私钥文件（应为 yangguang tips keygen 生成的文件）/ not a key file made by `yangguang tips keygen`"
    )]
    NotAKeyFile,
    #[error("口令不对，或私钥文件已损坏 / wrong passphrase, or the key file is damaged")]
    WrongPassphrase,
    #[error("口令至少 {0} 个字符 / the passphrase needs at least {0} characters")]
    WeakPassphrase(usize),
    #[error(
        "此私钥与平台配置的纪委公钥（[tips] public_key）不对应 / this key does not match the configured public key"
    )]
    NotThisKey,
    #[error("纪委公钥格式不对：应为 64 位十六进制 / the public key must be 64 hex digits")]
    BadPublicKey,
}

/// A sealed value that does not open with the key tried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("加密内容无法用此密钥解开 / the sealed content does not open with this key")]
pub struct OpenError;

/// The public key as configured (`[tips] public_key`): 64 hex digits.
pub fn parse_public_key(text: &str) -> Result<PublicKey, KeyError> {
    let bytes: [u8; 32] =
        hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or(KeyError::BadPublicKey)?;
    Ok(PublicKey::from(bytes))
}

pub fn public_key_text(key: &PublicKey) -> String {
    hex::encode(key.as_bytes())
}

/// Seals bytes to a public key; the text stored.
pub fn seal(to: &PublicKey, plain: &[u8]) -> String {
    let sealed = to.seal(&mut OsRng, plain).expect("sealing in memory cannot fail");
    format!("{SEALED_PREFIX}{}", B64.encode(sealed))
}

/// Seals a JSON value, padded with trailing spaces (which JSON ignores).
pub fn seal_json(to: &PublicKey, value: &impl Serialize) -> String {
    let mut plain = serde_json::to_vec(value).expect("plain values serialise");
    let padded = plain.len().div_ceil(PAD_TO).max(1) * PAD_TO;
    plain.resize(padded, b' ');
    seal(to, &plain)
}

pub fn open(with: &SecretKey, text: &str) -> Result<Vec<u8>, OpenError> {
    let sealed = text.strip_prefix(SEALED_PREFIX).and_then(|b| B64.decode(b).ok()).ok_or(OpenError)?;
    with.unseal(&sealed).map_err(|_| OpenError)
}

pub fn open_json<T: serde::de::DeserializeOwned>(with: &SecretKey, text: &str) -> Result<T, OpenError> {
    serde_json::from_slice(&open(with, text)?).map_err(|_| OpenError)
}

// ───────────────────────── the commission's key file ─────────────────────────

/// argon2id's cost, kept in the key file so that it can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes: about a second on a server, per guess.
    fn default() -> Self {
        Self { m_kib: 64 * 1024, t: 3, p: 1 }
    }
}

impl KdfParams {
    /// The cheapest cost a key file may name (tests use it); anything below, or absurdly
    /// above (a file made to exhaust the server), is not a key file.
    pub const LEAST: Self = Self { m_kib: 8 * 1024, t: 1, p: 1 };

    fn in_bounds(self) -> bool {
        (Self::LEAST.m_kib..=1024 * 1024).contains(&self.m_kib)
            && (1..=10).contains(&self.t)
            && (1..=4).contains(&self.p)
    }

    fn derive(self, passphrase: &str, salt: &[u8]) -> Result<[u8; 32], KeyError> {
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|_| KeyError::NotAKeyFile)?;
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = [0u8; 32];
        argon.hash_password_into(passphrase.as_bytes(), salt, &mut key).map_err(|_| KeyError::NotAKeyFile)?;
        Ok(key)
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    format: String,
    public_key: String,
    kdf: String,
    #[serde(flatten)]
    params: KdfParams,
    salt: String,
    nonce: String,
    ciphertext: String,
}

/// A new key pair for the commission: the key file's text (the secret key encrypted under
/// the passphrase) and the public key to configure. Slow on purpose (argon2id).
pub fn create_key_file(passphrase: &str, params: KdfParams) -> Result<(String, PublicKey), KeyError> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(KeyError::WeakPassphrase(MIN_PASSPHRASE_CHARS));
    }
    let secret = SecretKey::generate(&mut OsRng);
    let public = secret.public_key();
    let salt = crate::auth::random_bytes::<16>();
    let nonce = crate::auth::random_bytes::<24>();
    let public_hex = public_key_text(&public);
    let key = params.derive(passphrase, &salt)?;
    let cipher = chacha20poly1305::XChaCha20Poly1305::new(&key.into());
    let aad = format!("{KEY_FILE_FORMAT}:{public_hex}");
    let ciphertext = cipher
        .encrypt(&nonce.into(), Payload { msg: &secret.to_bytes(), aad: aad.as_bytes() })
        .expect("encrypting 32 bytes in memory cannot fail");
    let file = KeyFile {
        format: KEY_FILE_FORMAT.into(),
        public_key: public_hex,
        kdf: "argon2id".into(),
        params,
        salt: hex::encode(salt),
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(ciphertext),
    };
    let text = serde_json::to_string_pretty(&file).expect("the key file serialises");
    Ok((text + "\n", public))
}

/// The secret key in a key file, with its passphrase. Slow on purpose (argon2id): call it
/// off the async runtime.
pub fn open_key_file(text: &str, passphrase: &str) -> Result<SecretKey, KeyError> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let file: KeyFile = serde_json::from_str(text.trim()).map_err(|_| KeyError::NotAKeyFile)?;
    if file.format != KEY_FILE_FORMAT || file.kdf != "argon2id" || !file.params.in_bounds() {
        return Err(KeyError::NotAKeyFile);
    }
    let hex32 = |h: &str, n: usize| hex::decode(h).ok().filter(|b| b.len() == n).ok_or(KeyError::NotAKeyFile);
    let (salt, nonce) = (hex32(&file.salt, 16)?, hex32(&file.nonce, 24)?);
    let ciphertext = hex::decode(&file.ciphertext).map_err(|_| KeyError::NotAKeyFile)?;
    let key = file.params.derive(passphrase, &salt)?;
    let cipher = chacha20poly1305::XChaCha20Poly1305::new(&key.into());
    let aad = format!("{KEY_FILE_FORMAT}:{}", file.public_key);
    let nonce: [u8; 24] = nonce.try_into().map_err(|_| KeyError::NotAKeyFile)?;
    let plain = cipher
        .decrypt(&nonce.into(), Payload { msg: &ciphertext, aad: aad.as_bytes() })
        .map_err(|_| KeyError::WrongPassphrase)?;
    let bytes: [u8; 32] = plain.try_into().map_err(|_| KeyError::NotAKeyFile)?;
    let secret = SecretKey::from(bytes);
    if public_key_text(&secret.public_key()) != file.public_key {
        return Err(KeyError::NotAKeyFile);
    }
    Ok(secret)
}

// ───────────────────────── receipt codes ─────────────────────────

/// A fresh receipt code, in groups of four for copying down: `7K2Q-M9XD-…`.
pub fn new_receipt_code() -> String {
    let random = crate::auth::random_bytes::<CODE_CHARS>();
    let chars: Vec<char> = random.iter().map(|b| CODE_ALPHABET[(*b & 31) as usize] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A receipt code as typed — any case, with or without dashes and spaces, O for 0, I or L
/// for 1 (Crockford) — in its canonical form; `None` when it cannot be one.
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (code.chars().count() == CODE_CHARS && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

fn derive(code: &str, purpose: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(b"yangguang tips receipt code"), code.as_bytes())
        .expand(purpose.as_bytes(), &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

/// What is stored to find a report by its (canonical) code: not the code, and not its key.
pub fn lookup(code: &str) -> String {
    hex::encode(derive(code, "lookup"))
}

/// The key pair replies to the reporter are sealed to; only its public half is stored.
pub fn reply_secret(code: &str) -> SecretKey {
    SecretKey::from(derive(code, "reply"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key() {
        let secret = SecretKey::generate(&mut OsRng);
        let other = SecretKey::generate(&mut OsRng);
        let sealed = seal_json(&secret.public_key(), &serde_json::json!({"text": "村主任虚报工程款"}));
        assert!(!sealed.contains("村主任"));
        assert_eq!((sealed.len() - SEALED_PREFIX.len()) % 4, 0);
        let back: serde_json::Value = open_json(&secret, &sealed).unwrap();
        assert_eq!(back["text"], "村主任虚报工程款");
        assert_eq!(open(&other, &sealed), Err(OpenError));
        assert_eq!(open(&secret, "tip1:AAAA"), Err(OpenError));
        // Padded: a short and a longer report seal to the same length.
        let short = seal_json(&secret.public_key(), &"a");
        let longer = seal_json(&secret.public_key(), &"a".repeat(900));
        assert_eq!(short.len(), longer.len());
    }

    #[test]
    fn a_key_file_opens_with_its_passphrase_only() {
        let (text, public) = create_key_file("correct horse battery", KdfParams::LEAST).unwrap();
        assert!(text.contains(&public_key_text(&public)));
        let secret = open_key_file(&text, "correct horse battery").unwrap();
        assert_eq!(secret.public_key(), public);
        assert!(matches!(open_key_file(&text, "wrong horse battery"), Err(KeyError::WrongPassphrase)));
        assert!(matches!(open_key_file("{}", "x"), Err(KeyError::NotAKeyFile)));
        assert!(matches!(create_key_file("short", KdfParams::LEAST), Err(KeyError::WeakPassphrase(12))));
        // A file asking for 64 GiB of memory is not a key file.
        let greedy = text.replace("\"m_kib\": 8192", "\"m_kib\": 67108864");
        assert_ne!(greedy, text);
        assert!(matches!(open_key_file(&greedy, "correct horse battery"), Err(KeyError::NotAKeyFile)));
        assert_eq!(parse_public_key(&public_key_text(&public)).unwrap(), public);
        assert!(parse_public_key("abc").is_err());
    }

    #[test]
    fn receipt_codes_are_long_random_and_forgiving_to_type() {
        let code = new_receipt_code();
        assert_eq!(code.len(), CODE_CHARS + CODE_CHARS / 4 - 1);
        assert_ne!(code, new_receipt_code());
        let canonical = normalise_code(&code).unwrap();
        assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")).as_deref(), Some(canonical.as_str()));
        assert!(normalise_code("OIL").is_none(), "too short");
        assert_eq!(normalise_code(&"o".repeat(24)).as_deref(), Some("0".repeat(24).as_str()));
        assert!(normalise_code(&"U".repeat(24)).is_none(), "U is not a Crockford digit");
        assert_ne!(lookup(&canonical), lookup(&"0".repeat(24)));
        assert_ne!(lookup(&canonical), hex::encode(reply_secret(&canonical).public_key().as_bytes()));
    }
}
