//! Numerical edges, through the library: empty and overloaded systems, a single agent, horizons
//! shorter than a call, endless retries and extreme distribution parameters. Each must finish in
//! bounded time and give output that means what it says: no NaN or infinity, undefined ratios
//! left undefined (`None`), counts that add up.

use std::path::Path;
use std::time::{Duration, Instant};

use ccsim::report::{self, CONFIDENCE};
use ccsim::runner::{self, RunOutput};
use ccsim::scenario::{Scenario, load_str};
use ccsim::stats::{SUMMARY_METRICS, summarize};

/// A scenario built from section bodies (an empty persona body leaves [[persona]] out).
fn scenario(head: &str, arrivals: &str, persona: &str, reason: &str, group: &str) -> String {
    let mut t = format!("[scenario]\nname = \"edge\"\n{head}\n\n[arrivals]\n{arrivals}\n\n");
    if !persona.is_empty() {
        t.push_str(&format!("[[persona]]\nname = \"caller\"\n{persona}\n\n"));
    }
    t.push_str(&format!("[[reason]]\nname = \"call\"\n{reason}\n\n"));
    t.push_str(&format!("[[group]]\nname = \"agents\"\n{group}\n"));
    t
}

fn load(text: &str) -> Scenario {
    load_str(Path::new("edge.toml"), text.to_string(), "edge")
        .unwrap_or_else(|e| panic!("the scenario does not load:\n{e}\n--- text ---\n{text}"))
}

/// Runs on 2 threads and fails if the run takes longer than `limit`.
fn run_within(s: &Scenario, limit: Duration, text: &str) -> RunOutput {
    let started = Instant::now();
    let out = runner::run(s, 2).unwrap_or_else(|e| panic!("{e}"));
    let took = started.elapsed();
    assert!(
        took < limit,
        "the run took {took:?} (limit {limit:?}):\n{text}"
    );
    eprintln!("{}: {} events in {took:.2?}", s.name, out.events());
    out
}

/// Values of one summary metric, one per replication.
fn values(out: &RunOutput, name: &str) -> Vec<Option<f64>> {
    let i = SUMMARY_METRICS
        .iter()
        .position(|m| *m == name)
        .unwrap_or_else(|| panic!("no metric {name}"));
    out.outcomes.iter().map(|o| o.summary[i]).collect()
}

/// Mean over replications of a metric that must be defined in every one.
fn mean(out: &RunOutput, name: &str) -> f64 {
    let v = values(out, name);
    assert!(
        v.iter().all(Option::is_some),
        "{name} undefined in some replication: {v:?}"
    );
    summarize(&v, CONFIDENCE).map(|s| s.mean).expect("defined")
}

/// Output that means what it says: finite values, counts that add up, probabilities in [0, 1],
/// summaries whose intervals hold their means, and a summary.csv without NaN or inf.
fn assert_sensible(s: &Scenario, out: &RunOutput, text: &str) {
    let problems = nonsense(s, out);
    assert!(
        problems.is_empty(),
        "{}\n--- scenario ---\n{text}",
        problems.join("\n")
    );
}

/// What in the output does not make sense (empty = all of it does).
fn nonsense(s: &Scenario, out: &RunOutput) -> Vec<String> {
    let mut problems = Vec::new();
    for (r, o) in out.outcomes.iter().enumerate() {
        for (name, v) in SUMMARY_METRICS.iter().zip(&o.summary) {
            if v.is_some_and(|x| !x.is_finite()) {
                problems.push(format!("replication {r}: {name} = {v:?}"));
            }
        }
        for (dim, key, vals) in &o.breakdown {
            if vals.iter().flatten().any(|x| !x.is_finite()) {
                problems.push(format!("replication {r}: breakdown {dim} {key}: {vals:?}"));
            }
        }
    }
    for name in SUMMARY_METRICS {
        let v = values(out, name);
        if let Some(sm) = summarize(&v, CONFIDENCE) {
            let finite = [Some(sm.mean), sm.std, sm.ci_low, sm.ci_high]
                .iter()
                .flatten()
                .all(|x| x.is_finite());
            let holds = match (sm.ci_low, sm.ci_high) {
                (Some(lo), Some(hi)) => lo <= sm.mean && sm.mean <= hi,
                _ => true,
            };
            if !finite || !holds {
                problems.push(format!("summary of {name}: {sm:?}"));
            }
        }
    }
    for (r, ((off, ans), (ab, bl))) in values(out, "offered")
        .iter()
        .zip(values(out, "answered"))
        .zip(values(out, "abandoned").iter().zip(values(out, "blocked")))
        .enumerate()
    {
        let (o, a, b, l) = (
            off.unwrap_or(-1.0),
            ans.unwrap_or(0.0),
            ab.unwrap_or(0.0),
            bl.unwrap_or(0.0),
        );
        if a + b + l > o {
            problems.push(format!(
                "replication {r}: answered {a} + abandoned {b} + blocked {l} > offered {o}"
            ));
        }
    }
    for name in [
        "p_abandon",
        "p_blocked",
        "p_wait",
        "service_level",
        "occupancy",
        "fcr",
        "resolved_share",
        "gave_up_share",
    ] {
        for (r, v) in values(out, name).iter().enumerate() {
            if v.is_some_and(|x| !(0.0..=1.0).contains(&x)) {
                problems.push(format!("replication {r}: {name} = {v:?} outside [0, 1]"));
            }
        }
    }
    for (r, (issues, cpi)) in values(out, "issues")
        .iter()
        .zip(values(out, "contacts_per_issue"))
        .enumerate()
    {
        if issues.is_some_and(|n| n > 0.0) && !cpi.is_some_and(|c| c >= 1.0) {
            problems.push(format!(
                "replication {r}: contacts_per_issue = {cpi:?} for {issues:?} issues (each issue made at least one contact)"
            ));
        }
    }
    match report::summary_csv(s, out) {
        Ok(bytes) => {
            let csv = String::from_utf8_lossy(&bytes).to_lowercase();
            if csv.contains("nan") || csv.contains("inf") {
                problems.push(format!("summary.csv holds NaN or inf:\n{csv}"));
            }
        }
        Err(e) => problems.push(format!("summary.csv: {e}")),
    }
    problems
}

const EXP_3M: &str = "handle = { dist = \"exponential\", mean = \"3m\" }";

#[test]
fn zero_arrivals_leave_ratios_undefined() {
    let text = scenario(
        "replications = 3\nhorizon = \"1d\"",
        "rate = \"0/h\"",
        "",
        EXP_3M,
        "agents = 5\ncost_per_hour = 20",
    );
    let s = load(&text);
    let out = run_within(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    for name in [
        "offered",
        "answered",
        "abandoned",
        "blocked",
        "issues",
        "busy_agents",
        "mean_queue_len",
    ] {
        assert_eq!(values(&out, name), vec![Some(0.0); 3], "{name}");
    }
    for name in [
        "p_abandon",
        "p_blocked",
        "p_wait",
        "asa_s",
        "mean_wait_s",
        "service_level",
        "aht_s",
        "contacts_per_issue",
        "repeat_contacts_per_issue",
        "fcr",
        "resolved_share",
        "gave_up_share",
        "cost_per_resolved",
    ] {
        assert_eq!(
            values(&out, name),
            vec![None; 3],
            "{name} should be undefined without contacts"
        );
    }
    // Agents are there and idle; they are paid.
    assert_eq!(mean(&out, "occupancy"), 0.0);
    assert_eq!(mean(&out, "agents_staffed"), 5.0);
    assert!((mean(&out, "cost_agents") - 24.0 * 5.0 * 20.0).abs() < 1e-6);
    // Undefined metrics keep their row in summary.csv, with empty cells and a count of 0,
    // rather than being written as 0 or NaN.
    let csv = String::from_utf8(report::summary_csv(&s, &out).expect("csv")).expect("UTF-8");
    assert!(csv.contains(",p_abandon,,,,,0\n"), "{csv}");
    assert!(csv.contains(",offered,0,0,0,0,3"), "{csv}");
}

#[test]
fn a_single_agent_works_alone() {
    let text = scenario(
        "replications = 3\nhorizon = \"2d\"\nwarmup = \"2h\"",
        "rate = \"10/h\"",
        "patience = { dist = \"exponential\", mean = \"5m\" }",
        EXP_3M,
        "agents = 1",
    );
    let s = load(&text);
    let out = run_within(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    assert_eq!(mean(&out, "agents_staffed"), 1.0);
    let busy = mean(&out, "busy_agents");
    let occ = mean(&out, "occupancy");
    assert!(
        busy > 0.2 && busy <= 1.0,
        "busy agents {busy} (offered load 0.5)"
    );
    assert!(
        (busy - occ).abs() < 1e-9,
        "one agent: busy agents {busy} = occupancy {occ}"
    );
    assert!(
        mean(&out, "p_wait") > 0.2,
        "half the calls should find the agent busy"
    );
}

#[test]
fn heavy_overload_with_patience_abandons() {
    // λ = 1000/h, 3-minute calls: 50 Erlangs on one agent; callers wait a minute on average.
    let text = scenario(
        "replications = 2\nhorizon = \"1d\"\ndrain = \"1d\"",
        "rate = \"1000/h\"",
        "patience = { dist = \"exponential\", mean = \"1m\" }",
        EXP_3M,
        "agents = 1",
    );
    let s = load(&text);
    let out = run_within(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    let p = mean(&out, "p_abandon");
    assert!(p > 0.9, "p_abandon {p} with a load of 50 on one agent");
    assert!(mean(&out, "occupancy") > 0.95);
    assert!(mean(&out, "resolved_share") < 0.1);
}

#[test]
fn overload_without_patience_stops_at_the_drain() {
    // λ = 200/h, 3-minute calls on 2 agents: a load of 10 with nobody hanging up, so the queue
    // grows all day; a drain of one hour must end the run promptly all the same.
    let text = scenario(
        "replications = 3\nhorizon = \"1d\"\ndrain = \"1h\"",
        "rate = \"200/h\"",
        "",
        EXP_3M,
        "agents = 2",
    );
    let s = load(&text);
    let out = run_within(&s, Duration::from_secs(10), &text);
    let offered = mean(&out, "offered");
    let answered = mean(&out, "answered");
    assert!(offered > 4000.0, "offered {offered}");
    // Two agents answer about 2 × 25 h / 3 min = 1000 calls in the day and the drain.
    assert!(
        answered < 0.25 * offered,
        "answered {answered} of {offered}"
    );
    assert!(mean(&out, "p_wait") > 0.95);
    assert!(mean(&out, "occupancy") > 0.95);
    assert!(mean(&out, "mean_queue_len") > 1000.0);
    assert_sensible(&s, &out, &text);
}

#[test]
fn horizon_shorter_than_a_handle_time() {
    // Two-hour calls in a 30-minute (and a 45-minute) window.
    for horizon in ["30m", "45m"] {
        let text = scenario(
            &format!("replications = 3\nhorizon = \"{horizon}\"\ndrain = \"1d\""),
            "rate = \"20/h\"",
            "",
            "handle = { dist = \"constant\", value = \"2h\" }",
            "agents = 3",
        );
        let s = load(&text);
        let out = run_within(&s, Duration::from_secs(10), &text);
        assert_sensible(&s, &out, &text);
        assert!(mean(&out, "answered") >= 1.0, "{horizon}: nobody answered");
        assert_eq!(
            mean(&out, "aht_s"),
            7200.0,
            "{horizon}: every call lasts 2 h"
        );
        let busy = mean(&out, "busy_agents");
        assert!(
            busy <= 3.0 + 1e-9,
            "{horizon}: busy agents {busy} > 3 agents"
        );
    }
}

#[test]
fn infinitely_patient_customers_retrying_until_resolved() {
    // Every unresolved call is retried (up to 5 attempts) and half the calls resolve:
    // a journey makes 1 + 0.5 + ... + 0.5^4 = 1.9375 contacts and gives up with chance 0.5^5.
    let text = scenario(
        "replications = 3\nhorizon = \"1d\"\nwarmup = \"2h\"",
        "rate = \"100/h\"",
        "patience = \"infinite\"\npersistence = { retry = 1.0, delay = { dist = \"exponential\", mean = \"30m\" }, max_attempts = 5 }",
        &format!("{EXP_3M}\nresolve = 0.5"),
        "agents = 14",
    );
    let s = load(&text);
    let out = run_within(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    let cpi = mean(&out, "contacts_per_issue");
    let gave_up = mean(&out, "gave_up_share");
    let resolved = mean(&out, "resolved_share");
    let fcr = mean(&out, "fcr");
    assert!(
        (1.85..=2.02).contains(&cpi),
        "contacts per issue {cpi}, expected about 1.94"
    );
    assert!(
        (0.01..=0.06).contains(&gave_up),
        "gave up {gave_up}, expected about 0.031"
    );
    assert!(
        (resolved + gave_up - 1.0).abs() < 1e-9,
        "every journey ends: {resolved} + {gave_up}"
    );
    assert!(
        (0.45..=0.55).contains(&fcr),
        "fcr {fcr}, expected about 0.5"
    );
    assert_eq!(mean(&out, "p_abandon"), 0.0, "nobody hangs up");
}

#[test]
fn endless_unresolved_retries_end_at_max_attempts() {
    // Nothing ever resolves and everybody retries a second later, up to 1000 attempts.
    let text = scenario(
        "replications = 2\nhorizon = \"1d\"",
        "rate = \"5/h\"",
        "persistence = { retry = 1.0, delay = { dist = \"constant\", value = \"1s\" }, max_attempts = 1000 }",
        "handle = { dist = \"constant\", value = \"10s\" }\nresolve = 0.0",
        "agents = 10",
    );
    let s = load(&text);
    let out = run_within(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    assert_eq!(mean(&out, "contacts_per_issue"), 1000.0);
    assert_eq!(mean(&out, "gave_up_share"), 1.0);
    assert_eq!(mean(&out, "resolved_share"), 0.0);
}

#[test]
fn zero_patience_zero_handle_and_no_available_agents() {
    let cases = [
        // Callers who never wait: whoever finds no free agent abandons at once.
        (
            "zero patience",
            "patience = { dist = \"constant\", value = \"0s\" }",
            EXP_3M.to_string(),
            "agents = 2".to_string(),
        ),
        // Calls that take no time at all.
        (
            "zero handle",
            "",
            "handle = { dist = \"constant\", value = \"0s\" }".to_string(),
            "agents = 1".to_string(),
        ),
        // Shrinkage takes the only agent off the phones.
        (
            "no agent available",
            "",
            EXP_3M.to_string(),
            "agents = 1\nshrinkage = 0.9".to_string(),
        ),
        // Nobody is staffed at all.
        (
            "no agents",
            "patience = { dist = \"exponential\", mean = \"2m\" }",
            EXP_3M.to_string(),
            "agents = 0".to_string(),
        ),
    ];
    let mut failures = Vec::new();
    for (label, persona, reason, group) in cases {
        let text = scenario(
            "replications = 2\nhorizon = \"1d\"\ndrain = \"2h\"",
            "rate = \"60/h\"",
            persona,
            &reason,
            &group,
        );
        let s = load(&text);
        let out = run_within(&s, Duration::from_secs(10), &text);
        let mut problems = nonsense(&s, &out);
        let (p_abandon, p_wait) = (mean(&out, "p_abandon"), mean(&out, "p_wait"));
        if p_abandon > p_wait + 1e-12 {
            problems.push(format!("p_abandon {p_abandon} > p_wait {p_wait}"));
        }
        let (aht, answered) = (values(&out, "aht_s"), mean(&out, "answered"));
        let expected = match label {
            "zero patience" => (p_abandon - p_wait).abs() < 1e-12,
            "zero handle" => aht.iter().all(|x| *x == Some(0.0)),
            _ => answered == 0.0,
        };
        if !expected {
            problems.push(format!(
                "p_abandon {p_abandon}, p_wait {p_wait}, aht_s {aht:?}, answered {answered}"
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{label}:\n  {}\n--- scenario ---\n{text}",
                problems.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A distribution whose parameters overflow (lognormal cv = 1e200 gives σ = ∞, μ = −∞) must be
/// refused when the file is loaded; accepted, every handle time it draws is 0 s although the
/// file says the mean is 4 minutes.
#[test]
fn overflowing_distribution_parameters_are_refused_or_honoured() {
    let text = scenario(
        "replications = 2\nhorizon = \"1d\"",
        "rate = \"20/h\"",
        "",
        "handle = { dist = \"lognormal\", mean = \"4m\", cv = 1e200 }",
        "agents = 5",
    );
    let Ok(s) = load_str(Path::new("edge.toml"), text.clone(), "edge") else {
        return; // refused: fine
    };
    let out = run_within(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    let aht = mean(&out, "aht_s");
    assert!(
        aht > 0.0,
        "accepted `cv = 1e200` with mean 4m, but every handle time is {aht} s:\n{text}"
    );
}

/// The loader caps arrival rates at 1 000 000/h because larger ones make a run take hours and
/// all the memory; weekday factors (up to 1000) must not lift a rate past that cap unnoticed.
/// Only loaded here: running it would exhaust the machine's memory.
#[test]
fn weekday_factors_cannot_lift_the_rate_past_the_cap() {
    let text = scenario(
        "replications = 1\nhorizon = \"1h\"",
        "rate = \"1000000/h\"\nweekday_factors = [1000, 1000, 1000, 1000, 1000, 1000, 1000]",
        "",
        EXP_3M,
        "agents = 10",
    );
    let Ok(s) = load_str(Path::new("edge.toml"), text.clone(), "edge") else {
        return; // refused: fine
    };
    let peak = s.arrivals.profile.iter().copied().fold(0.0, f64::max)
        * s.arrivals
            .weekday_factors
            .iter()
            .copied()
            .fold(0.0, f64::max)
        * 3600.0;
    assert!(
        peak <= 1_000_000.0,
        "accepted a peak arrival rate of {peak}/h (cap 1000000/h):\n{text}"
    );
}

// ----------------------------------------------------------------------------------------------
// Channels and staffing
// ----------------------------------------------------------------------------------------------

/// As `run_within`, on a worker thread: a run that hangs fails the test at `limit` instead of
/// blocking it.
fn run_deadline(s: &Scenario, limit: Duration, text: &str) -> RunOutput {
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = s.clone();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(runner::run(&owned, 2).map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(out)) => {
            eprintln!(
                "{}: {} events in {:.2?}",
                s.name,
                out.events(),
                started.elapsed()
            );
            out
        }
        Ok(Err(e)) => panic!("{e}\n--- scenario ---\n{text}"),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("the run did not end within {limit:?}:\n{text}")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            panic!("the run panicked:\n{text}")
        }
    }
}

/// The values of a breakdown row, by metric name.
fn row(out: &RunOutput, r: usize, dim: &str, key: &str, metric: &str) -> Option<f64> {
    let names = ccsim::stats::outcome::dimension_metrics(dim);
    let i = names.iter().position(|m| *m == metric)?;
    out.outcomes[r]
        .breakdown
        .iter()
        .find(|(d, k, _)| *d == dim && k == key)
        .and_then(|(_, _, v)| v[i])
}

/// Emails arrived = answered + withdrawn + still in the backlog, in every replication.
fn assert_email_conserved(out: &RunOutput, text: &str) {
    for (r, (((a, b), c), d)) in values(out, "email_arrived")
        .iter()
        .zip(values(out, "email_answered"))
        .zip(values(out, "email_withdrawn"))
        .zip(values(out, "email_backlog_end"))
        .enumerate()
    {
        assert_eq!(
            *a,
            Some(b.unwrap_or(-1.0) + c.unwrap_or(-1.0) + d.unwrap_or(-1.0)),
            "replication {r}: email arrived {a:?}, answered {b:?}, withdrawn {c:?}, backlog {d:?}\n{text}"
        );
    }
}

#[test]
fn chat_concurrency_with_zero_arrivals() {
    let text = scenario(
        "replications = 2\nhorizon = \"1d\"",
        "rate = \"0/h\"",
        "channels = { chat = 1.0 }\npatience = { chat = { dist = \"exponential\", mean = \"5m\" } }",
        EXP_3M,
        "agents = 3\nchannels = [\"chat\"]\nchat_concurrency = 3",
    ) + "\n[channels.chat]\nhandle_stretch = [1.0, 1.25, 1.6]\n";
    let s = load(&text);
    let out = run_deadline(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    assert_eq!(values(&out, "offered"), vec![Some(0.0); 2]);
    assert_eq!(values(&out, "occupancy"), vec![Some(0.0); 2]);
    for r in 0..2 {
        assert_eq!(row(&out, r, "channel", "chat", "offered"), Some(0.0));
        assert_eq!(row(&out, r, "channel", "chat", "p_abandon"), None);
        assert_eq!(row(&out, r, "channel", "chat", "aht_s"), None);
    }
}

#[test]
fn email_with_nobody_staffed_grows_a_backlog() {
    let text = scenario(
        "replications = 2\nhorizon = \"2d\"\ndrain = \"1d\"",
        "rate = \"10/h\"",
        "channels = { email = 1.0 }",
        EXP_3M,
        "agents = 0\nchannels = [\"email\"]",
    ) + "\n[channels.email]\ntarget = \"4h\"\n";
    let s = load(&text);
    let out = run_deadline(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    assert_email_conserved(&out, &text);
    let arrived = mean(&out, "email_arrived");
    assert!(arrived > 300.0, "email arrived {arrived} in 2 days at 10/h");
    assert_eq!(mean(&out, "email_answered"), 0.0);
    assert_eq!(mean(&out, "email_backlog_end"), arrived);
    assert_eq!(values(&out, "email_age_mean_s"), vec![None; 2]);
    assert_eq!(values(&out, "email_within_target"), vec![None; 2]);
    // Nothing waits live: the email backlog is not a phone queue.
    assert_eq!(mean(&out, "offered"), 0.0);
    let day_start = mean(&out, "email_backlog_day_start");
    assert!(
        day_start > 0.0 && day_start < arrived,
        "backlog at the start of a day {day_start} (0 on day 1, about 240 on day 2)"
    );
    assert_eq!(mean(&out, "open_share"), 1.0, "no email is ever answered");
}

#[test]
fn callback_with_every_agent_absent() {
    for group in ["agents = 0", "agents = 2\nshrinkage = 1.0"] {
        let text = scenario(
            "replications = 2\nhorizon = \"4h\"\ndrain = \"2h\"",
            "rate = \"30/h\"",
            "patience = { dist = \"exponential\", mean = \"3m\" }",
            EXP_3M,
            group,
        ) + "\n[channels.phone]\ncallback = { offer_when_wait_over = \"1m\", accept = 0.5 }\n\n[cost]\ncallbacks = 1.0\n";
        let Ok(s) = load_str(Path::new("edge.toml"), text.clone(), "edge") else {
            assert!(group.contains("shrinkage"), "does not load:\n{text}");
            continue; // a shrinkage of 1 may be refused
        };
        let out = run_deadline(&s, Duration::from_secs(10), &text);
        assert_sensible(&s, &out, &text);
        let (offered, accepted, missed) = (
            mean(&out, "callbacks_offered"),
            mean(&out, "callbacks_accepted"),
            mean(&out, "callbacks_missed"),
        );
        assert!(
            offered > 50.0,
            "{group}: callbacks offered {offered} (every caller must wait)"
        );
        assert!(accepted <= offered && accepted > 0.0, "{group}: {accepted}");
        assert_eq!(missed, 0.0, "{group}: no agent ever calls back");
        assert_eq!(mean(&out, "answered"), 0.0, "{group}");
        assert_eq!(
            mean(&out, "cost_other"),
            0.0,
            "{group}: no callback was made"
        );
    }
}

#[test]
fn shifts_with_nobody_on_them_and_infinite_patience() {
    for drain in ["2h", "7d"] {
        let text = scenario(
            &format!("replications = 2\nhorizon = \"1d\"\ndrain = \"{drain}\""),
            "rate = \"20/h\"",
            "patience = \"infinite\"",
            EXP_3M,
            "shifts = [{ start = \"08:00\", length = \"8h\", agents = 0, breaks = [{ after = \"2h\", length = \"15m\" }] }]",
        );
        let s = load(&text);
        let out = run_deadline(&s, Duration::from_secs(20), &text);
        assert_sensible(&s, &out, &text);
        let offered = mean(&out, "offered");
        assert!(offered > 300.0, "{drain}: offered {offered}");
        assert_eq!(mean(&out, "answered"), 0.0, "{drain}");
        assert_eq!(mean(&out, "abandoned"), 0.0, "{drain}: nobody hangs up");
        assert_eq!(mean(&out, "open_share"), 1.0, "{drain}");
        assert_eq!(mean(&out, "agents_staffed"), 0.0, "{drain}");
        assert_eq!(values(&out, "occupancy"), vec![None; 2], "{drain}");
    }
}

/// Regression (found by tests/properties.rs): an email past its target makes the customer
/// chase on the phone while the email stays in the backlog, so a journey has two contacts at
/// once. When the phone call fails, a retry is scheduled; if the email is then answered and
/// the journey ends (resolved, or given up at max_attempts), the journey is removed and the
/// pending `Event::Retry` fired on a dead (or reused) journey id: "engine writes only live ids".
#[test]
fn a_retry_pending_when_the_email_ends_the_journey() {
    for resolve in ["0.0", "1.0"] {
        let text = scenario(
            "replications = 2\nhorizon = \"2h\"\ndrain = \"1d\"",
            "rate = \"27/h\"",
            "channels = { email = 1.0 }\npatience = { dist = \"exponential\", mean = \"10s\" }\npersistence = { retry = 1.0, delay = { dist = \"exponential\", mean = \"23m\" }, max_attempts = 3 }",
            &format!("handle = {{ dist = \"constant\", value = \"10m\" }}\nresolve = {resolve}"),
            "agents = 1\nchannels = [\"phone\", \"email\"]",
        ) + "\n[channels.email]\ntarget = \"1m\"\n";
        let s = load(&text);
        let out = run_deadline(&s, Duration::from_secs(10), &text);
        assert_sensible(&s, &out, &text);
        assert_email_conserved(&out, &text);
        assert!(mean(&out, "repeat_contacts_per_issue_email_late") > 0.0);
    }
}

/// Regression: a customer chasing a late email through self-service while the email is
/// answered and resolves the issue; the session then ends on a journey already ended and
/// removed with its last contact.
#[test]
fn a_self_service_chase_ending_after_the_email_resolved() {
    let text = scenario(
        "replications = 2\nhorizon = \"4h\"\ndrain = \"1d\"",
        "rate = \"20/h\"",
        "channels = { email = 1.0 }\npersistence = { retry = 1.0, delay = { dist = \"constant\", value = \"1m\" }, max_attempts = 3, switch = { self_service = 1.0 } }",
        "handle = { dist = \"constant\", value = \"2m\" }\nself_service = 0.5",
        "agents = 1\nchannels = [\"phone\", \"email\"]",
    ) + "\n[channels.email]\ntarget = \"1m\"\n\n[channels.self_service]\nduration = { dist = \"constant\", value = \"30m\" }\n";
    let s = load(&text);
    let out = run_deadline(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    assert_email_conserved(&out, &text);
    assert!(mean(&out, "self_service_sessions") > 0.0);
    assert!(mean(&out, "repeat_contacts_per_issue_email_late") > 0.0);
}

/// Regression: a customer whose email runs past its target chases by phone (the switch
/// chances name no other channel), but the phone did not count as a channel in use: no
/// `channel phone` row in breakdown.csv (the live rows summed to less than `offered`), and a
/// file whose groups serve only email loaded although nobody could ever answer those calls.
#[test]
fn a_late_email_chased_by_phone_counts_the_phone_as_used() {
    let persona = "channels = { email = 1.0 }\npatience = { dist = \"exponential\", mean = \"1m\" }\npersistence = { retry = 1.0, delay = { dist = \"constant\", value = \"5m\" }, max_attempts = 3 }";
    let head = "replications = 2\nhorizon = \"4h\"\ndrain = \"2h\"";
    let tail = "\n[channels.email]\ntarget = \"10m\"\n";
    let text = scenario(
        head,
        "rate = \"20/h\"",
        persona,
        EXP_3M,
        "agents = 0\nchannels = [\"phone\", \"email\"]",
    ) + tail;
    let s = load(&text);
    let out = run_deadline(&s, Duration::from_secs(10), &text);
    assert_sensible(&s, &out, &text);
    assert_email_conserved(&out, &text);
    for r in 0..2 {
        let offered = out.outcomes[r].summary[SUMMARY_METRICS
            .iter()
            .position(|m| *m == "offered")
            .expect("offered")];
        assert!(offered.is_some_and(|x| x > 0.0), "no chase call:\n{text}");
        assert_eq!(
            row(&out, r, "channel", "phone", "offered"),
            offered,
            "replication {r}: the phone row must hold the chase calls:\n{text}"
        );
    }
    let email_only = scenario(
        head,
        "rate = \"20/h\"",
        persona,
        EXP_3M,
        "agents = 2\nchannels = [\"email\"]",
    ) + tail;
    let refused = load_str(Path::new("edge.toml"), email_only.clone(), "edge");
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("phone")),
        "customers chase late emails by phone, but no group answers the phone; loaded:\n{email_only}"
    );
}

/// Regression: a caller who took a callback, was reached, and was then transferred (here every
/// call is misrouted first) was "called back" a second time by the next group: each such
/// callback was counted and charged twice (`[cost] callbacks`), and with `reach` < 1 a
/// customer already on the line could be "not reached" and sent away.
#[test]
fn a_callback_reached_then_transferred_is_called_once() {
    let text = "[scenario]\nname = \"edge\"\nreplications = 2\nhorizon = \"4h\"\ndrain = \"2h\"\n\n[arrivals]\nrate = \"40/h\"\n\n[[persona]]\nname = \"caller\"\npatience = { dist = \"exponential\", mean = \"10m\" }\n\n[[reason]]\nname = \"call\"\nskill = \"billing\"\nhandle = { dist = \"exponential\", mean = \"3m\" }\n\n[[group]]\nname = \"billing\"\nskills = { billing = 1.0 }\nagents = 3\n\n[[group]]\nname = \"tech\"\nskills = { tech = 1.0 }\nagents = 1\n\n[channels.phone]\nmisroute = 1.0\ncallback = { offer_when_wait_over = \"0s\", accept = 1.0, reach = 1.0 }\n\n[cost]\ncallbacks = 1.0\n";
    let s = load(text);
    let out = run_deadline(&s, Duration::from_secs(10), text);
    assert_sensible(&s, &out, text);
    assert!(
        mean(&out, "transfers_per_contact") > 0.3,
        "misrouted calls are transferred"
    );
    // Calls cost nothing per minute here: the other cost is 1.0 per callback made.
    for (r, (made, accepted)) in values(&out, "cost_other")
        .iter()
        .zip(values(&out, "callbacks_accepted"))
        .enumerate()
    {
        let (made, accepted) = (made.unwrap_or(-1.0), accepted.unwrap_or(-1.0));
        assert!(accepted > 0.0, "replication {r}: no callback accepted");
        assert!(
            made <= accepted,
            "replication {r}: {made} callbacks made for {accepted} accepted:\n{text}"
        );
    }
}

/// Regression: as with retries, a case owner's follow-up call (`ownership = "own"`) was
/// scheduled by the phone chase of a late email; when the email then ended the journey, the
/// pending `Event::FollowUp` fired on a removed journey: "engine writes only live ids".
#[test]
fn a_follow_up_pending_when_the_email_ends_the_journey() {
    for resolve in ["0.0", "0.5"] {
        let text = scenario(
            "replications = 3\nhorizon = \"4h\"\ndrain = \"1d\"",
            "rate = \"27/h\"",
            "channels = { email = 1.0 }\npatience = { dist = \"exponential\", mean = \"10s\" }\npersistence = { retry = 1.0, delay = { dist = \"exponential\", mean = \"23m\" }, max_attempts = 4 }",
            &format!("handle = {{ dist = \"constant\", value = \"10m\" }}\nresolve = {resolve}"),
            "agents = 1\nchannels = [\"phone\", \"email\"]",
        ) + "\n[channels.email]\ntarget = \"1m\"\n\n[policy]\nownership = \"own\"\nfollow_up = { dist = \"exponential\", mean = \"30m\" }\n";
        let s = load(&text);
        let out = run_deadline(&s, Duration::from_secs(10), &text);
        assert_sensible(&s, &out, &text);
        assert_email_conserved(&out, &text);
    }
}
