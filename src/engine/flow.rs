//! How a contact moves: arrival → (lines, IVR) → queue or agent → talk → after-contact work, and
//! how agents pick work: longest-idle agent first, best proficiency first, priority then FCFS.

use super::state::{Cause, Contact, Kind, NIL, Outcome};
use super::{Event, Sim};
use crate::rng::uniform01;
use crate::scenario::{Channel, N_CHANNELS};
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
        // Only the finest slices are counted here: (persona, reason, channel) and (interval,
        // group); all, per persona, per reason, per channel and per group are sums of them,
        // formed once at the end of the replication. Email and self-service stay out of the
        // interval cells: the queue figures there are those of the live channels.
        let (mix, cell, ch) = (ct.mix as usize, ct.cell as usize, ct.channel);
        f(&mut self.mix[mix]);
        if ch != Channel::Email as u8 && ch != Channel::SelfService as u8 {
            f(&mut self.raw.intervals[cell].contacts);
        }
    }

    /// Create a contact of journey `j`, drawing what the customer brings to it. Only inbound
    /// contacts count in the queue statistics; outbound ones have no patience (the company
    /// calls).
    pub(super) fn make_contact(&mut self, j: u32, kind: Kind) -> u32 {
        let s = self.s;
        let (jp, jreason, channel) = {
            let jr = &self.journeys[j];
            (jr.persona, jr.reason, jr.channel)
        };
        let persona = &s.personas[jp as usize];
        let reason = &s.reasons[jreason as usize];
        // A partner call is a phone call; the company's own calls find the customer at once.
        let channel = match kind {
            Kind::Inbound => channel,
            _ => Channel::Phone as u8,
        };
        let patience = match (&persona.patience[usize::from(channel)], kind) {
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
        let class = self
            .rt
            .class(Channel::from_index(usize::from(channel)), skill);
        let public = channel == Channel::Social as u8;
        let level = match s.social.priority {
            Some(p) if public => p,
            _ => s.routing.priority[jp as usize][jreason as usize],
        };
        let contact = Contact {
            journey: j,
            queued_at: self.now,
            handle,
            wrapup,
            patience,
            resolve_u,
            skill,
            class,
            transfers: 0,
            answered: false,
            outcome: Outcome::Resolved,
            concession: 0.0,
            kind,
            level,
            measured,
            cell: if measured {
                self.current_cell() + u32::from(self.rt.home[class as usize])
            } else {
                0
            },
            mix: (u32::from(jp) * s.reasons.len() as u32 + u32::from(jreason)) * N_CHANNELS as u32
                + u32::from(channel),
            group: 0,
            channel,
            line: false,
            callback: false,
            agent: NIL,
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
        if self.raw.peak_contacts > s.max_in_flight {
            // Runaway guard (crate::guard): end the replication after this instant instead of
            // exhausting memory; the runner turns the mark into an error.
            self.raw.in_flight_cap_at = Some(self.now);
            self.hard_stop = self.now;
        }
        c
    }

    /// A new attempt of journey `j` arrives on the journey's channel.
    pub(super) fn new_contact(&mut self, j: u32) {
        let s = self.s;
        let c = self.make_contact(j, Kind::Inbound);
        self.tally(c, |t| t.offered += 1);
        match Channel::from_index(usize::from(self.contacts[c].channel)) {
            Channel::Phone => {}
            Channel::Chat | Channel::Social => {
                if self.contacts[c].channel == Channel::Social as u8 {
                    self.journeys[j].public = true;
                }
                self.enter_queue(c);
                return;
            }
            Channel::Email => {
                self.email_arrives(c);
                return;
            }
            Channel::SelfService => {
                self.self_service_starts(c);
                return;
            }
        }
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
        self.contacts[c].line = true;
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
        if self.serve_now(c, 0) {
            return;
        }
        let ct = self.contacts[c];
        if !ct.answered {
            self.tally(c, |t| t.waited += 1);
        }
        let q = ct.class as usize * self.levels + ct.level as usize;
        self.queues[q].push(&mut self.contacts, c);
        if ct.channel == Channel::Email as u8 {
            self.email_waiting += 1;
            let id = self
                .events
                .schedule_timer(self.now + self.s.email.target, Event::EmailLate(c));
            self.contacts[c].abandon = Some(id);
            return;
        }
        self.waiting.add(self.now, 1);
        let callback = self.offer_callback(c);
        if ct.patience != Ticks::MAX && !callback {
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

    /// Serve contact `c` at once if an agent open to it after `waited` is free (for a chat,
    /// an agent with room for another session). Returns whether it was served.
    fn serve_now(&mut self, c: u32, waited: Ticks) -> bool {
        if self.contacts[c].channel == Channel::Chat as u8 {
            return match self.find_chat_agent(c, waited) {
                Some((g, a)) => {
                    if a == NIL {
                        self.take_idle_agent(g);
                    }
                    self.start_service_on(c, g, a);
                    true
                }
                None => false,
            };
        }
        match self.find_idle(c, waited) {
            Some(g) => {
                self.take_idle_agent(g);
                self.start_service(c, g);
                true
            }
            None => false,
        }
    }

    /// The best group with an idle agent among routes open after `waited`: highest proficiency,
    /// then the agent idle the longest.
    pub(super) fn find_idle(&self, c: u32, waited: Ticks) -> Option<u16> {
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

    pub(super) fn take_idle_agent(&mut self, g: u16) {
        let gs = &mut self.groups[g as usize];
        gs.idle.pop_front();
        gs.busy.add(self.now, 1);
    }

    /// Remove a waiting contact from its queue and cancel its timers.
    pub(super) fn leave_queue(&mut self, c: u32) {
        let ct = self.contacts[c];
        let q = ct.class as usize * self.levels + ct.level as usize;
        self.queues[q].unlink(&mut self.contacts, c);
        if ct.channel == Channel::Email as u8 {
            self.email_waiting -= 1;
        } else {
            self.waiting.add(self.now, -1);
        }
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
    pub(super) fn start_service(&mut self, c: u32, g: u16) {
        self.start_service_on(c, g, NIL);
    }

    /// As `start_service`; a chat goes to chat agent `a` (`NIL` = a new chat agent of `g`).
    pub(super) fn start_service_on(&mut self, c: u32, g: u16, a: u32) {
        let sl = self.s.sl_threshold;
        let ct = self.contacts[c];
        let wait = self.now - ct.queued_at;
        if ct.channel == Channel::Email as u8 && !ct.answered {
            self.email_answered(c, wait);
        }
        let jr = &mut self.journeys[ct.journey];
        // A caller waiting for a callback is not holding: the wait is not the customer's.
        if !ct.callback {
            jr.effort += wait;
            jr.waited += wait;
        }
        let before = jr.reexplanations;
        let prof = self.rt.proficiency(ct.class, g, ct.skill);
        let talk = if ct.callback {
            self.callback_call(c, g, prof)
        } else {
            self.decide(c, g, prof)
        };
        if ct.kind == Kind::Inbound && ct.channel == Channel::Phone as u8 {
            let held = if ct.callback { talk } else { wait + talk };
            self.journeys[ct.journey].call_time += held;
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
        // A chat's handle time is the time its session really took (counted when it closes).
        let handled = if ct.channel == Channel::Chat as u8 {
            0
        } else {
            talk + wrapup
        };
        if !ct.answered {
            self.tally(c, |t| {
                t.answered += 1;
                t.wait_answered += wait;
                t.wait_all += wait;
                t.within_sl += u64::from(wait <= sl);
                t.handle += handled;
            });
        } else if handled != 0 {
            self.tally(c, |t| t.handle += handled);
        }
        let cm = &mut self.contacts[c];
        cm.group = g;
        cm.answered = true;
        if ct.channel == Channel::Chat as u8 {
            self.open_session(c, g, a, talk + wrapup);
        } else {
            self.schedule(self.now + talk, Event::ServiceDone(c));
        }
    }

    /// Remove a finished contact; a journey that is done goes with its last contact.
    pub(super) fn drop_contact(&mut self, c: u32) {
        let j = self.contacts[c].journey;
        self.contacts.remove(c);
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
            self.free_line(c);
            self.contacts[c].kind = Kind::Outbound;
        }
    }

    /// The phone line contact `c` holds, if any, is free again.
    pub(super) fn free_line(&mut self, c: u32) {
        let ct = &mut self.contacts[c];
        if ct.line {
            ct.line = false;
            self.lines_busy -= 1;
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
        } else {
            self.tally(c, |t| t.abandoned_transferred += 1);
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
        let free = if ct.channel == Channel::Chat as u8 {
            self.find_chat_agent(c, waited).is_some()
        } else {
            self.find_idle(c, waited).is_some()
        };
        if free {
            self.leave_queue(c);
            self.serve_now(c, waited);
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
            self.release_agent(&ct, 0);
            return;
        }
        if let Outcome::Transfer(class) = ct.outcome {
            // The customer stays on the line and waits for the next group.
            let jr = &mut self.journeys[j];
            jr.transfers = jr.transfers.saturating_add(1);
            let cm = &mut self.contacts[c];
            cm.transfers = cm.transfers.saturating_add(1);
            cm.class = class;
            self.release_agent(&ct, 0);
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
        let wrapup = if matches!(ct.outcome, Outcome::Missed | Outcome::Redirect) {
            0
        } else {
            ct.wrapup
        };
        self.release_agent(&ct, wrapup);
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
            Outcome::Missed => self.attempt_failed(j, Cause::CallbackMissed),
            Outcome::Redirect => self.redirect(j),
            // Transfers and partner hand-offs returned above.
            Outcome::Transfer(_) | Outcome::PartnerNeeded => {}
        }
    }

    /// The agent of a finished segment is done with it: a chat session closes; any other agent
    /// does `wrapup` of after-contact work, then is free.
    pub(super) fn release_agent(&mut self, ct: &Contact, wrapup: Ticks) {
        if ct.agent != NIL {
            self.session_closed(ct.agent);
        } else if wrapup > 0 {
            self.schedule(self.now + wrapup, Event::AgentFree(ct.group));
        } else {
            self.agent_available(ct.group);
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
        match self.next_contact(g) {
            Some(c) => self.start_service(c, g),
            None => {
                let gs = &mut self.groups[gi];
                gs.busy.add(self.now, -1);
                gs.idle.push_back(self.now);
            }
        }
    }

    /// The next contact for a free agent of `g`, taken out of its queue: live work first, then
    /// email. Emails whose issue was settled meanwhile are withdrawn on the way.
    fn next_contact(&mut self, g: u16) -> Option<u32> {
        if let Some(c) = self.pick_contact(g) {
            self.leave_queue(c);
            return Some(c);
        }
        self.pick_email(g)
    }

    /// The contact an agent of `g` takes next: the highest priority level first, and within it
    /// the one waiting longest among the queues open to `g`.
    fn pick_contact(&self, g: u16) -> Option<u32> {
        self.pick_where(g, |_, _| true)
    }

    /// As `pick_contact`, among the queues (class, head contact) that `open` accepts.
    #[inline]
    pub(super) fn pick_where(&self, g: u16, open: impl Fn(usize, u32) -> bool) -> Option<u32> {
        let serves = &self.rt.serves[g as usize];
        for level in 0..self.levels {
            let mut best: Option<(Ticks, u32)> = None;
            for &(k, delay) in serves {
                let head = self.queues[k as usize * self.levels + level].head;
                if head == NIL || !open(usize::from(k), head) {
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
            let Some(c) = self.next_contact(g) else { break };
            self.take_idle_agent(g);
            self.start_service(c, g);
        }
    }
}
