//! Whistle-blowing reports (监督举报) to the discipline commission: the states a report goes
//! through and the limits of what a reporter may send. The report itself is sealed before it
//! is stored (see `app::tips`), so the domain knows only its state.

/// Where a sealed report stands; the reporter sees it with their receipt code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TipStatus {
    /// Received, not yet looked at by the commission.
    New,
    /// Accepted for handling.
    Accepted,
    /// Being looked into.
    Investigating,
    /// Handled; the outcome is in a reply.
    Concluded,
    /// Not taken up (outside the commission's remit, or nothing to act on); the reason in a reply.
    Declined,
}

pub const ALL_TIP_STATUSES: [TipStatus; 5] =
    [TipStatus::New, TipStatus::Accepted, TipStatus::Investigating, TipStatus::Concluded, TipStatus::Declined];

impl TipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Accepted => "accepted",
            Self::Investigating => "investigating",
            Self::Concluded => "concluded",
            Self::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_TIP_STATUSES.into_iter().find(|t| t.as_str() == s)
    }
}

/// The longest report text, in characters.
pub const MAX_TEXT_CHARS: usize = 5000;
/// The longest "about whom / where" line and name, in characters.
pub const MAX_LINE_CHARS: usize = 100;
/// The longest reply, in characters.
pub const MAX_REPLY_CHARS: usize = 3000;
/// Files a report may carry.
pub const MAX_FILES: usize = 3;
/// Bytes of one file a report may carry.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_by_their_codes() {
        for s in ALL_TIP_STATUSES {
            assert_eq!(TipStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(TipStatus::parse("deleted"), None);
    }
}
