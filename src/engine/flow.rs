//! How a contact moves: arrival → (lines, IVR) → queue or agent → talk → after-contact work, and
//! how agents pick work: longest-idle agent first, best proficiency first, priority then FCFS.

use super::state::{Cause, Contact, Kind, NIL, Outcome};
use super::{Event, Sim};
use crate::rng::uniform01;
use crate::stats::tally::ContactTally;
use crate::time::Ticks;

impl Sim<'_> {
    /// Apply `f` to the tallies of a measured contact: its (persona, reason) slice and its
    /// (arrival interval, home group) cell.
    #[inline]
    pub(super) fn tally(&mut self, c: u32, f: impl Fn(&mut ContactTally)) {
        let ct = &self.contacts[c];
        if !ct.measured {
            return;
        }
        // Only the finest slices are counted here; all, per persona, per reason and per group
        // are sums of them, formed once at the end of the replication.
        let (mix, cell) = (ct.mix as usize, ct.cell as usize);
        f(&mut self.mix[mix]);
        f(&mut self.raw.intervals[cell].contacts);
    }

    /// Create a contact of journey `j`, drawing what the customer brings to it. Only inbound
    /// contacts count in the queue statistics; outbound ones have no patience (the company
    /// calls).
    pub(super) fn make_contact(&mut self, j: u32, kind: Kind) -> u32 {
        let s = self.s;
        let (jp, jreason) = {
            let jr = &self.journeys[j];
            (jr.persona, jr.reason)
        };
        let persona = &s.personas[jp as usize];
        let reason = &s.reasons[jreason as usize];
        let patience = match (&persona.patience, kind) {
            (Some(d), Kind::Inbound | Kind::PartnerCall) => d.sample(&mut self.rng.patience),
            _ => Ticks::MAX,
        };
        let handle = reason.handle.sample(&mut self.rng.handle);
        let wrapup = reason
            .wrapup
            .as_ref()
            .map_or(0, |d| d.sample(&mut self.rng.wrapup));
        // Drawn for every contact unless no reason can fail (then the stream is unused).
        let resolve_u = if self.always_resolved {
            0.0
        } else {
            uniform01(&mut self.rng.resolve)
        };
        let measured = kind == Kind::Inbound && self.in_window(self.now);
        let skill = self.rt.skill_index(reason.skill);
        let contact = Contact {
            journey: j,
            queued_at: self.now,
            handle,
            wrapup,
            patience,
            resolve_u,
            skill,
            class: skill,
            transfers: 0,
            answered: false,
            outcome: Outcome::Resolved,
            concession: 0.0,
            kind,
            level: s.routing.priority[jp as usize][jreason as usize],
            measured,
            cell: if measured {
                self.current_cell() + u32::from(self.rt.home[skill as usize])
            } else {
                0
            },
            mix: u32::from(jp) * s.reasons.len() as u32 + u32::from(jreason),
            group: 0,
            abandon: None,
            overflow: None,
            prev: NIL,
            next: NIL,
        };
        let c = self.contacts.insert(contact);
        self.journeys[j].live += 1;
        self.raw.contacts_created += 1;
        if kind != Kind::PartnerJob {
            self.trace_start(c, j);
        }
        self.raw.peak_contacts = self.raw.peak_contacts.max(self.contacts.live() as u64);
        c
    }

    /// A new attempt of journey `j` arrives on the phone.
    pub(super) fn new_contact(&mut self, j: u32) {
        let s = self.s;
        let c = self.make_contact(j, Kind::Inbound);
        self.tally(c, |t| t.offered += 1);
        if let Some(lines) = s.phone.lines
            && self.lines_busy >= lines
        {
            self.tally(c, |t| t.blocked += 1);
            self.trace_end(c, "blocked");
            self.drop_contact(c);
            self.contact_failed(j, Cause::Blocked);
            return;
        }
        self.lines_busy += 1;
        match &s.phone.ivr {
            Some(d) => {
                let t = d.sample(&mut self.rng.ivr);
                self.journeys[j].effort += t;
                self.journeys[j].call_time += t;
                self.trace_with(c, |r| r.ivr += t);
                self.schedule(self.now + t, Event::IvrDone(c));
            }
            None => self.first_queue(c),
        }
    }

    /// After the IVR: the call joins its skill's queue, or a wrong group's if misrouted.
    pub(super) fn first_queue(&mut self, c: u32) {
        if self.orphan(c) {
            self.end_contact(c);
            return;
        }
        let reason = usize::from(self.journeys[self.contacts[c].journey].reason);
        let class = self.first_class(self.contacts[c].skill, reason);
        self.contacts[c].class = class;
        self.enter_queue(c);
    }

    /// The contact asks for an agent of its class: served at once if one is free, else it
    /// waits, with its patience less what re-explanations cost it.
    pub(super) fn enter_queue(&mut self, c: u32) {
        self.contacts[c].queued_at = self.now;
        if let Some(g) = self.find_idle(c, 0) {
            self.take_idle_agent(g);
            self.start_service(c, g);
            return;
        }
        let ct = self.contacts[c];
        if !ct.answered {
            self.tally(c, |t| t.waited += 1);
        }
        let q = ct.class as usize * self.levels + ct.level as usize;
        self.queues[q].push(&mut self.contacts, c);
        self.waiting.add(self.now, 1);
        if ct.patience != Ticks::MAX {
            let loss = self.journeys[ct.journey].patience_loss;
            let at = self.now + (ct.patience - loss).max(0);
            let id = self.events.schedule_timer(at, Event::Abandon(c));
            self.contacts[c].abandon = Some(id);
        }
        if let Some(&d) = self.rt.stages[ct.class as usize].first() {
            let id = self.events.schedule_timer(self.now + d, Event::Overflow(c));
            self.contacts[c].overflow = Some(id);
        }
    }

    /// The best group with an idle agent among routes open after `waited`: highest proficiency,
    /// then the agent idle the longest.
    fn find_idle(&self, c: u32, waited: Ticks) -> Option<u16> {
        let k = self.contacts[c].class as usize;
        let mut best: Option<(f64, Ticks, u16)> = None;
        for r in &self.rt.routes[k] {
            if r.delay > waited {
                break;
            }
            if let Some(&since) = self.groups[r.group as usize].idle.front() {
                let better = match best {
                    None => true,
                    Some((p, t, _)) => r.proficiency > p || (r.proficiency == p && since < t),
                };
                if better {
                    best = Some((r.proficiency, since, r.group));
                }
            }
        }
        best.map(|(_, _, g)| g)
    }

    fn take_idle_agent(&mut self, g: u16) {
        let gs = &mut self.groups[g as usize];
        gs.idle.pop_front();
        gs.busy.add(self.now, 1);
    }

    /// Remove a waiting contact from its queue and cancel its timers.
    fn leave_queue(&mut self, c: u32) {
        let ct = self.contacts[c];
        let q = ct.class as usize * self.levels + ct.level as usize;
        self.queues[q].unlink(&mut self.contacts, c);
        self.waiting.add(self.now, -1);
        if let Some(id) = ct.abandon {
            self.events.cancel(id);
        }
        if let Some(id) = ct.overflow {
            self.events.cancel(id);
        }
        self.contacts[c].abandon = None;
        self.contacts[c].overflow = None;
    }

    /// An agent of `g` (already counted busy) starts talking with contact `c`. Queue
    /// statistics describe the contact's first wait; handle time adds up over its segments.
    fn start_service(&mut self, c: u32, g: u16) {
        let sl = self.s.sl_threshold;
        let ct = self.contacts[c];
        let wait = self.now - ct.queued_at;
        let jr = &mut self.journeys[ct.journey];
        jr.effort += wait;
        jr.waited += wait;
        let before = jr.reexplanations;
        let prof = self.rt.proficiency(ct.class, g, ct.skill);
        let talk = self.decide(c, g, prof);
        if ct.kind == Kind::Inbound {
            self.journeys[ct.journey].call_time += wait + talk;
        }
        if self.trace.is_some() {
            let again = self.journeys[ct.journey].reexplanations - before;
            self.trace_with(c, |r| {
                r.wait += wait;
                r.talk += talk;
                r.agents.push(g);
                r.reexplanations += again;
            });
        }
        let wrapup = if matches!(self.contacts[c].outcome, Outcome::Transfer(_)) {
            0
        } else {
            ct.wrapup
        };
        if !ct.answered {
            self.tally(c, |t| {
                t.answered += 1;
                t.wait_answered += wait;
                t.wait_all += wait;
                t.within_sl += u64::from(wait <= sl);
            });
        }
        self.tally(c, |t| t.handle += talk + wrapup);
        let cm = &mut self.contacts[c];
        cm.group = g;
        cm.answered = true;
        self.schedule(self.now + talk, Event::ServiceDone(c));
    }

    /// Remove a finished contact; a journey that is done goes with its last contact.
    pub(super) fn drop_contact(&mut self, c: u32) {
        let j = self.contacts.remove(c).journey;
        let jr = &mut self.journeys[j];
        jr.live -= 1;
        if jr.done && jr.live == 0 {
            self.journeys.remove(j);
        }
    }

    /// Whether contact `c`'s journey has already ended (a chase call still in progress when
    /// the partner resolved it, say): the contact only finishes.
    fn orphan(&self, c: u32) -> bool {
        self.journeys[self.contacts[c].journey].done
    }

    /// A contact attempt failed: a chase call while a partner acts changes nothing (the
    /// customer may chase again); otherwise the journey's persistence decides.
    fn contact_failed(&mut self, j: u32, cause: Cause) {
        if self.journeys[j].partner_pending {
            self.chase_done(j);
        } else {
            self.attempt_failed(j, cause);
        }
    }

    /// An inbound call gives its line back (once).
    pub(super) fn release_line(&mut self, c: u32) {
        if self.contacts[c].kind == Kind::Inbound {
            self.lines_busy -= 1;
            self.contacts[c].kind = Kind::Outbound;
        }
    }

    /// A contact ends (its outcome already applied to the journey by the caller).
    pub(super) fn end_contact(&mut self, c: u32) {
        let outcome = super::trace::outcome_name(self.contacts[c].outcome);
        self.trace_end(c, outcome);
        self.release_line(c);
        self.drop_contact(c);
    }

    pub(super) fn on_abandon(&mut self, c: u32) {
        self.contacts[c].abandon = None;
        if self.at_partner(c) {
            self.leave_partner(c);
        } else {
            self.leave_queue(c);
        }
        let ct = self.contacts[c];
        let wait = self.now - ct.queued_at;
        let jr = &mut self.journeys[ct.journey];
        jr.effort += wait;
        jr.waited += wait;
        jr.abandons = jr.abandons.saturating_add(1);
        if ct.kind == Kind::Inbound {
            jr.call_time += wait;
        }
        if !ct.answered {
            self.tally(c, |t| {
                t.abandoned += 1;
                t.wait_all += wait;
            });
        }
        self.release_line(c);
        self.trace_with(c, |r| r.wait += wait);
        self.trace_end(c, "abandoned");
        let orphan = self.orphan(c);
        self.drop_contact(c);
        if !orphan {
            self.contact_failed(ct.journey, Cause::Abandoned);
        }
    }

    pub(super) fn on_overflow(&mut self, c: u32) {
        self.contacts[c].overflow = None;
        let ct = self.contacts[c];
        let waited = self.now - ct.queued_at;
        if let Some(g) = self.find_idle(c, waited) {
            self.leave_queue(c);
            self.take_idle_agent(g);
            self.start_service(c, g);
            return;
        }
        let next = self.rt.stages[ct.class as usize]
            .iter()
            .find(|d| **d > waited)
            .copied();
        if let Some(d) = next {
            let id = self
                .events
                .schedule_timer(ct.queued_at + d, Event::Overflow(c));
            self.contacts[c].overflow = Some(id);
        }
    }

    /// Talk ends: the segment's outcome applies, then the agent does after-contact work.
    pub(super) fn on_service_done(&mut self, c: u32) {
        let ct = self.contacts[c];
        let j = ct.journey;
        if self.orphan(c) {
            self.release_line(c);
            self.drop_contact(c);
            self.agent_available(ct.group);
            return;
        }
        if let Outcome::Transfer(class) = ct.outcome {
            // The customer stays on the line and waits for the next group.
            let jr = &mut self.journeys[j];
            jr.transfers = jr.transfers.saturating_add(1);
            let cm = &mut self.contacts[c];
            cm.transfers = cm.transfers.saturating_add(1);
            cm.class = class;
            self.agent_available(ct.group);
            self.enter_queue(c);
            return;
        }
        let jr = &mut self.journeys[j];
        // Agents code a contact resolved when they think their part is done: truly, under AHT
        // pressure, or by handing the case to a partner.
        let coded = matches!(
            ct.outcome,
            Outcome::Resolved | Outcome::FalseResolution | Outcome::PartnerNeeded
        );
        if jr.attempts == 1 && coded {
            jr.first_coded = true;
        }
        if coded {
            self.survey_after_contact(j);
        }
        // The agent goes on to after-contact work, whatever happens to the journey.
        if ct.wrapup > 0 {
            self.schedule(self.now + ct.wrapup, Event::AgentFree(ct.group));
        } else {
            self.agent_available(ct.group);
        }
        if ct.outcome == Outcome::PartnerNeeded {
            self.hand_to_partner(c);
            return;
        }
        self.end_contact(c);
        let jr = &mut self.journeys[j];
        match ct.outcome {
            Outcome::Resolved => {
                if jr.measured {
                    self.journey_tally(j).concessions += ct.concession;
                }
                self.end_journey(j, true);
            }
            Outcome::NotResolved => self.not_resolved(j),
            Outcome::Chase => self.chase_done(j),
            Outcome::FalseResolution => self.attempt_failed(j, Cause::FalseResolution),
            Outcome::Refused => {
                jr.refusals = jr.refusals.saturating_add(1);
                self.attempt_failed(j, Cause::Refusal);
            }
            // Transfers and partner hand-offs returned above.
            Outcome::Transfer(_) | Outcome::PartnerNeeded => {}
        }
    }

    /// A busy agent of `g` is free: leaves if staffing went down, else takes the next contact
    /// or goes idle.
    pub(super) fn agent_available(&mut self, g: u16) {
        let gi = g as usize;
        if self.groups[gi].leaving > 0 {
            let gs = &mut self.groups[gi];
            gs.leaving -= 1;
            gs.busy.add(self.now, -1);
            gs.present.add(self.now, -1);
            return;
        }
        match self.pick_contact(g) {
            Some(c) => {
                self.leave_queue(c);
                self.start_service(c, g);
            }
            None => {
                let gs = &mut self.groups[gi];
                gs.busy.add(self.now, -1);
                gs.idle.push_back(self.now);
            }
        }
    }

    /// The contact an agent of `g` takes next: the highest priority level first, and within it
    /// the one waiting longest among the queues open to `g`.
    fn pick_contact(&self, g: u16) -> Option<u32> {
        let serves = &self.rt.serves[g as usize];
        for level in 0..self.levels {
            let mut best: Option<(Ticks, u32)> = None;
            for &(k, delay) in serves {
                let head = self.queues[k as usize * self.levels + level].head;
                if head == NIL {
                    continue;
                }
                let q_at = self.contacts[head].queued_at;
                if self.now - q_at >= delay && best.is_none_or(|(t, _)| q_at < t) {
                    best = Some((q_at, head));
                }
            }
            if let Some((_, c)) = best {
                return Some(c);
            }
        }
        None
    }

    /// Idle agents of `g` take any waiting work open to them.
    pub(super) fn dispatch_idle(&mut self, g: u16) {
        while !self.groups[g as usize].idle.is_empty() {
            let Some(c) = self.pick_contact(g) else { break };
            self.leave_queue(c);
            self.take_idle_agent(g);
            self.start_service(c, g);
        }
    }
}
