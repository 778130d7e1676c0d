use proptest::prelude::*;

use super::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn counted(step: Step, date: &str, form: Option<Form>, c: (u32, u32, u32, u32, u32)) -> StepRecord {
    StepRecord {
        step,
        date: day(date),
        form,
        counts: Some(Counts { expected: c.0, present: c.1, votes_for: c.2, against: c.3, abstain: c.4 }),
        content: "议题".into(),
    }
}

fn plain(step: Step, date: &str) -> StepRecord {
    StepRecord { step, date: day(date), form: None, counts: None, content: "议题".into() }
}

fn clean_steps() -> Vec<StepRecord> {
    vec![
        plain(Step::Proposal, "2026-03-01"),
        plain(Step::Committees, "2026-03-03"),
        counted(Step::Members, "2026-03-05", None, (30, 24, 22, 1, 1)),
        counted(Step::Resolution, "2026-03-08", Some(Form::Representatives), (45, 38, 36, 2, 0)),
    ]
}

#[test]
fn numbers() {
    assert!(valid_number("2026-003"));
    assert!(valid_number("A"));
    assert!(!valid_number(""));
    assert!(!valid_number("2026/003"));
    assert!(!valid_number("决议-1"));
    assert!(!valid_number(&"1".repeat(33)));
    assert_eq!(next_number(2026, ["2026-001", "2026-007", "2025-099", "x"]), "2026-008");
    assert_eq!(next_number(2027, ["2026-001"]), "2027-001");
}

#[test]
fn codes_round_trip() {
    for k in KINDS {
        assert_eq!(Kind::parse(k.as_str()), Some(k));
    }
    for s in STEPS {
        assert_eq!(Step::parse(s.as_str()), Some(s));
    }
    for f in FORMS {
        assert_eq!(Form::parse(f.as_str()), Some(f));
    }
    assert_eq!(Procedure::parse("5-2"), Some(Procedure::FiveTwo));
}

#[test]
fn quorum_rules() {
    // Members and representatives: at least two thirds.
    assert!(Quorum::of(Step::Members, None).met(20, 30));
    assert!(!Quorum::of(Step::Members, None).met(19, 30));
    assert!(Quorum::of(Step::Resolution, Some(Form::Representatives)).met(2, 3));
    // Assembly of adults: more than half; exactly half fails.
    assert!(!Quorum::of(Step::Resolution, Some(Form::AssemblyAdults)).met(50, 100));
    assert!(Quorum::of(Step::Resolution, Some(Form::AssemblyAdults)).met(51, 100));
    // Assembly of households: two thirds.
    assert!(!Quorum::of(Step::Resolution, Some(Form::AssemblyHouseholds)).met(66, 100));
    assert!(Quorum::of(Step::Resolution, Some(Form::AssemblyHouseholds)).met(67, 100));
    assert!(majority(3, 5));
    assert!(!majority(2, 4));
}

#[test]
fn refuses_what_cannot_be_true() {
    let p = Procedure::FourTwo;
    let over = counted(Step::Members, "2026-03-05", None, (30, 31, 31, 0, 0));
    assert_eq!(check_step(p, &over, &[]), Err(StepError::PresentOverExpected { present: 31, expected: 30 }));
    let sums = counted(Step::Members, "2026-03-05", None, (30, 24, 20, 1, 1));
    assert_eq!(
        check_step(p, &sums, &[]),
        Err(StepError::VotesNotPresent { votes_for: 20, against: 1, abstain: 1, present: 24 })
    );
    let early = plain(Step::Committees, "2026-02-27");
    assert_eq!(
        check_step(p, &early, &[(Step::Proposal, day("2026-03-01"))]),
        Err(StepError::BeforePrevious {
            previous: Step::Proposal,
            previous_date: day("2026-03-01"),
            date: day("2026-02-27")
        })
    );
    // The same day as the previous step is fine.
    assert_eq!(check_step(p, &plain(Step::Committees, "2026-03-01"), &[(Step::Proposal, day("2026-03-01"))]), Ok(()));
    // Correcting a step may not move it past the step after it.
    assert!(matches!(
        check_step(p, &plain(Step::Proposal, "2026-03-04"), &[(Step::Committees, day("2026-03-03"))]),
        Err(StepError::AfterNext { next: Step::Committees, .. })
    ));
    // Replacing a step is checked against the others, not against itself.
    assert_eq!(check_step(p, &plain(Step::Proposal, "2026-03-02"), &[(Step::Proposal, day("2026-03-01"))]), Ok(()));
    assert_eq!(check_step(p, &plain(Step::Supervision, "2026-03-02"), &[]), Err(StepError::NotInProcedure));
    assert_eq!(check_step(Procedure::FiveTwo, &plain(Step::Supervision, "2026-03-02"), &[]), Ok(()));
    assert_eq!(check_step(p, &plain(Step::Members, "2026-03-02"), &[]), Err(StepError::CountsMissing));
    let no_form = counted(Step::Resolution, "2026-03-08", None, (45, 38, 36, 2, 0));
    assert_eq!(check_step(p, &no_form, &[]), Err(StepError::FormMissing));
    assert_eq!(check_step(p, &plain(Step::ResolutionPublished, "2026-03-09"), &[]), Err(StepError::Publication));
    let empty = StepRecord { content: "  ".into(), ..plain(Step::Proposal, "2026-03-01") };
    assert_eq!(check_step(p, &empty, &[]), Err(StepError::ContentMissing));
}

#[test]
fn a_clean_decision_has_no_flags() {
    let steps = clean_steps();
    let published = [(Step::ResolutionPublished, day("2026-03-10"))];
    let a = assess(Procedure::FourTwo, Kind::Works, Some(Fen(100)), &steps, &published, Fen(100), day("2026-04-01"));
    assert!(a.clean(), "{:?}", a.flags);
    assert_eq!(a.stage, Stage::Reached(Step::ResolutionPublished));
    assert!(!a.complete());
}

#[test]
fn failed_quorum_and_majority_are_flagged_not_refused() {
    let mut steps = clean_steps();
    steps[2] = counted(Step::Members, "2026-03-05", None, (30, 18, 9, 6, 3));
    let p = Procedure::FourTwo;
    assert_eq!(check_step(p, &steps[2], &[]), Ok(()));
    let a = assess(
        p,
        Kind::Works,
        None,
        &steps,
        &[(Step::ResolutionPublished, day("2026-03-09"))],
        Fen(0),
        day("2026-03-20"),
    );
    assert_eq!(
        a.flags,
        vec![
            Flag::QuorumFailed { step: Step::Members, present: 18, expected: 30 },
            Flag::MajorityFailed { step: Step::Members, votes_for: 9, present: 18 },
        ]
    );
}

#[test]
fn missing_steps_named_and_publication_overdue() {
    let mut steps = clean_steps();
    steps.remove(2);
    let a = assess(Procedure::FiveTwo, Kind::Lease, None, &steps, &[], Fen(0), day("2026-03-20"));
    assert!(a.flags.contains(&Flag::Missing(vec![Step::Supervision, Step::Members])));
    assert!(a.flags.contains(&Flag::ResolutionNotPublished { resolved: day("2026-03-08") }));
    // Within five days nothing is overdue yet.
    let a = assess(Procedure::FourTwo, Kind::Lease, None, &clean_steps(), &[], Fen(0), day("2026-03-13"));
    assert!(a.clean(), "{:?}", a.flags);
    // A decision just proposed is in progress, not incomplete.
    let a = assess(Procedure::FourTwo, Kind::Lease, None, &steps[..1], &[], Fen(0), day("2026-03-20"));
    assert!(a.clean());
}

#[test]
fn overspending_only_for_money_going_out() {
    let steps = clean_steps();
    let pubd = [(Step::ResolutionPublished, day("2026-03-09"))];
    let today = day("2026-04-01");
    let a = assess(Procedure::FourTwo, Kind::Works, Some(Fen(100)), &steps, &pubd, Fen(101), today);
    assert_eq!(a.flags, vec![Flag::OverAmount { resolved: Fen(100), spent: Fen(101) }]);
    let a = assess(Procedure::FourTwo, Kind::Lease, Some(Fen(100)), &steps, &pubd, Fen(101), today);
    assert!(a.clean());
}

#[test]
fn next_step_follows_the_last_recorded() {
    assert_eq!(next_step(Procedure::FourTwo, &[]), Some(Step::Proposal));
    assert_eq!(next_step(Procedure::FourTwo, &[Step::Proposal, Step::Committees]), Some(Step::Members));
    assert_eq!(next_step(Procedure::FiveTwo, &[Step::Proposal, Step::Committees]), Some(Step::Supervision));
    assert_eq!(next_step(Procedure::FourTwo, &[Step::Resolution]), Some(Step::Implementation));
    assert_eq!(next_step(Procedure::FourTwo, &[Step::Implementation]), None);
}

proptest! {
    /// Quorum by integer arithmetic agrees with exact fractions for every count.
    #[test]
    fn quorum_matches_fractions(expected in 1u32..100_000, present_frac in 0.0f64..=1.0) {
        let present = ((f64::from(expected)) * present_frac) as u32;
        let two_thirds = u128::from(present) * 3 >= u128::from(expected) * 2;
        let over_half = u128::from(present) * 2 > u128::from(expected);
        prop_assert_eq!(Quorum::TwoThirds.met(present, expected), two_thirds);
        prop_assert_eq!(Quorum::OverHalf.met(present, expected), over_half);
    }

    /// A step is accepted exactly when its counts are possible: present within expected and
    /// votes adding up to those present.
    #[test]
    fn counts_accepted_iff_consistent(e in 1u32..500, p in 0u32..600, f in 0u32..600, a in 0u32..600, b in 0u32..600) {
        let r = StepRecord {
            step: Step::Members,
            date: day("2026-03-05"),
            form: None,
            counts: Some(Counts { expected: e, present: p, votes_for: f, against: a, abstain: b }),
            content: "x".into(),
        };
        let ok = p <= e && f + a + b == p;
        prop_assert_eq!(check_step(Procedure::FourTwo, &r, &[]).is_ok(), ok);
    }

    /// Steps dated in order are accepted, whatever the gaps; a step dated before its
    /// predecessor never is.
    #[test]
    fn dates_in_order(gaps in proptest::collection::vec(0u64..40, 2..5), back in 1u64..30) {
        let steps = [Step::Proposal, Step::Committees, Step::Members, Step::Resolution];
        let mut date = day("2026-01-01");
        let mut recorded = vec![];
        for (s, g) in steps.iter().zip(&gaps) {
            date = date + chrono::Days::new(*g);
            let r = StepRecord { step: *s, date, form: Some(Form::Representatives), counts: Some(Counts { expected: 3, present: 3, votes_for: 3, against: 0, abstain: 0 }), content: "x".into() };
            prop_assert!(check_step(Procedure::FourTwo, &r, &recorded).is_ok());
            recorded.push((*s, date));
        }
        let (last, last_date) = *recorded.last().unwrap();
        let next = steps.iter().copied().find(|s| *s > last).unwrap_or(Step::Implementation);
        let r = StepRecord { step: next, date: last_date - chrono::Days::new(back), form: Some(Form::Representatives), counts: Some(Counts { expected: 3, present: 3, votes_for: 3, against: 0, abstain: 0 }), content: "x".into() };
        let refused = matches!(check_step(Procedure::FourTwo, &r, &recorded), Err(StepError::BeforePrevious { .. }));
        prop_assert!(refused);
    }
}
