//! What a recompute changes: today's findings of some villages against their stored warnings.

use std::collections::HashMap;

use yangguang_core::warning::Finding;
use yangguang_store::{FindingChanges, StoredWarning, WarningState};

/// New findings are opened; a stored warning found again keeps its state (reviewed and
/// dismissed stay so) and only its figures are updated when they changed, or it is reopened
/// when it had been resolved; a standing warning not found again is resolved. `stored` must
/// hold every stored warning of the villages the findings were computed for.
pub fn diff(stored: &[StoredWarning], findings: Vec<Finding>) -> FindingChanges {
    let mut by_key: HashMap<(yangguang_core::RegionCode, &str, String), &StoredWarning> =
        stored.iter().map(|w| ((w.finding.village, w.finding.rule.code(), w.finding.subject.clone()), w)).collect();
    let mut changes = FindingChanges::default();
    let mut seen = std::collections::HashSet::new();
    for f in findings {
        let key = (f.village, f.rule.code(), f.subject.clone());
        if !seen.insert(key.clone()) {
            continue; // A rule reporting one subject twice: the first counts.
        }
        match by_key.remove(&key) {
            None => changes.open.push(f),
            Some(w) if w.state == WarningState::Resolved => changes.reopen.push((w.id, f)),
            Some(w) if w.finding != f => changes.update.push((w.id, f)),
            Some(_) => {}
        }
    }
    changes.resolve = by_key.into_values().filter(|w| w.state != WarningState::Resolved).map(|w| w.id).collect();
    changes.resolve.sort_unstable();
    changes
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use yangguang_core::warning::{Rule, Severity};

    use super::*;

    fn finding(subject: &str, message: &str) -> Finding {
        Finding {
            village: "339921100201".parse().unwrap(),
            rule: Rule::CashPayment,
            subject: subject.into(),
            severity: Severity::Yellow,
            message: message.into(),
            evidence: vec![],
        }
    }

    fn stored(id: i64, f: Finding, state: WarningState) -> StoredWarning {
        let at = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        StoredWarning { id, finding: f, state, note: None, state_by: "system".into(), state_at: at, first_seen: at }
    }

    #[test]
    fn findings_open_update_reopen_and_resolve() {
        let before = vec![
            stored(1, finding("a", "1"), WarningState::Reviewed),
            stored(2, finding("b", "1"), WarningState::Open),
            stored(3, finding("c", "1"), WarningState::Resolved),
            stored(4, finding("d", "1"), WarningState::Dismissed),
            stored(5, finding("e", "1"), WarningState::Resolved),
        ];
        let now = vec![finding("a", "2"), finding("c", "1"), finding("d", "1"), finding("f", "1"), finding("f", "9")];
        let c = diff(&before, now);
        assert_eq!(c.open, vec![finding("f", "1")]);
        assert_eq!(c.update, vec![(1, finding("a", "2"))]);
        assert_eq!(c.reopen, vec![(3, finding("c", "1"))]);
        assert_eq!(c.resolve, vec![2]);
        // Nothing changed: nothing to write.
        let same = vec![stored(1, finding("a", "1"), WarningState::Open)];
        assert!(diff(&same, vec![finding("a", "1")]).is_empty());
    }
}
