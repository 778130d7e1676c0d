//! Villagers log in with their phone number and a one-time code sent by SMS. Codes are
//! rate-limited per number and per address, guessing locks the number out (wrong codes are
//! counted per number, whichever code they were meant for), and a session opens only that
//! household's own pages. Asking for a code is answered at once and alike for every number:
//! the text is sent afterwards, in the background.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use yangguang_core::household::normalise_phone;

use crate::auth::{random_token, token_hash};
use crate::households::{household_for_phone, phone_hash};
use crate::{AppError, Site};

/// Sends a text message. Development prints it; production posts it to an SMS gateway.
#[async_trait::async_trait]
pub trait SmsSender: Send + Sync {
    async fn send(&self, phone: &str, text: &str) -> Result<(), String>;
}

/// Prints messages to the server's log: for development and the demo.
pub struct ConsoleSms;

#[async_trait::async_trait]
impl SmsSender for ConsoleSms {
    async fn send(&self, phone: &str, text: &str) -> Result<(), String> {
        tracing::info!(phone, text, "SMS (console sender: not sent, printed here)");
        println!("sms {phone} {text}");
        Ok(())
    }
}

/// Posts `{"to": "138…", "text": "…"}` as JSON to a gateway, with a bearer token; any 2xx is
/// success. Most SMS providers' HTTP APIs, or a small adapter in front of one, take this.
pub struct HttpSms {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl HttpSms {
    pub fn new(url: &str, token: Option<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("an HTTP client with default TLS settings");
        Self { client, url: url.to_owned(), token }
    }
}

#[async_trait::async_trait]
impl SmsSender for HttpSms {
    async fn send(&self, phone: &str, text: &str) -> Result<(), String> {
        let body = serde_json::json!({ "to": phone, "text": text }).to_string();
        let mut request =
            self.client.post(&self.url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        // reqwest names the URL in full: the redacted one instead, never its credentials.
        let response =
            request.send().await.map_err(|e| format!("{} ({})", e.without_url(), crate::redact::url(&self.url)))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("gateway answered HTTP {}", response.status()))
        }
    }
}

pub fn default_sender() -> Arc<dyn SmsSender> {
    Arc::new(ConsoleSms)
}

const CODE_TTL_MINUTES: i64 = 5;
/// Wrong codes allowed for a number within `FAILURE_WINDOW_MINUTES`, across every code sent to
/// it, before the number is locked out.
pub const MAX_ATTEMPTS: u32 = 5;
const FAILURE_WINDOW_MINUTES: i64 = 60;
const LOCKOUT_MINUTES: i64 = 30;
// `LoginError::WrongCode`'s warning names the lockout's length.
const _: () = assert!(LOCKOUT_MINUTES == 30);
/// At most one code a minute and five an hour for a number; twenty an hour from an address.
const RESEND_SECONDS: i64 = 60;
const CODES_PER_HOUR: usize = 5;
const CODES_PER_HOUR_PER_ADDRESS: usize = 20;
pub const SESSION_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginError {
    #[error("请输入 11 位手机号码 / enter an 11-digit mobile number")]
    BadPhone,
    #[error("请稍候 {0} 秒再获取验证码 / wait before asking again")]
    TooSoon(i64),
    #[error("获取验证码次数过多，请一小时后再试 / too many codes asked for; try again in an hour")]
    TooMany,
    #[error(
        "验证码错误次数过多，该号码已锁定，请 {0} 分钟后再试 / too many wrong codes: this number is locked; try again in {0} minutes"
    )]
    Locked(i64),
    /// A wrong or expired code, and how many more may be tried before the number is locked.
    #[error(
        "验证码不正确或已过期。还可尝试 {0} 次，再错将锁定该号码 30 分钟 / the code is wrong or has expired: {0} more tries before this number is locked for 30 minutes"
    )]
    WrongCode(u32),
    #[error("{0}")]
    App(String),
}

impl From<AppError> for LoginError {
    fn from(e: AppError) -> Self {
        Self::App(e.to_string())
    }
}

impl From<yangguang_store::StoreError> for LoginError {
    fn from(e: yangguang_store::StoreError) -> Self {
        Self::App(e.to_string())
    }
}

/// A number's login state, kept under `otp:<phone hash>`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct OtpState {
    code_hash: Option<String>,
    expires: Option<DateTime<Utc>>,
    household: Option<String>,
    /// Wrong codes within the failure window, whichever code they were meant for: a new code
    /// does not give new tries.
    #[serde(default)]
    failures: Vec<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
    sent: Vec<DateTime<Utc>>,
}

async fn load<T: Default + for<'de> Deserialize<'de>>(site: &Site, name: &str) -> Result<T, LoginError> {
    Ok(site.store.get_state(name).await?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

async fn save<T: Serialize>(site: &Site, name: &str, value: &T, now: DateTime<Utc>) -> Result<(), LoginError> {
    site.store.put_state(name, &serde_json::to_string(value).expect("serialises"), now).await?;
    Ok(())
}

fn code_hash(phone_hash: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{phone_hash}:{code}").as_bytes()))
}

fn random_code() -> String {
    let n = u32::from_le_bytes(crate::auth::random_bytes::<4>()) % 1_000_000;
    format!("{n:06}")
}

/// Sends a code to a number registered for a household. A number that is not registered is
/// answered the same way (nobody can probe who lives where), but nothing is sent. The answer
/// never waits for the SMS gateway: the text goes out in the background after it, so neither
/// its time nor its failure tells one number from another (a failure is logged).
pub async fn request_code(site: &Site, phone_text: &str, ip: &str, now: DateTime<Utc>) -> Result<(), LoginError> {
    let phone = normalise_phone(phone_text).ok_or(LoginError::BadPhone)?;
    let hash = phone_hash(site, &phone);
    let name = format!("otp:{hash}");
    let hour_ago = now - Duration::hours(1);
    // The number's own limits first, before anything is counted against the address.
    may_send(&load::<OtpState>(site, &name).await?, now)?;
    let address = format!("otp-ip:{ip}");
    let counted = crate::shared_state::update(site, &address, now, |mut sent: Vec<DateTime<Utc>>| {
        sent.retain(|t| *t > hour_ago);
        if sent.len() >= CODES_PER_HOUR_PER_ADDRESS {
            return (None, false);
        }
        sent.push(now);
        (Some(sent), true)
    })
    .await?;
    if !counted {
        return Err(LoginError::TooMany);
    }
    let household = household_for_phone(site, &phone).await?;
    let code = random_code();
    // Counted and stored by compare-and-set: across app servers, two requests for one number
    // cannot both pass the resend and hourly limits.
    let sent = crate::shared_state::update(site, &name, now, |mut state: OtpState| {
        if let Err(e) = may_send(&state, now) {
            return (None, Err(e));
        }
        state.sent.retain(|t| *t > hour_ago);
        state.sent.push(now);
        if let Some(household) = &household {
            state.code_hash = Some(code_hash(&hash, &code));
            state.expires = Some(now + Duration::minutes(CODE_TTL_MINUTES));
            state.household = Some(household.clone());
        }
        (Some(state), Ok(()))
    })
    .await?;
    sent?;
    if household.is_some() {
        let text = format!("【阳光村务】您的登录验证码是 {code}，{CODE_TTL_MINUTES} 分钟内有效。请勿告诉他人。");
        let sms = site.sms.clone();
        tokio::spawn(async move {
            if let Err(e) = sms.send(&phone, &text).await {
                let phone = yangguang_core::household::mask_phone(&phone);
                tracing::error!(error = %e, phone = %phone, "sending a login code failed");
            }
        });
    }
    Ok(())
}

/// Whether a number may be sent a code now: not locked, not asked within the last minute,
/// not sent five within the hour.
fn may_send(state: &OtpState, now: DateTime<Utc>) -> Result<(), LoginError> {
    if let Some(until) = state.locked_until.filter(|u| *u > now) {
        return Err(LoginError::Locked((until - now).num_minutes() + 1));
    }
    let hour_ago = now - Duration::hours(1);
    let recent: Vec<&DateTime<Utc>> = state.sent.iter().filter(|t| **t > hour_ago).collect();
    if let Some(last) = recent.last()
        && (now - **last).num_seconds() < RESEND_SECONDS
    {
        return Err(LoginError::TooSoon(RESEND_SECONDS - (now - **last).num_seconds()));
    }
    if recent.len() >= CODES_PER_HOUR {
        return Err(LoginError::TooMany);
    }
    Ok(())
}

/// Checks a code; right, it opens a session for the household and returns its token.
pub async fn verify_code(
    site: &Site,
    phone_text: &str,
    code: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<String, LoginError> {
    let phone = normalise_phone(phone_text).ok_or(LoginError::BadPhone)?;
    let hash = phone_hash(site, &phone);
    let name = format!("otp:{hash}");
    let given = code_hash(&hash, code.trim());
    // Each check is written by compare-and-set: parallel guesses, on any app server, each
    // count, and a right code is spent by exactly one of them.
    let outcome = crate::shared_state::update(site, &name, now, |mut state: OtpState| {
        if let Some(until) = state.locked_until.filter(|u| *u > now) {
            return (None, Err((LoginError::Locked((until - now).num_minutes() + 1), false)));
        }
        let live = state.expires.is_some_and(|e| e > now);
        let right = live && state.code_hash.as_deref().is_some_and(|h| constant_eq(h.as_bytes(), given.as_bytes()));
        match (right, state.household.clone()) {
            (true, Some(household)) => {
                // A code works once.
                state.code_hash = None;
                state.failures.clear();
                (Some(state), Ok(household))
            }
            _ => {
                state.failures.retain(|t| *t > now - Duration::minutes(FAILURE_WINDOW_MINUTES));
                state.failures.push(now);
                let left = (MAX_ATTEMPTS as usize).saturating_sub(state.failures.len()) as u32;
                if state.failures.len() < MAX_ATTEMPTS as usize {
                    return (Some(state), Err((LoginError::WrongCode(left), false)));
                }
                state.locked_until = Some(now + Duration::minutes(LOCKOUT_MINUTES));
                state.code_hash = None;
                (Some(state), Err((LoginError::Locked(LOCKOUT_MINUTES), true)))
            }
        }
    })
    .await?;
    let household = match outcome {
        Ok(household) => household,
        Err((e, locked_now)) => {
            if locked_now {
                let masked = yangguang_core::household::mask_phone(&phone);
                crate::auth::audit(site, None, ip, "villager-lockout", &masked, "").await;
            }
            return Err(e);
        }
    };
    let token = random_token();
    let session = VillagerSession { household, expires: now + Duration::days(SESSION_DAYS) };
    save(site, &format!("vsession:{}", token_hash(&token)), &session, now).await?;
    crate::auth::audit(site, None, ip, "villager-login", &session.household, "").await;
    Ok(token)
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct VillagerSession {
    /// The household's key (`village/number`).
    pub household: String,
    pub expires: DateTime<Utc>,
}

/// The household a session token belongs to, if the session is live.
pub async fn session(site: &Site, token: &str, now: DateTime<Utc>) -> Result<Option<VillagerSession>, AppError> {
    let Some(text) = site.store.get_state(&format!("vsession:{}", token_hash(token))).await? else { return Ok(None) };
    Ok(serde_json::from_str::<VillagerSession>(&text).ok().filter(|s| s.expires > now))
}

pub async fn logout(site: &Site, token: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    let ended = VillagerSession { household: String::new(), expires: now };
    site.store
        .put_state(&format!("vsession:{}", token_hash(token)), &serde_json::to_string(&ended).expect("ok"), now)
        .await?;
    Ok(())
}

/// Forgets ended sessions and old code states (run daily).
pub async fn prune(site: &Site, now: DateTime<Utc>) -> Result<u64, AppError> {
    let mut n = site.store.prune_state("vsession:", now - Duration::days(SESSION_DAYS + 1)).await?;
    n += site.store.prune_state("otp", now - Duration::days(1)).await?;
    Ok(n)
}
