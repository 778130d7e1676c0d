//! `yangguang import ledger` end to end: a GBK export with a title and a total line imports
//! cleanly; importing it again changes nothing; a broken one lists its problems by row and
//! column and stores nothing.

mod common;

use common::{AS_OF, run, temp_dir};

const EXPORT: &str = "前山村 2026年3月 凭证明细账,,,,,,,\n\
    凭证日期,凭证字号,摘要,科目编码,科目名称,借方金额（元）,贷方金额（元）,附件数\n\
    2026-03-05,记-001,收厂房租金,102,银行存款,\"12,000.00\",,1\n\
    2026-03-05,记-001,收厂房租金,501003,租赁收入,,\"12,000.00\",\n\
    2026/3/8,记-002,购办公用品,541003,办公费,３２０．５０,,2\n\
    2026/3/8,记-002,购办公用品,101,现金,,320.50,\n\
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
            "2026-03-01",
            "--to",
            "2026-03-31",
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
        .replace("2026/3/8,记-002,购办公用品,541003", "2026/4/8,记-002,购办公用品,541003");
    std::fs::write(&broken, bad).unwrap();
    let (ok, text) = import(&broken);
    assert!(!ok);
    assert!(text.contains("第 3 行“凭证字号”列") && text.contains("借贷不平"), "{text}");
    assert!(text.contains("第 4 行“科目编码”列（999999）"), "{text}");
    assert!(text.contains("第 5 行“凭证日期”列"), "{text}");
    let (ok, text) = import(&good);
    assert!(ok && text.contains("2 unchanged"), "the broken file stored nothing: {text}");

    let not_a_ledger = dir.join("名单.csv");
    std::fs::write(&not_a_ledger, "姓名,电话\n张三,123\n").unwrap();
    let (ok, text) = import(&not_a_ledger);
    assert!(!ok && text.contains("找不到表头"), "{text}");
}
