//! The `ccsim` binary as a user drives it: exit codes, error messages, and the results folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");

/// A small valid scenario (about 2 400 calls a day on 10 agents).
const SMALL: &str = r#"[scenario]
name = "small"
replications = 2

[arrivals]
rate = "100/h"

[[persona]]
name = "caller"
patience = { dist = "exponential", mean = "3m" }

[[reason]]
name = "general"
handle = { dist = "exponential", mean = "4m" }

[[group]]
name = "agents"
agents = 8
cost_per_hour = 25.0
"#;

/// The same scenario as JSON.
const SMALL_JSON: &str = r#"{
  "scenario": { "name": "small", "replications": 2 },
  "arrivals": { "rate": "100/h" },
  "persona": [ { "name": "caller", "patience": { "dist": "exponential", "mean": "3m" } } ],
  "reason": [ { "name": "general", "handle": { "dist": "exponential", "mean": "4m" } } ],
  "group": [ { "name": "agents", "agents": 8, "cost_per_hour": 25.0 } ]
}
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn ccsim(args: &[&str]) -> Output {
    ccsim_in(None, args)
}

fn ccsim_in(cwd: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    cmd.output().expect("run ccsim")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// Asserts a user error: exit code 2 and no panic.
fn assert_user_error(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(code(o), Some(2), "stderr:\n{err}\nstdout:\n{}", stdout(o));
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.trim().is_empty(), "no message on stderr");
    err
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Run `ccsim run FILE --out DIR` plus extra arguments; asserts success.
fn run_ok(file: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec!["run", s(file), "--out", s(out), "--quiet"];
    args.extend_from_slice(extra);
    let o = ccsim(&args);
    assert_eq!(code(&o), Some(0), "stderr:\n{}", stderr(&o));
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn bare_number_for_sl_threshold_is_a_located_user_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "bare.toml",
        &SMALL.replace("replications = 2", "sl_threshold = 20"),
    );
    assert_eq!(read(&file).lines().nth(2), Some("sl_threshold = 20"));
    let out = dir.path().join("results");
    let o = ccsim(&["run", s(&file), "--out", s(&out)]);
    let err = assert_user_error(&o);
    assert!(err.contains("sl_threshold"), "{err}");
    assert!(err.contains(&format!("{}:3:", file.display())), "{err}");
    assert!(err.contains("\"20s\""), "{err}");
    assert!(!out.exists(), "the results folder was created");

    let o = ccsim(&["validate", s(&file)]);
    let err = assert_user_error(&o);
    assert!(err.contains("sl_threshold") && err.contains(":3:"), "{err}");
}

#[test]
fn validate_says_ok_or_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", SMALL);
    let o = ccsim(&["validate", s(&good)]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok"), "{}", stdout(&o));
    assert!(stdout(&o).contains("small"), "{}", stdout(&o));

    let bad = write(dir.path(), "bad.toml", &SMALL.replace("\"100/h\"", "100"));
    let o = ccsim(&["validate", s(&bad)]);
    let err = assert_user_error(&o);
    assert!(err.contains("arrivals.rate"), "{err}");

    // Several files: the good one is reported ok, the bad one fails the command.
    let o = ccsim(&["validate", s(&good), s(&bad)]);
    assert_user_error(&o);
    assert!(stdout(&o).contains("good.toml: ok"), "{}", stdout(&o));
}

#[test]
fn all_problems_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let text = SMALL
        .replace("replications = 2", "replicatons = 2")
        .replace(
            "handle = { dist = \"exponential\", mean = \"4m\" }",
            "resolve = 1.5",
        );
    let file = write(dir.path(), "many.toml", &text);
    let o = ccsim(&["validate", s(&file)]);
    let err = assert_user_error(&o);
    for needle in [
        "unknown key `replicatons`",
        "did you mean `replications`?",
        "1.5 is not a probability",
        "missing required key `handle`",
        "3 problems found",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert_eq!(err.matches("error: ").count(), 3, "{err}");
}

/// Parse a CSV document with a plain split (ccsim's names never hold commas or quotes).
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn run_writes_the_results_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    run_ok(&file, &out, &["--replications", "3", "--threads", "1"]);

    for f in [
        "summary.csv",
        "breakdown.csv",
        "replications.csv",
        "intervals.csv",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let summary = read(&out.join("summary.csv"));
    let table = rows(&summary);
    assert_eq!(
        summary.lines().next(),
        Some("scenario,metric,mean,std,ci_low,ci_high,replications")
    );
    let metrics: Vec<&str> = table[1..].iter().map(|r| r[1].as_str()).collect();
    for m in [
        "offered",
        "answered",
        "abandoned",
        "blocked",
        "p_abandon",
        "p_wait",
        "asa_s",
        "mean_wait_s",
        "service_level",
        "occupancy",
        "aht_s",
        "cost_agents",
    ] {
        assert!(metrics.contains(&m), "metric {m} missing from {metrics:?}");
    }
    for r in &table[1..] {
        assert_eq!(r.len(), 7, "{r:?}");
        assert_eq!(r[0], "small");
        if r[6] == "0" {
            // A metric no replication defines (no email here): its row, with empty cells.
            assert_eq!(&r[2..6], ["", "", "", ""], "{r:?}");
            continue;
        }
        let num = |i: usize| -> f64 {
            r[i].parse()
                .unwrap_or_else(|_| panic!("column {i} of {r:?} is not a number"))
        };
        let (mean, lo, hi) = (num(2), num(4), num(5));
        assert!(num(3) >= 0.0, "{r:?}");
        assert!(
            lo <= mean && mean <= hi,
            "interval does not hold the mean: {r:?}"
        );
        assert_eq!(r[6], "3", "{r:?}");
    }
    let value = |m: &str| -> f64 {
        table
            .iter()
            .find(|r| r[1] == m)
            .map(|r| r[2].parse().unwrap())
            .unwrap()
    };
    assert!(value("offered") > 1000.0, "{summary}");
    assert!(value("cost_agents") > 0.0, "{summary}");
    // 8 agents × 24 h × 25 per hour.
    assert!((value("cost_agents") - 4800.0).abs() < 1e-6, "{summary}");

    let header = |f: &str| read(&out.join(f)).lines().next().unwrap_or("").to_string();
    assert_eq!(
        header("breakdown.csv"),
        "scenario,dimension,key,metric,mean,std,ci_low,ci_high,replications"
    );
    assert_eq!(
        header("replications.csv"),
        "scenario,replication,metric,value"
    );
    let reps = read(&out.join("replications.csv"));
    let ids: std::collections::BTreeSet<String> =
        rows(&reps)[1..].iter().map(|r| r[1].clone()).collect();
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["0", "1", "2"]);
    assert!(
        header("intervals.csv").starts_with("scenario,"),
        "{}",
        header("intervals.csv")
    );

    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).expect("manifest.json parses");
    let version = manifest["ccsim_version"].as_str().expect("ccsim_version");
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let sha = manifest["scenario_sha256"]
        .as_str()
        .expect("scenario_sha256");
    assert_eq!(sha.len(), 64, "{sha}");
    assert!(
        sha.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(manifest["seed"].as_u64(), Some(1));
    assert_eq!(manifest["replications"].as_u64(), Some(3));
    assert_eq!(manifest["threads"].as_u64(), Some(1));
}

#[test]
fn the_seed_changes_results_and_the_same_seed_repeats_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let run = |name: &str, seed: &str| -> Vec<u8> {
        let out = dir.path().join(name);
        run_ok(&file, &out, &["--seed", seed, "--threads", "1"]);
        std::fs::read(out.join("summary.csv")).unwrap()
    };
    let a = run("a", "7");
    let b = run("b", "7");
    let c = run("c", "8");
    assert_eq!(a, b, "same seed, different summary.csv");
    assert_ne!(a, c, "--seed did not change the results");
    let manifest = read(&dir.path().join("c/manifest.json"));
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["seed"].as_u64(), Some(8));
}

/// A reused results folder holds one run: files an earlier run wrote and this one does not
/// (journeys.csv of a traced run, its report.html) go; the user's own files stay.
#[test]
fn a_reused_folder_keeps_no_files_of_the_earlier_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    run_ok(&file, &out, &["--trace", "--report"]);
    assert!(out.join("journeys.csv").exists() && out.join("report.html").exists());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    run_ok(&file, &out, &["--seed", "9"]);
    assert!(
        !out.join("journeys.csv").exists(),
        "stale journeys.csv kept"
    );
    assert!(!out.join("report.html").exists(), "stale report.html kept");
    assert_eq!(read(&out.join("notes.txt")), "mine");
    let m: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let listed: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let mut present: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "notes.txt")
        .collect();
    present.sort();
    let mut listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(present, listed);
    // A folder that held no ccsim results keeps a file named like one (user data).
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("journeys.csv"), "seconds\n1\n").unwrap();
    run_ok(&file, &data, &[]);
    assert_eq!(read(&data.join("journeys.csv")), "seconds\n1\n");
}

#[test]
fn json_and_toml_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let toml = write(dir.path(), "from_toml.toml", SMALL);
    let json = write(dir.path(), "from_json.json", SMALL_JSON);
    let (a, b) = (dir.path().join("t"), dir.path().join("j"));
    run_ok(&toml, &a, &["--threads", "1"]);
    run_ok(&json, &b, &["--threads", "1"]);
    for f in [
        "summary.csv",
        "breakdown.csv",
        "replications.csv",
        "intervals.csv",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between TOML and JSON"
        );
    }
}

#[test]
fn missing_and_unreadable_files_are_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.toml");
    for sub in ["run", "validate"] {
        let o = ccsim(&[sub, s(&missing)]);
        let err = assert_user_error(&o);
        assert!(err.contains(&missing.display().to_string()), "{err}");
    }
    // A folder in place of a file cannot be read.
    let folder = dir.path().join("folder.toml");
    std::fs::create_dir(&folder).unwrap();
    let err = assert_user_error(&ccsim(&["validate", s(&folder)]));
    assert!(err.contains(&folder.display().to_string()), "{err}");
}

#[test]
fn invalid_utf8_is_a_user_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("latin1.toml");
    let mut bytes = SMALL
        .replace("name = \"small\"", "description = \"caf?\"")
        .into_bytes();
    let q = bytes.iter().position(|b| *b == b'?').unwrap();
    bytes[q] = 0xE9;
    std::fs::write(&file, bytes).unwrap();
    let out = dir.path().join("out");
    let err = assert_user_error(&ccsim(&["run", s(&file), "--out", s(&out)]));
    assert!(err.contains("UTF-8"), "{err}");
    assert!(err.contains(&format!("{}:2:", file.display())), "{err}");
    assert!(!out.exists());
}

#[test]
fn empty_files_are_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    let toml = write(dir.path(), "empty.toml", "");
    let err = assert_user_error(&ccsim(&[
        "run",
        s(&toml),
        "--out",
        s(&dir.path().join("o")),
    ]));
    assert!(err.contains("[arrivals]"), "{err}");
    assert!(
        err.contains("[[reason]]") && err.contains("[[group]]"),
        "{err}"
    );
    let json = write(dir.path(), "empty.json", "");
    let err = assert_user_error(&ccsim(&["validate", s(&json)]));
    assert!(err.contains("empty"), "{err}");
    let blank = write(dir.path(), "blank.toml", "\n\n   \n# only a comment\n");
    assert_user_error(&ccsim(&["validate", s(&blank)]));
    assert!(!dir.path().join("o").exists());
}

#[test]
fn bad_command_line_values_are_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    let err = assert_user_error(&ccsim(&[
        "run",
        s(&file),
        "--out",
        s(&out),
        "--replications",
        "0",
    ]));
    assert!(err.contains("--replications"), "{err}");
    assert!(!out.exists());
    // The results folder is a file.
    let taken = write(dir.path(), "taken", "x");
    let err = assert_user_error(&ccsim(&["run", s(&file), "--out", s(&taken), "-q"]));
    assert!(err.contains(&taken.display().to_string()), "{err}");
    // Unknown flags are rejected by the parser with its own code, never a panic.
    let o = ccsim(&["run", s(&file), "--sed", "3"]);
    assert_ne!(code(&o), Some(0));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn quiet_run_prints_nothing_and_a_normal_run_prints_a_headline() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let o = ccsim(&["run", s(&file), "--out", s(&dir.path().join("q")), "-q"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    let o = ccsim(&[
        "run",
        s(&file),
        "--out",
        s(&dir.path().join("v")),
        "--threads",
        "1",
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("service_level"), "{}", stdout(&o));
}

#[test]
fn default_results_folder_is_results_slash_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "small.toml", SMALL);
    let o = ccsim_in(
        Some(dir.path()),
        &["run", "small.toml", "-q", "--threads", "1"],
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("results/small/summary.csv").is_file());
}

/// A scenario name must not steer the default results folder out of `results/`.
#[test]
fn scenario_name_cannot_escape_the_results_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "dots.toml",
        &SMALL.replace("name = \"small\"", "name = \"..\""),
    );
    let o = ccsim_in(
        Some(dir.path()),
        &["run", "dots.toml", "-q", "--threads", "1"],
    );
    if code(&o) == Some(0) {
        assert!(
            !dir.path().join("summary.csv").exists(),
            "results were written next to the scenario, outside results/"
        );
    } else {
        assert_user_error(&o);
    }
}

/// A sweep file given to `run`, or a scenario file given to `sweep`, gets one error saying
/// which command takes it; `validate` checks a sweep file as a sweep.
#[test]
fn sweep_and_scenario_files_given_to_the_wrong_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let sweep = root.join("sweeps/taylorism-vs-empowered.toml");
    let base = root.join("baseline.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let err = assert_user_error(&ccsim(&["run", s(&sweep), "--out", s(&out)]));
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains("this is a sweep file") && err.contains("ccsim sweep"),
        "{err}"
    );
    let err = assert_user_error(&ccsim(&["sweep", s(&base), "--out", s(&out)]));
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains("this is a scenario file") && err.contains("ccsim run"),
        "{err}"
    );
    assert!(!out.exists());
    let o = ccsim(&["validate", s(&sweep), s(&base)]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok (sweep of"), "{}", stdout(&o));
}

/// A reader that goes away (`ccsim schema | head -1`) ends ccsim quietly with success, not with
/// a panic: the pipe is closed before ccsim writes a byte.
#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    for args in [
        &["schema"][..],
        &["completions", "bash"],
        &[
            "erlang", "c", "--rate", "100/h", "--aht", "3m", "--agents", "8",
        ],
    ] {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("ccsim starts");
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("ccsim ends");
        let err = stderr(&o);
        assert_eq!(code(&o), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// `selftest --only` picks cases by name or by table, as the help's example does; a filter
/// that matches nothing is a user error, not a pass.
#[test]
fn selftest_only_matches_names_and_tables_and_refuses_nothing() {
    let o = ccsim(&[
        "selftest",
        "--replications",
        "2",
        "--arrivals",
        "2000",
        "--only",
        "erlang_b",
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("erlang_b") && out.contains("eb_p01"), "{out}");
    assert!(!out.contains("ec_p01"), "{out}");
    let o = ccsim(&["selftest", "--only", "zzz"]);
    let err = assert_user_error(&o);
    assert!(
        err.contains("no reference case matches --only zzz"),
        "{err}"
    );
}

/// A run into a folder where a sweep was killed replaces it wholly: the sweep's resume journal
/// and its temporary files go, so a later `--resume` cannot pick the old sweep up again.
#[test]
fn a_run_over_an_interrupted_sweep_removes_its_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for leftover in [
        ".sweep-progress",
        ".differences.csv.tmp",
        ".scenarios.csv.tmp",
    ] {
        std::fs::write(out.join(leftover), "left by a killed sweep").unwrap();
    }
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    run_ok(&file, &out, &[]);
    for leftover in [
        ".sweep-progress",
        ".differences.csv.tmp",
        ".scenarios.csv.tmp",
    ] {
        assert!(!out.join(leftover).exists(), "{leftover} is left");
    }
    assert!(
        out.join("notes.txt").exists(),
        "a file that is not ccsim's stays"
    );
    assert!(out.join("summary.csv").exists());
}
