//! Decision records: numbers unique per village, steps replaced by corrections, files kept
//! once, publications named, and links that move between decisions and are removed.

use super::*;
use chrono::NaiveDate;
use yangguang_core::Fen;
use yangguang_core::decision::{Counts, Form, Kind, Procedure, Step, StepRecord};
use yangguang_store::{DecisionFile, DecisionLink, NewDecision, StoredStep};

fn new_decision(village: &str, number: &str) -> NewDecision {
    NewDecision {
        village: code(village),
        number: number.into(),
        subject: "村道硬化工程".into(),
        kind: Kind::Works,
        procedure: Procedure::FourTwo,
        amount: Some(Fen::from_yuan(180_000)),
        created_by: "李会计".into(),
        created_at: time(1),
    }
}

fn step(step: Step, date: &str, counts: Option<Counts>) -> StoredStep {
    StoredStep {
        record: StepRecord {
            step,
            date: date.parse::<NaiveDate>().unwrap(),
            form: (step == Step::Resolution).then_some(Form::Representatives),
            counts,
            content: "会议记录".into(),
        },
        recorded_by: "李会计".into(),
        recorded_at: time(2),
    }
}

fn link(number: &str, kind: &str, target: &str, amount: i64) -> DecisionLink {
    DecisionLink {
        village: code("339921100201"),
        target_kind: kind.into(),
        target_ref: target.into(),
        number: number.into(),
        label: "付工程款".into(),
        amount: Fen(amount),
        outgoing: kind == "voucher",
        source: "console".into(),
        linked_by: "李会计".into(),
        linked_at: time(3),
    }
}

pub async fn decisions_keep_their_steps_files_publications_and_links(store: &dyn Store) {
    seeded(store).await;
    let v = code("339921100201");
    store.insert_decision(&new_decision("339921100201", "2026-001")).await.unwrap();
    store.insert_decision(&new_decision("339921100201", "2026-002")).await.unwrap();
    // The same number in another village is another decision; twice in one is a conflict.
    store.insert_decision(&new_decision("339921100001", "2026-001")).await.unwrap();
    assert!(matches!(
        store.insert_decision(&new_decision("339921100201", "2026-001")).await,
        Err(StoreError::Conflict(_))
    ));
    let listed = store.village_decisions(v).await.unwrap();
    assert_eq!(listed.iter().map(|d| d.new.number.as_str()).collect::<Vec<_>>(), ["2026-002", "2026-001"]);
    assert_eq!(listed[1].new, new_decision("339921100201", "2026-001"));
    assert!(store.get_decision(v, "2099-1").await.unwrap().is_none());

    store.update_decision(v, "2026-001", "村道硬化（一期）", Kind::Works, None).await.unwrap();
    let d = store.get_decision(v, "2026-001").await.unwrap().unwrap();
    assert_eq!((d.new.subject.as_str(), d.new.amount), ("村道硬化（一期）", None));
    assert!(matches!(store.update_decision(v, "nope", "x", Kind::Other, None).await, Err(StoreError::NotFound)));

    // Steps come back in procedure order; recording a step again replaces it.
    let members = Counts { expected: 30, present: 24, votes_for: 22, against: 1, abstain: 1 };
    store.put_step(v, "2026-001", &step(Step::Members, "2026-03-05", Some(members))).await.unwrap();
    store.put_step(v, "2026-001", &step(Step::Proposal, "2026-03-01", None)).await.unwrap();
    store.put_step(v, "2026-002", &step(Step::Proposal, "2026-03-02", None)).await.unwrap();
    let corrected = step(Step::Proposal, "2026-03-02", None);
    store.put_step(v, "2026-001", &corrected).await.unwrap();
    let steps = store.decision_steps(v, "2026-001").await.unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0], corrected);
    assert_eq!(steps[1].record.counts, Some(members));
    let all = store.village_steps(v).await.unwrap();
    assert_eq!(
        all.iter().map(|(n, s)| (n.as_str(), s.record.step)).collect::<Vec<_>>(),
        [("2026-001", Step::Proposal), ("2026-001", Step::Members), ("2026-002", Step::Proposal)]
    );
    // A step of a decision that does not exist is refused.
    assert!(store.put_step(v, "2099-9", &corrected).await.is_err());

    let file = DecisionFile {
        step: Step::Members,
        sha256: "ab".repeat(32),
        file_name: "签到表.jpg".into(),
        media_type: "image/jpeg".into(),
        byte_size: 2048,
        added_by: "李会计".into(),
        added_at: time(4),
    };
    assert!(store.add_decision_file(v, "2026-001", &file).await.unwrap());
    assert!(!store.add_decision_file(v, "2026-001", &file).await.unwrap());
    assert_eq!(store.decision_files(v, "2026-001").await.unwrap(), vec![file]);
    assert!(store.decision_files(v, "2026-002").await.unwrap().is_empty());

    store.set_publication(v, "2026-001", Step::ResolutionPublished, DisclosureId(41)).await.unwrap();
    store.set_publication(v, "2026-001", Step::ResultPublished, DisclosureId(42)).await.unwrap();
    let d = store.get_decision(v, "2026-001").await.unwrap().unwrap();
    assert_eq!((d.resolution_disclosure, d.result_disclosure), (Some(DisclosureId(41)), Some(DisclosureId(42))));
    assert!(store.set_publication(v, "2026-001", Step::Members, DisclosureId(1)).await.is_err());
    assert!(matches!(
        store.set_publication(v, "nope", Step::ResultPublished, DisclosureId(1)).await,
        Err(StoreError::NotFound)
    ));

    // A thing names one decision: linking it again moves it.
    store
        .put_links(&[link("2026-001", "voucher", "2026-03/记-12", 9_000_000), link("2026-001", "lease", "ZL-1", 500)])
        .await
        .unwrap();
    store.put_links(&[link("2026-002", "lease", "ZL-1", 600)]).await.unwrap();
    let one = store.decision_links(v, "2026-001").await.unwrap();
    assert_eq!(one, vec![link("2026-001", "voucher", "2026-03/记-12", 9_000_000)]);
    assert_eq!(store.link_of(v, "lease", "ZL-1").await.unwrap(), Some(link("2026-002", "lease", "ZL-1", 600)));
    assert_eq!(store.village_links(v).await.unwrap().len(), 2);
    // A link to an unknown decision stores nothing, not even the good links beside it.
    assert!(
        store.put_links(&[link("2026-001", "works", "GC-1", 1), link("2099-9", "works", "GC-2", 1)]).await.is_err()
    );
    assert!(store.link_of(v, "works", "GC-1").await.unwrap().is_none());
    assert!(store.remove_link(v, "lease", "ZL-1").await.unwrap());
    assert!(!store.remove_link(v, "lease", "ZL-1").await.unwrap());
    assert!(store.link_of(v, "lease", "ZL-1").await.unwrap().is_none());
}
