//! What a trading listing is worth in total. The platform quotes prices per year, per mu per
//! year or as a lump sum; open-data consumers (OCDS `awards.value`) need the total, so the
//! unit price is multiplied out here in exact integer arithmetic: fen × area × months, then
//! one division, rounded half away from zero to the fen. Nothing is estimated: when a factor
//! is unknown (no lease term, an area that is not a decimal, a term that is not whole months)
//! there is no total.

use chrono::{Datelike, NaiveDate};

use crate::Fen;
use crate::trading::{PriceUnit, Window};

/// Square metres in one mu (亩) is 2000/3: a mu price per m² area is scaled by 3/2000.
const MU_NUM: i128 = 3;
const MU_DEN: i128 = 2000;

/// A non-negative decimal written in text ("120.5", "214") as an integer over a power of ten.
fn decimal(text: &str) -> Option<(i128, i128)> {
    let text = text.trim();
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty() || frac.len() > 9 || int.len() > 18 {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    Some((digits, 10i128.pow(frac.len() as u32)))
}

/// Whole months from `term.start` to the day after `term.end` (a term of 2027-01-01 to
/// 2031-12-31 is 60 months); `None` when the term does not end the day before a monthly
/// anniversary of its start.
pub fn whole_months(term: Window) -> Option<u32> {
    let after = term.end.succ_opt()?;
    let months = (after.year() - term.start.year()) * 12 + after.month() as i32 - term.start.month() as i32;
    let months = u32::try_from(months).ok().filter(|m| *m > 0)?;
    let expected = term.start.checked_add_months(chrono::Months::new(months))?;
    // A start on the 31st lands on the month's last day; accept that as whole.
    let clipped = term.start.day() > after.day() && is_last_day(expected) && expected == after.pred_opt()?;
    (expected == after || clipped).then_some(months)
}

fn is_last_day(day: NaiveDate) -> bool {
    day.succ_opt().is_some_and(|next| next.month() != day.month())
}

/// The total value of a contract priced at `unit_price` per `unit`, over `term`, for `area`
/// (decimal text) in `area_unit` ("mu" or "m2"). `None` when a factor the unit needs is
/// missing or the result does not fit.
pub fn contract_total(
    unit_price: Fen,
    unit: PriceUnit,
    area: &str,
    area_unit: &str,
    term: Option<Window>,
) -> Option<Fen> {
    let price = i128::from(unit_price.0);
    let (num, den) = match unit {
        PriceUnit::Total => return Some(unit_price),
        PriceUnit::Year => (price * i128::from(whole_months(term?)?), 12),
        PriceUnit::MuYear => {
            let (area, scale) = decimal(area)?;
            let months = i128::from(whole_months(term?)?);
            let (to_mu_num, to_mu_den) = match area_unit {
                "mu" => (1, 1),
                "m2" => (MU_NUM, MU_DEN),
                _ => return None,
            };
            (price.checked_mul(area)?.checked_mul(months)?.checked_mul(to_mu_num)?, 12 * scale * to_mu_den)
        }
    };
    let half = den / 2;
    let rounded = if num >= 0 { (num + half) / den } else { (num - half) / den };
    i64::try_from(rounded).ok().map(Fen)
}

/// Checks a unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
/// the standard's alphabet, the last a check character over the first 17.
pub fn is_uscc(code: &str) -> bool {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return false;
    }
    let mut values = [0u32; 18];
    for (i, b) in bytes.iter().enumerate() {
        match ALPHABET.iter().position(|a| a == b) {
            Some(v) => values[i] = v as u32,
            None => return false,
        }
    }
    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31 == values[17]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn window(start: &str, end: &str) -> Window {
        Window { start: start.parse().unwrap(), end: end.parse().unwrap() }
    }

    #[test]
    fn the_issues_example_is_multiplied_out() {
        // 600 元/亩·年 × 214 亩 × 15 years = 1,926,000 元.
        let term = window("2027-01-01", "2041-12-31");
        assert_eq!(
            contract_total(Fen(60_000), PriceUnit::MuYear, "214", "mu", Some(term)),
            Some(Fen::from_yuan(1_926_000))
        );
        assert_eq!(
            contract_total(Fen(3_600_000), PriceUnit::Year, "120.5", "m2", Some(window("2027-01-01", "2031-12-31"))),
            Some(Fen::from_yuan(180_000))
        );
        assert_eq!(contract_total(Fen(500), PriceUnit::Total, "x", "", None), Some(Fen(500)));
    }

    #[test]
    fn what_is_unknown_gives_no_total() {
        assert_eq!(contract_total(Fen(100), PriceUnit::Year, "1", "mu", None), None);
        let odd = window("2027-01-01", "2027-03-17");
        assert_eq!(contract_total(Fen(100), PriceUnit::Year, "1", "mu", Some(odd)), None);
        let term = Some(window("2027-01-01", "2027-12-31"));
        assert_eq!(contract_total(Fen(100), PriceUnit::MuYear, "十亩", "mu", term), None);
        assert_eq!(contract_total(Fen(100), PriceUnit::MuYear, "1", "acre", term), None);
    }

    #[test]
    fn square_metres_are_converted_to_mu_exactly() {
        // 2000 m² is 3 mu: 3 × 100 元 for one year.
        let term = Some(window("2027-01-01", "2027-12-31"));
        assert_eq!(contract_total(Fen(10_000), PriceUnit::MuYear, "2000", "m2", term), Some(Fen(30_000)));
        // Half-year terms and half-fen results round half away from zero.
        let half = Some(window("2027-01-01", "2027-06-30"));
        assert_eq!(contract_total(Fen(1), PriceUnit::Year, "", "", half), Some(Fen(1)));
    }

    #[test]
    fn months_are_whole_from_any_day() {
        assert_eq!(whole_months(window("2027-03-15", "2028-03-14")), Some(12));
        assert_eq!(whole_months(window("2027-01-31", "2027-02-27")), Some(1));
        assert_eq!(whole_months(window("2027-01-31", "2027-02-26")), None);
        assert_eq!(whole_months(window("2027-01-01", "2027-01-01")), None);
    }

    #[test]
    fn social_credit_codes_are_checked() {
        assert!(is_uscc("91350100M000100Y43"));
        assert!(!is_uscc("91350100M000100Y44"));
        assert!(!is_uscc("91350100M000100Y4"));
        assert!(!is_uscc("91350100I000100Y43"));
    }

    proptest! {
        #[test]
        fn whole_years_and_whole_mu_multiply_exactly(
            price in 0i64..100_000_000, mu in 0i64..100_000, years in 1i32..70, tenths in 0i64..10,
        ) {
            let start = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
            let end = NaiveDate::from_ymd_opt(2027 + years - 1, 12, 31).unwrap();
            let term = Some(Window { start, end });
            let y = i64::from(years);
            prop_assert_eq!(contract_total(Fen(price), PriceUnit::Year, "", "", term), Some(Fen(price * y)));
            prop_assert_eq!(
                contract_total(Fen(price), PriceUnit::MuYear, &mu.to_string(), "mu", term),
                Some(Fen(price * mu * y))
            );
            // Writing the area with a decimal point changes nothing but the scale.
            let area = format!("{mu}.{tenths}");
            let exact = i128::from(price) * i128::from(mu * 10 + tenths) * i128::from(y);
            let got = contract_total(Fen(price), PriceUnit::MuYear, &area, "mu", term).unwrap();
            prop_assert!((i128::from(got.0) * 10 - exact).abs() <= 5, "{} vs {}/10", got.0, exact);
            prop_assert_eq!(contract_total(Fen(price), PriceUnit::Total, &area, "mu", term), Some(Fen(price)));
        }
    }
}
