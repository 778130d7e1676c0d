use yangguang_core::Fen;
use yangguang_core::ledger::LedgerEntry;

use super::*;

fn line(code: &str, debit: i64, credit: i64) -> LedgerEntry {
    LedgerEntry {
        date: "2026-03-05".parse().unwrap(),
        voucher_no: "记-12".into(),
        summary: "付村道工程款".into(),
        account_code: code.into(),
        account_name: String::new(),
        debit: Fen(debit),
        credit: Fen(credit),
        attachments: 0,
        row: 1,
    }
}

#[test]
fn a_payment_counts_what_left_cash_and_bank() {
    let lines = [line("152", 500_000, 0), line("102", 0, 500_000)];
    assert_eq!(voucher_money(&lines.iter().collect::<Vec<_>>()), ("付村道工程款".into(), Fen(500_000), true));
    let receipt = [line("102", 80_000, 0), line("501", 0, 80_000)];
    assert!(!voucher_money(&receipt.iter().collect::<Vec<_>>()).2);
    assert_eq!(voucher_ref("2026-03-05".parse().unwrap(), "记-12"), "2026-03:记-12");
}

#[test]
fn amounts_as_typed() {
    assert_eq!(parse_amount("", "amount").unwrap(), None);
    assert_eq!(parse_amount("180000元", "amount").unwrap(), Some(Fen(18_000_000)));
    assert_eq!(parse_amount("1,200.5", "amount").unwrap(), Some(Fen(120_050)));
    assert!(matches!(parse_amount("十万", "amount"), Err(AppError::Field { field: "amount", .. })));
    assert!(matches!(parse_amount("-5", "amount"), Err(AppError::Field { field: "amount", .. })));
}

#[test]
fn step_input_is_checked_field_by_field() {
    let input = StepInput {
        step: "members".into(),
        date: "2026-03-05".into(),
        expected: "30".into(),
        present: "31".into(),
        votes_for: "31".into(),
        content: "审议".into(),
        ..Default::default()
    };
    let r = parse_step(&input).unwrap();
    let e = decision::check_step(Procedure::FourTwo, &r, &[]).unwrap_err();
    match step_error(e, Step::Members) {
        AppError::Field { field, message } => {
            assert_eq!(field, "present");
            assert!(message.contains("31") && message.contains("30"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let bad_date = StepInput { date: "三月五日".into(), ..input.clone() };
    assert!(matches!(parse_step(&bad_date), Err(AppError::Field { field: "date", .. })));
    let no_present = StepInput { present: String::new(), ..input };
    assert!(matches!(parse_step(&no_present), Err(AppError::Field { field: "present", .. })));
}
