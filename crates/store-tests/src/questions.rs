//! Questions and satisfaction votes: guarded state changes, escalation claimed once, public
//! counts, one vote per voter and item.

use super::*;
use yangguang_store::{NewQuestion, QuestionReply, QuestionState, Satisfaction};

fn asked(village: &str, target: &str, receipt: &str, state: QuestionState, day: u32) -> NewQuestion {
    NewQuestion {
        village: code(village),
        target_kind: "disclosure".into(),
        target_ref: target.into(),
        target_title: "三月收支".into(),
        body: "<script>alert(1)</script> 这笔钱为什么这么多？".into(),
        household: None,
        public_ok: true,
        receipt_hash: receipt.into(),
        state,
        asked_at: time(day),
        deadline_at: time(day + 10),
        notify_phone: None,
    }
}

pub async fn questions_move_through_their_states_once_and_escalate_once(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let held = store.insert_question(&asked("339921100201", "7", "h1", QuestionState::Held, 1)).await.unwrap();
    let open = store
        .insert_question(&NewQuestion {
            household: Some("339921100201/0007".into()),
            notify_phone: Some("13800000001".into()),
            ..asked("339921100201", "7", "h2", QuestionState::Open, 2)
        })
        .await
        .unwrap();
    assert!(matches!(
        store.insert_question(&asked("339921100201", "8", "h1", QuestionState::Held, 1)).await,
        Err(StoreError::Conflict(_))
    ));
    let q = store.question_by_receipt("h1").await.unwrap().unwrap();
    assert_eq!(
        (q.id, q.new.state, q.new.body.as_str()),
        (held, QuestionState::Held, "<script>alert(1)</script> 这笔钱为什么这么多？")
    );
    assert_eq!(q.new.deadline_at, time(11));
    assert!(store.question_by_receipt("nope").await.unwrap().is_none());
    assert_eq!(store.item_questions(village, "disclosure", "7").await.unwrap().len(), 2);
    assert!(store.item_questions(village, "lease", "7").await.unwrap().is_empty());
    let waiting = store.village_questions(village, &[QuestionState::Held]).await.unwrap();
    assert_eq!(waiting.iter().map(|q| q.id).collect::<Vec<_>>(), [held]);
    assert_eq!(store.village_questions(village, &[]).await.unwrap().len(), 2);
    assert_eq!(store.household_questions("339921100201/0007").await.unwrap().len(), 1);

    // A held question cannot be answered before it is approved; a hidden one keeps its text.
    let reply =
        QuestionReply {
            reply: "已核实，已更正".into(), correction: Some(42), by: "李会计".into(), at: time(4)
        };
    assert!(matches!(store.answer_question(held, &reply).await, Err(StoreError::Conflict(_))));
    store.moderate_question(held, QuestionState::Hidden, Some("abuse"), "李会计", time(3)).await.unwrap();
    assert!(matches!(
        store.moderate_question(held, QuestionState::Open, None, "李会计", time(3)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.moderate_question(9999, QuestionState::Open, None, "李会计", time(3)).await,
        Err(StoreError::NotFound)
    ));
    let hidden = store.get_question(held).await.unwrap();
    assert_eq!(hidden.new.state, QuestionState::Hidden);
    assert_eq!((hidden.hidden_reason.as_deref(), hidden.moderated_by.as_deref()), (Some("abuse"), Some("李会计")));
    assert!(hidden.new.body.contains("这笔钱"), "hiding never loses the text");

    // Escalation: due only past the deadline, claimed once.
    assert!(store.questions_due(time(11)).await.unwrap().is_empty(), "the open one is due on day 12");
    let due = store.questions_due(time(12)).await.unwrap();
    assert_eq!(due.iter().map(|q| q.id).collect::<Vec<_>>(), [open]);
    let counts = store.question_counts(village, time(12)).await.unwrap();
    assert_eq!((counts.answered, counts.overdue, counts.waiting), (0, 1, 0));
    assert_eq!(store.question_counts(village, time(5)).await.unwrap().waiting, 1);
    assert!(store.mark_escalated(open, time(12)).await.unwrap());
    assert!(!store.mark_escalated(open, time(13)).await.unwrap());
    assert!(store.questions_due(time(20)).await.unwrap().is_empty());

    store.answer_question(open, &reply).await.unwrap();
    assert!(matches!(store.answer_question(open, &reply).await, Err(StoreError::Conflict(_))));
    let answered = store.get_question(open).await.unwrap();
    assert_eq!((answered.reply.as_deref(), answered.correction), (Some("已核实，已更正"), Some(42)));
    assert_eq!(answered.escalated_at, Some(time(12)));
    let counts = store.question_counts(village, time(30)).await.unwrap();
    assert_eq!((counts.answered, counts.overdue, counts.waiting), (1, 0, 0));
    assert_eq!(store.take_notify_phone(open).await.unwrap().as_deref(), Some("13800000001"));
    assert_eq!(store.take_notify_phone(open).await.unwrap(), None, "a number is used once, then erased");
    assert_eq!(store.get_question(open).await.unwrap().new.notify_phone, None);
}

pub async fn satisfaction_is_one_changeable_vote_per_voter_and_item(store: &dyn Store) {
    seeded(store).await;
    let village = code("339921100201");
    let other = code("339921100001");
    store.vote(village, "7", "h:339921100201/0001", "satisfied", time(1)).await.unwrap();
    store.vote(village, "7", "d:abc", "unsatisfied", time(1)).await.unwrap();
    store.vote(village, "7", "d:abc", "fair", time(2)).await.unwrap();
    store.vote(village, "8", "d:abc", "unsatisfied", time(2)).await.unwrap();
    store.vote(other, "9", "d:abc", "satisfied", time(2)).await.unwrap();
    assert!(matches!(store.vote(village, "7", "d:x", "great", time(2)).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.item_satisfaction("7").await.unwrap(), Satisfaction { satisfied: 1, fair: 1, unsatisfied: 0 });
    assert_eq!(store.vote_of("7", "d:abc").await.unwrap().as_deref(), Some("fair"));
    assert_eq!(store.vote_of("7", "d:zzz").await.unwrap(), None);
    let v = store.village_satisfaction(village).await.unwrap();
    assert_eq!((v.satisfied, v.fair, v.unsatisfied, v.total()), (1, 1, 1, 3));
    assert_eq!(store.village_satisfaction(other).await.unwrap().total(), 1);
}
