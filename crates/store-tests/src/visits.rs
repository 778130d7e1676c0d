//! Daily visit counters: batches add up, sums group by day, village and column, and scopes
//! and ranges hold.

use chrono::NaiveDate;
use yangguang_store::{VisitCount, VisitGroup, VisitQuery, VisitTotal};

use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, d).unwrap()
}

fn count(d: u32, village: &str, column: &str, item: i64, views: i64, visitors: i64) -> VisitCount {
    VisitCount { day: day(d), village: code(village), column: column.into(), item, views, visitors }
}

fn query(prefixes: &[&str], from: u32, to: u32, group: VisitGroup) -> VisitQuery {
    VisitQuery {
        region_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        from: day(from),
        to: day(to),
        columns: vec![],
        item: None,
        group,
    }
}

pub async fn visit_counters_add_up_and_sum_by_day_village_and_column(store: &dyn Store) {
    seeded(store).await;
    let (a, b) = ("339921100201", "339921100001");
    store
        .add_visits(&[
            count(1, a, "", 0, 5, 3),
            count(1, a, "finance", 0, 2, 2),
            count(1, a, "finance", 7, 4, 1),
            count(2, b, "party", 0, 1, 1),
        ])
        .await
        .unwrap();
    // A second batch adds to the same counters (and starts new ones).
    store.add_visits(&[count(1, a, "", 0, 10, 4), count(3, a, "party", 0, 6, 6)]).await.unwrap();
    store.add_visits(&[]).await.unwrap();

    let all = store.visit_totals(&query(&["339921"], 1, 31, VisitGroup::All)).await.unwrap();
    assert_eq!((all[0].views, all[0].visitors), (28, 17));
    let days = store.visit_totals(&query(&["339921"], 1, 31, VisitGroup::Day)).await.unwrap();
    let by_day: Vec<_> = days.iter().map(|t| (t.day.unwrap(), t.views)).collect();
    assert_eq!(by_day, [(day(1), 21), (day(2), 1), (day(3), 6)]);
    assert!(days.iter().all(|t| t.village.is_none() && t.column.is_none()));

    let villages = store.visit_totals(&query(&["339921100"], 1, 31, VisitGroup::Village)).await.unwrap();
    assert_eq!(
        villages,
        [
            VisitTotal { day: None, village: Some(code(b)), column: None, views: 1, visitors: 1 },
            VisitTotal { day: None, village: Some(code(a)), column: None, views: 27, visitors: 16 },
        ]
    );
    let columns = store.visit_totals(&query(&[a], 1, 31, VisitGroup::Column)).await.unwrap();
    let by_column: Vec<_> = columns.iter().map(|t| (t.column.clone().unwrap(), t.views)).collect();
    assert_eq!(by_column, [("".to_owned(), 15), ("finance".into(), 6), ("party".into(), 6)]);

    // Ranges, scopes, columns and items narrow the sums.
    let one_day = store.visit_totals(&query(&["339921"], 2, 2, VisitGroup::All)).await.unwrap();
    assert_eq!(one_day[0].views, 1);
    let village_only = store.visit_totals(&query(&[b], 1, 31, VisitGroup::All)).await.unwrap();
    assert_eq!(village_only[0].views, 1);
    let other_county = store.visit_totals(&query(&["339922"], 1, 31, VisitGroup::All)).await.unwrap();
    assert_eq!((other_county[0].views, other_county[0].visitors), (0, 0));
    let nobody = store.visit_totals(&query(&[], 1, 31, VisitGroup::Day)).await.unwrap();
    assert!(nobody.is_empty(), "no region, no counts");
    let finance = VisitQuery { columns: vec!["finance".into()], ..query(&["339921"], 1, 31, VisitGroup::All) };
    assert_eq!(store.visit_totals(&finance).await.unwrap()[0].views, 6);
    let item = VisitQuery { item: Some(7), ..query(&[a], 1, 31, VisitGroup::All) };
    assert_eq!(store.visit_totals(&item).await.unwrap()[0].views, 4);

    // A batch naming an unknown village adds nothing at all.
    assert!(store.add_visits(&[count(4, a, "", 0, 1, 1), count(4, "339921100999", "", 0, 1, 1)]).await.is_err());
    assert_eq!(store.visit_totals(&query(&["339921"], 4, 4, VisitGroup::All)).await.unwrap()[0].views, 0);
}
