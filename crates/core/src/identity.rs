//! Resident identity numbers (居民身份证号码, GB 11643): checked, never kept in clear. A
//! household register matches people by a keyed hash of the number (HMAC-SHA256 with the
//! site's own key, so a leaked database cannot be searched with a list of numbers) and shows
//! only a masked form.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why an identity number was refused, in words a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("身份证号应为 18 位（前 17 位数字，末位数字或 X），这里是 {0} 位 / an identity number has 18 characters")]
    Length(usize),
    #[error("身份证号含有数字和末位 X 以外的字符 / only digits and a final X")]
    Characters,
    #[error("身份证号中的出生日期 {0} 不存在 / the birth date in the number does not exist")]
    BirthDate(String),
    #[error("身份证号校验位不符，应为 {0}，请核对是否抄错 / the check digit does not match")]
    CheckDigit(char),
}

/// A valid 18-character identity number (upper-case X).
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

// Never print the number by accident (logs, debug output).
impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The ISO 7064 MOD 11-2 check character of the first 17 digits.
fn check_char(digits: &[u8]) -> char {
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

impl IdNumber {
    /// Parses a number as typed or exported: surrounding blanks and full-width characters are
    /// tolerated, a lower-case x is accepted.
    pub fn parse(text: &str) -> Result<Self, IdNumberError> {
        let s: String = text
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                'x' | 'ｘ' | 'Ｘ' => 'X',
                c => c,
            })
            .collect();
        let n = s.chars().count();
        if n != 18 {
            return Err(IdNumberError::Length(n));
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) || !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        let birth = &s[6..14];
        if chrono::NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() || &s[6..8] < "18" {
            return Err(IdNumberError::BirthDate(birth.to_owned()));
        }
        let expected = check_char(&bytes[..17]);
        if bytes[17] as char != expected {
            return Err(IdNumberError::CheckDigit(expected));
        }
        Ok(IdNumber(s))
    }

    /// For display: the first six and last four kept (`339921********123X`).
    /// The number itself: only for writing it to a file that must hold it (a register export
    /// a clerk asked for, a benchmark's input). Never for display or storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// The keyed hash used for matching, hex; the same number and key always give the same hash.
    pub fn keyed_hash(&self, key: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
        mac.update(b"yangguang-id-v1\n");
        mac.update(self.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A valid number built from 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()))
    }

    #[test]
    fn the_standards_example_is_valid() {
        // GB 11643-1999's worked example.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse(" １１０１０５１９４９１２３１００２ｘ ").is_ok(), "full-width and lower-case x");
    }

    #[test]
    fn each_kind_of_mistake_is_named() {
        assert_eq!(IdNumber::parse("1101051949123100").unwrap_err(), IdNumberError::Length(16));
        assert_eq!(IdNumber::parse("11010519491231002Y").unwrap_err(), IdNumberError::Characters);
        assert_eq!(IdNumber::parse("110105194902300023").unwrap_err(), IdNumberError::BirthDate("19490230".into()));
        assert_eq!(IdNumber::parse("110105194912310021").unwrap_err(), IdNumberError::CheckDigit('X'));
    }

    #[test]
    fn the_clear_number_never_shows() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert!(!format!("{id:?}").contains("19491231"));
    }

    proptest! {
        #[test]
        fn any_valid_number_parses_and_one_changed_digit_is_caught(
            area in 110_000u32..660_000, days in 0i64..40_000, seq in 0u32..1000, pos in 0usize..17, delta in 1u8..10,
        ) {
            let birth = chrono::NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Duration::days(days);
            let good = with_check(&format!("{area:06}{}{seq:03}", birth.format("%Y%m%d")));
            let id = IdNumber::parse(&good).unwrap();
            prop_assert_eq!(id.keyed_hash(b"k1"), IdNumber::parse(&good).unwrap().keyed_hash(b"k1"));
            prop_assert_ne!(id.keyed_hash(b"k1"), id.keyed_hash(b"k2"));
            // A single mistyped digit changes the check character (MOD 11-2 catches every one).
            let mut bytes = good.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&typo).is_err());
        }
    }
}
