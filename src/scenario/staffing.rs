//! Staffing: head counts per interval, shifts with breaks, or staff-to-target — read from a
//! group's table, then turned into one plan of steps over the day (or the week) once the whole
//! scenario is known (staff-to-target needs the forecast).

use super::model::*;
use super::read::{Fields, Reader};
use super::tree::{Span, Value};
use crate::time::{DAY, Ticks, format_clock, parse_clock};

/// Keys of the target form of `staffing`.
pub const STAFF_TARGET_KEYS: &[&str] = &["target", "method", "max_occupancy"];
/// Keys of one shift.
pub const SHIFT_KEYS: &[&str] = &["start", "length", "agents", "breaks"];
/// Keys of one break of a shift.
pub const BREAK_KEYS: &[&str] = &["after", "length"];

/// Most agents in one group.
pub const MAX_AGENTS: i64 = 100_000;

/// Read the staffing of a group: exactly one of `agents`, `staffing` (a list or a target
/// table) and `shifts`. Returns the staffing and the span to blame for problems found later.
pub fn read(r: &mut Reader, f: &Fields, slots: usize) -> Option<(Staffing, Span)> {
    let given: Vec<&str> = ["agents", "staffing", "shifts"]
        .into_iter()
        .filter(|k| f.get(k).is_some())
        .collect();
    if given.len() > 1 {
        let n = f.get(given[1]).map_or(f.span, |n| n.span);
        r.error_help(
            n,
            &f.child(given[1]),
            format!("both `{}` and `{}` are given", given[0], given[1]),
            "keep one of agents, staffing and shifts",
        );
        return None;
    }
    match given.first().copied() {
        Some("agents") => {
            let n = f.get("agents")?;
            let v = r.integer(n, &f.child("agents"), 0, MAX_AGENTS)?;
            Some((Staffing::Intervals(vec![v as u32]), n.span))
        }
        Some("staffing") => {
            let n = f.get("staffing")?;
            let path = f.child("staffing");
            if matches!(n.value, Value::Table(_)) {
                return target(r, n, &path).map(|t| (Staffing::Target(t), n.span));
            }
            let items = r.array(n, &path)?;
            if items.len() != slots {
                r.error_help(
                    n.span,
                    &path,
                    format!("found {} values, but a day has {slots} intervals", items.len()),
                    format!(
                        "give exactly {slots} head counts, one per interval of scenario.interval, or a target: staffing = {{ target = \"80% in 20s\" }}"
                    ),
                );
                return None;
            }
            let vals: Vec<Option<i64>> = items
                .iter()
                .enumerate()
                .map(|(i, it)| r.integer(it, &format!("{path}[{i}]"), 0, MAX_AGENTS))
                .collect();
            let vals: Option<Vec<u32>> = vals.into_iter().map(|v| v.map(|v| v as u32)).collect();
            Some((Staffing::Intervals(vals?), n.span))
        }
        Some("shifts") => {
            let n = f.get("shifts")?;
            shifts(r, n, &f.child("shifts")).map(|s| (Staffing::Shifts(s), n.span))
        }
        _ => {
            r.error_help(
                f.span,
                &f.child("agents"),
                "the group has no staffing",
                "add agents = 10, staffing = [one head count per interval of the day], staffing = { target = \"80% in 20s\" }, or shifts = [{ start = \"08:00\", length = \"8h\", agents = 10 }]",
            );
            None
        }
    }
}

fn target(r: &mut Reader, n: &super::tree::Node, path: &str) -> Option<StaffTarget> {
    let f = r.table(n, path, STAFF_TARGET_KEYS, &[])?;
    let tn = r.require(&f, "target", "target = \"80% in 20s\"")?;
    let text = r.string(tn, &f.child("target"))?;
    let goal = match crate::calc::parse_target("target", &text) {
        Ok(t) => t,
        Err(e) => {
            r.error_help(
                tn.span,
                &f.child("target"),
                e.to_string(),
                "write a share and a time, e.g. target = \"80% in 20s\"",
            );
            return None;
        }
    };
    let method = match f.get("method") {
        None => StaffMethod::ErlangC,
        Some(m) => match r.string(m, &f.child("method"))?.as_str() {
            "erlang-c" => StaffMethod::ErlangC,
            "erlang-a" => StaffMethod::ErlangA,
            other => {
                r.error_help(
                    m.span,
                    &f.child("method"),
                    format!("unknown staffing method \"{other}\""),
                    "allowed: \"erlang-c\" (nobody abandons), \"erlang-a\" (exponential patience with the personas' mean)",
                );
                return None;
            }
        },
    };
    let max_occupancy = match f.get("max_occupancy") {
        None => None,
        Some(m) => Some(r.number_in(m, &f.child("max_occupancy"), 0.01, 1.0)?),
    };
    Some(StaffTarget {
        share: goal.share,
        threshold: crate::time::secs_to_ticks(goal.threshold_s),
        method,
        max_occupancy,
    })
}

fn shifts(r: &mut Reader, n: &super::tree::Node, path: &str) -> Option<Vec<Shift>> {
    let items = r.array(n, path)?;
    if items.is_empty() {
        r.error_help(
            n.span,
            path,
            "no shifts given",
            "add at least one, e.g. shifts = [{ start = \"08:00\", length = \"8h\", agents = 10 }]",
        );
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (i, it) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Some(f) = r.table(it, &p, SHIFT_KEYS, &[]) else {
            ok = false;
            continue;
        };
        let start = r.require(&f, "start", "start = \"08:00\"").and_then(|n| {
            let text = r.string(n, &f.child("start"))?;
            match parse_clock(&text) {
                Ok(t) if t < DAY => Some(t),
                Ok(_) => {
                    r.error_help(
                        n.span,
                        &f.child("start"),
                        "24:00 is the end of the day, not a start",
                        "write \"00:00\"",
                    );
                    None
                }
                Err(e) => {
                    r.error_help(
                        n.span,
                        &f.child("start"),
                        e,
                        "write the time of day the shift starts, e.g. \"08:00\"",
                    );
                    None
                }
            }
        });
        let length = r.require(&f, "length", "length = \"8h\"").and_then(|n| {
            let t = r.positive_duration(n, &f.child("length"))?;
            if t > DAY {
                r.error_help(
                    n.span,
                    &f.child("length"),
                    format!(
                        "a shift of {} is longer than a day",
                        crate::time::format_duration(t)
                    ),
                    "shifts repeat every day: give at most \"24h\"",
                );
                return None;
            }
            Some(t)
        });
        let agents = r
            .require(&f, "agents", "agents = 10")
            .and_then(|n| r.integer(n, &f.child("agents"), 0, MAX_AGENTS));
        let mut breaks = Vec::new();
        if let Some(bn) = f.get("breaks")
            && let Some(bs) = r.array(bn, &f.child("breaks"))
        {
            for (k, b) in bs.iter().enumerate() {
                let bp = format!("{}[{k}]", f.child("breaks"));
                let Some(bf) = r.table(b, &bp, BREAK_KEYS, &[]) else {
                    ok = false;
                    continue;
                };
                let after = r
                    .require(&bf, "after", "after = \"2h\"")
                    .and_then(|n| r.duration(n, &bf.child("after")));
                let blen = r
                    .require(&bf, "length", "length = \"15m\"")
                    .and_then(|n| r.positive_duration(n, &bf.child("length")));
                match (after, blen, length) {
                    (Some(a), Some(l), Some(sl)) if a + l > sl => {
                        r.error_help(
                            b.span,
                            &bp,
                            format!(
                                "the break ends {} after the shift starts, past the shift's end ({})",
                                crate::time::format_duration(a + l),
                                crate::time::format_duration(sl)
                            ),
                            "start the break earlier or shorten it",
                        );
                        ok = false;
                    }
                    (Some(a), Some(l), _) => breaks.push((a, l)),
                    _ => ok = false,
                }
            }
        }
        match (start, length, agents) {
            (Some(start), Some(length), Some(agents)) => out.push(Shift {
                start,
                length,
                agents: agents as u32,
                breaks,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// Agents available out of `on_duty` after shrinkage, rounded to the nearest agent.
fn after_shrinkage(on_duty: u32, shrinkage: f64) -> u32 {
    (f64::from(on_duty) * (1.0 - shrinkage)).round() as u32
}

/// Whether `t` (time of day) lies in the daily span starting at `start` lasting `len`.
fn covers(start: Ticks, len: Ticks, t: Ticks) -> bool {
    len >= DAY || (t - start).rem_euclid(DAY) < len
}

/// The plan of a list of shifts over one day.
fn shift_plan(shifts: &[Shift], shrinkage: f64) -> Vec<Step> {
    let mut points = vec![0];
    for s in shifts {
        points.push(s.start);
        points.push((s.start + s.length).rem_euclid(DAY));
        for &(a, l) in &s.breaks {
            points.push((s.start + a).rem_euclid(DAY));
            points.push((s.start + a + l).rem_euclid(DAY));
        }
    }
    points.sort_unstable();
    points.dedup();
    points
        .into_iter()
        .map(|at| {
            let mut paid = 0;
            let mut working = 0;
            for s in shifts.iter().filter(|s| covers(s.start, s.length, at)) {
                paid += s.agents;
                let on_break = s
                    .breaks
                    .iter()
                    .any(|&(a, l)| covers((s.start + a).rem_euclid(DAY), l, at));
                if !on_break {
                    working += s.agents;
                }
            }
            Step {
                at,
                paid,
                available: after_shrinkage(working, shrinkage),
            }
        })
        .collect()
}

/// Merge steps that change nothing.
fn tidy(steps: Vec<Step>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for s in steps {
        match out.last() {
            Some(l) if l.paid == s.paid && l.available == s.available => {}
            _ => out.push(s),
        }
    }
    out
}

/// The forecast one group must answer in one interval: arrival rate of first contacts [per
/// second], mean handle time and mean patience [seconds] (`None` if anyone waits forever).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    /// Arrivals per second.
    pub rate: f64,
    /// Mean handle time including after-contact work [s].
    pub aht_s: f64,
    /// Mean patience [s]; `None` if some customer never abandons.
    pub patience_s: Option<f64>,
}

/// Whether group `g` answers live contacts of `reason` on channel `ch`.
fn answers(s: &Scenario, g: usize, reason: &Reason, ch: Channel) -> bool {
    if ch == Channel::Social
        && let Some(team) = s.social.group
    {
        return team.0 as usize == g;
    }
    s.groups[g].channels[ch as usize] && s.groups[g].proficiency(reason.skill).is_some()
}

/// The forecast of group `g` in slot `slot` of day `day` (0 = the window's first day, a
/// Monday; see `Arrivals::rate`): first contacts of new issues
/// on the live channels it answers, split evenly between the groups answering the same
/// (reason, channel). Repeat contacts, transfers, overflow, chat concurrency and email are
/// what the simulation adds to the formula's picture.
pub fn forecast(s: &Scenario, g: usize, day: usize, slot: usize) -> Forecast {
    let day_rate = s.arrivals.rate(day, slot);
    let mut rate = 0.0;
    let mut work = 0.0;
    let mut patience_sum = 0.0;
    let mut patient = true;
    for (ri, reason) in s.reasons.iter().enumerate() {
        let shares = s.channel_share(ri);
        for ch in [Channel::Phone, Channel::Chat, Channel::Social] {
            if shares[ch as usize] <= 0.0 || !answers(s, g, reason, ch) {
                continue;
            }
            let n = (0..s.groups.len())
                .filter(|&k| answers(s, k, reason, ch))
                .count();
            let prof = s.groups[g].proficiency(reason.skill).unwrap_or(1.0);
            let lam = day_rate * reason.share * shares[ch as usize] / n as f64;
            let aht =
                reason.handle.mean() / prof + reason.wrapup.as_ref().map_or(0.0, |d| d.mean());
            rate += lam;
            work += lam * aht;
            // Mean patience of the customers arriving on the channel.
            let weight: f64 = s
                .personas
                .iter()
                .map(|p| p.share * p.channels[ch as usize])
                .sum();
            for p in &s.personas {
                let w = p.share * p.channels[ch as usize] / weight.max(f64::MIN_POSITIVE);
                match &p.patience[ch as usize] {
                    Some(d) => patience_sum += lam * w * d.mean(),
                    None if w > 0.0 => patient = false,
                    None => {}
                }
            }
        }
    }
    Forecast {
        rate,
        aht_s: if rate > 0.0 { work / rate } else { 0.0 },
        patience_s: (patient && rate > 0.0).then(|| patience_sum / rate),
    }
}

/// Agents needed for a forecast and a target (0 when nothing arrives).
pub fn agents_for(fc: &Forecast, t: &StaffTarget) -> Result<u32, String> {
    if fc.rate <= 0.0 || fc.aht_s <= 0.0 {
        return Ok(0);
    }
    let patience = match t.method {
        StaffMethod::ErlangC => None,
        StaffMethod::ErlangA => match fc.patience_s {
            Some(p) if p > 0.0 => Some(p),
            _ => {
                return Err(
                    "method \"erlang-a\" needs every persona to have a finite patience".into(),
                );
            }
        },
    };
    crate::theory::agents_for_service_level(
        fc.rate,
        fc.aht_s,
        patience,
        crate::time::ticks_to_secs(t.threshold),
        t.share,
        t.max_occupancy,
    )
    .ok_or_else(|| {
        format!(
            "no staffing below {MAX_AGENTS} agents meets the target for {:.1} Erlangs",
            fc.rate * fc.aht_s
        )
    })
}

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// How an error names day `day` of `days` planned days: "the day", a weekday, or for a
/// multi-week plan "day 9, Tuesday of week 2" (counted from 1).
fn day_name(day: usize, days: usize) -> String {
    match days {
        1 => "the day".to_string(),
        7 => DAY_NAMES[day % 7].to_string(),
        _ => format!(
            "day {}, {} of week {}",
            day + 1,
            DAY_NAMES[day % 7],
            day / 7 + 1
        ),
    }
}

/// Build every group's plan. Staff-to-target groups get one plan per weekday when the rate
/// varies by weekday (weekday factors that differ, or a weekly arrivals file), one per day of
/// the period for a multi-week arrivals file, else one day (`Arrivals::plan_days`).
pub fn build_plans(r: &mut Reader, s: &mut Scenario, spans: &[Span]) {
    let slots = s.intervals_per_day();
    let plan_days = s.arrivals.plan_days();
    for g in 0..s.groups.len() {
        let shrinkage = s.groups[g].shrinkage;
        let plan = match &s.groups[g].staffing {
            Staffing::Intervals(v) => vec![tidy(
                (0..slots)
                    .map(|k| {
                        let paid = if v.len() == 1 { v[0] } else { v[k] };
                        Step {
                            at: k as Ticks * s.interval,
                            paid,
                            available: after_shrinkage(paid, shrinkage),
                        }
                    })
                    .collect(),
            )],
            Staffing::Shifts(list) => vec![tidy(shift_plan(list, shrinkage))],
            Staffing::Target(t) => {
                let t = t.clone();
                let mut days = Vec::new();
                for day in 0..plan_days {
                    let mut steps = Vec::with_capacity(slots);
                    for k in 0..slots {
                        let fc = forecast(s, g, day, k);
                        let need = match agents_for(&fc, &t) {
                            Ok(n) => n,
                            Err(e) => {
                                let span = spans.get(g).copied().unwrap_or_default();
                                r.error_help(
                                    span,
                                    &format!("group[{}].staffing", s.groups[g].name),
                                    format!(
                                        "{e} (interval {} of {})",
                                        format_clock(k as Ticks * s.interval),
                                        day_name(day, plan_days)
                                    ),
                                    "lower the target, raise max_occupancy, or give the personas a patience",
                                );
                                return;
                            }
                        };
                        // `need` agents must take contacts: pay enough that shrinkage leaves them.
                        let paid =
                            (f64::from(need) / (1.0 - shrinkage) - 1e-9).ceil().max(0.0) as u32;
                        steps.push(Step {
                            at: k as Ticks * s.interval,
                            paid: paid.max(need),
                            available: need,
                        });
                    }
                    days.push(tidy(steps));
                }
                days
            }
        };
        s.groups[g].plan = plan;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{HOUR, MINUTE};

    #[test]
    fn a_shift_past_midnight_covers_both_days() {
        let plan = shift_plan(
            &[Shift {
                start: 22 * HOUR,
                length: 8 * HOUR,
                agents: 4,
                breaks: vec![(2 * HOUR, 30 * MINUTE)],
            }],
            0.0,
        );
        let at = |t: Ticks| {
            let i = plan.partition_point(|s| s.at <= t);
            plan[i - 1]
        };
        assert_eq!(at(HOUR).available, 4);
        assert_eq!(at(6 * HOUR).paid, 0);
        assert_eq!(at(23 * HOUR).available, 4);
        assert_eq!(at(0).paid, 4);
        assert_eq!(at(10 * MINUTE).available, 0, "on break 00:00-00:30");
        assert_eq!(at(10 * MINUTE).paid, 4, "breaks are paid");
        assert_eq!(at(40 * MINUTE).available, 4);
    }

    #[test]
    fn days_are_named_by_weekday_and_week() {
        assert_eq!(day_name(0, 1), "the day");
        assert_eq!(day_name(4, 7), "Friday");
        assert_eq!(day_name(8, 14), "day 9, Tuesday of week 2");
        assert_eq!(day_name(20, 21), "day 21, Sunday of week 3");
    }

    #[test]
    fn shrinkage_removes_agents_not_rate() {
        assert_eq!(after_shrinkage(10, 0.3), 7);
        assert_eq!(after_shrinkage(0, 0.3), 0);
    }
}
