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

/// `ccsim sweep FILE --out OUT` with `extra` arguments.
fn sweep_cmd(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    ccsim(&args)
}

fn run(file: &Path, out: &Path, threads: &str) {
    let o = sweep_cmd(file, out, &["--threads", threads, "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Run shard `shard` ("K/N") of sweep `file` into `out` on one thread; it must succeed.
fn run_shard(file: &Path, shard: &str, out: &Path) {
    let o = sweep_cmd(file, out, &["--shard", shard, "--threads", "1", "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Start `ccsim` with `args` (a sweep into `out`) and kill it once its resume journal
/// satisfies `ready` (within a minute). Returns whether it was killed, and its exit status.
fn sweep_killed_when(
    args: &[&str],
    out: &Path,
    ready: impl Fn(&str) -> bool,
) -> (bool, std::process::ExitStatus) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .spawn()
        .unwrap();
    let journal = out.join(".sweep-progress");
    let start = std::time::Instant::now();
    let mut killed = false;
    while start.elapsed() < std::time::Duration::from_secs(60) {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if std::fs::read_to_string(&journal).is_ok_and(|t| ready(&t)) {
            killed = child.kill().is_ok();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    (killed, child.wait().unwrap())
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
    let o = sweep_cmd(&file, &dir.path().join("o"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("sweep.toml:5:"), "{err}");
    assert!(err.contains("did you mean `group.care`"), "{err}");
    assert!(!dir.path().join("o").exists());
    let (dir, file) =
        setup("[sweep]\nbase = \"base.toml\"\n[sweep.vary]\n\"policy.contxt\" = [\"siloed\"]\n");
    let o = sweep_cmd(&file, &dir.path().join("o"), &[]);
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
    let (killed, status) = sweep_killed_when(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            part.to_str().unwrap(),
            "--threads",
            "1",
            "-q",
        ],
        &part,
        |journal| journal.lines().count() >= 2,
    );
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
        let o = sweep_cmd(&file, &part, &["--resume", "-q"]);
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
        !part.join(".sweep-progress").exists(),
        "the journal goes once the sweep is whole"
    );
    let again = sweep_cmd(&file, &part, &["--resume", "-q"]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "a finished sweep has nothing to resume"
    );
    // Another sweep cannot resume this folder.
    std::fs::write(part.join(".sweep-progress"), "0000\n").unwrap();
    let other = sweep_cmd(&file, &part, &["--resume", "-q"]);
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
        run_shard(&file, &format!("{k}/3"), &shard(k));
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
    run_shard(&file, "2/3", &shard(2));
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
    run_shard(&other, "2/3", &dir.path().join("x"));
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
    let o = sweep_cmd(&file, &out, &["--threads", "2"]);
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
    let o = sweep_cmd(&file, &quiet, &["-q"]);
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

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn sweep_err(file: &Path, dir: &Path) -> String {
    let o = sweep_cmd(file, &dir.join("refused"), &[]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `compare_to` may name the base scenario by its name (`[scenario] name`, else the file stem),
/// as the contract's example does (`compare_to = "baseline"`): the same as `"base"`.
#[test]
fn compare_to_may_name_the_base_by_its_name() {
    let sweep = |compare: &str, base: &str| {
        format!(
            "[sweep]\nbase = \"{base}\"\ncompare_to = \"{compare}\"\nreplications = 3\n[sweep.vary]\n\"group.care.agents\" = [10, 12]\n"
        )
    };
    let (dir, file) = setup(&sweep("base", "base.toml"));
    let by_base = dir.path().join("by-base");
    run(&file, &by_base, "2");
    // By its `[scenario] name`.
    let named = BASE.replace("name = \"base\"", "name = \"baseline\"");
    std::fs::write(dir.path().join("named.toml"), &named).unwrap();
    std::fs::write(&file, sweep("baseline", "named.toml")).unwrap();
    let by_name = dir.path().join("by-name");
    run(&file, &by_name, "2");
    // By its file stem when it has no name.
    let unnamed = BASE.replace("name = \"base\"\n", "");
    std::fs::write(dir.path().join("plain.toml"), &unnamed).unwrap();
    std::fs::write(&file, sweep("plain", "plain.toml")).unwrap();
    let by_stem = dir.path().join("by-stem");
    run(&file, &by_stem, "2");
    // By its file stem even when it has a name: the contract's `base = "../baseline.toml"`
    // with `compare_to = "baseline"`, whatever the file's `[scenario] name` says.
    std::fs::write(&file, sweep("named", "named.toml")).unwrap();
    let by_named_stem = dir.path().join("by-named-stem");
    run(&file, &by_named_stem, "2");
    for out in [&by_name, &by_stem, &by_named_stem] {
        for f in ["summary.csv", "differences.csv", "scenarios.csv"] {
            assert_eq!(
                std::fs::read_to_string(by_base.join(f)).unwrap(),
                std::fs::read_to_string(out.join(f)).unwrap(),
                "{f}"
            );
        }
        // The results name the base `base`, and so does the manifest.
        assert_eq!(manifest(out)["compare_to"], "base");
    }
    let diffs = std::fs::read_to_string(by_name.join("differences.csv")).unwrap();
    assert!(diffs.contains("\nbase,asa_s,0,0,0,0,3\n"), "{diffs}");
    // "base" still works whatever the base is called; an unknown name lists the base's.
    std::fs::write(&file, sweep("base", "named.toml")).unwrap();
    run(&file, &dir.path().join("named-base"), "2");
    std::fs::write(&file, sweep("baseline2", "named.toml")).unwrap();
    let err = sweep_err(&file, dir.path());
    assert!(
        err.contains("\"baseline2\" is not a scenario of the sweep"),
        "{err}"
    );
    assert!(
        err.contains("use \"base\" or \"baseline\" or \"named\" (the base scenario as it is) or one of: \"agents=10\", \"agents=12\""),
        "{err}"
    );
}

fn scenario_names(out: &Path) -> Vec<String> {
    std::fs::read_to_string(out.join("scenarios.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| match l.strip_prefix('"') {
            Some(quoted) => quoted.split('"').next().unwrap().to_string(),
            None => l.split(',').next().unwrap().to_string(),
        })
        .collect()
}

/// A random design never runs a point twice: it draws until `samples` distinct points, or
/// runs each point of a smaller space once and says so (stderr, manifest.json).
#[test]
fn a_random_design_never_repeats_a_scenario() {
    let random = |samples: Option<u32>, vary: &str| {
        let samples = samples.map_or(String::new(), |n| format!("samples = {n}\n"));
        format!(
            "[sweep]\nbase = \"base.toml\"\ndesign = \"random\"\n{samples}seed = 7\nreplications = 2\n[sweep.vary]\n{vary}\n"
        )
    };
    // A list of four values, five samples: each value once, and a notice.
    let (dir, file) = setup(&random(Some(5), "\"group.care.agents\" = [35, 40, 45, 50]"));
    let out = dir.path().join("list");
    let o = sweep_cmd(&file, &out, &["--threads", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("note: ")
            && err.contains("only 4 distinct points, fewer than samples = 5; each runs once"),
        "{err}"
    );
    let mut names = scenario_names(&out);
    names.sort();
    assert_eq!(names, ["agents=35", "agents=40", "agents=45", "agents=50"]);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let fcr: Vec<&str> = summary.lines().filter(|l| l.contains(",fcr,")).collect();
    assert_eq!(fcr.len(), 4, "one row per scenario and metric: {fcr:?}");
    let m = manifest(&out);
    assert_eq!(m["samples_distinct"], 4);
    assert_eq!(m["scenarios"], 4);
    // Quiet: no notice.
    let o = sweep_cmd(&file, &dir.path().join("quiet"), &["-q"]);
    assert!(o.status.success() && o.stderr.is_empty(), "{o:?}");
    // An integer range of 11 numbers and the default 100 samples: 11 scenarios.
    std::fs::write(
        &file,
        random(None, "\"group.care.agents\" = { min = 10, max = 20 }"),
    )
    .unwrap();
    let out = dir.path().join("range");
    run(&file, &out, "2");
    let mut names = scenario_names(&out);
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 11);
    assert_eq!(manifest(&out)["samples_distinct"], 11);
    // A space larger than the samples but small enough to repeat: 12 distinct of 12 points
    // would take many draws, 8 of them are all distinct, the same on every run (same seed,
    // same points in the same order), and no `samples_distinct`.
    std::fs::write(
        &file,
        random(
            Some(8),
            "\"group.care.agents\" = [10, 11, 12]\n\"group.care.authority\" = { min = 0, max = 3 }",
        ),
    )
    .unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&file, &a, "1");
    run(&file, &b, "2");
    let names = scenario_names(&a);
    assert_eq!(names, scenario_names(&b));
    let mut distinct = names.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!((names.len(), distinct.len()), (8, 8), "{names:?}");
    assert!(manifest(&a).get("samples_distinct").is_none());
}

/// Tables are values like any other: two distributions of one key are two scenarios, named
/// by every key and value of the table; the same table twice is refused like any value.
#[test]
fn a_sweep_may_list_distribution_tables() {
    let (dir, file) = setup(
        "[sweep]\nbase = \"base.toml\"\nreplications = 2\n[sweep.vary]\n\"reason.q.handle\" = [{ dist = \"exponential\", mean = \"4m\" }, { dist = \"constant\", value = \"4m\" }]\n",
    );
    let out = dir.path().join("out");
    run(&file, &out, "2");
    let names = scenario_names(&out);
    assert!(
        names.contains(&"handle={dist=exponential mean=4m}".to_string())
            && names.contains(&"handle={dist=constant value=4m}".to_string()),
        "{names:?}"
    );
    // Each table reaches the engine: the same seeds give other handle times.
    let aht = |name: &str| column(&out.join("replications.csv"), name, "aht_s");
    let (exp, constant) = (
        aht("handle={dist=exponential mean=4m}"),
        aht("handle={dist=constant value=4m}"),
    );
    assert_eq!((exp.len(), constant.len()), (2, 2));
    assert_ne!(exp, constant);
    std::fs::write(
        &file,
        "[sweep]\nbase = \"base.toml\"\n[sweep.vary]\n\"reason.q.handle\" = [{ dist = \"constant\", value = \"4m\" }, { dist = \"constant\", value = \"4m\" }]\n",
    )
    .unwrap();
    let err = sweep_err(&file, dir.path());
    assert!(
        err.contains("`{dist=constant value=4m}` is listed twice"),
        "{err}"
    );
}

/// A value listed twice would run one scenario twice under one name: refused.
#[test]
fn a_value_listed_twice_is_refused() {
    let (dir, file) = setup(
        "[sweep]\nbase = \"base.toml\"\n[sweep.vary]\n\"group.care.agents\" = [10, 12, 10]\n",
    );
    let err = sweep_err(&file, dir.path());
    assert!(err.contains("sweep.toml:4:"), "{err}");
    assert!(err.contains("`10` is listed twice"), "{err}");
}

/// manifest.json of a sweep records the seed every scenario runs with and the replications of
/// each (the contract lists both); a shard and a merge carry them too.
#[test]
fn the_sweep_manifest_records_seed_and_replications() {
    let (dir, file) = setup(GRID);
    let out = dir.path().join("o");
    run(&file, &out, "2");
    let m = manifest(&out);
    assert_eq!(m["seed"], 3, "the base's seed: {m}");
    assert_eq!(m["replications"], 8, "the base's replications: {m}");
    assert_eq!(m["sl_threshold_s"], 20.0);
    // sweep.replications overrides the base's.
    std::fs::write(
        &file,
        GRID.replace("compare_to", "replications = 3\ncompare_to"),
    )
    .unwrap();
    for k in 1..=2 {
        let shard = dir.path().join(format!("shard-{k}"));
        run_shard(&file, &format!("{k}/2"), &shard);
        assert_eq!(manifest(&shard)["replications"], 3);
        assert_eq!(manifest(&shard)["seed"], 3);
    }
    let merged = dir.path().join("merged");
    let o = ccsim(&[
        "merge",
        dir.path().join("shard-1").to_str().unwrap(),
        dir.path().join("shard-2").to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = manifest(&merged);
    assert_eq!(
        (m["seed"].clone(), m["replications"].clone()),
        (3.into(), 3.into())
    );
    // A seed over i64's range is written as it is.
    std::fs::write(
        dir.path().join("base.toml"),
        BASE.replace("seed = 3", "seed = \"18446744073709551615\""),
    )
    .unwrap();
    let big = dir.path().join("big");
    run(&file, &big, "2");
    let text = std::fs::read_to_string(big.join("manifest.json")).unwrap();
    assert!(text.contains("\"seed\": 18446744073709551615,"), "{text}");
    // ccsim verify accepts the folder.
    let o = ccsim(&["verify", big.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A swept seed, replications count or service-level threshold differs between scenarios: the
/// manifest leaves it out (scenarios.csv has each scenario's value), never records one value
/// that is wrong for some scenarios.
#[test]
fn a_swept_seed_replications_or_threshold_is_left_out_of_the_manifest() {
    let (dir, file) = setup(
        "[sweep]\nbase = \"base.toml\"\ncompare_to = \"base\"\n[sweep.vary]\n\"scenario.seed\" = [3, 4]\n\"scenario.replications\" = [2, 3]\n\"scenario.sl_threshold\" = [\"20s\", \"30s\"]\n",
    );
    let out = dir.path().join("o");
    run(&file, &out, "2");
    let m = manifest(&out);
    for k in ["seed", "replications", "sl_threshold_s"] {
        assert!(m.get(k).is_none(), "{k} varies: {m}");
    }
    let csv = std::fs::read_to_string(out.join("scenarios.csv")).unwrap();
    assert!(
        csv.starts_with(
            "scenario,scenario.seed,scenario.replications,scenario.sl_threshold\nbase,3,8,20s\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("\"seed=4,replications=3,sl_threshold=30s\",4,3,30s\n"),
        "{csv}"
    );
    // `ccsim compare` then cannot pair replications across folders: Welch.
    let o = ccsim(&["compare", out.to_str().unwrap(), out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Welch"),
        "{o:?}"
    );
    // Only the threshold varies: seed and replications are common, the threshold left out.
    std::fs::write(
        &file,
        "[sweep]\nbase = \"base.toml\"\n[sweep.vary]\n\"scenario.sl_threshold\" = [\"20s\", \"30s\"]\n",
    )
    .unwrap();
    let out = dir.path().join("sl");
    run(&file, &out, "2");
    let m = manifest(&out);
    assert_eq!(
        (m["seed"].clone(), m["replications"].clone()),
        (3.into(), 8.into())
    );
    assert!(m.get("sl_threshold_s").is_none(), "{m}");
    // The same threshold listed in two spellings is one threshold.
    std::fs::write(
        &file,
        "[sweep]\nbase = \"base.toml\"\n[sweep.vary]\n\"scenario.sl_threshold\" = [\"30s\", \"0.5m\"]\n",
    )
    .unwrap();
    let out = dir.path().join("same");
    run(&file, &out, "2");
    assert_eq!(manifest(&out)["sl_threshold_s"], 30.0);
    // sweep.replications would override a swept scenario.replications: refused.
    std::fs::write(
        &file,
        "[sweep]\nbase = \"base.toml\"\nreplications = 2\n[sweep.vary]\n\"scenario.replications\" = [2, 3]\n",
    )
    .unwrap();
    let err = sweep_err(&file, dir.path());
    assert!(err.contains("sweep.toml:5:"), "{err}");
    assert!(
        err.contains("`sweep.replications` sets the replications of every scenario"),
        "{err}"
    );
}

/// The base row of scenarios.csv gives the base's own value of each swept key: as its file
/// gives it, else the key's default; empty when the default is no single value.
#[test]
fn the_base_row_of_scenarios_csv_holds_the_base_values() {
    let (dir, file) = setup(
        "[sweep]\nbase = \"base.toml\"\ncompare_to = \"base\"\n[sweep.vary]\n\"group.care.agents\" = [10, 14]\n\"reason.q.handle.mean\" = [\"4m\", \"6m\"]\n\"policy.context\" = [\"siloed\"]\n\"scenario.sl_threshold\" = [\"30s\"]\n\"persona.c.satisfaction\" = [4.5]\n",
    );
    let out = dir.path().join("o");
    run(&file, &out, "2");
    let csv = std::fs::read_to_string(out.join("scenarios.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "scenario,group.care.agents,reason.q.handle.mean,policy.context,scenario.sl_threshold,persona.c.satisfaction"
        )
    );
    // agents and the handle mean as the base file writes them; context and the threshold
    // their defaults; a persona's satisfaction defaults to satisfaction.base (no single
    // value): empty.
    assert_eq!(lines.next(), Some("base,12,5m,shared,20s,"), "{csv}");
    assert!(
        csv.contains(
            "\"agents=14,mean=4m,context=siloed,sl_threshold=30s,satisfaction=4.5\",14,4m,siloed,30s,4.5\n"
        ),
        "{csv}"
    );
    // The report draws the swept parameters against the design points, not the base.
    let o = ccsim(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// differences.csv is a result of `compare_to` only: a sweep without it writes none (nor lists
/// it in manifest.json), a folder reused from a sweep with it loses the stale one, and its
/// shards merge and verify without it.
#[test]
fn a_sweep_without_compare_to_writes_no_differences() {
    let plain = GRID.replace("compare_to = \"base\"\n", "");
    let (dir, file) = setup(GRID);
    let out = dir.path().join("out");
    run(&file, &out, "2");
    assert!(out.join("differences.csv").exists());
    std::fs::write(&file, &plain).unwrap();
    run(&file, &out, "2");
    assert!(
        !out.join("differences.csv").exists(),
        "stale differences.csv"
    );
    let files = manifest(&out)["files"].clone();
    assert!(!files.to_string().contains("differences.csv"), "{files}");
    assert!(files.to_string().contains("summary.csv"), "{files}");
    // Shards and their merge: the same bytes as the whole run, and no differences.csv.
    let shard = |k: usize| dir.path().join(format!("shard-{k}"));
    for k in 1..=2 {
        run_shard(&file, &format!("{k}/2"), &shard(k));
        assert!(!shard(k).join("differences.csv").exists());
    }
    let merged = dir.path().join("merged");
    let o = ccsim(&[
        "merge",
        shard(1).to_str().unwrap(),
        shard(2).to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!merged.join("differences.csv").exists());
    assert_eq!(
        std::fs::read(out.join("summary.csv")).unwrap(),
        std::fs::read(merged.join("summary.csv")).unwrap()
    );
    let o = ccsim(&["verify", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A folder left by a killed `--shard 2/3` run holds that shard's scenarios: a `--resume`
/// without `--shard`, or with another shard, is refused (it would continue as another part of
/// the sweep and write wrong results); with the same `--shard` it completes to the shard's bytes.
#[test]
fn a_resume_with_another_shard_than_the_folder_holds_is_refused() {
    let sweep = r#"
[sweep]
base = "long.toml"
compare_to = "base"
replications = 4
[sweep.vary]
"group.care.agents" = [9, 10, 11, 12, 13, 14]
"group.care.authority" = [0, 1]
"#;
    let (dir, file) = setup(sweep);
    let long = BASE.replace("horizon = \"1d\"", "horizon = \"4d\"");
    std::fs::write(dir.path().join("long.toml"), long).unwrap();
    let part = dir.path().join("part");
    // The journal names the shard from its first line on: kill the run once it is there.
    let (killed, _) = sweep_killed_when(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--shard",
            "2/3",
            "--out",
            part.to_str().unwrap(),
            "--threads",
            "1",
            "-q",
        ],
        &part,
        |journal| journal.ends_with('\n'),
    );
    assert!(killed, "the shard finished before it could be killed");
    let resume = |shard: Option<&str>| {
        let mut a = vec![
            "sweep",
            file.to_str().unwrap(),
            "--out",
            part.to_str().unwrap(),
            "--resume",
            "-q",
        ];
        if let Some(s) = shard {
            a.extend(["--shard", s]);
        }
        ccsim(&a)
    };
    for shard in [None, Some("3/3"), Some("1/2")] {
        let o = resume(shard);
        assert_eq!(o.status.code(), Some(2), "{shard:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("shard 2/3") && err.contains("--shard 2/3") && err.contains("--resume"),
            "{shard:?}: {err}"
        );
        assert!(!part.join("summary.csv").exists(), "nothing written");
        assert!(
            part.join(".sweep-progress").exists(),
            "the folder is left as it was"
        );
    }
    let o = resume(Some("2/3"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let alone = dir.path().join("alone");
    run_shard(&file, "2/3", &alone);
    for f in ["summary.csv", "replications.csv", "differences.csv"] {
        assert_eq!(
            std::fs::read(alone.join(f)).unwrap(),
            std::fs::read(part.join(f)).unwrap(),
            "{f}"
        );
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(part.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["shard"], "2/3");
}

/// `ccsim merge` checks every shard's files against the scenarios its manifest names: a file
/// cut at a line boundary, or another shard's results under this shard's manifest, is a damaged
/// shard (exit 2, naming the shard and the file), and nothing is written.
#[test]
fn merge_refuses_a_shard_whose_files_do_not_hold_its_scenarios() {
    let (dir, file) = setup(GRID);
    let shard = |k: usize| dir.path().join(format!("shard-{k}"));
    for k in 1..=3 {
        run_shard(&file, &format!("{k}/3"), &shard(k));
    }
    let merge = |dirs: &[PathBuf], out: &Path| {
        let mut a = vec!["merge".to_string()];
        a.extend(dirs.iter().map(|d| d.to_str().unwrap().to_string()));
        a.extend(["--out".to_string(), out.to_str().unwrap().to_string()]);
        ccsim(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let good = merge(&[shard(1), shard(2), shard(3)], &dir.path().join("good"));
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let copy = |k: usize, name: &str| {
        let to = dir.path().join(name);
        std::fs::create_dir(&to).unwrap();
        for e in std::fs::read_dir(shard(k)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
        to
    };
    // Files cut at a line boundary: whole lines, but too few.
    for (name, keep) in [
        ("summary.csv", 40),
        ("replications.csv", 300),
        ("differences.csv", 3),
    ] {
        let cut = copy(2, &format!("cut-{name}"));
        let text = std::fs::read_to_string(cut.join(name)).unwrap();
        let kept: String = text.split_inclusive('\n').take(keep).collect();
        assert!(kept.len() < text.len());
        std::fs::write(cut.join(name), kept).unwrap();
        let out = dir.path().join(format!("m-{name}"));
        let o = merge(&[shard(1), cut.clone(), shard(3)], &out);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(cut.to_str().unwrap())
                && err.contains(name)
                && err.contains("damaged shard")
                && err.contains("run it again"),
            "{name}: {err}"
        );
        assert!(!out.exists(), "nothing written");
    }
    // Shard 2's results under shard 3's manifest: duplicated and missing scenarios.
    let mixed = copy(3, "mixed");
    for f in [
        "summary.csv",
        "breakdown.csv",
        "replications.csv",
        "intervals.csv",
        "differences.csv",
    ] {
        std::fs::copy(shard(2).join(f), mixed.join(f)).unwrap();
    }
    let o = merge(
        &[shard(1), shard(2), mixed.clone()],
        &dir.path().join("m-mixed"),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(mixed.to_str().unwrap()) && err.contains("summary.csv"),
        "{err}"
    );
    // A row moved within a shard: the rows are out of order.
    let swapped = copy(1, "swapped");
    let text = std::fs::read_to_string(swapped.join("replications.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(2, 3);
    std::fs::write(swapped.join("replications.csv"), lines.join("\n") + "\n").unwrap();
    let o = merge(
        &[swapped, shard(2), shard(3)],
        &dir.path().join("m-swapped"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("replications.csv"));
}
