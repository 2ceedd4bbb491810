//! How a contact moves: arrival → (lines, IVR) → queue or agent → talk → after-contact work, and
//! how agents pick work: longest-idle agent first, best proficiency first, priority then FCFS.

use super::state::{Contact, NIL};
use super::{Event, Sim, scaled};
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

    /// A new attempt of journey `j` arrives on the phone.
    pub(super) fn new_contact(&mut self, j: u32) {
        let s = self.s;
        let jr = self.journeys[j];
        let persona = &s.personas[jr.persona as usize];
        let reason = &s.reasons[jr.reason as usize];
        let patience = match &persona.patience {
            Some(d) => d.sample(&mut self.rng.patience),
            None => Ticks::MAX,
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
        let measured = self.in_window(self.now);
        let skill = self.rt.skill_index(reason.skill);
        let contact = Contact {
            journey: j,
            queued_at: self.now,
            handle,
            wrapup,
            patience,
            resolve_u,
            skill,
            level: s.routing.priority[jr.persona as usize][jr.reason as usize],
            measured,
            cell: if measured {
                self.current_cell() + u32::from(self.rt.home[skill as usize])
            } else {
                0
            },
            mix: u32::from(jr.persona) * s.reasons.len() as u32 + u32::from(jr.reason),
            group: 0,
            abandon: None,
            overflow: None,
            prev: NIL,
            next: NIL,
        };
        let c = self.contacts.insert(contact);
        self.raw.peak_contacts = self.raw.peak_contacts.max(self.contacts.live() as u64);
        self.tally(c, |t| t.offered += 1);
        if let Some(lines) = s.phone.lines
            && self.lines_busy >= lines
        {
            self.tally(c, |t| t.blocked += 1);
            self.contacts.remove(c);
            self.attempt_failed(j);
            return;
        }
        self.lines_busy += 1;
        match &s.phone.ivr {
            Some(d) => {
                let t = d.sample(&mut self.rng.ivr);
                self.schedule(self.now + t, Event::IvrDone(c));
            }
            None => self.enter_queue(c),
        }
    }

    /// The contact asks for an agent: served at once if one is free, else it waits.
    pub(super) fn enter_queue(&mut self, c: u32) {
        self.contacts[c].queued_at = self.now;
        if let Some(g) = self.find_idle(c, 0) {
            self.take_idle_agent(g);
            self.start_service(c, g);
            return;
        }
        self.tally(c, |t| t.waited += 1);
        let ct = self.contacts[c];
        let q = ct.skill as usize * self.levels + ct.level as usize;
        self.queues[q].push(&mut self.contacts, c);
        self.waiting.add(self.now, 1);
        if ct.patience != Ticks::MAX {
            let id = self
                .events
                .schedule_timer(self.now + ct.patience, Event::Abandon(c));
            self.contacts[c].abandon = Some(id);
        }
        if let Some(&d) = self.rt.stages[ct.skill as usize].first() {
            let id = self.events.schedule_timer(self.now + d, Event::Overflow(c));
            self.contacts[c].overflow = Some(id);
        }
    }

    /// The best group with an idle agent among routes open after `waited`: highest proficiency,
    /// then the agent idle the longest.
    fn find_idle(&self, c: u32, waited: Ticks) -> Option<u16> {
        let k = self.contacts[c].skill as usize;
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

    fn proficiency(&self, c: u32, g: u16) -> f64 {
        let k = self.contacts[c].skill as usize;
        self.rt.routes[k]
            .iter()
            .find(|r| r.group == g)
            .map_or(1.0, |r| r.proficiency)
    }

    /// Remove a waiting contact from its queue and cancel its timers.
    fn leave_queue(&mut self, c: u32) {
        let ct = self.contacts[c];
        let q = ct.skill as usize * self.levels + ct.level as usize;
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

    /// An agent of `g` (already counted busy) starts talking with contact `c`.
    fn start_service(&mut self, c: u32, g: u16) {
        let sl = self.s.sl_threshold;
        let ct = self.contacts[c];
        let wait = self.now - ct.queued_at;
        let talk = scaled(ct.handle, self.proficiency(c, g));
        self.tally(c, |t| {
            t.answered += 1;
            t.wait_answered += wait;
            t.wait_all += wait;
            t.within_sl += u64::from(wait <= sl);
            t.handle += talk + ct.wrapup;
        });
        self.contacts[c].group = g;
        self.schedule(self.now + talk, Event::ServiceDone(c));
    }

    pub(super) fn on_abandon(&mut self, c: u32) {
        self.contacts[c].abandon = None;
        self.leave_queue(c);
        let wait = self.now - self.contacts[c].queued_at;
        self.tally(c, |t| {
            t.abandoned += 1;
            t.wait_all += wait;
        });
        self.lines_busy -= 1;
        let ct = self.contacts.remove(c);
        self.attempt_failed(ct.journey);
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
        let next = self.rt.stages[ct.skill as usize]
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

    pub(super) fn on_service_done(&mut self, c: u32) {
        let ct = self.contacts.remove(c);
        self.lines_busy -= 1;
        let jr = self.journeys[ct.journey];
        let resolve = self.s.reasons[jr.reason as usize].resolve;
        if ct.resolve_u < resolve {
            self.end_journey(ct.journey, true);
        } else {
            self.attempt_failed(ct.journey);
        }
        if ct.wrapup > 0 {
            self.schedule(self.now + ct.wrapup, Event::AgentFree(ct.group));
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
