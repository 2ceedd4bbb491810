//! intervals.csv: per interval of the day (and weekday), per group and for all groups,
//! averaged over the days of the window and over replications.

use super::{Csv, num};
use crate::error::Result;
use crate::runner::RunOutput;
use crate::scenario::Scenario;
use crate::stats::outcome::IntervalCell;
use crate::time::format_clock;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn row(csv: &mut Csv, lead: [&str; 4], cell: &IntervalCell, interval_ticks: f64) {
    let n = cell.occurrences;
    let per = |x: f64| (n > 0.0).then(|| x / n);
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
        num(per(a.paid as f64 / interval_ticks)),
        num(per(a.planned as f64 / interval_ticks)),
        num(per(a.present as f64 / interval_ticks)),
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
            t.occurrences += c.occurrences;
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
            if group_cells[0].occurrences == 0.0 {
                continue;
            }
            let clock = format_clock(slot as i64 * s.interval);
            let mut all = IntervalCell {
                occurrences: group_cells[0].occurrences,
                ..Default::default()
            };
            for (g, cell) in s.groups.iter().zip(group_cells) {
                row(
                    &mut csv,
                    [&s.name, weekday, &clock, &g.name],
                    cell,
                    interval_ticks,
                );
                all.contacts.add(&cell.contacts);
                all.agents.add(&cell.agents);
            }
            row(
                &mut csv,
                [&s.name, weekday, &clock, "all"],
                &all,
                interval_ticks,
            );
        }
    }
    csv.into_bytes()
}
