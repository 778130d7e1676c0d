//! Decision records (四议两公开 / 五议两公开): how a village decides a major matter — a lease, a
//! works project, buying or disposing of assets, borrowing, its charter — and the rules the
//! record must keep. The branch proposes, the two committees discuss, (under 五议 the
//! supervision committee checks,) the party members' meeting reviews, the villagers'
//! representatives' meeting or the assembly resolves, the resolution is published, the matter
//! is carried out and the result is published.
//!
//! Refused outright (the record would be wrong): a step dated before the step it follows,
//! more present than expected, votes that do not add up to those present. Recorded but
//! flagged (the record is true, the decision is not clean): a failed quorum or majority, a
//! required step missing, a publication overdue, money spent beyond the amount resolved.
//! The names people read are in `app::i18n`; only stable codes live here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Fen;

#[cfg(test)]
mod tests;

/// A decision's number (决议编号): 1–32 of digits, ASCII letters and '-', unique in its village.
pub fn valid_number(number: &str) -> bool {
    (1..=32).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The number the console proposes: `{year}-{n:03}`, one past the highest of that year's
/// `{year}-n` numbers already used.
pub fn next_number<'a>(year: i32, existing: impl IntoIterator<Item = &'a str>) -> String {
    let prefix = format!("{year}-");
    let highest = existing
        .into_iter()
        .filter_map(|n| n.strip_prefix(&prefix))
        .filter_map(|rest| rest.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{year}-{:03}", highest.saturating_add(1))
}

/// What the matter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Lease,
    Works,
    AssetDisposal,
    AssetPurchase,
    Borrowing,
    Charter,
    Plan,
    Other,
}

pub const KINDS: [Kind; 8] = [
    Kind::Lease,
    Kind::Works,
    Kind::AssetDisposal,
    Kind::AssetPurchase,
    Kind::Borrowing,
    Kind::Charter,
    Kind::Plan,
    Kind::Other,
];

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lease => "lease",
            Self::Works => "works",
            Self::AssetDisposal => "asset-disposal",
            Self::AssetPurchase => "asset-purchase",
            Self::Borrowing => "borrowing",
            Self::Charter => "charter",
            Self::Plan => "plan",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        KINDS.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether money linked to the decision is money going out, so that more of it than was
    /// resolved is an overspend. A lease or a disposal brings money in: more is no excess.
    pub fn spends(self) -> bool {
        !matches!(self, Self::Lease | Self::AssetDisposal)
    }
}

/// Which procedure the village follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Procedure {
    /// 四议两公开.
    FourTwo,
    /// 五议两公开: a supervision-committee check before the members' meeting.
    FiveTwo,
}

impl Procedure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FourTwo => "4-2",
            Self::FiveTwo => "5-2",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::FourTwo, Self::FiveTwo].into_iter().find(|p| p.as_str() == s)
    }

    /// Every step of the procedure, in order.
    pub fn steps(self) -> &'static [Step] {
        match self {
            Self::FourTwo => &[
                Step::Proposal,
                Step::Committees,
                Step::Members,
                Step::Resolution,
                Step::ResolutionPublished,
                Step::Implementation,
                Step::ResultPublished,
            ],
            Self::FiveTwo => &STEPS,
        }
    }
}

/// A step of the procedure, in procedure order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Step {
    /// 党组织提议.
    Proposal,
    /// 村“两委”会议商议.
    Committees,
    /// 村务监督委员会审议 (五议 only).
    Supervision,
    /// 党员大会审议.
    Members,
    /// 村民代表会议或村民会议决议.
    Resolution,
    /// 决议公开: a disclosure, through review.
    ResolutionPublished,
    /// 组织实施.
    Implementation,
    /// 实施结果公开: a disclosure, through review.
    ResultPublished,
}

pub const STEPS: [Step; 8] = [
    Step::Proposal,
    Step::Committees,
    Step::Supervision,
    Step::Members,
    Step::Resolution,
    Step::ResolutionPublished,
    Step::Implementation,
    Step::ResultPublished,
];

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposal => "proposal",
            Self::Committees => "committees",
            Self::Supervision => "supervision",
            Self::Members => "members",
            Self::Resolution => "resolution",
            Self::ResolutionPublished => "resolution-published",
            Self::Implementation => "implementation",
            Self::ResultPublished => "result-published",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        STEPS.into_iter().find(|v| v.as_str() == s)
    }

    /// The two publications are disclosures, not steps a clerk types in.
    pub fn is_publication(self) -> bool {
        matches!(self, Self::ResolutionPublished | Self::ResultPublished)
    }

    /// Meetings that vote: they need counts and votes.
    pub fn votes(self) -> bool {
        matches!(self, Self::Members | Self::Resolution)
    }

    /// Meetings whose counts may be recorded (and are checked when they are).
    pub fn may_count(self) -> bool {
        matches!(self, Self::Committees | Self::Supervision | Self::Members | Self::Resolution)
    }
}

/// How the resolving meeting was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Form {
    /// 村民代表会议: quorum two thirds of the representatives.
    Representatives,
    /// 村民会议（本村十八周岁以上村民）: quorum more than half of the adults.
    AssemblyAdults,
    /// 村民会议（户代表）: quorum two thirds of the households.
    AssemblyHouseholds,
}

pub const FORMS: [Form; 3] = [Form::Representatives, Form::AssemblyAdults, Form::AssemblyHouseholds];

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Representatives => "representatives",
            Self::AssemblyAdults => "assembly-adults",
            Self::AssemblyHouseholds => "assembly-households",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        FORMS.into_iter().find(|f| f.as_str() == s)
    }
}

/// The quorum rule a counted step is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quorum {
    /// At least two thirds present.
    TwoThirds,
    /// More than half present.
    OverHalf,
    /// No quorum rule (the committees' meetings).
    None,
}

impl Quorum {
    pub fn of(step: Step, form: Option<Form>) -> Self {
        match (step, form) {
            (Step::Members, _) => Self::TwoThirds,
            (Step::Resolution, Some(Form::AssemblyAdults)) => Self::OverHalf,
            (Step::Resolution, _) => Self::TwoThirds,
            _ => Self::None,
        }
    }

    /// Whether `present` of `expected` meets the rule (integer arithmetic: no rounding).
    pub fn met(self, present: u32, expected: u32) -> bool {
        let (p, e) = (u64::from(present), u64::from(expected));
        match self {
            Self::TwoThirds => 3 * p >= 2 * e,
            Self::OverHalf => 2 * p > e,
            Self::None => true,
        }
    }
}

/// Passed: more than half of those present voted for.
pub fn majority(votes_for: u32, present: u32) -> bool {
    2 * u64::from(votes_for) > u64::from(present)
}

/// Who came and how they voted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub expected: u32,
    pub present: u32,
    pub votes_for: u32,
    pub against: u32,
    pub abstain: u32,
}

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: Step,
    pub date: NaiveDate,
    /// The resolving meeting's form; none for other steps.
    pub form: Option<Form>,
    pub counts: Option<Counts>,
    pub content: String,
}

/// Why a step cannot be recorded as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// The publications are recorded by publishing their disclosures.
    Publication,
    /// Not a step of the village's procedure (the supervision check under 四议).
    NotInProcedure,
    /// The resolving meeting needs its form.
    FormMissing,
    /// A voting meeting needs its counts and votes.
    CountsMissing,
    /// Nobody was expected.
    NoneExpected,
    PresentOverExpected {
        present: u32,
        expected: u32,
    },
    VotesNotPresent {
        votes_for: u32,
        against: u32,
        abstain: u32,
        present: u32,
    },
    /// Dated before the recorded step it follows.
    BeforePrevious {
        previous: Step,
        previous_date: NaiveDate,
        date: NaiveDate,
    },
    /// Dated after a recorded step that follows it.
    AfterNext {
        next: Step,
        next_date: NaiveDate,
        date: NaiveDate,
    },
    /// The content is empty.
    ContentMissing,
}

/// Checks a step before it is recorded among `others` (the decision's other recorded steps,
/// including publications with their dates). A step recorded again replaces the old record.
pub fn check_step(procedure: Procedure, record: &StepRecord, others: &[(Step, NaiveDate)]) -> Result<(), StepError> {
    let step = record.step;
    if step.is_publication() {
        return Err(StepError::Publication);
    }
    if !procedure.steps().contains(&step) {
        return Err(StepError::NotInProcedure);
    }
    if record.content.trim().is_empty() {
        return Err(StepError::ContentMissing);
    }
    if step == Step::Resolution && record.form.is_none() {
        return Err(StepError::FormMissing);
    }
    match record.counts {
        None if step.votes() => return Err(StepError::CountsMissing),
        Some(c) => {
            if c.expected == 0 {
                return Err(StepError::NoneExpected);
            }
            if c.present > c.expected {
                return Err(StepError::PresentOverExpected { present: c.present, expected: c.expected });
            }
            let cast = u64::from(c.votes_for) + u64::from(c.against) + u64::from(c.abstain);
            if cast != u64::from(c.present) {
                return Err(StepError::VotesNotPresent {
                    votes_for: c.votes_for,
                    against: c.against,
                    abstain: c.abstain,
                    present: c.present,
                });
            }
        }
        None => {}
    }
    let others = others.iter().filter(|(s, _)| *s != step);
    if let Some(&(previous, previous_date)) = others.clone().filter(|(s, _)| *s < step).max_by_key(|(s, _)| *s)
        && record.date < previous_date
    {
        return Err(StepError::BeforePrevious { previous, previous_date, date: record.date });
    }
    if let Some(&(next, next_date)) = others.filter(|(s, _)| *s > step).min_by_key(|(s, _)| *s)
        && record.date > next_date
    {
        return Err(StepError::AfterNext { next, next_date, date: record.date });
    }
    Ok(())
}

/// Which step a new record should be: the first step of the procedure, after the last one
/// recorded, that a clerk types in. `None` when only publications (or nothing) remain.
pub fn next_step(procedure: Procedure, recorded: &[Step]) -> Option<Step> {
    let last = recorded.iter().copied().max();
    procedure.steps().iter().copied().filter(|s| !s.is_publication()).find(|s| last.is_none_or(|l| *s > l))
}

/// The resolution must be published within this many days of the resolution.
pub const PUBLISH_WITHIN_DAYS: u64 = 5;

/// Something wrong with a decision that is recorded, not hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// Fewer came than the step's rule needs.
    QuorumFailed { step: Step, present: u32, expected: u32 },
    /// Not more than half of those present voted for.
    MajorityFailed { step: Step, votes_for: u32, present: u32 },
    /// Required steps before the furthest recorded one are missing.
    Missing(Vec<Step>),
    /// The resolution was not published within five days of it.
    ResolutionNotPublished { resolved: NaiveDate },
    /// Linked money going out is more than the amount resolved.
    OverAmount { resolved: Fen, spent: Fen },
}

/// Where a decision stands: the furthest step reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Nothing recorded yet.
    New,
    Reached(Step),
}

/// A decision judged: its stage and its flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub stage: Stage,
    pub flags: Vec<Flag>,
}

impl Assessment {
    pub fn clean(&self) -> bool {
        self.flags.is_empty()
    }

    /// Every required step recorded and the result published.
    pub fn complete(&self) -> bool {
        self.stage == Stage::Reached(Step::ResultPublished) && !self.flags.iter().any(|f| matches!(f, Flag::Missing(_)))
    }
}

/// Judges a decision from its recorded steps, the dates its two publications were published
/// (`published`: step and date, only for published ones), the money it authorised that went
/// out (`spent`) and `today`.
pub fn assess(
    procedure: Procedure,
    kind: Kind,
    amount: Option<Fen>,
    steps: &[StepRecord],
    published: &[(Step, NaiveDate)],
    spent: Fen,
    today: NaiveDate,
) -> Assessment {
    let mut flags = vec![];
    for r in steps {
        let Some(c) = r.counts else { continue };
        if !Quorum::of(r.step, r.form).met(c.present, c.expected) {
            flags.push(Flag::QuorumFailed { step: r.step, present: c.present, expected: c.expected });
        }
        if r.step.votes() && !majority(c.votes_for, c.present) {
            flags.push(Flag::MajorityFailed { step: r.step, votes_for: c.votes_for, present: c.present });
        }
    }
    let reached: Vec<Step> = steps.iter().map(|r| r.step).chain(published.iter().map(|(s, _)| *s)).collect();
    let furthest = reached.iter().copied().max();
    if let Some(furthest) = furthest {
        let missing: Vec<Step> =
            procedure.steps().iter().copied().filter(|s| *s < furthest && !reached.contains(s)).collect();
        if !missing.is_empty() {
            flags.push(Flag::Missing(missing));
        }
    }
    if let Some(resolution) = steps.iter().find(|r| r.step == Step::Resolution) {
        let deadline = resolution.date + chrono::Days::new(PUBLISH_WITHIN_DAYS);
        let published_on = published.iter().find(|(s, _)| *s == Step::ResolutionPublished).map(|(_, d)| *d);
        let late = match published_on {
            Some(d) => d > deadline,
            None => today > deadline,
        };
        if late {
            flags.push(Flag::ResolutionNotPublished { resolved: resolution.date });
        }
    }
    if let Some(resolved) = amount
        && kind.spends()
        && spent > resolved
    {
        flags.push(Flag::OverAmount { resolved, spent });
    }
    Assessment { stage: furthest.map_or(Stage::New, Stage::Reached), flags }
}
