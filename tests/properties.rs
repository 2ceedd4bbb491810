//! Property tests (proptest, deterministic seeds): random small valid scenarios load and give
//! outcomes that respect the definitions of the metrics; random byte mutations of the shipped
//! scenarios never panic or hang the loader.
//!
//! Both tests use `TestRunner::new_with_rng(.., TestRng::deterministic_rng(ChaCha))`, so every
//! run (and CI) draws the same cases; a failure prints the shrunk case and its scenario text.

use std::cell::Cell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ccsim::Error;
use ccsim::report::{self, CONFIDENCE};
use ccsim::runner::{self, RunOutput};
use ccsim::scenario::{CHANNEL_NAMES, Scenario, load_str};
use ccsim::stats::{SUMMARY_METRICS, summarize};
use ccsim::time::{DAY, ticks_to_secs};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

/// A runner that draws the same cases on every run.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_time: 60_000,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// For a deeper search by hand: `CCSIM_PROP_CASES=5000 CCSIM_PROP_SEED=7 cargo test --test
/// properties random_valid` draws other (and more) random scenarios than CI does.
fn explorer(cases: u32) -> TestRunner {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let cases = var("CCSIM_PROP_CASES").map_or(cases, |n| n as u32);
    match var("CCSIM_PROP_SEED") {
        None => runner(cases),
        Some(seed) => {
            let mut bytes = [0u8; 32];
            bytes[..8].copy_from_slice(&seed.to_le_bytes());
            let config = Config {
                cases,
                failure_persistence: None,
                max_shrink_time: 60_000,
                ..Config::default()
            };
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Random small valid scenarios
// ----------------------------------------------------------------------------------------------

const SKILLS: [&str; 2] = ["billing", "tech"];

#[derive(Debug, Clone)]
enum Patience {
    Exponential(u32),
    Lognormal(u32, f64),
    Infinite,
}

#[derive(Debug, Clone)]
struct PersonaCase {
    share: f64,
    patience: Patience,
    retry: f64,
    max_attempts: u32,
    delay_min: u32,
    /// First-contact channel shares by channel index (`None` = the phone only).
    channels: Option<[f64; 5]>,
    /// Patience per channel (index, patience) instead of one for all (`None` = one for all).
    patience_by_channel: Option<Vec<(usize, Patience)>>,
    /// Switch chances in thousandths by channel index (scaled to sum at most 1000).
    switch: Option<[u32; 5]>,
}

#[derive(Debug, Clone)]
enum Handle {
    Exponential(u32),
    Lognormal(u32, f64),
    Gamma(u32, f64),
    Erlang(u32, u32),
    Weibull(f64, u32),
    Uniform(u32, u32),
    Constant(u32),
    Empirical,
}

#[derive(Debug, Clone)]
struct ReasonCase {
    share: f64,
    /// Index into the skills the groups offer (resolved when the text is written).
    skill_pick: usize,
    handle: Handle,
    wrapup_s: Option<u32>,
    resolve: f64,
    /// Self-service containment.
    self_service: Option<f64>,
}

/// One shift: (start of the day in quarter hours, length in minutes, agents, breaks as
/// (after, length) in fractions of the shift).
type ShiftCase = (u32, u32, u32, Vec<(f64, f64)>);

/// The social team: (team: index into the groups, redirect: phone/chat/email, public
/// escalation (priority, satisfaction)).
type SocialCase = (
    Option<usize>,
    Option<usize>,
    Option<(Option<u32>, Option<f64>)>,
);

#[derive(Debug, Clone)]
enum Staffing {
    Agents(u32),
    Day(Vec<u32>),
    Shifts(Vec<ShiftCase>),
    /// (share, threshold in seconds, Erlang A?, max occupancy).
    Target(f64, u32, bool, Option<f64>),
}

#[derive(Debug, Clone)]
struct GroupCase {
    /// Proficiency per skill of `SKILLS`; `None` = no skill list (takes every reason).
    skills: Option<[Option<f64>; 2]>,
    staffing: Staffing,
    shrinkage: Option<f64>,
    cost_per_hour: f64,
    /// Channels served, of phone, chat, email, social (`None` = no list: the phone).
    channels: Option<[bool; 4]>,
    chat_concurrency: Option<u32>,
    record_access: Option<bool>,
}

/// `[channels.*]` beyond lines and IVR.
#[derive(Debug, Clone)]
struct ChannelsCase {
    /// (offer when the wait is over [s], accept, reach, attempt [s]).
    callback: Option<(u32, f64, Option<f64>, Option<u32>)>,
    misroute: Option<f64>,
    handle_stretch: Option<Vec<f64>>,
    /// Email target [minutes].
    email_target_min: Option<u32>,
    social: Option<SocialCase>,
    /// (cost per session, fallback: phone/chat/email/social, duration).
    self_service: Option<(Option<f64>, Option<usize>, Option<Handle>)>,
    cost_callbacks: Option<f64>,
    /// Which group gets a channel no group serves (the loader requires one).
    fix_pick: usize,
}

#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    replications: u32,
    horizon_min: u32,
    warmup_min: u32,
    drain: Option<&'static str>,
    rate_per_hour: f64,
    personas: Vec<PersonaCase>,
    reasons: Vec<ReasonCase>,
    groups: Vec<GroupCase>,
    lines: Option<u32>,
    ivr_s: Option<u32>,
    /// (reason? , index, level)
    priorities: Vec<(bool, usize, u32)>,
    /// (from, offset to `to`, after in seconds, proficiency)
    overflow: Option<(usize, usize, u32, Option<f64>)>,
    /// (ownership "own"?, context "siloed"?, follow-up delay in minutes)
    policy: Option<(bool, bool, u32)>,
    channels: ChannelsCase,
}

fn patience() -> impl Strategy<Value = Patience> {
    prop_oneof![
        (10u32..=600).prop_map(Patience::Exponential),
        (10u32..=600, 0.2f64..2.0).prop_map(|(m, cv)| Patience::Lognormal(m, cv)),
        Just(Patience::Infinite),
    ]
}

/// A share or chance that is often exactly 0.
fn maybe_zero() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 0.0f64..=1.0, Just(1.0)]
}

fn persona() -> impl Strategy<Value = PersonaCase> {
    let channels = proptest::option::of(proptest::array::uniform5(maybe_zero()));
    let by_channel =
        proptest::option::of(proptest::collection::vec((0usize..5, patience()), 1..=3));
    let switch = proptest::option::of(proptest::array::uniform5(prop_oneof![
        Just(0u32),
        0u32..=1000
    ]));
    (
        (0.1f64..5.0, patience(), 0.0f64..=1.0, 1u32..=4, 1u32..=120),
        (channels, by_channel, switch),
    )
        .prop_map(
            |(
                (share, patience, retry, max_attempts, delay_min),
                (channels, patience_by_channel, switch),
            )| PersonaCase {
                share,
                patience,
                retry,
                max_attempts,
                delay_min,
                channels,
                patience_by_channel,
                switch,
            },
        )
}

fn handle() -> impl Strategy<Value = Handle> {
    prop_oneof![
        (30u32..=900).prop_map(Handle::Exponential),
        (30u32..=900, 0.1f64..2.0).prop_map(|(m, cv)| Handle::Lognormal(m, cv)),
        (30u32..=900, 0.1f64..2.0).prop_map(|(m, cv)| Handle::Gamma(m, cv)),
        (1u32..=5, 30u32..=900).prop_map(|(k, m)| Handle::Erlang(k, m)),
        (0.3f64..3.0, 30u32..=900).prop_map(|(s, m)| Handle::Weibull(s, m)),
        (10u32..=300, 0u32..=600).prop_map(|(lo, w)| Handle::Uniform(lo, lo + w)),
        (10u32..=900).prop_map(Handle::Constant),
        Just(Handle::Empirical),
    ]
}

fn reason() -> impl Strategy<Value = ReasonCase> {
    (
        0.1f64..5.0,
        0usize..8,
        handle(),
        proptest::option::of(1u32..=60),
        0.0f64..=1.0,
        proptest::option::of(maybe_zero()),
    )
        .prop_map(
            |(share, skill_pick, handle, wrapup_s, resolve, self_service)| ReasonCase {
                share,
                skill_pick,
                handle,
                wrapup_s,
                resolve,
                self_service,
            },
        )
}

fn group() -> impl Strategy<Value = GroupCase> {
    let skills = proptest::option::of(
        (
            proptest::option::of(0.5f64..1.5),
            proptest::option::of(0.5f64..1.5),
        )
            .prop_map(|(a, b)| match (a, b) {
                (None, None) => [Some(1.0), None],
                (a, b) => [a, b],
            }),
    );
    let shift = (
        0u32..96,
        15u32..=1440,
        0u32..=6,
        proptest::collection::vec((0.0f64..1.0, 0.01f64..0.5), 0..=2),
    );
    let staffing = prop_oneof![
        (0u32..=8).prop_map(Staffing::Agents),
        proptest::collection::vec(0u32..=8, 48).prop_map(Staffing::Day),
        proptest::collection::vec(shift, 1..=3).prop_map(Staffing::Shifts),
        (
            0.5f64..0.95,
            5u32..=120,
            prop_oneof![3 => Just(false), 1 => Just(true)],
            proptest::option::of(0.5f64..=1.0)
        )
            .prop_map(|(a, b, c, d)| Staffing::Target(a, b, c, d)),
    ];
    let channels = (
        proptest::option::of(proptest::array::uniform4(any::<bool>())),
        proptest::option::of(1u32..=4),
        proptest::option::of(any::<bool>()),
    );
    (
        skills,
        staffing,
        proptest::option::of(0.0f64..0.5),
        0.0f64..50.0,
        channels,
    )
        .prop_map(
            |(
                skills,
                staffing,
                shrinkage,
                cost_per_hour,
                (channels, chat_concurrency, record_access),
            )| {
                GroupCase {
                    skills,
                    staffing,
                    shrinkage,
                    cost_per_hour,
                    channels,
                    chat_concurrency,
                    record_access,
                }
            },
        )
}

fn channels_case() -> impl Strategy<Value = ChannelsCase> {
    let callback = proptest::option::of((
        0u32..=300,
        0.0f64..=1.0,
        proptest::option::of(maybe_zero()),
        proptest::option::of(0u32..=120),
    ));
    let social = proptest::option::of((
        proptest::option::of(0usize..3),
        proptest::option::of(0usize..3),
        proptest::option::of((
            proptest::option::of(0u32..=3),
            proptest::option::of(-1.0f64..1.0),
        )),
    ));
    let self_service = proptest::option::of((
        proptest::option::of(0.0f64..2.0),
        proptest::option::of(0usize..4),
        proptest::option::of(handle()),
    ));
    (
        (
            callback,
            proptest::option::of(0.0f64..0.3),
            proptest::option::of(proptest::collection::vec(1.0f64..2.0, 1..=4)),
            proptest::option::of(1u32..=600),
        ),
        (
            social,
            self_service,
            proptest::option::of(0.0f64..3.0),
            0usize..3,
        ),
    )
        .prop_map(
            |(
                (callback, misroute, handle_stretch, email_target_min),
                (social, self_service, cost_callbacks, fix_pick),
            )| ChannelsCase {
                callback,
                misroute,
                handle_stretch,
                email_target_min,
                social,
                self_service,
                cost_callbacks,
                fix_pick,
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    let head = (
        // TOML integers are i64: a larger seed cannot be written in a scenario file.
        0..=i64::MAX as u64,
        2u32..=3,
        120u32..=1440,
        prop_oneof![Just(0u32), 1u32..=120],
        prop_oneof![
            Just(None),
            Just(Some("30m")),
            Just(Some("2h")),
            Just(Some("1d"))
        ],
        0.5f64..30.0,
    );
    let body = (
        proptest::collection::vec(persona(), 1..=3),
        proptest::collection::vec(reason(), 1..=3),
        proptest::collection::vec(group(), 1..=3),
    );
    let routing = (
        proptest::option::of(1u32..=20),
        proptest::option::of(1u32..=120),
        proptest::collection::vec((any::<bool>(), 0usize..3, 1u32..=3), 0..=3),
        proptest::option::of((
            0usize..3,
            0usize..2,
            0u32..=120,
            proptest::option::of(0.5f64..1.5),
        )),
        proptest::option::of((any::<bool>(), any::<bool>(), 1u32..=240)),
    );
    (head, body, routing, channels_case()).prop_map(
        |(
            (seed, replications, horizon_min, warmup_min, drain, rate_per_hour),
            (personas, reasons, groups),
            (lines, ivr_s, priorities, overflow, policy),
            channels,
        )| Case {
            seed,
            replications,
            horizon_min,
            warmup_min,
            drain,
            rate_per_hour,
            personas,
            reasons,
            groups,
            lines,
            ivr_s,
            priorities,
            overflow,
            policy,
            channels,
        },
    )
}

fn dur_s(s: u32) -> String {
    format!("\"{s}s\"")
}

impl Handle {
    fn toml(&self) -> String {
        match self {
            Handle::Exponential(m) => format!("{{ dist = \"exponential\", mean = {} }}", dur_s(*m)),
            Handle::Lognormal(m, cv) => {
                format!(
                    "{{ dist = \"lognormal\", mean = {}, cv = {cv:.3} }}",
                    dur_s(*m)
                )
            }
            Handle::Gamma(m, cv) => {
                format!("{{ dist = \"gamma\", mean = {}, cv = {cv:.3} }}", dur_s(*m))
            }
            Handle::Erlang(k, m) => {
                format!("{{ dist = \"erlang\", k = {k}, mean = {} }}", dur_s(*m))
            }
            Handle::Weibull(s, m) => {
                format!(
                    "{{ dist = \"weibull\", shape = {s:.3}, mean = {} }}",
                    dur_s(*m)
                )
            }
            Handle::Uniform(lo, hi) => format!(
                "{{ dist = \"uniform\", min = {}, max = {} }}",
                dur_s(*lo),
                dur_s(*hi)
            ),
            Handle::Constant(v) => format!("{{ dist = \"constant\", value = {} }}", dur_s(*v)),
            Handle::Empirical => {
                "{ dist = \"empirical\", file = \"handle.csv\", column = \"seconds\" }".into()
            }
        }
    }
}

impl Patience {
    fn toml(&self) -> String {
        match self {
            Patience::Exponential(m) => {
                format!("{{ dist = \"exponential\", mean = {} }}", dur_s(*m))
            }
            Patience::Lognormal(m, cv) => {
                format!(
                    "{{ dist = \"lognormal\", mean = {}, cv = {cv:.3} }}",
                    dur_s(*m)
                )
            }
            Patience::Infinite => "\"infinite\"".into(),
        }
    }
}

/// Thousandths as a decimal number.
fn thousandths(x: u32) -> String {
    format!("{}.{:03}", x / 1000, x % 1000)
}

/// The channel settings of a case as the file will say them: shares and switch chances in
/// thousandths, and per group the channels it serves (`None` = no list, the phone), with every
/// channel customers use given to some group.
struct ChannelPlan {
    first: Vec<[u32; 5]>,
    switch: Vec<[u32; 5]>,
    serves: Vec<Option<[bool; 4]>>,
}

impl Case {
    fn channel_plan(&self) -> ChannelPlan {
        let first: Vec<[u32; 5]> = self
            .personas
            .iter()
            .map(|p| match p.channels {
                None => [1000, 0, 0, 0, 0],
                Some(c) => {
                    let v = c.map(|x| (x * 1000.0).round() as u32);
                    if v.iter().all(|x| *x == 0) {
                        [1000, 0, 0, 0, 0]
                    } else {
                        v
                    }
                }
            })
            .collect();
        let switch: Vec<[u32; 5]> = self
            .personas
            .iter()
            .map(|p| match p.switch {
                None => [0; 5],
                Some(v) => {
                    let total: u32 = v.iter().sum();
                    if total > 1000 {
                        v.map(|x| x * 1000 / total)
                    } else {
                        v
                    }
                }
            })
            .collect();
        let mut used = [false; 5];
        for (f, s) in first.iter().zip(&switch) {
            for k in 0..5 {
                used[k] |= f[k] > 0 || s[k] > 0;
            }
        }
        let ch = &self.channels;
        if used[4] {
            let fallback = ch
                .self_service
                .as_ref()
                .and_then(|(_, f, _)| *f)
                .map_or(0, |f| f % 4);
            used[fallback] = true;
        }
        let team = ch
            .social
            .and_then(|(t, _, _)| t)
            .map(|g| g % self.groups.len());
        if used[3] {
            let redirect = ch.social.and_then(|(_, r, _)| r).map_or(0, |r| r % 3);
            used[redirect] = true;
        }
        // A late email is chased by phone unless the switch chances name another channel.
        let chases_by_phone = self.personas.iter().zip(&switch).any(|(p, s)| {
            (p.retry * 1000.0).round() > 0.0
                && p.max_attempts > 1
                && s.iter().enumerate().all(|(k, x)| k == 2 || *x == 0)
        });
        if used[2] && chases_by_phone {
            used[0] = true;
        }
        let mut serves: Vec<Option<[bool; 4]>> = self
            .groups
            .iter()
            .map(|g| {
                g.channels.map(|c| {
                    if c.iter().any(|x| *x) {
                        c
                    } else {
                        [true, false, false, false]
                    }
                })
            })
            .collect();
        let fix = ch.fix_pick % self.groups.len();
        for k in 0..4 {
            let served = serves
                .iter()
                .any(|s| s.unwrap_or([true, false, false, false])[k])
                || (k == 3 && team.is_some());
            if used[k] && !served {
                let list = serves[fix].get_or_insert([true, false, false, false]);
                list[k] = true;
            }
        }
        ChannelPlan {
            first,
            switch,
            serves,
        }
    }
}

/// The CSV the empirical handle times read (next to the scenario file).
const HANDLE_CSV: &str = "seconds\n45\n2m8s\n300\n95.5\n610\n";

impl Case {
    /// The scenario file of the case.
    fn toml(&self) -> String {
        let plan = self.channel_plan();
        let mut t = String::new();
        let w = &mut t;
        let _ = writeln!(w, "[scenario]\nname = \"prop\"\nseed = {}", self.seed);
        let _ = writeln!(w, "replications = {}", self.replications);
        let _ = writeln!(w, "horizon = \"{}m\"", self.horizon_min);
        if self.warmup_min > 0 {
            let _ = writeln!(w, "warmup = \"{}m\"", self.warmup_min);
        }
        if let Some(d) = self.drain {
            let _ = writeln!(w, "drain = \"{d}\"");
        }
        let _ = writeln!(w, "\n[arrivals]\nrate = \"{:.3}/h\"", self.rate_per_hour);
        for (i, p) in self.personas.iter().enumerate() {
            let _ = writeln!(w, "\n[[persona]]\nname = \"p{i}\"\nshare = {:.3}", p.share);
            if p.channels.is_some() {
                let list: Vec<String> = CHANNEL_NAMES
                    .iter()
                    .zip(plan.first[i])
                    .filter(|(_, x)| *x > 0)
                    .map(|(n, x)| format!("{n} = {}", thousandths(x)))
                    .collect();
                let _ = writeln!(w, "channels = {{ {} }}", list.join(", "));
            }
            let patience = match &p.patience_by_channel {
                None => p.patience.toml(),
                Some(list) => {
                    let mut seen = [false; 5];
                    let mut parts = Vec::new();
                    for (ch, pat) in list {
                        if !std::mem::replace(&mut seen[ch % 5], true) {
                            parts.push(format!("{} = {}", CHANNEL_NAMES[ch % 5], pat.toml()));
                        }
                    }
                    format!("{{ {} }}", parts.join(", "))
                }
            };
            let _ = writeln!(w, "patience = {patience}");
            let switch = if p.switch.is_some() {
                let list: Vec<String> = CHANNEL_NAMES
                    .iter()
                    .zip(plan.switch[i])
                    .filter(|(_, x)| *x > 0)
                    .map(|(n, x)| format!("{n} = {}", thousandths(x)))
                    .collect();
                format!(", switch = {{ {} }}", list.join(", "))
            } else {
                String::new()
            };
            let _ = writeln!(
                w,
                "persistence = {{ retry = {:.3}, delay = {{ dist = \"exponential\", mean = \"{}m\" }}, max_attempts = {}{switch} }}",
                p.retry, p.delay_min, p.max_attempts
            );
        }
        // Skills a reason may ask for: those some group lists, and none if a group takes all.
        let mut offered: Vec<Option<&str>> = Vec::new();
        if self.groups.iter().any(|g| g.skills.is_none()) {
            offered.push(None);
        }
        for (k, name) in SKILLS.iter().enumerate() {
            if self
                .groups
                .iter()
                .any(|g| g.skills.is_some_and(|s| s[k].is_some()))
            {
                offered.push(Some(name));
            }
        }
        for (i, r) in self.reasons.iter().enumerate() {
            let _ = writeln!(w, "\n[[reason]]\nname = \"r{i}\"\nshare = {:.3}", r.share);
            if let Some(skill) = offered[r.skill_pick % offered.len()] {
                let _ = writeln!(w, "skill = \"{skill}\"");
            }
            let _ = writeln!(w, "handle = {}", r.handle.toml());
            if let Some(s) = r.wrapup_s {
                let _ = writeln!(
                    w,
                    "wrapup = {{ dist = \"constant\", value = {} }}",
                    dur_s(s)
                );
            }
            let _ = writeln!(w, "resolve = {:.3}", r.resolve);
            if let Some(x) = r.self_service {
                let _ = writeln!(w, "self_service = {x:.3}");
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            let _ = writeln!(w, "\n[[group]]\nname = \"g{i}\"");
            if let Some(skills) = g.skills {
                let list: Vec<String> = SKILLS
                    .iter()
                    .zip(skills)
                    .filter_map(|(n, p)| p.map(|p| format!("{n} = {p:.3}")))
                    .collect();
                let _ = writeln!(w, "skills = {{ {} }}", list.join(", "));
            }
            match &g.staffing {
                Staffing::Agents(n) => {
                    let _ = writeln!(w, "agents = {n}");
                }
                Staffing::Day(v) => {
                    let list: Vec<String> = v.iter().map(u32::to_string).collect();
                    let _ = writeln!(w, "staffing = [{}]", list.join(", "));
                }
                Staffing::Shifts(list) => {
                    let shifts: Vec<String> = list
                        .iter()
                        .map(|(start, len, agents, breaks)| {
                            let breaks: Vec<String> = breaks
                                .iter()
                                .filter_map(|&(a, l)| {
                                    let after = (a * f64::from(*len)) as u32;
                                    let blen = ((l * f64::from(*len)) as u32).max(1);
                                    (after + blen <= *len).then(|| {
                                        format!(
                                            "{{ after = \"{after}m\", length = \"{blen}m\" }}"
                                        )
                                    })
                                })
                                .collect();
                            format!(
                                "{{ start = \"{:02}:{:02}\", length = \"{len}m\", agents = {agents}, breaks = [{}] }}",
                                start * 15 / 60,
                                start * 15 % 60,
                                breaks.join(", ")
                            )
                        })
                        .collect();
                    let _ = writeln!(w, "shifts = [{}]", shifts.join(", "));
                }
                Staffing::Target(share, secs, erlang_a, max_occ) => {
                    let method = if *erlang_a { "erlang-a" } else { "erlang-c" };
                    let occ = max_occ
                        .map(|o| format!(", max_occupancy = {o:.3}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        w,
                        "staffing = {{ target = \"{}% in {secs}s\", method = \"{method}\"{occ} }}",
                        (share * 100.0).round()
                    );
                }
            }
            if let Some(s) = g.shrinkage {
                let _ = writeln!(w, "shrinkage = {s:.3}");
            }
            let _ = writeln!(w, "cost_per_hour = {:.2}", g.cost_per_hour);
            if let Some(list) = plan.serves[i] {
                let names: Vec<String> = CHANNEL_NAMES[..4]
                    .iter()
                    .zip(list)
                    .filter(|(_, on)| *on)
                    .map(|(n, _)| format!("\"{n}\""))
                    .collect();
                let _ = writeln!(w, "channels = [{}]", names.join(", "));
            }
            if let Some(k) = g.chat_concurrency {
                let _ = writeln!(w, "chat_concurrency = {k}");
            }
            if let Some(b) = g.record_access {
                let _ = writeln!(w, "record_access = {b}");
            }
        }
        let ch = &self.channels;
        if self.lines.is_some()
            || self.ivr_s.is_some()
            || ch.callback.is_some()
            || ch.misroute.is_some()
        {
            let _ = writeln!(w, "\n[channels.phone]");
            if let Some(l) = self.lines {
                let _ = writeln!(w, "lines = {l}");
            }
            if let Some(s) = self.ivr_s {
                let _ = writeln!(w, "ivr = {}", dur_s(s));
            }
            if let Some(m) = ch.misroute {
                let _ = writeln!(w, "misroute = {m:.3}");
            }
            if let Some((over, accept, reach, attempt)) = ch.callback {
                let mut parts = vec![
                    format!("offer_when_wait_over = {}", dur_s(over)),
                    format!("accept = {accept:.3}"),
                ];
                if let Some(r) = reach {
                    parts.push(format!("reach = {r:.3}"));
                }
                if let Some(a) = attempt {
                    parts.push(format!("attempt = {}", dur_s(a)));
                }
                let _ = writeln!(w, "callback = {{ {} }}", parts.join(", "));
            }
        }
        if let Some(v) = &ch.handle_stretch {
            // Multipliers never decrease (more sessions never make each faster): sorted.
            let mut v = v.clone();
            v.sort_by(f64::total_cmp);
            let list: Vec<String> = v.iter().map(|x| format!("{x:.3}")).collect();
            let _ = writeln!(
                w,
                "\n[channels.chat]\nhandle_stretch = [{}]",
                list.join(", ")
            );
        }
        if let Some(m) = ch.email_target_min {
            let _ = writeln!(w, "\n[channels.email]\ntarget = \"{m}m\"");
        }
        if let Some((team, redirect, escalation)) = ch.social {
            let _ = writeln!(w, "\n[channels.social]");
            if let Some(g) = team {
                let _ = writeln!(w, "group = \"g{}\"", g % self.groups.len());
            }
            if let Some(r) = redirect {
                let _ = writeln!(w, "redirect = \"{}\"", ["phone", "chat", "email"][r % 3]);
            }
            if let Some((priority, satisfaction)) = escalation {
                let mut parts = Vec::new();
                if let Some(p) = priority {
                    parts.push(format!("priority = {p}"));
                }
                if let Some(s) = satisfaction {
                    parts.push(format!("satisfaction = {s:.3}"));
                }
                let _ = writeln!(w, "public_escalation = {{ {} }}", parts.join(", "));
            }
        }
        if let Some((cost, fallback, duration)) = &ch.self_service {
            let _ = writeln!(w, "\n[channels.self_service]");
            if let Some(c) = cost {
                let _ = writeln!(w, "cost_per_session = {c:.3}");
            }
            if let Some(f) = fallback {
                let _ = writeln!(w, "fallback = \"{}\"", CHANNEL_NAMES[f % 4]);
            }
            if let Some(d) = duration {
                let _ = writeln!(w, "duration = {}", d.toml());
            }
        }
        if let Some((own, siloed, follow_up)) = self.policy {
            let _ = writeln!(
                w,
                "\n[policy]\nownership = \"{}\"\ncontext = \"{}\"\nfollow_up = {{ dist = \"exponential\", mean = \"{follow_up}m\" }}",
                if own { "own" } else { "hand-off" },
                if siloed { "siloed" } else { "shared" }
            );
        }
        if let Some(c) = ch.cost_callbacks {
            let _ = writeln!(w, "\n[cost]\ncallbacks = {c:.3}");
        }
        let mut prio: Vec<(String, u32)> = Vec::new();
        for &(is_reason, idx, level) in &self.priorities {
            let name = if is_reason {
                format!("r{}", idx % self.reasons.len())
            } else {
                format!("p{}", idx % self.personas.len())
            };
            if !prio.iter().any(|(n, _)| *n == name) {
                prio.push((name, level));
            }
        }
        let overflow = self.overflow.filter(|_| self.groups.len() >= 2);
        if !prio.is_empty() || overflow.is_some() {
            let _ = writeln!(w, "\n[routing]");
            if !prio.is_empty() {
                let list: Vec<String> = prio.iter().map(|(n, l)| format!("{n} = {l}")).collect();
                let _ = writeln!(w, "priorities = {{ {} }}", list.join(", "));
            }
        }
        if let Some((from, offset, after, proficiency)) = overflow {
            let n = self.groups.len();
            let from = from % n;
            let to = (from + 1 + offset % (n - 1)) % n;
            let _ = writeln!(
                w,
                "\n[[routing.overflow]]\nfrom = \"g{from}\"\nto = \"g{to}\"\nafter = {}",
                dur_s(after)
            );
            if let Some(p) = proficiency {
                let _ = writeln!(w, "proficiency = {p:.3}");
            }
        }
        t
    }
}

/// Metrics that are shares or probabilities, wherever they appear (those a version of ccsim
/// does not report are skipped).
const PROBABILITIES: &[&str] = &[
    "p_abandon",
    "p_blocked",
    "p_wait",
    "p_abandon_any",
    "service_level",
    "occupancy",
    "fcr",
    "fcr_coded",
    "resolved_share",
    "gave_up_share",
    "open_share",
    "proactive_share",
    "self_service_containment",
    "email_within_target",
];

/// Channels whose contacts count in the summary's queue metrics.
const LIVE_CHANNELS: [&str; 3] = ["phone", "chat", "social"];

/// The value of a summary metric, `None` if undefined or not reported by this version.
fn metric(v: &[Option<f64>], name: &str) -> Option<f64> {
    SUMMARY_METRICS
        .iter()
        .position(|m| *m == name)
        .and_then(|i| v[i])
}

fn metric_index(name: &str) -> usize {
    SUMMARY_METRICS
        .iter()
        .position(|m| *m == name)
        .unwrap_or_else(|| panic!("{name} is not a summary metric"))
}

/// Every property of one run's outcomes; `Err` names the first one broken.
fn check_outcomes(s: &Scenario, out: &RunOutput) -> Result<(), String> {
    let m = |name: &str| metric_index(name);
    let longest_s = ticks_to_secs(s.warmup + s.horizon + s.drain);
    if out.outcomes.len() != s.replications as usize {
        return Err(format!(
            "{} outcomes for {} replications",
            out.outcomes.len(),
            s.replications
        ));
    }
    for (r, o) in out.outcomes.iter().enumerate() {
        let v = &o.summary;
        let fail = |what: String| Err(format!("replication {r}: {what}\nsummary: {}", show(v)));
        if v.len() != SUMMARY_METRICS.len() {
            return fail(format!("{} summary values", v.len()));
        }
        if let Some((name, x)) = SUMMARY_METRICS
            .iter()
            .zip(v)
            .find_map(|(n, x)| x.filter(|x| !x.is_finite()).map(|x| (n, x)))
        {
            return fail(format!("{name} = {x}"));
        }
        let count = |name: &str| v[m(name)].unwrap_or(f64::NAN);
        let offered = count("offered");
        let settled = count("answered") + count("abandoned") + count("blocked");
        if settled > offered || offered.is_nan() || settled.is_nan() {
            return fail(format!(
                "answered + abandoned + blocked = {settled} > offered = {offered}"
            ));
        }
        // Each contact ends at most once: hung up (first wait or after a transfer), blocked,
        // or otherwise.
        let ended = count("abandoned") + count("abandoned_transferred") + count("blocked");
        if ended > offered {
            return fail(format!(
                "abandoned + abandoned_transferred + blocked = {ended} > offered = {offered}"
            ));
        }
        for name in PROBABILITIES {
            if let Some(x) = metric(v, name)
                && !(0.0..=1.0).contains(&x)
            {
                return fail(format!("{name} = {x} is not in [0, 1]"));
            }
        }
        if offered > 0.0 && v[m("p_abandon")].is_none() {
            return fail("p_abandon undefined although contacts were offered".into());
        }
        let resolved = v[m("resolved_share")];
        let gave_up = v[m("gave_up_share")];
        if let (Some(a), Some(b)) = (resolved, gave_up)
            && a + b > 1.0 + 1e-9
        {
            return fail(format!("resolved_share {a} + gave_up_share {b} > 1"));
        }
        if let (Some(a), Some(b), Some(c)) = (resolved, gave_up, metric(v, "open_share"))
            && (a + b + c - 1.0).abs() > 1e-9
        {
            return fail(format!(
                "resolved_share {a} + gave_up_share {b} + open_share {c} is not 1"
            ));
        }
        // Every issue resolved on its first contact was recorded so (by an agent's code, or by
        // self-service containing it): the company's own figure is never below the truth.
        if let (Some(fcr), Some(coded)) = (metric(v, "fcr"), metric(v, "fcr_coded"))
            && fcr > coded + 1e-12
        {
            return fail(format!("fcr {fcr} > fcr_coded {coded}"));
        }
        // Email: every measured email is answered, withdrawn (its issue settled elsewhere) or
        // still in the backlog when the run ends.
        let (arrived, answered, withdrawn, backlog) = (
            count("email_arrived"),
            count("email_answered"),
            count("email_withdrawn"),
            count("email_backlog_end"),
        );
        if arrived != answered + withdrawn + backlog {
            return fail(format!(
                "email_arrived {arrived} != email_answered {answered} + email_withdrawn {withdrawn} + email_backlog_end {backlog}"
            ));
        }
        let (offered_cb, accepted_cb, missed_cb) = (
            count("callbacks_offered"),
            count("callbacks_accepted"),
            count("callbacks_missed"),
        );
        if accepted_cb > offered_cb || missed_cb > accepted_cb {
            return fail(format!(
                "callbacks: offered {offered_cb}, accepted {accepted_cb}, missed {missed_cb}"
            ));
        }
        if s.phone.callback.is_none() && offered_cb > 0.0 {
            return fail(format!("{offered_cb} callbacks offered without a callback"));
        }
        match (
            count("self_service_sessions"),
            metric(v, "self_service_containment"),
        ) {
            (n, None) if n > 0.0 => {
                return fail(format!("{n} self-service sessions, containment undefined"));
            }
            (0.0, Some(c)) => {
                return fail(format!("no self-service session, containment {c}"));
            }
            _ => {}
        }
        if let Some(x) = v[m("email_age_mean_s")]
            && !(0.0..=longest_s).contains(&x)
        {
            return fail(format!("email_age_mean_s = {x} outside [0, {longest_s}] s"));
        }
        for (i, name) in SUMMARY_METRICS.iter().enumerate() {
            if let Some(x) = v[i]
                && x < 0.0
                && !name.starts_with("satisfaction")
                && *name != "csat_surveyed"
            {
                return fail(format!("{name} = {x} < 0"));
            }
        }
        if let (Some(f), Some(a)) = (v[m("fcr")], resolved)
            && f > a + 1e-12
        {
            return fail(format!("fcr {f} > resolved_share {a}"));
        }
        if count("issues") > 0.0 {
            match v[m("contacts_per_issue")] {
                Some(c) if c >= 1.0 => {}
                c => return fail(format!("contacts_per_issue = {c:?} with issues > 0")),
            }
        }
        for name in ["asa_s", "mean_wait_s"] {
            if let Some(x) = v[m(name)]
                && !(0.0..=longest_s).contains(&x)
            {
                return fail(format!("{name} = {x} outside [0, {longest_s}] s"));
            }
        }
        // Breakdowns: the same definitions per slice, and the slices add up to the total.
        // (A dimension holds only some metrics; each check applies where its metrics are.)
        let mut totals: Vec<(&str, &str, f64)> = Vec::new();
        let mut email_age_sum = 0.0;
        for (dim, key, values) in &o.breakdown {
            let names = ccsim::stats::outcome::dimension_metrics(dim);
            if names.len() != values.len() {
                return fail(format!(
                    "{dim} {key}: {} values for {} metrics",
                    values.len(),
                    names.len()
                ));
            }
            let get = |n: &str| names.iter().position(|x| *x == n).and_then(|i| values[i]);
            if let Some(x) = values.iter().flatten().find(|x| !x.is_finite()) {
                return fail(format!("{dim} {key}: a value is {x}"));
            }
            if let Some(off) = get("offered") {
                for n in ["answered", "abandoned", "blocked"] {
                    if get(n).is_some_and(|x| x > off) {
                        return fail(format!("{dim} {key}: {n} {:?} > offered {off}", get(n)));
                    }
                }
                let settled: f64 = ["answered", "abandoned", "blocked"]
                    .iter()
                    .map(|n| get(n).unwrap_or(0.0))
                    .sum();
                if settled > off {
                    return fail(format!(
                        "{dim} {key}: answered + abandoned + blocked {settled} > offered {off}"
                    ));
                }
            }
            for p in PROBABILITIES {
                if let Some(x) = get(p)
                    && !(0.0..=1.0).contains(&x)
                {
                    return fail(format!("{dim} {key}: {p} = {x} is not in [0, 1]"));
                }
            }
            // Each channel's own counters agree with its breakdown row.
            if *dim == "channel" {
                let pairs: &[(&str, &str)] = match key.as_str() {
                    "email" => &[("offered", "email_arrived"), ("answered", "email_answered")],
                    "self_service" => &[("offered", "self_service_sessions")],
                    _ => &[],
                };
                for (row, total) in pairs {
                    if get(row) != v[m(total)] {
                        return fail(format!(
                            "channel {key}: {row} {:?} but {total} {:?}",
                            get(row),
                            v[m(total)]
                        ));
                    }
                }
            }
            if *dim == "email_age" {
                email_age_sum += get("share").unwrap_or(0.0);
            }
            for total in [
                "offered",
                "answered",
                "abandoned",
                "blocked",
                "issues",
                "repeat_contacts_per_issue",
            ] {
                // Per-issue rates of causes add up; counts add up over personas, reasons, groups
                // and the live channels (email and self-service stay out of the queue totals).
                let additive = match (total, *dim) {
                    ("repeat_contacts_per_issue", d) => d == "cause",
                    (_, "channel") => LIVE_CHANNELS.contains(&key.as_str()),
                    _ => true,
                };
                if let Some(x) = get(total).filter(|_| additive) {
                    match totals.iter_mut().find(|(d, n, _)| d == dim && *n == total) {
                        Some((_, _, t)) => *t += x,
                        None => totals.push((dim, total, x)),
                    }
                }
            }
        }
        if answered > 0.0 && (email_age_sum - 1.0).abs() > 1e-9 {
            return fail(format!("email age shares sum to {email_age_sum}"));
        }
        // A channel with any use has a row; the live rows then hold every offered contact.
        if offered > 0.0 && !totals.iter().any(|(d, _, _)| *d == "channel") {
            return fail("contacts offered but no channel row".into());
        }
        for (dim, name, t) in totals {
            let whole = v[m(name)].unwrap_or(0.0);
            if (t - whole).abs() > 1e-9 * whole.abs().max(1.0) {
                return fail(format!(
                    "{name} per {dim} sums to {t}, the total is {whole}"
                ));
            }
        }
    }
    for (i, name) in SUMMARY_METRICS.iter().enumerate() {
        let values: Vec<Option<f64>> = out.outcomes.iter().map(|o| o.summary[i]).collect();
        if let Some(sm) = summarize(&values, CONFIDENCE)
            && let (Some(lo), Some(hi)) = (sm.ci_low, sm.ci_high)
            && !(lo <= sm.mean && sm.mean <= hi)
        {
            return Err(format!(
                "{name}: interval [{lo}, {hi}] does not hold the mean {}",
                sm.mean
            ));
        }
    }
    Ok(())
}

fn show(v: &[Option<f64>]) -> String {
    SUMMARY_METRICS
        .iter()
        .zip(v)
        .map(|(n, x)| match x {
            Some(x) => format!("{n}={x}"),
            None => format!("{n}=-"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Bit-exact fingerprint of every metric of a run (summary and breakdown).
fn fingerprint(out: &RunOutput) -> Vec<Option<u64>> {
    out.outcomes
        .iter()
        .flat_map(|o| {
            o.summary
                .iter()
                .copied()
                .chain(o.breakdown.iter().flat_map(|(_, _, v)| v.iter().copied()))
                .map(|x| x.map(f64::to_bits))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// summary.csv or breakdown.csv of a run.
type CsvWriter = fn(&Scenario, &RunOutput) -> ccsim::Result<Vec<u8>>;

/// Longest one run of a random scenario may take before it counts as hung.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// Run on a worker thread: a panic or a run past `RUN_LIMIT` is an error, not a lost test.
fn run_bounded(s: &Scenario, threads: usize) -> Result<RunOutput, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let s = s.clone();
    std::thread::spawn(move || {
        let _ = tx.send(runner::run(&s, threads).map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(RUN_LIMIT) {
        Ok(r) => r,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            Err(format!("the run did not end within {RUN_LIMIT:?}"))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err("the run panicked".into()),
    }
}

impl Case {
    /// Agents paid at minute `m` of the day by the staffing as written (breaks are paid;
    /// `None` for staff-to-target, which depends on the forecast).
    fn paid_at(&self, m: u32) -> Option<u32> {
        let mut paid = 0;
        for g in &self.groups {
            paid += match &g.staffing {
                Staffing::Agents(n) => *n,
                Staffing::Day(v) => v[(m / 30) as usize],
                Staffing::Shifts(list) => list
                    .iter()
                    .filter(|(start, len, _, _)| {
                        *len >= 1440 || (m + 1440 - start * 15 % 1440) % 1440 < *len
                    })
                    .map(|s| s.2)
                    .sum(),
                Staffing::Target(..) => return None,
            };
        }
        Some(paid)
    }

    /// Mean agents paid over the window, minute by minute from the file's staffing.
    fn expected_staffed(&self) -> Option<f64> {
        let mut sum = 0u64;
        for m in 0..self.horizon_min {
            sum += u64::from(self.paid_at(m % 1440)?);
        }
        Some(sum as f64 / f64::from(self.horizon_min))
    }

    fn staffs_to_target(&self) -> bool {
        self.groups
            .iter()
            .any(|g| matches!(g.staffing, Staffing::Target(..)))
    }
}

#[test]
fn random_valid_scenarios_give_consistent_outcomes() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("handle.csv"), HANDLE_CSV).expect("write the CSV");
    let path = dir.path().join("prop.toml");
    let started = Instant::now();
    let runs = Cell::new(0u32);
    let rejected = Cell::new(0u32);
    let features = Cell::new([0u32; FEATURES.len()]);
    let offered_total = Cell::new(0.0);
    let result = explorer(64).run(&case(), |c| {
        let text = c.toml();
        let s = match load_str(&path, text.clone(), "prop") {
            Ok(s) => s,
            // Staff-to-target may find no staffing for the forecast (Erlang A with a patient
            // persona, say): the file is refused with a reason, which is right.
            Err(e) if c.staffs_to_target() && e.to_string().contains("staffing") => {
                rejected.set(rejected.get() + 1);
                return Err(TestCaseError::reject("staff-to-target refused"));
            }
            // A reason whose skill no group offers on a channel it comes by would wait
            // forever: the loader refuses the file, naming the reason and the channel.
            Err(e)
                if e.to_string().lines().filter(|l| l.starts_with("error:")).all(|l| {
                    l.contains("comes by") && l.contains("no group serving")
                }) =>
            {
                rejected.set(rejected.get() + 1);
                return Err(TestCaseError::reject("a reason no group takes on a channel"));
            }
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "does not load:\n{e}\n--- scenario ---\n{text}"
                )));
            }
        };
        let out = run_bounded(&s, 1)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- scenario ---\n{text}")))?;
        check_outcomes(&s, &out)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- scenario ---\n{text}")))?;
        check_loaded(&s)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- scenario ---\n{text}")))?;
        if let Some(expected) = c.expected_staffed() {
            for o in &out.outcomes {
                let staffed = o.summary[metric_index("agents_staffed")].unwrap_or(f64::NAN);
                prop_assert!(
                    (staffed - expected).abs() <= 1e-9 * expected.max(1.0),
                    "agents_staffed {staffed}, the staffing as written pays {expected} on average\n--- scenario ---\n{text}"
                );
            }
        }
        let again = run_bounded(&s, 2)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- scenario ---\n{text}")))?;
        prop_assert!(
            fingerprint(&out) == fingerprint(&again),
            "a re-run (2 threads) gave different metrics\n--- scenario ---\n{text}"
        );
        for (name, write) in [
            ("summary.csv", report::summary_csv as CsvWriter),
            ("breakdown.csv", report::breakdown_csv),
        ] {
            let bytes = write(&s, &out).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
            let lower = String::from_utf8_lossy(&bytes).to_lowercase();
            prop_assert!(
                !lower.contains("nan") && !lower.contains("inf"),
                "{name} holds NaN or inf\n--- scenario ---\n{text}"
            );
            let again = write(&s, &again).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
            prop_assert!(
                bytes == again,
                "a re-run (2 threads) wrote a different {name}\n--- scenario ---\n{text}"
            );
        }
        runs.set(runs.get() + 1);
        let offered: f64 = out
            .outcomes
            .iter()
            .filter_map(|o| o.summary[metric_index("offered")])
            .sum();
        offered_total.set(offered_total.get() + offered);
        // How many scenarios exercised each feature (printed: the generator must reach them).
        let mut seen = features.take();
        for (k, name) in FEATURES[..FEATURES.len() - 2].iter().enumerate() {
            let i = metric_index(name);
            seen[k] += u32::from(
                out.outcomes
                    .iter()
                    .any(|o| o.summary[i].is_some_and(|x| x > 0.0)),
            );
        }
        for (k, ch) in ["chat", "social"].iter().enumerate() {
            let answered = |o: &ccsim::stats::Outcome| {
                o.breakdown.iter().any(|(d, key, v)| {
                    *d == "channel" && key == ch && v[1].is_some_and(|x| x > 0.0)
                })
            };
            seen[FEATURES.len() - 2 + k] += u32::from(out.outcomes.iter().any(answered));
        }
        features.set(seen);
        Ok(())
    });
    eprintln!(
        "properties: {} random scenarios run twice ({} refused by the loader: staff-to-target without a staffing, or a reason no group takes on a channel), {} contacts offered, {:.1} s",
        runs.get(),
        rejected.get(),
        offered_total.get(),
        started.elapsed().as_secs_f64()
    );
    let seen = features.get();
    eprintln!(
        "scenarios with: {}",
        FEATURES
            .iter()
            .zip(seen)
            .map(|(n, k)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Metrics that show a feature at work when above 0 (the last two: answered on the channel).
const FEATURES: [&str; 11] = [
    "callbacks_accepted",
    "callbacks_missed",
    "self_service_containment",
    "email_answered",
    "email_withdrawn",
    "repeat_contacts_per_issue_email_late",
    "repeat_contacts_per_issue_redirected",
    "repeat_contacts_per_issue_self_service",
    "cost_agents",
    "chat answered",
    "social answered",
];

// ----------------------------------------------------------------------------------------------
// Byte mutations of the shipped scenarios
// ----------------------------------------------------------------------------------------------

/// Mutations per file and format.
const MUTATIONS: u32 = 2000;
/// Longest one load of a mutated file may take.
const LOAD_LIMIT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte with a non-zero mask.
    Flip(usize, u8),
    /// Insert a byte (often one that matters to TOML or JSON).
    Insert(usize, u8),
    /// Delete up to `len` bytes.
    Delete(usize, usize),
    /// Cut the file.
    Truncate(usize),
    /// Replace a byte by an interesting one.
    Replace(usize, u8),
}

fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => proptest::sample::select(b"\"'[]{}=,.:-+_#\n\\0123456789eE/smhdinfa \t".to_vec()),
        1 => any::<u8>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let pos = any::<usize>();
    prop_oneof![
        (pos, 1u8..=255).prop_map(|(p, m)| Mutation::Flip(p, m)),
        (pos, interesting_byte()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        (pos, 1usize..=16).prop_map(|(p, n)| Mutation::Delete(p, n)),
        pos.prop_map(Mutation::Truncate),
        (pos, interesting_byte()).prop_map(|(p, b)| Mutation::Replace(p, b)),
    ]
}

fn mutate(original: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut b = original.to_vec();
    for m in mutations {
        let n = b.len();
        match *m {
            Mutation::Flip(p, mask) if n > 0 => b[p % n] ^= mask,
            Mutation::Replace(p, x) if n > 0 => b[p % n] = x,
            Mutation::Insert(p, x) => b.insert(p % (n + 1), x),
            Mutation::Delete(p, len) if n > 0 => {
                let at = p % n;
                b.drain(at..(at + len).min(n));
            }
            Mutation::Truncate(p) => b.truncate(p % (n + 1)),
            _ => {}
        }
    }
    b
}

/// Facts a loaded scenario must have, whatever file it came from.
fn check_loaded(s: &Scenario) -> Result<(), String> {
    let slots = s.intervals_per_day();
    let sums_to_one = |xs: &mut dyn Iterator<Item = f64>| (xs.sum::<f64>() - 1.0).abs() < 1e-9;
    let checks = [
        (
            s.interval > 0 && DAY % s.interval == 0,
            "the interval divides the day",
        ),
        (s.horizon > 0, "the horizon is positive"),
        (
            s.warmup >= 0 && s.drain >= 0 && s.sl_threshold >= 0,
            "durations are not negative",
        ),
        (s.replications >= 1, "at least one replication"),
        (
            s.arrivals.profile.len() == slots * s.arrivals.profile_days(),
            "one rate per interval of the profile's day or week",
        ),
        (
            s.arrivals
                .profile
                .iter()
                .all(|r| r.is_finite() && *r >= 0.0),
            "finite rates of zero or more",
        ),
        (
            !s.personas.is_empty() && !s.reasons.is_empty() && !s.groups.is_empty(),
            "sections",
        ),
        (
            sums_to_one(&mut s.personas.iter().map(|p| p.share)),
            "persona shares sum to 1",
        ),
        (
            sums_to_one(&mut s.reasons.iter().map(|r| r.share)),
            "reason shares sum to 1",
        ),
        (
            s.groups
                .iter()
                .all(|g| match &g.staffing {
                    ccsim::scenario::Staffing::Intervals(v) => v.len() == 1 || v.len() == slots,
                    _ => true,
                } && !g.plan.is_empty()
                    && g.plan.iter().all(|d| d.first().is_some_and(|st| st.at == 0)
                        && d.windows(2).all(|w| w[0].at < w[1].at))),
            "staffing has one value or one per interval; the plan starts at 00:00 and ascends",
        ),
        (
            s.reasons.iter().all(|r| (0.0..=1.0).contains(&r.resolve)),
            "resolve is a probability",
        ),
    ];
    match checks.iter().find(|(ok, _)| !ok) {
        Some((_, what)) => Err(format!("loaded, but not: {what}")),
        None => Ok(()),
    }
}

/// The shipped scenarios, and each one's JSON form.
fn shipped_documents() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("toml" | "json")
        )
    });
    files.sort();
    let mut docs = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if f.extension().and_then(|e| e.to_str()) == Some("toml") {
            let text = String::from_utf8(bytes.clone()).expect("shipped scenarios are UTF-8");
            let value: toml::Value = toml::from_str(&text).expect("shipped scenarios are TOML");
            let json = serde_json::to_string_pretty(&value).expect("TOML as JSON");
            docs.push((f.with_extension("json"), json.into_bytes()));
        }
        docs.push((f, bytes));
    }
    docs
}

#[test]
fn mutated_scenarios_never_panic_or_hang_the_loader() {
    let docs = shipped_documents();
    assert!(!docs.is_empty(), "scenarios/ holds no scenario");
    let started = Instant::now();
    let (loads, accepted) = (Cell::new(0u32), Cell::new(0u32));
    for (path, original) in &docs {
        // The unmutated file (and its JSON form) must load.
        let text = String::from_utf8(original.clone()).expect("UTF-8");
        if let Err(e) = load_str(path, text, "shipped") {
            panic!("{} does not load:\n{e}", path.display());
        }
        let strategy = proptest::collection::vec(mutation(), 1..=4);
        let result = runner(MUTATIONS).run(&strategy, |ms| {
            let bytes = mutate(original, &ms);
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            };
            let clock = Instant::now();
            let loaded = load_str(path, text.clone(), "mutant");
            let took = clock.elapsed();
            loads.set(loads.get() + 1);
            prop_assert!(
                took < LOAD_LIMIT,
                "load took {took:?}\n--- text ---\n{text}"
            );
            match loaded {
                Ok(s) => {
                    accepted.set(accepted.get() + 1);
                    check_loaded(&s)
                        .map_err(|e| TestCaseError::fail(format!("{e}\n--- text ---\n{text}")))?;
                }
                Err(Error::Input(d)) => {
                    prop_assert!(!d.is_empty(), "an input error without a diagnostic");
                    for x in &d {
                        prop_assert!(
                            x.location
                                .as_ref()
                                .is_some_and(|l| l.line >= 1 && l.column >= 1)
                                && !x.message.is_empty(),
                            "diagnostic without a place or a message: {x:?}\n--- text ---\n{text}"
                        );
                    }
                }
                Err(e) => prop_assert!(false, "not an input error: {e:?}\n--- text ---\n{text}"),
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{}: {e}", path.display());
        }
    }
    eprintln!(
        "mutations: {} loads of {} documents ({} still valid) in {:.1} s",
        loads.get(),
        docs.len(),
        accepted.get(),
        started.elapsed().as_secs_f64()
    );
}
