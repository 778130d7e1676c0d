use chrono::TimeZone;

use super::*;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
}

fn question(state: QuestionState, asked: DateTime<Utc>, days: i64) -> Question {
    Question {
        id: 1,
        new: NewQuestion {
            village: RegionCode::parse("339921100201").unwrap(),
            target_kind: "disclosure".into(),
            target_ref: "7".into(),
            target_title: "十一月收支".into(),
            body: "为什么".into(),
            household: None,
            public_ok: true,
            receipt_hash: "x".into(),
            state,
            asked_at: asked,
            deadline_at: asked + Duration::days(days),
            notify_phone: None,
        },
        escalated_at: None,
        reply: None,
        replied_at: None,
        replied_by: None,
        correction: None,
        hidden_reason: None,
        moderated_by: None,
        moderated_at: None,
    }
}

#[test]
fn the_deadline_is_the_countys_and_runs_out_on_the_day() {
    let mut settings = QuestionSettings::default();
    let village = RegionCode::parse("339921100201").unwrap();
    assert_eq!(settings.days_for(village), 10);
    settings.county_days.insert("339921000000".into(), 7);
    assert_eq!(settings.days_for(village), 7);
    assert_eq!(settings.days_for(RegionCode::parse("339922100201").unwrap()), 10, "another county keeps 10");

    let q = question(QuestionState::Open, at(1, 9), 10);
    assert_eq!(days_left(&q, at(1, 9)), Some(10));
    assert_eq!(days_left(&q, at(10, 10)), Some(0), "the last day");
    assert!(!overdue(&q, at(11, 8)));
    assert_eq!(days_left(&q, at(11, 9)), None);
    assert!(overdue(&q, at(11, 9)), "due at the same hour ten days on");
    let answered = question(QuestionState::Answered, at(1, 9), 10);
    assert!(!overdue(&answered, at(30, 0)), "an answer stops the clock");
    let hidden = question(QuestionState::Hidden, at(1, 9), 10);
    assert!(!overdue(&hidden, at(30, 0)));
    let mut escalated = question(QuestionState::Held, at(1, 9), 10);
    escalated.escalated_at = Some(at(11, 9));
    assert!(overdue(&escalated, at(2, 0)), "escalated means overdue, whatever the reader's clock");
}

#[test]
fn rate_windows_slide() {
    let hour = Duration::hours(1);
    let mut times = vec![];
    for minute in 0..3 {
        times = guard::slide(times, 3, hour, at(1, 9) + Duration::minutes(minute)).expect("within the limit");
    }
    assert_eq!(guard::slide(times.clone(), 3, hour, at(1, 9) + Duration::minutes(30)), None, "a fourth in the hour");
    let later = guard::slide(times, 3, hour, at(1, 10) + Duration::minutes(1)).expect("the first ones slid out");
    assert_eq!(later.len(), 2, "{later:?}");
}

#[test]
fn shares_are_whole_percent() {
    let s = Satisfaction { satisfied: 2, fair: 1, unsatisfied: 1 };
    assert_eq!(percentages(&s), [50, 25, 25]);
    assert_eq!(percentages(&Satisfaction::default()), [0, 0, 0]);
}

#[test]
fn hide_reasons_have_labels() {
    for r in HIDE_REASONS {
        assert!(!hide_reason_label(r).is_empty());
    }
    assert_eq!(hide_reason_label("abuse"), "辱骂、攻击他人");
}
