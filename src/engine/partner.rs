//! Partners: third parties with their own queue, hours, lead time and rules. Work reaches them
//! cold (the customer calls them), warm (the company transfers the customer) or owned (the
//! company hands the work over). While a partner's action is pending, customers of a hand-off
//! company chase the company ("where is my box?").

use std::collections::VecDeque;

use super::state::{Cause, Kind};
use super::{Event, Sim};
use crate::rng::uniform01;
use crate::scenario::{Context, Ownership, PartnerMode};
use crate::time::{DAY, Ticks};

/// A partner's agents.
#[derive(Debug, Clone, Default)]
pub struct PartnerState {
    /// Agents busy.
    pub busy: u32,
    /// Agents on duty now (0 outside opening hours).
    pub on_duty: u32,
    /// Contacts and jobs waiting, first come first served (contact ids).
    pub queue: VecDeque<u32>,
}

impl Sim<'_> {
    /// Set each partner's agents on duty for the time of day now; open partners take work.
    pub(super) fn partner_hours(&mut self) {
        let tod = (self.now - self.window_start).rem_euclid(DAY);
        for p in 0..self.partners.len() {
            let partner = &self.s.partners[p];
            self.partners[p].on_duty = if partner.open_at(tod) {
                partner.agents
            } else {
                0
            };
            self.partner_dispatch(p);
        }
    }

    /// The company's part is done: the case goes to the partner by the policy's mode.
    pub(super) fn hand_to_partner(&mut self, c: u32) {
        let j = self.contacts[c].journey;
        self.journeys[j].company_done = true;
        let owned = self.s.policy.partner_mode == PartnerMode::Owned;
        match self.s.policy.partner_mode {
            PartnerMode::Warm => {
                // The customer stays on the line, now in the partner's queue.
                self.release_line(c);
                self.contacts[c].kind = Kind::PartnerCall;
                self.contacts[c].measured = false;
                self.enter_partner(c);
            }
            _ if owned || self.owner_follows(j) => {
                self.end_contact(c);
                let job = self.make_contact(j, Kind::PartnerJob);
                self.enter_partner(job);
            }
            _ => {
                // Cold: the customer is told to call the partner.
                self.end_contact(c);
                self.journeys[j].to_partner = true;
                self.attempt_failed(j, Cause::Partner);
            }
        }
    }

    /// Whether the case owner deals with partners for the customer.
    fn owner_follows(&self, j: u32) -> bool {
        self.s.policy.ownership == Ownership::Own && self.journeys[j].owner.is_some()
    }

    fn partner_of(&self, c: u32) -> usize {
        let r = usize::from(self.journeys[self.contacts[c].journey].reason);
        self.s.reasons[r]
            .partner
            .map(|p| usize::from(p.0))
            .expect("only reasons with a partner reach one")
    }

    /// A contact or job joins its partner's queue (or is taken at once).
    pub(super) fn enter_partner(&mut self, c: u32) {
        let p = self.partner_of(c);
        self.contacts[c].queued_at = self.now;
        self.contacts[c].class = self.partner_class(p);
        self.contacts[c].level = 0;
        self.partners[p].queue.push_back(c);
        let ct = self.contacts[c];
        if ct.kind == Kind::PartnerCall && ct.patience != Ticks::MAX {
            let loss = self.journeys[ct.journey].patience_loss;
            let at = self.now + (ct.patience - loss).max(0);
            let id = self.events.schedule_timer(at, Event::Abandon(c));
            self.contacts[c].abandon = Some(id);
        }
        self.partner_dispatch(p);
    }

    /// Free partner agents take waiting work.
    fn partner_dispatch(&mut self, p: usize) {
        while self.partners[p].busy < self.partners[p].on_duty {
            let Some(c) = self.partners[p].queue.pop_front() else {
                break;
            };
            if let Some(id) = self.contacts[c].abandon.take() {
                self.events.cancel(id);
            }
            self.partners[p].busy += 1;
            self.start_partner(c, p);
        }
    }

    /// A partner agent works a contact or job: re-explanation if the partner cannot see the
    /// history and the customer is there; a fee per hand-off.
    fn start_partner(&mut self, c: u32, p: usize) {
        let partner = &self.s.partners[p];
        let ct = self.contacts[c];
        let j = ct.journey;
        let wait = self.now - ct.queued_at;
        let mut talk = partner.handle.sample(&mut self.rng.partner);
        let retell = ct.kind == Kind::PartnerCall
            && (!partner.shares_context || self.s.policy.context == Context::Siloed);
        let jr = &mut self.journeys[j];
        if retell {
            jr.reexplanations += 1;
            jr.patience_loss += self.s.policy.reexplain_patience;
            talk += self.s.policy.reexplain_handle;
        }
        if ct.kind == Kind::PartnerCall {
            jr.effort += wait + talk;
            jr.waited += wait;
        }
        jr.partner_handoffs = jr.partner_handoffs.saturating_add(1);
        if jr.measured {
            self.journey_tally(j).partner_fees += partner.fee;
        }
        self.trace_with(c, |r| {
            r.wait += wait;
            r.talk += talk;
        });
        self.schedule(self.now + talk, Event::PartnerDone(c));
    }

    /// A partner agent finishes: the partner refuses work needing an exception it may not
    /// make (unless the company owns the work order), else acts after its lead time.
    pub(super) fn on_partner_done(&mut self, c: u32) {
        let p = self.partner_of(c);
        let ct = self.contacts[c];
        let j = ct.journey;
        let r = usize::from(self.journeys[j].reason);
        let partner = &self.s.partners[p];
        let needs_exception = self.s.reasons[r].authority > 0;
        let refused = needs_exception
            && !partner.allows_exceptions
            && self.s.policy.partner_mode != PartnerMode::Owned;
        self.partners[p].busy -= 1;
        if self.journeys[j].done {
            self.drop_contact(c);
            self.partner_dispatch(p);
            return;
        }
        if refused {
            self.trace_end(c, "refused");
            self.drop_contact(c);
            let jr = &mut self.journeys[j];
            jr.refusals = jr.refusals.saturating_add(1);
            jr.company_done = false;
            jr.to_partner = false;
            self.attempt_failed(j, Cause::Refusal);
        } else {
            self.trace_end(c, "partner_accepted");
            self.drop_contact(c);
            let delay = partner
                .delay
                .as_ref()
                .map_or(0, |d| d.sample(&mut self.rng.partner));
            let jr = &mut self.journeys[j];
            jr.partner_pending = true;
            jr.to_partner = false;
            let seq = jr.seq;
            self.schedule(self.now + delay, Event::PartnerAction(j, seq));
            self.schedule_chase(j);
        }
        self.partner_dispatch(p);
    }

    /// The partner acts (e.g. collects the box): resolved with the partner's chance; on
    /// failure the owner or the company resubmits, or the customer must start again.
    pub(super) fn on_partner_action(&mut self, j: u32, seq: u32) {
        if self
            .journeys
            .get(j)
            .is_none_or(|jr| jr.seq != seq || jr.done || !jr.partner_pending)
        {
            return;
        }
        let r = usize::from(self.journeys[j].reason);
        let p = self.s.reasons[r].partner.map_or(0, |p| usize::from(p.0));
        let ok = uniform01(&mut self.rng.partner) < self.s.partners[p].resolve;
        self.journeys[j].partner_pending = false;
        if ok {
            self.end_journey(j, true);
            return;
        }
        let resubmit = self.s.policy.partner_mode == PartnerMode::Owned || self.owner_follows(j);
        let jr = &mut self.journeys[j];
        let max = self.s.personas[usize::from(jr.persona)]
            .persistence
            .max_attempts;
        if resubmit && u32::from(jr.partner_handoffs) < max {
            let job = self.make_contact(j, Kind::PartnerJob);
            self.enter_partner(job);
        } else if jr.live > 0 {
            // The customer is on a chase call right now: that call takes the case up again.
            jr.company_done = false;
            jr.cause = Cause::Partner;
        } else {
            jr.company_done = false;
            self.attempt_failed(j, Cause::Partner);
        }
    }

    /// While a partner's action is pending, a customer of a hand-off company chases the
    /// company after the persona's retry delay.
    fn schedule_chase(&mut self, j: u32) {
        let hand_off = self.s.policy.partner_mode != PartnerMode::Owned && !self.owner_follows(j);
        let jr = self.journeys[j];
        let p = &self.s.personas[usize::from(jr.persona)].persistence;
        if hand_off && u32::from(jr.attempts) < p.max_attempts && p.retry > 0.0 {
            let delay = p.delay.sample(&mut self.rng.retry);
            self.schedule(self.now + delay, Event::Chase(j, jr.seq));
        }
    }

    /// The customer calls the company to chase a pending partner action.
    pub(super) fn on_chase(&mut self, j: u32, seq: u32) {
        if self
            .journeys
            .get(j)
            .is_none_or(|jr| jr.seq != seq || jr.done || !jr.partner_pending)
        {
            return;
        }
        let jr = &mut self.journeys[j];
        jr.attempts += 1;
        jr.cause = Cause::Partner;
        if jr.measured {
            self.journey_tally(j).repeats[Cause::Partner as usize] += 1;
        }
        self.new_contact(j);
    }

    /// A chase call ends: nothing to do but wait; the customer may chase again.
    pub(super) fn chase_done(&mut self, j: u32) {
        if self.journeys[j].partner_pending {
            self.schedule_chase(j);
        }
    }

    /// The queue class of partner `p`.
    pub(super) fn partner_class(&self, p: usize) -> u16 {
        (self.rt.routes.len() + p) as u16
    }

    /// Whether contact `c` waits at a partner.
    pub(super) fn at_partner(&self, c: u32) -> bool {
        matches!(self.contacts[c].kind, Kind::PartnerCall | Kind::PartnerJob)
    }

    /// Remove a contact from its partner's queue (abandonment). A customer who hangs up in
    /// the partner's queue after a warm transfer has not reached the partner: the next attempt
    /// starts over with the company, whose agent does its part and transfers again (the
    /// company's part is not "done" for an issue the partner never took).
    pub(super) fn leave_partner(&mut self, c: u32) {
        let p = self.partner_of(c);
        if let Some(i) = self.partners[p].queue.iter().position(|x| *x == c) {
            self.partners[p].queue.remove(i);
        }
        if self.s.policy.partner_mode == PartnerMode::Warm
            && self.contacts[c].kind == Kind::PartnerCall
        {
            let j = self.contacts[c].journey;
            self.journeys[j].company_done = false;
        }
    }
}
