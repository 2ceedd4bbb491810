//! Helpers shared by the paired-difference tests: a metric per replication, and the check that
//! a change moves it the documented way.

use ccsim::runner;
use ccsim::scenario::Scenario;
use ccsim::stats::{SUMMARY_METRICS, summarize};

/// A summary metric's value in every replication.
#[allow(dead_code, reason = "not every test file compares per replication")]
pub fn values(s: &Scenario, metric: &str) -> Vec<f64> {
    let i = SUMMARY_METRICS
        .iter()
        .position(|m| *m == metric)
        .unwrap_or_else(|| panic!("unknown metric {metric}"));
    runner::run(s, 2)
        .expect("runs")
        .outcomes
        .iter()
        .map(|o| o.summary[i].expect("defined"))
        .collect()
}

/// The paired difference variant − base of a metric (same seeds: common random numbers): its
/// 95 % interval must lie above zero (`up`) or below it.
#[allow(dead_code, reason = "not every test file compares per replication")]
pub fn moves(base: &Scenario, variant: &Scenario, metric: &str, up: bool) {
    let (b, v) = (values(base, metric), values(variant, metric));
    let d: Vec<Option<f64>> = b.iter().zip(&v).map(|(x, y)| Some(y - x)).collect();
    let s = summarize(&d, 0.95).expect("replications");
    let (lo, hi) = (s.ci_low.expect("n > 1"), s.ci_high.expect("n > 1"));
    assert!(
        if up { lo > 0.0 } else { hi < 0.0 },
        "{metric} should {}: paired difference [{lo}, {hi}]",
        if up { "rise" } else { "fall" }
    );
}

/// A summary metric's mean over the replications where it is defined.
#[allow(dead_code, reason = "not every test file reads means")]
pub fn mean(s: &Scenario, metric: &str) -> f64 {
    let i = SUMMARY_METRICS
        .iter()
        .position(|m| *m == metric)
        .unwrap_or_else(|| panic!("unknown metric {metric}"));
    let out = runner::run(s, 2).expect("runs");
    let per_rep: Vec<Option<f64>> = out.outcomes.iter().map(|o| o.summary[i]).collect();
    summarize(&per_rep, 0.95).expect("defined").mean
}

/// A scenario bundled in `scenarios/`.
#[allow(dead_code, reason = "not every test file loads bundled scenarios")]
pub fn bundled(file: &str) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    ccsim::scenario::load_file(&path)
        .expect("bundled scenario")
        .scenario
}
