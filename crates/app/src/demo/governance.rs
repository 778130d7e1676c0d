//! The demo's governance records: every village gets a party branch with its committee and
//! member counts, two years of organisational life and dues, a micro-power list of realistic
//! powers with their flows, a seal and certificate log, and a charter and village rules with
//! two versions each. The records are stored as a clerk's forms store them, and their
//! disclosures are generated from them the same way, published on time.

use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use yangguang_core::governance::party::{Branch, BranchKind, CommitteeMember, Dues, DuesUse, Meeting, MeetingKind};
use yangguang_core::governance::powers::{Power, SealEntry, SealKind};
use yangguang_core::governance::rules::{RuleDoc, RuleVersion};
use yangguang_core::period::PeriodKind;
use yangguang_core::{DisclosureKind, DisclosureState, Fen, NewDisclosure, Period, Region};
use yangguang_store::Stored;

use super::{Rng, names, office_time};
use crate::governance::{Generated, party, powers, rules};
use crate::{AppError, Site};

/// The catalog items this module publishes for every village (the generic plan leaves them).
pub const ITEMS: [&str; 6] = [
    yangguang_core::catalog::required::PARTY_ORGANISATION,
    yangguang_core::catalog::required::PARTY_LIFE,
    yangguang_core::catalog::required::PARTY_DUES,
    yangguang_core::catalog::required::MICRO_POWER_LIST,
    yangguang_core::catalog::required::SEAL_LOG,
    yangguang_core::catalog::required::VILLAGE_RULES,
];

fn published(site: &Site, village: &Region, g: Generated, on: NaiveDate, rng: &mut Rng) -> NewDisclosure {
    let at = office_time(on, rng);
    let column = site.catalog.item(g.item).map(|i| i.column.clone()).unwrap_or_default();
    NewDisclosure {
        village: village.code,
        column,
        catalog_item: Some(g.item.to_owned()),
        period: g.period,
        title: g.title,
        body_md: g.body,
        state: DisclosureState::Published,
        created_at: at,
        published_at: Some(at),
        attachments: vec![],
        kind: DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: None,
        signoffs: vec![],
    }
}

/// Category, name, legal basis, responsible post, steps, disclosure requirement.
type PowerRow = (&'static str, &'static str, &'static str, &'static str, &'static [&'static str], &'static str);

const POWERS: [PowerRow; 6] = [
    (
        "集体资产管理",
        "集体资产出租、发包",
        "《村民委员会组织法》第二十四条；《浙江省农村集体资产管理条例》",
        "村委会主任",
        &[
            "村两委联席会议提出出租方案",
            "村务监督委员会审核",
            "村民代表会议表决",
            "进入公共资源交易平台公开交易",
            "签订合同并公示交易结果",
        ],
        "交易公告不少于 7 天，结果公示 5 天",
    ),
    (
        "工程项目",
        "村级工程项目建设",
        "《村民委员会组织法》第二十四条；县村级小型工程管理办法",
        "村党组织书记",
        &[
            "提出项目建议",
            "“五议两公开”程序决策",
            "按规定招标或比选",
            "施工与村务监督委员会全程监督",
            "竣工验收",
            "结算审计并公开",
        ],
        "立项、招标、验收、结算各阶段公开",
    ),
    (
        "财务管理",
        "村级财务支出审批",
        "《农村集体经济组织财务制度》",
        "村委会主任、村务监督委员会主任",
        &[
            "经办人取得合法票据并注明用途",
            "村务监督委员会审核签字",
            "村委会主任审批",
            "报镇农村会计服务中心记账",
            "按月公开收支明细",
        ],
        "每月公开收支明细及原始票据",
    ),
    (
        "便民服务",
        "用印管理",
        "本村印章管理制度",
        "村委会主任",
        &["申请人填写用印申请", "审批人审核签字", "专人登记并用印", "每月公开用印登记"],
        "用印登记每月公开",
    ),
    (
        "民生保障",
        "低保申请初审",
        "《社会救助暂行办法》；浙江省最低生活保障办法",
        "村民政协理员",
        &["村民提出申请", "入户调查核实家庭收入", "村民代表民主评议", "评议结果公示 7 天", "报镇政府审核审批"],
        "评议结果公示 7 天",
    ),
    (
        "便民服务",
        "出具各类证明",
        "本村证明出具管理制度",
        "村委会主任",
        &["申请人提交材料", "经办人核实情况", "审批人签字", "登记并出具证明"],
        "证明登记每月公开",
    ),
];

const SEAL_MATTERS: [(SealKind, &str, &str, bool); 8] = [
    (SealKind::Certificate, "出具居住证明", "子女入学", true),
    (SealKind::Certificate, "出具亲属关系证明", "办理继承公证", true),
    (SealKind::Seal, "集体资产租赁合同用印", "签订租赁合同", false),
    (SealKind::Certificate, "出具家庭经济困难证明", "申请助学金", true),
    (SealKind::Seal, "工程验收单用印", "村道硬化工程验收", false),
    (SealKind::Certificate, "出具无违建证明", "办理建房审批", true),
    (SealKind::Seal, "补助申报表用印", "申报耕地地力保护补贴", false),
    (SealKind::Certificate, "出具农业经营证明", "申请农户贷款", true),
];

const TOPICS: [&str; 8] = [
    "学习党的二十届三中全会精神",
    "开展“红色议事”主题党日",
    "年度组织生活会和民主评议党员",
    "讨论村级工程项目建设事项",
    "学习新修订的《中国共产党纪律处分条例》",
    "清明祭扫革命烈士墓",
    "志愿服务：村庄环境整治",
    "专题党课：乡村振兴与共同富裕",
];

/// Stores a village's governance records and returns their disclosures, published on time.
pub async fn village_records(
    site: &Site,
    village: &Region,
    as_of: NaiveDate,
    rng: &mut Rng,
) -> Result<Vec<NewDisclosure>, AppError> {
    let now = Utc::now();
    let store = &site.store;
    let name = &village.name;
    let start = as_of.checked_sub_months(Months::new(24)).expect("in range");
    let mut out = vec![];

    // The branch, changed once in the window.
    let secretary = names::cadre(rng);
    let total = 20 + rng.below(40) as u32;
    let probationary = rng.below(3) as u32;
    let posts = [
        ("书记", "主持支部全面工作"),
        ("副书记", "协助书记工作，分管党风廉政建设"),
        ("组织委员", "党员发展、教育管理和组织生活"),
        ("宣传委员", "宣传思想和精神文明建设"),
        ("纪检委员", "党员纪律监督和廉政提醒"),
    ];
    let committee = posts
        .iter()
        .enumerate()
        .map(|(i, (post, duties))| CommitteeMember {
            name: if i == 0 { secretary.clone() } else { names::cadre(rng) },
            post: (*post).into(),
            duties: (*duties).into(),
        })
        .collect();
    let branch = Branch {
        name: format!("中共{name}支部委员会"),
        kind: if total > 50 { BranchKind::GeneralBranch } else { BranchKind::Branch },
        secretary,
        members_total: total,
        members_full: total - probationary,
        members_probationary: probationary,
        committee,
    };
    store.save_party_branch(village.code, &branch, now).await?;
    let changed = start + Days::new(30 + rng.below(300));
    out.push(published(
        site,
        village,
        party::organisation_disclosure(name, &branch, changed),
        changed + Days::new(5),
        rng,
    ));

    // Organisational life: a committee meeting and a theme day every month, members' meetings
    // and party lectures every quarter; published by the 15th after each quarter.
    let mut month = Period::containing(PeriodKind::Month, start);
    while month.start() <= as_of {
        for kind in [MeetingKind::CommitteeMeeting, MeetingKind::ThemeDay] {
            let held_on = month.start() + Days::new(rng.below(25));
            if held_on > as_of {
                continue;
            }
            let expected = if kind == MeetingKind::CommitteeMeeting { 5 } else { total };
            let m = Meeting {
                held_on,
                kind,
                topic: (*rng.pick(&TOPICS)).into(),
                expected,
                present: expected - rng.below(u64::from(expected / 6 + 1)) as u32,
            };
            store.add_party_meeting(village.code, &m, now).await?;
        }
        if let Period::Month { month: 3 | 6 | 9 | 12, .. } = month {
            for kind in [MeetingKind::MembersMeeting, MeetingKind::PartyLecture, MeetingKind::GroupMeeting] {
                let held_on = month.start() + Days::new(rng.below(20));
                if held_on <= as_of {
                    let m = Meeting {
                        held_on,
                        kind,
                        topic: (*rng.pick(&TOPICS)).into(),
                        expected: total,
                        present: total - rng.below(u64::from(total / 5 + 1)) as u32,
                    };
                    store.add_party_meeting(village.code, &m, now).await?;
                }
            }
        }
        month = month.next();
    }
    let mut quarter = Period::containing(PeriodKind::Quarter, start);
    while quarter.end() < as_of {
        let on = quarter.end() + Days::new(3 + rng.below(12));
        let meetings = store.party_meetings(village.code, quarter.start(), quarter.end()).await?;
        if on <= as_of && !meetings.is_empty() {
            out.push(published(site, village, party::life_disclosure(name, quarter, &meetings), on, rng));
        }
        quarter = quarter.next();
    }

    // Dues, half-year by half-year, each carrying its balance to the next.
    let mut half = Period::containing(PeriodKind::HalfYear, start);
    let mut balance = Fen(rng.below(50_000) as i64);
    while half.end() < as_of {
        let collected = Fen(i64::from(total) * (1_200 + rng.below(2_000) as i64));
        let uses = vec![
            DuesUse { purpose: "订阅党报党刊".into(), amount: Fen(60_000 + rng.below(20) as i64 * 1_000) },
            DuesUse {
                purpose: "慰问困难党员和老党员".into(), amount: Fen(80_000 + rng.below(40) as i64 * 1_000)
            },
            DuesUse { purpose: "党员教育培训资料".into(), amount: Fen(20_000 + rng.below(20) as i64 * 500) },
        ];
        let used: Fen = uses.iter().map(|u| u.amount).sum();
        let (uses, used) =
            if used > balance.checked_add(collected).unwrap_or(used) { (vec![], Fen(0)) } else { (uses, used) };
        let carried = Fen(balance.0 + collected.0 - used.0);
        let d = Dues { half, brought_forward: balance, collected, used, carried, uses };
        store.save_party_dues(village.code, &d, now).await?;
        let on = half.end() + Days::new(5 + rng.below(10));
        if on <= as_of {
            out.push(published(site, village, party::dues_disclosure(name, &d), on, rng));
        }
        balance = carried;
        half = half.next();
    }

    // The micro-power list, adopted early in the window.
    let mut list: Vec<Stored<Power>> = vec![];
    for (category, pname, basis, post, steps, disclosure) in POWERS {
        let p = Power {
            category: category.into(),
            name: pname.into(),
            legal_basis: basis.into(),
            responsible_post: post.into(),
            steps: steps.iter().map(|s| (*s).to_owned()).collect(),
            disclosure: disclosure.into(),
        };
        let id = store.save_power(village.code, None, &p, now).await?;
        list.push(Stored { id, value: p });
    }
    let adopted = start + Days::new(10 + rng.below(40));
    out.push(published(site, village, powers::list_disclosure(name, &list, adopted), adopted + Days::new(7), rng));

    // The seal and certificate log: a few entries a month, published by the 8th.
    let mut month = Period::containing(PeriodKind::Month, start);
    while month.end() < as_of {
        for _ in 0..(2 + rng.below(5)) {
            let (kind, matter, purpose, person) = *rng.pick(&SEAL_MATTERS);
            let applicant = if person { names::cadre(rng) } else { format!("{name}股份经济合作社") };
            let on = month.start() + Days::new(rng.below(u64::from(month.end().day())));
            let e = SealEntry::typed(on, kind, matter, &applicant, person, "村委会主任", purpose);
            store.add_seal_entry(village.code, &e, now).await?;
        }
        let on = month.end() + Days::new(2 + rng.below(6));
        if on <= as_of {
            let entries = store.seal_entries(village.code, month.start(), month.end()).await?;
            out.push(published(site, village, powers::log_disclosure(name, month, &entries), on, rng));
        }
        month = month.next();
    }

    // The charter and the rules, two versions each; the second amends one article.
    let year = start.year();
    for (doc, title, text_v1, text_v2, amended) in [
        (RuleDoc::Charter, format!("{name}村民自治章程"), CHARTER_V1, CHARTER_V2, start + Days::new(200)),
        (RuleDoc::Rules, format!("{name}村规民约"), RULES_V1, RULES_V2, start + Days::new(400)),
    ] {
        let versions = [
            (
                text_v1,
                NaiveDate::from_ymd_opt(year - 3, 3, 15).expect("valid"),
                format!("{}-00{}", year - 3, 1 + doc as u32),
            ),
            (text_v2, amended, format!("{}-0{}", amended.year(), 10 + rng.below(80))),
        ];
        for (text, adopted_on, decision_no) in versions {
            let v = RuleVersion { doc, title: title.clone(), text_md: text.into(), adopted_on, decision_no };
            let stored = store.add_rule_version(village.code, &v, now).await?;
            let on = if adopted_on < start { start + Days::new(1) } else { adopted_on + Days::new(3) };
            out.push(published(site, village, rules::version_disclosure(village.code, &v, stored.version_no), on, rng));
        }
    }
    Ok(out)
}

/// Links each rule version to the disclosure published for it (matched by title, which names
/// the version), once the demo's disclosures are stored.
pub async fn link_rules(site: &Site, village: &Region) -> Result<(), AppError> {
    let versions = site.store.rule_versions(village.code).await?;
    let ids: Vec<_> = site
        .store
        .item_versions(village.code, yangguang_core::catalog::required::VILLAGE_RULES, None)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let disclosures = site.store.get_disclosures(&ids).await?;
    for v in versions {
        let g = rules::version_disclosure(village.code, &v.version, v.version_no);
        if let Some(d) = disclosures.iter().find(|d| d.title == g.title) {
            site.store.set_rule_disclosure(v.id, d.id).await?;
        }
    }
    Ok(())
}

const CHARTER_V1: &str = "## 第一章 总则\n\n第一条 为推进村民自治，依据《中华人民共和国村民委员会组织法》，制定本章程。\n\n第二条 村民会议是本村最高决策机构，村民代表会议受村民会议委托行使职权。\n\n## 第二章 村务管理\n\n第三条 村务公开每季度不少于一次，财务收支每月公开一次。\n\n第四条 涉及村民利益的重大事项，实行“四议两公开”。";
const CHARTER_V2: &str = "## 第一章 总则\n\n第一条 为推进村民自治，依据《中华人民共和国村民委员会组织法》，制定本章程。\n\n第二条 村民会议是本村最高决策机构，村民代表会议受村民会议委托行使职权。\n\n## 第二章 村务管理\n\n第三条 村务公开每季度不少于一次，财务收支每月公开一次，并通过“阳光村务”平台同步公开。\n\n第四条 涉及村民利益的重大事项，实行“五议两公开”，村务监督委员会全程监督。\n\n第五条 村民对公开内容有疑问的，可以向村务监督委员会提出，村务监督委员会应在十日内答复。";
const RULES_V1: &str = "第一条 爱护公共设施，不损坏道路、路灯、水利设施。\n\n第二条 保持村庄整洁，垃圾分类投放，不乱堆乱放。\n\n第三条 婚丧喜庆从简办理，不大操大办。\n\n第四条 邻里和睦，遇有纠纷先找村调解委员会调解。";
const RULES_V2: &str = "第一条 爱护公共设施，不损坏道路、路灯、水利设施。\n\n第二条 保持村庄整洁，垃圾分类投放，不乱堆乱放。\n\n第三条 婚丧喜庆从简办理，婚宴不超过 20 桌，丧事不超过 3 天，由红白理事会指导。\n\n第四条 邻里和睦，遇有纠纷先找村调解委员会调解。\n\n第五条 不在林区烧荒、烧纸，上山不带火种。";
