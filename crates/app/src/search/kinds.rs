//! What is searchable, one function per kind: each reads one village's public content of its
//! kind from the store and turns it into index documents. Only what a public page shows goes
//! in (published disclosures, accounts of published months, masked names).
//!
//! Adding a kind: a variant of [`Kind`] with a new number, its
//! label in `i18n::search`, and one function here added to [`village_docs`].

use chrono::{Datelike, NaiveDate};
use yangguang_core::time::china_date;
use yangguang_core::{DisclosureState, Period, RegionCode};
use yangguang_search::Doc;
use yangguang_store::{DisclosureQuery, QuestionState};

use crate::i18n::{Label, Lang};
use crate::{AppError, Site};

/// The kinds of searchable things; the numbers are stored in the index (never reuse one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Disclosure = 1,
    Finance = 2,
    Lease = 3,
    Listing = 4,
    Question = 5,
    Decision = 6,
}

impl Kind {
    pub const ALL: [Kind; 6] =
        [Kind::Disclosure, Kind::Finance, Kind::Lease, Kind::Listing, Kind::Question, Kind::Decision];

    pub fn number(self) -> u64 {
        self as u64
    }

    pub fn from_number(n: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.number() == n)
    }

    /// The name in URLs (`?kind=finance`) and the JSON API.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Disclosure => "disclosure",
            Kind::Finance => "finance",
            Kind::Lease => "lease",
            Kind::Listing => "listing",
            Kind::Question => "question",
            Kind::Decision => "decision",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.search();
        match self {
            Kind::Disclosure => t.kind_disclosure,
            Kind::Finance => t.kind_finance,
            Kind::Lease => t.kind_lease,
            Kind::Listing => t.kind_listing,
            Kind::Question => t.kind_question,
            Kind::Decision => t.kind_decision,
        }
    }
}

/// Every searchable document of a village, all kinds.
pub async fn village_docs(site: &Site, village: RegionCode) -> Result<Vec<Doc>, AppError> {
    let base = Base::new(site, village);
    let mut docs = disclosures(site, &base).await?;
    docs.extend(finance_lines(site, &base).await?);
    docs.extend(leases(site, &base).await?);
    docs.extend(listings(site, &base).await?);
    docs.extend(questions(site, &base).await?);
    docs.extend(decisions(site, &base).await?);
    Ok(docs)
}

/// What every document of a village shares.
struct Base {
    village: RegionCode,
    regions: Vec<String>,
}

impl Base {
    fn new(site: &Site, village: RegionCode) -> Self {
        // The village and every region above it: a town's or the county's search finds it.
        let regions = site.regions().ancestry(village).iter().map(|r| r.code.to_string()).collect::<Vec<_>>();
        let regions = if regions.is_empty() { vec![village.to_string()] } else { regions };
        Self { village, regions }
    }

    #[allow(clippy::too_many_arguments)]
    fn doc(
        &self,
        kind: Kind,
        key: String,
        title: String,
        body: String,
        date: NaiveDate,
        url: String,
        meta: String,
    ) -> Doc {
        Doc {
            key,
            village: self.village.to_string(),
            regions: self.regions.clone(),
            kind: kind.number(),
            title,
            body,
            date: i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day()),
            url,
            meta,
        }
    }
}

fn path_part(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

/// Published disclosures (current versions): title and body text.
async fn disclosures(site: &Site, base: &Base) -> Result<Vec<Doc>, AppError> {
    let mut ids = Vec::new();
    let mut page = 1;
    loop {
        let query = DisclosureQuery { village: base.village, columns: vec![], page, per_page: 500 };
        let listed = site.store.list_disclosures(&query).await?;
        ids.extend(listed.items.iter().filter(|d| d.state == DisclosureState::Published).map(|d| d.id));
        if page >= listed.page_count() {
            break;
        }
        page += 1;
    }
    let mut docs = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(200) {
        for d in site.store.get_disclosures(chunk).await? {
            if d.state != DisclosureState::Published {
                continue;
            }
            let day = d.published_at.map_or_else(|| china_date(d.created_at), china_date);
            let column = site.catalog.column(&d.column).map(|c| c.name.clone()).unwrap_or_default();
            let meta = match d.period {
                Some(p) => format!("{column} · {}", p.label_zh()),
                None => column,
            };
            docs.push(base.doc(
                Kind::Disclosure,
                format!("d:{}", d.id.0),
                d.title.clone(),
                crate::markdown::plain_text(&d.body_md, 20_000),
                day,
                format!("/v/{}/d/{}", base.village, d.id.0),
                meta,
            ));
        }
    }
    Ok(docs)
}

/// Vouchers of the months whose accounts are published: summary, accounts and amounts of
/// every line, date and voucher number.
async fn finance_lines(site: &Site, base: &Base) -> Result<Vec<Doc>, AppError> {
    let mut months: Vec<(i32, u32)> = site
        .store
        .published_periods(base.village)
        .await?
        .into_iter()
        .filter(|(item, _)| item == crate::finance::MONTHLY_ACCOUNTS_ITEM)
        .filter_map(|(_, p)| match p {
            Period::Month { year, month } => Some((year, month)),
            _ => None,
        })
        .collect();
    if months.is_empty() {
        return Ok(vec![]);
    }
    months.sort_unstable();
    months.dedup();
    let first = months[0];
    let last = months[months.len() - 1];
    let from = NaiveDate::from_ymd_opt(first.0, first.1, 1).expect("valid month");
    let to = Period::Month { year: last.0, month: last.1 }.end();
    let entries = site.store.ledger_entries(base.village, from, to).await?;
    // One document per voucher (its lines share the summary): the accounts and amounts of
    // all its lines are searchable, the debit total is shown.
    let mut vouchers: std::collections::BTreeMap<(NaiveDate, String), Vec<&yangguang_core::ledger::LedgerEntry>> =
        Default::default();
    for e in &entries {
        if months.binary_search(&(e.date.year(), e.date.month())).is_ok() {
            vouchers.entry((e.date, e.voucher_no.clone())).or_default().push(e);
        }
    }
    let mut docs = Vec::with_capacity(vouchers.len());
    for ((date, number), lines) in vouchers {
        let month = format!("{}-{:02}", date.year(), date.month());
        let anchor: String =
            yangguang_core::ledger::normalize_voucher_no(&number).chars().filter(char::is_ascii_alphanumeric).collect();
        let total = yangguang_core::Fen(lines.iter().map(|l| l.debit.0).sum());
        let accounts: Vec<String> = lines
            .iter()
            .map(|l| {
                let (side, amount) = if l.debit.0 != 0 { ("借", l.debit) } else { ("贷", l.credit) };
                format!("{} {} {side} {amount} 元", l.account_name, l.account_code)
            })
            .collect();
        let summaries: Vec<&str> =
            lines.iter().map(|l| l.summary.as_str()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        docs.push(base.doc(
            Kind::Finance,
            format!("f:{}:{month}:{number}", base.village),
            summaries.join("；"),
            format!("{number} {}", accounts.join("；")),
            date,
            format!("/v/{}/finance/{month}#v-{anchor}", base.village),
            format!("{number} · {total} 元"),
        ));
    }
    Ok(docs)
}

/// The lease register: asset, type, place, lessee as published (people masked), rent, term.
async fn leases(site: &Site, base: &Base) -> Result<Vec<Doc>, AppError> {
    let leases = crate::leases::village_leases(site, base.village).await?;
    Ok(leases
        .iter()
        .map(|l| {
            base.doc(
                Kind::Lease,
                format!("l:{}/{}", base.village, l.contract_no),
                format!("{}（{}）", l.asset, l.contract_no),
                format!(
                    "{} {} 承租方 {} 年租金 {} 元 {} 至 {} 出租 租金",
                    l.asset_type, l.location, l.lessee, l.annual_rent, l.start, l.end
                ),
                l.start,
                format!("/v/{}/leases/{}", base.village, path_part(&l.contract_no)),
                format!("年租金 {} 元 · {} 至 {}", l.annual_rent, l.start, l.end),
            )
        })
        .collect())
}

/// Trading listings: title, subject, place, project number, reserve price, the deal.
async fn listings(site: &Site, base: &Base) -> Result<Vec<Doc>, AppError> {
    let listings = crate::trading::village_listings(site, base.village).await?;
    Ok(listings
        .iter()
        .map(|l| {
            let deal = l
                .deal
                .as_ref()
                .map(|d| format!("成交价 {} 元 受让方 {} {}", d.price, d.winner, d.date))
                .unwrap_or_default();
            base.doc(
                Kind::Listing,
                format!("t:{}", l.project_no),
                l.title.clone(),
                format!(
                    "{} {} {} 底价 {} {} {deal} 交易",
                    l.subject_type,
                    l.location,
                    l.project_no,
                    l.reserve_price,
                    l.price_unit.label(false)
                ),
                l.announcement.start,
                format!("/v/{}/trading/{}", base.village, path_part(&l.project_no)),
                format!("{} · 底价 {} {}", l.project_no, l.reserve_price, l.price_unit.label(false)),
            )
        })
        .collect())
}

/// Villagers' questions shown in public (open or answered, with the asker's consent), with
/// their replies.
async fn questions(site: &Site, base: &Base) -> Result<Vec<Doc>, AppError> {
    let shown = [QuestionState::Open, QuestionState::Answered];
    let questions = site.store.village_questions(base.village, &shown).await?;
    Ok(questions
        .iter()
        .filter(|q| q.new.public_ok)
        .map(|q| {
            let reply = q.reply.as_deref().unwrap_or_default();
            base.doc(
                Kind::Question,
                format!("q:{}", q.id),
                q.new.target_title.clone(),
                format!("{} {reply}", q.new.body),
                china_date(q.new.asked_at),
                format!("/v/{}/questions", base.village),
                if q.reply.is_some() { "已答复".into() } else { "待答复".into() },
            )
        })
        .collect())
}

/// The village's decision records (四议两公开), all public: number and subject, the kind and
/// amount, and what each step recorded.
async fn decisions(site: &Site, base: &Base) -> Result<Vec<Doc>, AppError> {
    let mut steps: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (number, s) in site.store.village_steps(base.village).await? {
        steps.entry(number).or_default().push(s.record.content);
    }
    Ok(site
        .store
        .village_decisions(base.village)
        .await?
        .iter()
        .map(|r| {
            let d = &r.new;
            let amount = d.amount.map(|a| format!("{a} 元")).unwrap_or_default();
            let kind = d.kind.label(Lang::Zh);
            let contents = steps.get(&d.number).map(|s| s.join(" ")).unwrap_or_default();
            base.doc(
                Kind::Decision,
                format!("c:{}/{}", base.village, d.number),
                format!("{} {}", d.number, d.subject),
                format!("{kind} {amount} 决议 四议两公开 {contents}"),
                china_date(d.created_at),
                crate::decisions::path(base.village, &d.number),
                if amount.is_empty() { kind.to_string() } else { format!("{kind} · {amount}") },
            )
        })
        .collect())
}
