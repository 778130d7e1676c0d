//! What a question is about: any public item with a page — a disclosure, a month's accounts,
//! one voucher of a published month, a lease, a trading listing. Written in links as
//! `on=d:123`, `on=f:2026-11`, `on=v:2026-11:记-3`, `on=l:ZL-2024-001`, `on=t:P-001`.

use yangguang_core::ledger::normalize_voucher_no;
use yangguang_core::{DisclosureId, DisclosureKind, Period, RegionCode};

use crate::{AppError, Site};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Disclosure(DisclosureId),
    Finance(Period),
    Voucher(Period, String),
    Lease(String),
    Listing(String),
}

/// Keys come from links: bounded, so that a crafted link cannot store a novel.
const MAX_KEY: usize = 80;

impl Target {
    /// From a link's `on` parameter; `None` when it names no kind of item.
    pub fn parse(on: &str) -> Option<Self> {
        let (kind, key) = on.split_once(':')?;
        if key.is_empty() || key.chars().count() > MAX_KEY || key.chars().any(char::is_control) {
            return None;
        }
        let month = |s: &str| s.parse::<Period>().ok().filter(|p| matches!(p, Period::Month { .. }));
        match kind {
            "d" => key.parse::<i64>().ok().map(|id| Self::Disclosure(DisclosureId(id))),
            "f" => month(key).map(Self::Finance),
            "v" => {
                let (m, no) = key.split_once(':')?;
                Some(Self::Voucher(month(m)?, no.to_owned()))
            }
            "l" => Some(Self::Lease(key.to_owned())),
            "t" => Some(Self::Listing(key.to_owned())),
            _ => None,
        }
    }

    /// From what is stored with a question.
    pub fn from_stored(kind: &str, key: &str) -> Option<Self> {
        let prefix = match kind {
            "disclosure" => "d",
            "finance" => "f",
            "voucher" => "v",
            "lease" => "l",
            "listing" => "t",
            _ => return None,
        };
        Self::parse(&format!("{prefix}:{key}"))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Disclosure(_) => "disclosure",
            Self::Finance(_) => "finance",
            Self::Voucher(..) => "voucher",
            Self::Lease(_) => "lease",
            Self::Listing(_) => "listing",
        }
    }

    /// The key stored with the question.
    pub fn key(&self) -> String {
        match self {
            Self::Disclosure(id) => id.0.to_string(),
            Self::Finance(p) => p.to_string(),
            Self::Voucher(p, no) => format!("{p}:{no}"),
            Self::Lease(no) | Self::Listing(no) => no.clone(),
        }
    }

    /// The link parameter naming it.
    pub fn on(&self) -> String {
        let prefix = match self {
            Self::Disclosure(_) => "d",
            Self::Finance(_) => "f",
            Self::Voucher(..) => "v",
            Self::Lease(_) => "l",
            Self::Listing(_) => "t",
        };
        format!("{prefix}:{}", self.key())
    }

    /// The item's public page.
    pub fn path(&self, village: RegionCode) -> String {
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20");
        match self {
            Self::Disclosure(id) => format!("/v/{village}/d/{}", id.0),
            Self::Finance(p) => format!("/v/{village}/finance/{p}"),
            Self::Voucher(p, _) => format!("/v/{village}/finance/{p}"),
            Self::Lease(no) => format!("/v/{village}/leases/{}", enc(no)),
            Self::Listing(no) => format!("/v/{village}/trading/{}", enc(no)),
        }
    }
}

/// The item's title as the question shows it, when the item is public in this village;
/// `NotFound` otherwise (nobody can question what is not published, nor probe drafts).
pub async fn resolve(site: &Site, village: RegionCode, target: &Target) -> Result<String, AppError> {
    match target {
        Target::Disclosure(id) => {
            let d = site.store.get_disclosure(*id).await.map_err(|_| AppError::NotFound)?;
            if d.village != village || !d.state.was_published() || d.kind == DisclosureKind::Withdrawal {
                return Err(AppError::NotFound);
            }
            Ok(d.title)
        }
        Target::Finance(p) => {
            if !crate::finance::month_published(site, village, *p).await? {
                return Err(AppError::NotFound);
            }
            Ok(month_title(*p, None))
        }
        Target::Voucher(p, no) => {
            // The voucher as the month's page shows it (`记-004`), or as booked (`记-4`).
            if !crate::finance::month_published(site, village, *p).await?
                || !site
                    .store
                    .ledger_entries(village, p.start(), p.end())
                    .await?
                    .iter()
                    .any(|l| normalize_voucher_no(&l.voucher_no) == normalize_voucher_no(no))
            {
                return Err(AppError::NotFound);
            }
            Ok(month_title(*p, Some(no)))
        }
        Target::Lease(no) => {
            let lease = crate::leases::lease(site, village, no).await?.ok_or(AppError::NotFound)?;
            Ok(format!("租赁合同 {} · {}", lease.contract_no, lease.asset))
        }
        Target::Listing(no) => {
            let listing =
                crate::trading::listing(site, no).await?.filter(|l| l.village == village).ok_or(AppError::NotFound)?;
            Ok(format!("交易项目 {} · {}", listing.project_no, listing.title))
        }
    }
}

fn month_title(p: Period, voucher: Option<&str>) -> String {
    let Period::Month { year, month } = p else { return p.to_string() };
    match voucher {
        Some(no) => format!("{year}年{month}月收支 · 凭证 {no}"),
        None => format!("{year}年{month}月收支"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip_through_links_and_storage() {
        for on in ["d:12", "f:2026-11", "v:2026-11:记-3", "l:ZL-2024-001", "t:P 1"] {
            let t = Target::parse(on).unwrap();
            assert_eq!(t.on(), on);
            assert_eq!(Target::from_stored(t.kind(), &t.key()), Some(t));
        }
        for bad in ["", "d:", "d:x", "f:2026-Q1", "x:1", "v:2026-11", "l:a\u{0}b"] {
            assert_eq!(Target::parse(bad), None, "{bad}");
        }
        assert_eq!(Target::parse(&format!("l:{}", "a".repeat(81))), None);
        let village = RegionCode::parse("339921100201").unwrap();
        assert_eq!(Target::parse("t:P 1").unwrap().path(village), "/v/339921100201/trading/P%201");
    }
}
