//! `[arrivals] file = "..."`: rates read from a CSV of interval starts drive the simulation
//! exactly as an inline profile does (same bytes), fill forward between sparser rows, describe a
//! week when a start passes a day and several weeks when one passes a week, and reach
//! staff-to-target plans and the runaway guard. Seeded and small: well under a few seconds in
//! all. Bad files are in the bad-inputs catalogue (`tests/bad_inputs/157-…` to `172-…`, and
//! `176-…`).

mod common;

use std::path::PathBuf;

use ccsim::engine::ArrivalProcess;
use ccsim::runner;
use ccsim::scenario::{Scenario, load_file};
use ccsim::time::{DAY, HOUR, Ticks};

/// A scratch folder with a scenario and its CSVs, removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("ccsim-arrivals-file-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).expect("scratch folder");
        Scratch(dir)
    }

    /// Write `data/NAME` (relative paths are resolved against the scenario file).
    fn csv(&self, name: &str, text: &str) {
        std::fs::write(self.0.join("data").join(name), text).expect("write CSV");
    }

    /// Write and load a scenario whose `[arrivals]` body is `arrivals`.
    fn scenario(&self, file: &str, arrivals: &str, extra: &str) -> Scenario {
        let path = self.0.join(file);
        std::fs::write(&path, base(arrivals, extra)).expect("write scenario");
        load_file(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .scenario
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small scenario: one reason, a patient-enough caller who retries, two groups.
fn base(arrivals: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "arrivals-file"
seed = 17
replications = 3
horizon = "2d"
warmup = "2h"
interval = "30m"

[arrivals]
{arrivals}

[[persona]]
name = "caller"
patience = {{ dist = "exponential", mean = "3m" }}
persistence = {{ retry = 0.4, delay = {{ dist = "exponential", mean = "20m" }}, max_attempts = 3 }}

[[reason]]
name = "any"
handle = {{ dist = "exponential", mean = "4m" }}
resolve = 0.8

[[group]]
name = "care"
agents = 12
{extra}
"#
    )
}

/// A day of 48 half-hour rates: quiet at night, two peaks in the day.
fn day_rates() -> Vec<u32> {
    (0..48)
        .map(|k| match k {
            0..=13 => 20,
            14..=21 => 60 + 20 * (k - 14),
            22..=27 => 180,
            28..=35 => 150 - 5 * (k - 28),
            36..=43 => 60,
            _ => 30,
        })
        .collect()
}

fn profile_key(rates: &[u32]) -> String {
    let items: Vec<String> = rates.iter().map(|r| format!("\"{r}/h\"")).collect();
    format!("profile = [{}]", items.join(", "))
}

/// The rows of a CSV file, one per half hour, starts written as durations or clock times.
fn rows_csv(rates: &[u32], clock: bool) -> String {
    let mut out = String::from("start,rate,comment\n");
    for (k, r) in rates.iter().enumerate() {
        let at = k as i64 * 30;
        let start = if clock {
            format!("{:02}:{:02}", at / 60, at % 60)
        } else {
            format!("{}m", at)
        };
        out.push_str(&format!(" {start} , {r}/h ,slot {k}\n"));
    }
    out
}

/// summary.csv, intervals.csv and replications.csv of a run.
fn results(s: &Scenario) -> Vec<Vec<u8>> {
    let out = runner::run(s, 2).expect("runs");
    vec![
        ccsim::report::summary_csv(s, &out).expect("summary"),
        ccsim::report::intervals_csv(s, &out).expect("intervals"),
        ccsim::report::replications_csv(s, &out).expect("replications"),
    ]
}

use common::mean as metric;

/// Arrivals of replication 0 per day of the window (`days` days from the window start).
fn per_day(s: &Scenario, days: usize) -> Vec<usize> {
    let mut p = ArrivalProcess::new(s, 0);
    let until = s.warmup + days as Ticks * DAY;
    let mut counts = vec![0; days];
    while let Some(t) = p.next(until) {
        let rel = t - s.warmup;
        if rel >= 0 {
            counts[(rel / DAY) as usize] += 1;
        }
    }
    counts
}

#[test]
fn a_daily_file_gives_the_bytes_of_the_same_inline_profile() {
    let dir = Scratch::new("equal");
    let rates = day_rates();
    dir.csv("day.csv", &rows_csv(&rates, false));
    dir.csv("clock.csv", &rows_csv(&rates, true));
    let tail = "weekday_factors = [1.2, 1.0, 1.0, 1.0, 0.9, 0.5, 0.4]\noverdispersion = 0.1";
    let inline = dir.scenario(
        "inline.toml",
        &format!("{}\n{tail}", profile_key(&rates)),
        "",
    );
    let from_file = dir.scenario("file.toml", &format!("file = \"data/day.csv\"\n{tail}"), "");
    let from_clock = dir.scenario(
        "clock.toml",
        &format!("file = \"data/clock.csv\"\n{tail}"),
        "",
    );
    assert_eq!(from_file.arrivals.days, 1);
    assert_eq!(from_file.arrivals.profile, inline.arrivals.profile);
    let want = results(&inline);
    assert_eq!(results(&from_file), want, "durations");
    assert_eq!(results(&from_clock), want, "clock times");
}

#[test]
fn sparser_rows_fill_forward_to_the_next_start() {
    let dir = Scratch::new("fill");
    // Hourly rows with a 30m interval; a long quiet night in one row.
    dir.csv(
        "hourly.csv",
        "start,rate\n0m,10/h\n7h,80/h\n8h,160/h\n12h,120/h\n13h,140/h\n18h,40/h\n21h,10/h\n",
    );
    let mut rates = Vec::new();
    for (from, to, r) in [
        (0, 7, 10),
        (7, 8, 80),
        (8, 12, 160),
        (12, 13, 120),
        (13, 18, 140),
        (18, 21, 40),
        (21, 24, 10),
    ] {
        rates.extend(std::iter::repeat_n(r, 2 * (to - from)));
    }
    let inline = dir.scenario("inline.toml", &profile_key(&rates), "");
    let from_file = dir.scenario("file.toml", "file = \"data/hourly.csv\"", "");
    assert_eq!(from_file.arrivals.profile.len(), 48);
    assert_eq!(results(&from_file), results(&inline));
}

#[test]
fn doubling_the_files_rates_doubles_the_issues() {
    let dir = Scratch::new("double");
    let rates = day_rates();
    let doubled: Vec<u32> = rates.iter().map(|r| 2 * r).collect();
    dir.csv("day.csv", &rows_csv(&rates, false));
    dir.csv("double.csv", &rows_csv(&doubled, false));
    let one = dir.scenario("one.toml", "file = \"data/day.csv\"", "");
    let two = dir.scenario("two.toml", "file = \"data/double.csv\"", "");
    let ratio = metric(&two, "issues") / metric(&one, "issues");
    assert!((ratio - 2.0).abs() < 0.1, "issues ratio {ratio}");
    // Same agents, twice the load: customers wait longer.
    assert!(metric(&two, "asa_s") > metric(&one, "asa_s"));
}

#[test]
fn a_weekly_file_shapes_each_day_and_closes_the_weekend() {
    let dir = Scratch::new("week");
    // Monday 600/h, Tuesday to Friday 300/h (Tuesday doubled by its weekday factor), closed
    // from Saturday 00:00 to the end of Sunday.
    dir.csv("week.csv", "start,rate\n0m,600/h\n1d,300/h\n5d,0/h\n");
    let s = dir.scenario(
        "week.toml",
        "file = \"data/week.csv\"\nweekday_factors = [1, 2, 1, 1, 1, 3, 3]",
        "",
    );
    assert_eq!(s.arrivals.days, 7);
    assert_eq!(s.arrivals.profile.len(), 7 * 48);
    assert!(s.arrivals.varies_by_weekday());
    let days = per_day(&s, 14);
    let expected = [14_400.0, 14_400.0, 7_200.0, 7_200.0, 7_200.0, 0.0, 0.0];
    for (d, n) in days.iter().enumerate() {
        let want = expected[d % 7];
        assert!(
            (*n as f64 - want).abs() <= 4.0 * want.sqrt(),
            "day {d}: {n} arrivals, expected about {want} ({days:?})"
        );
    }
    // The whole engine: intervals.csv offers nothing on Saturday and Sunday (no retries).
    let text = base(
        "file = \"data/week.csv\"\nweekday_factors = [1, 2, 1, 1, 1, 3, 3]",
        "",
    )
    .replace("horizon = \"2d\"", "horizon = \"7d\"")
    .replace("warmup = \"2h\"", "warmup = \"0s\"")
    .replace("retry = 0.4", "retry = 0.0");
    let path = dir.0.join("engine.toml");
    std::fs::write(&path, text).expect("write");
    let s = load_file(&path).expect("loads").scenario;
    let out = runner::run(&s, 2).expect("runs");
    let bytes = ccsim::report::intervals_csv(&s, &out).expect("csv");
    let mut rd = csv::Reader::from_reader(bytes.as_slice());
    let h = rd.headers().expect("header").clone();
    let col = |name: &str| h.iter().position(|x| x == name).expect(name);
    let (wd, gr, of) = (col("weekday"), col("group"), col("offered"));
    let mut offered = std::collections::BTreeMap::<String, f64>::new();
    for r in rd.records() {
        let r = r.expect("row");
        if &r[gr] == "care" {
            *offered.entry(r[wd].to_string()).or_default() += r[of].parse::<f64>().expect("n");
        }
    }
    assert_eq!(offered["Sat"], 0.0, "{offered:?}");
    assert_eq!(offered["Sun"], 0.0, "{offered:?}");
    assert!(offered["Mon"] > 1.5 * offered["Wed"], "{offered:?}");
    assert!(offered["Fri"] > 0.0, "{offered:?}");
}

#[test]
fn staff_to_target_plans_follow_the_weekly_file() {
    let dir = Scratch::new("staff");
    // Monday to Friday as the daily file (each rate holds until the next row, so every
    // weekday has its own rows), a quieter weekend.
    let mut week = String::from("start,rate\n");
    for d in 0..5 {
        week.push_str(&format!("{d}d,20/h\n{d}d8h,240/h\n{d}d18h,20/h\n"));
    }
    week.push_str("5d8h,60/h\n5d18h,10/h\n6d8h,60/h\n6d18h,10/h\n");
    dir.csv("week.csv", &week);
    dir.csv("day.csv", "start,rate\n0m,20/h\n8h,240/h\n18h,20/h\n");
    let target = "[[group]]\nname = \"planned\"\nstaffing = { target = \"80% in 20s\" }";
    let week = dir.scenario("week.toml", "file = \"data/week.csv\"", target);
    let day = dir.scenario("day.toml", "file = \"data/day.csv\"", target);
    let g = |s: &Scenario| {
        s.groups
            .iter()
            .find(|g| g.name == "planned")
            .expect("group")
            .clone()
    };
    let (gw, gd) = (g(&week), g(&day));
    assert_eq!(gd.plan.len(), 1, "a daily file: one plan for every day");
    assert_eq!(gw.plan.len(), 7, "a weekly file: one plan per weekday");
    let at = |g: &ccsim::scenario::Group, wd: usize, t: Ticks| g.step_at(wd, t).available;
    // Monday to Friday as the daily file; the weekend's peak needs fewer agents.
    for wd in 0..5 {
        assert_eq!(gw.plan[wd], gd.plan[0], "weekday {wd}");
    }
    assert_eq!(gw.plan[5], gw.plan[6]);
    assert!(at(&gw, 5, 10 * HOUR) < at(&gw, 0, 10 * HOUR));
    assert!(at(&gw, 5, 10 * HOUR) > at(&gw, 5, 3 * HOUR));
    assert!(at(&gw, 0, 10 * HOUR) > 0);
}

#[test]
fn the_runaway_guard_counts_the_files_rates() {
    let dir = Scratch::new("guard");
    dir.csv("week.csv", "start,rate\n0m,100/h\n5d,0/h\n");
    let mut s = dir.scenario("week.toml", "file = \"data/week.csv\"", "");
    s.warmup = 0;
    s.horizon = 14 * DAY;
    let w = ccsim::guard::estimate(&s);
    assert!(
        (w.arrivals - 2.0 * 5.0 * 24.0 * 100.0).abs() < 1e-6,
        "{w:?}"
    );
    // Starting on a Saturday (warm-up of two days before the Monday) adds nothing.
    s.warmup = 2 * DAY;
    let w = ccsim::guard::estimate(&s);
    assert!(
        (w.arrivals - 2.0 * 5.0 * 24.0 * 100.0).abs() < 1e-6,
        "{w:?}"
    );
}

#[test]
fn the_path_is_relative_to_the_scenario_file() {
    let dir = Scratch::new("relative");
    dir.csv("day.csv", "start,rate\n0m,100/h\n");
    let sub = dir.0.join("nested");
    std::fs::create_dir_all(&sub).expect("folder");
    let path = sub.join("s.toml");
    std::fs::write(&path, base("file = \"../data/day.csv\"", "")).expect("write");
    let s = load_file(&path).expect("loads").scenario;
    assert!(
        s.arrivals
            .profile
            .iter()
            .all(|r| (r - 100.0 / 3600.0).abs() < 1e-12)
    );
}

/// A file of `weeks` weeks, Monday first, with a constant rate per week.
fn weekly_rates_csv(rates: &[u32]) -> String {
    let mut out = String::from("start,rate\n");
    for (w, r) in rates.iter().enumerate() {
        out.push_str(&format!("{}d,{r}/h\n", 7 * w));
    }
    out
}

#[test]
fn a_two_week_file_runs_each_week_in_turn() {
    let dir = Scratch::new("two-weeks");
    // Week 1 at 30/h, week 2 at 60/h (a campaign), then the period repeats.
    dir.csv("two.csv", &weekly_rates_csv(&[30, 60]));
    let s = dir.scenario("two.toml", "file = \"data/two.csv\"", "");
    assert_eq!(s.arrivals.days, 14);
    assert_eq!(s.arrivals.profile.len(), 14 * 48);
    assert_eq!(s.arrivals.cycle_days(), 14);
    // The arrival process, over three replications: days 7-13 hold about twice days 0-6, and
    // day 14 starts the period again. Poisson counts: a week of 30/h is 5040 arrivals per
    // replication; the ratio's standard deviation is about 2 × sqrt(1/N1 + 1/N2) ≈ 0.014.
    let (mut first, mut second, mut again) = (0usize, 0usize, 0usize);
    for rep in 0..3 {
        let mut p = ArrivalProcess::new(&s, rep);
        let until = s.warmup + 21 * DAY;
        while let Some(t) = p.next(until) {
            let day = (t - s.warmup).div_euclid(DAY);
            match day {
                0..=6 => first += 1,
                7..=13 => second += 1,
                14.. => again += 1,
                _ => {}
            }
        }
    }
    let (n1, n2, n3) = (first as f64, second as f64, again as f64);
    let want = 3.0 * 5040.0;
    assert!((n1 - want).abs() < 5.0 * want.sqrt(), "week 1: {n1}");
    assert!(
        (n3 - want).abs() < 5.0 * want.sqrt(),
        "week 3 (= week 1): {n3}"
    );
    let ratio = n2 / n1;
    let sd = ratio * (1.0 / n1 + 1.0 / n2).sqrt();
    assert!(
        (ratio - 2.0).abs() < 5.0 * sd,
        "week 2 / week 1 = {ratio} (sd {sd})"
    );
    // The whole engine: a 14-day window takes about three times the issues of a 7-day one.
    let mut short = s.clone();
    short.horizon = 7 * DAY;
    short.warmup = 0;
    let mut long = short.clone();
    long.horizon = 14 * DAY;
    let (a, b) = (metric(&short, "issues"), metric(&long, "issues"));
    assert!(
        (a - 5040.0).abs() < 5.0 * 5040f64.sqrt(),
        "7 days: {a} issues"
    );
    let ratio = b / a;
    assert!((ratio - 3.0).abs() < 0.15, "14 days / 7 days = {ratio}");
}

#[test]
fn a_week_written_twice_gives_the_bytes_of_the_week() {
    let dir = Scratch::new("twice");
    let rates = day_rates();
    // A week: the day's rates Monday to Friday, scaled down at the weekend.
    let mut week = String::from("start,rate\n");
    for d in 0..7 {
        for (k, r) in rates.iter().enumerate() {
            let r = if d < 5 { *r } else { r / 3 };
            week.push_str(&format!("{}m,{r}/h\n", d * 24 * 60 + k as i64 * 30));
        }
    }
    // The same week twice, as a two-week file.
    let mut twice = week.clone();
    for line in week.lines().skip(1) {
        let (start, rate) = line.split_once(',').expect("row");
        let minutes: i64 = start.trim_end_matches('m').parse().expect("minutes");
        twice.push_str(&format!("{}m,{rate}\n", minutes + 7 * 24 * 60));
    }
    dir.csv("week.csv", &week);
    dir.csv("twice.csv", &twice);
    let tail = "weekday_factors = [1.2, 1.0, 1.0, 1.0, 0.9, 0.5, 0.4]\noverdispersion = 0.1";
    let target = "[[group]]\nname = \"planned\"\nstaffing = { target = \"80% in 20s\" }";
    let load = |name: &str, csv: &str| {
        let mut s = dir.scenario(
            &format!("{name}.toml"),
            &format!("file = \"data/{csv}\"\n{tail}"),
            target,
        );
        // Past the first week, so the second week of the file is used; a warm-up before day 0
        // reads the period's last day.
        s.horizon = 9 * DAY;
        s.warmup = 6 * HOUR;
        s
    };
    let one = load("one", "week.csv");
    let two = load("two", "twice.csv");
    assert_eq!((one.arrivals.days, two.arrivals.days), (7, 14));
    assert_eq!(two.groups[1].plan.len(), 14);
    let (e1, e2) = (
        ccsim::guard::estimate(&one).arrivals,
        ccsim::guard::estimate(&two).arrivals,
    );
    assert!((e1 - e2).abs() < 1e-9 * e1, "guard: {e1} vs {e2}");
    assert_eq!(results(&two), results(&one));
}

#[test]
fn staff_to_target_plans_each_day_of_a_multi_week_file() {
    let dir = Scratch::new("staff-weeks");
    // Two weeks of the same daily shape; the second week's rates are doubled.
    let mut csv = String::from("start,rate\n");
    for d in 0..14 {
        let k = if d < 7 { 1 } else { 2 };
        csv.push_str(&format!(
            "{d}d,{}/h\n{d}d8h,{}/h\n{d}d18h,{}/h\n",
            10 * k,
            120 * k,
            10 * k
        ));
    }
    dir.csv("two.csv", &csv);
    dir.csv(
        "week.csv",
        &csv.lines().take(1 + 3 * 7).collect::<Vec<_>>().join("\n"),
    );
    let target = "[[group]]\nname = \"planned\"\nstaffing = { target = \"80% in 20s\" }";
    let factors = "weekday_factors = [1, 1, 1, 1, 1, 0.5, 0.5]";
    let two = dir.scenario(
        "two.toml",
        &format!("file = \"data/two.csv\"\n{factors}"),
        target,
    );
    let week = dir.scenario(
        "week.toml",
        &format!("file = \"data/week.csv\"\n{factors}"),
        target,
    );
    let (g2, g1) = (&two.groups[1], &week.groups[1]);
    assert_eq!(g2.name, "planned");
    assert_eq!(two.arrivals.plan_days(), 14);
    assert_eq!(g2.plan.len(), 14, "one plan per day of the period");
    assert_eq!(g1.plan.len(), 7);
    for d in 0..7 {
        // Week 1 is the one-week file's week; week 2's doubled rates need more agents at the
        // peak, on the same weekday (its factor applies in both weeks).
        assert_eq!(g2.plan[d], g1.plan[d], "day {d}");
        let (w1, w2) = (g2.step_at(d, 10 * HOUR), g2.step_at(d + 7, 10 * HOUR));
        assert!(w2.available > w1.available, "day {d}: {w1:?} vs {w2:?}");
        // step_at takes the day of the window: day 14 is day 0 of the next period.
        assert_eq!(g2.step_at(d + 14, 10 * HOUR), w1);
    }
    assert!(g2.step_at(12, 10 * HOUR).available < g2.step_at(7, 10 * HOUR).available);
    // The engine staffs each day from its plan: over an 8-day window (no warm-up), Monday's
    // cells in intervals.csv average day 0 and day 7.
    let mut s = two.clone();
    s.horizon = 8 * DAY;
    s.warmup = 0;
    let out = runner::run(&s, 1).expect("runs");
    let bytes = ccsim::report::intervals_csv(&s, &out).expect("csv");
    let mut rd = csv::Reader::from_reader(bytes.as_slice());
    let h = rd.headers().expect("header").clone();
    let col = |name: &str| h.iter().position(|x| x == name).expect(name);
    let (wd, iv, gr, av) = (
        col("weekday"),
        col("interval"),
        col("group"),
        col("agents_available"),
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    let cell = |day: &str| -> f64 {
        rows.iter()
            .find(|r| &r[wd] == day && &r[iv] == "10:00" && &r[gr] == "planned")
            .expect("row")[av]
            .parse()
            .expect("number")
    };
    let plan = |d: usize| f64::from(g2.step_at(d, 10 * HOUR).available);
    let mon = cell("Mon");
    assert!(
        (mon - (plan(0) + plan(7)) / 2.0).abs() < 1e-9,
        "Mon 10:00: {mon}, plans {} and {}",
        plan(0),
        plan(7)
    );
    let tue = cell("Tue");
    assert!((tue - plan(1)).abs() < 1e-9, "Tue 10:00: {tue}");
}

#[test]
fn a_staffing_error_names_the_day_of_the_period() {
    let dir = Scratch::new("staff-error");
    // Only Tuesday of week 2 (day 9) has load, more than any staffing meets (the two groups
    // share about 170,000 Erlangs).
    dir.csv(
        "two.csv",
        "start,rate\n0m,0/h\n8d10h,1000000/h\n8d10h30m,0/h\n13d,0/h\n",
    );
    let path = dir.0.join("s.toml");
    let text = base(
        "file = \"data/two.csv\"",
        "[[group]]\nname = \"planned\"\nstaffing = { target = \"80% in 20s\" }",
    )
    .replace("mean = \"4m\"", "mean = \"20m\"");
    std::fs::write(&path, text).expect("write");
    let err = match load_file(&path) {
        Ok(_) => panic!("loads, but no staffing meets the target"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("interval 10:00 of day 9, Tuesday of week 2"),
        "{err}"
    );
}

#[test]
fn the_runaway_guard_counts_every_week_of_the_file() {
    let dir = Scratch::new("guard-weeks");
    // Three weeks: 100/h, 200/h, closed.
    dir.csv("three.csv", &weekly_rates_csv(&[100, 200, 0]));
    let mut s = dir.scenario("three.toml", "file = \"data/three.csv\"", "");
    assert_eq!(s.arrivals.days, 21);
    let week = 7.0 * 24.0 * 100.0;
    s.warmup = 0;
    for (days, want) in [
        (7, week),
        (10, week + 3.0 * 2.0 * week / 7.0),
        (21, 3.0 * week),
        (28, 4.0 * week),
        (42, 6.0 * week),
    ] {
        s.horizon = days * DAY;
        let w = ccsim::guard::estimate(&s);
        assert!(
            (w.arrivals - want).abs() < 1e-6,
            "{days} days: {w:?}, want {want}"
        );
    }
    // A warm-up of two days reads the end of the period (closed): it adds nothing.
    s.horizon = 7 * DAY;
    s.warmup = 2 * DAY;
    let w = ccsim::guard::estimate(&s);
    assert!((w.arrivals - week).abs() < 1e-6, "{w:?}");
}
