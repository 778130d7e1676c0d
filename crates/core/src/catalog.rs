//! The column tree (栏目) and the disclosure catalog (公开目录) as data: parsed from the TOML
//! text an operator edits, validated as a whole, with every problem located by file and line.
//! Reading the files from disk is the caller's job.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use serde::Deserialize;
use toml::Spanned;

pub use crate::deadline::DeadlineRule;
use crate::holidays::Holidays;
use crate::period::{Period, PeriodKind};

/// A stable, URL-safe column id such as `finance-income`.
pub type ColumnId = String;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub id: ColumnId,
    pub parent: Option<ColumnId>,
    pub name: String,
    pub name_en: String,
    /// One line shown under the column's name on tiles and in page descriptions.
    pub summary: String,
    pub summary_en: String,
    /// Content only the household itself (after login) may read.
    pub login_required: bool,
    /// 1 for first-level columns, up to 3.
    pub depth: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frequency {
    Monthly,
    Quarterly,
    HalfYearly,
    Yearly,
    /// Per event (a change, a decision, a stage of a project).
    OnEvent,
    /// Always visible; republished on amendment.
    Continuous,
}

impl Frequency {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "monthly" => Self::Monthly,
            "quarterly" => Self::Quarterly,
            "half-yearly" => Self::HalfYearly,
            "yearly" => Self::Yearly,
            "on-event" => Self::OnEvent,
            "continuous" => Self::Continuous,
            _ => return None,
        })
    }

    pub fn period_kind(self) -> Option<PeriodKind> {
        match self {
            Self::Monthly => Some(PeriodKind::Month),
            Self::Quarterly => Some(PeriodKind::Quarter),
            Self::HalfYearly => Some(PeriodKind::HalfYear),
            Self::Yearly => Some(PeriodKind::Year),
            Self::OnEvent | Self::Continuous => None,
        }
    }

    /// The kind of period a clerk picks for an item of this frequency: its period, or the
    /// event's day for per-event items; none for items that are always visible.
    pub fn input_kind(self) -> Option<PeriodKind> {
        match self {
            Self::OnEvent => Some(PeriodKind::Day),
            other => other.period_kind(),
        }
    }
}

/// Who must sign a disclosure off before it is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewerRole {
    /// 党支部
    Branch,
    /// 村务监督委员会
    SupervisionCommittee,
    /// 民主理财小组
    FinanceGroup,
    /// 镇（街道）
    Township,
    /// 公共资源交易平台
    TradingPlatform,
}

impl ReviewerRole {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "branch" => Self::Branch,
            "supervision-committee" => Self::SupervisionCommittee,
            "finance-group" => Self::FinanceGroup,
            "township" => Self::Township,
            "trading-platform" => Self::TradingPlatform,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Branch => "branch",
            Self::SupervisionCommittee => "supervision-committee",
            Self::FinanceGroup => "finance-group",
            Self::Township => "township",
            Self::TradingPlatform => "trading-platform",
        }
    }
}

/// Who may read the item's disclosures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    /// Only the household concerned, after login.
    Household,
}

/// One thing every village must publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogItem {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub column: ColumnId,
    pub frequency: Frequency,
    pub deadline: DeadlineRule,
    pub reviewers: Vec<ReviewerRole>,
    pub audience: Audience,
    /// Publishing this item freezes the village's books for its period: no import may add or
    /// change a voucher in those months afterwards, and the books must be as they were when
    /// the draft was generated for it to be signed (`locks_books` in `items.toml`).
    pub locks_books: bool,
    /// "Monthly when busy, else quarterly" (DOMAIN §3, the monthly accounts): a month with
    /// fewer vouchers than this is due with its quarter instead (`busy_vouchers`,
    /// `quiet_deadline` in `items.toml`).
    pub busy: Option<BusyRule>,
}

/// A monthly item's deadline in a quiet month: the quarter's, by `quiet_deadline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusyRule {
    /// Vouchers in a month from which it is busy (due monthly).
    pub vouchers: u32,
    /// The deadline of a quiet month, counted from the end of its quarter ("Q20").
    pub quiet_deadline: DeadlineRule,
}

impl CatalogItem {
    /// The last day to publish this periodic item for `period`; for a monthly item with a
    /// [`BusyRule`], `vouchers` (the month's count) decides between the month's deadline and
    /// its quarter's.
    pub fn deadline(&self, period: Period, vouchers: Option<u32>, holidays: &Holidays) -> Option<NaiveDate> {
        if let (Some(rule), Some(n), Period::Month { .. }) = (self.busy, vouchers, period)
            && n < rule.vouchers
        {
            let quarter = Period::containing(PeriodKind::Quarter, period.start());
            return rule.quiet_deadline.deadline_for(quarter, holidays);
        }
        self.deadline.deadline_for(period, holidays)
    }
}

/// The validated column tree and catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    columns: Vec<Column>,
    column_index: HashMap<ColumnId, usize>,
    items: Vec<CatalogItem>,
    item_index: HashMap<String, usize>,
    /// Public holidays and adjusted working days, for every working-day deadline.
    holidays: Holidays,
}

/// One problem in a catalog file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnsFile {
    column: Vec<Spanned<RawColumn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    id: Spanned<String>,
    parent: Option<Spanned<String>>,
    name: String,
    name_en: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    summary_en: String,
    #[serde(default)]
    login_required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsFile {
    item: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    name: String,
    name_en: String,
    column: Spanned<String>,
    frequency: Spanned<String>,
    deadline: Spanned<String>,
    reviewers: Spanned<Vec<String>>,
    #[serde(default)]
    audience: Option<Spanned<String>>,
    #[serde(default)]
    locks_books: Option<bool>,
    #[serde(default)]
    busy_vouchers: Option<Spanned<u32>>,
    #[serde(default)]
    quiet_deadline: Option<Spanned<String>>,
}

/// The catalog items the platform's own code depends on — drafts it generates, books it
/// locks, registers it re-publishes — named in this one place. The operator may change
/// everything else about them in `items.toml`, but not remove them: [`Catalog::missing_required`]
/// is checked when the catalog loads.
pub mod required {
    /// Monthly income and expenditure, entry by entry with receipts (阳光财务 收支明细).
    pub const MONTHLY_ACCOUNTS: &str = "income-expenditure";
    /// The collective assets register (资产台账).
    pub const ASSETS_REGISTER: &str = "assets-register";
    /// The resources register (资源台账).
    pub const RESOURCES_REGISTER: &str = "resources-register";
    /// The economic contracts register, leases included (经济合同台账).
    pub const CONTRACTS_REGISTER: &str = "contracts-register";

    /// The party branch's organisation and committee (党建引领 组织设置).
    pub const PARTY_ORGANISATION: &str = "party-organisation";
    /// Organisational life held (三会一课, 主题党日), quarterly.
    pub const PARTY_LIFE: &str = "party-life";
    /// Party dues collected and used, half-yearly.
    pub const PARTY_DUES: &str = "party-dues";
    /// The micro-power list (小微权力清单), on adoption or amendment.
    pub const MICRO_POWER_LIST: &str = "micro-power-list";
    /// The seal and certificate log (用印、证明登记), monthly.
    pub const SEAL_LOG: &str = "micro-power-log";
    /// The charter and village rules (村规民约), each version on adoption.
    pub const VILLAGE_RULES: &str = "village-rules";

    pub const ALL: [&str; 10] = [
        MONTHLY_ACCOUNTS,
        ASSETS_REGISTER,
        RESOURCES_REGISTER,
        CONTRACTS_REGISTER,
        PARTY_ORGANISATION,
        PARTY_LIFE,
        PARTY_DUES,
        MICRO_POWER_LIST,
        SEAL_LOG,
        VILLAGE_RULES,
    ];
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Catalog {
    /// Parses and validates both files; every problem found is returned, not just the first.
    pub fn parse(
        columns_file: &str,
        columns_text: &str,
        items_file: &str,
        items_text: &str,
    ) -> Result<Self, Vec<CatalogError>> {
        let mut errors = Vec::new();
        let columns = parse_columns(columns_file, columns_text, &mut errors);
        let column_index: HashMap<ColumnId, usize> =
            columns.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        let items = parse_items(items_file, items_text, &column_index, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let item_index = items.iter().enumerate().map(|(i, it)| (it.id.clone(), i)).collect();
        Ok(Self { columns, column_index, items, item_index, holidays: Holidays::none() })
    }

    /// This catalog with its deadlines counted over `holidays` (see [`crate::holidays`]).
    pub fn with_holidays(mut self, holidays: Holidays) -> Self {
        self.holidays = holidays;
        self
    }

    pub fn holidays(&self) -> &Holidays {
        &self.holidays
    }

    /// The [`required`] items this catalog lacks, as errors naming the items file.
    pub fn missing_required(&self, items_file: &str) -> Vec<CatalogError> {
        required::ALL
            .iter()
            .filter(|id| self.item(id).is_none())
            .map(|id| CatalogError {
                file: items_file.to_owned(),
                line: 1,
                message: format!(
                    "缺少平台依赖的公开目录事项 “{id}”，不能删除（可以修改名称、期限和审核人） / \
                     the item “{id}” is required by the platform and cannot be removed"
                ),
            })
            .collect()
    }

    /// Columns in file order (parents before their children).
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn column(&self, id: &str) -> Option<&Column> {
        self.column_index.get(id).map(|&i| &self.columns[i])
    }

    pub fn top_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.parent.is_none())
    }

    pub fn children(&self, id: &str) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(move |c| c.parent.as_deref() == Some(id))
    }

    /// The column and every column below it.
    pub fn subtree<'a>(&'a self, id: &'a str) -> Vec<&'a str> {
        let mut out = vec![];
        let mut stack = vec![id];
        while let Some(next) = stack.pop() {
            out.push(next);
            stack.extend(self.children(next).map(|c| c.id.as_str()));
        }
        out
    }

    /// From the first-level column down to `id`.
    pub fn ancestry(&self, id: &str) -> Vec<&Column> {
        let mut chain = vec![];
        let mut next = self.column(id);
        while let Some(c) = next {
            chain.push(c);
            next = c.parent.as_deref().and_then(|p| self.column(p));
        }
        chain.reverse();
        chain
    }

    /// The first-level column a column belongs to.
    pub fn top_of(&self, id: &str) -> Option<&Column> {
        self.ancestry(id).into_iter().next()
    }

    pub fn items(&self) -> &[CatalogItem] {
        &self.items
    }

    pub fn item(&self, id: &str) -> Option<&CatalogItem> {
        self.item_index.get(id).map(|&i| &self.items[i])
    }

    /// Periodic items whose deadline falls in `month`, with their state for one village.
    /// `published` says whether the village has published an item for a period.
    pub fn due_in_month(
        &self,
        month: Period,
        today: NaiveDate,
        published: impl Fn(&str, Period) -> bool,
    ) -> Vec<DueItem<'_>> {
        let mut due = Vec::new();
        for item in &self.items {
            let Some(kind) = item.frequency.period_kind() else {
                continue;
            };
            // The period whose deadline can fall in this month ends at most a year before it.
            let mut period = Period::containing(kind, month.start() - Days::new(400));
            while period.start() <= month.end() {
                if let Some(deadline) = item.deadline.deadline_for(period, &self.holidays)
                    && deadline >= month.start()
                    && deadline <= month.end()
                {
                    let state = if published(&item.id, period) {
                        DueState::Published
                    } else if today > deadline {
                        DueState::Overdue
                    } else {
                        DueState::Open
                    };
                    due.push(DueItem { item, period, deadline, state });
                }
                period = period.next();
            }
        }
        due.sort_by_key(|d| (d.deadline, d.item.id.clone()));
        due
    }

    /// Every period of a periodic item whose deadline is on or before `until`, from `from` on.
    pub fn periods_due(&self, item: &CatalogItem, from: NaiveDate, until: NaiveDate) -> Vec<Period> {
        let Some(kind) = item.frequency.period_kind() else {
            return vec![];
        };
        let mut out = vec![];
        let mut period = Period::containing(kind, from);
        while let Some(deadline) = item.deadline.deadline_for(period, &self.holidays) {
            if deadline > until {
                break;
            }
            out.push(period);
            period = period.next();
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    Published,
    Open,
    Overdue,
}

#[derive(Debug, Clone)]
pub struct DueItem<'a> {
    pub item: &'a CatalogItem,
    pub period: Period,
    pub deadline: NaiveDate,
    pub state: DueState,
}

fn parse_columns(file: &str, text: &str, errors: &mut Vec<CatalogError>) -> Vec<Column> {
    let mut err = |offset: usize, message: String| {
        errors.push(CatalogError { file: file.to_owned(), line: line_of(text, offset), message })
    };
    let raw: ColumnsFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            err(e.span().map_or(0, |s| s.start), e.message().to_owned());
            return vec![];
        }
    };
    let mut columns: Vec<Column> = Vec::new();
    let mut seen: HashMap<String, u8> = HashMap::new();
    for entry in raw.column {
        let raw = entry.into_inner();
        let id = raw.id.get_ref().clone();
        if !valid_id(&id) {
            err(raw.id.span().start, format!("栏目编号 “{id}” 只能含小写字母、数字和连字符"));
            continue;
        }
        if seen.contains_key(&id) {
            err(raw.id.span().start, format!("栏目编号 “{id}” 重复 / duplicate column id"));
            continue;
        }
        let (parent, depth) = match &raw.parent {
            None => (None, 1),
            Some(p) => match seen.get(p.get_ref()) {
                None => {
                    err(
                        p.span().start,
                        format!("上级栏目 “{}” 未定义（上级须写在下级之前）/ unknown parent column", p.get_ref()),
                    );
                    continue;
                }
                Some(&d) if d >= 3 => {
                    err(p.span().start, format!("栏目 “{id}” 超过三级 / columns have at most 3 levels"));
                    continue;
                }
                Some(&d) => (Some(p.get_ref().clone()), d + 1),
            },
        };
        seen.insert(id.clone(), depth);
        columns.push(Column {
            id,
            parent,
            name: raw.name,
            name_en: raw.name_en,
            summary: raw.summary,
            summary_en: raw.summary_en,
            login_required: raw.login_required,
            depth,
        });
    }
    if columns.iter().all(|c| c.parent.is_some()) {
        err(0, "至少需要一个一级栏目 / at least one first-level column".into());
    }
    columns
}

fn parse_items(
    file: &str,
    text: &str,
    columns: &HashMap<ColumnId, usize>,
    errors: &mut Vec<CatalogError>,
) -> Vec<CatalogItem> {
    let mut err = |offset: usize, message: String| {
        errors.push(CatalogError { file: file.to_owned(), line: line_of(text, offset), message })
    };
    let raw: ItemsFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            err(e.span().map_or(0, |s| s.start), e.message().to_owned());
            return vec![];
        }
    };
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    for entry in raw.item {
        let raw = entry.into_inner();
        let id = raw.id.get_ref().clone();
        let mut ok = true;
        if !valid_id(&id) {
            err(raw.id.span().start, format!("事项编号 “{id}” 只能含小写字母、数字和连字符"));
            ok = false;
        } else if !seen.insert(id.clone()) {
            err(raw.id.span().start, format!("事项编号 “{id}” 重复 / duplicate item id"));
            ok = false;
        }
        if !columns.contains_key(raw.column.get_ref()) {
            err(raw.column.span().start, format!("栏目 “{}” 不存在 / unknown column", raw.column.get_ref()));
            ok = false;
        }
        let frequency = Frequency::parse(raw.frequency.get_ref());
        if frequency.is_none() {
            err(
                raw.frequency.span().start,
                format!(
                    "频次 “{}” 无效，应为 monthly、quarterly、half-yearly、yearly、on-event 或 continuous",
                    raw.frequency.get_ref()
                ),
            );
            ok = false;
        }
        let deadline = match DeadlineRule::parse(raw.deadline.get_ref()) {
            Ok(d) => Some(d),
            Err(m) => {
                err(raw.deadline.span().start, m);
                ok = false;
                None
            }
        };
        if let (Some(f), Some(d)) = (frequency, deadline) {
            let fits = match d {
                DeadlineRule::AfterPeriodEnd { .. } => f.period_kind().is_some(),
                DeadlineRule::AfterEvent { .. } | DeadlineRule::BeforeEvent => f == Frequency::OnEvent,
                DeadlineRule::Always => f == Frequency::Continuous,
            };
            if !fits {
                err(raw.deadline.span().start, format!("期限规则 “{d}” 与频次 “{}” 不匹配", raw.frequency.get_ref()));
                ok = false;
            }
        }
        let mut reviewers = vec![];
        for r in raw.reviewers.get_ref() {
            match ReviewerRole::parse(r) {
                Some(role) => reviewers.push(role),
                None => {
                    err(raw.reviewers.span().start, format!("审核角色 “{r}” 无效"));
                    ok = false;
                }
            }
        }
        if reviewers.is_empty() && raw.reviewers.get_ref().is_empty() {
            err(raw.reviewers.span().start, "至少需要一个审核角色 / at least one reviewer".into());
            ok = false;
        }
        let audience = match raw.audience.as_ref().map(|a| a.get_ref().as_str()) {
            None | Some("public") => Audience::Public,
            Some("household") => Audience::Household,
            Some(other) => {
                let offset = raw.audience.as_ref().map_or(0, |a| a.span().start);
                err(offset, format!("公开对象 “{other}” 无效，应为 public 或 household"));
                ok = false;
                Audience::Public
            }
        };
        let busy = match (&raw.busy_vouchers, &raw.quiet_deadline) {
            (None, None) => None,
            (Some(n), quiet) => {
                let quiet_deadline = match quiet.as_ref().map(|q| (q, DeadlineRule::parse(q.get_ref()))) {
                    None => Ok(DeadlineRule::AfterPeriodEnd { days: 20, working: false }),
                    Some((_, Ok(rule @ DeadlineRule::AfterPeriodEnd { .. }))) => Ok(rule),
                    Some((q, Ok(_))) => Err((
                        q.span().start,
                        format!("非高峰月期限 “{}” 应为 period-end+Nd 或 period-end+Nwd（从季度末起算）", q.get_ref()),
                    )),
                    Some((q, Err(m))) => Err((q.span().start, m)),
                };
                if frequency != Some(Frequency::Monthly) {
                    err(
                        n.span().start,
                        "busy_vouchers 只适用于按月公开（monthly）的事项 / only for monthly items".into(),
                    );
                    ok = false;
                    None
                } else if *n.get_ref() == 0 {
                    err(n.span().start, "busy_vouchers 应大于 0 / must be above 0".into());
                    ok = false;
                    None
                } else {
                    match quiet_deadline {
                        Ok(rule) => Some(BusyRule { vouchers: *n.get_ref(), quiet_deadline: rule }),
                        Err((at, m)) => {
                            err(at, m);
                            ok = false;
                            None
                        }
                    }
                }
            }
            (None, Some(q)) => {
                err(q.span().start, "quiet_deadline 须与 busy_vouchers 一起设置 / needs busy_vouchers".into());
                ok = false;
                None
            }
        };
        if ok {
            let locks_books = raw.locks_books.unwrap_or(id == required::MONTHLY_ACCOUNTS);
            items.push(CatalogItem {
                id,
                name: raw.name,
                name_en: raw.name_en,
                column: raw.column.into_inner(),
                frequency: frequency.expect("checked"),
                deadline: deadline.expect("checked"),
                reviewers,
                audience,
                // Catalog files written before the setting existed keep the monthly accounts'
                // old behaviour.
                locks_books,
                busy,
            });
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &str = r#"
[[column]]
id = "finance"
name = "阳光财务"
name_en = "Finances"

[[column]]
id = "finance-income"
parent = "finance"
name = "收支明细"
name_en = "Income and expenditure"
"#;

    fn items(text: &str) -> Result<Catalog, Vec<CatalogError>> {
        Catalog::parse("columns.toml", COLUMNS, "items.toml", text)
    }

    #[test]
    fn unknown_column_is_reported_with_file_and_line() {
        let text = "[[item]]\nid = \"x\"\nname = \"x\"\nname_en = \"x\"\ncolumn = \"nowhere\"\n\
                    frequency = \"monthly\"\ndeadline = \"period-end+10d\"\nreviewers = [\"finance-group\"]\n";
        let errors = items(text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].file.as_str(), errors[0].line), ("items.toml", 5));
        assert!(errors[0].message.contains("nowhere"));
    }

    #[test]
    fn bad_deadline_and_duplicate_id_are_both_reported() {
        let one = "[[item]]\nid = \"a\"\nname = \"x\"\nname_en = \"x\"\ncolumn = \"finance\"\n\
                   frequency = \"monthly\"\ndeadline = \"period-end+ten\"\nreviewers = [\"finance-group\"]\n";
        let two = "[[item]]\nid = \"a\"\nname = \"x\"\nname_en = \"x\"\ncolumn = \"finance\"\n\
                   frequency = \"monthly\"\ndeadline = \"period-end+10d\"\nreviewers = [\"finance-group\"]\n";
        let errors = items(&format!("{one}{two}")).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![7, 10], "{errors:?}");
    }

    #[test]
    fn toml_syntax_errors_name_the_line() {
        let errors = items("[[item]]\nid = \"a\"\nname = \n").unwrap_err();
        assert_eq!(errors[0].line, 3, "{errors:?}");
    }

    #[test]
    fn due_items_follow_deadlines_and_publication() {
        let text = "[[item]]\nid = \"money\"\nname = \"x\"\nname_en = \"x\"\ncolumn = \"finance-income\"\n\
                    frequency = \"quarterly\"\ndeadline = \"period-end+20d\"\nreviewers = [\"finance-group\"]\n";
        let catalog = items(text).unwrap();
        let april: Period = "2026-04".parse().unwrap();
        let q1: Period = "2026-Q1".parse().unwrap();
        let d = |day| NaiveDate::from_ymd_opt(2026, 4, day).unwrap();
        let due = catalog.due_in_month(april, d(10), |_, _| false);
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].period, due[0].state), (q1, DueState::Open));
        assert_eq!(catalog.due_in_month(april, d(21), |_, _| false)[0].state, DueState::Overdue);
        let published = catalog.due_in_month(april, d(21), |id, p| id == "money" && p == q1);
        assert_eq!(published[0].state, DueState::Published);
        assert!(catalog.due_in_month("2026-05".parse().unwrap(), d(21), |_, _| false).is_empty());
    }

    #[test]
    fn the_busy_rule_is_checked() {
        let item = |extra: &str, freq: &str| {
            format!(
                "[[item]]\nid = \"a\"\nname = \"x\"\nname_en = \"x\"\ncolumn = \"finance\"\n\
                 frequency = \"{freq}\"\ndeadline = \"period-end+10d\"\nreviewers = [\"finance-group\"]\n{extra}"
            )
        };
        let ok = items(&item("busy_vouchers = 30\nquiet_deadline = \"period-end+15d\"\n", "monthly")).unwrap();
        let rule = ok.item("a").unwrap().busy.unwrap();
        assert_eq!((rule.vouchers, rule.quiet_deadline.to_string()), (30, "period-end+15d".into()));
        let quiet_march = ok.item("a").unwrap().deadline("2026-03".parse().unwrap(), Some(3), ok.holidays());
        assert_eq!(quiet_march, NaiveDate::from_ymd_opt(2026, 4, 15), "due with Q1");
        let busy_march = ok.item("a").unwrap().deadline("2026-03".parse().unwrap(), Some(30), ok.holidays());
        assert_eq!(busy_march, NaiveDate::from_ymd_opt(2026, 4, 10));
        for (extra, freq, line) in [
            ("busy_vouchers = 30\n", "quarterly", 9),
            ("quiet_deadline = \"period-end+20d\"\n", "monthly", 9),
            ("busy_vouchers = 30\nquiet_deadline = \"event+5d\"\n", "monthly", 10),
        ] {
            let errors = items(&item(extra, freq)).unwrap_err();
            assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![line], "{extra}: {errors:?}");
        }
    }

    #[test]
    fn column_tree_navigation() {
        let catalog = items("item = []").unwrap();
        assert_eq!(catalog.subtree("finance"), vec!["finance", "finance-income"]);
        assert_eq!(catalog.top_of("finance-income").unwrap().id, "finance");
        assert_eq!(catalog.column("finance-income").unwrap().depth, 2);
    }
}
