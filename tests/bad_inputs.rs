//! The bad-inputs catalogue: every malformed scenario in `tests/bad_inputs/` makes the `ccsim`
//! binary stop with exit code 2 and a located, explained error — never a panic, never a results
//! folder, never a quiet success.
//!
//! Each case is a file `NNN-short-name.toml` (or `.json`, or a binary file with either
//! extension) with a sidecar `NNN-short-name.expect`:
//!
//! ```text
//! key_path: reason[general].handle.mean   (optional: left out where there is no key path)
//! line: 14                                (the line the error must point at)
//! contains: bare number (240)             (one or more: text the same error must contain)
//! errors: 1                               (optional: how many errors stderr holds)
//! ```
//!
//! One error of stderr (from its `error: ` line up to the next) must hold `FILE:LINE:`, the key
//! path in backticks and every `contains` text, for both `ccsim run FILE --out DIR` and
//! `ccsim validate FILE`. Every error of every case, the expected one or not, must hold a
//! `help:` line: the fix. Files the cases need (CSVs) live in `tests/bad_inputs/data/`.
//! Add a case by dropping the two files in the folder: they are read at test time.
//!
//! Malformed sweep files live in `tests/bad_inputs/sweep/` (same format; their base scenarios in
//! `sweep/data/`) and go through `ccsim sweep FILE --out DIR`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");
/// A malformed file must be rejected long before this.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What the `.expect` sidecar of a case says.
#[derive(Debug, Default)]
struct Expect {
    key_path: Option<String>,
    line: usize,
    contains: Vec<String>,
    /// How many errors stderr must hold (`errors: N`); any number when left out.
    errors: Option<usize>,
}

fn catalogue_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut e = Expect::default();
    let mut line = None;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim_end();
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let Some((key, value)) = l.split_once(':') else {
            return Err(format!(
                "line {}: expected `key: value`, found {l:?}",
                i + 1
            ));
        };
        let value = value.strip_prefix(' ').unwrap_or(value);
        match key {
            "key_path" if e.key_path.is_none() => e.key_path = Some(value.to_string()),
            "line" if line.is_none() => {
                let n = value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("line {}: `line: {value}` is not a number", i + 1))?;
                line = Some(n);
            }
            "contains" if !value.is_empty() => e.contains.push(value.to_string()),
            "errors" if e.errors.is_none() => {
                let n = value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("line {}: `errors: {value}` is not a number", i + 1))?;
                e.errors = Some(n);
            }
            _ => return Err(format!("line {}: unexpected {l:?}", i + 1)),
        }
    }
    e.line = line.ok_or("no `line:`")?;
    Ok(e)
}

/// The case files (every file but `.expect` and `.md` ones) and the orphan `.expect` files.
fn case_files(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let ext = |p: &Path| p.extension().and_then(|e| e.to_str()).map(str::to_owned);
    let cases: Vec<PathBuf> = files
        .iter()
        .filter(|p| !matches!(ext(p).as_deref(), Some("expect" | "md")))
        .cloned()
        .collect();
    let orphans = files
        .iter()
        .filter(|p| ext(p).as_deref() == Some("expect"))
        .filter(|p| !cases.iter().any(|c| c.with_extension("expect") == **p))
        .cloned()
        .collect();
    (cases, orphans)
}

/// Runs the binary with a time limit; returns (exit code, stdout, stderr).
fn ccsim(args: &[&str], scratch: &Path) -> Result<(Option<i32>, String, String), String> {
    let out_path = scratch.join("stdout.txt");
    let err_path = scratch.join("stderr.txt");
    let file = |p: &Path| std::fs::File::create(p).expect("scratch file");
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(file(&out_path))
        .stderr(file(&err_path))
        .spawn()
        .map_err(|e| format!("cannot start ccsim: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "`ccsim {}` did not finish in {TIMEOUT:?}",
                args.join(" ")
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Ok((status.code(), read(&out_path), read(&err_path)))
}

/// The errors of stderr: each starts at a line beginning with `error: `.
fn error_blocks(stderr: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("error: ") || blocks.is_empty() {
            blocks.push(String::new());
        }
        let b = blocks.last_mut().expect("a block");
        b.push_str(line);
        b.push('\n');
    }
    blocks
}

/// The errors (blocks from `error_blocks`) that hold no `help:` line.
fn without_help(blocks: &[String]) -> Vec<&String> {
    blocks
        .iter()
        .filter(|b| b.starts_with("error: "))
        .filter(|b| !b.lines().any(|l| l.trim_start().starts_with("help: ")))
        .collect()
}

/// Problems with one command's outcome against the expectation (empty = as expected).
fn check_outcome(
    what: &str,
    file: &Path,
    e: &Expect,
    outcome: Result<(Option<i32>, String, String), String>,
) -> Vec<String> {
    let (code, stdout, stderr) = match outcome {
        Ok(o) => o,
        Err(msg) => return vec![format!("{what}: {msg}")],
    };
    let mut problems = Vec::new();
    if code != Some(2) {
        problems.push(format!("{what}: exit code {code:?}, expected 2"));
    }
    for bad in ["panicked", "internal error", "RUST_BACKTRACE"] {
        if stderr.contains(bad) {
            problems.push(format!("{what}: stderr contains {bad:?}"));
        }
    }
    let at = format!("{}:{}:", file.display(), e.line);
    let key = e.key_path.as_ref().map(|k| format!("`{k}`: "));
    let matches = |b: &String| {
        b.contains(&at)
            && key.as_ref().is_none_or(|k| b.contains(k.as_str()))
            && e.contains.iter().all(|c| b.contains(c.as_str()))
    };
    let blocks = error_blocks(&stderr);
    if let Some(n) = e.errors
        && blocks.len() != n
    {
        problems.push(format!(
            "{what}: {} errors, expected {n}\n      stderr:\n{}",
            blocks.len(),
            indent(&stderr)
        ));
    }
    for b in without_help(&blocks) {
        problems.push(format!(
            "{what}: an error without a `help:` line (every error says how to fix it):\n{}",
            indent(b)
        ));
    }
    if !blocks.iter().any(matches) {
        let mut wanted = vec![format!("`{at}`")];
        wanted.extend(key.iter().map(|k| format!("`{}`", k.trim_end())));
        wanted.extend(e.contains.iter().map(|c| format!("{c:?}")));
        problems.push(format!(
            "{what}: no single error holds {}\n      stderr:\n{}{}",
            wanted.join(" + "),
            indent(&stderr),
            if stdout.trim().is_empty() {
                String::new()
            } else {
                format!("      stdout:\n{}", indent(&stdout))
            }
        ));
    }
    problems
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("        | {l}\n")).collect()
}

#[test]
fn every_bad_input_is_a_located_user_error() {
    let dir = catalogue_dir();
    let (cases, orphans) = case_files(&dir);
    let mut failures: Vec<String> = orphans
        .iter()
        .map(|p| format!("{}: no case file next to this .expect", p.display()))
        .collect();
    let started = Instant::now();
    let mut tried = 0;
    for file in &cases {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let sidecar = file.with_extension("expect");
        let expect = match std::fs::read_to_string(&sidecar) {
            Ok(t) => parse_expect(&t),
            Err(e) => Err(format!("cannot read {}: {e}", sidecar.display())),
        };
        let expect = match expect {
            Ok(x) => x,
            Err(msg) => {
                failures.push(format!("{name}: bad or missing .expect: {msg}"));
                continue;
            }
        };
        tried += 1;
        let scratch = tempfile::tempdir().expect("temporary folder");
        let out = scratch.path().join("out");
        let path = file.to_str().expect("UTF-8 path");
        let out_str = out.to_str().expect("UTF-8 path");
        let mut problems = check_outcome(
            "run",
            file,
            &expect,
            ccsim(&["run", path, "--out", out_str], scratch.path()),
        );
        if out.exists() {
            problems.push(format!("run: the results folder {out_str} was created"));
        }
        problems.extend(check_outcome(
            "validate",
            file,
            &expect,
            ccsim(&["validate", path], scratch.path()),
        ));
        failures.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
    }
    eprintln!(
        "bad inputs: {tried} cases tried ({} files in {}) in {:.1} s",
        cases.len(),
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        tried >= 60,
        "only {tried} bad-input cases in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} problem(s) in {tried} bad-input cases:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The sweep cases in `tests/bad_inputs/sweep/` (base scenarios in its `data/`), through
/// `ccsim sweep FILE --out DIR`: exit 2, one located error, no panic, no results folder.
#[test]
fn every_bad_sweep_is_a_located_user_error() {
    let dir = catalogue_dir().join("sweep");
    let (cases, orphans) = case_files(&dir);
    let mut failures: Vec<String> = orphans
        .iter()
        .map(|p| format!("{}: no case file next to this .expect", p.display()))
        .collect();
    let started = Instant::now();
    for file in &cases {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let expect = std::fs::read_to_string(file.with_extension("expect"))
            .map_err(|e| e.to_string())
            .and_then(|t| parse_expect(&t));
        let expect = match expect {
            Ok(x) => x,
            Err(msg) => {
                failures.push(format!("{name}: bad or missing .expect: {msg}"));
                continue;
            }
        };
        let scratch = tempfile::tempdir().expect("temporary folder");
        let out = scratch.path().join("out");
        let (path, out_str) = (
            file.to_str().expect("UTF-8 path"),
            out.to_str().expect("UTF-8 path"),
        );
        let mut problems = check_outcome(
            "sweep",
            file,
            &expect,
            ccsim(&["sweep", path, "--out", out_str, "-q"], scratch.path()),
        );
        if out.exists() {
            problems.push(format!("sweep: the results folder {out_str} was created"));
        }
        failures.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
    }
    eprintln!(
        "bad sweeps: {} cases in {} in {:.1} s",
        cases.len(),
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    assert!(cases.len() >= 30, "only {} sweep cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} problem(s) in the bad sweeps:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The checker itself: an expectation that does not hold must be reported, not passed.
#[test]
fn the_checker_rejects_wrong_expectations() {
    let e = parse_expect("key_path: a.b\nline: 3\ncontains: found 5\n").expect("parses");
    assert_eq!(e.key_path.as_deref(), Some("a.b"));
    assert_eq!(e.line, 3);
    assert_eq!(e.contains, ["found 5"]);
    assert!(parse_expect("contains: x\n").is_err(), "line is required");
    assert!(
        parse_expect("line: 1\nlin: 2\n").is_err(),
        "unknown keys fail"
    );
    let f = Path::new("x.toml");
    let stderr = "error: x.toml:3:1: `a.b`: found 5\n    help: fix it\nerror: x.toml:4:1: `c`: other\n    help: fix that\n";
    let ok = |code| Ok((code, String::new(), stderr.to_string()));
    assert!(check_outcome("t", f, &e, ok(Some(2))).is_empty());
    assert_eq!(check_outcome("t", f, &e, ok(Some(0))).len(), 1);
    // The key path, the line and the text must be in the same error.
    let wrong_line = Expect {
        line: 4,
        ..parse_expect("key_path: a.b\nline: 1\n").expect("ok")
    };
    assert_eq!(check_outcome("t", f, &wrong_line, ok(Some(2))).len(), 1);
    let help_counts = Expect {
        contains: vec!["fix it".into()],
        ..parse_expect("line: 3").expect("ok")
    };
    assert!(check_outcome("t", f, &help_counts, ok(Some(2))).is_empty());
    let one_error = Expect {
        errors: Some(1),
        ..parse_expect("line: 3\nerrors: 1").expect("ok")
    };
    assert_eq!(check_outcome("t", f, &one_error, ok(Some(2))).len(), 1);
    let panicked = Ok((
        Some(2),
        String::new(),
        format!("{stderr}thread 'main' panicked"),
    ));
    assert_eq!(check_outcome("t", f, &e, panicked).len(), 1);
    // Every error needs its help line, not only the expected one.
    let helpless = Ok((
        Some(2),
        String::new(),
        format!("{stderr}error: x.toml:5:1: `d`: no fix given\n  |\n5 | d = 1\n  | ^\n"),
    ));
    let problems = check_outcome("t", f, &e, helpless);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("without a `help:` line"),
        "{problems:?}"
    );
    let blocks = error_blocks("error: a\n    help: b\nerror: c\n2 problems found\n");
    assert_eq!(without_help(&blocks).len(), 1);
}
