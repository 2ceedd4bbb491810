//! The channels beyond a plain call: chat sessions held concurrently with stretched handle
//! times, the callback offer, email as deferred work with a response target, self-service
//! with containment and fallback, and the social team's redirects.

use super::routing::{LANES, RoutingTable, lane};
use super::state::{Cause, ChatAgent, NIL, Outcome};
use super::{Event, Sim, pick};
use crate::rng::uniform01;
use crate::scenario::{Channel, Scenario};
use crate::stats::tally::EMAIL_AGE_BANDS_H;
use crate::time::{DAY, HOUR, TICKS_PER_SECOND, Ticks};

/// Per queue class, the mean handle time (talk and after-contact work, proficiency 1) of the
/// contacts it holds [ticks]; direct classes take the mean over every reason.
pub(super) fn class_handles(s: &Scenario, rt: &RoutingTable) -> Vec<f64> {
    let mean = |r: &crate::scenario::Reason| {
        (r.handle.mean() + r.wrapup.as_ref().map_or(0.0, |d| d.mean())) * TICKS_PER_SECOND as f64
    };
    let overall: f64 = s.reasons.iter().map(|r| r.share * mean(r)).sum();
    let nk = s.skills.len() + 1;
    (0..rt.routes.len())
        .map(|class| {
            if class >= LANES.len() * nk {
                return overall;
            }
            let k = (class % nk) as u16;
            let (w, m) = s
                .reasons
                .iter()
                .filter(|r| rt.skill_index(r.skill) == k)
                .fold((0.0, 0.0), |(w, m), r| (w + r.share, m + r.share * mean(r)));
            if w > 0.0 { m / w } else { overall }
        })
        .collect()
}

impl Sim<'_> {
    // ----- chat -----

    /// The agent to take chat `c` after `waited`: among the routes open to it, the least
    /// loaded agent with room — an idle agent counts as no sessions — then the most proficient
    /// group. Returns the group and the chat agent (`NIL` = an idle agent of the group).
    pub(super) fn find_chat_agent(&self, c: u32, waited: Ticks) -> Option<(u16, u32)> {
        let k = self.contacts[c].class as usize;
        let mut best: Option<(usize, f64, u16, u32)> = None;
        for r in &self.rt.routes[k] {
            if r.delay > waited {
                break;
            }
            let gi = r.group as usize;
            let mut consider = |load: usize, a: u32| {
                let better = match best {
                    None => true,
                    Some((l, p, _, _)) => load < l || (load == l && r.proficiency > p),
                };
                if better {
                    best = Some((load, r.proficiency, r.group, a));
                }
            };
            if !self.groups[gi].idle.is_empty() {
                consider(0, NIL);
            }
            if self.groups[gi].leaving == 0 {
                for &a in &self.partial[gi] {
                    consider(self.chat_agents[a].sessions.len(), a);
                }
            }
        }
        best.map(|(_, _, g, a)| (g, a))
    }

    /// Bring the remaining work of agent `a`'s sessions up to now, at the stretch of the
    /// sessions open until now.
    fn catch_up(&mut self, a: u32) {
        let rec = &mut self.chat_agents[a];
        let k = rec.sessions.len() as u32;
        if k > 0 {
            let elapsed = (self.now - rec.since) as f64 / self.s.chat.stretch(k);
            for s in &mut rec.sessions {
                s.1 = (s.1 - elapsed).max(0.0);
            }
        }
        rec.since = self.now;
    }

    /// Schedule the end of each of agent `a`'s sessions at the stretch of its present number of
    /// sessions.
    fn reschedule(&mut self, a: u32) {
        let rec = &mut self.chat_agents[a];
        let stretch = self.s.chat.stretch(rec.sessions.len() as u32);
        for s in &mut rec.sessions {
            self.events.cancel(s.2);
            let at = self.now + (s.1 * stretch).ceil() as Ticks;
            s.2 = self.events.schedule_timer(at, Event::ChatDone(s.0));
        }
    }

    /// Keep group `g`'s list of chat agents with room up to date for agent `a`.
    fn mark_room(&mut self, g: u16, a: u32) {
        let gi = g as usize;
        let room = (self.chat_agents[a].sessions.len() as u32) < self.s.groups[gi].chat_concurrency
            && !self.chat_agents[a].sessions.is_empty();
        let at = self.partial[gi].iter().position(|x| *x == a);
        match (room, at) {
            (true, None) => self.partial[gi].push(a),
            (false, Some(i)) => {
                self.partial[gi].swap_remove(i);
            }
            _ => {}
        }
    }

    /// Open a session of chat `c` with `work` ticks of work at stretch 1 on agent `a` of `g`
    /// (`NIL` = an agent of `g` just taken, who then fills up with waiting chats).
    pub(super) fn open_session(&mut self, c: u32, g: u16, a: u32, work: Ticks) {
        let fresh = a == NIL;
        let a = if fresh {
            self.chat_agents.insert(ChatAgent {
                group: g,
                since: self.now,
                sessions: Vec::new(),
            })
        } else {
            a
        };
        self.catch_up(a);
        let timer = self
            .events
            .schedule_timer(self.now + work, Event::ChatDone(c));
        self.chat_agents[a]
            .sessions
            .push((c, work as f64, timer, self.now));
        self.contacts[c].agent = a;
        self.reschedule(a);
        self.mark_room(g, a);
        if fresh {
            self.fill(a);
        }
    }

    /// Agent `a` takes waiting chats while it has room (and its group is not shrinking).
    fn fill(&mut self, a: u32) {
        let g = self.chat_agents[a].group;
        let cap = self.s.groups[g as usize].chat_concurrency as usize;
        while self.chat_agents[a].sessions.len() < cap && self.groups[g as usize].leaving == 0 {
            let Some(c) = self.pick_chat(g) else { break };
            self.leave_queue(c);
            self.start_service_on(c, g, a);
        }
    }

    /// The chat an agent of `g` with room takes next: highest priority level, then the longest
    /// waiting among the chat queues open to `g` (and chats transferred to `g`).
    fn pick_chat(&self, g: u16) -> Option<u32> {
        let chat_lane = lane(Channel::Chat);
        let nk = self.s.skills.len() + 1;
        let skill_classes = LANES.len() * nk;
        self.pick_where(g, |k, head| {
            (k >= skill_classes || k / nk == chat_lane)
                && self.contacts[head].channel == Channel::Chat as u8
        })
    }

    /// A chat session's work is done: the agent's other sessions speed up, then the segment
    /// ends as any other.
    pub(super) fn on_chat_done(&mut self, c: u32) {
        let a = self.contacts[c].agent;
        self.catch_up(a);
        let rec = &mut self.chat_agents[a];
        if let Some(i) = rec.sessions.iter().position(|s| s.0 == c) {
            let started = rec.sessions.swap_remove(i).3;
            // A session's handle time is what it took at the concurrency it met.
            let took = self.now - started;
            self.tally(c, |t| t.handle += took);
        }
        self.reschedule(a);
        self.on_service_done(c);
    }

    /// A session of agent `a` has closed (the segment is settled): the agent takes another
    /// waiting chat, or, with no session left, is a free agent again.
    pub(super) fn session_closed(&mut self, a: u32) {
        let g = self.chat_agents[a].group;
        if self.chat_agents[a].sessions.is_empty() {
            self.chat_agents.remove(a);
            if let Some(i) = self.partial[g as usize].iter().position(|x| *x == a) {
                self.partial[g as usize].swap_remove(i);
            }
            self.agent_available(g);
            return;
        }
        self.mark_room(g, a);
        self.fill(a);
    }

    // ----- callback -----

    /// The predicted wait of a caller just queued: the callers in line up to and including it
    /// (its level and above) times the mean handle time of its queue, over the agents present
    /// in the groups answering it at once — (n + 1)/(c·μ), the queue-length predictor.
    fn predicted_wait(&self, c: u32) -> f64 {
        let ct = &self.contacts[c];
        let class = usize::from(ct.class);
        let in_line: u32 = (0..=usize::from(ct.level))
            .map(|l| self.queues[class * self.levels + l].len)
            .sum();
        let agents: i64 = self.rt.routes[class]
            .iter()
            .filter(|r| r.delay == 0)
            .map(|r| self.groups[usize::from(r.group)].present.value)
            .sum();
        if agents <= 0 {
            return f64::INFINITY;
        }
        f64::from(in_line) * self.class_handle[class] / agents as f64
    }

    /// A caller who must wait may be offered a callback: when the predicted wait exceeds the
    /// threshold, the caller accepts with the configured chance, hangs up and keeps the place
    /// in line (no abandonment). Returns whether the caller took the callback.
    pub(super) fn offer_callback(&mut self, c: u32) -> bool {
        let Some(cb) = &self.s.phone.callback else {
            return false;
        };
        let ct = self.contacts[c];
        if ct.channel != Channel::Phone as u8
            || ct.kind != super::state::Kind::Inbound
            || ct.answered
            || ct.callback
            || self.predicted_wait(c) <= cb.offer_when_wait_over as f64
        {
            return false;
        }
        let measured = ct.measured;
        if measured {
            self.raw.features.callbacks_offered += 1;
        }
        if uniform01(&mut self.rng.callback) >= cb.accept {
            return false;
        }
        if measured {
            self.raw.features.callbacks_accepted += 1;
        }
        self.contacts[c].callback = true;
        self.free_line(c);
        true
    }

    /// An agent of `g` calls back contact `c`: reached, the conversation goes as any other;
    /// not reached, the attempt costs the agent a little time and the customer must try again.
    pub(super) fn callback_call(&mut self, c: u32, g: u16, prof: f64) -> Ticks {
        let Some(cb) = &self.s.phone.callback else {
            return self.decide(c, g, prof);
        };
        let measured = self.contacts[c].measured;
        if measured {
            self.raw.features.callbacks_made += 1;
        }
        if uniform01(&mut self.rng.callback) < cb.reach {
            // Reached: a call like any other from here on (a transfer does not call back again).
            self.contacts[c].callback = false;
            return self.decide(c, g, prof);
        }
        if measured {
            self.raw.features.callbacks_missed += 1;
        }
        self.contacts[c].outcome = Outcome::Missed;
        cb.attempt
    }

    // ----- email -----

    /// An email arrives: answered at once by a free agent, else it waits in the backlog.
    pub(super) fn email_arrives(&mut self, c: u32) {
        if self.contacts[c].measured {
            self.raw.features.email_arrived += 1;
        }
        self.enter_queue(c);
    }

    /// An agent opens email `c` after it waited `age`.
    pub(super) fn email_answered(&mut self, c: u32, age: Ticks) {
        if !self.contacts[c].measured {
            return;
        }
        let f = &mut self.raw.features;
        f.email_answered += 1;
        f.email_within_target += u64::from(age <= self.s.email.target);
        f.email_age_sum += age;
        let hours = age as f64 / HOUR as f64;
        let band = EMAIL_AGE_BANDS_H
            .iter()
            .position(|b| hours <= *b)
            .unwrap_or(EMAIL_AGE_BANDS_H.len());
        f.email_age_bands[band] += 1;
    }

    /// An email reached its target unanswered: the customer may chase on another channel
    /// (persistence decides whether; the switch shares where, the phone by default). The email
    /// stays in the backlog.
    pub(super) fn on_email_late(&mut self, c: u32) {
        self.contacts[c].abandon = None;
        let j = self.contacts[c].journey;
        let jr = self.journeys[j];
        if jr.done {
            return;
        }
        let p = &self.s.personas[usize::from(jr.persona)].persistence;
        if u32::from(jr.attempts) >= p.max_attempts
            || uniform01(&mut self.rng.email_chase) >= p.retry
        {
            return;
        }
        let mut weights = p.switch;
        weights[Channel::Email as usize] = 0.0;
        let total: f64 = weights.iter().sum();
        let ch = if total > 0.0 {
            pick(&mut self.rng.email_chase, weights.iter().map(|w| w / total))
        } else {
            Channel::Phone as usize
        };
        self.repeat_on(j, Cause::EmailLate, Channel::from_index(ch));
    }

    /// The next email for a free agent of `g`, out of the backlog: highest level, then the
    /// oldest. Emails whose issue was settled on another channel are withdrawn on the way.
    pub(super) fn pick_email(&mut self, g: u16) -> Option<u32> {
        loop {
            let mut best: Option<(u8, Ticks, u32)> = None;
            for &k in &self.rt.serves_email[g as usize] {
                for level in 0..self.levels {
                    let head = self.queues[usize::from(k) * self.levels + level].head;
                    if head == NIL {
                        continue;
                    }
                    let q_at = self.contacts[head].queued_at;
                    let key = (level as u8, q_at);
                    if best.is_none_or(|(l, t, _)| key < (l, t)) {
                        best = Some((level as u8, q_at, head));
                    }
                    break;
                }
            }
            let (_, _, c) = best?;
            self.leave_queue(c);
            if !self.journeys[self.contacts[c].journey].done {
                return Some(c);
            }
            if self.contacts[c].measured {
                self.raw.features.email_withdrawn += 1;
            }
            self.trace_end(c, "withdrawn");
            self.drop_contact(c);
        }
    }

    /// Measured emails still in the backlog.
    pub(super) fn email_backlog_measured(&self) -> u64 {
        let mut n = 0;
        for (k, _) in self.rt.routes.iter().enumerate() {
            if !self.rt.is_email(k as u16) {
                continue;
            }
            for level in 0..self.levels {
                let mut c = self.queues[k * self.levels + level].head;
                while c != NIL {
                    n += u64::from(self.contacts[c].measured);
                    c = self.contacts[c].next;
                }
            }
        }
        n
    }

    /// At the start of each day of the window, note the email backlog.
    pub(super) fn note_day_start(&mut self) {
        let rel = self.now - self.window_start;
        if rel >= 0 && rel % DAY == 0 && self.now < self.window_end {
            self.raw.features.email_backlog_day_sum += self.email_waiting;
            self.raw.features.email_days += 1;
        }
    }

    // ----- self-service -----

    /// A self-service session begins.
    pub(super) fn self_service_starts(&mut self, c: u32) {
        if self.contacts[c].measured {
            self.raw.features.ss_sessions += 1;
        }
        let d = self
            .s
            .self_service
            .duration
            .sample(&mut self.rng.self_service);
        self.contacts[c].handle = d;
        let j = self.contacts[c].journey;
        self.journeys[j].effort += d;
        self.schedule(self.now + d, Event::SelfServiceDone(c));
    }

    /// A session ends: it contains the issue with the reason's chance; otherwise the customer
    /// falls back to the fallback channel at once, the session's time lost on the way.
    pub(super) fn on_self_service_done(&mut self, c: u32) {
        let ct = self.contacts[c];
        let j = ct.journey;
        let reason = usize::from(self.journeys[j].reason);
        let contained = uniform01(&mut self.rng.self_service) < self.s.reasons[reason].self_service;
        if !contained {
            self.contacts[c].outcome = Outcome::NotResolved;
        }
        // Read before the contact ends: the journey goes with its last contact once done.
        let done = self.journeys[j].done;
        self.end_contact(c);
        if done {
            return;
        }
        if contained {
            if ct.measured {
                self.raw.features.ss_contained += 1;
            }
            // The company's records show the issue contained: a first session that does so
            // counts in fcr_coded as an agent's resolved code would.
            if self.journeys[j].attempts == 1 {
                self.journeys[j].first_coded = true;
            }
            self.end_journey(j, true);
            return;
        }
        self.journeys[j].waited += ct.handle;
        self.repeat_on(j, Cause::SelfService, self.s.self_service.fallback);
    }

    // ----- social -----

    /// Whether a social agent of `g` must send the customer elsewhere: no record access, or
    /// neither the skill nor the power to resolve the reason.
    pub(super) fn must_redirect(&self, c: u32, g: u16, spend: Option<f64>) -> bool {
        let ct = &self.contacts[c];
        ct.channel == Channel::Social as u8
            && (!self.s.groups[usize::from(g)].record_access
                || self.rt.native[usize::from(g)][usize::from(ct.skill)].is_none()
                || spend.is_none())
    }

    /// The time a social agent spends on a post it redirects (`channels.social.reply`).
    pub(super) fn redirect_talk(&mut self) -> Ticks {
        self.s.social.reply.sample(&mut self.rng.segment)
    }

    /// The social team sent the customer to another channel: a transfer across channels, so a
    /// new contact at once (with siloed context the next agent hears the story again).
    pub(super) fn redirect(&mut self, j: u32) {
        let jr = &mut self.journeys[j];
        jr.transfers = jr.transfers.saturating_add(1);
        self.repeat_on(j, Cause::Redirected, self.s.social.redirect);
    }

    // ----- channel choice -----

    /// A repeat contact of journey `j` for `cause`, at once, on channel `ch`.
    pub(super) fn repeat_on(&mut self, j: u32, cause: Cause, ch: Channel) {
        let jr = &mut self.journeys[j];
        jr.attempts += 1;
        jr.cause = cause;
        jr.channel = ch as u8;
        if jr.measured {
            self.journey_tally(j).repeats[cause as usize] += 1;
        }
        self.new_contact(j);
    }

    /// The channel of a new issue's first contact, by the persona's habits.
    pub(super) fn first_channel(&mut self, persona: usize) -> u8 {
        let w = &self.s.personas[persona].channels;
        if w[Channel::Phone as usize] >= 1.0 {
            return Channel::Phone as u8;
        }
        pick(&mut self.rng.channel, w.iter().copied()) as u8
    }

    /// The channel of a retry: another one with the persona's switch chances, else the same.
    pub(super) fn retry_channel(&mut self, j: u32) {
        let jr = self.journeys[j];
        let sw = &self.s.personas[usize::from(jr.persona)].persistence.switch;
        let total: f64 = sw.iter().sum();
        if total <= 0.0 {
            return;
        }
        let u = uniform01(&mut self.rng.channel);
        let mut acc = 0.0;
        for (i, w) in sw.iter().enumerate() {
            acc += w;
            if u < acc {
                self.journeys[j].channel = i as u8;
                return;
            }
        }
    }
}
