//! `yangguang import ledger` end to end: a GBK export with a title and a total line imports
//! cleanly; importing it again changes nothing; a broken one lists its problems by row and
//! column and stores nothing.

mod common;

use common::{AS_OF, run, temp_dir};

/// March 2027: the demo's books end in November 2026, so these vouchers are new.
const EXPORT: &str = "前山村 2027年3月 凭证明细账,,,,,,,\n\
    凭证日期,凭证字号,摘要,科目编码,科目名称,借方金额（元）,贷方金额（元）,附件数\n\
    2027-03-05,记-001,收厂房租金,102,银行存款,\"12,000.00\",,1\n\
    2027-03-05,记-001,收厂房租金,501003,租赁收入,,\"12,000.00\",\n\
    2027/3/8,记-002,购办公用品,531002,办公费,３２０．５０,,2\n\
    2027/3/8,记-002,购办公用品,101,现金,,320.50,\n\
    ,,本月合计,,,\"12,320.50\",\"12,320.50\",\n\
    制表：王秀英,,审核：李建国,,,,,\n";

fn stdout_of(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(common::BIN).args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn a_gbk_ledger_imports_once_and_a_broken_one_changes_nothing() {
    let dir = temp_dir("ledger");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap();
    let (status, stderr) = run(&["demo", "--data-dir", data_arg, "--as-of", AS_OF, "--no-serve"]);
    assert!(status.success(), "{stderr}");
    let village = "339921001201";
    let good = dir.join("三月.csv");
    let (gbk, _, _) = encoding_rs::GBK.encode(EXPORT);
    std::fs::write(&good, gbk).unwrap();
    let import = |file: &std::path::Path| {
        stdout_of(&[
            "import",
            "ledger",
            "--data-dir",
            data_arg,
            "--village",
            village,
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-31",
            file.to_str().unwrap(),
        ])
    };
    let (ok, text) = import(&good);
    assert!(ok, "{text}");
    assert!(text.contains("csv-gb18030") && text.contains("2 new vouchers, 0 replaced, 0 unchanged"), "{text}");
    let (ok, text) = import(&good);
    assert!(ok && text.contains("0 new vouchers, 0 replaced, 2 unchanged"), "importing twice changes nothing: {text}");

    let broken = dir.join("坏的.csv");
    let bad = EXPORT
        .replace("501003,租赁收入,,\"12,000.00\"", "999999,未知,,\"11,000.00\"")
        .replace("2027/3/8,记-002,购办公用品,531002", "2027/4/8,记-002,购办公用品,531002")
        .replace(
            ",,本月合计",
            "2027-03-09,记-001,重复,101,现金,1.00,,\n2027-03-09,记-001,重复,102,银行存款,,1.00,\n,,本月合计",
        );
    std::fs::write(&broken, bad).unwrap();
    let (ok, text) = import(&broken);
    assert!(!ok);
    assert!(text.contains("第 3 行“凭证字号”列") && text.contains("借贷不平"), "{text}");
    assert!(text.contains("第 4 行“科目编码”列（999999）"), "{text}");
    assert!(text.contains("第 5 行“凭证日期”列"), "{text}");
    assert!(text.contains("第 7 行“凭证字号”列（记-001）：凭证号 记-001 重复：第 3 行已有同号凭证"), "{text}");
    let (ok, text) = import(&good);
    assert!(ok && text.contains("2 unchanged"), "the broken file stored nothing: {text}");

    let not_a_ledger = dir.join("名单.csv");
    std::fs::write(&not_a_ledger, "姓名,电话\n张三,123\n").unwrap();
    let (ok, text) = import(&not_a_ledger);
    assert!(!ok && text.contains("找不到表头"), "{text}");
}

/// A small JPEG with an EXIF block, as a phone camera writes it.
fn receipt_jpeg(shade: u8) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(120, 80, image::Rgb([shade, 200, 180])));
    let mut plain = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut plain), image::ImageFormat::Jpeg).unwrap();
    let payload = b"Exif\0\0GPS-30.1N-120.2E";
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

#[test]
fn receipts_from_a_zip_attach_to_their_vouchers_and_open_on_a_phone() {
    use std::io::Write;
    let dir = temp_dir("receipts");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap();
    let (status, stderr) = run(&["demo", "--data-dir", data_arg, "--as-of", AS_OF, "--no-serve"]);
    assert!(status.success(), "{stderr}");
    let village = "339921001201";
    // A month whose accounts this village published (some months the demo leaves unpublished).
    let month = {
        let server = common::Server::start(&["serve", "--data-dir", data_arg]);
        ["2026-10", "2026-09", "2026-08", "2026-07", "2026-06", "2026-05"]
            .into_iter()
            .find(|m| server.get(&format!("/v/{village}/finance/{m}")).status == 200)
            .expect("some month's accounts are published")
    };
    let mut zip_bytes = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut zip_bytes);
        let options = zip::write::SimpleFileOptions::default();
        for (name, bytes) in [
            (format!("{month}_记-001.jpg"), receipt_jpeg(10)),
            (format!("{month}_记-001-2.jpg"), receipt_jpeg(60)),
            (format!("{month}_记-002.jpg"), receipt_jpeg(90)),
            (format!("{month}_记-999.jpg"), receipt_jpeg(120)),
            ("IMG_0042.jpg".to_string(), receipt_jpeg(150)),
            ("../../evil.jpg".to_string(), receipt_jpeg(180)),
        ] {
            w.start_file(name, options).unwrap();
            w.write_all(&bytes).unwrap();
        }
        w.finish().unwrap();
    }
    let zip_path = dir.join("票据.zip");
    std::fs::write(&zip_path, zip_bytes.into_inner()).unwrap();
    let args = ["import", "receipts", "--data-dir", data_arg, "--village", village, zip_path.to_str().unwrap()];
    let (ok, text) = stdout_of(&args);
    assert!(ok, "{text}");
    assert!(text.contains("attached 3 receipts (0 were already there, 3 not attached)"), "{text}");
    assert!(
        text.contains("记-999") && text.contains("IMG_0042.jpg") && text.contains("evil.jpg"),
        "unmatched ones are listed: {text}"
    );
    let (ok, text) = stdout_of(&args);
    assert!(
        ok && text.contains("attached 0 receipts (3 were already there"),
        "importing twice attaches nothing new: {text}"
    );

    let server = common::Server::start(&["serve", "--data-dir", data_arg]);
    let page = server.get(&format!("/v/{village}/finance/{month}"));
    assert_eq!(page.status, 200);
    let viewer_link = page
        .body
        .split(&format!("/v/{village}/finance/{month}/receipt/"))
        .nth(1)
        .expect("a receipt link")
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let viewer = server.get(&format!("/v/{village}/finance/{month}/receipt/{viewer_link}"));
    assert_eq!(viewer.status, 200);
    assert!(
        viewer.body.contains("原始票据")
            && (viewer.body.contains("rel=\"next\"") || viewer.body.contains("rel=\"prev\"")),
        "{}",
        viewer.body
    );
    let image = common::http_get(server.addr, &format!("/v/{village}/receipts/{viewer_link}/full"), &[]);
    assert!(
        image.header("content-type").is_some_and(|t| t.starts_with("image/")),
        "{:?}",
        image.header("content-type")
    );
    let thumb = server.get(&format!("/v/{village}/receipts/{viewer_link}/thumb"));
    assert_eq!(thumb.status, 200);
    let unpublished = server.get(&format!("/v/{village}/receipts/{}/full", "a".repeat(64)));
    assert_eq!(unpublished.status, 404);
}
