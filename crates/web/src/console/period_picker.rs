//! The drafting form's period: selects (year, then month, quarter, half-year or the whole
//! year) and a date for items published per event, which work without JavaScript, and a free
//! text box read by `Period::parse_human` ("2026年11月", "2026年第四季度") with no length
//! limit, so nothing typed is ever cut short. A value that cannot be read is refused with a
//! message, and every field comes back as the clerk left it.

use chrono::Datelike;
use yangguang_core::Period;
use yangguang_core::period::PeriodKind;

/// The period fields of a submitted form, as typed or chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodFields {
    /// `period`: free text, which wins when filled.
    pub text: String,
    /// `period_year` and `period_part` (`M01`…`M12`, `Q1`…`Q4`, `H1`, `H2`, `Y`).
    pub year: String,
    pub part: String,
    /// `period_date`: the event's day (`2026-11-05`).
    pub date: String,
}

impl PeriodFields {
    /// The selects (or the date) showing a stored period.
    pub fn of(period: Option<Period>) -> Self {
        let Some(p) = period else { return Self::default() };
        let year = p.start().year().to_string();
        let part = match p {
            Period::Month { month, .. } => format!("M{month:02}"),
            Period::Quarter { quarter, .. } => format!("Q{quarter}"),
            Period::HalfYear { half, .. } => format!("H{half}"),
            Period::Year { .. } => "Y".into(),
            Period::Day { .. } => return Self { date: p.to_string(), ..Self::default() },
        };
        Self { year, part, ..Self::default() }
    }

    /// The period these fields give, none when all are empty, or what is wrong (in Chinese,
    /// naming what was typed).
    pub fn read(&self) -> Result<Option<Period>, String> {
        let text = self.text.trim();
        if !text.is_empty() {
            return Period::parse_human(text).map(Some).map_err(|_| {
                format!(
                    "公开期 “{text}” 无法识别。可以写成 2026年11月、2026-11、2026年第四季度、2026年上半年、2026年度或 2026年11月5日，也可以清空后用上面的选择框。"
                )
            });
        }
        let date = self.date.trim();
        if !date.is_empty() {
            return Period::parse_human(date)
                .ok()
                .filter(|p| p.kind() == PeriodKind::Day)
                .map(Some)
                .ok_or_else(|| format!("事件日期 “{date}” 无法识别，应为 2026-11-05 这样的日期。"));
        }
        let part = self.part.trim();
        if part.is_empty() {
            return Ok(None);
        }
        let year = self.year.trim();
        let composed = match part {
            "Y" => year.to_owned(),
            p if p.starts_with('M') => format!("{year}-{}", &p[1..]),
            p => format!("{year}-{p}"),
        };
        composed
            .parse::<Period>()
            .map(Some)
            .map_err(|_| format!("公开期的年份 “{year}” 或期间 “{part}” 无效，请重新选择。"))
    }
}

/// One choice of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The months, quarters, half-years or the year: one group of the second select.
pub struct PartGroup {
    /// `month`, `quarter`, `half`, `year`: matched against the catalog item's frequency.
    pub kind: &'static str,
    pub label: &'static str,
    pub choices: Vec<Choice>,
}

/// The period picker as the form shows it.
pub struct PeriodPicker {
    pub fields: PeriodFields,
    pub years: Vec<Choice>,
    pub groups: Vec<PartGroup>,
    /// What the chosen catalog item needs, in words.
    pub hint: String,
}

pub fn kind_name(kind: Option<PeriodKind>) -> &'static str {
    match kind {
        Some(PeriodKind::Month) => "month",
        Some(PeriodKind::Quarter) => "quarter",
        Some(PeriodKind::HalfYear) => "half",
        Some(PeriodKind::Year) => "year",
        Some(PeriodKind::Day) => "day",
        None => "",
    }
}

impl PeriodPicker {
    /// The picker for an item needing periods of `kind` (none: any, or no period), showing `fields`.
    pub fn new(fields: PeriodFields, kind: Option<PeriodKind>, today: chrono::NaiveDate) -> Self {
        let this_year = today.year();
        let chosen_year: i32 = fields.year.trim().parse().unwrap_or(this_year);
        let mut range: Vec<i32> = (this_year - 6..=this_year + 1).collect();
        if !range.contains(&chosen_year) && (1949..=9999).contains(&chosen_year) {
            range.push(chosen_year);
            range.sort_unstable();
        }
        let years = range
            .into_iter()
            .rev()
            .map(|y| Choice { value: y.to_string(), label: format!("{y}年"), selected: y == chosen_year })
            .collect();
        let choice = |value: String, label: String| Choice { selected: fields.part == value, value, label };
        let quarters = ["第一季度", "第二季度", "第三季度", "第四季度"];
        let mut groups = vec![
            PartGroup {
                kind: "month",
                label: "月份",
                choices: (1..=12).map(|m| choice(format!("M{m:02}"), format!("{m}月"))).collect(),
            },
            PartGroup {
                kind: "quarter",
                label: "季度",
                choices: (1..=4).map(|q| choice(format!("Q{q}"), quarters[q - 1].to_owned())).collect(),
            },
            PartGroup {
                kind: "half",
                label: "半年",
                choices: vec![choice("H1".into(), "上半年".into()), choice("H2".into(), "下半年".into())],
            },
            PartGroup { kind: "year", label: "全年", choices: vec![choice("Y".into(), "全年（年度）".into())] },
        ];
        // The item's own kind first: the choice it needs is the nearest.
        let wanted = kind_name(kind);
        groups.sort_by_key(|g| g.kind != wanted);
        let hint = match kind {
            Some(PeriodKind::Month) => "本事项按月公开：请选择年份和月份。",
            Some(PeriodKind::Quarter) => "本事项按季度公开：请选择年份和季度。",
            Some(PeriodKind::HalfYear) => "本事项每半年公开：请选择年份和上半年或下半年。",
            Some(PeriodKind::Year) => "本事项每年公开：请选择年份和“全年”。",
            Some(PeriodKind::Day) => "本事项按事件公开：请填写事件日期（如决议、变更的日期）。",
            None => "按月、季度、半年或年度公开的，请选择年份和期间；随时公开的事项可以不填。",
        }
        .to_owned();
        Self { fields, years, groups, hint }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str, year: &str, part: &str, date: &str) -> PeriodFields {
        PeriodFields { text: text.into(), year: year.into(), part: part.into(), date: date.into() }
    }

    #[test]
    fn selects_text_and_date_each_give_a_period() {
        assert_eq!(fields("", "2026", "M11", "").read(), Ok(Some(Period::Month { year: 2026, month: 11 })));
        assert_eq!(fields("", "2026", "Q4", "").read(), Ok(Some(Period::Quarter { year: 2026, quarter: 4 })));
        assert_eq!(fields("", "2026", "H1", "").read(), Ok(Some(Period::HalfYear { year: 2026, half: 1 })));
        assert_eq!(fields("", "2026", "Y", "").read(), Ok(Some(Period::Year { year: 2026 })));
        assert_eq!(
            fields("", "2026", "", "2026-11-05").read(),
            Ok(Some(Period::Day { year: 2026, month: 11, day: 5 }))
        );
        // Typed text wins over the selects.
        assert_eq!(fields("2026年11月", "2025", "Q1", "").read(), Ok(Some(Period::Month { year: 2026, month: 11 })));
        assert_eq!(fields("", "2026", "", "").read(), Ok(None));
        let bad = fields("2026年13月", "2026", "M01", "").read().unwrap_err();
        assert!(bad.contains("2026年13月"), "{bad}");
        assert!(fields("", "2026", "M13", "").read().is_err());
        assert!(fields("", "2026", "", "明天").read().is_err());
    }

    #[test]
    fn stored_periods_show_in_the_selects_and_read_back() {
        for p in ["2026-11", "2026-Q4", "2026-H2", "2026", "2026-11-05"] {
            let p: Period = p.parse().unwrap();
            assert_eq!(PeriodFields::of(Some(p)).read(), Ok(Some(p)));
        }
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let picker = PeriodPicker::new(PeriodFields::of("2019-Q2".parse().ok()), Some(PeriodKind::Quarter), today);
        assert_eq!(picker.groups[0].kind, "quarter");
        assert!(picker.years.iter().any(|y| y.value == "2019" && y.selected));
        assert!(picker.groups[0].choices.iter().any(|c| c.value == "Q2" && c.selected));
    }
}
