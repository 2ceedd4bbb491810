//! intervals.csv: per interval of the day (and weekday), per group and for all groups,
//! averaged over the days of the window and over replications.

use super::{Csv, num};
use crate::error::Result;
use crate::runner::RunOutput;
use crate::scenario::Scenario;
use crate::stats::outcome::IntervalCell;
use crate::time::format_clock;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// One row; `exposure` is the window time the cell covered over the days and replications
/// [ticks]. Counts are per full interval (a partial interval, at a window edge, is scaled by
/// the share of it inside the window); head counts are time averages over the exposure.
fn row(csv: &mut Csv, lead: [&str; 4], cell: &IntervalCell, exposure: i64, interval_ticks: f64) {
    // A whole number of intervals gives a whole n exactly (both are integers in f64).
    let n = exposure as f64 / interval_ticks;
    let per = |x: f64| (n > 0.0).then(|| x / n);
    let heads = |x: i64| (exposure > 0).then(|| x as f64 / exposure as f64);
    let c = &cell.contacts;
    let a = &cell.agents;
    let mut fields: Vec<String> = lead.iter().map(|s| s.to_string()).collect();
    fields.extend([
        num(per(c.offered as f64)),
        num(per(c.answered as f64)),
        num(per(c.abandoned as f64)),
        num(c.service_level()),
        num(c.asa_s()),
        num(a.occupancy()),
        num(heads(a.paid)),
        num(heads(a.planned)),
        num(heads(a.present)),
    ]);
    csv.row(fields);
}

/// The intervals table of a run.
pub fn intervals_csv(s: &Scenario, out: &RunOutput) -> Result<Vec<u8>> {
    let mut csv = Csv::new(&[
        "scenario",
        "weekday",
        "interval",
        "group",
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_s",
        "occupancy",
        "agents_staffed",
        "agents_available",
        "agents_present",
    ]);
    let Some(first) = out.outcomes.first() else {
        return csv.into_bytes();
    };
    let ng = s.groups.len();
    let slots = s.intervals_per_day();
    let cells = first.raw.intervals.len();
    let mut total = vec![IntervalCell::default(); cells];
    for o in &out.outcomes {
        for (t, c) in total.iter_mut().zip(&o.raw.intervals) {
            t.contacts.add(&c.contacts);
            t.agents.add(&c.agents);
        }
    }
    let buckets = cells / (slots * ng).max(1);
    let interval_ticks = s.interval as f64;
    for b in 0..buckets {
        let weekday = if buckets == 7 {
            WEEKDAYS.get(b).copied().unwrap_or("all")
        } else {
            "all"
        };
        for slot in 0..slots {
            let base = (b * slots + slot) * ng;
            let group_cells = &total[base..base + ng];
            // Every group's cell covers the same window time.
            let exposure = group_cells[0].agents.span;
            if exposure == 0 {
                continue;
            }
            let clock = format_clock(slot as i64 * s.interval);
            let mut all = IntervalCell::default();
            for (g, cell) in s.groups.iter().zip(group_cells) {
                row(
                    &mut csv,
                    [&s.name, weekday, &clock, &g.name],
                    cell,
                    exposure,
                    interval_ticks,
                );
                all.contacts.add(&cell.contacts);
                all.agents.add(&cell.agents);
            }
            row(
                &mut csv,
                [&s.name, weekday, &clock, "all"],
                &all,
                exposure,
                interval_ticks,
            );
        }
    }
    csv.into_bytes()
}
