//! 随手拍 end to end, on the real server: a villager reports a problem with a photo and a place
//! and follows it with the receipt code while the grid worker moves it along; only resolved
//! reports are public, in the village's list and in the Open311 GeoReport v2 endpoint; hostile
//! input (fake images, markup, floods, replays, guessed codes) is refused with the text kept.

mod common;

use std::io::Cursor;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::server::{Client, Reply, start};
use yangguang_app::reports::{self, Sender, Submission};
use yangguang_core::report::Status;
use yangguang_core::staff::Role;
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const OTHER: &str = "339921100202";

async fn state() -> AppState {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村"), (OTHER, "后山村")])).await;
    AppState::new(Arc::new(common::site_over(store, "reports").await))
}

/// A JPEG as a phone writes it: an Exif segment with a GPS position right after the header.
fn phone_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 3) as u8, (y * 5) as u8, 120]));
    let mut plain = Vec::new();
    img.write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg).unwrap();
    let payload = b"Exif\0\0GPSLatitude 30.2741N GPSLongitude 120.1551E";
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A browser's multipart post of the report form, photos in `photos`, with a cookie header.
async fn post_report(base: &str, cookie: &str, fields: &[(&str, &str)], photos: &[(&str, &[u8])]) -> Reply {
    let boundary = "reportboundary7Xq";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in photos {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let r = reqwest::Client::new()
        .post(format!("{base}/v/{VILLAGE}/reports/new"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("cookie", cookie)
        .body(body)
        .send()
        .await
        .unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    let bytes = r.bytes().await.unwrap().to_vec();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
}

/// A fresh form: its one-time nonce, and the device cookie the page set.
async fn open_form(base: &str, cookie: &str) -> (String, String) {
    let page = Client::new(base, (!cookie.is_empty()).then(|| cookie.to_owned()))
        .get(&format!("/v/{VILLAGE}/reports/new"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let nonce = between(&page.body, "name=\"nonce\" value=\"", "\"");
    let device = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("yg_device=").map(|v| v.split(';').next().unwrap().to_owned()));
    (nonce, device.map(|d| format!("yg_device={d}")).unwrap_or_else(|| cookie.to_owned()))
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start} in {text}")) + start.len();
    text[from..][..text[from..].find(end).unwrap()].to_owned()
}

fn receipt_code(body: &str) -> String {
    between(body, "id=\"receipt-code\" lang=\"en\">", "<")
}

async fn follow(base: &str, code: &str) -> Reply {
    Client::new(base, None).post("/reports/follow", &[("code", code)]).await
}

async fn grid_worker(state: &AppState, username: &str, village: &str) -> (String, i64) {
    let cookie = common::staff_cookie(state, username, Role::GridWorker, village).await;
    let id = state.site.store.find_staff(username).await.unwrap().unwrap().id;
    (cookie, id)
}

#[tokio::test]
async fn a_report_with_a_photo_and_a_place_is_followed_by_its_code_through_the_grid_workers_flow() {
    let state = state().await;
    let base = start(state.clone()).await;
    let (worker_cookie, worker_id) = grid_worker(&state, "grid", VILLAGE).await;
    let (stranger_cookie, _) = grid_worker(&state, "grid2", OTHER).await;
    let worker = Client::new(&base, Some(worker_cookie.clone()));

    // The column links to the form; the form offers the location button (shown by its script).
    let column = Client::new(&base, None).get(&format!("/v/{VILLAGE}/c/safety-reports")).await;
    assert!(column.body.contains(&format!("/v/{VILLAGE}/reports/new")), "{}", column.body);
    let (nonce, device) = open_form(&base, "").await;
    let form = Client::new(&base, None).get(&format!("/v/{VILLAGE}/reports/new")).await;
    assert!(form.body.contains("id=\"locate\"") && form.body.contains("navigator.geolocation"));

    let photo = phone_photo();
    assert!(photo.windows(3).any(|w| w == b"GPS"));
    let sent = post_report(
        &base,
        &device,
        &[
            ("nonce", &nonce),
            ("category", "street-light"),
            ("description", "村口桥头三盏路灯不亮，晚上很黑"),
            ("address", "村口石桥东侧"),
            ("lat", "30.274100"),
            ("long", "120.155100"),
        ],
        &[("IMG_0001.jpg", &photo)],
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let code = receipt_code(&sent.body);
    assert_eq!(code.len(), 23, "a long code: {code}");
    assert!(sent.header("cache-control").contains("no-store"));

    // Stored re-encoded: no EXIF, no GPS; the place is what the phone and the villager gave.
    let list = state
        .site
        .store
        .list_reports(&yangguang_store::ReportQuery {
            region_prefixes: vec![String::new()],
            page: 1,
            per_page: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(list.total, 1);
    let report = &list.items[0];
    let stored = state.site.files.get(&report.photos[0].sha256).await.unwrap();
    assert!(!stored.windows(4).any(|w| w == b"Exif") && !stored.windows(3).any(|w| w == b"GPS"), "metadata survived");
    assert_eq!((report.place.lat, report.place.long), (Some(30.2741), Some(120.1551)));
    assert_eq!(report.place.address, "村口石桥东侧");

    // Not public yet: neither the list nor the photo.
    let public = Client::new(&base, None).get(&format!("/v/{VILLAGE}/reports")).await;
    assert!(!public.body.contains("晚上很黑"));
    let photo_url = format!("/v/{VILLAGE}/reports/{}/photo/0", report.id);
    assert_eq!(Client::new(&base, None).get(&photo_url).await.status, 404);

    // The reporter follows it with the code, typed loosely.
    let seen = follow(&base, &code.to_lowercase().replace('-', " ")).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body.contains("已受理") && seen.body.contains("路灯不亮"));

    // The grid worker sees it waiting; a grid worker of another village does not.
    let console = worker.get("/console/reports").await;
    assert!(console.body.contains("路灯不亮") && console.body.contains("新问题 1"), "{}", console.body);
    let detail_url = format!("/console/reports/{}", report.id);
    assert_eq!(Client::new(&base, Some(stranger_cookie)).get(&detail_url).await.status, 404);
    let detail = worker.get(&detail_url).await;
    assert!(detail.body.contains("30.2741, 120.1551") && detail.body.contains("已受理"));
    assert_eq!(worker.get(&format!("/console/reports/{}/photo/0-thumb", report.id)).await.status, 200);

    let status_url = format!("/console/reports/{}/status", report.id);
    // Skipping steps is refused, the note kept.
    let skip = worker
        .post(&status_url, &[("csrf", "c"), ("seen", "received"), ("status", "resolved"), ("note", "已修好了")])
        .await;
    assert_eq!(skip.status, 409, "{}", skip.body);
    assert!(skip.body.contains("已修好了"));
    // Closing without a reason is refused beside the note.
    let close =
        worker.post(&status_url, &[("csrf", "c"), ("seen", "received"), ("status", "closed"), ("note", " ")]).await;
    assert_eq!(close.status, 422);
    assert!(close.body.contains("note-error"));
    // Without the CSRF token, nothing happens.
    let forged = worker.post(&status_url, &[("seen", "received"), ("status", "assigned")]).await;
    assert_eq!(forged.status, 403);

    let steps = [
        ("received", "assigned", "请王师傅去看看"),
        ("assigned", "in-progress", "已联系电工"),
        ("in-progress", "resolved", "已更换三盏灯泡"),
    ];
    for (seen, to, note) in steps {
        let id = worker_id.to_string();
        let r = worker
            .post(&status_url, &[("csrf", "c"), ("seen", seen), ("status", to), ("note", note), ("assignee", &id)])
            .await;
        assert_eq!(r.status, 303, "{to}: {}", r.body);
    }
    // A stale form (the status it saw is gone) is a conflict.
    let stale = worker.post(&status_url, &[("csrf", "c"), ("seen", "in-progress"), ("status", "resolved")]).await;
    assert_eq!(stale.status, 409);
    assert_eq!(state.site.store.get_report(report.id).await.unwrap().status, Status::Resolved);

    let seen = follow(&base, &code).await;
    assert!(seen.body.contains("已解决") && seen.body.contains("已更换三盏灯泡") && seen.body.contains("已联系电工"));
    // Public now: the list with the text address (never the reporter), and the photo.
    let public = Client::new(&base, None).get(&format!("/v/{VILLAGE}/reports")).await;
    assert!(
        public.body.contains("路灯不亮")
            && public.body.contains("村口石桥东侧")
            && public.body.contains("已更换三盏灯泡")
    );
    let served = Client::new(&base, None).get(&photo_url).await;
    assert_eq!((served.status, served.header("content-type").as_str()), (200, "image/jpeg"));
    assert!(!served.bytes.windows(3).any(|w| w == b"GPS"));

    // Every step audited.
    let audit = state.site.store.list_audit(1, 50).await.unwrap();
    assert_eq!(audit.items.iter().filter(|e| e.action == "report.status").count(), 3);
}

async fn submitted(state: &AppState, n: u32, description: &str, category: &str) -> (i64, String) {
    let form = Submission {
        category: category.into(),
        description: description.into(),
        address: format!("{n} 组"),
        lat: "30.5".into(),
        long: "120.25".into(),
        photos: vec![("a.jpg".into(), phone_photo())],
    };
    let sender = Sender { ip: &format!("10.0.0.{n}"), device: None, household: None };
    reports::submit(&state.site, common::code(VILLAGE), form, sender, Utc::now()).await.unwrap()
}

async fn resolve(state: &AppState, worker: i64, id: i64) {
    let staff = state.site.store.get_staff(worker).await.unwrap();
    for (seen, to) in [("received", "assigned"), ("assigned", "in-progress"), ("in-progress", "resolved")] {
        reports::change_status(&state.site, &staff, "t", id, seen, to, "已处理完毕", Some(worker)).await.unwrap();
    }
}

#[tokio::test]
async fn only_resolved_reports_are_public_and_open311_speaks_the_specs_fields() {
    let state = state().await;
    let base = start(state.clone()).await;
    let (_, worker) = grid_worker(&state, "grid", VILLAGE).await;
    let (resolved, _) = submitted(&state, 1, "水渠堵塞，雨天漫到路上", "water").await;
    let (open, _) = submitted(&state, 2, "垃圾桶满了没人清", "sanitation").await;
    let (hidden, _) = submitted(&state, 3, "一些骂人的话", "other").await;
    resolve(&state, worker, resolved).await;
    resolve(&state, worker, hidden).await;
    let staff = state.site.store.get_staff(worker).await.unwrap();
    reports::hide(&state.site, &staff, "t", hidden, "含辱骂内容").await.unwrap();

    let public = Client::new(&base, None).get(&format!("/v/{VILLAGE}/reports")).await;
    assert!(public.body.contains("水渠堵塞"));
    assert!(!public.body.contains("垃圾桶满了"), "an open report is not public");
    assert!(!public.body.contains("一些骂人的话") && public.body.contains("已隐藏：含辱骂内容"));

    let client = Client::new(&base, None);
    let services: serde_json::Value =
        serde_json::from_str(&client.get("/open311/v2/services.json").await.body).unwrap();
    let services = services.as_array().unwrap();
    assert_eq!(services.len(), 6);
    for s in services {
        for key in ["service_code", "service_name", "description", "type", "keywords", "group"] {
            assert!(s[key].is_string(), "{key} in {s}");
        }
        assert!(s["metadata"].is_boolean());
    }
    assert!(services.iter().any(|s| s["service_code"] == "street-light" && s["service_name"] == "路灯"));

    let r = client.get("/open311/v2/requests.json").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("application/json"));
    let list: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "only the resolved, unhidden report: {list:?}");
    let one = &list[0];
    assert_eq!(one["service_request_id"], resolved.to_string());
    assert_eq!((one["status"].as_str(), one["service_code"].as_str()), (Some("closed"), Some("water")));
    assert_eq!((one["service_name"].as_str(), one["status_notes"].as_str()), (Some("水利"), Some("已处理完毕")));
    assert_eq!(one["description"], "水渠堵塞，雨天漫到路上");
    assert_eq!(one["address"], "1 组");
    assert_eq!((one["lat"].as_f64(), one["long"].as_f64()), (Some(30.5), Some(120.25)));
    for key in ["requested_datetime", "updated_datetime"] {
        let t = one[key].as_str().unwrap();
        assert!(DateTime::parse_from_rfc3339(t).is_ok() && t.ends_with("+08:00"), "{key}: {t}");
    }
    let media = one["media_url"].as_str().unwrap();
    let path = media.strip_prefix(&base).unwrap_or_else(|| panic!("absolute URL: {media}"));
    assert_eq!(client.get(path).await.status, 200);
    let keys: Vec<&String> = one.as_object().unwrap().keys().collect();
    assert!(!keys.iter().any(|k| k.contains("household") || k.contains("device")), "{keys:?}");

    let count = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap().as_array().unwrap().len();
    assert_eq!(count(&client.get("/open311/v2/requests.json?service_code=water").await.body), 1);
    assert_eq!(count(&client.get("/open311/v2/requests.json?service_code=road,sanitation").await.body), 0);
    assert_eq!(count(&client.get("/open311/v2/requests.json?status=open").await.body), 0);
    assert_eq!(count(&client.get("/open311/v2/requests.json?status=closed").await.body), 1);
    assert_eq!(count(&client.get("/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z").await.body), 0);
    assert_eq!(count(&client.get("/open311/v2/requests.json?end_date=2000-01-01T00:00:00%2B08:00").await.body), 0);
    assert_eq!(count(&client.get(&format!("/open311/v2/requests.json?jurisdiction_id={OTHER}")).await.body), 0);
    assert_eq!(count(&client.get("/open311/v2/requests.json?jurisdiction_id=339921000000").await.body), 1);
    let bad = client.get("/open311/v2/requests.json?start_date=yesterday").await;
    assert_eq!(bad.status, 400);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&bad.body).unwrap()["code"], "invalid");
    assert_eq!(client.get("/open311/v2/requests.json?status=pending").await.status, 400);
    let single = client.get(&format!("/open311/v2/requests/{resolved}.json")).await;
    assert_eq!(count(&single.body), 1);
    for not_public in [open, hidden, 9999] {
        let r = client.get(&format!("/open311/v2/requests/{not_public}.json")).await;
        assert_eq!(r.status, 404);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["code"], "not_found");
    }
}

#[tokio::test]
async fn hostile_input_is_refused_with_what_was_typed_kept() {
    let state = state().await;
    let base = start(state.clone()).await;
    let (nonce, device) = open_form(&base, "").await;
    let fields = |nonce: &str, description: &str| {
        vec![
            ("nonce".to_owned(), nonce.to_owned()),
            ("category".to_owned(), "road".to_owned()),
            ("description".to_owned(), description.to_owned()),
            ("address".to_owned(), "二组路口".to_owned()),
        ]
    };
    let send = |fields: Vec<(String, String)>, device: String, photos: Vec<(&'static str, Vec<u8>)>| {
        let base = base.clone();
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let p: Vec<(&str, &[u8])> = photos.iter().map(|(n, b)| (*n, b.as_slice())).collect();
            post_report(&base, &device, &f, &p).await
        }
    };

    // A program named like a photo.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.extend_from_slice(&[0; 200]);
    let r = send(fields(&nonce, "路面塌了一个大坑，很危险"), device.clone(), vec![("坑.jpg", exe)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("photos-error") && r.body.contains("坑.jpg"));
    assert!(r.body.contains("路面塌了一个大坑，很危险") && r.body.contains("二组路口"), "typed text kept");
    // A PDF is a real file but not a photo.
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec();
    let (nonce, _) = open_form(&base, &device).await;
    let r = send(fields(&nonce, "路面塌了一个大坑，很危险"), device.clone(), vec![("x.pdf", pdf)]).await;
    assert_eq!(r.status, 422);

    // Markup is refused, and what was typed comes back escaped, never as markup.
    let (nonce, _) = open_form(&base, &device).await;
    let r = send(fields(&nonce, "<script>alert('x')</script>路灯坏了"), device.clone(), vec![]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("description-error"));
    assert!(r.body.contains("&#60;script&#62;alert(") && !r.body.contains("<script>alert("), "escaped: {}", r.body);

    // Too short, and coordinates half given.
    let (nonce, _) = open_form(&base, &device).await;
    let mut half = fields(&nonce, "路面塌了一个大坑");
    half.push(("lat".into(), "30.1".into()));
    let r = send(half, device.clone(), vec![]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("lat-error") && r.body.contains("value=\"30.1\""));
    assert_eq!(state.site.store.list_reports(&all()).await.unwrap().total, 0, "nothing stored");

    // A replayed form stores nothing more.
    let (nonce, _) = open_form(&base, &device).await;
    let first = send(fields(&nonce, "第一次提交的问题描述"), device.clone(), vec![]).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let code = receipt_code(&first.body);
    let replay = send(fields(&nonce, "第一次提交的问题描述"), device.clone(), vec![]).await;
    assert_eq!(replay.status, 409);
    // A form from another site is refused.
    let (nonce, _) = open_form(&base, &device).await;
    let foreign = reqwest::Client::new()
        .post(format!("{base}/reports/follow"))
        .header("origin", "https://evil.example")
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 403);

    // A flood from one device: three an hour, then refused with the text kept.
    for i in 2..=3 {
        let (n, _) = if i == 2 { (nonce.clone(), String::new()) } else { open_form(&base, &device).await };
        let r = send(fields(&n, &format!("第{i}次反映的问题描述")), device.clone(), vec![]).await;
        assert_eq!(r.status, 200, "{i}: {}", r.body);
    }
    let (n, _) = open_form(&base, &device).await;
    let flood = send(fields(&n, "第四次反映的问题描述"), device.clone(), vec![]).await;
    assert_eq!(flood.status, 429);
    assert!(flood.body.contains("第四次反映的问题描述") && flood.body.contains("提交太频繁"));
    // New devices from the same address: ten an hour from it in all.
    let mut accepted = 3;
    loop {
        let (n, fresh_device) = open_form(&base, "").await;
        let r = send(fields(&n, "换了手机又来反映问题"), fresh_device, vec![]).await;
        if r.status == 429 {
            break;
        }
        assert_eq!(r.status, 200);
        accepted += 1;
        assert!(accepted <= 10, "the address limit holds");
    }
    assert_eq!(accepted, 10);
    assert_eq!(state.site.store.list_reports(&all()).await.unwrap().total, 10);

    // Guessing codes: every lookup counts; after ten, even the right code waits.
    for i in 0..10 {
        let r = follow(&base, &format!("AAAAA-BBBBB-CCCCC-DDDD{i}")).await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(r.body.contains("没有找到"));
    }
    let r = follow(&base, &code).await;
    assert_eq!(r.status, 429);
    assert!(!r.body.contains("第一次提交的问题描述"));
}

fn all() -> yangguang_store::ReportQuery {
    yangguang_store::ReportQuery { region_prefixes: vec![String::new()], page: 1, per_page: 50, ..Default::default() }
}
