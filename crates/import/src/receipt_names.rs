//! Which voucher a photographed or scanned receipt belongs to, guessed from its file name —
//! the names clerks and scanners actually give them: `记-002_1.jpg`, `2026-11-记002.jpg`,
//! `0002-2.png`, `202603_记001.jpg`, `2026-03 记-001-2.png`. A guess is only a suggestion: the
//! clerk confirms it with one tap. Camera names (`IMG_20261103_101500.jpg`, `mmexport….jpg`)
//! suggest nothing.

use yangguang_core::ledger::normalize_voucher_no;

/// What a file name says about its voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameHint {
    /// The month, when the name carries one: (year, month).
    pub month: Option<(i32, u32)>,
    /// The voucher's word (`记`, `收`, `付`…), when the name carries one.
    pub word: Option<String>,
    /// The voucher's number, without leading zeros.
    pub number: u32,
    /// The page of a voucher with several receipts (`_1`, `-2`).
    pub page: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Digits(String),
    Word(String),
    Sep,
}

/// Splits a stem into runs of ASCII digits, runs of non-ASCII letters (the voucher word) and
/// separators; anything else (Latin letters, brackets…) means the name is not one of ours.
fn tokens(stem: &str) -> Option<Vec<Token>> {
    let mut out: Vec<Token> = vec![];
    for c in stem.chars() {
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32)?,
            '－' | '—' | '＿' | '　' => '-',
            c => c,
        };
        match (c, out.last_mut()) {
            ('0'..='9', Some(Token::Digits(d))) => d.push(c),
            ('0'..='9', _) => out.push(Token::Digits(c.to_string())),
            ('-' | '_' | ' ' | '.', Some(Token::Sep)) => {}
            ('-' | '_' | ' ' | '.', _) => out.push(Token::Sep),
            // `记字第2号`: the filler characters of a written voucher number.
            ('字' | '第' | '号', _) => {}
            (c, Some(Token::Word(w))) if !c.is_ascii() && c.is_alphabetic() => w.push(c),
            (c, _) if !c.is_ascii() && c.is_alphabetic() => out.push(Token::Word(c.to_string())),
            _ => return None,
        }
    }
    Some(out)
}

fn month_of(year: &str, month: &str) -> Option<(i32, u32)> {
    let (y, m) = (year.parse::<i32>().ok()?, month.parse::<u32>().ok()?);
    ((2000..=2099).contains(&y) && (1..=12).contains(&m) && !month.is_empty() && month.len() <= 2).then_some((y, m))
}

/// Reads a receipt's file name; `None` when it names no voucher.
pub fn hint_from_name(name: &str) -> Option<NameHint> {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if !ext.is_empty() && ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            stem
        }
        _ => name,
    };
    let mut t = tokens(stem.trim())?;
    if t.first() == Some(&Token::Sep) {
        t.remove(0);
    }
    if t.last() == Some(&Token::Sep) {
        t.pop();
    }
    let mut i = 0;
    // A month first, when something follows it: `2026-11-…`, `202611_…`, `2026-11记…`.
    let mut month = None;
    match t.as_slice() {
        [Token::Digits(y), Token::Sep, Token::Digits(m), rest @ ..]
            if !rest.is_empty() && !matches!(rest, [Token::Sep]) && month_of(y, m).is_some() =>
        {
            month = month_of(y, m);
            i = 3;
        }
        [Token::Digits(ym), rest @ ..]
            if ym.len() == 6 && !rest.is_empty() && month_of(&ym[..4], &ym[4..]).is_some() =>
        {
            month = month_of(&ym[..4], &ym[4..]);
            i = 1;
        }
        _ => {}
    }
    if month.is_some() && t.get(i) == Some(&Token::Sep) {
        i += 1;
    }
    let mut word = None;
    if let Some(Token::Word(w)) = t.get(i) {
        if w.chars().count() > 4 {
            return None;
        }
        word = Some(w.clone());
        i += 1;
        if t.get(i) == Some(&Token::Sep) {
            i += 1;
        }
    }
    let Some(Token::Digits(n)) = t.get(i) else { return None };
    if n.len() > 5 {
        return None;
    }
    let number: u32 = n.parse().ok().filter(|n| *n > 0)?;
    i += 1;
    let page = match &t[i..] {
        [] => None,
        [Token::Sep, Token::Digits(p)] if p.len() <= 3 => Some(p.parse().ok()?),
        _ => return None,
    };
    Some(NameHint { month, word, number, page })
}

impl NameHint {
    /// The voucher of `month` among `vouchers` (normalised numbers, `记-2`) this name points
    /// to: the same word and number, or — when the name has no word — the one voucher of that
    /// number. `None` when the name names another month, or nothing fits, or several do.
    pub fn voucher_in<'a>(&self, month: (i32, u32), vouchers: &'a [String]) -> Option<&'a String> {
        if self.month.is_some_and(|m| m != month) {
            return None;
        }
        if let Some(word) = &self.word {
            let wanted = normalize_voucher_no(&format!("{word}-{}", self.number));
            return vouchers.iter().find(|v| **v == wanted);
        }
        let number = self.number.to_string();
        let mut fits = vouchers.iter().filter(|v| v.rsplit('-').next() == Some(number.as_str()));
        let first = fits.next()?;
        fits.next().is_none().then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hint(month: Option<(i32, u32)>, word: Option<&str>, number: u32, page: Option<u32>) -> Option<NameHint> {
        Some(NameHint { month, word: word.map(str::to_owned), number, page })
    }

    #[test]
    fn the_names_clerks_give_receipts_are_read() {
        assert_eq!(hint_from_name("记-002_1.jpg"), hint(None, Some("记"), 2, Some(1)));
        assert_eq!(hint_from_name("2026-11-记002.jpg"), hint(Some((2026, 11)), Some("记"), 2, None));
        assert_eq!(hint_from_name("0002-2.png"), hint(None, None, 2, Some(2)));
        assert_eq!(hint_from_name("202603_记001.jpg"), hint(Some((2026, 3)), Some("记"), 1, None));
        assert_eq!(hint_from_name("2026-03 记-001-2.png"), hint(Some((2026, 3)), Some("记"), 1, Some(2)));
        assert_eq!(hint_from_name("付字第12号.jpeg"), hint(None, Some("付"), 12, None));
        assert_eq!(hint_from_name("７.JPG"), hint(None, None, 7, None));
        assert_eq!(hint_from_name("2026-11"), hint(None, None, 2026, Some(11)), "a month alone names no month");
    }

    #[test]
    fn camera_and_chat_names_suggest_nothing() {
        for name in [
            "IMG_20261103_101500.jpg",
            "IMG_0001.jpg",
            "mmexport1700000000000.jpg",
            "20261103_101500.jpg",
            "收据.jpg",
            "",
            ".jpg",
            "记-0.jpg",
            "2026-13-记1.jpg",
            "记-1_2_3.jpg",
        ] {
            assert_eq!(hint_from_name(name), None, "{name}");
        }
    }

    #[test]
    fn a_hint_finds_its_voucher_of_the_month() {
        let vouchers: Vec<String> = ["记-1", "记-2", "收-2", "付-3"].map(String::from).to_vec();
        let find = |name: &str| hint_from_name(name).and_then(|h| h.voucher_in((2026, 11), &vouchers).cloned());
        assert_eq!(find("记-002_1.jpg").as_deref(), Some("记-2"));
        assert_eq!(find("2026-11-记002.jpg").as_deref(), Some("记-2"));
        assert_eq!(find("2026-10-记002.jpg"), None, "another month's voucher");
        assert_eq!(find("0002-2.png"), None, "two vouchers numbered 2");
        assert_eq!(find("0003-1.png").as_deref(), Some("付-3"));
        assert_eq!(find("转-1.jpg"), None);
    }

    fn word() -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop::sample::select(vec!["记", "收", "付", "转", "现收", "银付"]).prop_map(String::from))
    }

    proptest! {
        #[test]
        fn never_panics(name in ".{0,40}") {
            let _ = hint_from_name(&name);
        }

        #[test]
        fn never_panics_on_near_misses(name in "[0-9记付_\\- .字第号a]{0,24}") {
            if let Some(h) = hint_from_name(&name) {
                prop_assert!(h.number > 0);
            }
        }

        /// Every form it accepts, written out, reads back as written.
        #[test]
        fn accepted_forms_round_trip(
            month in prop::option::of((2000i32..=2099, 1u32..=12)),
            compact_month in any::<bool>(),
            word in word(),
            number in 1u32..=99_999,
            width in 1usize..=5,
            page in prop::option::of(1u32..=999),
            seps in (0usize..3, 0usize..3, 0usize..3),
            ext in prop::sample::select(vec!["jpg", "PNG", "jpeg", "webp", ""]),
        ) {
            let sep = |i: usize| ["-", "_", " "][i];
            let mut name = String::new();
            if let Some((y, m)) = month {
                if compact_month { name += &format!("{y}{m:02}") } else { name += &format!("{y}-{m:02}") }
                name += sep(seps.0);
            }
            if let Some(w) = &word {
                name += w;
                name += ["", "-", "_"][seps.1];
            }
            name += &format!("{number:0width$}");
            if let Some(p) = page {
                name += sep(seps.2);
                name += &p.to_string();
            }
            if !ext.is_empty() {
                name += ".";
                name += ext;
            }
            prop_assert_eq!(hint_from_name(&name), Some(NameHint { month, word, number, page }), "{}", name);
        }
    }
}
