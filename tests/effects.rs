//! Every key the engine accepts changes the simulation: each test turns one key and checks the
//! direction of its effect on the metrics (seeded, a few seconds in all).

mod common;

use std::path::Path;

use ccsim::runner;
use ccsim::scenario::{Scenario, load_str};
use ccsim::stats::{SUMMARY_METRICS, summarize};

/// A small two-group scenario; `{patch}` is appended, and `{group_tech}`-style hooks are
/// replaced by the caller through `replace`.
const BASE: &str = r#"
[scenario]
name = "base"
seed = 11
replications = 8
horizon = "2d"
warmup = "1h"
sl_threshold = "20s"
drain = "7d"

[arrivals]
rate = "240/h"

[[persona]]
name = "caller"
patience = { dist = "exponential", mean = "3m" }
persistence = { retry = 0.5, delay = { dist = "exponential", mean = "30m" }, max_attempts = 3 }

[[reason]]
name = "billing"
share = 0.6
skill = "billing"
handle = { dist = "exponential", mean = "4m" }
resolve = 0.8

[[reason]]
name = "tech"
share = 0.4
skill = "tech"
handle = { dist = "lognormal", mean = "6m", cv = 0.8 }
resolve = 0.8

[[group]]
name = "care"
skills = { billing = 1.0 }
agents = 12
cost_per_hour = 30.0

[[group]]
name = "tech"
skills = { tech = 1.0 }
agents = 13
cost_per_hour = 40.0
"#;

fn load(text: &str) -> Scenario {
    load_str(Path::new("effects.toml"), text.to_string(), "effects").expect("valid scenario")
}

use common::mean as metric;

fn reason_metric(s: &Scenario, reason: &str, name: &str) -> f64 {
    let out = runner::run(s, 2).expect("runs");
    let i = ccsim::stats::outcome::CONTACT_METRICS
        .iter()
        .position(|m| *m == name)
        .expect("known metric");
    let values: Vec<Option<f64>> = out
        .outcomes
        .iter()
        .map(|o| {
            o.breakdown
                .iter()
                .find(|(d, k, _)| *d == "reason" && k == reason)
                .and_then(|(_, _, v)| v[i])
        })
        .collect();
    summarize(&values, 0.95).expect("defined").mean
}

fn with(replace: &[(&str, &str)], append: &str) -> Scenario {
    let mut text = BASE.to_string();
    for (from, to) in replace {
        assert!(text.contains(from), "base lacks {from}");
        text = text.replacen(from, to, 1);
    }
    text.push_str(append);
    load(&text)
}

fn base() -> Scenario {
    with(&[], "")
}

#[test]
fn more_agents_less_waiting() {
    let fewer = with(&[("agents = 12", "agents = 10")], "");
    assert!(metric(&fewer, "asa_s") > metric(&base(), "asa_s"));
    assert!(metric(&fewer, "cost_agents") < metric(&base(), "cost_agents"));
}

#[test]
fn arrival_rate_scales_offered() {
    let busier = with(&[("rate = \"240/h\"", "rate = \"300/h\"")], "");
    assert!(metric(&busier, "issues") > 1.2 * metric(&base(), "issues"));
}

#[test]
fn weekday_factors_scale_days() {
    let s = base();
    let text_quiet = with(
        &[(
            "rate = \"240/h\"",
            "rate = \"240/h\"\nweekday_factors = [0.5, 0.5, 1, 1, 1, 1, 1]",
        )],
        "",
    );
    // The window is Monday and Tuesday: both at half the rate.
    let ratio = metric(&text_quiet, "issues") / metric(&s, "issues");
    assert!((ratio - 0.5).abs() < 0.05, "ratio {ratio}");
}

#[test]
fn overdispersion_spreads_daily_volumes() {
    let spread = |s: &Scenario| {
        let out = runner::run(s, 2).expect("runs");
        let i = SUMMARY_METRICS.iter().position(|m| *m == "issues").unwrap();
        let v: Vec<Option<f64>> = out.outcomes.iter().map(|o| o.summary[i]).collect();
        summarize(&v, 0.95).unwrap().std.unwrap()
    };
    let over = with(
        &[("rate = \"240/h\"", "rate = \"240/h\"\noverdispersion = 0.3")],
        "",
    );
    assert!(spread(&over) > 3.0 * spread(&base()));
}

#[test]
fn profile_shapes_the_day() {
    let mut prof = vec!["\"0/h\""; 48];
    for p in prof.iter_mut().skip(18).take(16) {
        *p = "\"720/h\"";
    }
    let s = with(
        &[(
            "rate = \"240/h\"",
            &format!("profile = [{}]", prof.join(",")),
        )],
        "",
    );
    // Same daily volume (720/h × 8 h = 240/h × 24 h) but concentrated: more waiting.
    let ratio = metric(&s, "issues") / metric(&base(), "issues");
    assert!((ratio - 1.0).abs() < 0.05, "ratio {ratio}");
    assert!(metric(&s, "asa_s") > 2.0 * metric(&base(), "asa_s"));
}

#[test]
fn staffing_per_interval_changes_staffed_agents() {
    let mut staff = vec!["12"; 48];
    for s in staff.iter_mut().take(16) {
        *s = "2";
    }
    let s = with(
        &[("agents = 12", &format!("staffing = [{}]", staff.join(",")))],
        "",
    );
    let staffed = metric(&s, "agents_staffed");
    let expected = (2.0 * 16.0 + 12.0 * 32.0) / 48.0 + 13.0;
    assert!((staffed - expected).abs() < 1e-9, "{staffed} vs {expected}");
    assert!(metric(&s, "p_abandon") > metric(&base(), "p_abandon"));
}

#[test]
fn shrinkage_removes_agents_but_not_cost() {
    let s = with(&[("agents = 12", "agents = 12\nshrinkage = 0.25")], "");
    assert!(metric(&s, "asa_s") > metric(&base(), "asa_s"));
    assert_eq!(metric(&s, "cost_agents"), metric(&base(), "cost_agents"));
}

#[test]
fn cost_per_hour_scales_cost() {
    let s = with(&[("cost_per_hour = 30.0", "cost_per_hour = 60.0")], "");
    let (a, b) = (metric(&s, "cost_agents"), metric(&base(), "cost_agents"));
    // care: 12 agents × 48 h × 30 more per hour.
    assert!((a - b - 12.0 * 48.0 * 30.0).abs() < 1e-6);
}

#[test]
fn patience_drives_abandonment() {
    let s = with(
        &[(
            "mean = \"3m\" }\npersistence",
            "mean = \"30s\" }\npersistence",
        )],
        "",
    );
    assert!(metric(&s, "p_abandon") > metric(&base(), "p_abandon"));
    let inf = with(
        &[(
            "patience = { dist = \"exponential\", mean = \"3m\" }",
            "patience = \"infinite\"",
        )],
        "",
    );
    assert_eq!(metric(&inf, "abandoned"), 0.0);
}

#[test]
fn retries_resolution_and_attempts_drive_repeats() {
    let b = metric(&base(), "repeat_contacts_per_issue");
    let no_retry = with(&[("retry = 0.5", "retry = 0.0")], "");
    assert_eq!(metric(&no_retry, "repeat_contacts_per_issue"), 0.0);
    let worse = with(&[("resolve = 0.8", "resolve = 0.4")], "");
    assert!(metric(&worse, "repeat_contacts_per_issue") > b);
    assert!(metric(&worse, "fcr") < metric(&base(), "fcr"));
    let more = with(&[("max_attempts = 3", "max_attempts = 6")], "");
    assert!(metric(&more, "repeat_contacts_per_issue") > b);
    assert!(metric(&more, "gave_up_share") < metric(&base(), "gave_up_share"));
}

#[test]
fn drain_follows_late_journeys() {
    let short = with(&[("drain = \"7d\"", "drain = \"0s\"")], "");
    let late = metric(&short, "resolved_share") + metric(&short, "gave_up_share");
    let full = metric(&base(), "resolved_share") + metric(&base(), "gave_up_share");
    assert!(
        (full - 1.0).abs() < 1e-12,
        "every journey ends within a 7-day drain"
    );
    assert!(late < full, "a zero drain leaves journeys open: {late}");
}

#[test]
fn warmup_removes_the_empty_start() {
    // A heavily loaded queue that starts empty looks better than it is.
    let hot = |w: &str| {
        with(
            &[
                ("warmup = \"1h\"", &format!("warmup = \"{w}\"")),
                ("horizon = \"2d\"", "horizon = \"2h\""),
                ("agents = 12", "agents = 11"),
                (
                    "patience = { dist = \"exponential\", mean = \"3m\" }",
                    "patience = \"infinite\"",
                ),
            ],
            "",
        )
    };
    assert!(metric(&hot("0s"), "mean_wait_s") < metric(&hot("6h"), "mean_wait_s"));
}

#[test]
fn handle_wrapup_and_proficiency_set_handle_time() {
    let b = metric(&base(), "aht_s");
    let wrap = with(
        &[(
            "resolve = 0.8\n\n[[reason]]",
            "resolve = 0.8\nwrapup = { dist = \"constant\", value = \"1m\" }\n\n[[reason]]",
        )],
        "",
    );
    assert!(metric(&wrap, "aht_s") > b + 30.0);
    assert!(metric(&wrap, "occupancy") > metric(&base(), "occupancy"));
    let slow = with(
        &[("skills = { billing = 1.0 }", "skills = { billing = 0.5 }")],
        "",
    );
    assert!(
        reason_metric(&slow, "billing", "aht_s") > 1.8 * reason_metric(&base(), "billing", "aht_s")
    );
}

#[test]
fn sl_threshold_moves_service_level() {
    let loose = with(&[("sl_threshold = \"20s\"", "sl_threshold = \"2m\"")], "");
    assert!(metric(&loose, "service_level") > metric(&base(), "service_level"));
}

#[test]
fn lines_block_and_ivr_holds_lines() {
    let few = with(&[], "[channels.phone]\nlines = 14\n");
    assert!(metric(&few, "p_blocked") > 0.01);
    assert_eq!(metric(&base(), "p_blocked"), 0.0);
    let ivr = with(&[], "[channels.phone]\nlines = 14\nivr = \"1m\"\n");
    assert!(metric(&ivr, "p_blocked") > metric(&few, "p_blocked"));
}

#[test]
fn priorities_serve_the_first_level_first() {
    let shared = |extra: &str| {
        with(
            &[
                (
                    "skills = { tech = 1.0 }",
                    "skills = { tech = 1.0, billing = 1.0 }",
                ),
                (
                    "skills = { billing = 1.0 }",
                    "skills = { billing = 1.0, tech = 1.0 }",
                ),
            ],
            extra,
        )
    };
    let plain = shared("");
    let prio = shared("[routing]\npriorities = { tech = 1 }\n");
    assert!(reason_metric(&prio, "tech", "asa_s") < reason_metric(&plain, "tech", "asa_s"));
    assert!(reason_metric(&prio, "billing", "asa_s") > reason_metric(&plain, "billing", "asa_s"));
    let by_persona = shared("[routing]\npriorities = { caller = 1, tech = 2 }\n");
    // Every contact is the persona's: one level, same as no priorities.
    assert_eq!(metric(&by_persona, "asa_s"), metric(&plain, "asa_s"));
}

#[test]
fn overflow_lets_a_backup_group_help_after_the_wait() {
    let tight = |extra: &str| with(&[("agents = 13", "agents = 9")], extra);
    let none = tight("");
    let soon = tight("[[routing.overflow]]\nfrom = \"tech\"\nto = \"care\"\nafter = \"10s\"\n");
    let late = tight("[[routing.overflow]]\nfrom = \"tech\"\nto = \"care\"\nafter = \"2m\"\n");
    let t = |s: &Scenario| reason_metric(s, "tech", "asa_s");
    assert!(t(&soon) < t(&late), "{} vs {}", t(&soon), t(&late));
    assert!(t(&late) < t(&none));
    let slow = tight(
        "[[routing.overflow]]\nfrom = \"tech\"\nto = \"care\"\nafter = \"10s\"\nproficiency = 0.5\n",
    );
    assert!(reason_metric(&slow, "tech", "aht_s") > reason_metric(&soon, "tech", "aht_s"));
}

#[test]
fn persona_and_reason_shares_shift_the_mix() {
    let more_tech = with(&[("share = 0.6", "share = 0.2")], "");
    assert!(metric(&more_tech, "aht_s") > metric(&base(), "aht_s"));
    let mixed = load(&BASE.replace(
        "[[reason]]\nname = \"billing\"",
        "[[persona]]\nname = \"impatient\"\nshare = 3\npatience = { dist = \"exponential\", mean = \"10s\" }\n\n[[reason]]\nname = \"billing\"",
    ));
    let (m, b) = (metric(&mixed, "p_abandon"), metric(&base(), "p_abandon"));
    assert!(m > b, "{m} vs {b} {:?}", mixed.personas);
}

#[test]
fn seed_and_replications_are_honoured() {
    let mut s = base();
    let a = metric(&s, "asa_s");
    s.seed = 12;
    assert_ne!(metric(&s, "asa_s"), a);
    s.replications = 3;
    assert_eq!(runner::run(&s, 2).unwrap().outcomes.len(), 3);
}

#[test]
fn interval_sets_the_intervals_table() {
    let s = with(
        &[(
            "sl_threshold = \"20s\"",
            "sl_threshold = \"20s\"\ninterval = \"1h\"",
        )],
        "",
    );
    assert_eq!(s.intervals_per_day(), 24);
    let out = runner::run(&s, 1).unwrap();
    // A two-day window: one table per weekday (7), 24 intervals, 2 groups.
    assert_eq!(out.outcomes[0].raw.intervals.len(), 7 * 24 * 2);
}

#[test]
fn empirical_handle_times_are_resampled() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("h.csv"), "seconds\n100\n200\n300\n").unwrap();
    let text = BASE.replace(
        "handle = { dist = \"exponential\", mean = \"4m\" }",
        "handle = { dist = \"empirical\", file = \"h.csv\", column = \"seconds\" }",
    );
    let s = load_str(&dir.path().join("e.toml"), text, "e").unwrap();
    let aht = reason_metric(&s, "billing", "aht_s");
    assert!((aht - 200.0).abs() < 5.0, "{aht}");
}
