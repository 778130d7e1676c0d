//! The platform's ed25519 signing key, created on first start and kept in the data
//! directory (`keys/platform-ed25519.key`, readable by the owner only). Its public half is
//! shown on the public "how to verify" page.

use std::path::Path;

use yangguang_core::publication::public_key_hex;

use crate::AppError;

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
}
