//! The demo's households and their three rights: members with valid (synthetic) identity
//! numbers, land plots in villages, homesteads, shares with two years of dividends, and the
//! bank's credit lines for some — about 130,000 households a county at full scale.

use chrono::{Datelike, NaiveDate};
use yangguang_core::household::{CreditLine, Homestead, Household, LandContract, Member, Plot, Shares};
use yangguang_core::identity::IdNumber;
use yangguang_core::{Fen, Region, RegionKind};

use super::{Rng, names};

/// The phone number the README's village's first household logs in with.
pub const DEMO_PHONE: &str = "13800138000";

/// A valid identity number: the county's code, a birth date, a sequence, the check digit.
pub fn id_number(rng: &mut Rng, county: &str, born: NaiveDate, female: bool) -> IdNumber {
    let seq = rng.below(100) * 10 + if female { 2 * rng.below(5) } else { 2 * rng.below(5) + 1 };
    let seventeen = format!("{county}{}{seq:03}", born.format("%Y%m%d"));
    (0..=10u8)
        .map(|c| format!("{seventeen}{}", if c == 10 { 'X' } else { char::from(b'0' + c) }))
        .find_map(|s| IdNumber::parse(&s).ok())
        .expect("one check character fits")
}

fn born(rng: &mut Rng, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).expect("valid date")
}

/// `count` households of a village; `phone_base` numbers their heads' phones uniquely across
/// the demo; the village's dividend per share for the last two years.
pub fn village_households(
    rng: &mut Rng,
    village: &Region,
    count: u32,
    phone_base: u64,
    as_of: NaiveDate,
    key: &[u8],
    demo: bool,
) -> (Vec<Household>, Vec<(String, String)>) {
    let county = &village.code.to_string()[..6];
    let farming = village.kind == RegionKind::Village;
    let per_share = [Fen::from_yuan(50 + rng.below(500) as i64), Fen::from_yuan(50 + rng.below(550) as i64)];
    let mut households = Vec::with_capacity(count as usize);
    let mut ids = std::collections::HashSet::new();
    let mut phones = Vec::with_capacity(count as usize);
    for n in 0..count {
        let number = format!("{:04}", n + 1);
        let surname = names::surname(rng);
        let head_year = as_of.year() - 30 - rng.below(50) as i32;
        let mut members = vec![(names::person(rng, surname), "户主", born(rng, head_year), false)];
        if rng.below(10) < 8 {
            let spouse_surname = names::surname(rng);
            members.push((names::person(rng, spouse_surname), "配偶", born(rng, head_year + 2), true));
        }
        for _ in 0..rng.below(4) {
            let female = rng.below(2) == 0;
            let year = (head_year + 22 + rng.below(10) as i32).min(as_of.year() - 1);
            members.push((names::person(rng, surname), if female { "女" } else { "子" }, born(rng, year), female));
        }
        let members: Vec<Member> = members
            .into_iter()
            .map(|(name, relation, born, female)| {
                // Drawn again on the rare repeat: a register lists each person once.
                let mut id = id_number(rng, county, born, female);
                while !ids.insert(id.as_str().to_owned()) {
                    id = id_number(rng, county, born, female);
                }
                Member {
                    name,
                    relation: relation.into(),
                    id_masked: id.masked(),
                    id_hash: id.keyed_hash(key),
                    share_status: "在册".into(),
                }
            })
            .collect();
        let phone = if demo && n == 0 { DEMO_PHONE.to_owned() } else { format!("139{:08}", phone_base + u64::from(n)) };
        phones.push((phone, number.clone()));
        let land = (farming && rng.below(10) < 9).then(|| {
            let plots = (0..1 + rng.below(5))
                .map(|p| Plot {
                    code: format!("{}{:04}{}", village.code, n + 1, p + 1),
                    location: format!("{}畈", ["溪东", "后垄", "山脚", "大坑", "塘下"][rng.below(5) as usize]),
                    bounds: ["路", "沟", "田", "山"].map(|b| b.to_owned()),
                    area: format!("{}.{:02}", rng.below(3), 10 + rng.below(90)),
                    basic_farmland: rng.below(3) > 0,
                })
                .collect();
            LandContract {
                certificate_no: format!("{}J{:05}", &village.code.to_string()[..9], n + 1),
                contract_no: format!("{}{:04}", village.code, n + 1),
                term: "2028-12-31 止".into(),
                plots,
            }
        });
        let homestead = (rng.below(10) < 7).then(|| Homestead {
            location: format!("{}{}号", village.name, 1 + rng.below(300)),
            unit_no: format!("{}GB{:05}F0001", &village.code.to_string()[..6], n + 1),
            parcel_area: (80 + rng.below(100)).to_string(),
            floor_area: (120 + rng.below(260)).to_string(),
            approval_no: format!("宅批〔{}〕{}号", 1995 + rng.below(28), 1 + rng.below(200)),
            approval_date: String::new(),
        });
        let shares = members.len() as i64;
        let shares = Shares {
            certificate_no: format!("GQ{}{:04}", &village.code.to_string()[6..], n + 1),
            class: "人口股".into(),
            shares: shares.to_string(),
            dividends: vec![
                (as_of.year() - 2, Fen(per_share[0].0 * shares)),
                (as_of.year() - 1, Fen(per_share[1].0 * shares)),
            ],
        };
        let credit = (rng.below(10) < 3 || (demo && n == 0)).then(|| CreditLine {
            bank: "清溪农商银行".into(),
            rating: ["AAA", "AA", "A"][rng.below(3) as usize].into(),
            limit: Fen::from_yuan(10_000 * (3 + rng.below(28) as i64)),
            valid_until: as_of + chrono::Days::new(365 + rng.below(700)),
        });
        households.push(Household {
            number,
            village: village.code,
            members,
            land,
            homestead,
            shares: Some(shares),
            credit,
        });
    }
    (households, phones)
}
