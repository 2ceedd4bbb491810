//! What one replication returns: raw tallies, and the stable metric names computed from them.

use super::tally::{AgentTime, ContactTally, JourneyTally};
use crate::scenario::Scenario;
use crate::time::HOUR;

/// Metrics of summary.csv, in output order. Names are a public interface: never rename.
pub const SUMMARY_METRICS: &[&str] = &[
    "offered",
    "answered",
    "abandoned",
    "blocked",
    "p_abandon",
    "p_blocked",
    "p_wait",
    "asa_s",
    "mean_wait_s",
    "service_level",
    "occupancy",
    "aht_s",
    "mean_queue_len",
    "busy_agents",
    "agents_staffed",
    "issues",
    "contacts_per_issue",
    "repeat_contacts_per_issue",
    "fcr",
    "resolved_share",
    "gave_up_share",
    "cost_agents",
    "cost_total",
    "cost_per_resolved",
];

/// Metrics of breakdown.csv for a slice of contacts (persona, reason).
pub const CONTACT_METRICS: &[&str] = &[
    "offered",
    "answered",
    "abandoned",
    "blocked",
    "p_abandon",
    "p_wait",
    "asa_s",
    "mean_wait_s",
    "service_level",
    "aht_s",
];

/// Metrics of breakdown.csv for a group: its contacts and its agents.
pub const GROUP_METRICS: &[&str] = &[
    "offered",
    "answered",
    "abandoned",
    "blocked",
    "p_abandon",
    "p_wait",
    "asa_s",
    "mean_wait_s",
    "service_level",
    "aht_s",
    "occupancy",
    "busy_agents",
    "agents_staffed",
    "cost_agents",
];

/// One cell of the intervals table: contacts that arrived in it and agent time spent in it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IntervalCell {
    /// Contacts by arrival interval and home group.
    pub contacts: ContactTally,
    /// Agent time of the group within the interval.
    pub agents: AgentTime,
    /// How many times the interval was observed (a partial interval counts its fraction).
    pub occurrences: f64,
}

/// Everything one replication measured, before turning it into metrics.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    /// All contacts.
    pub all: ContactTally,
    /// Per persona.
    pub persona: Vec<ContactTally>,
    /// Per reason.
    pub reason: Vec<ContactTally>,
    /// Per home group.
    pub group: Vec<ContactTally>,
    /// Agent time per group over the window.
    pub agents: Vec<AgentTime>,
    /// Integral of the number of waiting contacts over the window [contacts × ticks].
    pub queue_area: i64,
    /// Journeys begun in the window.
    pub journeys: JourneyTally,
    /// Intervals table, indexed `[weekday_bucket][slot][group]` flattened.
    pub intervals: Vec<IntervalCell>,
    /// Events processed (for throughput figures).
    pub events: u64,
    /// Largest number of contacts in the system at once (for memory figures).
    pub peak_contacts: u64,
}

/// One replication's metric values, aligned with the name lists.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Values of `SUMMARY_METRICS`.
    pub summary: Vec<Option<f64>>,
    /// Breakdown rows: (dimension, key, values aligned with the dimension's metric list).
    pub breakdown: Vec<(&'static str, String, Vec<Option<f64>>)>,
    /// The raw tallies (the intervals table is aggregated from them).
    pub raw: Raw,
}

fn contact_values(t: &ContactTally) -> Vec<Option<f64>> {
    vec![
        Some(t.offered as f64),
        Some(t.answered as f64),
        Some(t.abandoned as f64),
        Some(t.blocked as f64),
        t.p_abandon(),
        t.p_wait(),
        t.asa_s(),
        t.mean_wait_s(),
        t.service_level(),
        t.aht_s(),
    ]
}

fn agent_cost(a: &AgentTime, per_hour: f64) -> f64 {
    a.paid as f64 / HOUR as f64 * per_hour
}

impl Outcome {
    /// Compute every metric of a replication from its tallies.
    pub fn from_raw(s: &Scenario, raw: Raw) -> Outcome {
        let horizon = s.horizon as f64;
        let mut agents_total = AgentTime::default();
        let mut cost_agents = 0.0;
        for (g, a) in s.groups.iter().zip(&raw.agents) {
            agents_total.add(a);
            cost_agents += agent_cost(a, g.cost_per_hour);
        }
        let j = &raw.journeys;
        let per_issue = |x: f64| (j.issues > 0).then(|| x / j.issues as f64);
        let t = &raw.all;
        let summary = vec![
            Some(t.offered as f64),
            Some(t.answered as f64),
            Some(t.abandoned as f64),
            Some(t.blocked as f64),
            t.p_abandon(),
            t.p_blocked(),
            t.p_wait(),
            t.asa_s(),
            t.mean_wait_s(),
            t.service_level(),
            agents_total.occupancy(),
            t.aht_s(),
            Some(raw.queue_area as f64 / horizon),
            Some(agents_total.busy as f64 / horizon),
            Some(agents_total.paid as f64 / horizon),
            Some(j.issues as f64),
            per_issue(j.contacts as f64),
            per_issue(j.contacts.saturating_sub(j.issues) as f64),
            per_issue(j.first_contact as f64),
            per_issue(j.resolved as f64),
            per_issue(j.gave_up as f64),
            Some(cost_agents),
            Some(cost_agents),
            (j.resolved > 0).then(|| cost_agents / j.resolved as f64),
        ];
        debug_assert_eq!(summary.len(), SUMMARY_METRICS.len());
        let mut breakdown = Vec::new();
        for (p, t) in s.personas.iter().zip(&raw.persona) {
            breakdown.push(("persona", p.name.clone(), contact_values(t)));
        }
        for (r, t) in s.reasons.iter().zip(&raw.reason) {
            breakdown.push(("reason", r.name.clone(), contact_values(t)));
        }
        for ((g, t), a) in s.groups.iter().zip(&raw.group).zip(&raw.agents) {
            let mut v = contact_values(t);
            v.extend([
                a.occupancy(),
                Some(a.busy as f64 / horizon),
                Some(a.paid as f64 / horizon),
                Some(agent_cost(a, g.cost_per_hour)),
            ]);
            breakdown.push(("group", g.name.clone(), v));
        }
        Outcome {
            summary,
            breakdown,
            raw,
        }
    }
}

/// The metric names of a breakdown dimension.
pub fn dimension_metrics(dimension: &str) -> &'static [&'static str] {
    if dimension == "group" {
        GROUP_METRICS
    } else {
        CONTACT_METRICS
    }
}
