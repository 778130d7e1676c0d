//! The README village's decision records: one for each of its first leases and for its works,
//! most clean and published, one with a failed quorum, one missing the party members'
//! meeting, one whose payments exceed the amount resolved — and its leases and largest
//! payments linked to them.

use chrono::{Datelike, Days, NaiveDate, Utc};
use yangguang_core::decision::{Counts, Form, Kind, Procedure, Step, StepRecord};
use yangguang_core::{DisclosureKind, DisclosureState, Fen, NewDisclosure, Region};
use yangguang_store::{DecisionLink, NewDecision, StoredStep};

use super::{office_time, planted};
use crate::decisions::{self, RESOLUTION_ITEM, RESULT_ITEM};
use crate::{AppError, Site};

/// A demo decision: how its steps went.
struct Plan {
    number: String,
    subject: String,
    kind: Kind,
    amount: Option<Fen>,
    resolved: NaiveDate,
    /// Members present of 30 (≥ 20 meets the quorum).
    members_present: u32,
    skip_members: bool,
    done: bool,
}

fn steps(p: &Plan) -> Vec<StepRecord> {
    let day = |back: u64| p.resolved - Days::new(back);
    let counted = |step, date, form, expected: u32, present: u32| StepRecord {
        step,
        date,
        form,
        counts: Some(Counts {
            expected,
            present,
            votes_for: present - present / 10 - 1,
            against: present / 10,
            abstain: 1,
        }),
        content: format!("审议“{}”", p.subject),
    };
    let plain =
        |step, date, content: &str| StepRecord { step, date, form: None, counts: None, content: content.into() };
    let mut out = vec![
        plain(Step::Proposal, day(14), "村党支部委员会研究提出议题"),
        counted(Step::Committees, day(10), None, 7, 7),
    ];
    if !p.skip_members {
        out.push(counted(Step::Members, day(6), None, 30, p.members_present));
    }
    out.push(counted(Step::Resolution, p.resolved, Some(Form::Representatives), 45, 39));
    if p.done {
        out.push(plain(Step::Implementation, p.resolved + Days::new(30), "已按决议组织实施"));
    }
    out
}

/// A decision's resolution (or result) as a disclosure published on `on`, for the demo's
/// timeline; its sign-offs are added with everyone else's.
async fn publication(
    site: &Site,
    village: &Region,
    number: &str,
    step: Step,
    on: NaiveDate,
) -> Result<NewDisclosure, AppError> {
    let view = decisions::decision_view(site, village.code, number).await?.ok_or(AppError::NotFound)?;
    let item = if step == Step::ResolutionPublished { RESOLUTION_ITEM } else { RESULT_ITEM };
    let item = site.catalog.item(item).ok_or(AppError::NotFound)?;
    let at = office_time(on, &mut super::Rng::new(u64::from(on.ordinal())));
    Ok(NewDisclosure {
        village: village.code,
        column: item.column.clone(),
        catalog_item: Some(item.id.clone()),
        period: None,
        title: decisions::body::title(&view, step),
        body_md: decisions::body::body(&view, step),
        state: DisclosureState::Published,
        created_at: at - chrono::Duration::days(1),
        published_at: Some(at),
        attachments: vec![],
        kind: DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: None,
        signoffs: vec![],
    })
}

/// Names each decision's published resolution and result, found by the number in their titles.
pub(super) async fn attach_publications(site: &Site, village: &Region) -> Result<(), AppError> {
    let query = yangguang_store::DisclosureQuery {
        village: village.code,
        columns: vec!["affairs-resolutions".into()],
        page: 1,
        per_page: 200,
    };
    let published = site.store.list_disclosures(&query).await?;
    for d in site.store.village_decisions(village.code).await? {
        let number = &d.new.number;
        for s in &published.items {
            if !s.title.ends_with(&format!("（决议编号 {number}）")) {
                continue;
            }
            let step =
                if s.title.contains("实施结果公开") { Step::ResultPublished } else { Step::ResolutionPublished };
            site.store.set_publication(village.code, number, step, s.id).await?;
        }
    }
    site.published(village.code);
    Ok(())
}

/// Stores the village's decisions and links; their publications, to be published with the
/// rest of the demo's timeline.
pub(super) async fn add(site: &Site, village: &Region, as_of: NaiveDate) -> Result<Vec<NewDisclosure>, AppError> {
    let leases = crate::leases::village_leases(site, village.code).await?;
    let year = as_of.year();
    let mut plans = vec![];
    // Leases that began within the books' 24 months come first, so that each decision is
    // resolved before its contract began (an older lease's decision would predate the books).
    let begins_in_books = |l: &&yangguang_core::lease::Lease| l.start - Days::new(20) >= as_of - Days::new(700);
    let chosen = leases.iter().filter(begins_in_books).chain(leases.iter().filter(|l| !begins_in_books(l)));
    for (i, l) in chosen.take(3).enumerate() {
        let resolved = (l.start - Days::new(20)).max(as_of - Days::new(700));
        plans.push((
            Plan {
                number: format!("{}-{:03}", resolved.year(), 10 + i),
                subject: format!("{}出租", l.asset),
                kind: Kind::Lease,
                amount: Some(l.annual_rent),
                resolved,
                members_present: 26,
                skip_members: i == 2,
                done: true,
            },
            Some(l.clone()),
        ));
    }
    let plan = |n: u32, subject: &str, kind, yuan: i64, back: u64, members_present, done| Plan {
        number: format!("{year}-{n:03}"),
        subject: subject.into(),
        kind,
        amount: Some(Fen::from_yuan(yuan)),
        resolved: as_of - Days::new(back),
        members_present,
        skip_members: false,
        done,
    };
    // The works whose payments the planted books carry (`planted.rs`): resolved before them.
    plans.push((plan(1, planted::ROAD, Kind::Works, 180_000, 200, 27, true), None));
    plans.push((plan(2, planted::ROOF, Kind::Works, 20_000, 190, 25, true), None));
    plans.push((plan(3, "购置垃圾清运车一辆", Kind::AssetPurchase, 95_000, 40, 17, false), None));
    // The works decisions' payments, by their summaries in the books.
    let entries = site.store.ledger_entries(village.code, as_of - Days::new(400), as_of).await?;
    let mut payments: Vec<(String, Fen, NaiveDate, String)> = vec![];
    for v in yangguang_core::ledger::vouchers(&entries) {
        let lines: Vec<_> = v.lines.iter().collect();
        let (summary, amount, outgoing) = decisions::voucher_money(&lines);
        if outgoing {
            payments.push((summary, amount, v.date, v.lines[0].voucher_no.clone()));
        }
    }
    let mut out = vec![];
    for (p, lease) in plans {
        site.store
            .insert_decision(&NewDecision {
                village: village.code,
                number: p.number.clone(),
                subject: p.subject.clone(),
                kind: p.kind,
                procedure: Procedure::FourTwo,
                amount: p.amount,
                created_by: "演示数据".into(),
                created_at: Utc::now(),
            })
            .await?;
        for r in steps(&p) {
            let at = office_time(r.date, &mut super::Rng::new(7));
            site.store
                .put_step(
                    village.code,
                    &p.number,
                    &StoredStep { record: r, recorded_by: "村会计".into(), recorded_at: at },
                )
                .await?;
        }
        // The failed-quorum purchase is still waiting for its publication.
        if p.members_present >= 20 {
            out.push(
                publication(site, village, &p.number, Step::ResolutionPublished, p.resolved + Days::new(2)).await?,
            );
        }
        if p.done {
            out.push(publication(site, village, &p.number, Step::ResultPublished, p.resolved + Days::new(35)).await?);
        }
        let mut links = vec![];
        if let Some(l) = lease {
            links.push(decisions::lease_link(village.code, &l, &p.number, None));
        }
        // The road takes its two progress payments; the roof two, beyond its 20,000 yuan.
        let paid = match p.subject.as_str() {
            planted::ROAD => planted::ROAD_PAID,
            planted::ROOF => planted::ROOF_PAID,
            _ => "",
        };
        for (summary, amount, date, no) in payments.iter().filter(|x| !paid.is_empty() && x.0 == paid) {
            links.push(DecisionLink {
                village: village.code,
                target_kind: "voucher".into(),
                target_ref: decisions::voucher_ref(*date, no),
                number: p.number.clone(),
                label: summary.clone(),
                amount: *amount,
                outgoing: true,
                source: "console".into(),
                linked_by: "村会计".into(),
                linked_at: Utc::now(),
            });
        }
        site.store.put_links(&links).await?;
    }
    Ok(out)
}

/// Every village's budget resolutions: one a year, by the villagers' representatives in
/// January (四议两公开), with the year's pay vouchers linked to it — the one routine payment
/// above the large-payment threshold, which the resolution covers. Returns the resolutions'
/// publications, two days after each, for the demo's timeline (a resolution left
/// unpublished is flagged on the decision's page).
pub(super) async fn budgets(
    site: &Site,
    village: &Region,
    books: &[yangguang_core::ledger::LedgerEntry],
) -> Result<Vec<NewDisclosure>, AppError> {
    let mut links = vec![];
    let mut out = vec![];
    for (year, pays) in super::books::budget_payments(books) {
        let number = format!("YS-{year}");
        let spent: i64 = pays.iter().map(|p| p.2.0).sum();
        // The pay of twelve months at the most, rounded up to ten thousand yuan.
        let amount = Fen::from_yuan((spent / 100 * 12 / pays.len() as i64 / 10_000 + 1) * 10_000);
        let p = Plan {
            number: number.clone(),
            subject: format!("{year}年度村级财务收支预算（含村干部报酬）"),
            kind: Kind::Plan,
            amount: Some(amount),
            resolved: NaiveDate::from_ymd_opt(year, 1, 15).expect("valid"),
            members_present: 26,
            skip_members: false,
            done: false,
        };
        site.store
            .insert_decision(&NewDecision {
                village: village.code,
                number: number.clone(),
                subject: p.subject.clone(),
                kind: p.kind,
                procedure: Procedure::FourTwo,
                amount: p.amount,
                created_by: "演示数据".into(),
                created_at: Utc::now(),
            })
            .await?;
        for r in steps(&p) {
            let at = office_time(r.date, &mut super::Rng::new(7));
            site.store
                .put_step(
                    village.code,
                    &number,
                    &StoredStep { record: r, recorded_by: "村会计".into(), recorded_at: at },
                )
                .await?;
        }
        out.push(publication(site, village, &number, Step::ResolutionPublished, p.resolved + Days::new(2)).await?);
        for (date, no, paid) in pays {
            links.push(DecisionLink {
                village: village.code,
                target_kind: "voucher".into(),
                target_ref: decisions::voucher_ref(date, &no),
                number: number.clone(),
                label: super::books::PAY_SUMMARY.into(),
                amount: paid,
                outgoing: true,
                source: "console".into(),
                linked_by: "村会计".into(),
                linked_at: Utc::now(),
            });
        }
    }
    site.store.put_links(&links).await?;
    Ok(out)
}
