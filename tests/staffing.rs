//! Staffing as planners give it: shifts with breaks and shrinkage, and staff-to-target — the
//! plan in intervals.csv matches the schedule, the computed head counts match the Erlang C / A
//! inverse read off the reference tables, and a simulated stationary interval meets its target.

mod common;

use ccsim::runner;
use ccsim::scenario::{Scenario, load_str};
use ccsim::stats::{SUMMARY_METRICS, summarize};
use ccsim::time::{DAY, MINUTE};

fn load(text: &str) -> Scenario {
    load_str(
        std::path::Path::new("staffing.toml"),
        text.to_string(),
        "staffing",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Rows of intervals.csv for one group: (interval, agents_staffed, agents_available,
/// agents_present).
fn plan_rows(s: &Scenario, group: &str) -> Vec<(String, f64, f64, f64)> {
    let out = runner::run(s, 2).expect("runs");
    let bytes = ccsim::report::intervals_csv(s, &out).expect("csv");
    let mut rd = csv::Reader::from_reader(bytes.as_slice());
    let h = rd.headers().expect("header").clone();
    let col = |name: &str| h.iter().position(|x| x == name).expect(name);
    let (gi, ii) = (col("group"), col("interval"));
    let (si, ai, pi) = (
        col("agents_staffed"),
        col("agents_available"),
        col("agents_present"),
    );
    rd.records()
        .map(|r| r.expect("row"))
        .filter(|r| &r[gi] == group)
        .map(|r| {
            let f = |i: usize| r[i].parse::<f64>().expect("number");
            (r[ii].to_string(), f(si), f(ai), f(pi))
        })
        .collect()
}

const SHIFTS: &str = r#"
[scenario]
name = "shifts"
seed = 5
replications = 2
horizon = "1d"
interval = "30m"

[arrivals]
rate = "{RATE}"

[[reason]]
name = "any"
handle = { dist = "exponential", mean = "4m" }

[[group]]
name = "care"
shrinkage = 0.25
shifts = [
  { start = "07:00", length = "8h", agents = 12, breaks = [{ after = "2h", length = "15m" }, { after = "4h", length = "45m" }] },
  { start = "12:00", length = "9h", agents = 8, breaks = [{ after = "3h10m", length = "20m" }] },
  { start = "22:00", length = "8h", agents = 3 },
]
"#;

/// The schedule computed by hand: agents at work (on shift, not on a break) at time of day `t`.
fn working_at(t: i64) -> u32 {
    let h = |x: f64| (x * 3_600_000.0) as i64;
    let inside = |a: i64, b: i64| (t - a).rem_euclid(DAY) < b - a;
    let mut n = 0;
    // 07:00-15:00, breaks 09:00-09:15 and 11:00-11:45.
    if inside(h(7.0), h(15.0)) && !inside(h(9.0), h(9.25)) && !inside(h(11.0), h(11.75)) {
        n += 12;
    }
    // 12:00-21:00, break 15:10-15:30.
    if inside(h(12.0), h(21.0)) && !inside(h(15.0) + 10 * MINUTE, h(15.5)) {
        n += 8;
    }
    // 22:00-06:00, over midnight.
    if inside(h(22.0), h(30.0)) {
        n += 3;
    }
    n
}

fn paid_at(t: i64) -> u32 {
    let h = |x: f64| (x * 3_600_000.0) as i64;
    let inside = |a: i64, b: i64| (t - a).rem_euclid(DAY) < b - a;
    12 * u32::from(inside(h(7.0), h(15.0)))
        + 8 * u32::from(inside(h(12.0), h(21.0)))
        + 3 * u32::from(inside(h(22.0), h(30.0)))
}

#[test]
fn shifts_and_breaks_give_the_schedule_minus_shrinkage_in_intervals_csv() {
    // No one calls: agents present are exactly the plan (nobody finishes a contact late).
    let s = load(&SHIFTS.replace("{RATE}", "0/h"));
    let rows = plan_rows(&s, "care");
    assert_eq!(rows.len(), 48);
    for (k, (clock, staffed, available, present)) in rows.iter().enumerate() {
        // Time averages over the interval, second by second, of the hand-made schedule.
        let secs = 1800;
        let mut avail = 0.0;
        let mut paid = 0.0;
        for sec in 0..secs {
            let t = k as i64 * 30 * MINUTE + sec * 1000;
            avail += (f64::from(working_at(t)) * 0.75).round();
            paid += f64::from(paid_at(t));
        }
        let (avail, paid) = (avail / secs as f64, paid / secs as f64);
        assert!(
            (available - avail).abs() < 1e-9,
            "{clock}: agents_available {available}, schedule minus shrinkage {avail}"
        );
        assert!(
            (staffed - paid).abs() < 1e-9,
            "{clock}: agents_staffed {staffed}, paid {paid}"
        );
        assert!(
            (present - available).abs() < 1e-9,
            "{clock}: with no contacts, present {present} = available {available}"
        );
    }
}

#[test]
fn agents_finish_the_contact_in_hand_when_a_break_starts() {
    // Busy: at a break some agents are mid-contact and stay until they finish, so the agents
    // present exceed the plan in the intervals where breaks and shift ends fall, never fall
    // below it, and the excess is small (a handle time's worth).
    let s = load(&SHIFTS.replace("{RATE}", "150/h"));
    let rows = plan_rows(&s, "care");
    let mut excess = 0.0;
    for (clock, _, available, present) in &rows {
        assert!(
            present + 1e-9 >= *available,
            "{clock}: present {present} below the plan {available}"
        );
        excess += present - available;
    }
    assert!(
        excess > 0.0,
        "nobody finished a contact after their break began"
    );
    let at = |c: &str| rows.iter().find(|r| r.0 == c).expect("interval");
    let (_, _, a, p) = at("11:00");
    assert!(
        p - a < 2.0,
        "11:00: {p} present vs {a} planned: too many late"
    );
}

/// Reference rows of a validation table: the fields by column name.
fn reference(file: &str) -> Vec<std::collections::HashMap<String, String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/validation")
        .join(file);
    let mut rd = csv::Reader::from_path(&path).expect("validation table");
    let h = rd.headers().expect("header").clone();
    rd.records()
        .map(|r| {
            let r = r.expect("row");
            h.iter()
                .zip(r.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn target_scenario(row: &std::collections::HashMap<String, String>, share: f64) -> String {
    let patience = row
        .get("mean_patience_s")
        .map(|p| format!("patience = {{ dist = \"exponential\", mean = \"{p}s\" }}"))
        .unwrap_or_default();
    let method = if row.contains_key("mean_patience_s") {
        "erlang-a"
    } else {
        "erlang-c"
    };
    format!(
        r#"
[scenario]
name = "target"
horizon = "1d"

[arrivals]
rate = "{}/h"

[[persona]]
name = "p"
{patience}

[[reason]]
name = "any"
handle = {{ dist = "exponential", mean = "{}s" }}

[[group]]
name = "g"
staffing = {{ target = "{share} in {}s", method = "{method}" }}
"#,
        row["lambda_per_h"], row["mean_service_s"], row["sl_threshold_s"]
    )
}

/// The agents a staff-to-target group gets in its first interval.
fn computed(text: &str) -> u32 {
    load(text).groups[0].plan[0][0].available
}

#[test]
fn staff_to_target_inverts_the_reference_tables() {
    // The reference service level at c agents, as the target, needs exactly c agents: c − 1
    // fall short of it (the service level rises with agents). A hair above it needs c + 1.
    let mut checked = 0;
    for file in ["erlang_c.csv", "erlang_a.csv"] {
        for row in reference(file) {
            let c: u32 = row["agents"].parse().expect("agents");
            let sl: f64 = row["service_level"].parse().expect("sl");
            if !(sl > 1e-4 && sl < 1.0 - 1e-4) {
                continue;
            }
            let just = sl * (1.0 - 1e-6);
            assert_eq!(
                computed(&target_scenario(&row, just)),
                c,
                "{}: target {just} should need {c} agents",
                row["case"]
            );
            let above = sl * (1.0 + 1e-6);
            assert_eq!(
                computed(&target_scenario(&row, above)),
                c + 1,
                "{}: target {above} should need {} agents",
                row["case"],
                c + 1
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} reference rows checked");
}

#[test]
fn staff_to_target_is_reported_per_interval_and_follows_the_profile() {
    let text = r#"
[scenario]
name = "profile"
horizon = "1d"
replications = 2
interval = "1h"

[arrivals]
profile = ["0/h", "0/h", "0/h", "0/h", "0/h", "0/h", "0/h", "0/h", "200/h", "400/h", "600/h", "600/h",
           "600/h", "600/h", "400/h", "400/h", "200/h", "0/h", "0/h", "0/h", "0/h", "0/h", "0/h", "0/h"]

[[reason]]
name = "any"
handle = { dist = "exponential", mean = "3m" }

[[group]]
name = "g"
shrinkage = 0.2
staffing = { target = "80% in 20s", max_occupancy = 0.85 }
"#;
    let s = load(text);
    let rows = plan_rows(&s, "g");
    for (clock, staffed, available, _) in &rows {
        let hour: usize = clock[..2].parse().expect("hour");
        let rate = [
            0., 0., 0., 0., 0., 0., 0., 0., 200., 400., 600., 600., 600., 600., 400., 400., 200.,
            0., 0., 0., 0., 0., 0., 0.,
        ][hour];
        let want = if rate == 0.0 {
            0
        } else {
            ccsim::theory::agents_for_service_level(
                rate / 3600.0,
                180.0,
                None,
                20.0,
                0.8,
                Some(0.85),
            )
            .expect("reachable")
        };
        assert_eq!(*available, f64::from(want), "{clock}: available");
        assert_eq!(
            *staffed,
            (f64::from(want) / 0.8).ceil(),
            "{clock}: paid = available / (1 - shrinkage), rounded up"
        );
    }
}

#[test]
fn a_staffed_stationary_interval_meets_its_target_within_its_interval() {
    // 1000/h, 3 min: Erlang C gives the agents for 80 % in 20 s; the simulation at that
    // staffing must estimate the Erlang C service level there, which is at least the target.
    let text = r#"
[scenario]
name = "stationary"
seed = 3
replications = 10
horizon = "2d"
warmup = "2h"

[arrivals]
rate = "1000/h"

[[reason]]
name = "any"
handle = { dist = "exponential", mean = "3m" }

[[group]]
name = "g"
staffing = { target = "80% in 20s" }
"#;
    let s = load(text);
    let n = s.groups[0].plan[0][0].available;
    let exact = ccsim::theory::mmc(1000.0 / 3600.0, 180.0, n, 20.0).expect("stable");
    assert!(exact.service_level >= 0.8);
    let i = SUMMARY_METRICS
        .iter()
        .position(|m| *m == "service_level")
        .expect("metric");
    let out = runner::run(&s, 2).expect("runs");
    let v: Vec<Option<f64>> = out.outcomes.iter().map(|o| o.summary[i]).collect();
    let sum = summarize(&v, 0.999).expect("replications");
    let (lo, hi) = (sum.ci_low.expect("ci"), sum.ci_high.expect("ci"));
    assert!(
        lo <= exact.service_level && exact.service_level <= hi,
        "simulated service level [{lo}, {hi}] vs Erlang C {} at {n} agents",
        exact.service_level
    );
    assert!(hi >= 0.8, "the target is not met: [{lo}, {hi}]");
}

#[test]
fn fewer_staff_by_shrinkage_raises_waiting() {
    // Shrinkage is fewer agents, not a slower rate: 40 paid at 10 % vs 20 % shrinkage.
    let base = SHIFTS
        .replace("{RATE}", "300/h")
        .replace("shrinkage = 0.25", "shrinkage = 0.1");
    let more = base.replace("shrinkage = 0.1", "shrinkage = 0.3");
    common::moves(&load(&base), &load(&more), "asa_s", true);
}

/// A window that ends inside an interval (horizon "1h10m", intervals of 30 m): the partial
/// 01:00 row gives head counts as time averages (exactly the 10 staffed) and counts per full
/// interval, so each row's offered times the share of its interval inside the window adds up
/// to the summary's offered.
#[test]
fn a_partial_interval_is_scaled_to_a_full_one() {
    let s = load(
        r#"
[scenario]
name = "partial"
seed = 3
replications = 3
horizon = "1h10m"

[arrivals]
rate = "120/h"

[[reason]]
name = "any"
handle = { dist = "exponential", mean = "3m" }

[[group]]
name = "g"
agents = 10
"#,
    );
    let rows = plan_rows(&s, "g");
    let clocks: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(clocks, ["00:00", "00:30", "01:00"]);
    for (clock, staffed, available, present) in &rows {
        assert_eq!(
            (*staffed, *available, *present),
            (10.0, 10.0, 10.0),
            "{clock}"
        );
    }
    let (offered, total) = offered_by_interval(&s, "g");
    let in_window = offered[0] + offered[1] + offered[2] * (10.0 / 30.0);
    assert!((in_window - total).abs() < 1e-9, "{in_window} vs {total}");
}

/// Run `s`: group `g`'s offered per interval row of intervals.csv, and the summary's offered.
fn offered_by_interval(s: &Scenario, g: &str) -> (Vec<f64>, f64) {
    let out = runner::run(s, 1).expect("runs");
    let bytes = ccsim::report::intervals_csv(s, &out).expect("csv");
    let mut rd = csv::Reader::from_reader(bytes.as_slice());
    let offered: Vec<f64> = rd
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| &r[3] == g)
        .map(|r| r[4].parse::<f64>().expect("number"))
        .collect();
    let i = SUMMARY_METRICS
        .iter()
        .position(|m| *m == "offered")
        .expect("offered");
    let per_rep: Vec<Option<f64>> = out.outcomes.iter().map(|o| o.summary[i]).collect();
    (
        offered,
        summarize(&per_rep, 0.95).expect("replications").mean,
    )
}

/// A horizon shorter than one interval ("10m" with intervals of 30 m) runs: the one row is the
/// partial 00:00 interval, its head counts exact and its counts per full interval, so three
/// times the summary's offered.
#[test]
fn a_horizon_shorter_than_an_interval_runs_as_one_partial_interval() {
    let s = load(
        r#"
[scenario]
name = "short"
seed = 5
replications = 4
horizon = "10m"

[arrivals]
rate = "600/h"

[[reason]]
name = "any"
handle = { dist = "exponential", mean = "3m" }

[[group]]
name = "g"
agents = 40
"#,
    );
    let rows = plan_rows(&s, "g");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "00:00");
    assert_eq!((rows[0].1, rows[0].2, rows[0].3), (40.0, 40.0, 40.0));
    let (offered, total) = offered_by_interval(&s, "g");
    assert!(total > 50.0, "about 100 issues in 10 minutes: {total}");
    assert!(
        (offered[0] / 3.0 - total).abs() < 1e-9,
        "{offered:?} vs {total}"
    );
}
