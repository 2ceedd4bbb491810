//! Journeys: a customer's issue from its first contact to resolved, given up, or still open
//! when the drain ends; repeat contacts and their causes.

use super::state::{Cause, Journey, Kind};
use super::{Event, Sim, pick};
use crate::rng::uniform01;
use crate::scenario::Ownership;
use crate::stats::tally::JourneyTally;

impl Sim<'_> {
    /// A new issue arrives.
    pub(super) fn on_arrival(&mut self) {
        let s = self.s;
        let persona = pick(&mut self.rng.persona, s.personas.iter().map(|p| p.share));
        let reason = pick(&mut self.rng.reason, s.reasons.iter().map(|r| r.share));
        if let Some(t) = self.arrivals.next(self.hard_stop) {
            self.events.schedule_next(t, Event::Arrival);
        }
        // An upstream fix removes part of an avoidable reason's arrivals.
        let fix =
            s.policy.upstream_fix.get(reason).copied().unwrap_or(0.0) * s.reasons[reason].avoidable;
        if fix > 0.0 && uniform01(&mut self.rng.upstream) < fix {
            return;
        }
        let measured = self.in_window(self.now);
        let mut journey = Journey::new(persona as u16, reason as u16, measured);
        journey.channel = self.first_channel(persona);
        journey.seq = self.journey_seq;
        self.journey_seq = self.journey_seq.wrapping_add(1);
        let j = self.journeys.insert(journey);
        if measured {
            self.journey_tally(j).issues += 1;
            self.open_measured += 1;
        }
        // Proactive outreach: the company reaches a detectable issue before the customer calls.
        let reach = s.reasons[reason].detectable * s.policy.proactive;
        if reach > 0.0 && uniform01(&mut self.rng.proactive) < reach {
            self.journeys[j].proactive = true;
            if measured {
                self.journey_tally(j).proactive += 1;
            }
            let c = self.make_contact(j, Kind::Outbound);
            self.enter_queue(c);
            return;
        }
        self.new_contact(j);
    }

    /// An unresolved contact: a case owner calls the customer back; otherwise the customer
    /// decides whether to try again.
    pub(super) fn not_resolved(&mut self, j: u32) {
        let jr = self.journeys[j];
        let max = self.s.personas[usize::from(jr.persona)]
            .persistence
            .max_attempts;
        if self.s.policy.ownership == Ownership::Own && jr.owner.is_some() {
            if u32::from(jr.attempts) < max {
                let delay = self.s.policy.follow_up.sample(&mut self.rng.follow_up);
                self.schedule(self.now + delay, Event::FollowUp(j, jr.seq));
            } else {
                self.journeys[j].cause = Cause::NotResolved;
                self.end_journey(j, false);
            }
            return;
        }
        self.attempt_failed(j, Cause::NotResolved);
    }

    /// The owner calls the customer back, straight to the owner's team.
    pub(super) fn on_follow_up(&mut self, j: u32, seq: u32) {
        // The journey may have ended meanwhile through another of its contacts (an email).
        if !self.pending(j, seq) {
            return;
        }
        let jr = &mut self.journeys[j];
        jr.attempts += 1;
        jr.follow_ups = jr.follow_ups.saturating_add(1);
        jr.cause = Cause::FollowUp;
        let owner = jr.owner.unwrap_or(0);
        if jr.measured {
            self.journey_tally(j).repeats[Cause::FollowUp as usize] += 1;
        }
        let c = self.make_contact(j, Kind::Outbound);
        self.contacts[c].class = self.rt.direct(owner);
        self.enter_queue(c);
    }

    /// The (persona, reason) journey tally of journey `j`.
    pub(super) fn journey_tally(&mut self, j: u32) -> &mut JourneyTally {
        let jr = &self.journeys[j];
        let i = usize::from(jr.persona) * self.s.reasons.len() + usize::from(jr.reason);
        &mut self.journey_mix[i]
    }

    /// The customer tries again; the repeat contact is counted under the last failure's cause.
    pub(super) fn on_retry(&mut self, j: u32, seq: u32) {
        // The journey may have ended meanwhile through another of its contacts (an email).
        if !self.pending(j, seq) {
            return;
        }
        let jr = &mut self.journeys[j];
        jr.attempts += 1;
        let (measured, cause) = (jr.measured, jr.cause);
        if measured {
            self.journey_tally(j).repeats[cause as usize] += 1;
        }
        if self.journeys[j].to_partner {
            let c = self.make_contact(j, Kind::PartnerCall);
            self.enter_partner(c);
        } else {
            self.retry_channel(j);
            self.new_contact(j);
        }
    }

    /// The attempt did not resolve the issue, for `cause`: the persona's persistence decides
    /// whether and when the customer tries again, or gives up.
    pub(super) fn attempt_failed(&mut self, j: u32, cause: Cause) {
        self.journeys[j].cause = cause;
        let jr = self.journeys[j];
        let p = &self.s.personas[jr.persona as usize].persistence;
        if u32::from(jr.attempts) < p.max_attempts && uniform01(&mut self.rng.retry) < p.retry {
            let delay = p.delay.sample(&mut self.rng.retry);
            self.schedule(self.now + delay, Event::Retry(j, jr.seq));
        } else {
            self.end_journey(j, false);
        }
    }

    /// Add a journey's counts to its tally (at its end, or open when the run stops).
    fn close_tally(&mut self, jr: &Journey) {
        let i = usize::from(jr.persona) * self.s.reasons.len() + usize::from(jr.reason);
        let t = &mut self.journey_mix[i];
        t.contacts += u64::from(jr.attempts);
        t.transfers += u64::from(jr.transfers);
        t.reexplanations += u64::from(jr.reexplanations);
        t.refusals += u64::from(jr.refusals);
        t.effort += jr.effort;
        t.first_coded += u64::from(jr.first_coded);
        t.partner_handoffs += u64::from(jr.partner_handoffs);
    }

    /// The journey ends: resolved, or given up.
    pub(super) fn end_journey(&mut self, j: u32, resolved: bool) {
        let jr = self.journeys[j];
        if jr.live == 0 {
            self.journeys.remove(j);
        } else {
            self.journeys[j].done = true;
        }
        if !jr.measured {
            return;
        }
        self.close_tally(&jr);
        self.count_score(&jr, resolved);
        let i = usize::from(jr.persona) * self.s.reasons.len() + usize::from(jr.reason);
        let t = &mut self.journey_mix[i];
        if resolved {
            t.resolved += 1;
            if jr.attempts == 1 {
                t.first_contact += 1;
            }
        } else {
            t.gave_up += 1;
        }
        self.open_measured -= 1;
    }

    /// Journeys still open when the run stops are counted as open.
    pub(super) fn close_open_journeys(&mut self) {
        let open: Vec<Journey> = self
            .journeys
            .iter()
            .filter(|j| j.measured && !j.done)
            .copied()
            .collect();
        for jr in &open {
            self.close_tally(jr);
            self.count_score(jr, false);
        }
    }
}
