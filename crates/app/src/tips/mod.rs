//! 监督举报: whistle-blowing reports to the county's discipline commission, sealed before they
//! are stored. A villager writes a report — anonymous or named, plain text, up to three images
//! (re-encoded, so their EXIF and GPS go) or PDFs — and gets a receipt code. The report, its
//! files and the reporter's identity are sealed to the commission's public key (`[tips]
//! public_key`), so neither the platform's administrators nor village staff can read them,
//! even with the database and the platform key. The commission unlocks its key file with its
//! passphrase for one console session: the secret key is then held in this process's memory
//! only, tied to that session, and dropped at logout, at the session's end or revocation, or
//! when the commission locks it again. Replies are sealed to the reporter's code and to the
//! commission. Every staff access is audited; nothing about the reporter (address, device,
//! account) is stored.

pub mod guard;
pub mod seal;

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use crypto_box::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use yangguang_core::staff::{Grants, Role};
use yangguang_core::tip::{self as limits, TipStatus};
use yangguang_store::{NewTip, StoreError, Tip, TipReply};

use crate::auth::SignedIn;
use crate::uploads::{self, UploadLimits};
use crate::{AppError, Site};
use guard::{Counted, Throttle};

/// The commission's configuration and the keys unlocked in this process.
pub struct Tips {
    /// Reports, and receipt-code checks, one address may send in an hour.
    pub submissions_per_hour: u32,
    pub lookups_per_hour: u32,
    /// The commission's public key; without one the form is closed.
    pub public_key: Option<PublicKey>,
    /// Secret keys unlocked for console sessions, by the session's token hash.
    unlocked: Mutex<HashMap<String, Unlocked>>,
    pub throttle: Throttle,
}

impl Default for Tips {
    fn default() -> Self {
        Self {
            submissions_per_hour: guard::SUBMISSIONS_PER_HOUR,
            lookups_per_hour: guard::LOOKUPS_PER_HOUR,
            public_key: None,
            unlocked: Mutex::default(),
            throttle: Throttle::default(),
        }
    }
}

struct Unlocked {
    key: SecretKey,
    until: DateTime<Utc>,
}

/// What a reporter wrote, as the commission reads it once opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub text: String,
    /// Whom or which village the report is about, as the reporter put it.
    pub about: String,
    /// `None` for an anonymous report.
    pub reporter: Option<Reporter>,
    pub files: Vec<FileInfo>,
    /// When it was sent, to the minute (the store keeps only the hour).
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub name: String,
    pub media_type: String,
    pub size: usize,
}

#[derive(Serialize, Deserialize)]
struct ReplyText {
    text: String,
}

/// A report as the form sent it.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub text: String,
    pub about: String,
    pub named: bool,
    pub name: String,
    pub phone: String,
    pub files: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum TipError {
    /// One field breaks a rule; `field` is its name on the form.
    #[error("{message}")]
    Field { field: &'static str, message: String },
    #[error("{0}")]
    TooMany(String),
    #[error(
        "监督举报尚未开通：纪委监委还没有配置公钥 / whistle-blowing is not open yet: no commission key is configured"
    )]
    Closed,
    #[error("此表单已经提交过，或已过期；请重新打开举报页面填写 / this form was already sent, or has expired")]
    Replayed,
    #[error("请先用纪委私钥文件和口令解锁 / unlock with the commission's key file first")]
    Locked,
    #[error(transparent)]
    Key(#[from] seal::KeyError),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for TipError {
    fn from(e: StoreError) -> Self {
        Self::App(e.into())
    }
}

fn field(field: &'static str, message: impl Into<String>) -> TipError {
    TipError::Field { field, message: message.into() }
}

/// Plain text as typed: no control characters but line breaks and tabs, no bidirectional
/// overrides, line breaks as `\n`, trimmed. Shown escaped wherever it is shown.
pub fn plain_text(typed: &str) -> String {
    let text = yangguang_core::disclosure::without_bidi_controls(&typed.replace("\r\n", "\n")).into_owned();
    text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect::<String>().trim().to_owned()
}

fn check_text(s: &Submission) -> Result<(String, String, Option<Reporter>), TipError> {
    let text = plain_text(&s.text);
    if text.is_empty() {
        return Err(field("text", "请写下要反映的问题 / please write what you want to report"));
    }
    let n = text.chars().count();
    if n > limits::MAX_TEXT_CHARS {
        return Err(field(
            "text",
            format!(
                "举报内容最多 {} 字，现在是 {n} 字；请精简，或把材料作为附件上传 / at most {} characters",
                limits::MAX_TEXT_CHARS,
                limits::MAX_TEXT_CHARS
            ),
        ));
    }
    let about = plain_text(&s.about).replace('\n', " ");
    if about.chars().count() > limits::MAX_LINE_CHARS {
        return Err(field(
            "about",
            format!("“涉及对象”最多 {} 字 / at most {} characters", limits::MAX_LINE_CHARS, limits::MAX_LINE_CHARS),
        ));
    }
    let reporter = if s.named {
        let name = plain_text(&s.name).replace('\n', " ");
        if name.is_empty() {
            return Err(field("name", "实名举报请填写姓名；不想留名请选择“匿名” / a named report needs your name"));
        }
        if name.chars().count() > limits::MAX_LINE_CHARS {
            return Err(field(
                "name",
                format!("姓名最多 {} 字 / at most {} characters", limits::MAX_LINE_CHARS, limits::MAX_LINE_CHARS),
            ));
        }
        let phone = yangguang_core::household::normalise_phone(&s.phone).ok_or_else(|| {
            field(
                "phone",
                "实名举报请填写 11 位手机号码，便于纪委监委联系您 / a named report needs an 11-digit mobile number",
            )
        })?;
        Some(Reporter { name, phone })
    } else {
        None
    };
    Ok((text, about, reporter))
}

/// Checks the files: images re-encoded (their metadata gone), PDFs checked; nothing else.
async fn check_files(site: &Site, files: Vec<(String, Vec<u8>)>) -> Result<Vec<(FileInfo, Vec<u8>)>, TipError> {
    if files.len() > limits::MAX_FILES {
        return Err(field(
            "files",
            format!("最多上传 {} 个附件 / at most {} files", limits::MAX_FILES, limits::MAX_FILES),
        ));
    }
    let limits =
        UploadLimits { max_bytes: site.upload_limits.max_bytes.min(limits::MAX_FILE_BYTES), ..site.upload_limits };
    let checked = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|(name, bytes)| {
                let a = uploads::check(&name, bytes, &limits).map_err(|e| e.to_string())?;
                if !(a.media_type.starts_with("image/") || a.media_type == "application/pdf") {
                    return Err(format!(
                        "“{name}” 不是图片或 PDF：举报附件只接受照片（JPEG、PNG、WebP）和 PDF / only images and PDFs"
                    ));
                }
                let info = FileInfo { name: a.attachment_name, media_type: a.media_type.into(), size: a.bytes.len() };
                Ok((info, a.bytes))
            })
            .collect::<Result<Vec<_>, String>>()
    })
    .await
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    checked.map_err(|m| field("files", format!("{m}。已填写的文字都保留着，请重新选择附件。")))
}

/// Takes a report: checks it, seals it and stores it; the reporter's receipt code.
pub async fn submit(
    site: &Site,
    form_token: &str,
    s: Submission,
    address: &str,
    now: DateTime<Utc>,
) -> Result<String, TipError> {
    let Some(public) = site.tips.public_key.clone() else { return Err(TipError::Closed) };
    let nonce = guard::form_token_valid(site, form_token, now).ok_or(TipError::Replayed)?;
    let limit = site.tips.submissions_per_hour;
    if !site.tips.throttle.allow(Counted::Submission, address, limit, now) {
        return Err(TipError::TooMany(format!(
            "同一网络一小时内最多提交 {limit} 份举报，请稍后再试；已填写的内容保留在下面 / too many reports from this network, try again later"
        )));
    }
    let (text, about, reporter) = check_text(&s)?;
    let files = check_files(site, s.files).await?;
    if !guard::spend_form_token(site, &nonce, now).await? {
        return Err(TipError::Replayed);
    }
    let report = Report {
        text,
        about,
        reporter,
        files: files.iter().map(|(i, _)| i.clone()).collect(),
        sent_at: now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now),
    };
    let code = seal::new_receipt_code();
    let canonical = seal::normalise_code(&code).expect("a fresh code is canonical");
    let tip = NewTip {
        lookup: seal::lookup(&canonical),
        reply_key: seal::public_key_text(&seal::reply_secret(&canonical).public_key()),
        sealed: seal::seal_json(&public, &report),
        attachments: files.iter().map(|(_, bytes)| seal::seal(&public, bytes)).collect(),
    };
    // Stored to the hour: the time of a report is not a way to find its sender in other logs.
    let hour = now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now);
    site.store.create_tip(&tip, hour).await?;
    Ok(code)
}

/// A report's state and the replies to it, as its reporter reads them.
pub struct Receipt {
    pub status: TipStatus,
    pub received_at: DateTime<Utc>,
    pub replies: Vec<(DateTime<Utc>, String)>,
}

/// What the holder of a receipt code may see; `None` for a code no report has.
pub async fn check_receipt(
    site: &Site,
    typed: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Option<Receipt>, TipError> {
    let limit = site.tips.lookups_per_hour;
    if !site.tips.throttle.allow(Counted::Lookup, address, limit, now) {
        return Err(TipError::TooMany(format!(
            "同一网络一小时内最多查询 {limit} 次，请一小时后再试 / too many checks from this network, try again in an hour"
        )));
    }
    let code = seal::normalise_code(typed).ok_or_else(|| {
        field(
            "code",
            "查询码应为 24 位字母和数字（可带或不带“-”），请对照回执核对 / a receipt code has 24 letters and digits",
        )
    })?;
    let Some(tip) = site.store.find_tip(&seal::lookup(&code)).await? else { return Ok(None) };
    let key = seal::reply_secret(&code);
    let mut replies = vec![];
    for r in site.store.tip_replies(tip.id).await? {
        let text = seal::open_json::<ReplyText>(&key, &r.to_reporter)
            .map(|r| r.text)
            .unwrap_or_else(|_| "（此回复无法解开 / this reply cannot be opened）".into());
        replies.push((r.at, text));
    }
    Ok(Some(Receipt { status: tip.status, received_at: tip.received_at, replies }))
}

// ───────────────────────── the commission's side ─────────────────────────

/// Only discipline-commission staff see reports at all.
pub fn may_read(grants: &Grants) -> bool {
    grants.has_role(Role::DisciplineCommission)
}

fn require(who: &SignedIn) -> Result<(), TipError> {
    if may_read(&who.grants()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "只有县纪委监委工作人员可以查看监督举报 / only the discipline commission may read reports".into(),
        )
        .into())
    }
}

async fn audit(
    site: &Site,
    who: &SignedIn,
    ip: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), TipError> {
    // A read that cannot be recorded does not happen (fail closed).
    Ok(crate::auth::audit_required(site, Some(&who.staff), ip, action, target, detail).await?)
}

/// Drops keys whose session ended or was revoked.
async fn sweep(site: &Site, now: DateTime<Utc>) {
    let held: Vec<String> = {
        let mut map = site.tips.unlocked.lock().expect("keys lock");
        map.retain(|_, u| u.until > now);
        map.keys().cloned().collect()
    };
    for hash in held {
        let live = matches!(site.store.get_session(&hash).await, Ok(Some(s)) if !s.revoked && s.expires_at > now);
        if !live {
            site.tips.unlocked.lock().expect("keys lock").remove(&hash);
        }
    }
}

/// Whether this session holds the commission's key.
pub async fn is_unlocked(site: &Site, who: &SignedIn, now: DateTime<Utc>) -> bool {
    sweep(site, now).await;
    site.tips.unlocked.lock().expect("keys lock").contains_key(&who.session.token_hash)
}

fn with_key<T>(site: &Site, who: &SignedIn, f: impl FnOnce(&SecretKey) -> T) -> Result<T, TipError> {
    let map = site.tips.unlocked.lock().expect("keys lock");
    map.get(&who.session.token_hash).map(|u| f(&u.key)).ok_or(TipError::Locked)
}

/// Unlocks the commission's key for this session: the key file's text and its passphrase.
pub async fn unlock(site: &Site, who: &SignedIn, key_file: &str, passphrase: &str, ip: &str) -> Result<(), TipError> {
    require(who)?;
    let Some(public) = site.tips.public_key.clone() else { return Err(TipError::Closed) };
    let (file, pass) = (key_file.to_owned(), passphrase.to_owned());
    let opened = tokio::task::spawn_blocking(move || seal::open_key_file(&file, &pass))
        .await
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let key = match opened.and_then(|k| if k.public_key() == public { Ok(k) } else { Err(seal::KeyError::NotThisKey) })
    {
        Ok(key) => key,
        Err(e) => {
            audit(site, who, ip, "tips.unlock_failed", "-", &e.to_string()).await?;
            return Err(e.into());
        }
    };
    audit(site, who, ip, "tips.unlock", "-", "解锁纪委私钥（仅本次登录有效）").await?;
    site.tips
        .unlocked
        .lock()
        .expect("keys lock")
        .insert(who.session.token_hash.clone(), Unlocked { key, until: who.session.expires_at });
    Ok(())
}

/// Drops this session's key (the console's 锁定 button, and logout).
pub fn lock(site: &Site, session_token_hash: &str) -> bool {
    site.tips.unlocked.lock().expect("keys lock").remove(session_token_hash).is_some()
}

/// A report in the commission's list: opened when the key is unlocked.
pub struct Listed {
    pub tip: Tip,
    pub report: Option<Report>,
}

pub async fn list(site: &Site, who: &SignedIn, ip: &str, now: DateTime<Utc>) -> Result<Vec<Listed>, TipError> {
    require(who)?;
    let tips = site.store.list_tips().await?;
    let unlocked = is_unlocked(site, who, now).await;
    audit(site, who, ip, "tips.list", "-", if unlocked { "列表（已解锁）" } else { "列表（未解锁）" }).await?;
    Ok(tips
        .into_iter()
        .map(|tip| {
            let report = with_key(site, who, |k| seal::open_json::<Report>(k, &tip.sealed).ok()).ok().flatten();
            Listed { tip, report }
        })
        .collect())
}

/// One report, opened, with the replies sent so far.
pub struct Opened {
    pub tip: Tip,
    pub report: Report,
    pub replies: Vec<(DateTime<Utc>, String)>,
}

pub async fn read(site: &Site, who: &SignedIn, id: i64, ip: &str, now: DateTime<Utc>) -> Result<Opened, TipError> {
    require(who)?;
    let tip = site.store.get_tip(id).await?;
    if !is_unlocked(site, who, now).await {
        return Err(TipError::Locked);
    }
    audit(site, who, ip, "tips.read", &format!("举报 #{id}"), "阅读举报内容").await?;
    let report = with_key(site, who, |k| seal::open_json::<Report>(k, &tip.sealed))?
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut replies = vec![];
    for r in site.store.tip_replies(id).await? {
        let text = with_key(site, who, |k| seal::open_json::<ReplyText>(k, &r.to_commission))?
            .map(|r| r.text)
            .unwrap_or_else(|e| e.to_string());
        replies.push((r.at, text));
    }
    Ok(Opened { tip, report, replies })
}

/// One attached file, opened.
pub async fn attachment(
    site: &Site,
    who: &SignedIn,
    id: i64,
    position: usize,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(FileInfo, Vec<u8>), TipError> {
    let opened = read(site, who, id, ip, now).await?;
    let info = opened.report.files.get(position).cloned().ok_or(AppError::NotFound)?;
    let sealed = site.store.tip_attachment(id, position as i64).await?;
    audit(site, who, ip, "tips.attachment", &format!("举报 #{id}"), &format!("查看附件 {}", position + 1)).await?;
    let bytes = with_key(site, who, |k| seal::open(k, &sealed))?.map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((info, bytes))
}

pub async fn set_status(
    site: &Site,
    who: &SignedIn,
    id: i64,
    status: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<TipStatus, TipError> {
    require(who)?;
    let status = TipStatus::parse(status).ok_or_else(|| field("status", "请选择一个办理状态 / choose a state"))?;
    site.store.set_tip_status(id, status, now).await?;
    audit(site, who, ip, "tips.status", &format!("举报 #{id}"), status.as_str()).await?;
    Ok(status)
}

/// Sends a reply: sealed to the reporter's code and to the commission, never stored in clear.
pub async fn reply(
    site: &Site,
    who: &SignedIn,
    id: i64,
    text: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(), TipError> {
    require(who)?;
    let Some(public) = site.tips.public_key.clone() else { return Err(TipError::Closed) };
    let text = plain_text(text);
    if text.is_empty() {
        return Err(field("reply", "请填写回复内容 / the reply is empty"));
    }
    if text.chars().count() > limits::MAX_REPLY_CHARS {
        return Err(field(
            "reply",
            format!("回复最多 {} 字 / at most {} characters", limits::MAX_REPLY_CHARS, limits::MAX_REPLY_CHARS),
        ));
    }
    let tip = site.store.get_tip(id).await?;
    let reporter = seal::parse_public_key(&tip.reply_key).map_err(|e| AppError::Invalid(e.to_string()))?;
    let body = ReplyText { text };
    let reply = TipReply {
        to_reporter: seal::seal_json(&reporter, &body),
        to_commission: seal::seal_json(&public, &body),
        at: now,
    };
    site.store.add_tip_reply(id, &reply).await?;
    audit(site, who, ip, "tips.reply", &format!("举报 #{id}"), "回复已加密发送给举报人").await?;
    Ok(())
}

/// New reports, for the commission's badge; zero for everyone else.
pub async fn new_count(site: &Site, grants: &Grants) -> Result<usize, AppError> {
    if !may_read(grants) {
        return Ok(0);
    }
    Ok(site.store.count_tips(TipStatus::New).await? as usize)
}
