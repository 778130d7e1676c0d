//! 随手拍 (problem reports): a villager — logged in or not — reports a problem with photos and
//! an optional place; the village's grid worker (or clerk) assigns it and moves it along; the
//! reporter follows it with a receipt code; resolved reports are public. Photos go through the
//! upload checks (re-encoded: EXIF and GPS gone); text is plain; anonymous reporting is
//! throttled per address and per device, and receipt-code lookups per address. Every staff
//! action is audited; nothing is deleted, abusive content is hidden with a reason.

use chrono::{DateTime, Duration, Utc};
use yangguang_core::RegionCode;
use yangguang_core::report::{self, Category, MAX_PHOTOS, Status};
use yangguang_core::staff::{Grants, Role};
use yangguang_store::{NewReport, Report, ReportEvent, ReportPhoto, ReportQuery, Staff, StatusChange};

use crate::{AppError, Site, uploads};

/// Reports accepted per hour from one address, and from one device (its cookie).
pub const REPORTS_PER_ADDRESS_PER_HOUR: u64 = 10;
pub const REPORTS_PER_DEVICE_PER_HOUR: u64 = 3;
/// Receipt-code lookups per hour from one address: a real reporter needs a few, a guesser many.
pub const LOOKUPS_PER_ADDRESS_PER_HOUR: u64 = 10;
/// Receipt codes: 20 characters from 31 without look-alikes (about 99 bits), shown in groups of 5.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A field breaks a rule; `field` is its name in the form.
    #[error("{message}")]
    Field { field: &'static str, message: String },
    #[error("提交太频繁，请一小时后再试；已填写的内容保留在下面 / too many reports from here; try again in an hour")]
    TooManyReports,
    #[error("查询次数太多，请一小时后再试 / too many lookups from here; try again in an hour")]
    TooManyLookups,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<yangguang_store::StoreError> for ReportError {
    fn from(e: yangguang_store::StoreError) -> Self {
        Self::App(e.into())
    }
}

impl From<report::InputError> for ReportError {
    fn from(e: report::InputError) -> Self {
        Self::Field { field: e.field, message: e.message }
    }
}

/// A report as the form sent it.
#[derive(Debug, Default)]
pub struct Submission {
    pub category: String,
    pub description: String,
    pub address: String,
    pub lat: String,
    pub long: String,
    /// (file name, bytes)
    pub photos: Vec<(String, Vec<u8>)>,
}

/// Who sent it, for the throttles (and the household, never shown publicly).
pub struct Sender<'a> {
    pub ip: &'a str,
    pub device: Option<&'a str>,
    pub household: Option<String>,
}

/// A new receipt code, grouped for reading (`ABCDE-FGHJK-…`).
pub fn new_receipt_code() -> String {
    let bytes = crate::auth::random_bytes::<CODE_LEN>();
    let chars: Vec<char> = bytes.iter().map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect();
    chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The stored form of a receipt code as typed: spaces, dashes and case do not matter.
pub fn receipt_hash(typed: &str) -> String {
    let normal: String = typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    crate::auth::token_hash(&format!("report-receipt:{normal}"))
}

/// Checks and stores a report; its id and the receipt code to give the reporter (shown once).
pub async fn submit(
    site: &Site,
    village: RegionCode,
    form: Submission,
    sender: Sender<'_>,
    now: DateTime<Utc>,
) -> Result<(i64, String), ReportError> {
    let category = Category::parse(&form.category)
        .ok_or(ReportError::Field { field: "category", message: "请选择问题类别 / choose a category".into() })?;
    let description = report::check_description(&form.description)?;
    let place = report::check_place(&form.address, &form.lat, &form.long)?;
    if form.photos.len() > MAX_PHOTOS {
        return Err(ReportError::Field {
            field: "photos",
            message: format!("最多上传 {MAX_PHOTOS} 张照片 / at most {MAX_PHOTOS} photos"),
        });
    }
    let limits = site.upload_limits;
    let checked = tokio::task::spawn_blocking(move || {
        form.photos
            .into_iter()
            .map(|(name, bytes)| {
                let accepted = uploads::check(&name, bytes, &limits)?;
                if accepted.media_type.starts_with("image/") {
                    Ok(accepted)
                } else {
                    Err(uploads::UploadError::Unsupported(name))
                }
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| AppError::Invalid(e.to_string()))?
    .map_err(|e| ReportError::Field {
        field: "photos",
        message: format!("{e}。只接受手机拍的照片（JPEG、PNG、WebP）/ photos only"),
    })?;
    let mut buckets = vec![(format!("report-ip:{}", sender.ip), REPORTS_PER_ADDRESS_PER_HOUR)];
    if let Some(device) = sender.device {
        buckets.push((format!("report-device:{device}"), REPORTS_PER_DEVICE_PER_HOUR));
    }
    if !site.store.claim_throttle(&buckets, now - Duration::hours(1), now).await? {
        return Err(ReportError::TooManyReports);
    }
    let mut photos = vec![];
    for a in checked {
        let sha256 = site.files.put(&a.bytes).await.map_err(AppError::from)?;
        if let Some(thumb) = &a.thumbnail {
            site.files.put_thumbnail(&sha256, thumb).await.map_err(AppError::from)?;
        }
        photos.push(ReportPhoto { sha256, media_type: a.media_type.into(), byte_size: a.bytes.len() as i64 });
    }
    let code = new_receipt_code();
    let new = NewReport {
        village,
        category,
        description,
        place,
        photos,
        receipt_hash: receipt_hash(&code),
        household: sender.household,
    };
    let id = site.store.create_report(&new, now).await?;
    Ok((id, code))
}

/// The report a receipt code names, with its history; none for an unknown code. Every lookup
/// counts against the address's hourly allowance, so codes cannot be guessed at speed.
pub async fn follow(
    site: &Site,
    code: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Report, Vec<ReportEvent>)>, ReportError> {
    let bucket = (format!("report-lookup:{ip}"), LOOKUPS_PER_ADDRESS_PER_HOUR);
    if !site.store.claim_throttle(&[bucket], now - Duration::hours(1), now).await? {
        return Err(ReportError::TooManyLookups);
    }
    let Some(report) = site.store.report_by_receipt(&receipt_hash(code)).await? else { return Ok(None) };
    let events = site.store.report_events(report.id).await?;
    Ok(Some((report, events)))
}

/// A village's resolved reports, newest first, for its public page.
pub async fn public_reports(
    site: &Site,
    village: RegionCode,
    page: u32,
    per_page: u32,
) -> Result<yangguang_store::Page<Report>, AppError> {
    Ok(site
        .store
        .list_reports(&ReportQuery {
            region_prefixes: vec![village.to_string()],
            public_only: true,
            page,
            per_page,
            ..ReportQuery::default()
        })
        .await?)
}

/// The villages whose reports a staff member handles (as grid worker or clerk).
pub fn handled_villages(grants: &Grants) -> Vec<RegionCode> {
    let mut out: Vec<RegionCode> =
        grants.0.iter().filter(|g| matches!(g.role, Role::GridWorker | Role::VillageClerk)).map(|g| g.region).collect();
    out.sort();
    out.dedup();
    out
}

/// New reports waiting in the villages where this person is grid worker: the console's badge.
pub async fn waiting_count(site: &Site, grants: &Grants) -> Result<usize, AppError> {
    let villages: Vec<String> =
        grants.0.iter().filter(|g| g.role == Role::GridWorker).map(|g| g.region.to_string()).collect();
    Ok(site.store.count_reports(&villages, Status::Received).await? as usize)
}

/// The reports a staff member handles, newest first, optionally of some statuses and one village.
pub async fn staff_reports(
    site: &Site,
    grants: &Grants,
    village: Option<RegionCode>,
    statuses: Vec<Status>,
    page: u32,
) -> Result<yangguang_store::Page<Report>, AppError> {
    let villages = handled_villages(grants);
    let region_prefixes =
        villages.iter().filter(|v| village.is_none_or(|only| only == **v)).map(|v| v.to_string()).collect();
    Ok(site
        .store
        .list_reports(&ReportQuery { region_prefixes, statuses, page, per_page: 30, ..ReportQuery::default() })
        .await?)
}

/// A report a staff member may handle; `NotFound` for any other (no probing of other villages).
pub async fn handled_report(site: &Site, grants: &Grants, id: i64) -> Result<Report, AppError> {
    let report = site.store.get_report(id).await?;
    if !grants.can_handle_reports(report.village) {
        return Err(AppError::NotFound);
    }
    Ok(report)
}

/// Staff who can be assigned a village's reports: its grid workers, then its clerks.
pub async fn assignees(site: &Site, village: RegionCode) -> Result<Vec<(i64, String)>, AppError> {
    let mut staff: Vec<(u8, i64, String)> = site
        .store
        .list_staff()
        .await?
        .into_iter()
        .filter(|s| !s.disabled)
        .filter_map(|s| {
            let grants = Grants(s.grants.clone());
            let rank = if grants.has(Role::GridWorker, village) {
                0
            } else if grants.has(Role::VillageClerk, village) {
                1
            } else {
                return None;
            };
            Some((rank, s.id, s.display_name))
        })
        .collect();
    staff.sort();
    Ok(staff.into_iter().map(|(_, id, name)| (id, name)).collect())
}

fn transition_refused(e: report::TransitionError) -> AppError {
    match e {
        report::TransitionError::ReasonRequired => AppError::Field { field: "note", message: e.to_string() },
        report::TransitionError::AssigneeRequired => AppError::Field { field: "assignee", message: e.to_string() },
        other => AppError::Conflict(other.to_string()),
    }
}

/// Moves a report to `to` with a note (for closing, the reason), assigning it when `to` is
/// assigned; checked against the flow in `core`, applied only from the status the actor saw,
/// audited.
#[allow(clippy::too_many_arguments)]
pub async fn change_status(
    site: &Site,
    actor: &Staff,
    ip: &str,
    id: i64,
    seen: &str,
    to: &str,
    note: &str,
    assignee: Option<i64>,
) -> Result<Status, AppError> {
    let grants = Grants(actor.grants.clone());
    let report = handled_report(site, &grants, id).await?;
    let bad_status = || AppError::Field { field: "status", message: "请选择新的状态 / choose a status".into() };
    let to = Status::parse(to).ok_or_else(bad_status)?;
    let from = Status::parse(seen).unwrap_or(report.status);
    if from != report.status {
        return Err(AppError::Conflict(
            "问题状态已被他人改变，请刷新页面后再操作 / the report changed meanwhile; reload the page".into(),
        ));
    }
    let note = report::check_note("note", note).map_err(|e| AppError::Field { field: e.field, message: e.message })?;
    let assignee = match (to, assignee) {
        (Status::Assigned, Some(staff_id)) => {
            let candidates = assignees(site, report.village).await?;
            let found = candidates.into_iter().find(|(id, _)| *id == staff_id);
            Some(found.ok_or_else(|| AppError::Field {
                field: "assignee",
                message: "只能派给本村的网格员或村务工作者 / assign to this village's grid worker or clerk".into(),
            })?)
        }
        _ => None,
    };
    report::check_transition(from, to, !note.is_empty(), assignee.is_some()).map_err(transition_refused)?;
    let change = StatusChange {
        from,
        to,
        assignee: assignee.clone(),
        note: note.clone(),
        staff_id: actor.id,
        staff_name: actor.display_name.clone(),
        at: Utc::now(),
    };
    site.store.change_report_status(id, &change).await.map_err(|e| match e {
        yangguang_store::StoreError::Conflict(_) => AppError::Conflict(
            "问题状态已被他人改变，请刷新页面后再操作 / the report changed meanwhile; reload the page".into(),
        ),
        other => other.into(),
    })?;
    let who = assignee.map(|(_, name)| format!("（{name}）")).unwrap_or_default();
    let detail = format!("{} → {}{who}：{note}", from.as_str(), to.as_str());
    crate::auth::audit(site, Some(actor), ip, "report.status", &format!("report #{id}"), &detail).await;
    Ok(to)
}

/// Hides a report's content as abusive, with a reason that stays visible; audited.
pub async fn hide(site: &Site, actor: &Staff, ip: &str, id: i64, reason: &str) -> Result<(), AppError> {
    let grants = Grants(actor.grants.clone());
    handled_report(site, &grants, id).await?;
    let reason =
        report::check_note("reason", reason).map_err(|e| AppError::Field { field: e.field, message: e.message })?;
    if reason.is_empty() {
        return Err(AppError::Field {
            field: "reason", message: "隐藏必须写明原因 / hiding needs a reason".into()
        });
    }
    site.store.hide_report(id, &reason, (actor.id, &actor.display_name), Utc::now()).await.map_err(|e| match e {
        yangguang_store::StoreError::Conflict(_) => AppError::Conflict("此问题已隐藏 / already hidden".into()),
        other => other.into(),
    })?;
    crate::auth::audit(site, Some(actor), ip, "report.hide", &format!("report #{id}"), &reason).await;
    Ok(())
}

/// Forgets throttle uses older than a day.
pub async fn prune(site: &Site, now: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(site.store.prune_throttle(now - Duration::days(1)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_codes_are_long_and_read_back_however_typed() {
        let code = new_receipt_code();
        assert_eq!(code.len(), CODE_LEN + 3);
        assert_eq!(code.split('-').count(), 4);
        assert_ne!(code, new_receipt_code());
        let typed = format!("  {} ", code.to_lowercase().replace('-', " "));
        assert_eq!(receipt_hash(&typed), receipt_hash(&code));
        assert_ne!(receipt_hash(&code), receipt_hash("ABCDE-FGHJK-MNPQR-STUVW"));
    }
}
