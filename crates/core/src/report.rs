//! 随手拍 (problem reports): a villager reports a problem in the village — a broken road, a dead
//! street lamp, rubbish — with photos and an optional place, and the village's grid worker
//! follows it through received → assigned → in progress → resolved, or closes it with a
//! reason. The categories are a fixed list of stable codes (their names are in `app::i18n`);
//! the status rules and the input limits live here so every caller enforces the same ones.

use serde::{Deserialize, Serialize};

/// What a report is about: Open311's `service_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    Road,
    Sanitation,
    Water,
    StreetLight,
    Safety,
    Other,
}

/// The categories in the order forms and Open311's service list show them.
pub const CATEGORIES: [Category; 6] =
    [Category::Road, Category::Sanitation, Category::Water, Category::StreetLight, Category::Safety, Category::Other];

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Road => "road",
            Self::Sanitation => "sanitation",
            Self::Water => "water",
            Self::StreetLight => "street-light",
            Self::Safety => "safety",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        CATEGORIES.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a report is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Received,
    Assigned,
    InProgress,
    Resolved,
    Closed,
}

pub const STATUSES: [Status; 5] =
    [Status::Received, Status::Assigned, Status::InProgress, Status::Resolved, Status::Closed];

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Assigned => "assigned",
            Self::InProgress => "in-progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        STATUSES.into_iter().find(|c| c.as_str() == s)
    }

    /// Resolved and closed reports are done: nothing moves them again.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Resolved | Self::Closed)
    }

    /// Open311's two states.
    pub fn open311(self) -> &'static str {
        if self.is_final() { "closed" } else { "open" }
    }

    /// The one next step of the normal flow, if any (what the console offers first).
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Received => Some(Self::Assigned),
            Self::Assigned => Some(Self::InProgress),
            Self::InProgress => Some(Self::Resolved),
            Self::Resolved | Self::Closed => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("此问题已{0}，不能再改变状态 / the report is finished")]
    Finished(&'static str),
    #[error("状态只能按 已受理 → 已派单 → 处理中 → 已解决 的顺序推进 / statuses move one step at a time")]
    OutOfOrder,
    #[error("关闭问题必须写明原因 / closing needs a reason")]
    ReasonRequired,
    #[error("派单必须指定网格员 / assigning needs a grid worker")]
    AssigneeRequired,
}

/// Whether a report may move from `from` to `to`: one step forward along the flow, or closed
/// (with a reason) from any unfinished status. Assigning needs someone to assign to.
pub fn check_transition(from: Status, to: Status, has_reason: bool, has_assignee: bool) -> Result<(), TransitionError> {
    if from.is_final() {
        return Err(TransitionError::Finished(if from == Status::Resolved { "解决" } else { "关闭" }));
    }
    match to {
        Status::Closed if !has_reason => Err(TransitionError::ReasonRequired),
        Status::Closed => Ok(()),
        Status::Assigned if from == Status::Received && !has_assignee => Err(TransitionError::AssigneeRequired),
        to if from.next() == Some(to) => Ok(()),
        _ => Err(TransitionError::OutOfOrder),
    }
}

/// Limits on what a villager types and sends.
pub const DESCRIPTION_MIN_CHARS: usize = 5;
pub const DESCRIPTION_MAX_CHARS: usize = 500;
pub const ADDRESS_MAX_CHARS: usize = 100;
pub const NOTE_MAX_CHARS: usize = 500;
pub const MAX_PHOTOS: usize = 3;

/// A problem with what was typed, naming the form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub field: &'static str,
    pub message: String,
}

fn input_error(field: &'static str, message: String) -> InputError {
    InputError { field, message }
}

/// Plain text as stored: trimmed, control characters (but line breaks) and bidirectional
/// overrides dropped, line breaks normalised. It is shown escaped, never as Markdown or HTML.
pub fn plain_text(typed: &str) -> String {
    let text: String = typed
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !(c.is_control() || crate::disclosure::is_bidi_control(*c)))
        .collect();
    text.trim().to_owned()
}

/// Whether text holds something that looks like an HTML tag (`<script`, `</b`, `<!--`):
/// villagers write plain text, so markup is refused rather than silently shown or stripped.
pub fn has_markup(text: &str) -> bool {
    text.as_bytes().windows(2).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

fn no_markup(field: &'static str, text: &str) -> Result<(), InputError> {
    if has_markup(text) {
        return Err(input_error(
            field,
            "只能填写文字，不能包含网页代码（如 <script>）；请删去尖括号里的内容 / plain text only, no HTML".into(),
        ));
    }
    Ok(())
}

/// The description, checked: plain text of 5 to 500 characters, no markup.
pub fn check_description(typed: &str) -> Result<String, InputError> {
    let text = plain_text(typed);
    no_markup("description", &text)?;
    let n = text.chars().count();
    if n < DESCRIPTION_MIN_CHARS {
        return Err(input_error(
            "description",
            format!(
                "请描述问题，至少 {DESCRIPTION_MIN_CHARS} 个字 / describe the problem in at least {DESCRIPTION_MIN_CHARS} characters"
            ),
        ));
    }
    if n > DESCRIPTION_MAX_CHARS {
        return Err(input_error(
            "description",
            format!(
                "问题描述最多 {DESCRIPTION_MAX_CHARS} 个字，现在有 {n} 个 / at most {DESCRIPTION_MAX_CHARS} characters"
            ),
        ));
    }
    Ok(text)
}

/// A staff note or a closing reason: plain text, at most 500 characters (may be empty).
pub fn check_note(field: &'static str, typed: &str) -> Result<String, InputError> {
    let text = plain_text(typed);
    let n = text.chars().count();
    if n > NOTE_MAX_CHARS {
        return Err(input_error(
            field,
            format!("最多 {NOTE_MAX_CHARS} 个字，现在有 {n} 个 / at most {NOTE_MAX_CHARS} characters"),
        ));
    }
    Ok(text)
}

/// Where the problem is: a free-text address and, from the phone, coordinates (WGS 84 degrees).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Place {
    pub address: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
}

/// The place as typed: the address at most 100 characters; latitude and longitude both given
/// (decimal degrees, in range) or both empty.
pub fn check_place(address: &str, lat: &str, long: &str) -> Result<Place, InputError> {
    let address = plain_text(address).replace('\n', " ");
    no_markup("address", &address)?;
    let n = address.chars().count();
    if n > ADDRESS_MAX_CHARS {
        return Err(input_error(
            "address",
            format!("地点最多 {ADDRESS_MAX_CHARS} 个字，现在有 {n} 个 / at most {ADDRESS_MAX_CHARS} characters"),
        ));
    }
    let degrees = |field: &'static str, text: &str, limit: f64| -> Result<Option<f64>, InputError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some((v * 1e6).round() / 1e6)),
            _ => Err(input_error(field, format!("“{text}”不是有效的经纬度 / not a valid coordinate"))),
        }
    };
    let lat_v = degrees("lat", lat, 90.0)?;
    let long_v = degrees("long", long, 180.0)?;
    if lat_v.is_some() != long_v.is_some() {
        return Err(input_error("lat", "纬度和经度要一起填写，或都留空 / give both coordinates or neither".into()));
    }
    Ok(Place { address, lat: lat_v, long: long_v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_move_one_step_at_a_time() {
        use Status::*;
        assert!(check_transition(Received, Assigned, false, true).is_ok());
        assert!(check_transition(Assigned, InProgress, false, false).is_ok());
        assert!(check_transition(InProgress, Resolved, false, false).is_ok());
        assert_eq!(check_transition(Received, Assigned, false, false), Err(TransitionError::AssigneeRequired));
        assert_eq!(check_transition(Received, Resolved, false, true), Err(TransitionError::OutOfOrder));
        assert_eq!(check_transition(Received, InProgress, false, true), Err(TransitionError::OutOfOrder));
        assert_eq!(check_transition(InProgress, Assigned, false, true), Err(TransitionError::OutOfOrder));
        assert_eq!(check_transition(Assigned, Received, false, true), Err(TransitionError::OutOfOrder));
    }

    #[test]
    fn closing_needs_a_reason_and_finished_reports_stay_finished() {
        use Status::*;
        for from in [Received, Assigned, InProgress] {
            assert_eq!(check_transition(from, Closed, false, false), Err(TransitionError::ReasonRequired));
            assert!(check_transition(from, Closed, true, false).is_ok());
        }
        for to in STATUSES {
            assert!(matches!(check_transition(Resolved, to, true, true), Err(TransitionError::Finished(_))));
            assert!(matches!(check_transition(Closed, to, true, true), Err(TransitionError::Finished(_))));
        }
        assert_eq!(Resolved.open311(), "closed");
        assert_eq!(InProgress.open311(), "open");
    }

    #[test]
    fn codes_round_trip() {
        for c in CATEGORIES {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        for s in STATUSES {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Category::parse("Road"), None);
    }

    #[test]
    fn descriptions_are_plain_text_within_limits() {
        assert_eq!(check_description("  路灯坏了\u{202E}三盏\r\n  ").unwrap(), "路灯坏了三盏");
        assert_eq!(check_description("短").unwrap_err().field, "description");
        assert!(check_description(&"坑".repeat(501)).is_err());
        // Markup is refused (and anything shown is escaped anyway); a lone "<" is just a character.
        assert_eq!(check_description("<script>alert(1)</script>").unwrap_err().field, "description");
        assert_eq!(check_description("水位 <1 米，**很浅**").unwrap(), "水位 <1 米，**很浅**");
        assert_eq!(check_place("<img src=x>", "", "").unwrap_err().field, "address");
    }

    #[test]
    fn places_need_both_coordinates_in_range() {
        let p = check_place(" 村口桥头 ", "30.1234567", "120.5").unwrap();
        assert_eq!((p.address.as_str(), p.lat, p.long), ("村口桥头", Some(30.123457), Some(120.5)));
        assert_eq!(check_place("", "", "").unwrap(), Place::default());
        assert_eq!(check_place("", "30", "").unwrap_err().field, "lat");
        assert_eq!(check_place("", "91", "120").unwrap_err().field, "lat");
        assert_eq!(check_place("", "30", "east").unwrap_err().field, "long");
        assert_eq!(check_place("", "NaN", "inf").unwrap_err().field, "lat");
        assert_eq!(check_place(&"路".repeat(101), "", "").unwrap_err().field, "address");
    }
}
