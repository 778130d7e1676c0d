//! Village names as pinyin, so that "ltc" or "litian" finds 李田村 (typing Chinese on an old
//! phone is slow; initials are what people type into search boxes).

use pinyin::ToPinyin;

/// The full pinyin ("litiancun") and the initials ("ltc") of a name; characters without
/// pinyin (digits, letters) are kept, lower-cased, in both.
pub fn keys(name: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    for (c, p) in name.chars().zip(name.to_pinyin()) {
        match p {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_alphanumeric() => {
                let lower: String = c.to_lowercase().collect();
                full.push_str(&lower);
                initials.push_str(&lower);
            }
            None => {}
        }
    }
    (full, initials)
}

/// Whether `typed` (letters, any case, spaces ignored) names `keys`: a prefix of the
/// initials or a part of the full pinyin. At least two letters, so one letter is not
/// every village.
pub fn matches(keys: &(String, String), typed: &str) -> bool {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    if typed.chars().count() < 2 || !typed.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    keys.1.starts_with(&typed) || keys.0.contains(&typed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_full_pinyin_and_initials() {
        assert_eq!(keys("李田村"), ("litiancun".to_owned(), "ltc".to_owned()));
        assert_eq!(keys("前山村"), ("qianshancun".to_owned(), "qsc".to_owned()));
        assert_eq!(keys("青山社区"), ("qingshanshequ".to_owned(), "qssq".to_owned()));
        assert_eq!(keys("第2村"), ("di2cun".to_owned(), "d2c".to_owned()));
    }

    #[test]
    fn initials_and_pinyin_find_a_name_and_nothing_else_does() {
        let k = keys("李田村");
        for typed in ["ltc", "LTC", "lt", "litian", "litiancun", "Li Tian", "tiancun"] {
            assert!(matches(&k, typed), "{typed}");
        }
        for typed in ["l", "qsc", "tc", "李田", "lit*", "", "litianxiang"] {
            assert!(!matches(&k, typed), "{typed}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_name_and_any_typing_are_safe(name in "\\PC{0,12}", typed in "\\PC{0,20}") {
            let k = keys(&name);
            let _ = matches(&k, &typed);
        }
    }
}
