//! Sweeps: grid and random designs, readable names, paired differences with common random
//! numbers (tighter than unpaired), byte-identical results at any thread count, clear errors
//! for bad paths.

use std::path::{Path, PathBuf};
use std::process::Command;

const BASE: &str = r#"
[scenario]
name = "base"
seed = 3
replications = 8
horizon = "1d"
[arrivals]
rate = "120/h"
[[persona]]
name = "c"
patience = { dist = "exponential", mean = "4m" }
persistence = { retry = 0.5, delay = { dist = "exponential", mean = "1h" }, max_attempts = 3 }
[[reason]]
name = "q"
skill = "s"
authority = 1
handle = { dist = "exponential", mean = "5m" }
resolve = 0.8
[[group]]
name = "care"
skills = { s = 1.0 }
agents = 12
[[group]]
name = "back"
skills = { s = 1.0 }
authority = 1
agents = 3
"#;

fn setup(sweep: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), BASE).unwrap();
    let file = dir.path().join("sweep.toml");
    std::fs::write(&file, sweep).unwrap();
    (dir, file)
}

fn ccsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .output()
        .expect("ccsim runs")
}

fn run(file: &Path, out: &Path, threads: &str) {
    let o = ccsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        threads,
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

const GRID: &str = r#"
[sweep]
base = "base.toml"
compare_to = "base"
[sweep.vary]
"group.care.agents" = [10, 12]
"group.care.authority" = [0, 1]
"#;

#[test]
fn a_grid_sweep_writes_every_scenario_the_same_at_any_thread_count() {
    let (dir, file) = setup(GRID);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&file, &a, "1");
    run(&file, &b, "2");
    for f in [
        "summary.csv",
        "breakdown.csv",
        "replications.csv",
        "intervals.csv",
        "differences.csv",
        "scenarios.csv",
    ] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert_eq!(x, y, "{f} differs between 1 and 2 threads");
    }
    let scenarios = std::fs::read_to_string(a.join("scenarios.csv")).unwrap();
    assert!(scenarios.starts_with("scenario,group.care.agents,group.care.authority\n"));
    assert!(
        scenarios.contains("\"agents=10,authority=1\",10,1"),
        "{scenarios}"
    );
    assert_eq!(scenarios.lines().count(), 1 + 1 + 4);
    let summary = std::fs::read_to_string(a.join("summary.csv")).unwrap();
    assert_eq!(summary.matches("scenario,metric").count(), 1, "one header");
    assert!(summary.contains("\"agents=12,authority=1\",fcr,"));
}

fn column(path: &Path, scenario: &str, metric: &str) -> Vec<f64> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| {
            l.starts_with(&format!("\"{scenario}\",")) || l.starts_with(&format!("{scenario},"))
        })
        .filter(|l| l.contains(&format!(",{metric},")))
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn common_random_numbers_make_paired_differences_tight() {
    let (dir, file) = setup(GRID);
    let out = dir.path().join("o");
    run(&file, &out, "2");
    let reps = out.join("replications.csv");
    let base = column(&reps, "base", "asa_s");
    let more = column(&reps, "agents=10,authority=0", "asa_s");
    assert_eq!(base.len(), 8);
    let var = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
    };
    let paired: Vec<f64> = base.iter().zip(&more).map(|(a, b)| b - a).collect();
    let unpaired = var(&base) + var(&more);
    // Same arrivals, patience and handle times in both: the paired variance is far smaller.
    assert!(
        var(&paired) * 4.0 < unpaired,
        "paired {} vs unpaired {unpaired}",
        var(&paired)
    );
    let diffs = std::fs::read_to_string(out.join("differences.csv")).unwrap();
    assert!(
        diffs.contains("base,asa_s,0,0,0,0,8"),
        "the base against itself"
    );
}

#[test]
fn a_random_design_draws_ranges_by_latin_hypercube() {
    let (dir, file) = setup(
        r#"
[sweep]
base = "base.toml"
design = "random"
samples = 6
seed = 11
[sweep.vary]
"group.care.agents" = { min = 8, max = 13 }
"reason.q.handle.mean" = { min = "4m", max = "6m" }
"#,
    );
    let out = dir.path().join("o");
    run(&file, &out, "2");
    let text = std::fs::read_to_string(out.join("scenarios.csv")).unwrap();
    let mut agents: Vec<i64> = text
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').nth(1).unwrap().parse().unwrap())
        .collect();
    agents.sort_unstable();
    assert_eq!(
        agents,
        vec![8, 9, 10, 11, 12, 13],
        "one draw per stratum: {text}"
    );
}

#[test]
fn bad_paths_name_the_valid_ones() {
    let (dir, file) = setup(
        r#"
[sweep]
base = "base.toml"
[sweep.vary]
"group.carre.agents" = [10, 12]
"#,
    );
    let o = ccsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("sweep.toml:5:"), "{err}");
    assert!(err.contains("did you mean `group.care`"), "{err}");
    assert!(!dir.path().join("o").exists());
    let (dir, file) =
        setup("[sweep]\nbase = \"base.toml\"\n[sweep.vary]\n\"policy.contxt\" = [\"siloed\"]\n");
    let o = ccsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `context`"), "{err}");
}

#[test]
fn a_killed_sweep_resumes_to_the_same_bytes() {
    let sweep = r#"
[sweep]
base = "base.toml"
compare_to = "base"
replications = 6
[sweep.vary]
"group.care.agents" = [9, 10, 11, 12, 13, 14]
"group.care.authority" = [0, 1]
"#;
    let (dir, file) = setup(&sweep.replace("base.toml", "long.toml"));
    let long = BASE.replace("horizon = \"1d\"", "horizon = \"6d\"");
    std::fs::write(dir.path().join("long.toml"), long).unwrap();
    let whole = dir.path().join("whole");
    run(&file, &whole, "2");
    let part = dir.path().join("part");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            part.to_str().unwrap(),
            "--threads",
            "1",
            "-q",
        ])
        .spawn()
        .unwrap();
    let journal = part.join(".sweep-progress");
    let start = std::time::Instant::now();
    let mut killed = false;
    while start.elapsed() < std::time::Duration::from_secs(60) {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        let lines = std::fs::read_to_string(&journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines >= 2 {
            killed = child.kill().is_ok();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    if !killed {
        assert!(
            status.success(),
            "the sweep finished before it could be killed"
        );
    }
    if killed {
        assert!(
            !part.join("summary.csv").exists(),
            "no finished file after a kill"
        );
        assert!(!part.join("manifest.json").exists());
        let o = ccsim(&[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            part.to_str().unwrap(),
            "--resume",
            "-q",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for f in [
        "summary.csv",
        "breakdown.csv",
        "replications.csv",
        "intervals.csv",
        "differences.csv",
        "scenarios.csv",
    ] {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(part.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(
        !journal.exists(),
        "the journal goes once the sweep is whole"
    );
    let again = ccsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        part.to_str().unwrap(),
        "--resume",
        "-q",
    ]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "a finished sweep has nothing to resume"
    );
    // Another sweep cannot resume this folder.
    std::fs::write(part.join(".sweep-progress"), "0000\n").unwrap();
    let other = ccsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        part.to_str().unwrap(),
        "--resume",
        "-q",
    ]);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("another sweep"));
}

#[test]
fn shards_merge_to_the_bytes_of_one_run_and_a_missing_shard_is_named() {
    let (dir, file) = setup(GRID);
    let whole = dir.path().join("whole");
    run(&file, &whole, "2");
    let shard = |k: usize| dir.path().join(format!("shard-{k}"));
    for k in 1..=3 {
        let o = ccsim(&[
            "sweep",
            file.to_str().unwrap(),
            "--shard",
            &format!("{k}/3"),
            "--out",
            shard(k).to_str().unwrap(),
            "--threads",
            "1",
            "-q",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let merged = dir.path().join("merged");
    let args = |out: &Path, ks: &[usize]| {
        let mut a = vec!["merge".to_string()];
        a.extend(ks.iter().map(|k| shard(*k).to_str().unwrap().to_string()));
        a.extend(["--out".to_string(), out.to_str().unwrap().to_string()]);
        a
    };
    let a = args(&merged, &[3, 1, 2]);
    let o = ccsim(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "summary.csv",
        "breakdown.csv",
        "replications.csv",
        "intervals.csv",
        "differences.csv",
        "scenarios.csv",
    ] {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
            "{f}"
        );
    }
    // manifest.json: the keys of one run's, in the same order, then merged_from; the values
    // the same but for the timing fields (started: the earliest shard's; wall_seconds: the sum
    // over the shards; threads: the most any shard used).
    let manifest = |dir: &Path| -> (Vec<String>, serde_json::Value) {
        let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        let keys = text
            .lines()
            .filter_map(|l| l.strip_prefix("  \""))
            .filter_map(|l| l.split_once("\":").map(|(k, _)| k.to_string()))
            .collect();
        (keys, serde_json::from_str(&text).unwrap())
    };
    let (one_keys, mut one) = manifest(&whole);
    let (merged_keys, mut all) = manifest(&merged);
    let mut want = one_keys.clone();
    want.push("merged_from".into());
    assert_eq!(merged_keys, want);
    let walls: f64 = (1..=3)
        .map(|k| manifest(&shard(k)).1["wall_seconds"].as_f64().unwrap())
        .sum();
    assert!((all["wall_seconds"].as_f64().unwrap() - walls).abs() < 1e-9);
    assert_eq!(all["threads"], 1);
    assert_eq!(all["merged_from"].as_array().unwrap().len(), 3);
    for k in ["started", "wall_seconds", "threads", "merged_from"] {
        one.as_object_mut().unwrap().remove(k);
        all.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(one, all);
    std::fs::remove_dir_all(shard(2)).unwrap();
    let bad = dir.path().join("bad");
    let a = args(&bad, &[1, 3]);
    let o = ccsim(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("shard 2/3 missing"), "{err}");
    assert!(!bad.join("summary.csv").exists());
    // Re-run the missing shard alone and the merge is whole again.
    let o = ccsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--shard",
        "2/3",
        "--out",
        shard(2).to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success());
    let a = args(&bad, &[1, 2, 3]);
    assert!(
        ccsim(&a.iter().map(String::as_str).collect::<Vec<_>>())
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(whole.join("summary.csv")).unwrap(),
        std::fs::read(bad.join("summary.csv")).unwrap()
    );
    // A shard of another sweep is refused.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, GRID.replace("[10, 12]", "[10, 11]")).unwrap();
    let o = ccsim(&[
        "sweep",
        other.to_str().unwrap(),
        "--shard",
        "2/3",
        "--out",
        dir.path().join("x").to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success());
    let mixed = [
        "merge".to_string(),
        shard(1).to_str().unwrap().into(),
        dir.path().join("x").to_str().unwrap().into(),
        shard(3).to_str().unwrap().into(),
        "--out".into(),
        dir.path().join("m2").to_str().unwrap().into(),
    ];
    let o = ccsim(&mixed.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another sweep"));
    let script = ccsim(&[
        "slurm",
        file.to_str().unwrap(),
        "--shards",
        "4",
        "--out",
        "out",
    ]);
    let text = String::from_utf8_lossy(&script.stdout);
    assert!(
        text.contains("#SBATCH --array=1-4")
            && text.contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\""),
        "{text}"
    );
}

/// The progress bar is drawn on stderr only when it is a terminal: with stderr piped there is
/// nothing on it (no carriage return, no escape sequence), and --quiet prints nothing at all.
/// On a pseudo-terminal (util-linux `script`, where installed) the bar is drawn, not with -q.
#[test]
fn the_progress_bar_is_drawn_only_on_a_terminal_and_never_with_quiet() {
    let (dir, file) = setup(GRID);
    let out = dir.path().join("piped");
    let o = ccsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "stderr is not a terminal: no bar, got {:?}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("5 scenarios, 40 replications"), "{stdout}");
    assert!(!stdout.contains(['\r', '\x1b']), "{stdout:?}");
    let quiet = dir.path().join("quiet");
    let o = ccsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        quiet.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "{o:?}");

    // On a terminal.
    let on_tty = |out: &Path, extra: &str| {
        let cmd = format!(
            "'{}' sweep '{}' --out '{}' --threads 2 {extra}",
            env!("CARGO_BIN_EXE_ccsim"),
            file.display(),
            out.display()
        );
        Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .env("TERM", "xterm")
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    let Some(o) = on_tty(&dir.path().join("tty"), "") else {
        eprintln!("SKIP: the terminal case (util-linux `script` is not available)");
        return;
    };
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("/5 scenarios, ") && text.contains("replications/s, ETA"),
        "no bar on a terminal: {text:?}"
    );
    let o = on_tty(&dir.path().join("tty-quiet"), "-q").expect("script ran once already");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains("scenarios"), "{text:?}");
}
