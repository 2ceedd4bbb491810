//! The future event list: an indexed binary heap ordered by (time, insertion sequence), whose
//! entries can be cancelled in O(log n) — no tombstones left behind.
//!
//! Simultaneous events pop in the order they were scheduled. Each scheduled event gets a
//! `TimerId` (slot + generation); cancelling a fired or already-cancelled timer is a no-op,
//! so a stale id can never remove someone else's event.

use crate::time::Ticks;

/// Handle to a scheduled event, for cancelling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerId {
    slot: u32,
    generation: u32,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    time: Ticks,
    seq: u64,
    slot: u32,
}

impl Entry {
    #[inline]
    fn before(&self, other: &Entry) -> bool {
        (self.time, self.seq) < (other.time, other.seq)
    }
}

#[derive(Debug, Clone)]
struct Slot<E> {
    generation: u32,
    /// Position in `heap`, or `FREE`.
    pos: u32,
    event: Option<E>,
}

const FREE: u32 = u32::MAX;

/// Priority queue of events of type `E`.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: Vec<Entry>,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: Vec::with_capacity(256),
            slots: Vec::with_capacity(256),
            free: Vec::new(),
            seq: 0,
        }
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Capacity in use by the slot table (for memory checks): never more than the peak of
    /// pending events.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Schedule `event` at `time`.
    #[inline]
    pub fn schedule(&mut self, time: Ticks, event: E) -> TimerId {
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
        let entry = Entry {
            time,
            seq: self.seq,
            slot,
        };
        self.seq += 1;
        let pos = self.heap.len();
        self.heap.push(entry);
        self.sift_up(pos);
        TimerId {
            slot,
            generation: self.slots[slot as usize].generation,
        }
    }

    /// Time of the next event.
    #[inline]
    pub fn peek_time(&self) -> Option<Ticks> {
        self.heap.first().map(|e| e.time)
    }

    /// Remove and return the next event.
    #[inline]
    pub fn pop(&mut self) -> Option<(Ticks, E)> {
        let top = *self.heap.first()?;
        self.remove_at(0);
        let event = self.release(top.slot);
        Some((top.time, event))
    }

    /// Cancel a scheduled event; returns it if it was still pending.
    pub fn cancel(&mut self, id: TimerId) -> Option<E> {
        let slot = self.slots.get(id.slot as usize)?;
        if slot.generation != id.generation || slot.pos == FREE {
            return None;
        }
        let pos = slot.pos as usize;
        self.remove_at(pos);
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

    fn remove_at(&mut self, pos: usize) {
        let last = self.heap.len() - 1;
        if pos != last {
            self.heap.swap(pos, last);
            self.heap.pop();
            let moved = self.heap[pos];
            self.slots[moved.slot as usize].pos = pos as u32;
            if pos > 0 && moved.before(&self.heap[(pos - 1) / 2]) {
                self.sift_up(pos);
            } else {
                self.sift_down(pos);
            }
        } else {
            self.heap.pop();
        }
    }

    #[inline]
    fn sift_up(&mut self, mut pos: usize) {
        let entry = self.heap[pos];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            let p = self.heap[parent];
            if !entry.before(&p) {
                break;
            }
            self.heap[pos] = p;
            self.slots[p.slot as usize].pos = pos as u32;
            pos = parent;
        }
        self.heap[pos] = entry;
        self.slots[entry.slot as usize].pos = pos as u32;
    }

    #[inline]
    fn sift_down(&mut self, mut pos: usize) {
        let len = self.heap.len();
        let entry = self.heap[pos];
        loop {
            let left = 2 * pos + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].before(&self.heap[left]) {
                right
            } else {
                left
            };
            let c = self.heap[child];
            if !c.before(&entry) {
                break;
            }
            self.heap[pos] = c;
            self.slots[c.slot as usize].pos = pos as u32;
            pos = child;
        }
        self.heap[pos] = entry;
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
        q.schedule(3, "a");
        q.schedule(5, "c");
        q.schedule(1, "first");
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["first", "a", "b", "c"]);
    }

    #[test]
    fn cancel_removes_exactly_one_and_stale_ids_do_nothing() {
        let mut q = EventQueue::new();
        let a = q.schedule(10, 1);
        let b = q.schedule(20, 2);
        assert_eq!(q.cancel(a), Some(1));
        assert_eq!(q.cancel(a), None);
        let c = q.schedule(15, 3); // reuses a's slot with a new generation
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
        let mut live: Vec<(Ticks, u64, TimerId)> = Vec::new();
        let mut n = 0u64;
        for _ in 0..20_000 {
            match rng.next_u64() % 3 {
                0 | 1 => {
                    let t = (rng.next_u64() % 1000) as Ticks;
                    let id = q.schedule(t, n);
                    live.push((t, n, id));
                    n += 1;
                }
                _ if !live.is_empty() => {
                    let i = (rng.next_u64() % live.len() as u64) as usize;
                    let (_, v, id) = live.swap_remove(i);
                    assert_eq!(q.cancel(id), Some(v));
                }
                _ => {}
            }
        }
        live.sort_by_key(|(t, v, _)| (*t, *v));
        for (t, v, _) in live {
            assert_eq!(q.pop(), Some((t, v)));
        }
        assert!(q.pop().is_none());
        // Slots are reused: the table never outgrows the peak of pending events.
        assert!(q.slot_count() < 20_000);
    }
}
