//! Staff authentication: argon2id passwords, TOTP second factor, sessions whose cookie token
//! is stored only as a hash, CSRF tokens, and login throttling per account and per address.
//! Every login and failure goes to the audit trail.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};
use yangguang_core::staff::{Grant, Grants};
use yangguang_store::{AuditEntry, LoginLimits, NewStaff, Session, Staff, StoreError};

use crate::{AppError, Site};

/// How long a session lives, however active.
pub const SESSION_HOURS: i64 = 12;
/// Failures within the window that lock an account, and an address.
pub const MAX_ACCOUNT_FAILURES: u64 = 5;
pub const MAX_ADDRESS_FAILURES: u64 = 20;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginError {
    #[error("用户名或密码错误 / wrong username or password")]
    WrongCredentials,
    #[error("需要动态验证码 / a one-time code from your authenticator app is required")]
    TotpRequired,
    #[error("动态验证码错误 / wrong one-time code")]
    WrongTotp,
    #[error("登录失败次数过多，请 {0} 分钟后再试 / too many failed logins, try again later")]
    Throttled(i64),
    #[error("账号已停用 / this account is disabled")]
    Disabled,
    #[error("系统暂时无法登录，请稍后再试 / login is unavailable right now")]
    Unavailable,
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system provides randomness");
    buf
}

/// A random URL-safe token (for session cookies and CSRF).
pub fn random_token() -> String {
    hex::encode(random_bytes::<32>())
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A one-time password for a new account: 12 characters without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random_bytes::<12>().iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// Argon2id with the crate's recommended parameters. Slow on purpose: call it off the async
/// runtime ([`hash_password`] does).
fn hash_password_blocking(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes is a valid salt");
    argon2::Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes").to_string()
}

fn verify_password_blocking(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

pub async fn hash_password(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password)).await.expect("hashing does not panic")
}

pub async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password_blocking(&hash, &password)).await.unwrap_or(false)
}

pub fn check_password_policy(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::Invalid(format!(
            "密码至少 {MIN_PASSWORD_CHARS} 个字符 / a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

fn totp(secret_b32: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some("阳光村务".into()), account.replace(':', "_")).ok()
}

/// A fresh base32 TOTP secret (160 bits).
pub fn new_totp_secret() -> String {
    Secret::Raw(random_bytes::<20>().to_vec()).to_encoded().to_string()
}

/// The `otpauth://` URL an authenticator app imports.
pub fn totp_url(secret_b32: &str, account: &str) -> Option<String> {
    totp(secret_b32, account).map(|t| t.get_url())
}

/// Checks a code at `now`, allowing one step of clock drift either way.
pub fn check_totp(secret_b32: &str, account: &str, code: &str, now: DateTime<Utc>) -> bool {
    totp_step(secret_b32, account, code, now).is_some()
}

/// The time step (30 s) whose code `code` is, within one step of `now` either way, if any.
/// A code is accepted once: the store keeps the last accepted step of each account.
pub fn totp_step(secret_b32: &str, account: &str, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 {
        return None;
    }
    let t = totp(secret_b32, account)?;
    let step = now.timestamp().max(0) as u64 / 30;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| constant_eq(t.generate(s * 30).as_bytes(), code.as_bytes()))
        .map(|s| s as i64)
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What TOTP secrets are encrypted for (the key is derived from the platform key).
const TOTP_PURPOSE: &str = "yangguang/staff-totp-secret/v1";

fn totp_context(staff_id: i64) -> String {
    format!("staff:{staff_id}")
}

/// A TOTP secret as stored: encrypted under a key derived from the platform key and bound to
/// the account.
pub fn seal_totp_secret(site: &Site, staff_id: i64, secret_b32: &str) -> String {
    site.key.seal(TOTP_PURPOSE, &totp_context(staff_id), secret_b32.as_bytes())
}

/// A staff member's TOTP secret in clear, if they have one: decrypted, or as an older version
/// stored it (in clear; `seal_clear_totp_secrets` encrypts those at start).
pub fn totp_secret(site: &Site, staff: &Staff) -> Result<Option<String>, crate::keys::SealError> {
    let Some(stored) = &staff.totp_secret else { return Ok(None) };
    if !crate::keys::PlatformKey::is_sealed(stored) {
        return Ok(Some(stored.clone()));
    }
    let plain = site.key.open(TOTP_PURPOSE, &totp_context(staff.id), stored)?;
    String::from_utf8(plain).map(Some).map_err(|_| crate::keys::SealError)
}

/// Encrypts every TOTP secret still stored in clear (by a version before encryption); returns
/// how many. Run at start.
pub async fn seal_clear_totp_secrets(site: &Site) -> Result<usize, AppError> {
    let mut sealed = 0;
    for mut staff in site.store.list_staff().await? {
        if let Some(clear) = staff.totp_secret.clone().filter(|s| !crate::keys::PlatformKey::is_sealed(s)) {
            staff.totp_secret = Some(seal_totp_secret(site, staff.id, &clear));
            site.store.update_staff(&staff).await?;
            sealed += 1;
        }
    }
    if sealed > 0 {
        tracing::info!(accounts = sealed, "encrypted TOTP secrets that were stored in clear");
    }
    Ok(sealed)
}

/// The current code, for tests and the demo's documentation.
pub fn totp_now(secret_b32: &str, account: &str, now: DateTime<Utc>) -> Option<String> {
    totp(secret_b32, account).map(|t| t.generate(now.timestamp().max(0) as u64))
}

/// A logged-in staff member and their session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub staff: Staff,
    pub session: Session,
    /// What waits for them, for the console's navigation (filled in by the console's pages).
    pub badges: crate::notify::Badges,
}

impl SignedIn {
    /// What this staff member may do.
    pub fn grants(&self) -> Grants {
        Grants(self.staff.grants.clone())
    }

    /// A county-level role or admin without a second factor yet may only set one up.
    pub fn needs_totp_setup(&self) -> bool {
        self.staff.totp_secret.is_none() && self.grants().requires_totp()
    }
}

pub async fn audit(site: &Site, staff: Option<&Staff>, ip: &str, action: &str, target: &str, detail: &str) {
    // Failures are logged inside.
    let _ = audit_required(site, staff, ip, action, target, detail).await;
}

/// [`audit`] for an action that must not happen unrecorded (a read of personal data): when the
/// entry cannot be written the caller gets `Unavailable` and must stop (fail closed).
pub async fn audit_required(
    site: &Site,
    staff: Option<&Staff>,
    ip: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), AppError> {
    let entry = AuditEntry {
        at: Utc::now(),
        staff_id: staff.map(|s| s.id),
        staff_name: staff.map(|s| format!("{}（{}）", s.display_name, s.username)).unwrap_or_else(|| "—".into()),
        action: action.into(),
        target: target.into(),
        detail: detail.into(),
        ip: ip.into(),
    };
    site.store.append_audit(&entry).await.map_err(|e| {
        // The audit trail must not silently lose entries: make the failure loud in the logs.
        tracing::error!(error = %e, action, target, "could not write the audit trail");
        AppError::Store(yangguang_store::StoreError::Unavailable(
            "审计记录无法写入，为保护个人信息暂停查看，请稍后再试 / the audit trail cannot be written, so personal data is not shown"
                .into(),
        ))
    })
}

/// Creates a staff account with a one-time password that must be changed at first login.
pub async fn create_staff(
    site: &Site,
    username: &str,
    display_name: &str,
    grants: Vec<Grant>,
) -> Result<(i64, String), AppError> {
    let username = username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(AppError::Invalid("用户名只能含字母、数字和 . _ - / usernames use letters, digits, . _ -".into()));
    }
    let regions = site.regions();
    for g in &grants {
        if regions.get(g.region).is_none() {
            return Err(AppError::Invalid(format!("区划 {} 不存在 / unknown region", g.region)));
        }
    }
    let password = one_time_password();
    let new = NewStaff {
        username: username.into(),
        display_name: display_name.trim().into(),
        password_hash: hash_password(password.clone()).await,
        must_change_password: true,
        phone: None,
        grants,
        created_at: Utc::now(),
    };
    let id = site.store.create_staff(&new).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::Invalid(format!("用户名 {username} 已存在 / username taken")),
        other => other.into(),
    })?;
    Ok((id, password))
}

/// Checks credentials with throttling, and opens a session. Returns the cookie token.
pub async fn login(
    site: &Site,
    username: &str,
    password: &str,
    totp_code: Option<&str>,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(String, SignedIn), LoginError> {
    let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
    let store_down = |e: StoreError| {
        tracing::error!(error = %e, "login: store error");
        LoginError::Unavailable
    };
    // The attempt is recorded as a failure before any password is checked, and only while the
    // account and the address are under their limits, in one atomic step: parallel attempts
    // cannot all pass the count before any of them is recorded.
    let limits = LoginLimits { per_account: MAX_ACCOUNT_FAILURES, per_address: MAX_ADDRESS_FAILURES };
    let Some(attempt) = site.store.claim_login_attempt(username, ip, since, limits, now).await.map_err(store_down)?
    else {
        audit(site, None, ip, "login-throttled", username, "").await;
        return Err(LoginError::Throttled(FAILURE_WINDOW_MINUTES));
    };
    // The claimed attempt already counts as a failure: a refusal only needs auditing.
    let fail = |reason: LoginError| async move {
        audit(site, None, ip, "login-failed", username, &reason.to_string()).await;
        Err(reason)
    };
    let staff = match site.store.find_staff(username).await.map_err(store_down)? {
        Some(s) => s,
        None => {
            // Spend the same time as a real check, so timing does not reveal usernames.
            let _ = verify_password(
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
                password.into(),
            )
            .await;
            return fail(LoginError::WrongCredentials).await;
        }
    };
    if !verify_password(staff.password_hash.clone(), password.to_owned()).await {
        return fail(LoginError::WrongCredentials).await;
    }
    if staff.disabled {
        return fail(LoginError::Disabled).await;
    }
    let secret = totp_secret(site, &staff).map_err(|e| {
        tracing::error!(error = %e, username, "login: the TOTP secret does not open");
        LoginError::Unavailable
    })?;
    if let Some(secret) = secret {
        match totp_code.map(str::trim).filter(|c| !c.is_empty()) {
            None => {
                // The right password, asked for its second factor: not a failure.
                site.store.forget_login_attempt(attempt).await.map_err(store_down)?;
                return Err(LoginError::TotpRequired);
            }
            Some(code) => {
                let Some(step) = totp_step(&secret, &staff.username, code, now) else {
                    return fail(LoginError::WrongTotp).await;
                };
                // Each code once: one already accepted (or older than one accepted) is refused.
                if !site.store.claim_totp_step(staff.id, step).await.map_err(store_down)? {
                    return fail(LoginError::WrongTotp).await;
                }
            }
        }
    }
    site.store.forget_login_attempt(attempt).await.map_err(store_down)?;
    let (token, session) = new_session(staff.id, ip, now, now + Duration::hours(SESSION_HOURS));
    site.store.create_session(&session).await.map_err(store_down)?;
    audit(site, Some(&staff), ip, "login", &staff.username, "").await;
    Ok((token, SignedIn { staff, session, badges: Default::default() }))
}

/// The staff member behind a session cookie, if the session is live.
pub async fn signed_in(site: &Site, token: &str, now: DateTime<Utc>) -> Result<Option<SignedIn>, AppError> {
    let Some(session) = site.store.get_session(&token_hash(token)).await? else { return Ok(None) };
    if session.revoked || session.expires_at <= now {
        return Ok(None);
    }
    let staff = site.store.get_staff(session.staff_id).await?;
    if staff.disabled {
        return Ok(None);
    }
    Ok(Some(SignedIn { staff, session, badges: Default::default() }))
}

pub async fn logout(site: &Site, who: &SignedIn, ip: &str) -> Result<(), AppError> {
    site.store.revoke_session(&who.session.token_hash).await?;
    audit(site, Some(&who.staff), ip, "logout", &who.staff.username, "").await;
    Ok(())
}

/// Why a new password or a second factor was not accepted. Each names the form field it is
/// about; the words people read are in `i18n::AccountTexts::refusal`.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("密码至少 {MIN_PASSWORD_CHARS} 个字符 / a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("两次输入的新密码不一致 / the two new passwords differ")]
    Mismatch,
    #[error("新密码不能与原密码相同 / choose a different password")]
    Unchanged,
    #[error("当前密码不正确 / the current password is wrong")]
    WrongCurrent,
    #[error("动态验证码不正确 / the code does not match")]
    WrongCode,
    #[error("两步验证的设置已超时，请重新扫描 / the set-up timed out, scan the new code")]
    SetupExpired,
    #[error("两步验证已开启 / the second factor is already on")]
    AlreadyEnabled,
    #[error(transparent)]
    App(#[from] AppError),
}

impl CredentialError {
    /// The form field the refusal is about, if it is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::TooShort | Self::Unchanged => Some("new"),
            Self::Mismatch => Some("confirm"),
            Self::WrongCurrent => Some("current"),
            Self::WrongCode | Self::SetupExpired => Some("code"),
            Self::AlreadyEnabled | Self::App(_) => None,
        }
    }
}

impl From<StoreError> for CredentialError {
    fn from(e: StoreError) -> Self {
        Self::App(e.into())
    }
}

impl From<CredentialError> for AppError {
    fn from(e: CredentialError) -> Self {
        match e {
            CredentialError::App(e) => e,
            CredentialError::AlreadyEnabled => AppError::Conflict(e.to_string()),
            other => AppError::Field {
                field: other.field().expect("every other refusal names a field"),
                message: other.to_string(),
            },
        }
    }
}

/// Sets a new password and rotates the session: every session of the account ends (this one
/// too) and a new one, with a new cookie token and CSRF token but the old one's expiry, is
/// opened in its place, so the person carries on without logging in again. `current` is the
/// password to check first; at first login (`must_change_password`) there is none to give, as
/// the one-time password was just used to log in, and the new one must differ from it.
/// Returns the new session's cookie token.
pub async fn set_password(
    site: &Site,
    who: &SignedIn,
    current: Option<&str>,
    new: &str,
    confirm: &str,
    ip: &str,
) -> Result<(String, SignedIn), CredentialError> {
    if current.is_none() && !who.staff.must_change_password {
        return Err(CredentialError::WrongCurrent);
    }
    if new.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CredentialError::TooShort);
    }
    if new != confirm {
        return Err(CredentialError::Mismatch);
    }
    if let Some(current) = current
        && !verify_password(who.staff.password_hash.clone(), current.to_owned()).await
    {
        return Err(CredentialError::WrongCurrent);
    }
    if verify_password(who.staff.password_hash.clone(), new.to_owned()).await {
        return Err(CredentialError::Unchanged);
    }
    let first = who.staff.must_change_password;
    let mut staff = who.staff.clone();
    staff.password_hash = hash_password(new.to_owned()).await;
    staff.must_change_password = false;
    site.store.update_staff(&staff).await?;
    site.store.revoke_sessions(staff.id).await?;
    let now = Utc::now();
    let (token, session) = new_session(staff.id, ip, now, who.session.expires_at);
    site.store.create_session(&session).await?;
    let detail = if first { "首次登录 / first login" } else { "" };
    audit(site, Some(&staff), ip, "password-changed", &staff.username, detail).await;
    Ok((token, SignedIn { staff, session, badges: Default::default() }))
}

/// What a second factor being set up is encrypted for, until it is confirmed.
const PENDING_TOTP_PURPOSE: &str = "yangguang/staff-totp-pending/v1";
/// How long a second factor being set up waits for its first code before a new one is made.
pub const PENDING_TOTP_HOURS: i64 = SESSION_HOURS;

fn pending_totp_name(staff_id: i64) -> String {
    format!("staff/totp-pending/{staff_id}")
}

/// The pending secret in clear, if `stored` opens and is still fresh.
fn open_pending_totp(site: &Site, staff_id: i64, stored: &str, now: DateTime<Utc>) -> Option<String> {
    let plain = site.key.open(PENDING_TOTP_PURPOSE, &totp_context(staff_id), stored).ok()?;
    let (made, secret) = std::str::from_utf8(&plain).ok()?.split_once(' ')?;
    let made = DateTime::from_timestamp(made.parse().ok()?, 0)?;
    (now - made < Duration::hours(PENDING_TOTP_HOURS)).then(|| secret.to_owned())
}

/// The secret of the second factor this account is setting up: the same one on every showing
/// and after every wrong code, until it is confirmed or [`PENDING_TOTP_HOURS`] pass. It is kept
/// in the database (platform state), encrypted like an enabled secret and bound to the
/// account, so the page never carries it in a form field.
pub async fn pending_totp_secret(site: &Site, staff: &Staff, now: DateTime<Utc>) -> Result<String, AppError> {
    let name = pending_totp_name(staff.id);
    let stored = site.store.get_state(&name).await?;
    if let Some(secret) = stored.as_deref().and_then(|s| open_pending_totp(site, staff.id, s, now)) {
        return Ok(secret);
    }
    let secret = new_totp_secret();
    let sealed = site.key.seal(
        PENDING_TOTP_PURPOSE,
        &totp_context(staff.id),
        format!("{} {secret}", now.timestamp()).as_bytes(),
    );
    if stored.is_some() {
        site.store.put_state(&name, &sealed, now).await?;
    } else if !site.store.claim_state(&name, &sealed, now).await? {
        // Another request made one at the same moment: show that one.
        let theirs = site.store.get_state(&name).await?;
        if let Some(secret) = theirs.as_deref().and_then(|s| open_pending_totp(site, staff.id, s, now)) {
            return Ok(secret);
        }
        site.store.put_state(&name, &sealed, now).await?;
    }
    Ok(secret)
}

/// Turns the second factor on once the person proved, with a code, that their app holds the
/// pending secret ([`pending_totp_secret`]). The secret is then stored encrypted on the account
/// and the code that proved it is spent.
pub async fn enable_totp(site: &Site, who: &SignedIn, code: &str, ip: &str) -> Result<(), CredentialError> {
    if who.staff.totp_secret.is_some() {
        return Err(CredentialError::AlreadyEnabled);
    }
    let now = Utc::now();
    let name = pending_totp_name(who.staff.id);
    let stored = site.store.get_state(&name).await?;
    let Some(secret) = stored.as_deref().and_then(|s| open_pending_totp(site, who.staff.id, s, now)) else {
        return Err(CredentialError::SetupExpired);
    };
    let Some(step) = totp_step(&secret, &who.staff.username, code, now) else {
        return Err(CredentialError::WrongCode);
    };
    let mut staff = who.staff.clone();
    staff.totp_secret = Some(seal_totp_secret(site, staff.id, &secret));
    site.store.update_staff(&staff).await?;
    // The code that proved the app cannot then log in a second time.
    site.store.claim_totp_step(staff.id, step).await?;
    site.store.put_state(&name, "", now).await?;
    audit(site, Some(&staff), ip, "totp-enabled", &staff.username, "").await;
    Ok(())
}

/// A fresh session for `staff_id` and the cookie token it is stored under (only its hash is).
fn new_session(staff_id: i64, ip: &str, now: DateTime<Utc>, expires_at: DateTime<Utc>) -> (String, Session) {
    let token = random_token();
    let session = Session {
        token_hash: token_hash(&token),
        staff_id,
        csrf_token: random_token(),
        created_at: now,
        expires_at,
        revoked: false,
        ip: ip.into(),
    };
    (token, session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password_blocking("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password_blocking(&hash, "correct horse battery"));
        assert!(!verify_password_blocking(&hash, "wrong"));
        assert!(!verify_password_blocking("!", "anything"), "a disabled hash never verifies");
    }

    #[test]
    fn totp_codes_check_within_one_step() {
        let secret = new_totp_secret();
        let now = Utc::now();
        let code = totp_now(&secret, "wang", now).unwrap();
        assert!(check_totp(&secret, "wang", &code, now));
        assert!(check_totp(&secret, "wang", &code, now + Duration::seconds(25)));
        assert!(!check_totp(&secret, "wang", &code, now + Duration::seconds(120)));
        assert!(!check_totp(&secret, "wang", "12345", now));
        assert!(totp_url(&secret, "wang").unwrap().starts_with("otpauth://totp/"));
    }

    #[test]
    fn one_time_passwords_meet_the_policy() {
        let p = one_time_password();
        assert_eq!(p.chars().count(), 12);
        check_password_policy(&p).unwrap();
        assert_ne!(p, one_time_password());
    }
}
