//! Interval boundaries: staffing changes, and time-weighted statistics cut into the report
//! intervals of the measured window.

use super::{Event, Sim};

impl Sim<'_> {
    pub(super) fn on_boundary(&mut self) {
        self.flush();
        let slot = self.slot_of(self.now);
        self.apply_staffing(slot);
        self.partner_hours();
        let next = self.now + self.s.interval;
        if next <= self.hard_stop {
            self.schedule(next, Event::Boundary);
        }
    }

    /// Set every group's head count for interval slot `slot` of the day.
    pub(super) fn apply_staffing(&mut self, slot: usize) {
        let now = self.now;
        for g in 0..self.groups.len() {
            let group = &self.s.groups[g];
            let target = group.available(slot);
            let paid = i64::from(group.paid(slot));
            let gs = &mut self.groups[g];
            gs.paid.add(now, paid - gs.paid.value);
            if target > gs.target {
                let mut add = target - gs.target;
                let back = add.min(gs.leaving);
                gs.leaving -= back;
                add -= back;
                for _ in 0..add {
                    gs.idle.push_back(now);
                }
                gs.present.add(now, i64::from(add));
                gs.target = target;
                self.dispatch_idle(g as u16);
            } else if target < gs.target {
                let cut = gs.target - target;
                let idle_leave = cut.min(gs.idle.len() as u32);
                for _ in 0..idle_leave {
                    gs.idle.pop_back();
                }
                gs.present.add(now, -i64::from(idle_leave));
                gs.leaving += cut - idle_leave;
                gs.target = target;
            }
        }
    }

    /// Close the statistics period `[last_flush, now)`: time-weighted integrals go to the
    /// window totals and to the interval cell when the period lies inside the window.
    pub(super) fn flush(&mut self) {
        let (from, now) = (self.last_flush, self.now);
        if now <= from {
            return;
        }
        let inside = from >= self.window_start && now <= self.window_end;
        let base = self.cell_base(from);
        let fraction = (now - from) as f64 / self.s.interval as f64;
        for (g, gs) in self.groups.iter_mut().enumerate() {
            let busy = gs.busy.take(now);
            let present = gs.present.take(now);
            let paid = gs.paid.take(now);
            if inside {
                for a in [
                    &mut self.raw.agents[g],
                    &mut self.raw.intervals[base + g].agents,
                ] {
                    a.busy += busy;
                    a.present += present;
                    a.paid += paid;
                    a.span += now - from;
                }
                self.raw.intervals[base + g].occurrences += fraction;
            }
        }
        let queued = self.waiting.take(now);
        if inside {
            self.raw.queue_area += queued;
        }
        self.last_flush = now;
        if now >= self.window_end {
            self.window_closed = true;
        }
    }
}
