//! A household's three rights (我的三权): land contract and plots, homestead and house,
//! collective shares and dividends — and the credit line the bank grants it. Only the
//! household itself and authorised staff see these. Identity numbers are never kept in clear:
//! a keyed hash matches people, a masked form is shown.

use serde::{Deserialize, Serialize};

use crate::{Fen, RegionCode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    /// 与户主关系: 户主, 配偶, 子, 女…
    pub relation: String,
    /// 330…********1234
    pub id_masked: String,
    /// HMAC-SHA256 of the number with the site's key: for matching, never for display.
    pub id_hash: String,
    /// Share membership status (在册, 迁出…), if the cooperative records one.
    pub share_status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plot {
    pub code: String,
    pub location: String,
    /// East, south, west, north boundaries (四至).
    pub bounds: [String; 4],
    /// Mu, two decimals, as text.
    pub area: String,
    pub basic_farmland: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandContract {
    pub certificate_no: String,
    pub contract_no: String,
    pub term: String,
    pub plots: Vec<Plot>,
}

impl LandContract {
    /// Total contracted area in fen-of-a-mu (hundredths), exact.
    pub fn area_hundredths(&self) -> i64 {
        self.plots.iter().map(|p| hundredths(&p.area)).sum()
    }
}

/// "12.5" → 1250: areas are decimal text with at most two decimals.
pub fn hundredths(text: &str) -> i64 {
    crate::ledger::parse_amount(text).map(|f| f.0).unwrap_or(0)
}

/// 1250 → "12.50".
pub fn from_hundredths(n: i64) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Homestead {
    pub location: String,
    pub unit_no: String,
    /// m², as text.
    pub parcel_area: String,
    pub floor_area: String,
    pub approval_no: String,
    pub approval_date: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shares {
    pub certificate_no: String,
    pub class: String,
    /// Number of shares, two decimals at most, as text.
    pub shares: String,
    /// (year, amount) paid to the household.
    pub dividends: Vec<(i32, Fen)>,
}

/// A household's credit line from the bank (普惠金融): only the household sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLine {
    pub bank: String,
    /// 信用等级: AAA, AA, A…
    pub rating: String,
    pub limit: Fen,
    pub valid_until: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// 户号, unique within the village.
    pub number: String,
    pub village: RegionCode,
    pub members: Vec<Member>,
    pub land: Option<LandContract>,
    pub homestead: Option<Homestead>,
    pub shares: Option<Shares>,
    pub credit: Option<CreditLine>,
}

impl Household {
    /// The household's key among records: village and number.
    pub fn key(&self) -> String {
        household_key(self.village, &self.number)
    }

    pub fn head(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.relation == "户主").or(self.members.first())
    }
}

pub fn household_key(village: RegionCode, number: &str) -> String {
    format!("{village}/{number}")
}

/// What a village's public page shows of its households: totals only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VillageRights {
    pub households: u64,
    pub members: u64,
    pub contracted_hundredths: i64,
    pub share_hundredths: i64,
    /// The latest year with dividends, its total paid and the dividend per share.
    pub dividend: Option<(i32, Fen, Fen)>,
}

/// Totals across a village's households.
pub fn village_rights<'a>(households: impl IntoIterator<Item = &'a Household>) -> VillageRights {
    let mut r = VillageRights::default();
    let mut paid: std::collections::BTreeMap<i32, (Fen, i64)> = Default::default();
    for h in households {
        r.households += 1;
        r.members += h.members.len() as u64;
        r.contracted_hundredths += h.land.as_ref().map_or(0, LandContract::area_hundredths);
        if let Some(s) = &h.shares {
            let shares = hundredths(&s.shares);
            r.share_hundredths += shares;
            for &(year, amount) in &s.dividends {
                let e = paid.entry(year).or_default();
                e.0 = Fen(e.0.0 + amount.0);
                e.1 += shares;
            }
        }
    }
    r.dividend = paid.iter().next_back().map(|(&year, &(total, shares))| {
        let per_share = if shares > 0 { Fen((i128::from(total.0) * 100 / i128::from(shares)) as i64) } else { Fen(0) };
        (year, total, per_share)
    });
    r
}

/// A mobile number as typed (spaces, dashes, +86), as the 11 digits, if it is one.
pub fn normalise_phone(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.strip_prefix("86").filter(|d| d.len() == 11).unwrap_or(&digits).to_owned();
    (digits.len() == 11 && digits.starts_with('1')).then_some(digits)
}

/// 138****5678.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 { format!("{}****{}", &phone[..3], &phone[7..]) } else { "****".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn household(number: &str, area: &str, shares: &str, dividends: &[(i32, i64)]) -> Household {
        Household {
            number: number.into(),
            village: RegionCode::parse("339921100201").unwrap(),
            members: vec![],
            land: Some(LandContract {
                plots: vec![Plot {
                    code: "1".into(),
                    location: String::new(),
                    bounds: Default::default(),
                    area: area.into(),
                    basic_farmland: true,
                }],
                ..Default::default()
            }),
            homestead: None,
            shares: Some(Shares {
                shares: shares.into(),
                dividends: dividends.iter().map(|&(y, a)| (y, Fen(a))).collect(),
                ..Default::default()
            }),
            credit: None,
        }
    }

    #[test]
    fn village_totals_add_up_and_the_latest_dividend_is_per_share() {
        let hs = [
            household("1", "3.25", "10", &[(2024, 50_000), (2025, 60_000)]),
            household("2", "1.5", "5", &[(2025, 30_000)]),
        ];
        let r = village_rights(&hs);
        assert_eq!((r.households, r.contracted_hundredths, r.share_hundredths), (2, 475, 1500));
        assert_eq!(from_hundredths(r.contracted_hundredths), "4.75");
        // 900 yuan over 15 shares: 60 yuan a share.
        assert_eq!(r.dividend, Some((2025, Fen(90_000), Fen(6_000))));
    }

    #[test]
    fn phones_are_normalised_and_masked() {
        assert_eq!(normalise_phone("+86 138-0013-8000").as_deref(), Some("13800138000"));
        assert_eq!(normalise_phone("0571-8888888"), None);
        assert_eq!(mask_phone("13800138000"), "138****8000");
    }
}
