//! Governance records: the branch replaced whole, meetings and the seal log by date range,
//! dues per half-year, powers edited and removed only within their village, rule versions
//! numbered per document, and a catalog item's versions found by period.

use super::*;
use chrono::NaiveDate;
use yangguang_core::Fen;
use yangguang_core::governance::party::{Branch, BranchKind, CommitteeMember, Dues, DuesUse, Meeting, MeetingKind};
use yangguang_core::governance::powers::{Power, SealEntry, SealKind};
use yangguang_core::governance::rules::{RuleDoc, RuleVersion};

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

fn branch(total: u32) -> Branch {
    Branch {
        name: "中共前山村支部委员会".into(),
        kind: BranchKind::Branch,
        secretary: "王建国".into(),
        members_total: total,
        members_full: total - 2,
        members_probationary: 2,
        committee: vec![
            CommitteeMember { name: "王建国".into(), post: "书记".into(), duties: "主持全面工作".into() },
            CommitteeMember {
                name: "李秀英".into(), post: "组织委员".into(), duties: "党员发展、组织生活".into()
            },
        ],
    }
}

fn meeting(month: u32, d: u32, topic: &str) -> Meeting {
    Meeting { held_on: day(month, d), kind: MeetingKind::ThemeDay, topic: topic.into(), expected: 38, present: 35 }
}

pub async fn party_records_round_trip_per_village(store: &dyn Store) {
    seeded(store).await;
    let v = code("339921100201");
    let other = code("339921100001");
    assert_eq!(store.party_branch(v).await.unwrap(), None);
    store.save_party_branch(v, &branch(40), time(1)).await.unwrap();
    store.save_party_branch(v, &branch(41), time(2)).await.unwrap();
    assert_eq!(store.party_branch(v).await.unwrap(), Some(branch(41)));
    assert_eq!(store.party_branch(other).await.unwrap(), None);
    // A branch whose counts do not add up never reaches the table, whatever the caller checked.
    let bad = Branch { members_full: 50, ..branch(41) };
    assert!(store.save_party_branch(v, &bad, time(3)).await.is_err());
    assert_eq!(store.party_branch(v).await.unwrap(), Some(branch(41)));

    let march = store.add_party_meeting(v, &meeting(3, 5, "学习两会精神"), time(1)).await.unwrap();
    store.add_party_meeting(v, &meeting(1, 10, "年度组织生活会"), time(1)).await.unwrap();
    store.add_party_meeting(v, &meeting(4, 1, "清明祭英烈"), time(1)).await.unwrap();
    store.add_party_meeting(other, &meeting(2, 1, "别村的会"), time(1)).await.unwrap();
    let q1 = store.party_meetings(v, day(1, 1), day(3, 31)).await.unwrap();
    assert_eq!(q1.iter().map(|m| m.value.topic.as_str()).collect::<Vec<_>>(), ["年度组织生活会", "学习两会精神"]);
    assert_eq!(q1[1].value, meeting(3, 5, "学习两会精神"));
    let over = Meeting { present: 39, ..meeting(3, 6, "超员") };
    assert!(store.add_party_meeting(v, &over, time(1)).await.is_err(), "present above expected is refused");
    assert!(matches!(store.delete_party_meeting(other, march).await, Err(StoreError::NotFound)));
    store.delete_party_meeting(v, march).await.unwrap();
    assert_eq!(store.party_meetings(v, day(1, 1), day(3, 31)).await.unwrap().len(), 1);

    let h1 = Dues {
        half: Period::HalfYear { year: 2025, half: 2 },
        brought_forward: Fen(12_000),
        collected: Fen(456_000),
        used: Fen(300_000),
        carried: Fen(168_000),
        uses: vec![
            DuesUse { purpose: "订阅党报党刊".into(), amount: Fen(120_000) },
            DuesUse { purpose: "慰问困难党员".into(), amount: Fen(180_000) },
        ],
    };
    let h2 = Dues { half: Period::HalfYear { year: 2026, half: 1 }, brought_forward: Fen(168_000), ..h1.clone() };
    let h2 = Dues { carried: Fen(324_000), ..h2 };
    store.save_party_dues(v, &h1, time(1)).await.unwrap();
    store.save_party_dues(v, &h2, time(1)).await.unwrap();
    let changed = Dues { collected: Fen(457_000), carried: Fen(169_000), ..h1.clone() };
    store.save_party_dues(v, &changed, time(2)).await.unwrap();
    assert_eq!(store.party_dues(v).await.unwrap(), vec![h2.clone(), changed]);
    let unbalanced = Dues { carried: Fen(1), ..h2 };
    assert!(store.save_party_dues(v, &unbalanced, time(3)).await.is_err(), "a balance that does not agree");
    assert!(store.party_dues(other).await.unwrap().is_empty());
}

fn power(name: &str) -> Power {
    Power {
        category: "集体资产管理".into(),
        name: name.into(),
        legal_basis: "《村民委员会组织法》第二十四条".into(),
        responsible_post: "村委会主任".into(),
        steps: vec!["提出方案".into(), "两委联席会议商议".into(), "村民代表会议决定".into(), "结果公示".into()],
        disclosure: "结果公示不少于 5 天".into(),
    }
}

pub async fn powers_and_the_seal_log_stay_in_their_village(store: &dyn Store) {
    seeded(store).await;
    let v = code("339921100201");
    let other = code("339921100001");
    let a = store.save_power(v, None, &power("集体资产出租"), time(1)).await.unwrap();
    let b = store.save_power(v, None, &power("工程项目建设"), time(1)).await.unwrap();
    store.save_power(v, Some(a), &power("集体资产出租、发包"), time(2)).await.unwrap();
    assert!(matches!(store.save_power(other, Some(b), &power("别村改"), time(2)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.delete_power(other, b).await, Err(StoreError::NotFound)));
    let list = store.village_powers(v).await.unwrap();
    assert_eq!(
        list.iter().map(|p| (p.id, p.value.name.as_str())).collect::<Vec<_>>(),
        [(a, "集体资产出租、发包"), (b, "工程项目建设")]
    );
    assert_eq!(list[0].value.steps.len(), 4);
    store.delete_power(v, a).await.unwrap();
    assert_eq!(store.village_powers(v).await.unwrap().len(), 1);
    assert!(store.village_powers(other).await.unwrap().is_empty());

    let entry = |d: u32, matter: &str| {
        SealEntry::typed(day(3, d), SealKind::Certificate, matter, "张小明", true, "村委会主任", "子女入学")
    };
    store.add_seal_entry(v, &entry(31, "居住证明"), time(1)).await.unwrap();
    store.add_seal_entry(v, &entry(1, "亲属关系证明"), time(1)).await.unwrap();
    store.add_seal_entry(v, &SealEntry { on: day(4, 1), ..entry(1, "四月") }, time(1)).await.unwrap();
    store.add_seal_entry(other, &entry(2, "别村"), time(1)).await.unwrap();
    let march = store.seal_entries(v, day(3, 1), day(3, 31)).await.unwrap();
    assert_eq!(march.iter().map(|e| e.value.matter.as_str()).collect::<Vec<_>>(), ["亲属关系证明", "居住证明"]);
    assert_eq!(march[0].value.applicant, "张*明");
    assert_eq!(march[0].value, entry(1, "亲属关系证明"));
}

fn version(doc: RuleDoc, text: &str, decision: &str) -> RuleVersion {
    RuleVersion {
        doc,
        title: "前山村村规民约".into(),
        text_md: text.into(),
        adopted_on: day(1, 15),
        decision_no: decision.into(),
    }
}

pub async fn rule_versions_are_numbered_per_document_and_linked_to_disclosures(store: &dyn Store) {
    seeded(store).await;
    let v = code("339921100201");
    let other = code("339921100001");
    let r1 = store.add_rule_version(v, &version(RuleDoc::Rules, "第一条", "2024-002"), time(1)).await.unwrap();
    let c1 = store.add_rule_version(v, &version(RuleDoc::Charter, "章程", "2024-001"), time(1)).await.unwrap();
    let r2 = store.add_rule_version(v, &version(RuleDoc::Rules, "第一条（修订）", "2026-003"), time(2)).await.unwrap();
    let o1 = store.add_rule_version(other, &version(RuleDoc::Rules, "别村", "1"), time(2)).await.unwrap();
    assert_eq!((r1.version_no, c1.version_no, r2.version_no, o1.version_no), (1, 1, 2, 1));
    assert_eq!(r2.version, version(RuleDoc::Rules, "第一条（修订）", "2026-003"));
    assert_eq!(r2.disclosure, None);

    let ids = store.insert_disclosures(&[draft("339921100201", "村规民约")]).await.unwrap();
    store.set_rule_disclosure(r2.id, ids[0]).await.unwrap();
    assert!(matches!(store.set_rule_disclosure(9_999, ids[0]).await, Err(StoreError::NotFound)));
    let all = store.rule_versions(v).await.unwrap();
    assert_eq!(
        all.iter().map(|x| (x.version.doc, x.version_no)).collect::<Vec<_>>(),
        [(RuleDoc::Charter, 1), (RuleDoc::Rules, 1), (RuleDoc::Rules, 2)]
    );
    assert_eq!(all[2].disclosure, Some(ids[0]));
    let rules = store.rule_versions_of(v, RuleDoc::Rules).await.unwrap();
    assert_eq!(rules.iter().map(|x| x.id).collect::<Vec<_>>(), [r1.id, r2.id]);
}

pub async fn a_catalog_items_versions_are_found_by_village_and_period(store: &dyn Store) {
    seeded(store).await;
    let v = code("339921100201");
    let item = |period: Option<Period>, state: DisclosureState| NewDisclosure {
        catalog_item: Some("micro-power-log".into()),
        column: "affairs-micro-power".into(),
        period,
        state,
        published_at: (state == DisclosureState::Published).then(|| time(1)),
        ..disclosure("339921100201", "affairs-micro-power", "用印登记", 2)
    };
    let march = Some(Period::Month { year: 2026, month: 3 });
    let april = Some(Period::Month { year: 2026, month: 4 });
    let ids = store
        .insert_disclosures(&[
            item(march, DisclosureState::Published),
            item(april, DisclosureState::Draft),
            NewDisclosure { village: code("339921100001"), ..item(march, DisclosureState::Draft) },
            NewDisclosure { catalog_item: None, ..item(march, DisclosureState::Draft) },
        ])
        .await
        .unwrap();
    let found = store.item_versions(v, "micro-power-log", march).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].id, found[0].state, found[0].kind),
        (ids[0], DisclosureState::Published, DisclosureKind::Original)
    );
    let all = store.item_versions(v, "micro-power-log", None).await.unwrap();
    assert_eq!(all.iter().map(|x| x.id).collect::<Vec<_>>(), [ids[0], ids[1]]);
    assert!(store.item_versions(v, "party-life", None).await.unwrap().is_empty());
}
