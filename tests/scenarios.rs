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

/// `%.3g` as awk prints it (scenarios/table.sh): three significant digits, trailing zeros
/// dropped, scientific notation outside [1e-4, 1e3).
fn g3(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let exp = x.abs().log10().floor() as i32;
    let rounded: f64 = format!("{x:.2e}").parse().expect("number");
    let exp = if rounded.abs() >= 10f64.powi(exp + 1) {
        exp + 1
    } else {
        exp
    };
    if !(-4..3).contains(&exp) {
        let m = rounded / 10f64.powi(exp);
        let mant = format!("{m:.2}");
        let mant = mant.trim_end_matches('0').trim_end_matches('.');
        return format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let decimals = (2 - exp).max(0) as usize;
    let s = format!("{rounded:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[test]
fn g3_formats_like_awk() {
    assert_eq!(g3(0.5334), "0.533");
    assert_eq!(g3(12.46), "12.5");
    assert_eq!(g3(6.0), "6");
    assert_eq!(g3(1.0), "1");
    assert_eq!(g3(4.49), "4.49");
    assert_eq!(g3(17.23), "17.2");
    assert_eq!(g3(0.0219), "0.0219");
    assert_eq!(g3(1234.0), "1.23e+03");
    assert_eq!(g3(999.7), "1e+03");
}

/// The headline table of scenarios/README.md is what the scenarios give now: every row is
/// re-run with the file's own seed and replications and compared, value by value, as
/// `scenarios/table.sh` formats it (regenerate the table with that script after a change).
#[test]
fn the_readme_headline_table_matches_the_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("scenarios/README.md");
    let start = readme
        .find("| file | service_level")
        .expect("the headline table");
    let mut lines = readme[start..].lines();
    let header: Vec<&str> = lines
        .next()
        .expect("header")
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let metrics = &header[1..];
    let rows: Vec<Vec<String>> = lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.split('|')
                .map(|c| c.trim().trim_matches('`').to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    let listed: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let files: Vec<String> = scenario_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        listed, files,
        "the table lists every bundled scenario, in name order"
    );
    let mut wrong = Vec::new();
    for row in &rows {
        let s = load_file(&dir.join(&row[0])).expect("loads").scenario;
        let out = runner::run(&s, 2).expect("runs");
        for (m, cell) in metrics.iter().zip(&row[1..]) {
            let i = SUMMARY_METRICS.iter().position(|x| x == m).expect("metric");
            let values: Vec<Option<f64>> = out.outcomes.iter().map(|o| o.summary[i]).collect();
            let now =
                ccsim::stats::summarize(&values, 0.95).map_or("-".to_string(), |x| g3(x.mean));
            if &now != cell {
                wrong.push(format!("{} {m}: README {cell}, now {now}", row[0]));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "scenarios/README.md is stale; regenerate it with scenarios/table.sh:\n{}",
        wrong.join("\n")
    );
}
