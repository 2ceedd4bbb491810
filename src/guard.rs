//! Runaway guard: refuse a run whose estimated work is far beyond what a machine does in
//! reasonable time, and stop a replication whose contacts in flight grow without bound.
//!
//! Two limits, both documented in docs/performance.md:
//!
//! - **Work** (`WORK_LIMIT`, 2 × 10⁹ contacts): before `ccsim run`, and for each scenario of
//!   `ccsim sweep`, `estimate` computes the expected new issues over warm-up + horizon from the
//!   arrival profile (a day's, a week's or a multi-week file's, over its whole cycle) and weekday factors (the daily busyness factor has
//!   mean 1), times a bound on contacts per issue (share-weighted `1 + retry ×
//!   (max_attempts − 1)` over the personas), times the replications. Above the limit the run is refused (exit code 2) unless `--force`.
//!   At the engine's cost of about 1 µs per contact per core (bench-mmcm) the limit is about
//!   half an hour on one core; richer scenarios cost several times more per contact.
//! - **Contacts in flight** (`MAX_IN_FLIGHT`, 10 million per replication, about 2.6 GB at the
//!   measured ~260 bytes each): a queue that grows without bound (load above capacity,
//!   infinite patience) stops at the cap with an error naming the scenario instead of
//!   exhausting memory. The engine compares its live-contact count with
//!   `Scenario::max_in_flight` where it creates a contact and, past it, ends the replication
//!   and marks `Raw::in_flight_cap_at`; `check_outcomes` turns the mark into the error.
//!
//! Both limits can be lowered (or raised) through the environment variables `CCSIM_WORK_LIMIT`
//! and `CCSIM_MAX_IN_FLIGHT`, read when a run starts (work) or a scenario is loaded (in flight);
//! the tests use them to hit the limits with small scenarios.

use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::stats::Outcome;
use crate::time::{DAY, Ticks, format_duration};

/// Default limit on the estimated contacts of one run (all replications).
pub const WORK_LIMIT: f64 = 2e9;
/// Default cap on contacts alive at once in one replication.
pub const MAX_IN_FLIGHT: u64 = 10_000_000;
/// Environment variable overriding `WORK_LIMIT` (a number of contacts, e.g. `1e6`).
pub const WORK_LIMIT_ENV: &str = "CCSIM_WORK_LIMIT";
/// Environment variable overriding `MAX_IN_FLIGHT` (a number of contacts).
pub const MAX_IN_FLIGHT_ENV: &str = "CCSIM_MAX_IN_FLIGHT";

/// A positive number from the environment variable `name`, if set and valid.
fn env_number(name: &str) -> Option<f64> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// The work limit in force: `CCSIM_WORK_LIMIT` or `WORK_LIMIT`.
pub fn work_limit() -> f64 {
    env_number(WORK_LIMIT_ENV).unwrap_or(WORK_LIMIT)
}

/// The in-flight cap in force: `CCSIM_MAX_IN_FLIGHT` or `MAX_IN_FLIGHT`.
pub fn max_in_flight() -> u64 {
    env_number(MAX_IN_FLIGHT_ENV).map_or(MAX_IN_FLIGHT, |v| v as u64)
}

/// The estimated work of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Work {
    /// Expected new issues per replication over warm-up + horizon.
    pub arrivals: f64,
    /// Bound on the expected contacts per issue.
    pub contacts_per_arrival: f64,
    /// Replications.
    pub replications: u32,
    /// `arrivals × contacts_per_arrival × replications`.
    pub contacts: f64,
}

/// Expected new issues from the start of the warm-up to `warmup + rel` minus those up to
/// `warmup`, for `rel` in ticks relative to the window start (negative in the warm-up).
fn integrated(s: &Scenario, rel: Ticks) -> f64 {
    let interval_s = s.interval as f64 / 1000.0;
    let a = &s.arrivals;
    let slots = a.slots_per_day();
    // The profile of day `d` (a daily profile is the same every day).
    let day_profile = |d: usize| -> &[f64] {
        let start = (d % a.profile_days()) * slots;
        &a.profile[start..start + slots]
    };
    let day_total = |d: usize| day_profile(d).iter().sum::<f64>() * interval_s;
    let f = &a.weekday_factors;
    // The rates repeat every cycle (a week, or a multi-week file's days); day 0 is a Monday.
    let days = a.cycle_days();
    let cycle = days as Ticks * DAY;
    let cycle_total: f64 = (0..days).map(|d| f[d % 7] * day_total(d)).sum();
    let cycles = rel.div_euclid(cycle);
    let r = rel.rem_euclid(cycle);
    let day = ((r / DAY) as usize).min(days - 1);
    let mut total =
        cycles as f64 * cycle_total + (0..day).map(|d| f[d % 7] * day_total(d)).sum::<f64>();
    let rem = r - day as i64 * DAY;
    let slot = (rem / s.interval) as usize;
    let part = (rem - slot as i64 * s.interval) as f64 / 1000.0;
    let profile = day_profile(day);
    let in_day = profile[..slot.min(profile.len())].iter().sum::<f64>() * interval_s
        + profile.get(slot).map_or(0.0, |rate| rate * part);
    total += f[day % 7] * in_day;
    total
}

/// The expected work of a run of `s` (see the module documentation).
pub fn estimate(s: &Scenario) -> Work {
    let arrivals = (integrated(s, s.horizon) - integrated(s, -s.warmup)).max(0.0);
    let total_share: f64 = s.personas.iter().map(|p| p.share).sum();
    let contacts_per_arrival = if s.personas.is_empty() || total_share <= 0.0 {
        1.0
    } else {
        s.personas
            .iter()
            .map(|p| {
                let extra = f64::from(p.persistence.max_attempts.max(1) - 1);
                p.share / total_share * (1.0 + p.persistence.retry.clamp(0.0, 1.0) * extra)
            })
            .sum()
    };
    let contacts = arrivals * contacts_per_arrival * f64::from(s.replications);
    Work {
        arrivals,
        contacts_per_arrival,
        replications: s.replications,
        contacts,
    }
}

/// Refuse a run of `s` (called `label` in the message, e.g. "`name` (file.toml)") whose
/// estimated work is above `limit` contacts, unless `force`. Returns the estimate.
pub fn check(s: &Scenario, label: &str, limit: f64, force: bool) -> Result<Work> {
    let w = estimate(s);
    if w.contacts > limit && !force {
        return Err(Error::Limit(format!(
            "scenario {label} is too big to run: about {:.3e} contacts estimated \
             ({:.3e} new issues per replication over warm-up {} + horizon {} × {:.2} contacts \
             per issue at most × {} replications), above the limit of {:.3e} contacts \
             (about 1 µs per contact per core: {:.1} core-hours)\n    \
             help: shorten scenario.horizon or lower the replications, or pass --force to run \
             it anyway",
            w.contacts,
            w.arrivals,
            format_duration(s.warmup),
            format_duration(s.horizon),
            w.contacts_per_arrival,
            w.replications,
            limit,
            w.contacts * 1e-6 / 3600.0,
        )));
    }
    Ok(w)
}

/// The error for a replication of `label` that stopped at `cap` contacts in flight at
/// simulated time `at` (ticks from the start of the warm-up).
pub fn in_flight_error(label: &str, replication: usize, cap: u64, at: Ticks) -> Error {
    Error::Limit(format!(
        "scenario {label}: replication {replication} stopped at {} of simulated time with more \
         than {cap} contacts in flight at once (the cap that keeps a run from exhausting \
         memory): the queue grows without bound, e.g. more work arrives than the agents can \
         take and nobody abandons\n    \
         help: add agents, lower the arrival rate, give the personas a patience, or shorten \
         scenario.horizon",
        format_duration(at)
    ))
}

/// An error if a replication of `label` stopped at the in-flight cap `cap`.
pub fn check_outcomes(label: &str, outcomes: &[Outcome], cap: u64) -> Result<()> {
    match outcomes
        .iter()
        .enumerate()
        .find_map(|(r, o)| o.raw.in_flight_cap_at.map(|at| (r, at)))
    {
        Some((r, at)) => Err(in_flight_error(label, r, cap, at)),
        None => Ok(()),
    }
}
