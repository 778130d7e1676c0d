//! The publications' text, generated from the record so that what reviewers sign is what
//! was recorded: subject, amount, each step with its counts and votes, flags, and the money.

use std::fmt::Write;

use yangguang_core::decision::{Quorum, Step, StepRecord, majority};

use super::DecisionView;
use crate::i18n::{Label, Lang, flag_text};
use crate::markdown::escape;

/// One line for a step: date, form, counts, votes (for the audit trail and the body).
pub fn describe(r: &StepRecord) -> String {
    let mut s = format!("{}", r.date);
    if let Some(form) = r.form {
        let _ = write!(s, " {}", form.zh());
    }
    if let Some(c) = r.counts {
        let _ =
            write!(s, " 应到{} 实到{} 赞成{} 反对{} 弃权{}", c.expected, c.present, c.votes_for, c.against, c.abstain);
    }
    let _ = write!(s, " {}", r.content);
    s
}

pub fn title(view: &DecisionView, step: Step) -> String {
    let d = &view.record.new;
    let what = if step == Step::ResultPublished { "实施结果公开" } else { "决议公开" };
    let mut subject: String = d.subject.chars().take(60).collect();
    if d.subject.chars().count() > 60 {
        subject.push('…');
    }
    format!("关于“{subject}”的{what}（决议编号 {}）", d.number)
}

pub fn body(view: &DecisionView, step: Step) -> String {
    let d = &view.record.new;
    let mut out = String::new();
    let _ = writeln!(out, "**决议编号：** {}  ", escape(&d.number));
    let _ = writeln!(out, "**决策事项：** {}  ", escape(&d.subject));
    let _ = writeln!(out, "**事项类别：** {}  ", d.kind.zh());
    let _ = writeln!(out, "**程序：** {}  ", d.procedure.zh());
    match d.amount {
        Some(a) => {
            let _ = writeln!(out, "**决议金额：** {a} 元\n");
        }
        None => out.push('\n'),
    }
    let _ = writeln!(out, "## 决策过程\n");
    let mut rows = vec![];
    for s in d.procedure.steps().iter().copied().filter(|s| !s.is_publication()) {
        if step == Step::ResolutionPublished && s > Step::Resolution {
            break;
        }
        let Some(stored) = view.step(s) else {
            rows.push(vec![s.zh().into(), "未进行".into(), String::new(), String::new(), String::new()]);
            continue;
        };
        let r = &stored.record;
        let (counts, verdict) = match r.counts {
            Some(c) => {
                let quorum = Quorum::of(s, r.form).met(c.present, c.expected);
                let mut verdict = if quorum { "到会人数符合规定" } else { "到会人数不足" }.to_owned();
                if s.votes() {
                    verdict.push_str(if majority(c.votes_for, c.present) { "；获通过" } else { "；未获通过" });
                }
                (
                    format!(
                        "应到 {} 人，实到 {} 人；赞成 {}，反对 {}，弃权 {}",
                        c.expected, c.present, c.votes_for, c.against, c.abstain
                    ),
                    verdict,
                )
            }
            None => (String::new(), String::new()),
        };
        let name = match r.form {
            Some(f) => format!("{}（{}）", s.zh(), f.zh()),
            None => s.zh().to_owned(),
        };
        rows.push(vec![name, r.date.to_string(), counts, verdict, r.content.clone()]);
    }
    crate::finance::table(&mut out, &["步骤", "日期", "到会与表决", "结论", "内容"], &rows);
    if step == Step::ResultPublished && !view.links.is_empty() {
        let _ = writeln!(out, "## 依据本决议的收支和合同\n");
        let rows: Vec<Vec<String>> = view
            .links
            .iter()
            .map(|l| {
                vec![
                    super::link_kind_label(&l.target_kind).into(),
                    l.target_ref.clone(),
                    l.label.clone(),
                    format!("{} 元", l.amount),
                ]
            })
            .collect();
        let total = [
            "合计".to_owned(),
            String::new(),
            format!("合同、收入 {} 元", view.totals.other),
            format!("支出 {} 元", view.totals.spent),
        ];
        crate::finance::table_with_total(&mut out, &["类别", "编号", "摘要", "金额"], &rows, Some(&total[..]));
        if let Some(over) = view.totals.over {
            let _ = writeln!(out, "**超出决议金额 {over} 元。**\n");
        }
    }
    let flags: Vec<String> = view.assessment.flags.iter().map(|f| flag_text(f, Lang::Zh)).collect();
    if !flags.is_empty() {
        let _ = writeln!(out, "## 需要说明的问题\n");
        for f in flags {
            let _ = writeln!(out, "- {}", escape(&f));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "[查看完整决策记录]({})", view.path());
    out
}
