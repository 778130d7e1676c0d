//! Telling staff what waits for them: the counts on the console's navigation, and a text
//! message digest to staff with a mobile number on file — reviewers when versions await their
//! sign-off, clerks when one of theirs was returned or published. At most one message a day
//! per person (claimed in `platform_state`, so several app servers still send one), only in
//! daytime hours, so a busy day becomes one digest instead of a stream of texts.

use chrono::{DateTime, Duration, Timelike, Utc};
use yangguang_core::DisclosureState;
use yangguang_core::household::normalise_phone;
use yangguang_core::staff::Grants;
use yangguang_core::time::{china, china_date};
use yangguang_store::Staff;

use crate::{AppError, Site, work};

/// How the digest is sent; the default sends one a day, between 08:00 and 20:00 Beijing time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    pub daily_digest: bool,
    /// The first hour (Beijing time) a digest may be sent in.
    pub from_hour: u32,
    /// The hour from which no digest is sent until the next day.
    pub until_hour: u32,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self { daily_digest: true, from_hour: 8, until_hour: 20 }
    }
}

/// What waits for one staff member, for the badge on the console's navigation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Badges {
    /// Submitted versions still missing a sign-off this person can give.
    pub to_review: usize,
    /// Versions in their villages as clerk that a reviewer returned.
    pub returned: usize,
    /// New sealed whistle-blowing reports (discipline-commission staff only).
    pub tips: usize,
    /// New problem reports (随手拍) in the villages where they are grid worker.
    pub reports: usize,
    /// Villagers' questions held for a look or waiting for an answer, in the villages they
    /// answer for (clerk, supervision committee).
    pub questions: usize,
}

impl Badges {
    pub fn total(&self) -> usize {
        self.to_review + self.returned + self.tips + self.reports + self.questions
    }
}

pub async fn badges(site: &Site, grants: &Grants) -> Result<Badges, AppError> {
    Ok(Badges {
        to_review: work::to_review(site, grants).await?.len(),
        returned: work::clerk_versions(site, grants, vec![DisclosureState::Returned]).await?.len(),
        tips: crate::tips::new_count(site, grants).await?,
        reports: crate::reports::waiting_count(site, grants).await?,
        questions: crate::questions::waiting_count(site, grants).await?,
    })
}

/// A mobile number as typed on a form: none when empty, refused when not a mobile number.
pub fn parse_phone(typed: &str) -> Result<Option<String>, AppError> {
    match typed.trim() {
        "" => Ok(None),
        typed => normalise_phone(typed).map(Some).ok_or_else(|| AppError::Field {
            field: "phone",
            message: format!(
                "“{typed}”不是手机号码：请填写 11 位手机号码，或留空不接收短信 / not a mobile number: 11 digits, or empty for no messages"
            ),
        }),
    }
}

/// Sets (or with an empty text, removes) a staff member's mobile number; the number now on
/// file. `actor` is the staff member themselves or an admin.
pub async fn set_phone(
    site: &Site,
    actor: &Staff,
    staff_id: i64,
    typed: &str,
    ip: &str,
) -> Result<Option<String>, AppError> {
    let phone = parse_phone(typed)?;
    let mut staff = site.store.get_staff(staff_id).await?;
    staff.phone = phone.clone();
    site.store.update_staff(&staff).await?;
    let shown = phone.as_deref().map(yangguang_core::household::mask_phone).unwrap_or_else(|| "—".into());
    crate::auth::audit(site, Some(actor), ip, "staff.phone", &staff.username, &shown).await;
    Ok(phone)
}

/// The state name that records a digest sent to `staff_id` on `day`.
fn sent_key(staff_id: i64, day: chrono::NaiveDate) -> String {
    format!("notify/sent/{staff_id}/{day}")
}

fn last_key(staff_id: i64) -> String {
    format!("notify/last/{staff_id}")
}

/// One person's digest, or none when nothing waits for them.
pub fn digest_text(name: &str, badges: Badges, published: usize) -> Option<String> {
    let mut parts = vec![];
    if badges.to_review > 0 {
        parts.push(format!("{} 项公开事项等待您审核", badges.to_review));
    }
    if badges.returned > 0 {
        parts.push(format!("{} 项被退回，需要修改后重新提交", badges.returned));
    }
    if badges.questions > 0 {
        parts.push(format!("{} 条村民质询等待处理", badges.questions));
    }
    if published > 0 {
        parts.push(format!("{published} 项已经公开"));
    }
    if badges.reports > 0 {
        parts.push(format!("{} 条随手拍问题等待处理", badges.reports));
    }
    // Only a count: what a sealed report says never leaves the commission's console.
    if badges.tips > 0 {
        parts.push(format!("{} 件新的监督举报待查看", badges.tips));
    }
    (!parts.is_empty()).then(|| format!("【阳光村务】{name}您好：{}。请登录村务公开控制台查看。", parts.join("；")))
}

/// Sends the day's digest to everyone with a number on file who has something waiting and
/// has not had one today; how many were sent. Called by the background jobs every few minutes.
pub async fn send_digests(site: &Site, now: DateTime<Utc>) -> Result<usize, AppError> {
    let hour = now.with_timezone(&china()).hour();
    if !site.notify.daily_digest || hour < site.notify.from_hour || hour >= site.notify.until_hour {
        return Ok(0);
    }
    let mut sent = 0;
    for staff in site.store.list_staff().await? {
        if staff.disabled {
            continue;
        }
        let Some(phone) = staff.phone.clone() else { continue };
        match digest_for(site, &staff, now).await? {
            Some(text) if site.store.claim_state(&sent_key(staff.id, china_date(now)), "1", now).await? => {
                site.store.put_state(&last_key(staff.id), &now.to_rfc3339(), now).await?;
                // At most once a day: a gateway failure is logged, not retried until tomorrow.
                match site.sms.send(&phone, &text).await {
                    Ok(()) => sent += 1,
                    Err(e) => tracing::warn!(staff = staff.username, error = e, "the staff digest was not sent"),
                }
                crate::auth::audit(site, None, "-", "notify.sms", &staff.username, &text).await;
            }
            _ => {}
        }
    }
    Ok(sent)
}

/// What one person's digest would say now, if anything waits for them.
async fn digest_for(site: &Site, staff: &Staff, now: DateTime<Utc>) -> Result<Option<String>, AppError> {
    let grants = Grants(staff.grants.clone());
    let badges = badges(site, &grants).await?;
    // Published since the last digest (at most a day back): news once, not every day.
    let since = site
        .store
        .get_state(&last_key(staff.id))
        .await?
        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now - Duration::days(1))
        .max(now - Duration::days(1));
    let published = work::clerk_versions(site, &grants, vec![DisclosureState::Published])
        .await?
        .iter()
        .filter(|s| s.published_at.is_some_and(|t| t > since))
        .count();
    Ok(digest_text(&staff.display_name, badges, published))
}

/// Forgets which days digests went out, after a week.
pub async fn prune(site: &Site, now: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(site.store.prune_state("notify/sent/", now - Duration::days(7)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_names_what_waits_and_nothing_else() {
        assert_eq!(digest_text("王芳", Badges::default(), 0), None);
        let text = digest_text("王芳", Badges { to_review: 3, ..Badges::default() }, 2).unwrap();
        assert_eq!(text, "【阳光村务】王芳您好：3 项公开事项等待您审核；2 项已经公开。请登录村务公开控制台查看。");
        let text = digest_text("李会计", Badges { returned: 1, ..Badges::default() }, 0).unwrap();
        assert!(text.contains("1 项被退回") && !text.contains("审核"), "{text}");
        let text = digest_text("网格员", Badges { reports: 2, ..Badges::default() }, 0).unwrap();
        assert_eq!(text, "【阳光村务】网格员您好：2 条随手拍问题等待处理。请登录村务公开控制台查看。");
        let text = digest_text("李会计", Badges { questions: 2, ..Badges::default() }, 0).unwrap();
        assert!(text.contains("2 条村民质询等待处理"), "{text}");
        let text = digest_text("孙刚", Badges { tips: 1, ..Badges::default() }, 0).unwrap();
        assert_eq!(text, "【阳光村务】孙刚您好：1 件新的监督举报待查看。请登录村务公开控制台查看。");
    }
}
