//! The column tree (栏目) and the disclosure catalog (公开目录) as data: parsed from the TOML
//! text an operator edits, validated as a whole, with every problem located by file and line.
//! Reading the files from disk is the caller's job.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use toml::Spanned;

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

/// When an item must be published, relative to its period or event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineRule {
    /// `period-end+20d`: calendar days after the period's last day ("Q20").
    AfterPeriodEnd { days: u32, working: bool },
    /// `event+5d` / `event+20wd`: after the event (a change, a resolution, a deal).
    AfterEvent { days: u32, working: bool },
    /// `before-event`: before the decision or tender it announces.
    BeforeEvent,
    /// `always`: kept visible for as long as it is in force.
    Always,
}

impl DeadlineRule {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s {
            "before-event" => return Ok(Self::BeforeEvent),
            "always" => return Ok(Self::Always),
            _ => {}
        }
        let bad = || {
            format!(
                "期限规则 “{s}” 无效，应为 period-end+Nd、period-end+Nwd、event+Nd、event+Nwd、before-event 或 always"
            )
        };
        let (anchor, offset) = s.split_once('+').ok_or_else(bad)?;
        let (digits, working) = if let Some(d) = offset.strip_suffix("wd") {
            (d, true)
        } else if let Some(d) = offset.strip_suffix('d') {
            (d, false)
        } else {
            return Err(bad());
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 3 {
            return Err(bad());
        }
        let days = digits.parse().map_err(|_| bad())?;
        match anchor {
            "period-end" => Ok(Self::AfterPeriodEnd { days, working }),
            "event" => Ok(Self::AfterEvent { days, working }),
            _ => Err(bad()),
        }
    }

    /// The last day to publish an item for `period`, for period-anchored rules.
    pub fn deadline_for(self, period: Period) -> Option<NaiveDate> {
        match self {
            Self::AfterPeriodEnd { days, working } => Some(add_days(period.end(), days, working)),
            _ => None,
        }
    }

    /// The last day to publish an item about an event on `event`.
    pub fn deadline_after_event(self, event: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::AfterEvent { days, working } => Some(add_days(event, days, working)),
            _ => None,
        }
    }

    pub fn describe_zh(self) -> String {
        match self {
            Self::AfterPeriodEnd { days, working } => {
                format!("期末后{days}个{}日内", if working { "工作" } else { "自然" })
            }
            Self::AfterEvent { days: 0, .. } => "即时公开".into(),
            Self::AfterEvent { days, working } => {
                format!("发生后{days}个{}日内", if working { "工作" } else { "自然" })
            }
            Self::BeforeEvent => "事前公开".into(),
            Self::Always => "长期公开".into(),
        }
    }
}

/// Working days are Monday to Friday; public holidays are not modelled yet.
fn add_days(from: NaiveDate, days: u32, working: bool) -> NaiveDate {
    if !working {
        return from + Days::new(u64::from(days));
    }
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.succ_opt().expect("dates are in range");
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

impl fmt::Display for DeadlineRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = |w: bool| if w { "wd" } else { "d" };
        match self {
            Self::AfterPeriodEnd { days, working } => {
                write!(f, "period-end+{days}{}", unit(*working))
            }
            Self::AfterEvent { days, working } => write!(f, "event+{days}{}", unit(*working)),
            Self::BeforeEvent => f.write_str("before-event"),
            Self::Always => f.write_str("always"),
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
}

/// The validated column tree and catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    columns: Vec<Column>,
    column_index: HashMap<ColumnId, usize>,
    items: Vec<CatalogItem>,
    item_index: HashMap<String, usize>,
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
        Ok(Self { columns, column_index, items, item_index })
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
                if let Some(deadline) = item.deadline.deadline_for(period)
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
        while let Some(deadline) = item.deadline.deadline_for(period) {
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
    fn deadline_rules_round_trip_and_compute() {
        for s in ["period-end+20d", "event+20wd", "event+5d", "before-event", "always"] {
            assert_eq!(DeadlineRule::parse(s).unwrap().to_string(), s);
        }
        for bad in ["period-end+", "period-end+5", "event+-1d", "soon", "event+5w"] {
            assert!(DeadlineRule::parse(bad).is_err(), "{bad}");
        }
        let q20 = DeadlineRule::parse("period-end+20d").unwrap();
        let q1: Period = "2026-Q1".parse().unwrap();
        assert_eq!(q20.deadline_for(q1), NaiveDate::from_ymd_opt(2026, 4, 20));
        // 2026-11-20 is a Friday: five working days later is the next Friday.
        let wd = DeadlineRule::parse("event+5wd").unwrap();
        let friday = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(wd.deadline_after_event(friday), NaiveDate::from_ymd_opt(2026, 11, 27));
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
    fn column_tree_navigation() {
        let catalog = items("item = []").unwrap();
        assert_eq!(catalog.subtree("finance"), vec!["finance", "finance-income"]);
        assert_eq!(catalog.top_of("finance-income").unwrap().id, "finance");
        assert_eq!(catalog.column("finance-income").unwrap().depth, 2);
    }
}
