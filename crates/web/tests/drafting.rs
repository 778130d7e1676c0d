//! Drafting without Markdown (issue 12): Word, Excel, WPS and PDF attachments accepted by
//! their bytes and downloaded as attachments under safe names, hostile files refused with
//! the form kept, and the period picker's values — over the real server on a random port, on
//! SQLite and on PostgreSQL.

mod common;

use std::sync::Arc;

use chrono::Utc;
use common::server::{Client, Reply, start};
use yangguang_app::documents::samples;
use yangguang_core::staff::Role;
use yangguang_core::{Attachment, DisclosureId, DisclosureKind, DisclosureState, NewDisclosure, Period};
use yangguang_web::AppState;

const VILLAGE: &str = "339921100201";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn pdf(padding: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".to_vec();
    b.extend(std::iter::repeat_n(b'%', padding));
    b.extend_from_slice(b"\n%%EOF\n");
    b
}

fn id_of(reply: &Reply) -> DisclosureId {
    let location = reply.header("location");
    DisclosureId(
        location.trim_start_matches("/console/d/").parse().unwrap_or_else(|_| panic!("{location}: {}", reply.body)),
    )
}

async fn draft(clerk: &Client, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Reply {
    let mut all = vec![("csrf", "c"), ("village", VILLAGE), ("body", "正文")];
    all.extend_from_slice(fields);
    clerk.post_multipart("/console/new", &all, files).await
}

async fn scenario(state: AppState) {
    let clerk = common::staff_cookie(&state, "clerk", Role::VillageClerk, VILLAGE).await;
    let base = start(state.clone()).await;
    let clerk = Client::new(&base, Some(clerk));
    let store = state.site.store.clone();

    // ── documents accepted by their bytes, whatever their names say
    let (docx, xlsx, xls, doc) = (samples::docx(), samples::xlsx(), samples::xls(), samples::doc());
    let small_pdf = pdf(10);
    let files: [(&str, &[u8]); 5] = [
        ("村民代表会议纪要.docx", &docx),
        ("2026年3月收支.xlsx", &xlsx),
        ("资产台账.et", &xls),
        ("决议 “最终” 版.wps", &doc),
        ("发放名单.pdf", &small_pdf),
    ];
    let saved = draft(&clerk, &[("column", "affairs-works"), ("title", "附件齐全")], &files).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let d = store.get_disclosure(id_of(&saved)).await.unwrap();
    let got: Vec<(&str, &str)> = d.attachments.iter().map(|a| (a.file_name.as_str(), a.media_type.as_str())).collect();
    assert_eq!(
        got,
        [
            ("村民代表会议纪要.docx", DOCX),
            ("2026年3月收支.xlsx", XLSX),
            ("资产台账.et", "application/vnd.ms-excel"),
            ("决议 “最终” 版.wps", "application/msword"),
            ("发放名单.pdf", "application/pdf"),
        ]
    );
    // The reviewer downloads documents (never shown inline), under their own names, unsniffed.
    let word = clerk.get(&format!("/console/d/{}/a/0", d.id)).await;
    assert_eq!((word.status, word.bytes.as_slice()), (200, docx.as_slice()));
    assert_eq!(word.header("content-type"), DOCX);
    assert_eq!(word.header("x-content-type-options"), "nosniff");
    let disposition = word.header("content-disposition");
    assert!(disposition.starts_with("attachment; filename=\"download.docx\"; filename*=UTF-8''"), "{disposition}");
    assert!(disposition.ends_with(".docx") && disposition.contains("%E7%BA%AA%E8%A6%81"), "{disposition}");
    let quoted = clerk.get(&format!("/console/d/{}/a/3", d.id)).await.header("content-disposition");
    assert!(quoted.contains("%E2%80%9C") && quoted.matches('"').count() == 2, "quotes in names are encoded: {quoted}");
    assert!(clerk.get(&format!("/console/d/{}/a/4", d.id)).await.header("content-disposition").starts_with("inline"));

    // ── published: the public download is an attachment too
    let sha256 = state.site.files.put(&xlsx).await.unwrap();
    let at = Utc::now();
    let public = store
        .insert_disclosures(&[NewDisclosure {
            village: common::code(VILLAGE),
            column: "finance-income".into(),
            catalog_item: None,
            period: Some(Period::Month { year: 2026, month: 3 }),
            title: "3月收支".into(),
            body_md: "见附件".into(),
            state: DisclosureState::Published,
            created_at: at,
            published_at: Some(at),
            attachments: vec![Attachment {
                file_name: "收支 明细.xlsx".into(),
                media_type: XLSX.into(),
                byte_size: xlsx.len() as i64,
                sha256,
            }],
            kind: DisclosureKind::Original,
            replaces: None,
            reason: None,
            created_by: None,
            signoffs: vec![],
        }])
        .await
        .unwrap()[0];
    let anyone = Client::new(&base, None);
    let download = anyone.get(&format!("/v/{VILLAGE}/d/{public}/a/0")).await;
    assert_eq!((download.status, download.bytes.as_slice()), (200, xlsx.as_slice()));
    assert_eq!(
        download.header("content-disposition"),
        "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E6%94%B6%E6%94%AF%20%E6%98%8E%E7%BB%86.xlsx"
    );
    assert_eq!(download.header("x-content-type-options"), "nosniff");

    // ── hostile files: refused with the reason, everything typed kept, the good file carried
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
    exe.extend_from_slice(&[0; 300]);
    let zip = samples::plain_zip();
    let macros = samples::compound("WordDocument", true);
    let before = store.count_disclosures().await.unwrap();
    for (name, bytes, reason) in [
        ("工资表.docx", exe.as_slice(), "不是支持的文件类型"),
        ("照片.xlsx", zip.as_slice(), "不是 Word、Excel 或 WPS 文档"),
        ("宏.doc", macros.as_slice(), "含有宏"),
        ("../../etc/passwd.docx", docx.as_slice(), "不能含路径"),
    ] {
        let typed = [("column", "affairs-works"), ("title", "我的标题"), ("period", "2026年11月")];
        let back = draft(&clerk, &typed, &[(name, bytes), ("好的.docx", &docx)]).await;
        assert_eq!(back.status, 422, "{name}");
        assert!(back.body.contains(reason), "{name}: {}", back.body);
        assert!(back.body.contains("value=\"我的标题\"") && back.body.contains("value=\"2026年11月\""), "{name}");
        assert!(
            back.body.contains("name=\"uploaded\"") && back.body.contains("|好的.docx\""),
            "the good file is carried"
        );
    }
    assert_eq!(store.count_disclosures().await.unwrap(), before, "nothing stored");
    // Bidirectional controls cannot dress a file up: the name is cleaned, the bytes decide.
    let spoof =
        draft(&clerk, &[("column", "affairs-works"), ("title", "名单")], &[("名单\u{202E}xcod.exe", &docx)]).await;
    assert_eq!(spoof.status, 303, "{}", spoof.body);
    let d = store.get_disclosure(id_of(&spoof)).await.unwrap();
    assert_eq!((d.attachments[0].file_name.as_str(), d.attachments[0].media_type.as_str()), ("名单xcod.docx", DOCX));

    // ── too large: refused, the form kept
    let big = pdf(1024 * 1024 + 10);
    let typed = [("column", "affairs-works"), ("title", "大文件"), ("body", "说明文字"), ("period", "2026年第四季度")];
    let back = draft(&clerk, &typed, &[("扫描件.pdf", &big)]).await;
    assert_eq!(back.status, 422);
    assert!(back.body.contains("“扫描件.pdf” 超过 1 MB"), "{}", back.body);
    assert!(back.body.contains("value=\"大文件\"") && back.body.contains(">说明文字</textarea>"));
    assert!(back.body.contains("value=\"2026年第四季度\""));
    assert_eq!(store.count_disclosures().await.unwrap(), before + 1, "only the cleaned-up name was stored");

    // ── the period picker
    let new = clerk.get("/console/new?village=339921100201&item=micro-power-log").await;
    assert!(new.body.contains("本事项按月公开"), "{}", new.body);
    let first_group = new.body.split("<optgroup").nth(1).unwrap();
    assert!(first_group.contains("data-kind=\"month\""), "the item's kind comes first");
    assert!(new.body.contains("data-kind=\"day\"") && new.body.contains("id=\"period_date\""));
    assert!(!new.body.contains("maxlength=\"7\""), "nothing typed is cut short");
    // (catalog item, period fields, the period stored)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Period);
    let cases: [Case; 5] = [
        (
            "micro-power-log",
            &[("period_year", "2026"), ("period_part", "M11")],
            Period::Month { year: 2026, month: 11 },
        ),
        ("micro-power-log", &[("period", "2026年11月")], Period::Month { year: 2026, month: 11 }),
        (
            "party-life",
            &[("period", "2026年第四季度"), ("period_part", "M01")],
            Period::Quarter { year: 2026, quarter: 4 },
        ),
        ("party-life", &[("period_year", "2025"), ("period_part", "Q2")], Period::Quarter { year: 2025, quarter: 2 }),
        ("decision-resolution", &[("period_date", "2026-11-05")], Period::Day { year: 2026, month: 11, day: 5 }),
    ];
    for (item, period, expected) in cases {
        let column = state.site.catalog.item(item).unwrap().column.clone();
        let mut fields = vec![("item", item), ("column", column.as_str()), ("title", "公开期")];
        fields.extend_from_slice(period);
        let saved = draft(&clerk, &fields, &[]).await;
        assert_eq!(saved.status, 303, "{item} {period:?}: {}", saved.body);
        let d = store.get_disclosure(id_of(&saved)).await.unwrap();
        assert_eq!(d.period, Some(expected), "{item} {period:?}");
        // The edit form shows it in the picker again.
        let edit = clerk.get(&format!("/console/d/{}/edit", d.id)).await;
        match expected {
            Period::Day { .. } => assert!(edit.body.contains("value=\"2026-11-05\""), "{}", edit.body),
            p => {
                let year = p.start().format("%Y").to_string();
                assert!(edit.body.contains(&format!("<option value=\"{year}\" selected>")), "{}", edit.body);
            }
        }
    }
    // Refused, with the message beside the field and what was typed kept whole.
    let column = state.site.catalog.item("micro-power-log").unwrap().column.clone();
    for (period, message) in [
        (vec![("period", "2026年13月")], "“2026年13月” 无法识别"),
        (vec![("period_year", "2026"), ("period_part", "Q4")], "公开期应相符"),
        (vec![], "需要填写公开期"),
    ] {
        let mut fields =
            vec![("item", "micro-power-log"), ("column", column.as_str()), ("title", "用印登记"), ("body", "共 12 次")];
        fields.extend_from_slice(&period);
        let back = draft(&clerk, &fields, &[]).await;
        assert_eq!(back.status, 422, "{period:?}");
        assert!(back.body.contains("id=\"period-error\"") && back.body.contains(message), "{period:?}: {}", back.body);
        assert!(back.body.contains("value=\"用印登记\"") && back.body.contains(">共 12 次</textarea>"));
        for (k, v) in &period {
            match *k {
                "period" => assert!(back.body.contains(&format!("value=\"{v}\""))),
                "period_part" => assert!(back.body.contains(&format!("<option value=\"{v}\" selected>"))),
                _ => {}
            }
        }
    }
}

async fn state_over(store: impl yangguang_store::Store + 'static, name: &str) -> AppState {
    let mut site = common::site_over(store, name).await;
    site.upload_limits.max_bytes = 1024 * 1024;
    AppState::new(Arc::new(site))
}

#[tokio::test]
async fn documents_and_periods_are_accepted_as_clerks_have_them_on_sqlite() {
    let store = common::store_with(&common::county_with(&[(VILLAGE, "前山村")])).await;
    scenario(state_over(store, "drafting").await).await;
}

#[tokio::test]
async fn documents_and_periods_are_accepted_as_clerks_have_them_on_postgres() {
    let Some((store, schema)) = common::postgres_store_with(&common::county_with(&[(VILLAGE, "前山村")])).await
    else {
        return;
    };
    scenario(state_over(store, "drafting-pg").await).await;
    schema.drop().await;
}
