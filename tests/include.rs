//! `include = [...]`: files that share sections. An included scenario is the same scenario as
//! the file written out whole; the including file's values win; every problem names the file
//! (included or not), line and column; the results' hash covers every file read.

mod common;

use std::path::Path;
use std::process::Command;

use ccsim::scenario::{Scenario, load_file};

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");

const COMMON: &str = r#"
[scenario]
seed = 11
replications = 8
horizon = "4h"
warmup = "30m"

[arrivals]
rate = "300/h"

[[persona]]
name = "calm"
share = 0.6
patience = { dist = "exponential", mean = "4m" }

[[persona]]
name = "hurried"
share = 0.4
patience = { dist = "exponential", mean = "1m" }

[[reason]]
name = "billing"
handle = { dist = "exponential", mean = "3m" }

[[group]]
name = "care"
agents = 15
"#;

const MAIN: &str = r#"
include = ["shared/common.toml"]

[scenario]
name = "site"
"#;

/// The same scenario written out whole.
fn flat() -> String {
    COMMON.replacen("[scenario]\n", "[scenario]\nname = \"site\"\n", 1)
}

fn write(dir: &Path, rel: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    p
}

fn load(path: &Path) -> Scenario {
    load_file(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .scenario
}

fn ccsim(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN).args(args).output().expect("run ccsim");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_included_scenario_is_the_scenario_written_out_whole() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "shared/common.toml", COMMON);
    let main = write(dir.path(), "site.toml", MAIN);
    let flat = write(dir.path(), "flat.toml", &flat());
    assert_eq!(
        format!("{:?}", load(&main)),
        format!("{:?}", load(&flat)),
        "the merged scenario differs from the file written out whole"
    );
    // And the results are the same bytes.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (file, out) in [(&main, &a), (&flat, &b)] {
        let (code, err) = ccsim(&[
            "run",
            file.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
            "--quiet",
        ]);
        assert_eq!(code, 0, "{err}");
    }
    for f in [
        "summary.csv",
        "breakdown.csv",
        "replications.csv",
        "intervals.csv",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).expect("a"),
            std::fs::read(b.join(f)).expect("b"),
            "{f} differs"
        );
    }
}

#[test]
fn the_including_file_wins_and_its_override_changes_the_run() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "shared/common.toml", COMMON);
    let base = write(dir.path(), "site.toml", MAIN);
    let more = write(
        dir.path(),
        "more.toml",
        &format!(
            "{MAIN}\n[arrivals]\noverdispersion = 0.0\n\n[[group]]\nname = \"care\"\nagents = 18\n\n[[persona]]\nname = \"patient\"\nshare = 0.1\n"
        ),
    );
    let (b, m) = (load(&base), load(&more));
    assert_eq!(b.groups.len(), 1);
    assert_eq!(
        m.groups.len(),
        1,
        "a group of the same name replaces, not adds"
    );
    assert_eq!(m.personas.len(), 3, "a persona of a new name is added");
    assert_eq!(
        m.personas[0].name, "calm",
        "included entries keep their order"
    );
    assert_eq!(b.arrivals.profile, m.arrivals.profile, "the rate stays");
    // More agents: shorter waits, on the same seeds.
    common::moves(&b, &m, "asa_s", false);
    common::moves(&b, &m, "p_abandon", false);
}

#[test]
fn later_includes_override_earlier_ones_and_paths_are_relative_to_their_file() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "shared/common.toml", COMMON);
    // A file in a subfolder includes the common file through `..`, and names data files (a
    // handle-time sample, an arrivals file that replaces the included `rate`) relative to itself.
    write(
        dir.path(),
        "shared/teams/handle.toml",
        "include = [\"../common.toml\"]\n[arrivals]\nfile = \"rates.csv\"\n[[reason]]\nname = \"billing\"\nhandle = { dist = \"empirical\", file = \"times.csv\", column = \"seconds\" }\n",
    );
    write(
        dir.path(),
        "shared/teams/times.csv",
        "seconds\n60\n120\n240\n",
    );
    write(
        dir.path(),
        "shared/teams/rates.csv",
        "start,rate\n0m,200/h\n8h,400/h\n",
    );
    write(
        dir.path(),
        "shared/teams/big.toml",
        "[[group]]\nname = \"care\"\nagents = 40\n",
    );
    let main = write(
        dir.path(),
        "site.toml",
        "include = [\"shared/teams/handle.toml\", \"shared/teams/big.toml\"]\n",
    );
    let s = load(&main);
    assert_eq!(s.groups[0].name, "care");
    let flat = write(
        dir.path(),
        "flat.toml",
        &flat()
            .replace("agents = 15", "agents = 40")
            .replace("rate = \"300/h\"", "file = \"shared/teams/rates.csv\"")
            .replace("[scenario]\nname = \"site\"\n", "[scenario]\n")
            .replace(
                "{ dist = \"exponential\", mean = \"3m\" }\n\n[[group]]",
                "{ dist = \"empirical\", file = \"shared/teams/times.csv\", column = \"seconds\" }\n\n[[group]]",
            ),
    );
    let f = load(&flat);
    // The names differ (file stems): compare everything else.
    let mut s2 = s.clone();
    s2.name = f.name.clone();
    assert_eq!(format!("{s2:?}"), format!("{f:?}"));
}

/// Runs `ccsim validate FILE` and returns stderr, asserting exit code 2.
fn refused(file: &Path) -> String {
    let (code, err) = ccsim(&["validate", file.to_str().expect("utf-8")]);
    assert_eq!(code, 2, "expected a user error, got {code}:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn include_problems_are_located_user_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    // A missing file: the including file's line, the key, the path tried, the fix.
    let f = write(d, "missing.toml", "\n\ninclude = [\"nowhere.toml\"]\n");
    let err = refused(&f);
    assert!(err.contains("missing.toml:3:"), "{err}");
    assert!(err.contains("include"), "{err}");
    assert!(err.contains("nowhere.toml"), "{err}");
    assert!(
        err.contains("relative to the file that includes it"),
        "{err}"
    );
    // Not a path.
    let f = write(d, "number.toml", "include = [3]\n");
    let err = refused(&f);
    assert!(err.contains("number.toml:1:12"), "{err}");
    assert!(err.contains("found an integer"), "{err}");
    // Written under a section by mistake.
    let f = write(
        d,
        "under.toml",
        "[scenario]\nseed = 1\ninclude = [\"x.toml\"]\n",
    );
    let err = refused(&f);
    assert!(err.contains("under.toml:3:1"), "{err}");
    assert!(err.contains("belongs at the top of the file"), "{err}");
    // A cycle, through a second file.
    write(d, "cycle/b.toml", "include = [\"a.toml\"]\n");
    let f = write(d, "cycle/a.toml", "include = [\"b.toml\"]\n");
    let err = refused(&f);
    assert!(err.contains("include cycle"), "{err}");
    assert!(err.contains("b.toml:1:"), "{err}");
    // A mistake inside an included file names that file and its line.
    write(
        d,
        "bad/common.toml",
        &COMMON.replace("agents = 15", "agents = 15\nagnets = 3"),
    );
    let f = write(d, "bad/site.toml", "include = [\"common.toml\"]\n");
    let err = refused(&f);
    let line = COMMON
        .lines()
        .position(|l| l == "agents = 15")
        .expect("line")
        + 2;
    assert!(err.contains(&format!("common.toml:{line}:1")), "{err}");
    assert!(err.contains("agnets"), "{err}");
    assert!(err.contains("did you mean"), "{err}");
    // A syntax error in an included file, too.
    write(d, "syntax/common.toml", "[scenario\nseed = 1\n");
    let f = write(d, "syntax/site.toml", "include = [\"common.toml\"]\n");
    let err = refused(&f);
    assert!(err.contains("common.toml:1:"), "{err}");
}

#[test]
fn results_record_and_verify_every_file_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let common = write(dir.path(), "shared/common.toml", COMMON);
    let main = write(dir.path(), "site.toml", MAIN);
    let out = dir.path().join("out");
    let run = |out: &Path| {
        let (code, err) = ccsim(&[
            "run",
            main.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
            "--quiet",
            "--replications",
            "2",
        ]);
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(out.join("manifest.json")).expect("manifest")
    };
    let first = run(&out);
    assert!(
        first.contains("\"scenario_includes\"") && first.contains("common.toml"),
        "{first}"
    );
    let (code, err) = ccsim(&["verify", out.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{err}");
    // Editing only the included file changes the recorded hash, and verify notices.
    std::fs::write(&common, COMMON.replace("agents = 15", "agents = 16")).expect("edit");
    let (code, _) = ccsim(&["verify", out.to_str().expect("utf-8")]);
    assert_ne!(code, 0, "verify must notice a changed included file");
    let second = run(&dir.path().join("out2"));
    let hash = |m: &str| {
        m.lines()
            .find(|l| l.contains("scenario_sha256"))
            .map(str::to_string)
            .expect("hash line")
    };
    assert_ne!(hash(&first), hash(&second));
}

#[test]
fn a_sweep_varies_a_key_that_an_included_file_defines() {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), "shared/common.toml", COMMON);
    write(dir.path(), "site.toml", MAIN);
    let sweep = write(
        dir.path(),
        "sweeps/agents.toml",
        "[sweep]\nbase = \"../site.toml\"\n\n[sweep.vary]\n\"group.care.agents\" = [12, 18]\n",
    );
    let out = dir.path().join("out");
    let (code, err) = ccsim(&[
        "sweep",
        sweep.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary");
    assert!(summary.contains("agents=12"), "{summary}");
    assert!(summary.contains("agents=18"), "{summary}");
}
