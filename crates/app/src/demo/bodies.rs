//! Bodies of the demo's disclosures: Markdown shaped like what villages actually post (tables
//! of names and amounts, meeting records, registers), with a CSV attachment where villages
//! attach a list. Amounts are integer fen throughout.

use std::fmt::Write;

use chrono::NaiveDate;
use yangguang_core::catalog::required::{ASSETS_REGISTER, CONTRACTS_REGISTER, MONTHLY_ACCOUNTS, RESOURCES_REGISTER};
use yangguang_core::{CatalogItem, Fen, Period};

use super::{Rng, names};
use crate::finance::{csv, ledger_csv, statement_markdown, table, table_with_total};
use crate::i18n::Label;

pub struct BodyContext<'a> {
    pub village: &'a str,
    pub period: Option<Period>,
    pub event_date: Option<NaiveDate>,
    /// Households in the village; sizes lists and amounts.
    pub households: u32,
    /// 1.0 for an average village; busier villages have more money moving.
    pub activity: f64,
    /// For the monthly accounts: the statement built from the books, and the month's lines.
    pub books: Option<(&'a yangguang_core::finance::Statement, &'a [yangguang_core::ledger::LedgerEntry])>,
    /// Where the village's pages live, for links.
    pub village_path: &'a str,
}

/// A file to attach, before it is stored.
pub struct NewFile {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

pub struct Body {
    pub markdown: String,
    pub attachment: Option<NewFile>,
}

fn yuan(rng: &mut Rng, low: i64, high: i64, scale: f64) -> Fen {
    let y = low + rng.below((high - low).max(1) as u64) as i64;
    Fen(((y as f64 * scale) as i64).max(1) * 100 + rng.below(100) as i64)
}

fn period_label(ctx: &BodyContext) -> String {
    ctx.period.map(|p| p.label_zh()).unwrap_or_else(|| "本期".into())
}

fn date_label(ctx: &BodyContext) -> String {
    ctx.event_date.map(|d| d.format("%Y年%-m月%-d日").to_string()).unwrap_or_default()
}

pub fn body(item: &CatalogItem, ctx: &BodyContext, rng: &mut Rng) -> Body {
    let mut md = String::new();
    let mut attachment = None;
    let label = period_label(ctx);
    let a = ctx.activity;
    match item.id.as_str() {
        MONTHLY_ACCOUNTS if ctx.books.is_some() => {
            let (statement, lines) = ctx.books.expect("checked");
            statement_markdown(&mut md, statement, ctx.village_path);
            attachment = Some(NewFile {
                name: format!("{label}收支明细账.csv"),
                media_type: "text/csv; charset=utf-8",
                bytes: ledger_csv(lines),
            });
        }
        MONTHLY_ACCOUNTS => {
            let _ = writeln!(md, "{}{}集体经济收支情况如下，已经民主理财小组逐笔审核。\n", ctx.village, label);
            let income = [
                ("上级补助收入", yuan(rng, 5_000, 60_000, a)),
                ("租金及发包收入", yuan(rng, 2_000, 40_000, a)),
                ("经营收入", yuan(rng, 0, 20_000, a)),
                ("其他收入", yuan(rng, 0, 3_000, a)),
            ];
            let spending = [
                ("干部报酬", yuan(rng, 8_000, 20_000, 1.0)),
                ("办公费用", yuan(rng, 500, 4_000, a)),
                ("公益支出", yuan(rng, 1_000, 30_000, a)),
                ("水电及维修费", yuan(rng, 300, 5_000, a)),
                ("其他支出", yuan(rng, 0, 2_000, a)),
            ];
            let total_in: Fen = income.iter().map(|x| x.1).sum();
            let total_out: Fen = spending.iter().map(|x| x.1).sum();
            md.push_str("### 收入\n\n");
            let rows: Vec<Vec<String>> = income.iter().map(|(k, v)| vec![k.to_string(), v.to_string()]).collect();
            table_with_total(&mut md, &["项目", "金额（元）"], &rows, Some(&["合计".into(), total_in.to_string()]));
            md.push_str("### 支出\n\n");
            let rows: Vec<Vec<String>> = spending.iter().map(|(k, v)| vec![k.to_string(), v.to_string()]).collect();
            table_with_total(&mut md, &["项目", "金额（元）"], &rows, Some(&["合计".into(), total_out.to_string()]));
            let _ = writeln!(md, "本期收支相抵：{} 元。", Fen(total_in.0 - total_out.0));
        }
        "allowance-lists" | "relief-payments" | "farm-subsidies" => {
            let (header, kinds): (&[&str], &[&str]) = match item.id.as_str() {
                "allowance-lists" => {
                    (&["户主", "类别", "保障人数", "本期发放（元）"], &["低保", "低保", "特困供养", "残疾人两项补贴"])
                }
                "relief-payments" => (&["对象", "类别", "事由", "金额（元）"], &["临时救助", "大病救助", "节日慰问"]),
                _ => (
                    &["户主", "类别", "面积（亩）", "金额（元）"],
                    &["种粮补贴", "耕地地力保护补贴", "被征地农民养老补贴"],
                ),
            };
            let count = 3 + (ctx.households / 60) as u64 + rng.below(6);
            let mut rows = vec![];
            let mut total = Fen(0);
            for _ in 0..count {
                let kind = rng.pick(kinds).to_string();
                let third = match item.id.as_str() {
                    "allowance-lists" => (1 + rng.below(4)).to_string(),
                    "relief-payments" => rng.pick(&["因病", "因灾", "困难家庭", "春节慰问", "重阳慰问"]).to_string(),
                    _ => format!("{}.{:02}", 1 + rng.below(12), rng.below(100)),
                };
                let amount = yuan(rng, 300, 3_600, 1.0);
                total = Fen(total.0 + amount.0);
                rows.push(vec![names::masked_person(rng), kind, third, amount.to_string()]);
            }
            let _ = writeln!(md, "经村民代表评议、镇（街道）审核，{label}{}如下（共 {count} 户）：\n", item.name);
            table(&mut md, header, &rows);
            let _ =
                writeln!(md, "合计发放 {total} 元。公示期 7 天，如有异议请向村务监督委员会反映。\n\n完整名单见附件。");
            attachment = Some(NewFile {
                name: format!("{}{}.csv", label, item.name),
                media_type: "text/csv; charset=utf-8",
                bytes: csv(header, &rows),
            });
        }
        "party-life" => {
            let _ = writeln!(md, "{label}党支部组织生活开展情况：\n");
            let rows = vec![
                vec!["支部党员大会".into(), "1".into(), "学习传达上级会议精神，讨论年度重点工作".into()],
                vec!["支部委员会".into(), (3 + rng.below(2)).to_string(), "研究党员发展、村级重大事项".into()],
                vec!["党小组会".into(), (2 + rng.below(4)).to_string(), "学习交流，收集群众意见".into()],
                vec!["党课".into(), "1".into(), format!("书记讲党课，参加党员 {} 人", 20 + rng.below(40))],
            ];
            table(&mut md, &["形式", "次数", "主要内容"], &rows);
            md.push_str("主题党日活动按月开展，活动记录存村档案备查。\n");
        }
        "party-dues" => {
            let collected = yuan(rng, 1_500, 6_000, 1.0);
            let used = Fen(collected.0 * (20 + rng.below(60) as i64) / 100);
            let _ = writeln!(md, "{label}党费收缴和使用情况：\n");
            table(
                &mut md,
                &["项目", "金额（元）"],
                &[
                    vec!["应缴党费".into(), collected.to_string()],
                    vec!["实缴党费".into(), collected.to_string()],
                    vec!["上缴镇党委".into(), Fen(collected.0 - used.0).to_string()],
                    vec!["返还使用（党员教育）".into(), used.to_string()],
                ],
            );
        }
        "micro-power-log" => {
            let _ = writeln!(md, "{label}村级用印及证明出具登记：\n");
            let count = 2 + rng.below(8);
            let rows: Vec<Vec<String>> = (0..count)
                .map(|i| {
                    vec![
                        format!("{}日", 1 + (i * 3 + rng.below(3)) % 28),
                        rng.pick(&["居住证明", "收入证明", "合同用章", "宅基地申请审核", "低保申请初审", "务工证明"])
                            .to_string(),
                        names::masked_person(rng),
                        "村委会主任".into(),
                    ]
                })
                .collect();
            table(&mut md, &["日期", "事项", "申请人", "审批人"], &rows);
        }
        "debts" => {
            let _ = writeln!(md, "截至{label}末，村集体债权债务情况：\n");
            table(
                &mut md,
                &["项目", "期初（元）", "本期增加", "本期减少", "期末（元）"],
                &[
                    vec![
                        "应收款".into(),
                        yuan(rng, 10_000, 200_000, a).to_string(),
                        yuan(rng, 0, 20_000, a).to_string(),
                        yuan(rng, 0, 20_000, a).to_string(),
                        yuan(rng, 10_000, 200_000, a).to_string(),
                    ],
                    vec![
                        "应付款".into(),
                        yuan(rng, 5_000, 120_000, a).to_string(),
                        yuan(rng, 0, 10_000, a).to_string(),
                        yuan(rng, 0, 10_000, a).to_string(),
                        yuan(rng, 5_000, 120_000, a).to_string(),
                    ],
                    vec!["短期借款".into(), "0.00".into(), "0.00".into(), "0.00".into(), "0.00".into()],
                ],
            );
            md.push_str("本期无新增对外担保和借款。\n");
        }
        "cadre-pay" => {
            let _ = writeln!(md, "{label}村干部报酬及补贴发放（按镇核定标准）：\n");
            let rows: Vec<Vec<String>> = ["党组织书记", "村委会主任", "村委委员", "村委委员", "报账员"]
                .iter()
                .map(|post| vec![post.to_string(), names::cadre(rng), yuan(rng, 9_000, 21_000, 1.0).to_string()])
                .collect();
            table(&mut md, &["职务", "姓名", "本期发放（元）"], &rows);
        }
        CONTRACTS_REGISTER | ASSETS_REGISTER | RESOURCES_REGISTER => {
            let _ = writeln!(md, "{}{}（{label}）：\n", ctx.village, item.name);
            let count = 3 + rng.below(6);
            let rows: Vec<Vec<String>> = (0..count)
                .map(|i| {
                    vec![
                        format!("{:03}", i + 1),
                        rng.pick(&["村办公楼", "厂房", "鱼塘", "山林", "耕地", "店面", "仓库", "茶园"]).to_string(),
                        format!("{}", 50 + rng.below(3000)),
                        yuan(rng, 2_000, 80_000, a).to_string(),
                        rng.pick(&["出租", "自用", "发包", "闲置"]).to_string(),
                    ]
                })
                .collect();
            table(&mut md, &["编号", "名称", "面积（平方米/亩）", "价值或年租金（元）", "状态"], &rows);
        }
        "points-ranking" => {
            let _ = writeln!(md, "{label}积分制管理积分排名（前十户）：\n");
            let mut points: Vec<u64> = (0..10).map(|_| 60 + rng.below(90)).collect();
            points.sort_unstable_by(|x, y| y.cmp(x));
            let rows: Vec<Vec<String>> = points
                .iter()
                .enumerate()
                .map(|(i, p)| vec![(i + 1).to_string(), names::masked_person(rng), p.to_string()])
                .collect();
            table(&mut md, &["名次", "户主", "积分"], &rows);
            md.push_str("积分可在村积分超市兑换生活用品。\n");
        }
        "mediation" => {
            let n = rng.below(6);
            let _ = writeln!(
                md,
                "{label}共受理矛盾纠纷 {n} 件，调解成功 {} 件，涉及邻里、土地、婚姻家庭等。",
                n.saturating_sub(rng.below(2))
            );
        }
        "safety-notices" => {
            let topic = rng.pick(&[
                "防汛防台",
                "森林防火",
                "用电安全",
                "防范电信诈骗",
                "冬季取暖防一氧化碳中毒",
                "道路交通安全",
            ]);
            let _ = writeln!(
                md,
                "## {topic}提示\n\n{}起，请村民注意{topic}。如遇险情请拨打村值班电话或 110。\n\n- 不在危险地带逗留\n- 老人、儿童有人看护\n- 发现隐患及时报告网格员",
                date_label(ctx)
            );
        }
        "decision-resolution" | "decision-result" | "works-tender" | "works-progress" | "one-matter-funds" => {
            let project = rng.pick(&[
                "村道硬化",
                "文化礼堂修缮",
                "农田水利沟渠清淤",
                "路灯安装",
                "公厕改造",
                "饮用水管网改造",
                "垃圾分类亭建设",
            ]);
            let amount = yuan(rng, 30_000, 600_000, a);
            let _ = writeln!(md, "**事项**：{project}\n\n**日期**：{}\n\n**预算金额**：{amount} 元\n", date_label(ctx));
            match item.id.as_str() {
                "decision-resolution" => md.push_str("经党支部提议、村两委会议商议、党员大会审议、村民代表会议决议（应到 35 人，实到 31 人，同意 29 人），通过该事项。\n"),
                "decision-result" => md.push_str("该事项已按决议实施完毕，经村务监督委员会监督，资金使用情况见阳光财务栏目。\n"),
                "works-tender" => md.push_str("拟通过镇公共资源交易平台公开招标，欢迎符合资质的单位报名。\n"),
                "works-progress" => md.push_str("工程已完工并通过镇村两级验收，决算金额见上表，请村民监督。\n"),
                _ => md.push_str("经村民代表会议讨论，按“一事一议”筹资筹劳，每人筹资标准不超过上级规定。\n"),
            }
        }
        _ => {
            let when = ctx.period.map(|p| p.label_zh()).unwrap_or_else(|| date_label(ctx));
            let _ = writeln!(md, "{}{}{}。\n", ctx.village, when, item.name);
            let _ = writeln!(
                md,
                "本事项按规定经{}审核后公开。如有疑问，请在公开之日起 10 日内向村务监督委员会提出，村里将在 10 日内答复。",
                item.reviewers.first().map_or("村务监督委员会", |r| r.zh())
            );
        }
    }
    Body { markdown: md, attachment }
}
