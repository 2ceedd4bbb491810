//! `--trace`: one row per contact of every journey begun in the window (for small runs and
//! debugging), recorded only when asked for.

use std::collections::HashMap;

use super::Sim;
use super::state::Outcome;
use crate::time::Ticks;

/// One contact of a journey, as the trace records it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRow {
    /// Journey number within the replication (order of arrival).
    pub journey: u64,
    /// Attempt number within the journey (1 = first contact).
    pub attempt: u16,
    /// Persona index.
    pub persona: u16,
    /// Reason index.
    pub reason: u16,
    /// Channel index.
    pub channel: u8,
    /// Arrival time [ticks since the window start; negative in the warm-up].
    pub arrival: Ticks,
    /// Time in the IVR [ticks].
    pub ivr: Ticks,
    /// Time waiting in queues, transfers included [ticks].
    pub wait: Ticks,
    /// Time talking with agents, re-explanations included [ticks].
    pub talk: Ticks,
    /// Groups met, in order.
    pub agents: Vec<u16>,
    /// Re-explanations in this contact.
    pub reexplanations: u16,
    /// How the contact ended: resolved, not_resolved, false_resolution, refused, abandoned,
    /// blocked, open.
    pub outcome: &'static str,
}

/// Open rows by contact id.
#[derive(Debug, Default)]
pub struct Trace {
    open: HashMap<u32, TraceRow>,
    /// Finished rows, in the order contacts ended.
    pub rows: Vec<TraceRow>,
}

/// Name of a segment outcome in the trace.
pub fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Resolved => "resolved",
        Outcome::NotResolved => "not_resolved",
        Outcome::FalseResolution => "false_resolution",
        Outcome::Refused => "refused",
        Outcome::Transfer(_) => "transferred",
        Outcome::PartnerNeeded => "sent_to_partner",
        Outcome::Chase => "chased_partner",
        Outcome::Missed => "callback_missed",
        Outcome::Redirect => "redirected",
    }
}

impl Sim<'_> {
    /// Start a trace row for a new contact of a measured journey.
    pub(super) fn trace_start(&mut self, c: u32, j: u32) {
        let Some(t) = &mut self.trace else { return };
        let jr = &self.journeys[j];
        if !jr.measured {
            return;
        }
        t.open.insert(
            c,
            TraceRow {
                journey: u64::from(jr.seq),
                attempt: jr.attempts,
                persona: jr.persona,
                reason: jr.reason,
                channel: self.contacts[c].channel,
                arrival: self.now - self.window_start,
                ivr: 0,
                wait: 0,
                talk: 0,
                agents: Vec::new(),
                reexplanations: 0,
                outcome: "open",
            },
        );
    }

    /// Change a contact's open row.
    pub(super) fn trace_with(&mut self, c: u32, f: impl FnOnce(&mut TraceRow)) {
        if let Some(row) = self.trace.as_mut().and_then(|t| t.open.get_mut(&c)) {
            f(row);
        }
    }

    /// Close a contact's row with its outcome.
    pub(super) fn trace_end(&mut self, c: u32, outcome: &'static str) {
        if let Some(t) = &mut self.trace
            && let Some(mut row) = t.open.remove(&c)
        {
            row.outcome = outcome;
            t.rows.push(row);
        }
    }

    /// Rows still open when the run stops.
    pub(super) fn trace_finish(&mut self) -> Vec<TraceRow> {
        let Some(mut t) = self.trace.take() else {
            return Vec::new();
        };
        let mut open: Vec<(u32, TraceRow)> = t.open.drain().collect();
        open.sort_by_key(|(c, _)| *c);
        t.rows.extend(open.into_iter().map(|(_, r)| r));
        t.rows
    }
}
