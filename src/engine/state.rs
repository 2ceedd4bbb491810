//! Entities in flight (contacts, journeys) in slabs with free lists, and intrusive FIFO queues
//! that remove an abandoning contact in O(1).

use std::ops::{Index, IndexMut};

use super::queue::TimerId;
use crate::time::Ticks;

/// A chat agent: an agent of `group` holding one or more chat sessions.
#[derive(Debug, Clone)]
pub struct ChatAgent {
    /// Its group.
    pub group: u16,
    /// When the sessions' remaining work was last brought up to date.
    pub since: Ticks,
    /// Open sessions: (contact, remaining work at stretch 1 [ticks], completion timer, start).
    pub sessions: Vec<(u32, f64, super::queue::TimerId, Ticks)>,
}

/// "No contact" in the intrusive links.
pub const NIL: u32 = u32::MAX;

/// One attempt by a customer to get the issue solved.
#[derive(Debug, Clone, Copy)]
pub struct Contact {
    /// The journey it belongs to.
    pub journey: u32,
    /// When it joined the queue.
    pub queued_at: Ticks,
    /// Talk time at proficiency 1.
    pub handle: Ticks,
    /// After-contact work.
    pub wrapup: Ticks,
    /// Patience in queue (`Ticks::MAX` = infinite).
    pub patience: Ticks,
    /// Uniform draw deciding resolution.
    pub resolve_u: f64,
    /// Skill index of its reason.
    pub skill: u16,
    /// Queue class it waits in: a skill class, or a group's direct class after a transfer or
    /// misroute.
    pub class: u16,
    /// Transfers within this contact so far.
    pub transfers: u8,
    /// Answered at least once (queue statistics describe the first wait only).
    pub answered: bool,
    /// What the current agent segment will end in.
    pub outcome: Outcome,
    /// Money the current agent spends on an exception if the segment resolves the issue.
    pub concession: f64,
    /// Who started it and where it waits.
    pub kind: Kind,
    /// Priority level (0 first).
    pub level: u8,
    /// Counted in the window's statistics.
    pub measured: bool,
    /// Interval cell of its arrival and home group.
    pub cell: u32,
    /// Its (persona, reason, channel) slice: (persona × reasons + reason) × channels + channel.
    pub mix: u32,
    /// Serving group once answered.
    pub group: u16,
    /// Channel index (`Channel as u8`).
    pub channel: u8,
    /// Holds a phone line.
    pub line: bool,
    /// The caller took a callback: keeps its place, no longer on the line.
    pub callback: bool,
    /// The chat agent holding the session (`NIL` when not a chat in service).
    pub agent: u32,
    /// Pending abandonment.
    pub abandon: Option<TimerId>,
    /// Pending overflow check.
    pub overflow: Option<TimerId>,
    /// Previous in its wait queue.
    pub prev: u32,
    /// Next in its wait queue.
    pub next: u32,
}

/// How an agent segment of a contact ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The issue is resolved.
    Resolved,
    /// The agent cannot solve it now and asks the customer to come back.
    NotResolved,
    /// Cut short by AHT pressure: coded resolved, but the issue remains.
    FalseResolution,
    /// The agent lacks the authority and no one has it: "we can't make exceptions".
    Refused,
    /// Passed to another group's queue (a direct class) within the same contact.
    Transfer(u16),
    /// The company did its part; a partner must act next.
    PartnerNeeded,
    /// The customer chased a partner's pending action; nothing to do but wait.
    Chase,
    /// A callback that did not reach the customer.
    Missed,
    /// A social team that cannot help sends the customer to another channel.
    Redirect,
}

/// What a contact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The customer calls the company (IVR, lines, patience; counted in queue statistics).
    Inbound,
    /// The company calls the customer (proactive outreach, an owner's follow-up).
    Outbound,
    /// The customer calls a partner, or is transferred to one (waits in the partner's queue).
    PartnerCall,
    /// Work the company handed to a partner; the customer is not involved.
    PartnerJob,
}

/// Why a customer had to get in touch again: the cause of a repeat contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Cause {
    /// The agent could not resolve it and asked the customer to come back.
    NotResolved = 0,
    /// Coded resolved under AHT pressure, but not resolved.
    FalseResolution = 1,
    /// Refused: no one with the authority to make an exception.
    Refusal = 2,
    /// The customer hung up waiting.
    Abandoned = 3,
    /// All lines were busy.
    Blocked = 4,
    /// A partner: sent to it, chasing it, or its action failed.
    Partner = 5,
    /// The case owner called back.
    FollowUp = 6,
    /// A callback did not reach the customer.
    CallbackMissed = 7,
    /// A social team sent the customer to another channel.
    Redirected = 8,
    /// Self-service did not contain the issue: the customer falls back to a live channel.
    SelfService = 9,
    /// An email was not answered within its target: the customer chases on another channel.
    EmailLate = 10,
}

/// Names of the causes, in `Cause` order (stable: they are metric names).
pub const CAUSES: [&str; 11] = [
    "not_resolved",
    "false_resolution",
    "refusal",
    "abandoned",
    "blocked",
    "partner",
    "follow_up",
    "callback_missed",
    "redirected",
    "self_service",
    "email_late",
];

/// One customer issue, from first contact to resolved or given up.
#[derive(Debug, Clone, Copy)]
pub struct Journey {
    /// Persona index.
    pub persona: u16,
    /// Reason index.
    pub reason: u16,
    /// Attempts so far (the current one included).
    pub attempts: u16,
    /// Begun inside the window.
    pub measured: bool,
    /// Agents met so far (every agent after the first hears the story again when siloed).
    pub agents_met: u16,
    /// Transfers over all contacts.
    pub transfers: u16,
    /// Times the customer told the story again.
    pub reexplanations: u16,
    /// Refusals met.
    pub refusals: u16,
    /// Contacts the case owner made to follow up (among `attempts`).
    pub follow_ups: u16,
    /// The first contact was coded resolved by the agent (truly or not).
    pub first_coded: bool,
    /// Cause of the last failed attempt (the cause of the next repeat contact).
    pub cause: Cause,
    /// Patience lost to re-explanations, taken off every later wait [ticks].
    pub patience_loss: Ticks,
    /// Customer time spent: IVR, waiting and talking [ticks].
    pub effort: Ticks,
    /// Arrival number of the journey in its replication.
    pub seq: u32,
    /// The group that owns the case (ownership = "own").
    pub owner: Option<u16>,
    /// The company has done its part; the partner must act.
    pub company_done: bool,
    /// A partner's action is pending.
    pub partner_pending: bool,
    /// Hand-offs to partners.
    pub partner_handoffs: u16,
    /// The company reached out first.
    pub proactive: bool,
    /// The next contact goes to the partner (cold hand-off).
    pub to_partner: bool,
    /// Contacts of the journey alive now (it is removed once it is done and this is 0).
    pub live: u16,
    /// Ended (resolved or given up); contacts still alive only finish.
    pub done: bool,
    /// Time spent waiting in queues (transfers and partners included) [ticks].
    pub waited: Ticks,
    /// Attempts abandoned.
    pub abandons: u16,
    /// A survey was offered (each journey at most once).
    pub surveyed: bool,
    /// Inbound call time with the company: IVR, queue and talk [ticks] (telephony cost).
    pub call_time: Ticks,
    /// Channel of the current (or last) attempt.
    pub channel: u8,
    /// The customer posted publicly (a social contact).
    pub public: bool,
}

impl Journey {
    /// A journey at its first contact.
    pub fn new(persona: u16, reason: u16, measured: bool) -> Self {
        Journey {
            persona,
            reason,
            attempts: 1,
            measured,
            agents_met: 0,
            transfers: 0,
            reexplanations: 0,
            refusals: 0,
            follow_ups: 0,
            first_coded: false,
            cause: Cause::NotResolved,
            patience_loss: 0,
            effort: 0,
            seq: 0,
            owner: None,
            company_done: false,
            partner_pending: false,
            partner_handoffs: 0,
            proactive: false,
            to_partner: false,
            live: 0,
            done: false,
            waited: 0,
            abandons: 0,
            surveyed: false,
            call_time: 0,
            channel: 0,
            public: false,
        }
    }
}

/// A vector with a free list: ids stay stable while the entity lives, memory is reused.
///
/// Items are stored in place (no `Option` to unwrap on every access); `alive` says which ids
/// hold a live item. The engine reads and writes only live ids: debug builds (and so every
/// test) check it on each access; release builds leave it to those tests.
#[derive(Debug, Clone)]
pub struct Slab<T> {
    items: Vec<T>,
    alive: Vec<bool>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            alive: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }
}

impl<T> Slab<T> {
    /// Store an item; returns its id.
    #[inline]
    pub fn insert(&mut self, item: T) -> u32 {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                self.items[i as usize] = item;
                self.alive[i as usize] = true;
                i
            }
            None => {
                self.items.push(item);
                self.alive.push(true);
                (self.items.len() - 1) as u32
            }
        }
    }

    /// Remove an item by id (its storage is reused by a later `insert`).
    #[inline]
    pub fn remove(&mut self, id: u32) {
        assert!(
            std::mem::replace(&mut self.alive[id as usize], false),
            "engine removes only live ids"
        );
        self.live -= 1;
        self.free.push(id);
    }

    /// Items alive now.
    pub fn live(&self) -> usize {
        self.live
    }

    /// The item with this id, if it is alive.
    pub fn get(&self, id: u32) -> Option<&T> {
        match self.alive.get(id as usize) {
            Some(true) => Some(&self.items[id as usize]),
            _ => None,
        }
    }

    /// The live items, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items
            .iter()
            .zip(&self.alive)
            .filter_map(|(item, alive)| alive.then_some(item))
    }
}

impl<T> Index<u32> for Slab<T> {
    type Output = T;
    #[inline]
    fn index(&self, id: u32) -> &T {
        debug_assert!(self.alive[id as usize], "engine reads only live ids");
        &self.items[id as usize]
    }
}

impl<T> IndexMut<u32> for Slab<T> {
    #[inline]
    fn index_mut(&mut self, id: u32) -> &mut T {
        debug_assert!(self.alive[id as usize], "engine writes only live ids");
        &mut self.items[id as usize]
    }
}

/// A FIFO of waiting contacts, linked through `Contact::prev/next`.
#[derive(Debug, Clone, Copy)]
pub struct WaitQueue {
    /// First (longest waiting).
    pub head: u32,
    /// Last.
    pub tail: u32,
    /// Contacts in it.
    pub len: u32,
}

impl Default for WaitQueue {
    fn default() -> Self {
        WaitQueue {
            head: NIL,
            tail: NIL,
            len: 0,
        }
    }
}

impl WaitQueue {
    /// Append a contact.
    #[inline]
    pub fn push(&mut self, contacts: &mut Slab<Contact>, id: u32) {
        contacts[id].prev = self.tail;
        contacts[id].next = NIL;
        if self.tail == NIL {
            self.head = id;
        } else {
            contacts[self.tail].next = id;
        }
        self.tail = id;
        self.len += 1;
    }

    /// Unlink a contact from anywhere in the queue.
    #[inline]
    pub fn unlink(&mut self, contacts: &mut Slab<Contact>, id: u32) {
        let (prev, next) = (contacts[id].prev, contacts[id].next);
        if prev == NIL {
            self.head = next;
        } else {
            contacts[prev].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            contacts[next].prev = prev;
        }
        contacts[id].prev = NIL;
        contacts[id].next = NIL;
        self.len -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> Contact {
        Contact {
            journey: 0,
            queued_at: 0,
            handle: 0,
            wrapup: 0,
            patience: 0,
            resolve_u: 0.0,
            skill: 0,
            class: 0,
            transfers: 0,
            answered: false,
            outcome: Outcome::Resolved,
            concession: 0.0,
            kind: Kind::Inbound,
            level: 0,
            measured: false,
            cell: 0,
            mix: 0,
            group: 0,
            channel: 0,
            line: false,
            callback: false,
            agent: NIL,
            abandon: None,
            overflow: None,
            prev: NIL,
            next: NIL,
        }
    }

    fn order(q: &WaitQueue, s: &Slab<Contact>) -> Vec<u32> {
        let mut out = vec![];
        let mut c = q.head;
        while c != NIL {
            out.push(c);
            c = s[c].next;
        }
        out
    }

    #[test]
    fn queue_keeps_fifo_order_under_removal() {
        let mut s = Slab::default();
        let ids: Vec<u32> = (0..5).map(|_| s.insert(contact())).collect();
        let mut q = WaitQueue::default();
        for &i in &ids {
            q.push(&mut s, i);
        }
        q.unlink(&mut s, ids[2]);
        q.unlink(&mut s, ids[0]);
        q.unlink(&mut s, ids[4]);
        assert_eq!(order(&q, &s), vec![ids[1], ids[3]]);
        assert_eq!(q.tail, ids[3]);
        q.unlink(&mut s, ids[1]);
        q.unlink(&mut s, ids[3]);
        assert_eq!(q.head, NIL);
        assert_eq!(q.tail, NIL);
    }

    #[test]
    fn slab_reuses_ids() {
        let mut s: Slab<u8> = Slab::default();
        let a = s.insert(1);
        let _b = s.insert(2);
        s.remove(a);
        assert_eq!(s.get(a), None);
        assert_eq!(s.insert(3), a);
        assert_eq!(s[a], 3);
        assert_eq!(s.live(), 2);
    }
}
