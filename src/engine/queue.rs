//! The future event list, ordered by (time, insertion sequence) so simultaneous events pop in
//! the order they were scheduled, with cancellable timers and no tombstones.
//!
//! Two heaps share one sequence counter: a plain binary heap for events that are never
//! cancelled (arrivals, service completions, boundaries: the bulk), and an indexed heap for
//! timers that may be (patience, overflow), which tracks each entry's position so `cancel`
//! removes it in O(log n). `pop` takes the earlier of the two tops. A `TimerId` carries a
//! generation, so cancelling a fired or already-cancelled timer is a no-op.
//!
//! One more place holds a single event outside both heaps: the next new arrival
//! (`schedule_next`). Arrivals come one at a time, each scheduled when the previous one fires,
//! so they need no heap: `pop` compares that one key with the two tops. It keeps its sequence
//! number, so the order is exactly that of one heap holding everything.

use crate::time::Ticks;

/// Handle to a scheduled timer, for cancelling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerId {
    slot: u32,
    generation: u32,
}

/// Sort key: time in the high 64 bits, insertion sequence in the low 64.
#[inline]
fn key(time: Ticks, seq: u64) -> u128 {
    ((time as u64 as u128) << 64) | seq as u128
}

#[inline]
fn time_of(key: u128) -> Ticks {
    (key >> 64) as u64 as Ticks
}

#[derive(Debug, Clone, Copy)]
struct Fixed<E> {
    key: u128,
    event: E,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u128,
    slot: u32,
}

#[derive(Debug, Clone)]
struct Slot<E> {
    generation: u32,
    /// Position in `timers`, or `FREE`.
    pos: u32,
    event: Option<E>,
}

const FREE: u32 = u32::MAX;

/// Children per node of the never-cancelled heap: a 4-ary heap is shallower than a binary one,
/// and the four children of a node sit in two cache lines.
const ARITY: usize = 4;

/// Priority queue of events of type `E`. Times must be ≥ 0.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    /// The one pending event of the single-event lane (`schedule_next`).
    next: Option<Fixed<E>>,
    fixed: Vec<Fixed<E>>,
    timers: Vec<Entry>,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    seq: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            next: None,
            fixed: Vec::with_capacity(256),
            timers: Vec::with_capacity(256),
            slots: Vec::with_capacity(256),
            free: Vec::new(),
            seq: 0,
        }
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        usize::from(self.next.is_some()) + self.fixed.len() + self.timers.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Size of the timer slot table: never more than the peak of pending timers.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    #[inline]
    fn next_key(&mut self, time: Ticks) -> u128 {
        debug_assert!(time >= 0, "event times are never negative");
        let k = key(time, self.seq);
        self.seq += 1;
        k
    }

    /// Schedule an event that will never be cancelled.
    #[inline]
    pub fn schedule(&mut self, time: Ticks, event: E) {
        let key = self.next_key(time);
        let mut pos = self.fixed.len();
        self.fixed.push(Fixed { key, event });
        while pos > 0 {
            let parent = (pos - 1) / ARITY;
            if self.fixed[parent].key <= key {
                break;
            }
            self.fixed[pos] = self.fixed[parent];
            pos = parent;
        }
        self.fixed[pos] = Fixed { key, event };
    }

    /// Schedule the one event of the single-event lane (the next arrival): it must not hold
    /// one already. Orders exactly as `schedule` would.
    #[inline]
    pub fn schedule_next(&mut self, time: Ticks, event: E) {
        debug_assert!(self.next.is_none(), "the single-event lane holds one event");
        let key = self.next_key(time);
        self.next = Some(Fixed { key, event });
    }

    /// Schedule an event that may be cancelled.
    #[inline]
    pub fn schedule_timer(&mut self, time: Ticks, event: E) -> TimerId {
        let key = self.next_key(time);
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize].event = Some(event);
                s
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    pos: FREE,
                    event: Some(event),
                });
                (self.slots.len() - 1) as u32
            }
        };
        let pos = self.timers.len();
        self.timers.push(Entry { key, slot });
        self.timer_sift_up(pos);
        TimerId {
            slot,
            generation: self.slots[slot as usize].generation,
        }
    }

    /// Time of the next event.
    #[inline]
    pub fn peek_time(&self) -> Option<Ticks> {
        [
            self.next.map(|n| n.key),
            self.fixed.first().map(|f| f.key),
            self.timers.first().map(|t| t.key),
        ]
        .into_iter()
        .flatten()
        .min()
        .map(time_of)
    }

    /// Remove and return the next event.
    #[inline]
    pub fn pop(&mut self) -> Option<(Ticks, E)> {
        if let Some(n) = self.next {
            let first = match (self.fixed.first(), self.timers.first()) {
                (Some(f), Some(t)) => n.key < f.key && n.key < t.key,
                (Some(f), None) => n.key < f.key,
                (None, Some(t)) => n.key < t.key,
                (None, None) => true,
            };
            if first {
                self.next = None;
                return Some((time_of(n.key), n.event));
            }
        }
        let take_fixed = match (self.fixed.first(), self.timers.first()) {
            (Some(f), Some(t)) => f.key < t.key,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if take_fixed {
            Some(self.pop_fixed())
        } else {
            let top = self.timers[0];
            self.timer_remove_at(0);
            Some((time_of(top.key), self.release(top.slot)))
        }
    }

    fn pop_fixed(&mut self) -> (Ticks, E) {
        let top = self.fixed[0];
        let last = self
            .fixed
            .pop()
            .expect("pop_fixed is called on a non-empty heap");
        let len = self.fixed.len();
        if len > 0 {
            let mut pos = 0;
            loop {
                let first = ARITY * pos + 1;
                if first >= len {
                    break;
                }
                let end = (first + ARITY).min(len);
                // One bounds check per level: the children as a slice.
                let kids = &self.fixed[first..end];
                let mut child = first;
                let mut child_key = kids[0].key;
                for (i, k) in kids.iter().enumerate().skip(1) {
                    if k.key < child_key {
                        child = first + i;
                        child_key = k.key;
                    }
                }
                if child_key >= last.key {
                    break;
                }
                self.fixed[pos] = self.fixed[child];
                pos = child;
            }
            self.fixed[pos] = last;
        }
        (time_of(top.key), top.event)
    }

    /// Cancel a timer; returns its event if it was still pending.
    pub fn cancel(&mut self, id: TimerId) -> Option<E> {
        let slot = self.slots.get(id.slot as usize)?;
        if slot.generation != id.generation || slot.pos == FREE {
            return None;
        }
        let pos = slot.pos as usize;
        self.timer_remove_at(pos);
        Some(self.release(id.slot))
    }

    fn release(&mut self, slot: u32) -> E {
        let s = &mut self.slots[slot as usize];
        s.pos = FREE;
        s.generation = s.generation.wrapping_add(1);
        self.free.push(slot);
        s.event
            .take()
            .expect("a queued slot always holds its event")
    }

    fn timer_remove_at(&mut self, pos: usize) {
        let last = self.timers.len() - 1;
        if pos != last {
            self.timers.swap(pos, last);
            self.timers.pop();
            let moved = self.timers[pos];
            self.slots[moved.slot as usize].pos = pos as u32;
            if pos > 0 && moved.key < self.timers[(pos - 1) / 2].key {
                self.timer_sift_up(pos);
            } else {
                self.timer_sift_down(pos);
            }
        } else {
            self.timers.pop();
        }
    }

    #[inline]
    fn timer_sift_up(&mut self, mut pos: usize) {
        let entry = self.timers[pos];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            let p = self.timers[parent];
            if entry.key >= p.key {
                break;
            }
            self.timers[pos] = p;
            self.slots[p.slot as usize].pos = pos as u32;
            pos = parent;
        }
        self.timers[pos] = entry;
        self.slots[entry.slot as usize].pos = pos as u32;
    }

    fn timer_sift_down(&mut self, mut pos: usize) {
        let len = self.timers.len();
        let entry = self.timers[pos];
        loop {
            let left = 2 * pos + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.timers[right].key < self.timers[left].key {
                right
            } else {
                left
            };
            let c = self.timers[child];
            if c.key >= entry.key {
                break;
            }
            self.timers[pos] = c;
            self.slots[c.slot as usize].pos = pos as u32;
            pos = child;
        }
        self.timers[pos] = entry;
        self.slots[entry.slot as usize].pos = pos as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream};
    use rand::Rng;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::new();
        q.schedule(5, "b");
        q.schedule_timer(3, "a");
        q.schedule_timer(5, "c");
        q.schedule(5, "d");
        q.schedule(1, "first");
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["first", "a", "b", "c", "d"]);
    }

    #[test]
    fn the_single_event_lane_orders_as_the_heaps_do() {
        let mut q = EventQueue::new();
        q.schedule(5, "b");
        q.schedule_next(5, "lane");
        q.schedule_timer(5, "c");
        q.schedule(2, "a");
        assert_eq!(q.len(), 4);
        assert_eq!(q.peek_time(), Some(2));
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b", "lane", "c"]);
        q.schedule_next(1, "only");
        assert_eq!(q.pop(), Some((1, "only")));
        assert!(q.is_empty());
    }

    #[test]
    fn cancel_removes_exactly_one_and_stale_ids_do_nothing() {
        let mut q = EventQueue::new();
        let a = q.schedule_timer(10, 1);
        let b = q.schedule_timer(20, 2);
        assert_eq!(q.cancel(a), Some(1));
        assert_eq!(q.cancel(a), None);
        let c = q.schedule_timer(15, 3); // reuses a's slot with a new generation
        assert_eq!(q.cancel(a), None);
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop(), Some((15, 3)));
        assert_eq!(q.cancel(c), None);
        assert_eq!(q.cancel(b), Some(2));
        assert!(q.is_empty());
    }

    #[test]
    fn matches_a_sorted_reference_under_random_cancels() {
        let mut rng = stream(5, 0, Stream::Routing);
        let mut q = EventQueue::new();
        let mut live: Vec<(Ticks, u64, Option<TimerId>)> = Vec::new();
        let mut n = 0u64;
        let mut lane_used = false;
        for _ in 0..20_000 {
            match rng.next_u64() % 3 {
                0 => {
                    let t = (rng.next_u64() % 1000) as Ticks;
                    let id = q.schedule_timer(t, n);
                    live.push((t, n, Some(id)));
                    n += 1;
                }
                1 => {
                    let t = (rng.next_u64() % 1000) as Ticks;
                    if !lane_used && n >= 10_000 {
                        lane_used = true;
                        q.schedule_next(t, n);
                    } else {
                        q.schedule(t, n);
                    }
                    live.push((t, n, None));
                    n += 1;
                }
                _ if !live.is_empty() => {
                    let i = (rng.next_u64() % live.len() as u64) as usize;
                    if let (_, v, Some(id)) = live[i] {
                        live.swap_remove(i);
                        assert_eq!(q.cancel(id), Some(v));
                    }
                }
                _ => {}
            }
        }
        assert!(lane_used);
        live.sort_by_key(|(t, v, _)| (*t, *v));
        for (t, v, _) in live {
            assert_eq!(q.pop(), Some((t, v)));
        }
        assert!(q.pop().is_none());
        // Slots are reused: the table never outgrows the peak of pending events.
        assert!(q.slot_count() < 20_000);
    }
}
