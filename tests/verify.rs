//! `ccsim verify`: a results folder re-runs to the same bytes; a changed byte is reported with
//! its file and line; a foreign or corrupted folder is refused.

use std::path::Path;
use std::process::Command;

fn ccsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .output()
        .expect("ccsim runs")
}

fn scenario(dir: &Path) -> String {
    let file = dir.join("s.toml");
    std::fs::write(
        &file,
        "[scenario]\nreplications = 3\nhorizon = \"4h\"\n[arrivals]\nrate = \"60/h\"\n[[reason]]\nname = \"r\"\nresolve = 0.8\nhandle = { dist = \"exponential\", mean = \"4m\" }\n[[group]]\nname = \"g\"\nagents = 5\n[[persona]]\nname = \"p\"\npatience = { dist = \"exponential\", mean = \"3m\" }\npersistence = { retry = 0.5, delay = { dist = \"exponential\", mean = \"30m\" } }\n",
    )
    .unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn a_run_verifies_and_a_changed_byte_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let out = dir.path().join("out");
    let o = ccsim(&[
        "run",
        &file,
        "--out",
        out.to_str().unwrap(),
        "--seed",
        "9",
        "--trace",
        "-q",
    ]);
    assert!(o.status.success());
    let v = ccsim(&["verify", out.to_str().unwrap(), "--threads", "1"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    assert!(String::from_utf8_lossy(&v.stdout).contains("journeys.csv"));
    let path = out.join("replications.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replacen(",offered,", ",offered,1", 1);
    std::fs::write(&path, changed).unwrap();
    let v = ccsim(&["verify", out.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
    let err = String::from_utf8_lossy(&v.stderr);
    assert!(err.contains("replications.csv differs at line 2"), "{err}");
}

#[test]
fn foreign_or_corrupted_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let v = ccsim(&["verify", dir.path().to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&v.stderr).contains("manifest.json"));
    std::fs::write(dir.path().join("manifest.json"), "{ not json").unwrap();
    let v = ccsim(&["verify", dir.path().to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&v.stderr).contains("not valid JSON"));
    std::fs::write(dir.path().join("manifest.json"), "{\"tool\": \"other\"}").unwrap();
    let v = ccsim(&["verify", dir.path().to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&v.stderr).contains("not a ccsim results folder"));
}

#[test]
fn a_changed_scenario_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let out = dir.path().join("out");
    assert!(
        ccsim(&["run", &file, "--out", out.to_str().unwrap(), "-q"])
            .status
            .success()
    );
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("agents = 5", "agents = 6")).unwrap();
    let v = ccsim(&["verify", out.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&v.stderr).contains("has changed since the run"));
}

#[test]
fn a_sweep_verifies() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path());
    let sweep = dir.path().join("w.toml");
    std::fs::write(
        &sweep,
        "[sweep]\nbase = \"s.toml\"\ncompare_to = \"base\"\n[sweep.vary]\n\"group.g.agents\" = [4, 6]\n",
    )
    .unwrap();
    let out = dir.path().join("sw");
    run_sweep(&sweep, &out, &[]);
    let v = ccsim(&["verify", out.to_str().unwrap(), "--threads", "1"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    assert!(
        !dir.path().join(".sw.verify").exists(),
        "the re-run is cleaned up"
    );
}

fn ccsim_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("ccsim runs")
}

/// A run started with relative paths verifies from another working folder: the manifest
/// records the scenario's path from the results folder too. With neither path found, the
/// refusal says where it looked.
#[test]
fn a_run_verifies_from_another_working_folder() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("scenarios")).unwrap();
    scenario(&project.join("scenarios"));
    let o = ccsim_in(
        &project,
        &["run", "scenarios/s.toml", "--out", "results/s", "-q"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(project.join("results/s/manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["scenario_file"], "scenarios/s.toml");
    assert_eq!(m["scenario_file_from_results"], "../../scenarios/s.toml");
    // From the parent folder, and from the results folder itself.
    let v = ccsim_in(dir.path(), &["verify", "project/results/s"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let v = ccsim_in(&project.join("results/s"), &["verify", "."]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    // A sweep the same way (its base is found relative to the sweep file).
    std::fs::write(
        project.join("scenarios/w.toml"),
        "[sweep]\nbase = \"s.toml\"\n[sweep.vary]\n\"group.g.agents\" = [4, 6]\n",
    )
    .unwrap();
    let o = ccsim_in(
        &project,
        &["sweep", "scenarios/w.toml", "--out", "results/w", "-q"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = ccsim_in(dir.path(), &["verify", "project/results/w"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    // The whole project moved elsewhere still verifies.
    let moved = dir.path().join("moved");
    std::fs::rename(&project, &moved).unwrap();
    let v = ccsim_in(dir.path(), &["verify", "moved/results/s"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    // The scenario gone: refused (exit 2), naming both places looked at.
    std::fs::remove_file(moved.join("scenarios/s.toml")).unwrap();
    let v = ccsim_in(dir.path(), &["verify", "moved/results/s"]);
    assert_eq!(v.status.code(), Some(2));
    let err = String::from_utf8_lossy(&v.stderr);
    assert!(
        err.contains("scenarios/s.toml") && err.contains("from the results folder"),
        "{err}"
    );
}

/// A changed included file is named as such (not as the file that includes it).
#[test]
fn a_changed_included_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("common")).unwrap();
    let base = dir.path().join("common/base.toml");
    std::fs::write(
        &base,
        "[scenario]\nreplications = 2\nhorizon = \"2h\"\n[arrivals]\nrate = \"60/h\"\n[[reason]]\nname = \"r\"\nhandle = { dist = \"exponential\", mean = \"4m\" }\n[[group]]\nname = \"g\"\nagents = 5\n",
    )
    .unwrap();
    let child = dir.path().join("child.toml");
    std::fs::write(
        &child,
        "include = \"common/base.toml\"\n[scenario]\nseed = 4\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = ccsim(&[
        "run",
        child.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(
        m["scenario_includes"][0]["sha256"].as_str().map(str::len),
        Some(64)
    );
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(&base, text.replace("agents = 5", "agents = 6")).unwrap();
    let v = ccsim(&["verify", out.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2));
    let err = String::from_utf8_lossy(&v.stderr);
    assert!(
        err.contains("included file") && err.contains("base.toml"),
        "{err}"
    );
    assert!(!err.contains("child.toml"), "{err}");
}

/// A sweep of `s.toml` in `dir` (7 scenarios with the base), run into `out` with `extra`
/// arguments.
fn sweep_into(dir: &Path, out: &Path, extra: &[&str]) {
    scenario(dir);
    let sweep = dir.join("w.toml");
    std::fs::write(
        &sweep,
        "[sweep]\nbase = \"s.toml\"\ncompare_to = \"base\"\n[sweep.vary]\n\"group.g.agents\" = [4, 5, 6]\n\"reason.r.resolve\" = [0.7, 0.9]\n",
    )
    .unwrap();
    run_sweep(&sweep, out, extra);
}

/// Run sweep file `sweep` into `out` with `extra` arguments; it must succeed.
fn run_sweep(sweep: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend(extra);
    let o = ccsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A shard verifies by re-running its own scenarios (not the whole sweep); a changed byte of
/// it is still found.
#[test]
fn a_shard_verifies_its_own_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    for k in 1..=3 {
        let out = dir.path().join(format!("s{k}"));
        sweep_into(dir.path(), &out, &["--shard", &format!("{k}/3")]);
        let v = ccsim(&["verify", out.to_str().unwrap(), "--threads", "1"]);
        assert!(
            v.status.success(),
            "{k}/3: {}",
            String::from_utf8_lossy(&v.stderr)
        );
    }
    let path = dir.path().join("s2/summary.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen(",offered,", ",offered,1", 1)).unwrap();
    let v = ccsim(&["verify", dir.path().join("s2").to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&v.stderr).contains("summary.csv differs at line 2"));
}

/// The seed and replications a sweep's manifest records are checked against the sweep file's:
/// an edited (or removed) value fails verify, as it does for a run.
#[test]
fn a_sweep_manifest_with_another_seed_or_replications_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sw");
    sweep_into(dir.path(), &out, &[]);
    let path = out.join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(m["replications"], 3);
    let seed = m["seed"].as_u64().unwrap();
    let edits = [
        (
            "seed",
            text.replace(
                &format!("\"seed\": {seed}"),
                &format!("\"seed\": {}", seed + 1),
            ),
        ),
        (
            "replications",
            text.replace("\"replications\": 3", "\"replications\": 4"),
        ),
        (
            "replications",
            text.replace("\"replications\": 3,", "")
                .replace("\n  \n", "\n"),
        ),
    ];
    for (key, edited) in edits {
        assert_ne!(edited, text);
        std::fs::write(&path, &edited).unwrap();
        let v = ccsim(&["verify", out.to_str().unwrap(), "--threads", "1"]);
        assert_eq!(v.status.code(), Some(1), "{key}");
        let err = String::from_utf8_lossy(&v.stderr);
        assert!(err.contains(&format!("`{key}`")), "{key}: {err}");
    }
    std::fs::write(&path, &text).unwrap();
    let v = ccsim(&["verify", out.to_str().unwrap(), "--threads", "1"]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

/// A sweep's manifest records the files its base includes, with their SHA-256, and verify names
/// the included file that changed (not the base file, which did not).
#[test]
fn a_sweep_names_a_changed_file_its_base_includes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("common")).unwrap();
    let shared = dir.path().join("common/shared.toml");
    std::fs::write(
        &shared,
        "[scenario]\nreplications = 2\nhorizon = \"2h\"\n[arrivals]\nrate = \"60/h\"\n[[reason]]\nname = \"r\"\nhandle = { dist = \"exponential\", mean = \"4m\" }\n[[group]]\nname = \"g\"\nagents = 5\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        "include = \"common/shared.toml\"\n[scenario]\nseed = 4\n",
    )
    .unwrap();
    let sweep = dir.path().join("w.toml");
    std::fs::write(
        &sweep,
        "[sweep]\nbase = \"base.toml\"\n[sweep.vary]\n\"group.g.agents\" = [4, 6]\n",
    )
    .unwrap();
    let out = dir.path().join("sw");
    run_sweep(&sweep, &out, &[]);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let includes = m["scenario_includes"]
        .as_array()
        .expect("scenario_includes");
    assert_eq!(includes.len(), 1);
    assert!(
        includes[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("shared.toml")
    );
    assert_eq!(includes[0]["sha256"].as_str().map(str::len), Some(64));
    let v = ccsim(&["verify", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let text = std::fs::read_to_string(&shared).unwrap();
    std::fs::write(&shared, text + "# changed\n").unwrap();
    let v = ccsim(&["verify", out.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2));
    let err = String::from_utf8_lossy(&v.stderr);
    assert!(
        err.contains("included file") && err.contains("shared.toml"),
        "{err}"
    );
    assert!(!err.contains("base.toml"), "{err}");
}
