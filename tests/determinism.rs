//! Determinism: the same scenario and seed give the same bytes at any thread count, and replication r does not depend on how many replications run.

use std::path::Path;
use std::process::Command;

use ccsim::report::{breakdown_csv, replications_csv, summary_csv};
use ccsim::runner::{self, RunOutput};
use ccsim::scenario::{Scenario, load_str};

/// Two groups with overflow, priorities, per-interval staffing, impatient callers who retry,
/// an IVR and a line limit: everything the engine models, on one day.
const FULL: &str = r#"[scenario]
name = "full"
seed = 42
replications = 6
horizon = "1d"
warmup = "1h"
interval = "1h"
sl_threshold = "30s"
drain = "1d"

[arrivals]
profile = ["40/h", "30/h", "20/h", "20/h", "20/h", "30/h", "60/h", "120/h", "200/h", "240/h",
           "250/h", "240/h", "220/h", "230/h", "240/h", "220/h", "200/h", "180/h", "150/h",
           "120/h", "100/h", "80/h", "60/h", "50/h"]
overdispersion = 0.1

[[persona]]
name = "regular"
share = 3
patience = { dist = "exponential", mean = "3m" }
persistence = { retry = 0.6, delay = { dist = "exponential", mean = "20m" }, max_attempts = 4 }

[[persona]]
name = "vip"
share = 1
patience = { dist = "lognormal", mean = "5m", cv = 0.5 }

[[reason]]
name = "billing"
share = 0.6
skill = "billing"
handle = { dist = "lognormal", mean = "4m", cv = 0.8 }
wrapup = { dist = "constant", value = "30s" }
resolve = 0.85

[[reason]]
name = "tech"
share = 0.4
skill = "tech"
handle = { dist = "gamma", mean = "6m", cv = 0.6 }
resolve = 0.7

[[group]]
name = "care"
skills = { billing = 1.0 }
staffing = [3, 3, 2, 2, 2, 3, 5, 9, 14, 17, 18, 17, 16, 17, 17, 16, 14, 13, 11, 9, 8, 6, 5, 4]
shrinkage = 0.1
cost_per_hour = 30

[[group]]
name = "techs"
skills = { tech = 1.0, billing = 0.7 }
agents = 12
cost_per_hour = 40

[channels.phone]
lines = 28
ivr = { dist = "uniform", min = "20s", max = "40s" }

[routing]
priorities = { vip = 1, tech = 2 }

[[routing.overflow]]
from = "care"
to = "techs"
after = "60s"
"#;

fn scenario() -> Scenario {
    load_str(Path::new("full.toml"), FULL.to_string(), "full").unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario, threads: usize) -> RunOutput {
    runner::run(s, threads).unwrap_or_else(|e| panic!("{e}"))
}

/// The three CSV documents the library builds.
fn documents(s: &Scenario, out: &RunOutput) -> [Vec<u8>; 3] {
    [
        summary_csv(s, out).unwrap(),
        breakdown_csv(s, out).unwrap(),
        replications_csv(s, out).unwrap(),
    ]
}

fn metric(out: &RunOutput, name: &str) -> Vec<f64> {
    let i = ccsim::stats::SUMMARY_METRICS
        .iter()
        .position(|m| *m == name)
        .unwrap_or_else(|| panic!("no metric {name}"));
    out.outcomes
        .iter()
        .map(|o| o.summary[i].unwrap_or(f64::NAN))
        .collect()
}

#[test]
fn the_scenario_exercises_every_feature() {
    let s = scenario();
    assert_eq!(s.groups.len(), 2);
    assert_eq!(s.routing.overflow.len(), 1);
    assert!(s.routing.levels > 1);
    assert!(
        matches!(&s.groups[0].staffing, ccsim::scenario::Staffing::Intervals(v) if v.len() == 24)
    );
    assert!(s.phone.lines.is_some() && s.phone.ivr.is_some());
    let out = run(&s, 2);
    assert_eq!(out.outcomes.len(), 6);
    let sum = |m: &str| metric(&out, m).iter().sum::<f64>();
    assert!(sum("offered") > 0.0);
    assert!(sum("abandoned") > 0.0, "no one abandoned");
    assert!(sum("blocked") > 0.0, "the line limit never bit");
    assert!(sum("repeat_contacts_per_issue") > 0.0, "no one retried");
    assert!(sum("cost_agents") > 0.0);
}

#[test]
fn library_results_do_not_depend_on_threads() {
    let s = scenario();
    let one = documents(&s, &run(&s, 1));
    let two = documents(&s, &run(&s, 2));
    let again = documents(&s, &run(&s, 1));
    let four = documents(&s, &run(&s, 4));
    for (i, name) in ["summary.csv", "breakdown.csv", "replications.csv"]
        .iter()
        .enumerate()
    {
        assert_eq!(one[i], two[i], "{name}: 1 thread vs 2 threads");
        assert_eq!(one[i], again[i], "{name}: two runs on 1 thread");
        assert_eq!(one[i], four[i], "{name}: 1 thread vs 4 threads");
    }
}

#[test]
fn replication_r_does_not_depend_on_the_replication_count() {
    let mut s = scenario();
    s.replications = 6;
    let six = run(&s, 2);
    s.replications = 3;
    let three = run(&s, 1);
    assert_eq!(three.outcomes.len(), 3);
    for r in 0..3 {
        let (a, b) = (&three.outcomes[r], &six.outcomes[r]);
        let bits = |v: &[Option<f64>]| -> Vec<Option<u64>> {
            v.iter().map(|x| x.map(f64::to_bits)).collect()
        };
        assert_eq!(bits(&a.summary), bits(&b.summary), "replication {r}");
        assert_eq!(a.raw.events, b.raw.events, "replication {r}");
        assert_eq!(a.breakdown.len(), b.breakdown.len());
        for (x, y) in a.breakdown.iter().zip(&b.breakdown) {
            assert_eq!((x.0, &x.1), (y.0, &y.1));
            assert_eq!(bits(&x.2), bits(&y.2), "replication {r}, {} {}", x.0, x.1);
        }
    }
    // So the raw table of 3 replications is the first half of the one of 6.
    let a = String::from_utf8(replications_csv(&s, &three).unwrap()).unwrap();
    s.replications = 6;
    let b = String::from_utf8(replications_csv(&s, &six).unwrap()).unwrap();
    assert!(
        b.starts_with(&a),
        "replications.csv of 3 is not a prefix of 6"
    );
    assert!(b.len() > a.len());
}

#[test]
fn seeds_give_different_but_repeatable_streams() {
    let mut s = scenario();
    s.replications = 2;
    let a = documents(&s, &run(&s, 1));
    s.seed = 43;
    let b = documents(&s, &run(&s, 1));
    assert_ne!(a[2], b[2], "a new seed gave the same replications");
    s.seed = 42;
    let c = documents(&s, &run(&s, 2));
    assert_eq!(a, c);
    // Replications of one run differ from each other.
    let offered = metric(&run(&s, 1), "offered");
    assert_ne!(offered[0], offered[1]);
}

#[test]
fn results_folders_are_byte_identical_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("full.toml");
    std::fs::write(&file, FULL).unwrap();
    let run_cli = |name: &str, threads: &str| {
        let out = dir.path().join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_ccsim"))
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .args(["--threads", threads, "--quiet"])
            .output()
            .expect("run ccsim");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        out
    };
    let a = run_cli("t1", "1");
    let b = run_cli("t2", "2");
    for f in [
        "summary.csv",
        "breakdown.csv",
        "replications.csv",
        "intervals.csv",
    ] {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert_eq!(x, y, "{f} differs between --threads 1 and --threads 2");
    }
    // The library and the binary agree on summary.csv.
    let s = scenario();
    let lib = summary_csv(&s, &run(&s, 2)).unwrap();
    assert_eq!(lib, std::fs::read(a.join("summary.csv")).unwrap());
    // Only timing fields of the manifest may differ.
    let m = |d: &Path| -> serde_json::Value {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("manifest.json")).unwrap()).unwrap();
        for k in ["started", "wall_seconds", "threads", "scenario_file"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    assert_eq!(m(&a), m(&b));
}
