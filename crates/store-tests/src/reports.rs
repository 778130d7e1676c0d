//! Problem reports: stored as received, moved one status at a time from the status seen,
//! listed by region and publicly only when resolved and not hidden; throttles claimed atomically.

use yangguang_core::report::{Category, Place, Status};
use yangguang_store::{NewReport, ReportPhoto, ReportQuery, StatusChange};

use super::staff::new_staff;
use super::*;

fn new_report(village: &str, receipt: char, category: Category) -> NewReport {
    NewReport {
        village: code(village),
        category,
        description: format!("{receipt} 号路灯不亮"),
        place: Place { address: "村口桥头".into(), lat: Some(30.123456), long: Some(120.654321) },
        photos: vec![ReportPhoto { sha256: "a".repeat(64), media_type: "image/jpeg".into(), byte_size: 1234 }],
        receipt_hash: receipt.to_string().repeat(64),
        household: None,
    }
}

fn change(from: Status, to: Status, staff_id: i64, day: u32) -> StatusChange {
    StatusChange {
        from,
        to,
        assignee: None,
        note: format!("{} 处理", to.as_str()),
        staff_id,
        staff_name: "网格员王".into(),
        at: time(day),
    }
}

fn all(prefix: &str) -> ReportQuery {
    ReportQuery { region_prefixes: vec![prefix.into()], page: 1, per_page: 20, ..ReportQuery::default() }
}

pub async fn reports_move_through_their_statuses_and_keep_a_history(store: &dyn Store) {
    seeded(store).await;
    let worker = store.create_staff(&new_staff("grid")).await.unwrap();
    let id = store.create_report(&new_report("339921100201", 'b', Category::StreetLight), time(1)).await.unwrap();
    let r = store.get_report(id).await.unwrap();
    assert_eq!((r.status, r.category, r.village), (Status::Received, Category::StreetLight, code("339921100201")));
    assert_eq!((r.place.lat, r.place.long, r.place.address.as_str()), (Some(30.123456), Some(120.654321), "村口桥头"));
    assert_eq!(r.photos.len(), 1);
    assert_eq!(r.photos[0].byte_size, 1234);
    assert_eq!(r.created_at, time(1));
    assert_eq!(store.report_by_receipt(&"b".repeat(64)).await.unwrap().map(|r| r.id), Some(id));
    assert!(store.report_by_receipt(&"c".repeat(64)).await.unwrap().is_none());
    // One receipt code, one report.
    let again = store.create_report(&new_report("339921100201", 'b', Category::Road), time(1)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));

    let assign = StatusChange {
        assignee: Some((worker, "网格员王".into())),
        ..change(Status::Received, Status::Assigned, worker, 2)
    };
    store.change_report_status(id, &assign).await.unwrap();
    // Moved already: the same change from the old status is a conflict, and changes nothing.
    assert!(matches!(store.change_report_status(id, &assign).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.change_report_status(999, &assign).await, Err(StoreError::NotFound)));
    store.change_report_status(id, &change(Status::Assigned, Status::InProgress, worker, 3)).await.unwrap();
    let r = store.get_report(id).await.unwrap();
    assert_eq!((r.status, r.assignee_id, r.outcome.as_deref()), (Status::InProgress, Some(worker), None));
    assert_eq!(r.updated_at, time(3));
    store.change_report_status(id, &change(Status::InProgress, Status::Resolved, worker, 4)).await.unwrap();
    let r = store.get_report(id).await.unwrap();
    assert_eq!(
        (r.status, r.outcome.as_deref(), r.assignee_name.as_deref()),
        (Status::Resolved, Some("resolved 处理"), Some("网格员王"))
    );
    assert!(r.is_public());

    let events = store.report_events(id).await.unwrap();
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["received", "assigned", "in-progress", "resolved"]);
    assert_eq!(events[0].staff_id, None);
    assert_eq!(events[1].note, "网格员王：assigned 处理");
    assert_eq!(events[3].at, time(4));

    // Hidden, never deleted: the content stays for the record, the reason is kept.
    store.hide_report(id, "含辱骂内容", (worker, "网格员王"), time(5)).await.unwrap();
    let r = store.get_report(id).await.unwrap();
    assert_eq!(r.hidden_reason.as_deref(), Some("含辱骂内容"));
    assert!(r.description.contains("路灯"));
    assert!(!r.is_public());
    assert!(matches!(store.hide_report(id, "再次", (worker, "王"), time(6)).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.hide_report(999, "x", (worker, "王"), time(6)).await, Err(StoreError::NotFound)));
    assert_eq!(store.report_events(id).await.unwrap().last().unwrap().action, "hidden");
}

pub async fn reports_are_listed_by_region_and_publicly_only_when_resolved(store: &dyn Store) {
    seeded(store).await;
    let worker = store.create_staff(&new_staff("grid")).await.unwrap();
    let village = "339921100201";
    let mut ids = vec![];
    for (i, (receipt, category)) in
        [('a', Category::Road), ('b', Category::Water), ('c', Category::Road)].into_iter().enumerate()
    {
        ids.push(store.create_report(&new_report(village, receipt, category), time(1 + i as u32)).await.unwrap());
    }
    store.create_report(&new_report("339921100001", 'd', Category::Road), time(5)).await.unwrap();
    // Resolve the first and third; hide the third.
    for id in [ids[0], ids[2]] {
        let mut c = change(Status::Received, Status::Assigned, worker, 6);
        c.assignee = Some((worker, "王".into()));
        store.change_report_status(id, &c).await.unwrap();
        store.change_report_status(id, &change(Status::Assigned, Status::InProgress, worker, 7)).await.unwrap();
        store.change_report_status(id, &change(Status::InProgress, Status::Resolved, worker, 8)).await.unwrap();
    }
    store.hide_report(ids[2], "不实", (worker, "王"), time(9)).await.unwrap();

    let page = store.list_reports(&all(village)).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[2], ids[1], ids[0]], "newest first");
    assert_eq!(store.list_reports(&all("339921100")).await.unwrap().total, 4);
    assert_eq!(store.list_reports(&ReportQuery { region_prefixes: vec![], ..all("") }).await.unwrap().total, 0);
    let public = store.list_reports(&ReportQuery { public_only: true, ..all("") }).await.unwrap();
    assert_eq!(public.items.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[0]]);
    let received = store.list_reports(&ReportQuery { statuses: vec![Status::Received], ..all("") }).await.unwrap();
    assert_eq!(received.total, 2);
    let roads = store.list_reports(&ReportQuery { category: Some(Category::Road), ..all(village) }).await.unwrap();
    assert_eq!(roads.total, 2);
    let window =
        store.list_reports(&ReportQuery { since: Some(time(2)), until: Some(time(3)), ..all("") }).await.unwrap();
    assert_eq!(window.items.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[1]]);
    let paged = store.list_reports(&ReportQuery { per_page: 2, page: 2, ..all("") }).await.unwrap();
    assert_eq!((paged.items.len(), paged.total, paged.page_count()), (2, 4, 2));

    assert_eq!(store.count_reports(&[village.into()], Status::Received).await.unwrap(), 1);
    assert_eq!(store.count_reports(&["339921".into()], Status::Received).await.unwrap(), 2);
    assert_eq!(store.count_reports(&[], Status::Received).await.unwrap(), 0);
}

pub async fn throttles_are_claimed_within_their_limits(store: &dyn Store) {
    seeded(store).await;
    let ip = ("report-ip:10.0.0.1".to_string(), 3);
    let device = ("report-device:abc".to_string(), 2);
    assert!(store.claim_throttle(&[ip.clone(), device.clone()], time(1), time(2)).await.unwrap());
    assert!(store.claim_throttle(&[ip.clone(), device.clone()], time(1), time(2)).await.unwrap());
    // The device is used up: nothing is recorded for the address either.
    assert!(!store.claim_throttle(&[ip.clone(), device.clone()], time(1), time(2)).await.unwrap());
    assert!(store.claim_throttle(std::slice::from_ref(&ip), time(1), time(2)).await.unwrap());
    assert!(!store.claim_throttle(std::slice::from_ref(&ip), time(1), time(2)).await.unwrap());
    // Outside the window, old uses no longer count; pruning forgets them.
    assert!(store.claim_throttle(std::slice::from_ref(&ip), time(3), time(3)).await.unwrap());
    assert_eq!(store.prune_throttle(time(3)).await.unwrap(), 5);
    assert!(store.claim_throttle(std::slice::from_ref(&device), time(1), time(4)).await.unwrap());
}
