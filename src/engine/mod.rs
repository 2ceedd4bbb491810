//! The discrete-event engine: one replication of a `Scenario` in, raw tallies out.
//!
//! Time is integer milliseconds from the start of the warm-up; the measured window is
//! `[warmup, warmup + horizon)`. Contacts that arrive in the window are measured and followed to
//! their end; the simulation stops once the window has closed and every issue begun in it has
//! ended, or `drain` after the window at the latest. The engine knows nothing of files or CSV.

mod arrivals;
mod channels;
mod decide;
mod flow;
mod journey;
mod partner;
pub mod queue;
pub mod routing;
mod satisfy;
mod state;
pub mod trace;
mod window;

use std::collections::VecDeque;

use crate::rng::{SimRng, Stream, stream, uniform01};
use crate::scenario::{Channel, Scenario};
use crate::stats::Outcome;
use crate::stats::outcome::{IntervalCell, Raw};
use crate::stats::tally::{ContactTally, Level};
use crate::time::{DAY, Ticks, secs_to_ticks};
pub use arrivals::ArrivalProcess;
use queue::EventQueue;
use routing::RoutingTable;
pub use state::CAUSES;
use state::{Contact, Journey, Slab, WaitQueue};

/// Something that happens at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// The next new issue arrives.
    Arrival,
    /// A caller leaves the IVR and joins the queue.
    IvrDone(u32),
    /// A waiting contact runs out of patience.
    Abandon(u32),
    /// A waiting contact reaches its next overflow stage.
    Overflow(u32),
    /// Talk ends.
    ServiceDone(u32),
    /// An agent of a group finishes after-contact work.
    AgentFree(u16),
    /// A customer tries again (journey, its arrival number).
    Retry(u32, u32),
    /// A report interval begins.
    Boundary,
    /// A staffing change point of some group's plan.
    Staff,
    /// The measured window ends (when it does not end on a boundary).
    WindowEnd,
    /// A partner agent finishes a contact or job.
    PartnerDone(u32),
    /// A partner's pending action takes place (journey, its arrival number).
    PartnerAction(u32, u32),
    /// A customer chases a pending partner action (journey, its arrival number).
    Chase(u32, u32),
    /// A case owner calls the customer back (journey, its arrival number).
    FollowUp(u32, u32),
    /// A chat session's work is done.
    ChatDone(u32),
    /// An email reaches its response target unanswered.
    EmailLate(u32),
    /// A self-service session ends.
    SelfServiceDone(u32),
}

/// Run replication `replication` of a scenario.
pub fn run(s: &Scenario, replication: u64) -> Outcome {
    run_traced(s, replication, false)
}

/// Run replication `replication`, recording every contact of measured journeys in
/// `Raw::trace` when `trace` is set.
pub fn run_traced(s: &Scenario, replication: u64, trace: bool) -> Outcome {
    let mut sim = Sim::new(s, replication);
    if trace {
        sim.trace = Some(trace::Trace::default());
    }
    sim.run();
    let raw = sim.finish();
    Outcome::from_raw(s, raw)
}

struct Rngs {
    persona: SimRng,
    reason: SimRng,
    patience: SimRng,
    handle: SimRng,
    wrapup: SimRng,
    resolve: SimRng,
    retry: SimRng,
    ivr: SimRng,
    routing: SimRng,
    pressure: SimRng,
    segment: SimRng,
    proactive: SimRng,
    upstream: SimRng,
    partner: SimRng,
    follow_up: SimRng,
    survey: SimRng,
    channel: SimRng,
    callback: SimRng,
    self_service: SimRng,
    email_chase: SimRng,
}

/// Per-group agent state.
struct GroupState {
    /// Idle agents by the time they became idle; front = longest idle.
    idle: VecDeque<Ticks>,
    busy: Level,
    present: Level,
    paid: Level,
    /// Agents the plan makes available (after breaks and shrinkage).
    planned: Level,
    /// Busy agents that leave when they finish (staffing went down).
    leaving: u32,
    /// Agents available for contacts in the current interval.
    target: u32,
}

struct Sim<'s> {
    s: &'s Scenario,
    rt: RoutingTable,
    now: Ticks,
    events: EventQueue<Event>,
    arrivals: ArrivalProcess,
    rng: Rngs,
    contacts: Slab<Contact>,
    journeys: Slab<Journey>,
    /// Journeys begun so far (numbers them for the trace).
    journey_seq: u32,
    trace: Option<trace::Trace>,
    groups: Vec<GroupState>,
    partners: Vec<partner::PartnerState>,
    queues: Vec<WaitQueue>,
    /// Agents holding chat sessions.
    chat_agents: Slab<state::ChatAgent>,
    /// Per group: chat agents with room for another session.
    partial: Vec<Vec<u32>>,
    /// Emails waiting (all, measured or not).
    email_waiting: u64,
    /// Per queue class: mean handle time at proficiency 1 of the contacts it holds [ticks]
    /// (the callback offer's wait prediction).
    class_handle: Vec<f64>,
    levels: usize,
    waiting: Level,
    lines_busy: u32,
    window_start: Ticks,
    window_end: Ticks,
    hard_stop: Ticks,
    last_flush: Ticks,
    window_closed: bool,
    open_measured: u64,
    slots: usize,
    /// Times of day at which some group's staffing changes, ascending, starting at 0.
    staff_points: Vec<Ticks>,
    by_weekday: bool,
    cell_cache: (Ticks, Ticks, u32),
    /// Every reason resolves on every answered contact (`resolve = 1`): no draw needed.
    always_resolved: bool,
    /// Contact tallies per (persona, reason, channel).
    mix: Vec<ContactTally>,
    /// Journey tallies per (persona, reason).
    journey_mix: Vec<crate::stats::tally::JourneyTally>,
    raw: Raw,
}

impl<'s> Sim<'s> {
    fn new(s: &'s Scenario, replication: u64) -> Self {
        let rt = RoutingTable::new(s);
        let levels = usize::from(s.routing.levels.max(1));
        let slots = s.intervals_per_day();
        // intervals.csv is keyed by weekday as soon as the window spans more than one day.
        let by_weekday = s.horizon > DAY;
        let buckets = if by_weekday { 7 } else { 1 };
        let ng = s.groups.len();
        let r = |st| stream(s.seed, replication, st);
        let window_start = s.warmup;
        let window_end = s.warmup + s.horizon;
        let mut sim = Sim {
            s,
            now: 0,
            events: EventQueue::new(),
            arrivals: ArrivalProcess::new(s, replication),
            rng: Rngs {
                persona: r(Stream::Persona),
                reason: r(Stream::Reason),
                patience: r(Stream::Patience),
                handle: r(Stream::Handle),
                wrapup: r(Stream::Wrapup),
                resolve: r(Stream::Resolve),
                retry: r(Stream::Retry),
                ivr: r(Stream::Ivr),
                routing: r(Stream::Routing),
                pressure: r(Stream::Pressure),
                segment: r(Stream::Segment),
                proactive: r(Stream::Proactive),
                upstream: r(Stream::Upstream),
                partner: r(Stream::Partner),
                follow_up: r(Stream::FollowUp),
                survey: r(Stream::Survey),
                channel: r(Stream::Channel),
                callback: r(Stream::Callback),
                self_service: r(Stream::SelfService),
                email_chase: r(Stream::EmailChase),
            },
            contacts: Slab::default(),
            journeys: Slab::default(),
            journey_seq: 0,
            trace: None,
            partners: vec![Default::default(); s.partners.len()],
            groups: (0..ng)
                .map(|_| GroupState {
                    idle: VecDeque::new(),
                    busy: Level::default(),
                    present: Level::default(),
                    paid: Level::default(),
                    planned: Level::default(),
                    leaving: 0,
                    target: 0,
                })
                .collect(),
            queues: vec![WaitQueue::default(); rt.routes.len() * levels],
            chat_agents: Slab::default(),
            partial: vec![Vec::new(); ng],
            email_waiting: 0,
            class_handle: channels::class_handles(s, &rt),
            rt,
            levels,
            waiting: Level::default(),
            lines_busy: 0,
            window_start,
            window_end,
            hard_stop: window_end + s.drain,
            last_flush: 0,
            window_closed: false,
            open_measured: 0,
            slots,
            staff_points: {
                let mut p: Vec<Ticks> = s
                    .groups
                    .iter()
                    .flat_map(|g| g.plan.iter().flatten().map(|st| st.at))
                    .chain([0])
                    .collect();
                p.sort_unstable();
                p.dedup();
                p
            },
            by_weekday,
            cell_cache: (0, 0, 0),
            always_resolved: s.reasons.iter().all(|r| r.resolve >= 1.0),
            mix: vec![
                ContactTally::default();
                s.personas.len() * s.reasons.len() * crate::scenario::N_CHANNELS
            ],
            journey_mix: vec![Default::default(); s.personas.len() * s.reasons.len()],
            raw: Raw {
                persona: vec![ContactTally::default(); s.personas.len()],
                reason: vec![ContactTally::default(); s.reasons.len()],
                group: vec![ContactTally::default(); ng],
                channel: vec![ContactTally::default(); crate::scenario::N_CHANNELS],
                agents: vec![Default::default(); ng],
                intervals: vec![IntervalCell::default(); buckets * slots * ng],
                ..Default::default()
            },
        };
        sim.start();
        sim
    }

    fn start(&mut self) {
        self.on_staff();
        self.note_day_start();
        self.partner_hours();
        let rel = -self.window_start;
        let k = rel.div_euclid(self.s.interval) + 1;
        let first_boundary = self.window_start + k * self.s.interval;
        self.events.schedule(first_boundary, Event::Boundary);
        if self.s.horizon % self.s.interval != 0 {
            self.events.schedule(self.window_end, Event::WindowEnd);
        }
        if let Some(t) = self.arrivals.next(self.hard_stop) {
            self.events.schedule_next(t, Event::Arrival);
        }
    }

    fn run(&mut self) {
        while let Some((t, ev)) = self.events.pop() {
            if t > self.hard_stop {
                break;
            }
            self.now = t;
            self.raw.events += 1;
            match ev {
                Event::Arrival => self.on_arrival(),
                Event::IvrDone(c) => self.first_queue(c),
                Event::Abandon(c) => self.on_abandon(c),
                Event::Overflow(c) => self.on_overflow(c),
                Event::ServiceDone(c) => self.on_service_done(c),
                Event::AgentFree(g) => self.agent_available(g),
                Event::Retry(j, seq) => self.on_retry(j, seq),
                Event::Boundary => self.on_boundary(),
                Event::Staff => self.on_staff(),
                Event::WindowEnd => self.flush(),
                Event::PartnerDone(c) => self.on_partner_done(c),
                Event::PartnerAction(j, seq) => self.on_partner_action(j, seq),
                Event::Chase(j, seq) => self.on_chase(j, seq),
                Event::FollowUp(j, seq) => self.on_follow_up(j, seq),
                Event::ChatDone(c) => self.on_chat_done(c),
                Event::EmailLate(c) => self.on_email_late(c),
                Event::SelfServiceDone(c) => self.on_self_service_done(c),
            }
            if self.window_closed && self.open_measured == 0 {
                break;
            }
        }
    }

    fn finish(mut self) -> Raw {
        if !self.window_closed {
            self.now = self.now.max(self.window_end);
            self.flush();
        }
        self.censor_waiting();
        self.close_open_journeys();
        self.raw.trace = self.trace_finish();
        let nr = self.s.reasons.len();
        let nc = crate::scenario::N_CHANNELS;
        for (i, t) in self.mix.iter().enumerate() {
            let (slice, ch) = (i / nc, i % nc);
            self.raw.channel[ch].add(t);
            // Email and self-service are counted per channel only: the persona and reason
            // figures are those of the live channels.
            if ch != Channel::Email as usize && ch != Channel::SelfService as usize {
                self.raw.persona[slice / nr].add(t);
                self.raw.reason[slice % nr].add(t);
            }
        }
        self.raw.persona_journeys = vec![Default::default(); self.s.personas.len()];
        self.raw.reason_journeys = vec![Default::default(); nr];
        for (i, t) in self.journey_mix.iter().enumerate() {
            self.raw.persona_journeys[i / nr].add(t);
            self.raw.reason_journeys[i % nr].add(t);
            self.raw.journeys.add(t);
        }
        let ng = self.s.groups.len();
        for (i, cell) in self.raw.intervals.iter().enumerate() {
            self.raw.group[i % ng].add(&cell.contacts);
            self.raw.all.add(&cell.contacts);
        }
        self.raw.features.email_backlog_end = self.email_backlog_measured();
        self.raw
    }

    /// Contacts still waiting when the drain ran out count their wait up to then (they are
    /// offered but neither answered nor abandoned).
    fn censor_waiting(&mut self) {
        self.now = self.hard_stop;
        for q in 0..self.queues.len() {
            let mut c = self.queues[q].head;
            while c != state::NIL {
                let waited = self.now - self.contacts[c].queued_at;
                self.tally(c, |t| t.wait_all += waited);
                c = self.contacts[c].next;
            }
        }
    }

    /// Whether journey `j` with arrival number `seq` is still open: a journey with several
    /// contacts alive (an email and a chase call) may end while a retry or follow-up is pending.
    pub(super) fn pending(&self, j: u32, seq: u32) -> bool {
        self.journeys
            .get(j)
            .is_some_and(|jr| jr.seq == seq && !jr.done)
    }

    fn slot_of(&self, t: Ticks) -> usize {
        (t - self.window_start)
            .div_euclid(self.s.interval)
            .rem_euclid(self.slots as i64) as usize
    }

    /// The intervals-table row of the interval holding `now` (cached until the interval ends).
    fn current_cell(&mut self) -> u32 {
        let (start, end, base) = self.cell_cache;
        if self.now >= start && self.now < end {
            return base;
        }
        let k = (self.now - self.window_start).div_euclid(self.s.interval);
        let start = self.window_start + k * self.s.interval;
        let base = self.cell_base(self.now) as u32;
        self.cell_cache = (start, start + self.s.interval, base);
        base
    }

    fn cell_base(&self, t: Ticks) -> usize {
        let bucket = if self.by_weekday {
            (t - self.window_start).div_euclid(DAY).rem_euclid(7) as usize
        } else {
            0
        };
        (bucket * self.slots + self.slot_of(t)) * self.s.groups.len()
    }

    fn in_window(&self, t: Ticks) -> bool {
        t >= self.window_start && t < self.window_end
    }

    fn schedule(&mut self, at: Ticks, ev: Event) {
        self.events.schedule(at, ev);
    }
}

/// Index drawn with probability proportional to `weights` (which sum to 1).
/// With one choice nothing is drawn (the stream serves only this choice, so no other draw shifts).
fn pick(rng: &mut SimRng, weights: impl ExactSizeIterator<Item = f64>) -> usize {
    if weights.len() <= 1 {
        return 0;
    }
    let u = uniform01(rng);
    let mut acc = 0.0;
    let mut last = 0;
    for (i, w) in weights.enumerate() {
        acc += w;
        if w > 0.0 {
            // Rounding may leave u above the total: the last choice that can happen takes it.
            last = i;
        }
        if u < acc {
            return i;
        }
    }
    last
}

/// Handle time at a proficiency, in ticks.
#[inline]
fn scaled(base: Ticks, proficiency: f64) -> Ticks {
    if proficiency == 1.0 {
        base
    } else {
        secs_to_ticks(base as f64 / proficiency / 1000.0)
    }
}
