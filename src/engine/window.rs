//! Interval boundaries: staffing changes, and time-weighted statistics cut into the report
//! intervals of the measured window.

use super::{Event, Sim};
use crate::time::DAY;

impl Sim<'_> {
    pub(super) fn on_boundary(&mut self) {
        self.flush();
        self.note_day_start();
        self.partner_hours();
        let next = self.now + self.s.interval;
        if next <= self.hard_stop {
            self.schedule(next, Event::Boundary);
        }
    }

    /// A staffing change point: set every group's head count from its plan, and schedule the
    /// next change point.
    pub(super) fn on_staff(&mut self) {
        self.apply_staffing();
        let rel = self.now - self.window_start;
        let tod = rel.rem_euclid(DAY);
        let day_start = self.now - tod;
        let i = self.staff_points.partition_point(|&p| p <= tod);
        let next = match self.staff_points.get(i) {
            Some(&p) => day_start + p,
            None => day_start + DAY + self.staff_points[0],
        };
        if next <= self.hard_stop {
            self.schedule(next, Event::Staff);
        }
    }

    /// Set every group's head count for the present time from its plan. Agents who must go
    /// while busy leave when they finish the contact in hand.
    pub(super) fn apply_staffing(&mut self) {
        let now = self.now;
        let rel = now - self.window_start;
        // Day of the arrivals' cycle (a week, or a multi-week file's days): every plan's
        // length (1, 7 or the file's days) divides it.
        let cycle = self.s.arrivals.cycle_days() as i64;
        let day = rel.div_euclid(DAY).rem_euclid(cycle) as usize;
        let tod = rel.rem_euclid(DAY);
        for g in 0..self.groups.len() {
            let step = self.s.groups[g].step_at(day, tod);
            let target = step.available;
            let paid = i64::from(step.paid);
            let gs = &mut self.groups[g];
            gs.paid.add(now, paid - gs.paid.value);
            gs.planned.add(now, i64::from(target) - gs.planned.value);
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
        for (g, gs) in self.groups.iter_mut().enumerate() {
            let busy = gs.busy.take(now);
            let present = gs.present.take(now);
            let paid = gs.paid.take(now);
            let planned = gs.planned.take(now);
            if inside {
                for a in [
                    &mut self.raw.agents[g],
                    &mut self.raw.intervals[base + g].agents,
                ] {
                    a.busy += busy;
                    a.present += present;
                    a.paid += paid;
                    a.planned += planned;
                    a.span += now - from;
                }
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
