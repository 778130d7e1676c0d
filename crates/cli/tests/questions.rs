//! The questions' clock from the command line: `escalate-questions` runs the escalation now;
//! `--as-of` moves the clock only over demo data, never over a real deployment's.

mod common;

#[test]
fn the_question_clock_moves_only_over_demo_data() {
    let dir = common::temp_dir("escalate");
    let dir = dir.to_str().unwrap();
    let (status, err) = common::run(&["escalate-questions", "--data-dir", dir, "--as-of", "2030-01-01"]);
    assert!(!status.success(), "{err}");
    assert!(err.contains("--as-of is for demo data only"), "{err}");
    let out = std::process::Command::new(common::BIN)
        .args(["escalate-questions", "--data-dir", dir])
        .env_remove("YANGGUANG_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("escalated 0 questions"));
}
