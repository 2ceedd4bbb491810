//! Data files a scenario reads (empirical distributions, `[arrivals] file`) are part of what
//! results record: `scenario_sha256` covers their bytes and `manifest.json` lists them as
//! `scenario_data`, so editing a CSV changes the recorded hash, `ccsim verify` names the changed
//! file, a sweep's resume journal and `ccsim merge` refuse to mix two versions of the data, and a
//! scenario without data files keeps the hash of its file. Small and seeded: a few seconds.

use std::path::Path;
use std::process::{Command, Output};

use ccsim::scenario::sha256_hex;
use serde_json::Value;

/// A small scenario: `arrivals` is the body of `[arrivals]`, `patience` and `handle` are
/// distributions.
fn scenario(arrivals: &str, patience: &str, handle: &str) -> String {
    format!(
        r#"[scenario]
name = "data"
seed = 7
replications = 2
horizon = "4h"
interval = "30m"

[arrivals]
{arrivals}

[[persona]]
name = "caller"
patience = {patience}

[[reason]]
name = "q"
handle = {handle}

[[group]]
name = "care"
agents = 6
"#
    )
}

const TIMES: &str = "patience,handle\n180,240\n60,300\n120,200\n";
const PATIENCE: &str = r#"{ dist = "empirical", file = "data/times.csv", column = "patience" }"#;
const HANDLE: &str = r#"{ dist = "empirical", file = "data/times.csv", column = "handle" }"#;
const EXPONENTIAL: &str = r#"{ dist = "exponential", mean = "4m" }"#;

fn write(dir: &Path, rel: &str, text: &str) -> String {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("UTF-8 path").to_string()
}

fn ccsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .output()
        .expect("ccsim runs")
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Exit code 2 and stderr holding every `needles` text.
fn refused(o: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

/// `ccsim run FILE --out DIR`, then its manifest.json.
fn run(file: &str, out: &Path) -> Value {
    ok(&ccsim(&[
        "run",
        file,
        "--out",
        out.to_str().expect("UTF-8"),
        "-q",
    ]));
    manifest(out)
}

fn manifest(dir: &Path) -> Value {
    let text = std::fs::read(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_slice(&text).expect("JSON")
}

fn sha(path: &str) -> String {
    sha256_hex(&std::fs::read(path).expect("read"))
}

/// The documented rule: the scenario's files' hash, then each data file's, one per line.
fn joined(hashes: &[&str]) -> String {
    sha256_hex(hashes.join("\n").as_bytes())
}

/// The `scenario_data` entries: (file, sha256).
fn data(m: &Value) -> Vec<(String, String)> {
    m["scenario_data"]
        .as_array()
        .expect("scenario_data")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().expect(k).to_string();
            (s("file"), s("sha256"))
        })
        .collect()
}

#[test]
fn an_empirical_csv_is_part_of_the_scenario_hash() {
    let dir = tempfile::tempdir().expect("tmp");
    let csv = write(dir.path(), "data/times.csv", TIMES);
    let file = write(
        dir.path(),
        "site.toml",
        &scenario("rate = \"60/h\"", PATIENCE, HANDLE),
    );
    let first = dir.path().join("first");
    let m = run(&file, &first);
    // Two distributions on one CSV: recorded once.
    assert_eq!(data(&m), [(csv.clone(), sha(&csv))], "{m:#}");
    assert_eq!(m["scenario_sha256"], joined(&[&sha(&file), &sha(&csv)]));
    ok(&ccsim(&["verify", first.to_str().expect("UTF-8")]));

    // Editing only the CSV changes the recorded hash and its entry; verify names the file.
    std::fs::write(&csv, TIMES.replace("240", "250")).expect("edit");
    let m2 = run(&file, &dir.path().join("second"));
    assert_ne!(m2["scenario_sha256"], m["scenario_sha256"]);
    assert_eq!(data(&m2), [(csv.clone(), sha(&csv))]);
    assert_eq!(m2["scenario_sha256"], joined(&[&sha(&file), &sha(&csv)]));
    refused(
        &ccsim(&["verify", first.to_str().expect("UTF-8")]),
        &["data file", &csv, "has changed since the run"],
    );

    // Without data files the hash is the file's, as it always was, and nothing is listed.
    let plain = write(
        dir.path(),
        "plain.toml",
        &scenario("rate = \"60/h\"", EXPONENTIAL, EXPONENTIAL),
    );
    let m3 = run(&plain, &dir.path().join("plain"));
    assert_eq!(m3["scenario_sha256"], sha(&plain));
    assert!(m3.get("scenario_data").is_none(), "{m3:#}");
}

#[test]
fn an_arrivals_file_is_part_of_the_scenario_hash() {
    let dir = tempfile::tempdir().expect("tmp");
    let rates = write(
        dir.path(),
        "data/rates.csv",
        "start,rate\n0m,40/h\n2h,80/h\n",
    );
    let file = write(
        dir.path(),
        "site.toml",
        &scenario("file = \"data/rates.csv\"", EXPONENTIAL, EXPONENTIAL),
    );
    let first = dir.path().join("first");
    let m = run(&file, &first);
    assert_eq!(data(&m), [(rates.clone(), sha(&rates))], "{m:#}");
    assert_eq!(m["scenario_sha256"], joined(&[&sha(&file), &sha(&rates)]));

    std::fs::write(&rates, "start,rate\n0m,40/h\n2h,90/h\n").expect("edit");
    let m2 = run(&file, &dir.path().join("second"));
    assert_ne!(m2["scenario_sha256"], m["scenario_sha256"]);
    assert_eq!(data(&m2), [(rates.clone(), sha(&rates))]);
    refused(
        &ccsim(&["verify", first.to_str().expect("UTF-8")]),
        &["data file", &rates],
    );
}

/// A base reading `data/a.csv` and a sweep whose second value reads `data/b.csv` instead.
fn sweep_setup(dir: &Path) -> (String, String, String) {
    let a = write(dir, "data/a.csv", "handle\n200\n240\n300\n");
    let b = write(dir, "data/b.csv", "handle\n100\n150\n");
    let handle = r#"{ dist = "empirical", file = "data/a.csv", column = "handle" }"#;
    write(
        dir,
        "base.toml",
        &scenario("rate = \"60/h\"", EXPONENTIAL, handle),
    );
    let sweep = write(
        dir,
        "sweep.toml",
        "[sweep]\nbase = \"base.toml\"\ncompare_to = \"base\"\n\n[sweep.vary]\n\
         \"reason.q.handle.file\" = [\"data/a.csv\", \"data/b.csv\"]\n",
    );
    (sweep, a, b)
}

fn sweep_args<'a>(sweep: &'a str, out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["sweep", sweep, "--out", out.to_str().expect("UTF-8"), "-q"];
    v.extend_from_slice(extra);
    v
}

#[test]
fn a_sweep_resumed_after_a_data_file_changed_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (sweep, a, b) = sweep_setup(dir);
    let whole = dir.join("whole");
    ok(&ccsim(&sweep_args(&sweep, &whole, &[])));
    let m = manifest(&whole);
    // The base's data, then the data a swept value brings in.
    assert_eq!(data(&m), [(a.clone(), sha(&a)), (b.clone(), sha(&b))]);
    let base = dir.join("base.toml");
    let base = base.to_str().expect("UTF-8");
    assert_eq!(m["base_sha256"], joined(&[&sha(base), &sha(&a)]));
    assert_eq!(m["sweep_sha256"], sha(&sweep));

    // The journal's first line as documented: sweep file, base and every data file.
    let key = joined(&[
        &sha(&sweep),
        &joined(&[&sha(base), &sha(&a)]),
        &sha(&a),
        &sha(&b),
    ]);
    let journal = |name: &str| {
        let out = dir.join(name);
        std::fs::create_dir(&out).expect("folder");
        std::fs::write(out.join(".sweep-progress"), format!("{key}\n")).expect("journal");
        out
    };
    // With the same data the journal is this sweep's: resuming runs it to the same bytes.
    let same = journal("same");
    ok(&ccsim(&sweep_args(&sweep, &same, &["--resume"])));
    assert_eq!(
        std::fs::read(same.join("summary.csv")).expect("summary"),
        std::fs::read(whole.join("summary.csv")).expect("summary")
    );

    // Only a swept value reads b.csv: editing it still refuses the resume, and verify names it.
    std::fs::write(&b, "handle\n100\n160\n").expect("edit");
    refused(
        &ccsim(&sweep_args(&sweep, &journal("swept"), &["--resume"])),
        &["cannot be resumed", "data file"],
    );
    refused(
        &ccsim(&["verify", whole.to_str().expect("UTF-8")]),
        &["data file", &b, "has changed since the run"],
    );
    // The base's CSV too.
    std::fs::write(&b, "handle\n100\n150\n").expect("restore");
    std::fs::write(&a, "handle\n200\n240\n301\n").expect("edit");
    refused(
        &ccsim(&sweep_args(&sweep, &journal("base"), &["--resume"])),
        &["cannot be resumed"],
    );
    refused(
        &ccsim(&["verify", whole.to_str().expect("UTF-8")]),
        &["data file", &a],
    );
}

#[test]
fn shards_run_on_other_data_are_not_merged() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (sweep, _, b) = sweep_setup(dir);
    let (one, two) = (dir.join("shard-1"), dir.join("shard-2"));
    ok(&ccsim(&sweep_args(&sweep, &one, &["--shard", "1/2"])));
    std::fs::write(&b, "handle\n100\n160\n").expect("edit");
    ok(&ccsim(&sweep_args(&sweep, &two, &["--shard", "2/2"])));
    let merged = dir.join("merged");
    let (one, two, out) = (
        one.to_str().expect("UTF-8"),
        two.to_str().expect("UTF-8"),
        merged.to_str().expect("UTF-8"),
    );
    refused(
        &ccsim(&["merge", one, two, "--out", out]),
        &["data files", "refusing to mix them"],
    );
    assert!(!merged.exists(), "nothing written");
}
