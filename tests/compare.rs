//! `ccsim compare A B`: paired differences when the manifests show the same seed and
//! replications, Welch otherwise; text, JSON and CSV; clear refusals.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ccsim::compare::{Method, compare};

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");

/// An M/M/c+M day: 1000 calls an hour on `agents` agents.
fn scenario(agents: u32) -> String {
    format!(
        r#"[scenario]
name = "mmc"
seed = 7
replications = 8
horizon = "6h"
warmup = "30m"

[arrivals]
rate = "1000/h"

[[persona]]
name = "caller"
patience = {{ dist = "exponential", mean = "2m" }}

[[reason]]
name = "any"
handle = {{ dist = "exponential", mean = "3m" }}

[[group]]
name = "agents"
agents = {agents}
"#
    )
}

fn ccsim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run ccsim")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run a scenario text into `dir/name`, with extra arguments; returns the results folder.
fn run(dir: &Path, name: &str, scenario: &str, extra: &[&str]) -> PathBuf {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, scenario).expect("write scenario");
    let out = dir.join(name);
    let mut args = vec![
        "run",
        file.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--quiet",
        "--threads",
        "2",
    ];
    args.extend_from_slice(extra);
    let o = ccsim(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    out
}

fn row<'a>(c: &'a ccsim::compare::Comparison, metric: &str) -> &'a ccsim::compare::Row {
    c.rows
        .iter()
        .find(|r| r.metric == metric)
        .unwrap_or_else(|| panic!("no row {metric}"))
}

/// Same seed and replications, changed staffing: the difference is paired, and its interval
/// is far tighter than Welch's on the same replications.
#[test]
fn same_seed_is_paired_and_tighter_than_welch() {
    let tmp = tempfile::tempdir().expect("tmp");
    let a = run(tmp.path(), "a", &scenario(52), &[]);
    let b = run(tmp.path(), "b", &scenario(54), &[]);
    let paired = compare(&a, &b, false).expect("compare");
    let welch = compare(&a, &b, true).expect("compare --welch");
    assert_eq!(paired.method, Method::Paired);
    assert_eq!(welch.method, Method::Welch);
    for metric in ["mean_wait_s", "p_abandon", "service_level"] {
        let (p, w) = (row(&paired, metric), row(&welch, metric));
        let (dp, dw) = (
            p.difference.expect("paired difference"),
            w.difference.expect("welch difference"),
        );
        // Same point estimate (every replication defines these metrics), narrower interval.
        assert!((dp.mean - dw.mean).abs() < 1e-9, "{metric}: {dp:?} {dw:?}");
        let (hp, hw) = (dp.half_width().expect("ci"), dw.half_width().expect("ci"));
        assert!(
            hp < hw,
            "{metric}: paired ±{hp} not tighter than Welch ±{hw}"
        );
        assert_eq!(dp.n, 8);
        // More agents: less waiting, fewer abandons, better service level.
        let a_mean = p.a.expect("a").mean;
        let b_mean = p.b.expect("b").mean;
        assert!((dp.mean - (b_mean - a_mean)).abs() < 1e-9);
    }
    assert!(row(&paired, "mean_wait_s").difference.expect("d").mean < 0.0);
    // The binary says which method it used.
    let o = ccsim(&[
        "compare",
        a.to_str().expect("utf-8"),
        b.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("paired by replication"), "{out}");
    assert!(out.contains("mean_wait_s"), "{out}");
    assert!(out.contains("B − A"), "{out}");
}

/// Different seeds: independent samples, Welch; --json and --csv hold the same numbers.
#[test]
fn different_seeds_use_welch_and_every_format_agrees() {
    let tmp = tempfile::tempdir().expect("tmp");
    let a = run(tmp.path(), "a", &scenario(52), &[]);
    let b = run(tmp.path(), "b", &scenario(52), &["--seed", "8"]);
    let c = compare(&a, &b, false).expect("compare");
    assert_eq!(c.method, Method::Welch);
    assert!(
        c.why.contains("seed 7") && c.why.contains("seed 8"),
        "{}",
        c.why
    );
    let (sa, sb) = (a.to_str().expect("utf-8"), b.to_str().expect("utf-8"));
    let o = ccsim(&["compare", sa, sb]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("Welch"), "{}", text(&o.stdout));

    let o = ccsim(&["compare", sa, sb, "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(json["method"], "welch");
    let rows = json["rows"].as_array().expect("rows");
    let wait = rows
        .iter()
        .find(|r| r["metric"] == "mean_wait_s")
        .expect("mean_wait_s");
    let d = row(&c, "mean_wait_s").difference.expect("d");
    assert!((wait["difference"]["mean"].as_f64().expect("mean") - d.mean).abs() < 1e-9);
    assert!(wait["difference"]["ci_low"].as_f64().expect("low") < d.mean);

    let o = ccsim(&["compare", sa, sb, "--csv"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = text(&o.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "scenario_a,scenario_b,metric,a_mean,a_ci_low,a_ci_high,b_mean,b_ci_low,b_ci_high,difference,difference_ci_low,difference_ci_high,method"
        )
    );
    let line = lines
        .find(|l| l.starts_with("mmc,mmc,mean_wait_s,"))
        .expect("mean_wait_s line");
    assert!(line.ends_with(",welch"), "{line}");
    let diff: f64 = line
        .split(',')
        .nth(9)
        .expect("difference")
        .parse()
        .expect("number");
    assert!((diff - d.mean).abs() < 1e-9);
}

/// Non-results folders and folders of different scenario sets: exit 2 with a clear message.
#[test]
fn refuses_what_it_cannot_compare() {
    let tmp = tempfile::tempdir().expect("tmp");
    let a = run(tmp.path(), "a", &scenario(52), &[]);
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let sa = a.to_str().expect("utf-8");
    for (other, says) in [
        (
            empty.to_str().expect("utf-8"),
            "is not a ccsim results folder",
        ),
        ("/nonexistent/ccsim-folder", "no such folder"),
    ] {
        let o = ccsim(&["compare", sa, other]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(text(&o.stderr).contains(says), "{}", text(&o.stderr));
    }
    // A sweep of two scenarios against a single run: different scenario sets.
    let base = tmp.path().join("a.toml");
    let sweep = tmp.path().join("sweep.toml");
    std::fs::write(
        &sweep,
        format!(
            "[sweep]\nbase = \"{}\"\ndesign = \"grid\"\nreplications = 2\n\n[sweep.vary]\n\"group.agents.agents\" = [52, 54]\n",
            base.display()
        ),
    )
    .expect("write sweep");
    let sdir = tmp.path().join("sweep");
    let o = ccsim(&[
        "sweep",
        sweep.to_str().expect("utf-8"),
        "--out",
        sdir.to_str().expect("utf-8"),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = ccsim(&["compare", sa, sdir.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("different sets of scenarios"),
        "{}",
        text(&o.stderr)
    );
    // The sweep against itself: every scenario by name, paired (a sweep's manifest records the
    // seed and replications its scenarios share).
    let c = compare(&sdir, &sdir, false).expect("compare");
    assert_eq!(c.method, Method::Paired);
    let names: std::collections::BTreeSet<&str> =
        c.rows.iter().map(|r| r.scenario_a.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// A replications.csv that does not hold what its manifest.json describes (cut short, a
/// replication renumbered, a metric missing, a value given twice): exit 2 naming the file and
/// the fault, never a comparison on the wrong replications.
#[test]
fn refuses_a_damaged_replications_csv() {
    let tmp = tempfile::tempdir().expect("tmp");
    let a = run(tmp.path(), "a", &scenario(52), &[]);
    let b = run(tmp.path(), "b", &scenario(54), &[]);
    let text_b = std::fs::read_to_string(b.join("replications.csv")).expect("read");
    let lines: Vec<&str> = text_b.lines().collect();
    let damage = |name: &str, body: String, says: &[&str]| {
        let d = tmp.path().join(name);
        std::fs::create_dir(&d).expect("mkdir");
        for f in ["manifest.json", "summary.csv"] {
            std::fs::copy(b.join(f), d.join(f)).expect("copy");
        }
        std::fs::write(d.join("replications.csv"), body).expect("write");
        let o = ccsim(&[
            "compare",
            a.to_str().expect("utf-8"),
            d.to_str().expect("utf-8"),
        ]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(o.stdout.is_empty(), "{name}: {}", text(&o.stdout));
        assert!(!err.contains("panicked"), "{name}: {err}");
        for s in says.iter().chain(&["replications.csv", "ccsim verify"]) {
            assert!(err.contains(s), "{name}: no {s:?} in {err}");
        }
        assert!(compare(&a, &d, false).is_err(), "{name}");
    };
    // Cut at a line end, after two replications: the rest are missing.
    let per_rep = lines.iter().filter(|l| l.starts_with("mmc,0,")).count();
    let cut = lines[..1 + 2 * per_rep].join("\n") + "\n";
    damage(
        "truncated",
        cut,
        &["replications 2, 3, 4", "are missing", "8 replications"],
    );
    // Cut inside a line: no line end.
    damage(
        "cut_mid_line",
        text_b[..text_b.len() / 2]
            .trim_end_matches('\n')
            .to_string(),
        &["cut short"],
    );
    // Replication 3 renumbered 7 (still below 8): 3 is missing, 7 given twice.
    let renumbered = text_b.replace("mmc,3,", "mmc,7,");
    damage(
        "renumbered",
        renumbered,
        &["line ", "replication 7", "second"],
    );
    // Renumbered past the manifest's replications.
    damage(
        "past_the_end",
        text_b.replace("mmc,3,", "mmc,9,"),
        &["replication 9", "8 replications (0 to 7)"],
    );
    // A metric left out of every replication.
    let missing: String = lines
        .iter()
        .filter(|l| !l.contains(",asa_s,"))
        .map(|l| format!("{l}\n"))
        .collect();
    damage("missing_metric", missing, &["has no `asa_s` values"]);
    // An undefined value (empty cell) is fine.
    let d = tmp.path().join("undefined");
    std::fs::create_dir(&d).expect("mkdir");
    std::fs::copy(b.join("manifest.json"), d.join("manifest.json")).expect("copy");
    let blank: String = lines
        .iter()
        .map(|l| {
            if l.starts_with("mmc,2,asa_s,") {
                "mmc,2,asa_s,\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(d.join("replications.csv"), blank).expect("write");
    let c = compare(&a, &d, false).expect("an empty cell is an undefined value");
    assert_eq!(row(&c, "asa_s").b.expect("b").n, 7);
}
