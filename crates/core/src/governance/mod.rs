//! Governance records a village keeps and publishes (issue 14, part 2): the party branch and
//! its organisational life and dues ([`party`]), the micro-power list and the seal and
//! certificate log ([`powers`]), and the charter and village rules with their versions
//! ([`rules`]). Each record is checked here; a record that breaks a rule is refused field by
//! field, so a form can show every problem next to the field that has it.

pub mod party;
pub mod powers;
pub mod rules;

/// One field of a record that breaks a rule. Messages are bilingual like the rest of the
/// core's errors ("中文 / English"); the app picks the reader's half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The form field's name.
    pub field: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}

/// Longest text kept in a one-line field (names, posts, topics).
pub const MAX_LINE: usize = 100;
/// Longest text kept in a paragraph field (duties, legal basis, a purpose).
pub const MAX_PARAGRAPH: usize = 1_000;

/// Checks a required one-line text: present and not too long.
pub(crate) fn required(problems: &mut Vec<Problem>, field: &'static str, label: &str, value: &str, max: usize) {
    let value = value.trim();
    if value.is_empty() {
        problems.push(Problem::new(field, format!("请填写{label} / {field} is required")));
    } else if value.chars().count() > max {
        problems.push(Problem::new(
            field,
            format!(
                "{label}不能超过 {max} 个字（现有 {} 个）/ {field} is longer than {max} characters",
                value.chars().count()
            ),
        ));
    }
}

/// Checks an optional text's length.
pub(crate) fn at_most(problems: &mut Vec<Problem>, field: &'static str, label: &str, value: &str, max: usize) {
    let n = value.trim().chars().count();
    if n > max {
        problems.push(Problem::new(
            field,
            format!("{label}不能超过 {max} 个字（现有 {n} 个）/ {field} is longer than {max} characters"),
        ));
    }
}

/// A date a record says something happened on: not after `today`.
pub(crate) fn not_future(
    problems: &mut Vec<Problem>,
    field: &'static str,
    label: &str,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) {
    if date > today {
        problems.push(Problem::new(field, format!("{label}（{date}）晚于今天，请核对 / {field} is in the future")));
    }
}
