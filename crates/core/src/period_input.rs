//! Periods as people type them: "2026年11月", "2026-11", "2026年第四季度", "2026年上半年",
//! "2026年度", "2026年11月5日", with full-width digits and stray spaces — read into a
//! [`Period`] without guessing: anything else is refused whole, never cut short.

use chrono::NaiveDate;

use crate::period::{Period, PeriodError};

/// Full-width digits, letters and separators (a Chinese input method's) as ASCII; spaces gone.
fn normalised(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '－' | '—' | '–' => '-',
            '／' => '/',
            '．' | '。' => '.',
            c => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A number written in digits (1–2 of them) or as one Chinese numeral up to 十二.
fn small_number(s: &str) -> Option<u32> {
    if !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    const NUMERALS: [&str; 12] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
    NUMERALS.iter().position(|n| *n == s).map(|i| i as u32 + 1)
}

impl Period {
    /// Reads a period as a clerk may type it. Accepts the stored forms (`2026-11`, `2026-Q4`,
    /// `2026-H2`, `2026`, `2026-11-05`) and the usual Chinese ones: `2026年11月`, `2026年11`,
    /// `2026.11`, `2026/11`, `2026年第四季度`, `2026年4季度`, `2026Q4`, `2026年上半年`,
    /// `2026年下半年`, `2026年度`, `2026年`, `2026年11月5日`, `2026/11/5`.
    pub fn parse_human(input: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError(input.trim().to_owned());
        let s = normalised(input);
        if let Ok(p) = s.parse::<Period>() {
            return Ok(p);
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits != 4 {
            return Err(err());
        }
        let year: i32 = s[..4].parse().map_err(|_| err())?;
        if !(1949..=9999).contains(&year) {
            return Err(err());
        }
        let rest = &s[4..];
        let rest = rest.strip_prefix('年').or_else(|| rest.strip_prefix(['-', '/', '.'])).unwrap_or(rest);
        let rest = rest.strip_prefix("第").unwrap_or(rest);
        match rest {
            "" | "度" | "全年" => return Ok(Period::Year { year }),
            "上半年" | "H1" | "1H" => return Ok(Period::HalfYear { year, half: 1 }),
            "下半年" | "H2" | "2H" => return Ok(Period::HalfYear { year, half: 2 }),
            _ => {}
        }
        let quarter = rest
            .strip_suffix("季度")
            .or_else(|| rest.strip_suffix('季'))
            .or_else(|| rest.strip_prefix('Q'))
            .and_then(small_number);
        if let Some(quarter) = quarter {
            return if (1..=4).contains(&quarter) { Ok(Period::Quarter { year, quarter }) } else { Err(err()) };
        }
        // A month, perhaps followed by a day: 11, 11月, 11月5日, 11-5, 11/05.
        let (month_text, day_text) = match rest.find(['月', '-', '/', '.']) {
            Some(at) => {
                let sep = rest[at..].chars().next().map_or(1, char::len_utf8);
                (&rest[..at], Some(&rest[at + sep..]))
            }
            None => (rest, None),
        };
        let month = small_number(month_text).filter(|m| (1..=12).contains(m)).ok_or_else(err)?;
        let day_text = day_text.map(|d| d.strip_suffix('日').or_else(|| d.strip_suffix('号')).unwrap_or(d));
        match day_text {
            None | Some("") if !rest.ends_with(['-', '/', '.']) => Ok(Period::Month { year, month }),
            Some(d) if !d.is_empty() && d.len() <= 2 && d.bytes().all(|b| b.is_ascii_digit()) => {
                let day: u32 = d.parse().map_err(|_| err())?;
                NaiveDate::from_ymd_opt(year, month, day).map(Period::of_day).ok_or_else(err)
            }
            _ => Err(err()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Period {
        Period::parse_human(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn what_clerks_type_is_understood() {
        let nov = Period::Month { year: 2026, month: 11 };
        for s in [
            "2026年11月",
            "2026-11",
            "2026年11",
            "2026.11",
            "2026/11",
            " 2026 年 11 月 ",
            "２０２６年１１月",
            "2026年十一月",
        ] {
            assert_eq!(p(s), nov, "{s}");
        }
        assert_eq!(p("2026-3"), Period::Month { year: 2026, month: 3 });
        let q4 = Period::Quarter { year: 2026, quarter: 4 };
        for s in
            ["2026年第四季度", "2026年4季度", "2026年第4季度", "2026Q4", "2026-Q4", "2026年Q4", "2026q4", "2026年四季"]
        {
            assert_eq!(p(s), q4, "{s}");
        }
        assert_eq!(p("2026年上半年"), Period::HalfYear { year: 2026, half: 1 });
        assert_eq!(p("2026年下半年"), Period::HalfYear { year: 2026, half: 2 });
        assert_eq!(p("2026-H2"), Period::HalfYear { year: 2026, half: 2 });
        for s in ["2026年度", "2026年", "2026", "2026全年"] {
            assert_eq!(p(s), Period::Year { year: 2026 }, "{s}");
        }
        let day = Period::Day { year: 2026, month: 11, day: 5 };
        for s in ["2026年11月5日", "2026-11-05", "2026/11/5", "2026.11.05", "2026年11月5号"] {
            assert_eq!(p(s), day, "{s}");
        }
    }

    #[test]
    fn nonsense_is_refused_and_named_whole() {
        for bad in [
            "",
            "2026年13月",
            "2026年第五季度",
            "2026-Q0",
            "26年11月",
            "2026年11月32日",
            "2026-02-30",
            "十一月",
            "2026年中",
            "2026-11-",
            "20261",
            "2026年11月份x",
        ] {
            let got = Period::parse_human(bad);
            assert!(got.is_err(), "{bad} gave {got:?}");
        }
        // The message names exactly what was typed, never a shortened form.
        let e = Period::parse_human("2026年13月").unwrap_err();
        assert_eq!(e.0, "2026年13月");
    }

    proptest! {
        /// Every period's Chinese label and stored form read back as that period.
        #[test]
        fn labels_and_text_read_back(year in 1949i32..9999, n in 1u32..=12, day in 1u32..=28, kind in 0u8..5) {
            let period = match kind {
                0 => Period::Month { year, month: n },
                1 => Period::Quarter { year, quarter: (n - 1) / 3 + 1 },
                2 => Period::HalfYear { year, half: (n - 1) / 6 + 1 },
                3 => Period::Year { year },
                _ => Period::Day { year, month: n, day },
            };
            prop_assert_eq!(Period::parse_human(&period.label_zh()).unwrap(), period);
            prop_assert_eq!(Period::parse_human(&period.to_string()).unwrap(), period);
        }

        #[test]
        fn parse_human_never_panics(s in "\\PC{0,16}") {
            let _ = Period::parse_human(&s);
        }

        /// Whatever is accepted has a valid stored form that reads back the same.
        #[test]
        fn accepted_input_is_a_valid_period(s in "[0-9年月日第季度上下半QH\\-/. 一二三四十]{0,12}") {
            if let Ok(period) = Period::parse_human(&s) {
                prop_assert_eq!(period.to_string().parse::<Period>().unwrap(), period);
                prop_assert!(period.start() <= period.end());
            }
        }
    }
}
