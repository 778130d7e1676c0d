//! What the governance forms share (党建引领, 小微权力清单, 村规民约): the village the clerk
//! works on, the values a form was sent with (shown again when it is refused, so nothing typed
//! is lost), and each problem shown next to its field.

use std::collections::HashMap;

use axum::http::HeaderMap;
use yangguang_app::AppError;
use yangguang_app::auth::SignedIn;
use yangguang_app::i18n::{Lang, pick};
use yangguang_core::RegionCode;
use yangguang_core::governance::Problem;

use super::clerk_villages;
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;

/// Form values (prefilled or as sent) and problems, by form and field.
#[derive(Default)]
pub struct GovForm {
    values: HashMap<String, String>,
    errors: HashMap<String, Vec<String>>,
    /// Problems not tied to one field (a version waiting for review).
    pub general: Vec<String>,
}

impl GovForm {
    /// The values `form` was sent with.
    pub fn sent(form: &str, fields: &HashMap<String, String>) -> Self {
        let mut f = Self::default();
        for (k, v) in fields {
            f.values.insert(format!("{form}.{k}"), v.clone());
        }
        f
    }

    pub fn set(&mut self, form: &str, field: &str, value: impl Into<String>) {
        self.values.entry(format!("{form}.{field}")).or_insert_with(|| value.into());
    }

    /// A field's value: as sent, or as prefilled, or empty.
    pub fn v(&self, form: &str, field: &str) -> &str {
        self.values.get(&format!("{form}.{field}")).map_or("", String::as_str)
    }

    /// Whether a checkbox was ticked (or prefilled ticked).
    pub fn checked(&self, form: &str, field: &str) -> bool {
        !self.v(form, field).is_empty()
    }

    /// The problems of a field, in the reader's language, joined.
    pub fn e(&self, form: &str, field: &str) -> String {
        self.errors.get(&format!("{form}.{field}")).map(|v| v.join("；")).unwrap_or_default()
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || !self.general.is_empty()
    }

    /// Every problem, for the summary at the top of the page.
    pub fn all(&self) -> Vec<String> {
        let mut all = self.general.clone();
        let mut fields: Vec<_> = self.errors.iter().collect();
        fields.sort();
        all.extend(fields.into_iter().flat_map(|(_, v)| v.iter().cloned()));
        all
    }

    pub fn problems(&mut self, form: &str, problems: &[Problem], lang: Lang) {
        for p in problems {
            self.errors.entry(format!("{form}.{}", p.field)).or_default().push(pick(&p.message, lang).to_owned());
        }
    }

    /// A refusal from a service: a field's problem goes next to it, a conflict on top; any
    /// other error is the caller's to return.
    pub fn refused(&mut self, form: &str, e: AppError, lang: Lang) -> Result<(), WebError> {
        match e {
            AppError::Field { field, message } => self.problems(form, &[Problem::new(field, message)], lang),
            AppError::Conflict(m) => self.general.push(pick(&m, lang).to_owned()),
            other => return Err(other.into()),
        }
        Ok(())
    }
}

/// A field of a sent form, trimmed ("" when absent).
pub fn field<'a>(f: &'a HashMap<String, String>, name: &str) -> &'a str {
    f.get(name).map_or("", |v| v.trim())
}

/// A whole number a clerk typed; a problem when it is not one.
pub fn number(f: &HashMap<String, String>, name: &'static str, label: &str, problems: &mut Vec<Problem>) -> u32 {
    let text = field(f, name);
    match text.parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            problems
                .push(Problem::new(name, format!("{label}应填写整数（现填“{text}”）/ {name} must be a whole number")));
            0
        }
    }
}

/// A date a clerk picked (`2026-03-05`); a problem when it is not one.
pub fn date(
    f: &HashMap<String, String>,
    name: &'static str,
    label: &str,
    problems: &mut Vec<Problem>,
) -> chrono::NaiveDate {
    let text = field(f, name);
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| {
        problems.push(Problem::new(name, format!("请填写{label}（如 2026-03-05）/ {name} must be a date")));
        yangguang_app::today()
    })
}

/// An amount in yuan a clerk typed; a problem when it is not one.
pub fn amount(
    f: &HashMap<String, String>,
    name: &'static str,
    label: &str,
    problems: &mut Vec<Problem>,
) -> yangguang_core::Fen {
    let text = field(f, name);
    if text.is_empty() {
        problems.push(Problem::new(name, format!("请填写{label}，没有请填 0 / {name} is required")));
        return yangguang_core::Fen(0);
    }
    yangguang_core::ledger::parse_amount(text).unwrap_or_else(|_| {
        problems.push(Problem::new(name, format!("{label}“{text}”不是金额 / {name} is not an amount")));
        yangguang_core::Fen(0)
    })
}

/// The village a page or form is about: the one asked for, which must be one the clerk
/// serves, or the clerk's first. Also every village the clerk serves, for the picker.
pub fn village(
    state: &AppState,
    who: &SignedIn,
    asked: Option<&str>,
) -> Result<(RegionCode, Vec<(String, String)>), WebError> {
    let villages = clerk_villages(state, who);
    let Some(first) = villages.first() else {
        return Err(WebError::Forbidden("需要村务工作者角色 / needs the village clerk role".into()));
    };
    let code = asked.filter(|a| !a.is_empty()).unwrap_or(&first.0);
    let parsed = RegionCode::parse(code).map_err(|e| WebError::BadRequest(e.to_string()))?;
    if !villages.iter().any(|(c, _)| c == code) {
        return Err(WebError::Forbidden(format!(
            "需要该村（{code}）的村务工作者角色 / needs the village clerk role for this village"
        )));
    }
    Ok((parsed, villages))
}

pub fn lang(headers: &HeaderMap) -> Lang {
    Prefs::from_headers(headers).lang
}
