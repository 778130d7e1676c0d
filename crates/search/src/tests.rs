use std::collections::BTreeMap;

use super::*;

fn doc(key: &str, village: &str, kind: u64, title: &str, body: &str, date: i64) -> Doc {
    Doc {
        key: key.into(),
        village: village.into(),
        regions: vec![village.into(), format!("{}000", &village[..9]), format!("{}000000", &village[..6])],
        kind,
        title: title.into(),
        body: body.into(),
        date,
        url: format!("/v/{village}/{key}"),
        meta: String::new(),
    }
}

const A: &str = "339921101201";
const B: &str = "339921101202";
const C: &str = "339921102201";

fn sample() -> SearchIndex {
    let index = SearchIndex::in_ram();
    index
        .replace_villages(
            &[
                (
                    A.into(),
                    vec![
                        doc("d:1", A, 1, "2026年11月路灯维修公示", "<b>村道</b>路灯维修费用 3,200 元", 20261130),
                        doc("f:1", A, 2, "支付路灯电费", "记-003 电费", 20261105),
                        doc("f:2", A, 2, "收到厂房租金", "记-004 租金收入", 20261010),
                    ],
                ),
                (B.into(), vec![doc("d:2", B, 1, "鱼塘出租租金公示", "鱼塘租金 12,000 元", 20260901)]),
                (C.into(), vec![doc("d:3", C, 1, "路灯安装", "新装路灯 20 盏", 20250101)]),
            ],
            Some(Cursor { log: 7, changes: 3 }),
        )
        .unwrap();
    index
}

fn keys(r: &Results) -> Vec<&str> {
    r.hits.iter().map(|h| h.key.as_str()).collect()
}

fn q(text: &str) -> Query<'_> {
    Query { text, region: None, kind: None, offset: 0, limit: 10 }
}

#[test]
fn words_are_found_across_villages_and_scoped_by_region() {
    let index = sample();
    let all = index.search(&q("路灯")).unwrap();
    assert_eq!(all.total, 3, "{:?}", keys(&all));
    let village = index.search(&Query { region: Some(A), ..q("路灯") }).unwrap();
    assert_eq!(keys(&village).len(), 2);
    assert!(keys(&village).iter().all(|k| ["d:1", "f:1"].contains(k)));
    let town = index.search(&Query { region: Some("339921101000"), ..q("租金") }).unwrap();
    assert_eq!(town.total, 2);
    let other_town = index.search(&Query { region: Some("339921102000"), ..q("租金") }).unwrap();
    assert_eq!(other_town.total, 0);
    assert_eq!(index.cursor(), Some(Cursor { log: 7, changes: 3 }));
}

#[test]
fn kinds_are_counted_and_filtered() {
    let index = sample();
    let r = index.search(&q("路灯")).unwrap();
    assert_eq!(r.per_kind, BTreeMap::from([(1, 2), (2, 1)]));
    let finance = index.search(&Query { kind: Some(2), ..q("路灯") }).unwrap();
    assert_eq!((finance.total, keys(&finance)), (1, vec!["f:1"]));
    assert_eq!(finance.per_kind, r.per_kind, "the counts ignore the kind filter");
}

#[test]
fn every_word_is_required_and_titles_count_more() {
    let index = sample();
    assert_eq!(keys(&index.search(&q("路灯 电费")).unwrap()), ["f:1"]);
    let r = index.search(&Query { region: Some(A), ..q("租金") }).unwrap();
    assert_eq!(keys(&r), ["f:2"]);
}

#[test]
fn newer_first_among_equal_matches() {
    let index = SearchIndex::in_ram();
    let docs: Vec<Doc> = (1..=5).map(|i| doc(&format!("d:{i}"), A, 1, "路灯", "路灯", 20260100 + i)).collect();
    index.replace_villages(&[(A.into(), docs)], None).unwrap();
    let r = index.search(&q("路灯")).unwrap();
    assert_eq!(keys(&r), ["d:5", "d:4", "d:3", "d:2", "d:1"]);
    let page2 = index.search(&Query { offset: 2, limit: 2, ..q("路灯") }).unwrap();
    assert_eq!((page2.total, keys(&page2)), (5, vec!["d:3", "d:2"]));
}

#[test]
fn snippets_escape_the_text_and_mark_the_words() {
    let index = sample();
    let r = index.search(&Query { region: Some(A), kind: Some(1), ..q("路灯") }).unwrap();
    let hit = &r.hits[0];
    assert!(hit.snippet_html.contains("<mark>路灯</mark>"), "{}", hit.snippet_html);
    assert!(hit.snippet_html.contains("&lt;b&gt;村道&lt;/b&gt;"), "{}", hit.snippet_html);
    assert!(!hit.snippet_html.contains("<b>"), "{}", hit.snippet_html);
    assert!(hit.title_html.contains("<mark>路灯</mark>"), "{}", hit.title_html);
}

#[test]
fn replacing_a_village_removes_what_it_no_longer_has() {
    let index = sample();
    index.replace_villages(&[(A.into(), vec![])], None).unwrap();
    assert_eq!(index.search(&q("路灯")).unwrap().total, 1);
    assert_eq!(index.cursor(), Some(Cursor { log: 7, changes: 3 }), "the cursor stays");
}

#[test]
fn hostile_queries_find_nothing_and_never_fail() {
    let index = sample();
    let long = "路".repeat(10_000);
    for text in
        ["", "   ", "\u{0}\u{7}\u{1b}[31m", "title:路灯 AND (", "\"unclosed", "*", "+-&&||!(){}[]^~?:\\/", &long]
    {
        let r = index.search(&q(text)).unwrap();
        assert!(r.total <= 3, "{text:?}");
    }
    assert_eq!(clean_query(&long).chars().count(), query::MAX_QUERY_CHARS);
    assert_eq!(clean_query(" 路灯\u{0}\t 电费\n"), "路灯 电费");
}

#[test]
fn an_index_on_disk_survives_reopening_and_a_broken_one_is_replaced() {
    let dir = std::env::temp_dir().join(format!("yg-search-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (index, opened) = SearchIndex::open(&dir).unwrap();
    assert!(matches!(opened, Opened::Created(_)));
    index
        .replace_villages(
            &[(A.into(), vec![doc("d:1", A, 1, "路灯", "", 20260101)])],
            Some(Cursor { log: 1, changes: 2 }),
        )
        .unwrap();
    index.release_writer();
    drop(index);
    let (index, opened) = SearchIndex::open(&dir).unwrap();
    assert_eq!(opened, Opened::Existing(Cursor { log: 1, changes: 2 }));
    assert_eq!(index.search(&q("路灯")).unwrap().total, 1);
    drop(index);
    std::fs::write(dir.join("meta.json"), b"{ not json").unwrap();
    let (index, opened) = SearchIndex::open(&dir).unwrap();
    assert!(matches!(opened, Opened::Created(_)), "{opened:?}");
    assert_eq!(index.num_docs(), 0);
    drop(index);
    std::fs::remove_dir_all(&dir).unwrap();

    let other = std::env::temp_dir().join(format!("yg-search-unit-other-{}", std::process::id()));
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), b"mine").unwrap();
    assert!(SearchIndex::open(&other).is_err(), "a directory of other files is never wiped");
    assert!(other.join("notes.txt").exists());
    std::fs::remove_dir_all(&other).unwrap();
}

#[test]
fn a_second_writer_on_the_same_directory_is_told_it_is_busy() {
    let dir = std::env::temp_dir().join(format!("yg-search-unit-busy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (first, _) = SearchIndex::open(&dir).unwrap();
    first.replace_villages(&[], None).unwrap();
    let (second, _) = SearchIndex::open(&dir).unwrap();
    assert!(matches!(second.replace_villages(&[], None), Err(SearchError::Busy)));
    first.release_writer();
    second.replace_villages(&[], None).unwrap();
    drop((first, second));
    std::fs::remove_dir_all(&dir).unwrap();
}
