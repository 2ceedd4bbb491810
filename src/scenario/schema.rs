//! The scenario file format as types, for `ccsim schema`: a JSON Schema derived with `schemars`.
//!
//! The loader (`load`, `channels`, `staffing`, `policy`, `partner`, `outcomes`, `dists`) reads a
//! spanned tree by hand, so that every problem gets a line, a column and a fix; these types do
//! not load anything. They mirror every table and key the loader accepts, and their doc comments
//! become the schema's descriptions, which editors (Taplo / Even Better TOML, VS Code) show as
//! hover help and use for completion. `tests/schema.rs` walks the schema and checks that every
//! table has exactly the keys the loader allows (`super::keys`), and that every shipped scenario
//! validates.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

/// A ccsim scenario file (TOML or JSON): the arrivals, the customers (personas), why they get
/// in touch (reasons), who answers (groups), the channels, routing, policy, partners and the
/// outcome models. Check one with `ccsim validate FILE`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ccsim scenario")]
// A file that includes others may leave the required sections to them, and its `[arrivals]`
// may change only some keys (tables merge); a file standing alone gives the rate.
#[schemars(extend(
    "if" = { "not": { "required": ["include"] } },
    "then" = {
        "required": ["arrivals", "reason", "group"],
        "properties": {
            "arrivals": {
                "anyOf": [
                    { "required": ["rate"] },
                    { "required": ["profile"] },
                    { "required": ["file"] }
                ]
            }
        }
    }
))]
pub struct ScenarioFile {
    /// Where editors find this schema, e.g. "./ccsim.schema.json"; ccsim ignores it.
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    /// Files whose sections this one starts from, relative to this file, read in order; this
    /// file's own values are laid over them (tables merge, values replace, `[[...]]` entries
    /// join, and one with the same `name` replaces the included entry).
    pub include: Option<OneOrManyPaths>,
    /// Name, seed, replications and the simulated time.
    pub scenario: Option<Head>,
    /// How many contacts arrive: one rate, or a profile over the day.
    pub arrivals: Option<Arrivals>,
    /// Kinds of customers (`[[persona]]`); without any, everyone is one phone-only persona.
    pub persona: Option<Vec<Persona>>,
    /// Why customers get in touch (`[[reason]]`); at least one.
    #[schemars(length(min = 1))]
    pub reason: Option<Vec<Reason>>,
    /// Agent groups (`[[group]]`); at least one.
    #[schemars(length(min = 1))]
    pub group: Option<Vec<Group>>,
    /// Settings of each channel: phone, chat, email, social and self-service.
    pub channels: Option<Channels>,
    /// Priorities and overflow between groups.
    pub routing: Option<Routing>,
    /// How the company works: context, re-explanation, AHT target, transfers, ownership,
    /// partners, proactive outreach, upstream fixes.
    pub policy: Option<Policy>,
    /// Third parties some reasons need (`[[partner]]`): a courier, a billing house.
    pub partner: Option<Vec<Partner>>,
    /// The satisfaction model: a base score and what each bad experience costs.
    pub satisfaction: Option<Satisfaction>,
    /// The cost model beyond agents' and partners' costs.
    pub cost: Option<Cost>,
}

/// One file path, or several.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrManyPaths {
    /// Several files, read in order.
    Many(Vec<String>),
    /// One file.
    One(String),
}

/// One table, or an array of tables. (`[[persona]]`, `[[reason]]`, `[[group]]` and
/// `[[partner]]` are arrays in the schema: the loader also takes a single `[reason]` table, but
/// as arrays editors point at the bad key instead of the whole section.)
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// Several tables.
    Many(Vec<T>),
    /// A single table.
    One(T),
}

/// A duration with a unit: a number followed by ms, s, m, h or d, parts may be combined.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Duration(pub String);

/// Number before a unit, as the loader parses it (digits and a decimal point).
const NUMBER: &str = r"([0-9]+(\.[0-9]*)?|\.[0-9]+)";
/// Time units the loader accepts.
const UNIT: &str = "(ms|sec|min|s|m|h|d)";

impl JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A duration with a unit: ms, s, m, h or d, parts may be combined, e.g. \"20s\", \"3m\", \"1h30m\", \"2.5s\", \"2d\". A bare number is not a duration.",
            "pattern": format!(r"^\s*({NUMBER}\s*{UNIT}\s*)+$"),
            "examples": ["20s", "3m", "1h30m"]
        })
    }
}

/// A rate: a count per unit of time.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Rate(pub String);

impl JsonSchema for Rate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Rate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A rate: a count per unit of time (s, m, h or d), e.g. \"1000/h\", \"16.7/m\", \"0.28/s\"; at most 1000000/h.",
            "pattern": format!(r"^\s*{NUMBER}([eE][+-]?[0-9]+)?\s*/\s*{UNIT}\s*$"),
            "examples": ["1000/h", "16.7/m"]
        })
    }
}

/// A time of day.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Clock(pub String);

impl JsonSchema for Clock {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Clock".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A time of day \"HH:MM\" or \"HH:MM:SS\", e.g. \"08:00\".",
            "pattern": r"^\s*[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?\s*$",
            "examples": ["08:00", "13:30"]
        })
    }
}

/// Opening hours.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Hours(pub String);

impl JsonSchema for Hours {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Hours".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "Opening hours \"HH:MM-HH:MM\", e.g. \"08:00-18:00\" (may wrap past midnight).",
            "pattern": r"^\s*[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?\s*-\s*[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?\s*$",
            "examples": ["08:00-18:00"]
        })
    }
}

/// A service-level target.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct ServiceTarget(pub String);

impl JsonSchema for ServiceTarget {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ServiceTarget".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A service-level target: a share answered within a time, e.g. \"80% in 20s\" or \"0.8 in 20s\".",
            "pattern": r"^\s*[0-9.]+\s*%?\s*[iI][nN]\s*\S.*$",
            "examples": ["80% in 20s"]
        })
    }
}

/// A seed: any u64, as a whole number or, past TOML's largest integer, as a string of digits.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Seed {
    /// A whole number.
    Number(u64),
    /// Decimal digits (`"18446744073709551615"`).
    Digits(String),
}

impl JsonSchema for Seed {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Seed".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A seed from 0 to 18446744073709551615: a whole number, or a string of digits (needed past 9223372036854775807, TOML's largest integer, and safest past 9007199254740992 in JSON, whose numbers lose digits there); digits may be grouped with _.",
            "anyOf": [
                { "type": "integer", "minimum": 0, "maximum": 18446744073709551615u64 },
                { "type": "string", "pattern": r"^\s*\+?[0-9](_?[0-9])*\s*$" }
            ],
            "examples": [1, "18446744073709551615"]
        })
    }
}

/// A share or chance between 0 and 1.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Share(#[schemars(range(min = 0.0, max = 1.0))] pub f64);

/// A name usable in results: letters, digits, '-', '_', '.' or inner spaces.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Name(#[schemars(length(min = 1, max = 100))] pub String);

/// `[scenario]`: what the scenario is called, its seed and replications, and the simulated time.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Name of the scenario, used for the results folder [default: the file name].
    pub name: Option<Name>,
    /// Free text: the question the scenario answers.
    pub description: Option<String>,
    /// Seed of every random stream [default: 1]; the same seed gives the same bytes.
    pub seed: Option<Seed>,
    /// Independent replications [default: 10]; intervals are over replications.
    #[schemars(range(min = 1, max = 100000))]
    pub replications: Option<u32>,
    /// Simulated time in which contacts arrive [default: "1d"].
    pub horizon: Option<Duration>,
    /// Time at the start left out of the statistics [default: "0s"].
    pub warmup: Option<Duration>,
    /// Length of one interval of the day for profiles and staffing [default: "30m"]; at
    /// least 1 minute and dividing a day into whole intervals.
    pub interval: Option<Duration>,
    /// Service-level threshold: the share answered within it is reported [default: "20s"].
    pub sl_threshold: Option<Duration>,
    /// Time after the horizon to finish the journeys in progress [default: "7d"].
    pub drain: Option<Duration>,
}

/// `[arrivals]`: new issues per unit of time; give `rate`, `profile` or `file` (one of them;
/// a file that includes others may leave it to them).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("not" = {
    "anyOf": [
        { "required": ["rate", "profile"] },
        { "required": ["rate", "file"] },
        { "required": ["profile", "file"] }
    ]
}))]
pub struct Arrivals {
    /// One rate all day, e.g. "1000/h".
    pub rate: Option<Rate>,
    /// One rate per interval of the day (24 h / scenario.interval of them, 48 at "30m").
    pub profile: Option<Vec<Rate>>,
    /// A CSV file of rates, relative to the scenario file, e.g. "data/week.csv": a header line
    /// with columns `start` (a duration from the start of the period, "8h30m", "1d8h", or a
    /// time of day "08:30") and `rate` ("120/h"); starts begin at 0, strictly increase and
    /// fall on interval boundaries; each rate holds until the next start. Starts below 24h
    /// describe a day (repeated daily), starts below 7d a week, Monday first (repeated weekly);
    /// a start at 7d or later makes the file the smallest whole number of weeks holding every
    /// start (at most 53, starts below 371d), Monday first, day 0 the window's first day,
    /// repeated after its last week.
    #[schemars(length(min = 1))]
    pub file: Option<String>,
    /// Factors per day of the week, Monday first, e.g. [1.1, 1.0, 1.0, 1.0, 0.9, 0.5, 0.4]
    /// [default: all 1].
    pub weekday_factors: Option<[WeekdayFactor; 7]>,
    /// Extra day-to-day variation of the rate (gamma-distributed daily factor with this
    /// coefficient of variation) [default: 0, Poisson].
    #[schemars(range(min = 0.0, max = 10.0))]
    pub overdispersion: Option<f64>,
}

/// A factor on one day's arrivals.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct WeekdayFactor(#[schemars(range(min = 0.0, max = 1000.0))] pub f64);

/// A kind of customer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Name of the persona.
    pub name: Name,
    /// Relative share of arrivals [default: 1]; shares are normalised.
    #[schemars(range(min = 0.0, max = 1e9))]
    pub share: Option<f64>,
    /// Which channel the first contact uses, as shares (normalised) [default: { phone = 1 }].
    pub channels: Option<ChannelShares>,
    /// How long the persona waits before abandoning: one distribution (or "infinite") for
    /// every channel, or one per channel [default: infinite].
    pub patience: Option<Patience>,
    /// Whether and when an unresolved customer tries again.
    pub persistence: Option<Persistence>,
    /// Waiting the persona takes without minding [default: "2m"].
    pub effort_tolerance: Option<Duration>,
    /// Value of the customer (what churn puts at risk) [default: 0].
    #[schemars(range(min = 0.0, max = 1e12))]
    pub value: Option<f64>,
    /// Base satisfaction score of this persona, 1 to 5 [default: satisfaction.base].
    #[schemars(range(min = 1.0, max = 5.0))]
    pub satisfaction: Option<f64>,
}

/// A share per channel, each 0 to 1.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelShares {
    /// Share or chance for the phone.
    pub phone: Option<Share>,
    /// Share or chance for chat.
    pub chat: Option<Share>,
    /// Share or chance for email.
    pub email: Option<Share>,
    /// Share or chance for social media.
    pub social: Option<Share>,
    /// Share or chance for self-service (no agent).
    pub self_service: Option<Share>,
}

/// Patience: one distribution for every channel, "infinite", or one per channel.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Patience {
    /// The same for every live channel.
    All(DistOrInfinite),
    /// Per channel; channels left out wait forever.
    PerChannel(Box<PatienceByChannel>),
}

/// Patience per channel.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("minProperties" = 1))]
pub struct PatienceByChannel {
    /// Patience on the phone.
    pub phone: Option<DistOrInfinite>,
    /// Patience in chat.
    pub chat: Option<DistOrInfinite>,
    /// Patience for an email answer.
    pub email: Option<DistOrInfinite>,
    /// Patience on social media.
    pub social: Option<DistOrInfinite>,
    /// Patience in self-service.
    pub self_service: Option<DistOrInfinite>,
}

/// A distribution of durations, or "infinite" (never gives up).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DistOrInfinite {
    /// Never abandons.
    Infinite(Infinite),
    /// A distribution.
    Dist(Dist),
}

/// The word "infinite".
#[derive(Debug, Deserialize, JsonSchema)]
pub enum Infinite {
    /// Waits forever.
    #[serde(rename = "infinite")]
    Infinite,
}

/// Retrying after an unresolved or abandoned contact.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Persistence {
    /// Chance of trying again [default: 0]; needs `delay` when above 0.
    pub retry: Option<Share>,
    /// Time until the next attempt: a distribution, or a duration for a fixed one.
    pub delay: Option<DurationOrDist>,
    /// Most attempts per issue, the first included [default: 3].
    #[schemars(range(min = 1, max = 1000))]
    pub max_attempts: Option<u32>,
    /// Chance that the next attempt uses each channel (summing to at most 1; the rest stays on
    /// the same channel).
    pub switch: Option<ChannelShares>,
}

/// A distribution of durations, chosen by `dist`; durations are strings with units.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    /// Exponential (memoryless).
    Exponential {
        /// Mean.
        mean: Duration,
    },
    /// Lognormal with a mean and a coefficient of variation.
    Lognormal {
        /// Mean.
        mean: Duration,
        /// Coefficient of variation (standard deviation / mean).
        cv: f64,
    },
    /// Gamma with a mean and a coefficient of variation.
    Gamma {
        /// Mean.
        mean: Duration,
        /// Coefficient of variation (standard deviation / mean).
        cv: f64,
    },
    /// Erlang: the sum of k exponential phases.
    Erlang {
        /// Number of phases.
        #[schemars(range(min = 1, max = 1000))]
        k: u32,
        /// Mean of the sum.
        mean: Duration,
    },
    /// Weibull with a shape and a mean.
    Weibull {
        /// Shape (below 1: long tail; 1: exponential).
        shape: f64,
        /// Mean.
        mean: Duration,
    },
    /// Uniform between two durations.
    Uniform {
        /// Shortest.
        min: Duration,
        /// Longest.
        max: Duration,
    },
    /// Always the same.
    Constant {
        /// The duration.
        value: Duration,
    },
    /// Resampled from a column of a CSV file.
    Empirical {
        /// CSV file, relative to the scenario file.
        file: String,
        /// Column holding seconds (numbers) or durations ("2m8s").
        column: String,
    },
}

/// Why a customer gets in touch.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Name of the reason.
    pub name: Name,
    /// Relative share of issues [default: 1]; shares are normalised.
    #[schemars(range(min = 0.0, max = 1e9))]
    pub share: Option<f64>,
    /// Skill needed to handle it (a key of some group's `skills`) [default: any group].
    pub skill: Option<String>,
    /// Talk time of one contact.
    pub handle: Dist,
    /// After-contact work [default: none].
    pub wrapup: Option<Dist>,
    /// Chance a contact resolves the issue [default: 1].
    pub resolve: Option<Share>,
    /// Authority level an agent needs to resolve it [default: 0].
    #[schemars(range(min = 0, max = 100))]
    pub authority: Option<u32>,
    /// Concession (money) needed to resolve it [default: none].
    #[schemars(range(min = 0.0, max = 1e9))]
    pub concession: Option<f64>,
    /// Time to find out what the issue is before it can be handled [default: none].
    pub triage: Option<Dist>,
    /// Chance the first agent misunderstands and transfers it [default: none].
    pub misroute: Option<Share>,
    /// Partner that must act on it (a `[[partner]]` name) [default: none].
    pub partner: Option<String>,
    /// Share of these issues that better service upstream could prevent [default: 1].
    pub avoidable: Option<Share>,
    /// Share the company can see coming (for proactive outreach) [default: 0].
    pub detectable: Option<Share>,
    /// Share self-service can resolve [default: 0].
    pub self_service: Option<Share>,
}

/// A group of agents: skills, channels, staffing, cost and authority. Give exactly one of
/// `agents`, `staffing` and `shifts`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [
    { "required": ["agents"] },
    { "required": ["staffing"] },
    { "required": ["shifts"] }
]))]
pub struct Group {
    /// Name of the group.
    pub name: Name,
    /// Skills and proficiency (speed factor, 1 = normal), e.g. { billing = 1.0, sales = 0.7 };
    /// without `skills` the group takes every reason.
    pub skills: Option<BTreeMap<String, Proficiency>>,
    /// Channels the group serves [default: ["phone"]].
    pub channels: Option<Vec<AgentChannel>>,
    /// Agents on duty all day.
    #[schemars(range(min = 0, max = 100000))]
    pub agents: Option<u32>,
    /// Head counts per interval of the day, or staffing to a service-level target.
    pub staffing: Option<Staffing>,
    /// Share of paid time not available for contacts (breaks, training) [default: 0].
    #[schemars(range(min = 0.0, max = 0.99))]
    pub shrinkage: Option<f64>,
    /// Cost of one agent-hour on duty [default: 0].
    #[schemars(range(min = 0.0, max = 1e9))]
    pub cost_per_hour: Option<f64>,
    /// Authority level of the agents [default: 0].
    #[schemars(range(min = 0, max = 100))]
    pub authority: Option<u32>,
    /// Concession an agent may grant per contact [default: 0].
    #[schemars(range(min = 0.0, max = 1e9))]
    pub concession_budget: Option<f64>,
    /// Shifts repeating every day, each with its own head count and breaks.
    pub shifts: Option<Vec<Shift>>,
    /// Chat sessions one agent handles at once [default: 1].
    #[schemars(range(min = 1, max = 20))]
    pub chat_concurrency: Option<u32>,
    /// Whether agents see the customer's history [default: true].
    pub record_access: Option<bool>,
}

/// Speed factor of a group on a skill (1 = normal, 2 = twice as fast).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Proficiency(#[schemars(range(min = 0.01, max = 100.0))] pub f64);

/// A channel agents answer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentChannel {
    /// Phone calls.
    Phone,
    /// Chat sessions.
    Chat,
    /// Emails.
    Email,
    /// Social-media messages.
    Social,
}

/// Any channel.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelName {
    /// Phone calls.
    Phone,
    /// Chat sessions.
    Chat,
    /// Emails.
    Email,
    /// Social-media messages.
    Social,
    /// Self-service (no agent).
    SelfService,
}

/// `staffing`: head counts per interval, or a service-level target.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Staffing {
    /// One head count per interval of the day (24 h / scenario.interval of them).
    PerInterval(Vec<HeadCount>),
    /// Staff each interval to a target with Erlang C or A.
    Target(StaffTarget),
}

/// Agents on duty.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct HeadCount(#[schemars(range(min = 0, max = 100000))] pub u32);

/// Staff-to-target: the fewest agents per interval meeting a service level.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffTarget {
    /// Service-level target, e.g. "80% in 20s".
    pub target: ServiceTarget,
    /// Queueing model [default: "erlang-c"].
    pub method: Option<StaffMethod>,
    /// Highest acceptable occupancy, e.g. 0.9 [default: none].
    #[schemars(range(min = 0.01, max = 1.0))]
    pub max_occupancy: Option<f64>,
}

/// Queueing model used to staff to a target.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum StaffMethod {
    /// Erlang C: nobody abandons.
    #[serde(rename = "erlang-c")]
    ErlangC,
    /// Erlang A: exponential patience with the personas' mean.
    #[serde(rename = "erlang-a")]
    ErlangA,
}

/// A shift repeating every day.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// Start time of day, e.g. "08:00".
    pub start: Clock,
    /// Length, at most "24h".
    pub length: Duration,
    /// Agents on the shift.
    #[schemars(range(min = 0, max = 100000))]
    pub agents: u32,
    /// Breaks within the shift.
    pub breaks: Option<Vec<Break>>,
}

/// A break within a shift.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Break {
    /// Time from the shift's start to the break.
    pub after: Duration,
    /// Length of the break.
    pub length: Duration,
}

/// `[channels]`: one table per channel.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    /// `[channels.phone]`.
    pub phone: Option<Phone>,
    /// `[channels.chat]`.
    pub chat: Option<Chat>,
    /// `[channels.email]`.
    pub email: Option<Email>,
    /// `[channels.social]`.
    pub social: Option<Social>,
    /// `[channels.self_service]`.
    pub self_service: Option<SelfService>,
}

/// The phone: lines, IVR, misroutes, telephony cost, callbacks.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    /// Trunk lines; callers finding all busy get a busy signal [default: unlimited].
    #[schemars(range(min = 1, max = 10000000))]
    pub lines: Option<u32>,
    /// Time in the IVR menu before queueing: a duration or a distribution [default: none].
    pub ivr: Option<DurationOrDist>,
    /// Chance the IVR sends a call to the wrong group: a chance (to any group lacking the
    /// skill), or { chance, to } [default: 0].
    pub misroute: Option<Misroute>,
    /// Telephony cost per minute of a call [default: 0].
    #[schemars(range(min = 0.0, max = 1e6))]
    pub cost_per_minute: Option<f64>,
    /// Offer a callback instead of waiting.
    pub callback: Option<Callback>,
}

/// A fixed duration or a distribution.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DurationOrDist {
    /// Always this long.
    Fixed(Duration),
    /// A distribution.
    Dist(Dist),
}

/// IVR misroutes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Misroute {
    /// Chance of going to a group lacking the skill.
    Chance(Share),
    /// Chance and the group misrouted calls land in.
    To(MisrouteTo),
}

/// Misroutes to a named group.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MisrouteTo {
    /// Chance of a misroute.
    pub chance: Share,
    /// Group misrouted calls land in.
    pub to: Option<String>,
}

/// Callbacks offered to callers facing a long wait.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    /// Offer a callback when the expected wait is over this, e.g. "5m".
    pub offer_when_wait_over: Duration,
    /// Chance a caller accepts the offer.
    pub accept: Share,
    /// Chance a callback attempt reaches the customer [default: 0.9].
    pub reach: Option<Share>,
    /// Agent time per callback attempt [default: "1m"].
    pub attempt: Option<Duration>,
}

/// Chat: handle times stretch with concurrent sessions.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Chat {
    /// Handle-time multiplier by number of open sessions, e.g. [1.0, 1.25, 1.6].
    pub handle_stretch: Option<Vec<Stretch>>,
}

/// A handle-time multiplier.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Stretch(#[schemars(range(min = 0.1, max = 20.0))] pub f64);

/// Email: a backlog with an answer-time target.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// Answer-time target; older emails are chased, e.g. "24h".
    pub target: Option<Duration>,
}

/// Social media: a team, public escalation and redirects.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Social {
    /// Group that answers social media [default: groups listing "social"].
    pub group: Option<String>,
    /// Complaints made in public: priority and satisfaction effect.
    pub public_escalation: Option<PublicEscalation>,
    /// Channel the social team redirects customers to: "phone", "chat" or "email".
    pub redirect: Option<ChannelName>,
    /// Time a social agent spends on a post it redirects [default: constant 2m].
    pub reply: Option<Dist>,
}

/// Public complaints on social media.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicEscalation {
    /// Routing priority of public complaints (0 = first).
    #[schemars(range(min = 0, max = 9))]
    pub priority: Option<u8>,
    /// Change of the satisfaction score, -4 to 4.
    #[schemars(range(min = -4.0, max = 4.0))]
    pub satisfaction: Option<f64>,
}

/// Self-service: cost, fallback channel and session time.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfService {
    /// Cost of one session [default: 0].
    #[schemars(range(min = 0.0, max = 1e6))]
    pub cost_per_session: Option<f64>,
    /// Channel used when self-service does not resolve: "phone", "chat", "email" or "social".
    pub fallback: Option<ChannelName>,
    /// Time spent in a session.
    pub duration: Option<Dist>,
}

/// `[routing]`: policy, priorities and overflow.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    /// Which free agent takes the next contact.
    pub policy: Option<RoutingPolicy>,
    /// Priority level (1 = first) by reason or persona name, e.g. { cancel = 1 }; unlisted
    /// ones come after every listed level.
    pub priorities: Option<BTreeMap<String, PriorityLevel>>,
    /// Rules sending waiting contacts to another group after a time.
    pub overflow: Option<Vec<Overflow>>,
}

/// Routing policy.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum RoutingPolicy {
    /// The agent idle the longest.
    #[serde(rename = "longest-idle")]
    LongestIdle,
}

/// A priority level, 1 = served first.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct PriorityLevel(#[schemars(range(min = 1, max = 100))] pub u8);

/// One overflow rule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overflow {
    /// Group whose queue overflows.
    pub from: String,
    /// Group that also takes the contacts.
    pub to: String,
    /// Wait after which the contact may go to `to`, e.g. "60s".
    pub after: Duration,
    /// Speed factor of `to` on overflowed contacts [default: its skill's].
    #[schemars(range(min = 0.01, max = 100.0))]
    pub proficiency: Option<f64>,
}

/// `[policy]`: how the company works.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Whether history follows the customer [default: "shared"].
    pub context: Option<Context>,
    /// Cost of telling the story again when context is siloed.
    pub reexplain: Option<Reexplain>,
    /// Average handle time target, or "off" [default: "off"].
    pub aht_target: Option<AhtTarget>,
    /// How hard agents press towards the AHT target, 0 to 1 (needs `aht_target`) [default: 0].
    pub aht_pressure: Option<Share>,
    /// Chance a transfer reaches the right group [default: 1].
    pub transfer_accuracy: Option<Share>,
    /// Most transfers within one contact [default: 3].
    #[schemars(range(min = 0, max = 20))]
    pub max_transfers: Option<u32>,
    /// Who keeps the case [default: "hand-off"].
    pub ownership: Option<Ownership>,
    /// Time until the owner follows up (with ownership = "own").
    pub follow_up: Option<Dist>,
    /// Agent time of an owner's follow-up.
    pub ownership_handle: Option<Duration>,
    /// How partner work is arranged [default: "cold"].
    pub partner_mode: Option<PartnerMode>,
    /// Share of detectable issues the company contacts the customer about first [default: 0].
    pub proactive: Option<Share>,
    /// Share of a reason's issues removed at the source: one { reason, share } or an array.
    pub upstream_fix: Option<OneOrMany<UpstreamFix>>,
}

/// Whether history follows the customer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    /// History follows the customer.
    Shared,
    /// Each agent hears the story again.
    Siloed,
}

/// Re-explaining the issue.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reexplain {
    /// Extra handle time per re-explanation.
    pub handle: Option<Duration>,
    /// Patience lost per re-explanation.
    pub patience: Option<Duration>,
}

/// An AHT target or "off".
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AhtTarget {
    /// No target.
    Off(Off),
    /// The target, above 0.
    Target(Duration),
}

/// The word "off".
#[derive(Debug, Deserialize, JsonSchema)]
pub enum Off {
    /// Switched off.
    #[serde(rename = "off")]
    Off,
}

/// Who keeps the case.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum Ownership {
    /// Each agent passes the case on.
    #[serde(rename = "hand-off")]
    HandOff,
    /// The first agent's team keeps it to the end.
    #[serde(rename = "own")]
    Own,
}

/// How partner work is arranged.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PartnerMode {
    /// The customer contacts the partner.
    Cold,
    /// The company transfers the customer to the partner.
    Warm,
    /// The company hands the work over and follows up.
    Owned,
}

/// A fix at the source removing a share of one reason's issues.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpstreamFix {
    /// The reason (a `[[reason]]` name).
    pub reason: String,
    /// Share of its issues removed.
    pub share: Share,
}

/// A third party some reasons need.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// Name of the partner.
    pub name: Name,
    /// The partner's agents.
    #[schemars(range(min = 1, max = 100000))]
    pub agents: u32,
    /// Opening hours, e.g. "08:00-18:00" [default: always open].
    pub hours: Option<Hours>,
    /// Lead time before the partner acts: a duration or a distribution [default: none].
    pub delay: Option<DurationOrDist>,
    /// The partner's handle time.
    pub handle: Dist,
    /// Chance the partner resolves the issue [default: 1].
    pub resolve: Option<Share>,
    /// Whether the partner sees the customer's history [default: false].
    pub shares_context: Option<bool>,
    /// Whether the partner allows exceptions to its rules [default: false].
    pub allows_exceptions: Option<bool>,
    /// Fee per case [default: 0].
    #[schemars(range(min = 0.0, max = 1e9))]
    pub fee: Option<f64>,
}

/// `[satisfaction]`: a 1-5 score per journey; each weight is subtracted (or added) per event.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Satisfaction {
    /// Score of a journey with nothing to complain about, 1 to 5.
    #[schemars(range(min = 1.0, max = 5.0))]
    pub base: Option<f64>,
    /// Who answers the survey, and when.
    pub survey: Option<Survey>,
    /// Points lost per contact after the first that the customer makes [default: 0.5].
    pub per_extra_contact: Option<Weight>,
    /// Points lost per follow-up call from the case owner (`policy.ownership = "own"`): no
    /// queue, no retelling, the company calls [default: 0.2].
    pub per_follow_up: Option<Weight>,
    /// Points lost per transfer.
    pub per_transfer: Option<Weight>,
    /// Points lost per re-explanation.
    pub per_reexplanation: Option<Weight>,
    /// Points lost per minute waited beyond the effort tolerance.
    pub per_minute_waiting: Option<Weight>,
    /// Points lost per abandoned contact.
    pub per_abandon: Option<Weight>,
    /// Points lost per refusal (no authority, no exception).
    pub per_refusal: Option<Weight>,
    /// Points lost when the issue stays unresolved.
    pub unresolved: Option<Weight>,
    /// Points gained when the first contact resolves.
    pub first_contact: Option<Weight>,
    /// Points gained when the company got in touch first.
    pub proactive: Option<Weight>,
}

/// Points on the 1-5 scale, 0 to 4.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Weight(#[schemars(range(min = 0.0, max = 4.0))] pub f64);

/// The satisfaction survey.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// Chance a customer answers.
    pub response: Option<Share>,
    /// Only customers whose contact was answered are asked.
    pub only_answered: Option<bool>,
    /// When the survey is sent.
    pub after: Option<SurveyAfter>,
}

/// When the survey is sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SurveyAfter {
    /// Right after a contact coded resolved.
    Contact,
    /// When the journey ends.
    Journey,
}

/// `[cost]`: churn and callbacks.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Chance of losing the customer, by final satisfaction score.
    pub churn: Option<Churn>,
    /// Cost of one callback.
    #[schemars(range(min = 0.0, max = 1e6))]
    pub callbacks: Option<f64>,
}

/// Churn chance at the ends of the score scale (linear in between).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Churn {
    /// Chance of churn at score 1.
    pub at_score_1: Option<Share>,
    /// Chance of churn at score 5.
    pub at_score_5: Option<Share>,
}

/// The JSON Schema (draft 2020-12) of scenario files, as a JSON value.
pub fn scenario_schema() -> serde_json::Value {
    let settings = schemars::generate::SchemaSettings::draft2020_12();
    let schema = settings
        .into_generator()
        .into_root_schema_for::<ScenarioFile>();
    let mut value = schema.to_value();
    drop_null(&mut value);
    value
}

/// The schema as pretty-printed JSON with a final newline.
pub fn scenario_schema_json() -> String {
    let mut s = serde_json::to_string_pretty(&scenario_schema()).unwrap_or_default();
    s.push('\n');
    s
}

/// TOML has no null: drop the `null` alternative schemars adds to optional keys.
fn drop_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let t = types.remove(0);
                    map.insert("type".into(), t);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(alts)) = map.get_mut(key) {
                    alts.retain(|a| a.get("type").and_then(Value::as_str) != Some("null"));
                    if alts.len() == 1 {
                        let only = alts.remove(0);
                        map.remove(key);
                        if let Value::Object(inner) = only {
                            for (k, val) in inner {
                                map.entry(k).or_insert(val);
                            }
                        }
                    }
                }
            }
            if let Some(Value::Array(consts)) = map.get_mut("enum") {
                consts.retain(|c| !c.is_null());
            }
            for val in map.values_mut() {
                drop_null(val);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}
