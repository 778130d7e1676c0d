//! The platform's ed25519 signing key, created on first start and kept in the data
//! directory (`keys/platform-ed25519.key`, readable by the owner only). Its public half is
//! shown on the public "how to verify" page. Keys for other purposes (encrypting staff TOTP
//! secrets in the database) are derived from it, so the database alone reveals nothing.

use std::path::Path;

use yangguang_core::publication::public_key_hex;

use crate::AppError;

const SEALED_PREFIX: &str = "sealed1:";

/// A sealed value that does not open: another platform key, another context, or altered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("加密数据无法解开（平台密钥不符或数据被改动）/ the sealed value does not open with this platform key")]
pub struct SealError;

#[derive(Clone)]
pub struct PlatformKey {
    secret: [u8; 32],
    pub public_hex: String,
}

impl std::fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformKey").field("public_hex", &self.public_hex).finish_non_exhaustive()
    }
}

impl PlatformKey {
    pub fn from_secret(secret: [u8; 32]) -> Self {
        Self { public_hex: public_key_hex(&secret), secret }
    }

    pub fn secret(&self) -> &[u8; 32] {
        &self.secret
    }

    /// A key for one `purpose`, derived from the platform key with HKDF-SHA256: never the
    /// signing key itself, and a different key for each purpose.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut key = [0u8; 32];
        hkdf::Hkdf::<sha2::Sha256>::new(Some(b"yangguang platform key"), &self.secret)
            .expand(purpose.as_bytes(), &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        key
    }

    /// Encrypts a small secret with XChaCha20-Poly1305 under the key derived for `purpose`,
    /// bound to `context` (say, the account it belongs to: a sealed value copied to another
    /// account does not open). Text: `sealed1:` and the hex of nonce and ciphertext.
    pub fn seal(&self, purpose: &str, context: &str, plain: &[u8]) -> String {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.derive(purpose).into());
        let nonce = crate::auth::random_bytes::<24>();
        let sealed = cipher
            .encrypt(&nonce.into(), Payload { msg: plain, aad: context.as_bytes() })
            .expect("encrypting a small secret in memory cannot fail");
        format!("{SEALED_PREFIX}{}{}", hex::encode(nonce), hex::encode(sealed))
    }

    /// Opens what [`Self::seal`] made for the same purpose and context.
    pub fn open(&self, purpose: &str, context: &str, text: &str) -> Result<Vec<u8>, SealError> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let bytes = text.strip_prefix(SEALED_PREFIX).and_then(|h| hex::decode(h).ok()).ok_or(SealError)?;
        if bytes.len() < 24 + 16 {
            return Err(SealError);
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| SealError)?;
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.derive(purpose).into());
        cipher.decrypt(&nonce.into(), Payload { msg: sealed, aad: context.as_bytes() }).map_err(|_| SealError)
    }

    /// Whether a stored value was made by [`Self::seal`] (rather than kept in clear by an
    /// older version).
    pub fn is_sealed(text: &str) -> bool {
        text.starts_with(SEALED_PREFIX)
    }

    /// Loads the key from the data directory, creating it on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, AppError> {
        let dir = data_dir.join("keys");
        let path = dir.join("platform-ed25519.key");
        let io = |e: std::io::Error| AppError::DataDir { path: path.display().to_string(), cause: e.to_string() };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let bytes: [u8; 32] =
                    hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
                        AppError::Invalid(format!("{} 不是有效的密钥文件 / not a valid key file", path.display()))
                    })?;
                Ok(Self::from_secret(bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&dir).map_err(io)?;
                let secret = crate::auth::random_bytes::<32>();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&path).map_err(io)?;
                std::io::Write::write_all(&mut file, format!("{}\n", hex::encode(secret)).as_bytes()).map_err(io)?;
                tracing::info!(public_key = %public_key_hex(&secret), path = %path.display(), "created the platform signing key");
                Ok(Self::from_secret(secret))
            }
            Err(e) => Err(io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_and_then_reused() {
        let dir = std::env::temp_dir().join(format!("yg-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = PlatformKey::load_or_create(&dir).unwrap();
        let again = PlatformKey::load_or_create(&dir).unwrap();
        assert_eq!(first.public_hex, again.public_hex);
        assert!(!format!("{first:?}").contains(&hex::encode(first.secret())), "Debug never shows the secret");
    }

    #[test]
    fn sealed_values_open_only_with_the_same_key_purpose_and_context() {
        let key = PlatformKey::from_secret([7; 32]);
        let sealed = key.seal("totp", "staff:1", b"JBSWY3DPEHPK3PXP");
        assert!(PlatformKey::is_sealed(&sealed) && !sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(sealed, key.seal("totp", "staff:1", b"JBSWY3DPEHPK3PXP"), "a fresh nonce each time");
        assert_eq!(key.open("totp", "staff:1", &sealed).unwrap(), b"JBSWY3DPEHPK3PXP");
        assert_eq!(key.open("totp", "staff:2", &sealed), Err(SealError), "bound to its account");
        assert_eq!(key.open("other", "staff:1", &sealed), Err(SealError));
        assert_eq!(PlatformKey::from_secret([8; 32]).open("totp", "staff:1", &sealed), Err(SealError));
        let mut altered = sealed.clone();
        altered.replace_range(sealed.len() - 2.., if sealed.ends_with("00") { "11" } else { "00" });
        assert_eq!(key.open("totp", "staff:1", &altered), Err(SealError));
        assert_eq!(key.open("totp", "staff:1", "JBSWY3DPEHPK3PXP"), Err(SealError));
        assert_ne!(key.derive("a"), key.derive("b"));
        assert_ne!(&key.derive("a"), key.secret());
    }
}
