//! Every scenario shipped in `scenarios/` loads, runs (2 replications, its own horizon) and gives finite metrics with offered > 0.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ccsim::runner;
use ccsim::scenario::load_file;
use ccsim::stats::SUMMARY_METRICS;

/// The `*.toml` and `*.json` files of `scenarios/`, read at test time, in name order.
fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("toml") || e.eq_ignore_ascii_case("json"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_loads_and_runs() {
    let files = scenario_files();
    if files.is_empty() {
        eprintln!("scenarios/ holds no .toml or .json files: nothing to check");
        return;
    }
    let started = Instant::now();
    let mut failures = Vec::new();
    let offered = SUMMARY_METRICS
        .iter()
        .position(|m| *m == "offered")
        .expect("offered is a summary metric");
    for file in &files {
        let clock = Instant::now();
        let name = file.display();
        let mut s = match load_file(file) {
            Ok(l) => l.scenario,
            Err(e) => {
                failures.push(format!("{name}: does not load:\n{e}"));
                continue;
            }
        };
        s.replications = 2;
        let out = match runner::run(&s, 2) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{name}: does not run: {e}"));
                continue;
            }
        };
        if out.outcomes.len() != 2 {
            failures.push(format!("{name}: {} outcomes", out.outcomes.len()));
            continue;
        }
        for (r, o) in out.outcomes.iter().enumerate() {
            for (m, v) in SUMMARY_METRICS.iter().zip(&o.summary) {
                if let Some(v) = v
                    && !v.is_finite()
                {
                    failures.push(format!("{name}: replication {r}: {m} = {v}"));
                }
            }
            match o.summary[offered] {
                Some(v) if v > 0.0 => {}
                v => failures.push(format!("{name}: replication {r}: offered = {v:?}")),
            }
        }
        for rep in &out.outcomes {
            for (dim, key, values) in &rep.breakdown {
                if values.iter().flatten().any(|v| !v.is_finite()) {
                    failures.push(format!("{name}: breakdown {dim} {key}: {values:?}"));
                }
            }
        }
        eprintln!(
            "{name}: {} events in {:.2} s",
            out.events(),
            clock.elapsed().as_secs_f64()
        );
    }
    eprintln!(
        "{} scenarios in {:.1} s",
        files.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
