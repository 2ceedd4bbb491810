//! The validated, typed scenario the engine runs: every value checked, every name resolved to an id.

use crate::dist::Dist;
use crate::time::{DAY, Ticks};

/// Index of a skill in `Scenario::skills`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SkillId(pub u16);
/// Index of a group in `Scenario::groups`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(pub u16);
/// Index of a persona in `Scenario::personas`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonaId(pub u16);
/// Index of a partner in `Scenario::partners`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartnerId(pub u16);
/// Index of a reason in `Scenario::reasons`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReasonId(pub u16);

/// A whole scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name used in results.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Scenario seed; replication r of stream s is seeded from (seed, r, s).
    pub seed: u64,
    /// Number of independent replications.
    pub replications: u32,
    /// Length of the measured window [ticks].
    pub horizon: Ticks,
    /// Simulated before the window, not measured [ticks].
    pub warmup: Ticks,
    /// Report and staffing interval [ticks]; divides a day.
    pub interval: Ticks,
    /// Service-level threshold [ticks]: answered with wait <= this counts as within.
    pub sl_threshold: Ticks,
    /// How long contacts and journeys begun in the window are followed after it [ticks].
    pub drain: Ticks,
    /// New issues arriving.
    pub arrivals: Arrivals,
    /// Customer types.
    pub personas: Vec<Persona>,
    /// Contact reasons.
    pub reasons: Vec<Reason>,
    /// Skill names, indexed by `SkillId`.
    pub skills: Vec<String>,
    /// Agent groups.
    pub groups: Vec<Group>,
    /// Third parties that must act on some reasons.
    pub partners: Vec<Partner>,
    /// The phone channel.
    pub phone: Phone,
    /// The chat channel.
    pub chat: Chat,
    /// Email and web forms: deferred work.
    pub email: Email,
    /// Social media: public posts.
    pub social: Social,
    /// Self-service and virtual agents.
    pub self_service: SelfService,
    /// Routing rules.
    pub routing: Routing,
    /// Service policies: context, empowerment, AHT pressure.
    pub policy: Policy,
    /// How journeys turn into satisfaction scores, and how a survey sees them.
    pub satisfaction: Satisfaction,
    /// Money beyond agents, partners and concessions.
    pub cost: Cost,
    /// Cap on contacts alive at once in one replication (not a file key: set on loading from
    /// `guard::max_in_flight`); past it the replication stops and the run fails.
    pub max_in_flight: u64,
}

/// The journey-level satisfaction model (scores 1-5) and the survey view.
#[derive(Debug, Clone, PartialEq)]
pub struct Satisfaction {
    /// Score before anything happens, for personas without their own.
    pub base: f64,
    /// Off per contact beyond the first that the customer makes.
    pub per_extra_contact: f64,
    /// Off per follow-up call the case owner makes (`ownership = "own"`).
    pub per_follow_up: f64,
    /// Off per transfer.
    pub per_transfer: f64,
    /// Off per re-explanation.
    pub per_reexplanation: f64,
    /// Off per minute of waiting past the persona's tolerance.
    pub per_minute_waiting: f64,
    /// Off per abandoned attempt.
    pub per_abandon: f64,
    /// Off per refusal.
    pub per_refusal: f64,
    /// Off for ending unresolved (given up or still open).
    pub unresolved: f64,
    /// On for resolution on the first contact.
    pub first_contact: f64,
    /// On for proactive outreach.
    pub proactive: f64,
    /// Share of eligible journeys that answer a survey.
    pub survey_response: f64,
    /// Only journeys that reached an agent are surveyed.
    pub survey_only_answered: bool,
    /// When the survey is taken.
    pub survey_after: SurveyAfter,
}

/// When a survey is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyAfter {
    /// Right after the first contact an agent coded resolved: the customer scores the journey
    /// as it looks then (not knowing whether it is really resolved).
    Contact,
    /// When the journey ends.
    Journey,
}

impl Default for Satisfaction {
    fn default() -> Self {
        Satisfaction {
            base: 4.0,
            per_extra_contact: 0.5,
            per_follow_up: 0.2,
            per_transfer: 0.3,
            per_reexplanation: 0.4,
            per_minute_waiting: 0.1,
            per_abandon: 0.3,
            per_refusal: 0.7,
            unresolved: 1.5,
            first_contact: 0.5,
            proactive: 0.3,
            survey_response: 0.15,
            survey_only_answered: true,
            survey_after: SurveyAfter::Contact,
        }
    }
}

/// Costs beyond agents, partner fees and concessions, and the churn model of value at risk.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// Money per callback the company makes (reached or not).
    pub callback: f64,
    /// Chance a customer leaves after a journey scored 1.
    pub churn_at_1: f64,
    /// Chance a customer leaves after a journey scored 5.
    pub churn_at_5: f64,
}

impl Default for Cost {
    fn default() -> Self {
        Cost {
            callback: 0.0,
            churn_at_1: 0.3,
            churn_at_5: 0.01,
        }
    }
}

impl Cost {
    /// Chance a customer leaves after a journey with this score: linear between the two ends.
    pub fn churn(&self, score: f64) -> f64 {
        let t = ((score - 1.0) / 4.0).clamp(0.0, 1.0);
        self.churn_at_1 + (self.churn_at_5 - self.churn_at_1) * t
    }
}

impl Scenario {
    /// Number of report intervals in a day.
    pub fn intervals_per_day(&self) -> usize {
        (DAY / self.interval) as usize
    }

    /// Channels customers use, by channel index: first choices, switches, and where
    /// self-service and the social team send them.
    pub fn channels_used(&self) -> [bool; N_CHANNELS] {
        let mut used = [false; N_CHANNELS];
        for p in &self.personas {
            for (i, (a, b)) in p.channels.iter().zip(&p.persistence.switch).enumerate() {
                used[i] |= *a > 0.0 || *b > 0.0;
            }
        }
        if used[Channel::SelfService as usize] {
            used[self.self_service.fallback as usize] = true;
        }
        if used[Channel::Social as usize] {
            used[self.social.redirect as usize] = true;
        }
        // A customer chasing a late email calls, unless switch chances name another channel.
        if used[Channel::Email as usize]
            && self.personas.iter().any(|p| {
                let q = &p.persistence;
                q.retry > 0.0
                    && q.max_attempts > 1
                    && (0..N_CHANNELS).all(|i| i == Channel::Email as usize || q.switch[i] <= 0.0)
            })
        {
            used[Channel::Phone as usize] = true;
        }
        used
    }

    /// Per reason and channel index, the share of its new issues whose first live (or email)
    /// contact comes on that channel: the personas' first choice, with self-service failures
    /// moved to the fallback channel.
    pub fn channel_share(&self, reason: usize) -> [f64; N_CHANNELS] {
        let mut out = [0.0; N_CHANNELS];
        let contained = self.reasons[reason].self_service;
        for p in &self.personas {
            for (ch, w) in p.channels.iter().enumerate() {
                out[ch] += p.share * w;
            }
        }
        let ss = Channel::SelfService as usize;
        out[self.self_service.fallback as usize] += out[ss] * (1.0 - contained);
        out[ss] = 0.0;
        out
    }
}

/// The arrival process of new issues: a Poisson process whose rate is piecewise constant per
/// interval, repeating daily, weekly or every few weeks, scaled by a weekday factor and by a
/// gamma-distributed daily factor.
///
/// Days are counted from the window's first day, a Monday: "day `d`" below is a day of the
/// window (or of the repeating period), and its weekday is `d % 7`.
#[derive(Debug, Clone)]
pub struct Arrivals {
    /// Rate per interval slot [per second]: `days` days of `intervals_per_day` values each,
    /// day 0 (a Monday) first, repeated after that.
    pub profile: Vec<f64>,
    /// Days `profile` covers before it repeats: 1 (a day), 7 (a week) or a multiple of 7
    /// (several weeks, from an arrivals file).
    pub days: usize,
    /// Factor per day of the week, Monday first (day 0 of the window is a Monday).
    pub weekday_factors: [f64; 7],
    /// Coefficient of variation of the daily busyness factor (0 = none).
    pub overdispersion: f64,
}

impl Arrivals {
    /// Whether the rate of a slot can differ between days: the weekday factors differ, or the
    /// profile covers more than a day.
    pub fn varies_by_weekday(&self) -> bool {
        self.days > 1
            || self
                .weekday_factors
                .iter()
                .any(|f| *f != self.weekday_factors[0])
    }

    /// Days the profile covers before it repeats (1, 7 or a multiple of 7).
    pub fn profile_days(&self) -> usize {
        self.days.max(1)
    }

    /// Days the expected rates take to repeat, weekday factors included: a week for a daily
    /// profile, else the profile's days (a whole number of weeks).
    pub fn cycle_days(&self) -> usize {
        self.profile_days().max(7)
    }

    /// Days with a plan of their own when staffing to the forecast: 1 when every day has the
    /// same rates, else `cycle_days` (one plan per weekday, or per day of a multi-week period).
    pub fn plan_days(&self) -> usize {
        if self.varies_by_weekday() {
            self.cycle_days()
        } else {
            1
        }
    }

    /// Interval slots per day.
    pub fn slots_per_day(&self) -> usize {
        self.profile.len() / self.profile_days()
    }

    /// The profile's rate in slot `slot` of day `day` (day 0 = the window's first day, a
    /// Monday; the profile repeats every `profile_days`), before the weekday factor
    /// [per second].
    pub fn base_rate(&self, day: usize, slot: usize) -> f64 {
        let d = day % self.profile_days();
        self.profile[d * self.slots_per_day() + slot]
    }

    /// Expected rate in slot `slot` of day `day` (day 0 = the window's first day, a Monday):
    /// the profile's rate times the factor of its weekday `day % 7` [per second] (the daily
    /// busyness factor has mean 1).
    pub fn rate(&self, day: usize, slot: usize) -> f64 {
        self.base_rate(day, slot) * self.weekday_factors[day % 7]
    }

    /// The highest expected rate of any slot [per second].
    pub fn peak_rate(&self) -> f64 {
        let slots = self.slots_per_day();
        (0..self.cycle_days())
            .flat_map(|d| (0..slots).map(move |k| (d, k)))
            .map(|(d, k)| self.rate(d, k))
            .fold(0.0, f64::max)
    }
}

/// Number of channels.
pub const N_CHANNELS: usize = 5;

/// Names of channels, in `Channel` order (stable: they are keys in files and results).
pub const CHANNEL_NAMES: [&str; N_CHANNELS] = ["phone", "chat", "email", "social", "self_service"];

/// A way customers get in touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Channel {
    /// Calls: lines, IVR, misroutes, callback.
    Phone = 0,
    /// Chat sessions: an agent holds several at once.
    Chat = 1,
    /// Email and web forms: deferred work answered within a target.
    Email = 2,
    /// Public posts on social media, answered by a social team.
    Social = 3,
    /// Self-service and virtual agents: no agent, some reasons contained.
    SelfService = 4,
}

impl Channel {
    /// Every channel, in index order.
    pub const ALL: [Channel; N_CHANNELS] = [
        Channel::Phone,
        Channel::Chat,
        Channel::Email,
        Channel::Social,
        Channel::SelfService,
    ];

    /// The channel's name in files and results.
    pub fn name(self) -> &'static str {
        CHANNEL_NAMES[self as usize]
    }

    /// The channel of an index.
    pub fn from_index(i: usize) -> Channel {
        Channel::ALL[i.min(N_CHANNELS - 1)]
    }

    /// The channel with a name.
    pub fn from_name(name: &str) -> Option<Channel> {
        CHANNEL_NAMES
            .iter()
            .position(|n| *n == name)
            .map(Channel::from_index)
    }

    /// Whether contacts of the channel wait live for an agent (phone, chat, social).
    pub fn live(self) -> bool {
        matches!(self, Channel::Phone | Channel::Chat | Channel::Social)
    }
}

/// A type of customer.
#[derive(Debug, Clone)]
pub struct Persona {
    /// Name.
    pub name: String,
    /// Share of new issues (normalised to sum 1).
    pub share: f64,
    /// First-contact channel choice, by channel index (sums to 1).
    pub channels: [f64; N_CHANNELS],
    /// Time a customer waits in a live queue before leaving, by channel index; `None` =
    /// infinite.
    pub patience: [Option<Dist>; N_CHANNELS],
    /// What the customer does after an unresolved or abandoned attempt.
    pub persistence: Persistence,
    /// Waiting the customer takes without minding, over the whole journey [ticks].
    pub effort_tolerance: Ticks,
    /// Money at risk if the customer leaves.
    pub value: f64,
    /// Satisfaction before anything happens (1-5); `None` = `satisfaction.base`.
    pub satisfaction: Option<f64>,
}

/// Retry behaviour after an attempt that did not resolve the issue.
#[derive(Debug, Clone)]
pub struct Persistence {
    /// Chance to try again after an unresolved, abandoned or blocked attempt.
    pub retry: f64,
    /// Time until the next attempt.
    pub delay: Dist,
    /// Attempts in all (the first included) before giving up for good.
    pub max_attempts: u32,
    /// Chance, by channel index, that the next attempt uses that channel instead of the last
    /// one (the rest stays on the same channel); also where a customer chases a late email.
    pub switch: [f64; N_CHANNELS],
}

impl Default for Persistence {
    fn default() -> Self {
        Persistence {
            retry: 0.0,
            delay: Dist::Constant { value: 0.0 },
            max_attempts: 1,
            switch: [0.0; N_CHANNELS],
        }
    }
}

/// Why a customer gets in touch.
#[derive(Debug, Clone)]
pub struct Reason {
    /// Name.
    pub name: String,
    /// Share of new issues (normalised to sum 1).
    pub share: f64,
    /// Skill needed; `None` = any group can take it.
    pub skill: Option<SkillId>,
    /// Talk time of a fully proficient agent.
    pub handle: Dist,
    /// After-contact work; `None` = none.
    pub wrapup: Option<Dist>,
    /// Chance that a capable agent resolves the issue on the contact.
    pub resolve: f64,
    /// Authority level needed to resolve it (0 = any agent).
    pub authority: u32,
    /// Money an agent without the authority must spend on an exception to resolve it
    /// (`None` = no exception can resolve it).
    pub concession: Option<f64>,
    /// Time an agent without the skill spends before transferring or refusing
    /// (`None` = the handle time).
    pub triage: Option<Dist>,
    /// Chance the IVR misroutes this reason (`None` = `channels.phone.misroute`).
    pub misroute: Option<f64>,
    /// Partner that must act once the company has done its part.
    pub partner: Option<PartnerId>,
    /// Share of arrivals an upstream fix could remove.
    pub avoidable: f64,
    /// Share of issues the company could detect before the customer gets in touch.
    pub detectable: f64,
    /// Chance that self-service contains (resolves) the issue.
    pub self_service: f64,
}

/// A team of identical agents.
#[derive(Debug, Clone)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Proficiency per skill (handle time is divided by it); empty = every skill at 1.0.
    pub skills: Vec<(SkillId, f64)>,
    /// How the head count is given.
    pub staffing: Staffing,
    /// Share of scheduled time not available for contacts (absence, training, off-phone work);
    /// breaks written in shifts come on top.
    pub shrinkage: f64,
    /// The head count over the day that results (built from `staffing` once the whole
    /// scenario is read): one day, seven (Monday first) when it depends on the weekday, or
    /// one per day of a multi-week arrivals file (see `Arrivals::plan_days`).
    pub plan: Vec<Vec<Step>>,
    /// Cost of one paid agent-hour.
    pub cost_per_hour: f64,
    /// Authority level of its agents.
    pub authority: u32,
    /// Money an agent may spend per contact on an exception.
    pub concession_budget: f64,
    /// Channels it serves, by channel index (default: the phone).
    pub channels: [bool; N_CHANNELS],
    /// Chat sessions an agent holds at once.
    pub chat_concurrency: u32,
    /// Whether its agents can see the customer's record (a social team may not).
    pub record_access: bool,
}

/// How a group's head count is given.
#[derive(Debug, Clone, PartialEq)]
pub enum Staffing {
    /// Paid agents per interval of the day (one entry = constant all day).
    Intervals(Vec<u32>),
    /// Shifts repeating every day.
    Shifts(Vec<Shift>),
    /// Enough agents per interval for a service-level target, computed from the forecast.
    Target(StaffTarget),
}

/// One shift pattern: `agents` agents start at `start` every day and stay `length`.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// Time of day the shift starts [ticks].
    pub start: Ticks,
    /// Length, breaks included [ticks]; at most a day (a shift may run past midnight).
    pub length: Ticks,
    /// Agents on the shift.
    pub agents: u32,
    /// Breaks as (time after the start, length) [ticks]; all agents of the shift take them
    /// together (write staggered breaks as separate shifts).
    pub breaks: Vec<(Ticks, Ticks)>,
}

/// Staff to a target: per interval, the fewest agents available for contacts such that the
/// interval's forecast meets the target by the chosen formula.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffTarget {
    /// Share to answer within `threshold`.
    pub share: f64,
    /// Service-level threshold [ticks].
    pub threshold: Ticks,
    /// Erlang C, or Erlang A (with the personas' mean patience).
    pub method: StaffMethod,
    /// Upper bound on the forecast occupancy.
    pub max_occupancy: Option<f64>,
}

/// The formula of staff-to-target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffMethod {
    /// M/M/c: nobody abandons.
    ErlangC,
    /// M/M/c+M: exponential patience with the forecast's mean.
    ErlangA,
}

/// From time of day `at` on, `paid` agents are paid and `available` of them take contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Time of day [ticks].
    pub at: Ticks,
    /// Agents paid (on shift, breaks included).
    pub paid: u32,
    /// Agents taking contacts (after breaks and shrinkage).
    pub available: u32,
}

impl Group {
    /// A group with every key at its default (no agents, the phone only).
    pub fn named(name: String) -> Group {
        Group {
            name,
            skills: Vec::new(),
            staffing: Staffing::Intervals(vec![0]),
            shrinkage: 0.0,
            plan: Vec::new(),
            cost_per_hour: 0.0,
            authority: 0,
            concession_budget: 0.0,
            channels: [true, false, false, false, false],
            chat_concurrency: 1,
            record_access: true,
        }
    }

    /// The plan step in force at time of day `tod` of day `day` (0 = the window's first day,
    /// a Monday; the plan repeats every `plan.len()` days: 1, 7, or the days of a multi-week
    /// arrivals file).
    pub fn step_at(&self, day: usize, tod: Ticks) -> Step {
        let day = &self.plan[day % self.plan.len()];
        let i = day.partition_point(|s| s.at <= tod);
        day[i.saturating_sub(1)]
    }

    /// Proficiency for a skill, if the group has it.
    pub fn proficiency(&self, skill: Option<SkillId>) -> Option<f64> {
        if self.skills.is_empty() {
            return Some(1.0);
        }
        let skill = skill?;
        self.skills
            .iter()
            .find(|(s, _)| *s == skill)
            .map(|(_, p)| *p)
    }
}

/// The phone channel.
#[derive(Debug, Clone, Default)]
pub struct Phone {
    /// Trunk lines; a caller finding all busy is blocked. `None` = unlimited.
    pub lines: Option<u32>,
    /// Time in the IVR before queueing; `None` = no IVR.
    pub ivr: Option<Dist>,
    /// Chance the IVR sends a call to a wrong group first.
    pub misroute: f64,
    /// Where misrouted calls go: a named group, or `None` for any group lacking the skill.
    pub misroute_to: Option<GroupId>,
    /// Telephony cost per minute of an inbound call (IVR, queue and talk).
    pub cost_per_minute: f64,
    /// Offer callers a callback when the predicted wait is long.
    pub callback: Option<Callback>,
}

/// The callback offer of the phone channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    /// Offer when the predicted wait on entry exceeds this [ticks].
    pub offer_when_wait_over: Ticks,
    /// Chance a caller offered a callback accepts it.
    pub accept: f64,
    /// Chance the agent reaches the customer when calling back.
    pub reach: f64,
    /// Agent time spent on a callback that does not reach the customer [ticks].
    pub attempt: Ticks,
}

/// The chat channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    /// Handle-time multiplier while an agent holds k sessions, at index k − 1 (the last value
    /// holds beyond the list).
    pub handle_stretch: Vec<f64>,
}

impl Default for Chat {
    fn default() -> Self {
        Chat {
            handle_stretch: vec![1.0],
        }
    }
}

impl Chat {
    /// The multiplier at `k` open sessions (k ≥ 1).
    pub fn stretch(&self, k: u32) -> f64 {
        let i = (k.max(1) - 1) as usize;
        self.handle_stretch
            .get(i)
            .or(self.handle_stretch.last())
            .copied()
            .unwrap_or(1.0)
    }
}

/// Email and web forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Email {
    /// Response target: answered within it counts as in time; past it the customer may chase
    /// on another channel [ticks].
    pub target: Ticks,
}

impl Default for Email {
    fn default() -> Self {
        Email { target: DAY }
    }
}

/// Social media.
#[derive(Debug, Clone)]
pub struct Social {
    /// The team that answers posts; `None` = groups serving the social channel by skill.
    pub group: Option<GroupId>,
    /// Priority level of public posts (0 = first); `None` = the routing priorities.
    pub priority: Option<u8>,
    /// Added to the satisfaction score of a journey that went public.
    pub satisfaction: f64,
    /// Where the social team sends a customer it cannot help.
    pub redirect: Channel,
    /// Time a social agent spends on a post it redirects.
    pub reply: Dist,
}

impl Default for Social {
    fn default() -> Self {
        Social {
            group: None,
            priority: None,
            satisfaction: 0.0,
            redirect: Channel::Phone,
            reply: Dist::Constant { value: 120.0 },
        }
    }
}

/// Self-service and virtual agents.
#[derive(Debug, Clone)]
pub struct SelfService {
    /// Money per session.
    pub cost_per_session: f64,
    /// Channel a customer turns to when self-service does not contain the issue.
    pub fallback: Channel,
    /// Length of a session.
    pub duration: Dist,
}

impl Default for SelfService {
    fn default() -> Self {
        SelfService {
            cost_per_session: 0.0,
            fallback: Channel::Phone,
            duration: Dist::Constant { value: 180.0 },
        }
    }
}

/// Routing rules.
#[derive(Debug, Clone, Default)]
pub struct Routing {
    /// Priority level per (persona, reason): lower is served first. Indexed `[persona][reason]`.
    pub priority: Vec<Vec<u8>>,
    /// Number of distinct priority levels in use (levels are 0..levels).
    pub levels: u8,
    /// Overflow rules.
    pub overflow: Vec<Overflow>,
}

/// Contacts waiting for group `from` may also be taken by group `to` once they waited `after`.
#[derive(Debug, Clone)]
pub struct Overflow {
    /// Group whose contacts overflow.
    pub from: GroupId,
    /// Group that takes them.
    pub to: GroupId,
    /// Wait before `to` may take them [ticks].
    pub after: Ticks,
    /// Proficiency of `to` on overflowed contacts (its own, or 1.0 if it lacks the skill).
    pub proficiency: Option<f64>,
}

/// Whether the case history follows the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Context {
    /// Every agent sees what earlier agents learned.
    #[default]
    Shared,
    /// Each new agent must hear the story again.
    Siloed,
}

/// Service policies: the levers of empowerment and context.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Whether context follows the customer.
    pub context: Context,
    /// Extra handle time of one re-explanation [ticks].
    pub reexplain_handle: Ticks,
    /// Patience lost per re-explanation [ticks] (taken off every later wait of the journey).
    pub reexplain_patience: Ticks,
    /// Handle-time target; `None` = no target.
    pub aht_target: Option<Ticks>,
    /// Share of contacts running past the target that are cut short (coded resolved, not resolved).
    pub aht_pressure: f64,
    /// Chance a transfer reaches a group with the skill (else another group).
    pub transfer_accuracy: f64,
    /// Transfers within one contact before the agent gives up and asks the customer to call back.
    pub max_transfers: u32,
    /// Who keeps the case.
    pub ownership: Ownership,
    /// Delay before the owner calls the customer back on an unresolved case.
    pub follow_up: Dist,
    /// Extra talk per agent segment when agents own their cases (notes, briefing, follow-up
    /// set-up) [ticks].
    pub ownership_handle: Ticks,
    /// How work goes to partners.
    pub partner_mode: PartnerMode,
    /// Share of detectable issues the company reaches first.
    pub proactive: f64,
    /// Share removed of each reason's avoidable arrivals, by reason index (0 = none).
    pub upstream_fix: Vec<f64>,
}

/// Who keeps the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ownership {
    /// Each agent passes it on; the customer chases.
    #[default]
    HandOff,
    /// The first agent's group keeps it: briefs the next agents, calls back, chases partners.
    Own,
}

/// How a case goes to a partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PartnerMode {
    /// The customer must contact the partner.
    #[default]
    Cold,
    /// The company transfers the customer to the partner.
    Warm,
    /// The company hands the work over and follows up; the customer is not involved.
    Owned,
}

/// A third party with its own capacity, hours and rules.
#[derive(Debug, Clone)]
pub struct Partner {
    /// Name.
    pub name: String,
    /// Agents while open.
    pub agents: u32,
    /// Opening hours (start, end) as times of day [ticks]; `None` = always open.
    pub hours: Option<(Ticks, Ticks)>,
    /// Lead time before the partner acts on a job (e.g. shipping a box).
    pub delay: Option<Dist>,
    /// Partner handle time.
    pub handle: Dist,
    /// Chance the partner's action resolves the issue.
    pub resolve: f64,
    /// Whether the partner sees the case history.
    pub shares_context: bool,
    /// Whether the partner may make an exception (needed for reasons with authority > 0).
    pub allows_exceptions: bool,
    /// Fee per hand-off.
    pub fee: f64,
}

impl Partner {
    /// Whether the partner is open at time of day `t`.
    pub fn open_at(&self, t: Ticks) -> bool {
        match self.hours {
            None => true,
            Some((a, b)) if a <= b => t >= a && t < b,
            Some((a, b)) => t >= a || t < b,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            context: Context::Shared,
            reexplain_handle: 60 * crate::time::TICKS_PER_SECOND,
            reexplain_patience: 15 * crate::time::TICKS_PER_SECOND,
            aht_target: None,
            aht_pressure: 0.0,
            transfer_accuracy: 1.0,
            max_transfers: 3,
            ownership: Ownership::HandOff,
            follow_up: Dist::Constant {
                value: 4.0 * 3600.0,
            },
            ownership_handle: crate::time::MINUTE,
            partner_mode: PartnerMode::Cold,
            proactive: 0.0,
            upstream_fix: Vec::new(),
        }
    }
}
