//! What one replication returns: raw tallies, and the stable metric names computed from them.

use super::tally::{AgentTime, ChannelTally, ContactTally, EMAIL_AGE_BAND_NAMES, JourneyTally};
use crate::scenario::Scenario;
use crate::time::{HOUR, Ticks};

/// Metrics of summary.csv, in output order. Names are a public interface: never rename.
pub const SUMMARY_METRICS: &[&str] = &[
    "offered",
    "answered",
    "abandoned",
    "blocked",
    "p_abandon",
    "p_blocked",
    "abandoned_transferred",
    "p_abandon_any",
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
    "repeat_contacts_per_issue_not_resolved",
    "repeat_contacts_per_issue_false_resolution",
    "repeat_contacts_per_issue_refusal",
    "repeat_contacts_per_issue_abandoned",
    "repeat_contacts_per_issue_blocked",
    "repeat_contacts_per_issue_partner",
    "repeat_contacts_per_issue_follow_up",
    "repeat_contacts_per_issue_callback_missed",
    "repeat_contacts_per_issue_redirected",
    "repeat_contacts_per_issue_self_service",
    "repeat_contacts_per_issue_email_late",
    "fcr",
    "fcr_coded",
    "transfers_per_contact",
    "reexplanations_per_issue",
    "refusals_per_issue",
    "resolved_share",
    "gave_up_share",
    "open_share",
    "effort",
    "satisfaction_mean",
    "satisfied_share",
    "csat_surveyed",
    "value_at_risk",
    "satisfaction_share_1",
    "satisfaction_share_2",
    "satisfaction_share_3",
    "satisfaction_share_4",
    "satisfaction_share_5",
    "survey_responses",
    "partner_handoffs_per_issue",
    "proactive_share",
    "cost_agents",
    "cost_partners",
    "cost_concessions",
    "cost_other",
    "cost_total",
    "cost_per_resolved",
    "callbacks_offered",
    "callbacks_accepted",
    "callbacks_missed",
    "self_service_sessions",
    "self_service_containment",
    "email_arrived",
    "email_answered",
    "email_within_target",
    "email_age_mean_s",
    "email_backlog_day_start",
    "email_backlog_end",
    "email_withdrawn",
];

/// Metrics of breakdown.csv for an email age band.
pub const EMAIL_AGE_METRICS: &[&str] = &["share"];

/// Queue metrics of a slice of contacts (breakdown.csv).
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
    "abandoned_transferred",
    "p_abandon_any",
];

/// Journey metrics of a slice of issues (breakdown.csv, persona and reason).
pub const JOURNEY_METRICS: &[&str] = &[
    "issues",
    "contacts_per_issue",
    "repeat_contacts_per_issue",
    "fcr",
    "fcr_coded",
    "transfers_per_contact",
    "reexplanations_per_issue",
    "refusals_per_issue",
    "resolved_share",
    "gave_up_share",
    "open_share",
    "effort",
    "satisfaction_mean",
    "satisfied_share",
    "csat_surveyed",
    "value_at_risk",
    "satisfaction_share_1",
    "satisfaction_share_2",
    "satisfaction_share_3",
    "satisfaction_share_4",
    "satisfaction_share_5",
];

/// Metrics of breakdown.csv for a persona or a reason: its contacts, then its journeys.
pub static SLICE_METRICS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    CONTACT_METRICS
        .iter()
        .chain(JOURNEY_METRICS)
        .copied()
        .collect()
});

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
    "abandoned_transferred",
    "p_abandon_any",
    "occupancy",
    "busy_agents",
    "agents_staffed",
    "cost_agents",
];

/// Metrics of breakdown.csv for a repeat-contact cause.
pub const CAUSE_METRICS: &[&str] = &["repeat_contacts_per_issue"];

/// Customer effort charged per contact on top of the time spent [minutes]: dialling,
/// identifying, the cost of having to get in touch at all (a stated assumption).
pub const EFFORT_PER_CONTACT_MIN: f64 = 5.0;

/// One cell of the intervals table: contacts that arrived in it and agent time spent in it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IntervalCell {
    /// Contacts by arrival interval and home group.
    pub contacts: ContactTally,
    /// Agent time of the group within the interval; its `span` is the window time the cell
    /// covered (a partial interval at a window edge counts its part).
    pub agents: AgentTime,
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
    /// Per channel (index `Channel as usize`); email and self-service are counted only here.
    pub channel: Vec<ContactTally>,
    /// Callbacks, self-service and email.
    pub features: ChannelTally,
    /// Agent time per group over the window.
    pub agents: Vec<AgentTime>,
    /// Integral of the number of waiting contacts over the window [contacts × ticks].
    pub queue_area: i64,
    /// Journeys begun in the window, all.
    pub journeys: JourneyTally,
    /// Journeys per persona.
    pub persona_journeys: Vec<JourneyTally>,
    /// Journeys per reason.
    pub reason_journeys: Vec<JourneyTally>,
    /// Intervals table, indexed `[weekday_bucket][slot][group]` flattened.
    pub intervals: Vec<IntervalCell>,
    /// Events processed (for throughput figures).
    pub events: u64,
    /// Largest number of contacts in the system at once (for memory figures).
    pub peak_contacts: u64,
    /// When the replication stopped at `Scenario::max_in_flight` contacts in flight (the
    /// runaway guard, `guard`); `None` for a run that ended normally.
    pub in_flight_cap_at: Option<Ticks>,
    /// Contacts of every kind simulated, warm-up and drain included (for throughput figures).
    pub contacts_created: u64,
    /// Every contact of measured journeys (only with `--trace`).
    pub trace: Vec<crate::engine::trace::TraceRow>,
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
        Some(t.abandoned_transferred as f64),
        t.p_abandon_any(),
    ]
}

/// Journey metric values, aligned with `JOURNEY_METRICS`.
pub fn journey_values(j: &JourneyTally) -> Vec<Option<f64>> {
    let per_issue = |x: f64| (j.issues > 0).then(|| x / j.issues as f64);
    let open = j.issues.saturating_sub(j.resolved + j.gave_up);
    let effort_min =
        j.effort as f64 / crate::time::MINUTE as f64 + EFFORT_PER_CONTACT_MIN * j.contacts as f64;
    vec![
        Some(j.issues as f64),
        per_issue(j.contacts as f64),
        per_issue(j.contacts.saturating_sub(j.issues) as f64),
        per_issue(j.first_contact as f64),
        per_issue(j.first_coded as f64),
        (j.contacts > 0).then(|| j.transfers as f64 / j.contacts as f64),
        per_issue(j.reexplanations as f64),
        per_issue(j.refusals as f64),
        per_issue(j.resolved as f64),
        per_issue(j.gave_up as f64),
        per_issue(open as f64),
        per_issue(effort_min),
        per_issue(j.score_sum),
        per_issue(j.satisfied as f64),
        (j.surveys > 0).then(|| j.survey_sum / j.surveys as f64),
        Some(j.value_at_risk),
        per_issue(j.score_hist[0] as f64),
        per_issue(j.score_hist[1] as f64),
        per_issue(j.score_hist[2] as f64),
        per_issue(j.score_hist[3] as f64),
        per_issue(j.score_hist[4] as f64),
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
        let jv = journey_values(j);
        let t = &raw.all;
        let f = &raw.features;
        let cost_other = j.call_time as f64 / crate::time::MINUTE as f64 * s.phone.cost_per_minute
            + f.callbacks_made as f64 * s.cost.callback
            + f.ss_sessions as f64 * s.self_service.cost_per_session;
        let cost_total = cost_agents + j.concessions + j.partner_fees + cost_other;
        let mut summary = vec![
            Some(t.offered as f64),
            Some(t.answered as f64),
            Some(t.abandoned as f64),
            Some(t.blocked as f64),
            t.p_abandon(),
            t.p_blocked(),
            Some(t.abandoned_transferred as f64),
            t.p_abandon_any(),
            t.p_wait(),
            t.asa_s(),
            t.mean_wait_s(),
            t.service_level(),
            agents_total.occupancy(),
            t.aht_s(),
            Some(raw.queue_area as f64 / horizon),
            Some(agents_total.busy as f64 / horizon),
            Some(agents_total.paid as f64 / horizon),
        ];
        summary.extend_from_slice(&jv[0..3]);
        summary.extend(j.repeats.iter().map(|r| per_issue(*r as f64)));
        summary.extend_from_slice(&jv[3..]);
        summary.push(Some(j.surveys as f64));
        summary.extend([
            per_issue(j.partner_handoffs as f64),
            per_issue(j.proactive as f64),
            Some(cost_agents),
            Some(j.partner_fees),
            Some(j.concessions),
            Some(cost_other),
            Some(cost_total),
            (j.resolved > 0).then(|| cost_total / j.resolved as f64),
        ]);
        let days = f.email_days;
        summary.extend([
            Some(f.callbacks_offered as f64),
            Some(f.callbacks_accepted as f64),
            Some(f.callbacks_missed as f64),
            Some(f.ss_sessions as f64),
            (f.ss_sessions > 0).then(|| f.ss_contained as f64 / f.ss_sessions as f64),
            Some(f.email_arrived as f64),
            Some(f.email_answered as f64),
            (f.email_answered > 0).then(|| f.email_within_target as f64 / f.email_answered as f64),
            (f.email_answered > 0).then(|| {
                f.email_age_sum as f64
                    / f.email_answered as f64
                    / crate::time::TICKS_PER_SECOND as f64
            }),
            (days > 0).then(|| f.email_backlog_day_sum as f64 / days as f64),
            Some(f.email_backlog_end as f64),
            Some(f.email_withdrawn as f64),
        ]);
        debug_assert_eq!(summary.len(), SUMMARY_METRICS.len());
        let mut breakdown = Vec::new();
        for ((p, t), jt) in s
            .personas
            .iter()
            .zip(&raw.persona)
            .zip(&raw.persona_journeys)
        {
            let mut v = contact_values(t);
            v.extend(journey_values(jt));
            breakdown.push(("persona", p.name.clone(), v));
        }
        for ((r, t), jt) in s.reasons.iter().zip(&raw.reason).zip(&raw.reason_journeys) {
            let mut v = contact_values(t);
            v.extend(journey_values(jt));
            breakdown.push(("reason", r.name.clone(), v));
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
        for (cause, n) in crate::engine::CAUSES.iter().zip(j.repeats) {
            breakdown.push(("cause", cause.to_string(), vec![per_issue(n as f64)]));
        }
        let used = s.channels_used();
        for (ch, t) in crate::scenario::Channel::ALL.iter().zip(&raw.channel) {
            if used[*ch as usize] {
                breakdown.push(("channel", ch.name().to_string(), contact_values(t)));
            }
        }
        if used[crate::scenario::Channel::Email as usize] {
            for (name, n) in EMAIL_AGE_BAND_NAMES.iter().zip(f.email_age_bands) {
                let share = (f.email_answered > 0).then(|| n as f64 / f.email_answered as f64);
                breakdown.push(("email_age", name.to_string(), vec![share]));
            }
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
    match dimension {
        "group" => GROUP_METRICS,
        "cause" => CAUSE_METRICS,
        "channel" => CONTACT_METRICS,
        "email_age" => EMAIL_AGE_METRICS,
        _ => &SLICE_METRICS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_has_a_summary_metric() {
        for cause in crate::engine::CAUSES {
            let name = format!("repeat_contacts_per_issue_{cause}");
            assert!(SUMMARY_METRICS.contains(&name.as_str()), "{name}");
        }
    }
}
