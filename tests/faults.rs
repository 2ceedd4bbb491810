//! Faults: a results folder that cannot be written or fills the disk, `ccsim run` and
//! `ccsim sweep` killed with SIGKILL, and damaged or foreign folders given to `--resume`,
//! `merge` and `verify`. Each ends in a clear error (exit 2, or 1 for a `verify` mismatch) that
//! names the file, never a panic, and never leaves a half-written file where results belong:
//! every results file is whole or absent, and `--resume` completes to the bytes of a run that
//! was never interrupted.
//!
//! The full-disk and read-only cases mount a small tmpfs; where mounting is not permitted
//! (not root, no CAP_SYS_ADMIN) they print why and are skipped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");

/// The base scenario of the sweeps: 2 days at 120 calls an hour, 4 replications.
const BASE: &str = r#"[scenario]
name = "base"
seed = 5
replications = 4
horizon = "2d"
[arrivals]
rate = "120/h"
[[persona]]
name = "p"
patience = { dist = "exponential", mean = "3m" }
[[reason]]
name = "r"
handle = { dist = "exponential", mean = "4m" }
[[group]]
name = "g"
agents = 9
"#;

/// 26 scenarios, about 1.5 s on one thread: checkpoints after 8, 16, 24 and 26.
const SWEEP: &str = r#"[sweep]
base = "base.toml"
compare_to = "base"
[sweep.vary]
"group.g.agents" = [8, 9, 10, 11, 12]
"reason.r.handle.mean" = ["3m", "4m", "5m", "6m", "7m"]
"#;

/// What a finished sweep folder holds.
const SWEEP_FILES: [&str; 7] = [
    "summary.csv",
    "breakdown.csv",
    "replications.csv",
    "intervals.csv",
    "differences.csv",
    "scenarios.csv",
    "manifest.json",
];

/// The results files of a run that do not change between runs (manifest.json records times).
const RUN_FILES: [&str; 5] = [
    "summary.csv",
    "breakdown.csv",
    "replications.csv",
    "intervals.csv",
    "journeys.csv",
];

fn ccsim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("ccsim runs")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code `code`, no panic, and stderr holding every `needles` text; returns stderr.
fn refused(o: &Output, code: i32, needles: &[&str]) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr:\n{err}");
    for bad in ["panicked", "internal error", "RUST_BACKTRACE"] {
        assert!(!err.contains(bad), "{err}");
    }
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
    err
}

fn ok(o: &Output) {
    assert!(o.status.success(), "stderr:\n{}", stderr(o));
}

/// A folder with base.toml, sweep.toml and a small scenario run.toml.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("base.toml"), BASE).unwrap();
    let sweep = dir.path().join("sweep.toml");
    std::fs::write(&sweep, SWEEP).unwrap();
    let run = dir.path().join("run.toml");
    std::fs::write(&run, BASE.replace("horizon = \"2d\"", "horizon = \"8h\"")).unwrap();
    (dir, sweep, run)
}

fn sweep_args<'a>(file: &'a Path, out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["sweep", s(file), "--out", s(out), "--threads", "1", "-q"];
    a.extend_from_slice(extra);
    a
}

/// Every entry of a folder, hidden ones too (empty when it does not exist).
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every file of the folder that is not hidden is a results file, and whole: a CSV of whole
/// lines (a header, every line ending in a newline, as many fields as the header), or a
/// manifest.json that parses. Hidden files are the resume state and temporary names.
fn assert_whole(dir: &Path, allowed: &[&str]) {
    for name in entries(dir) {
        if name.starts_with('.') {
            continue;
        }
        assert!(
            allowed.contains(&name.as_str()),
            "{name} is no results file"
        );
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        if name.ends_with(".json") {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{name} is not whole JSON: {e}"));
            continue;
        }
        assert_eq!(bytes.last(), Some(&b'\n'), "{name} ends mid-line");
        let mut r = csv::Reader::from_reader(&bytes[..]);
        let fields = r.headers().expect("a header").len();
        for rec in r.records() {
            let rec = rec.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(rec.len(), fields, "{name}: a cut line {rec:?}");
        }
    }
}

/// The same bytes in both folders for every file named.
fn assert_same(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let (x, y) = (std::fs::read(a.join(f)), std::fs::read(b.join(f)));
        let (x, y) = (
            x.unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display())),
            y.unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display())),
        );
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Lines of the resume journal (0 when there is none).
fn journal_lines(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join(".sweep-progress"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// Wait until `ready` or the child exits; SIGKILL it if it is still running. True if killed.
fn kill_when(child: &mut Child, ready: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if ready() {
            // Child::kill sends SIGKILL: no handler runs, nothing is cleaned up.
            let killed = child.kill().is_ok();
            child.wait().unwrap();
            return killed;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    child.wait().unwrap();
    panic!("nothing happened in 60 s");
}

/// A tmpfs of `size` mounted on a new folder, unmounted on drop; `None` (and why printed)
/// where mounting is not permitted.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, options: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "ccsim-faults", s(at)])
            .output();
        match o {
            Ok(o) if o.status.success() => Some(Tmpfs(at.to_path_buf())),
            Ok(o) => {
                eprintln!("skipped: cannot mount a tmpfs ({})", stderr(&o).trim());
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount ({e})");
                None
            }
        }
    }

    fn remount(&self, options: &str) {
        let o = Command::new("mount")
            .args(["-o", &format!("remount,{options}"), s(&self.0)])
            .output()
            .unwrap();
        assert!(o.status.success(), "remount: {}", stderr(&o));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).output();
    }
}

#[test]
fn unwritable_results_folders_are_clear_errors_and_leave_nothing() {
    let (dir, sweep, run) = setup();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    // Root writes through chmod, so: a folder below a regular file, a folder in /proc, and (if
    // mounting works) a read-only file system, as a new folder and as the folder itself.
    let mut outs = vec![
        (file.join("out"), "Not a directory"),
        (
            PathBuf::from("/proc/ccsim-faults/out"),
            "/proc/ccsim-faults",
        ),
    ];
    let ro = dir.path().join("ro");
    let mount = Tmpfs::mount(&ro, "ro,size=64k");
    if mount.is_some() {
        outs.push((ro.join("out"), "Read-only file system"));
        outs.push((ro.clone(), "Read-only file system"));
    }
    for (out, why) in &outs {
        let o = ccsim(&["run", s(&run), "--out", s(out), "-q"]);
        refused(&o, 2, &[why]);
        let o = ccsim(&sweep_args(&sweep, out, &[]));
        refused(&o, 2, &[why]);
        let o = ccsim(&sweep_args(&sweep, out, &["--resume"]));
        refused(&o, 2, &[why]);
        assert!(
            !out.exists() || entries(out).is_empty(),
            "{}: {:?}",
            out.display(),
            entries(out)
        );
    }
    drop(mount);
}

#[test]
fn a_full_disk_is_a_clear_error_leaves_no_partial_file_and_resumes() {
    let (dir, sweep, run) = setup();
    let whole = dir.path().join("whole");
    ok(&ccsim(&sweep_args(&sweep, &whole, &[])));
    let full = dir.path().join("full");
    let Some(disk) = Tmpfs::mount(&full, "size=16k") else {
        return;
    };
    // A run with journeys.csv (about 100 kB) on 16 kB: nothing of it stays.
    let out = full.join("run");
    let o = ccsim(&["run", s(&run), "--out", s(&out), "--trace", "-q"]);
    refused(&o, 2, &["No space left on device", s(&out)]);
    assert!(!out.exists(), "{:?}", entries(&out));
    // Into a folder that exists: it stays, empty.
    std::fs::create_dir(&out).unwrap();
    let o = ccsim(&["run", s(&run), "--out", s(&out), "--trace", "-q"]);
    refused(&o, 2, &["No space left on device"]);
    assert_eq!(entries(&out), Vec::<String>::new());
    std::fs::remove_dir(&out).unwrap();
    // A sweep that fills the disk before its first checkpoint: nothing to resume, nothing left.
    let out = full.join("sweep");
    let o = ccsim(&sweep_args(&sweep, &out, &[]));
    refused(&o, 2, &["No space left on device", s(&out)]);
    assert!(!out.exists(), "{:?}", entries(&out));
    // Half the space the sweep needs: the first block of scenarios is kept for --resume and no
    // results file appears; with space again, --resume gives the bytes of the whole run.
    let need: u64 = SWEEP_FILES
        .iter()
        .map(|f| std::fs::metadata(whole.join(f)).unwrap().len())
        .sum();
    disk.remount(&format!("size={}k", need / 2 / 1024));
    let o = ccsim(&sweep_args(&sweep, &out, &[]));
    refused(&o, 2, &["No space left on device", "--resume"]);
    assert!(
        entries(&out).iter().all(|f| f.starts_with('.')),
        "{:?}",
        entries(&out)
    );
    assert!(journal_lines(&out) >= 2, "a checkpoint was recorded");
    disk.remount(&format!("size={}k", need * 3 / 1024));
    ok(&ccsim(&sweep_args(&sweep, &out, &["--resume"])));
    assert_same(&whole, &out, &SWEEP_FILES[..6]);
    assert_eq!(
        entries(&out),
        sorted(&SWEEP_FILES),
        "no journal, no temporary file"
    );
    drop(disk);
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    v.sort();
    v
}

#[test]
fn a_run_killed_while_writing_leaves_whole_files_and_runs_again() {
    let (dir, _, run) = setup();
    // About 5 MB of journeys.csv: writing takes a while.
    let big = dir.path().join("big.toml");
    std::fs::write(
        &big,
        BASE.replace("\"120/h\"", "\"600/h\"")
            .replace("agents = 9", "agents = 45"),
    )
    .unwrap();
    let args = |out: &Path| -> Vec<String> {
        [
            "run",
            s(&big),
            "--out",
            s(out),
            "--trace",
            "--threads",
            "1",
            "-q",
        ]
        .map(String::from)
        .to_vec()
    };
    let whole = dir.path().join("whole");
    ok(&Command::new(BIN).args(args(&whole)).output().unwrap());
    let part = dir.path().join("part");
    let mut killed = 0;
    // Kill as soon as the folder appears (the simulation is done, the files are being
    // written), then at the first results file; each time only whole files may be there.
    for when in [None, Some("summary.csv")] {
        let mut child = Command::new(BIN).args(args(&part)).spawn().unwrap();
        let ready = || match when {
            None => part.exists(),
            Some(f) => part.join(f).exists() || entries(&part).len() > 1,
        };
        if kill_when(&mut child, ready) {
            killed += 1;
        }
        assert_whole(&part, &RUN_FOLDER);
        let _ = std::fs::remove_dir_all(&part);
    }
    eprintln!("run killed {killed} times of 2 while writing");
    // Over an old folder: a kill leaves the old files or the new ones, whole.
    ok(&Command::new(BIN).args(args(&part)).output().unwrap());
    let mut child = Command::new(BIN).args(args(&part)).spawn().unwrap();
    kill_when(&mut child, || {
        entries(&part).iter().any(|f| f.ends_with(".tmp"))
    });
    assert_whole(&part, &RUN_FOLDER);
    // Running again completes, with the bytes of the uninterrupted run and no leftovers.
    ok(&Command::new(BIN).args(args(&part)).output().unwrap());
    assert_same(&whole, &part, &RUN_FILES);
    assert!(
        entries(&part).iter().all(|f| !f.starts_with('.')),
        "{:?}",
        entries(&part)
    );
    let _ = run;
}

/// What a run folder may hold.
const RUN_FOLDER: [&str; 6] = [
    "summary.csv",
    "breakdown.csv",
    "replications.csv",
    "intervals.csv",
    "journeys.csv",
    "manifest.json",
];

#[test]
fn a_sweep_killed_twice_resumes_to_the_same_bytes_and_damaged_state_is_refused() {
    let (dir, sweep, _) = setup();
    let whole = dir.path().join("whole");
    ok(&ccsim(&sweep_args(&sweep, &whole, &[])));
    let part = dir.path().join("part");
    // First kill: after the first checkpoint.
    let mut child = Command::new(BIN)
        .args(sweep_args(&sweep, &part, &[]))
        .spawn()
        .unwrap();
    let killed = kill_when(&mut child, || journal_lines(&part) >= 2);
    assert!(
        killed,
        "the sweep finished before its first checkpoint was seen"
    );
    assert_whole(&part, &SWEEP_FILES);
    assert!(!part.join("manifest.json").exists());

    // Damaged copies of the resume state are refused, and left as they are.
    let copy = |name: &str| {
        let to = dir.path().join(name);
        std::fs::create_dir(&to).unwrap();
        for f in entries(&part) {
            std::fs::copy(part.join(&f), to.join(&f)).unwrap();
        }
        to
    };
    let short = copy("short");
    let tmp = short.join(".summary.csv.tmp");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&tmp)
        .unwrap()
        .set_len(10)
        .unwrap();
    let o = ccsim(&sweep_args(&sweep, &short, &["--resume"]));
    refused(&o, 2, &[".summary.csv.tmp", "damaged", "without --resume"]);
    assert_eq!(std::fs::metadata(&tmp).unwrap().len(), 10, "left as it was");
    let garbled = copy("garbled");
    std::fs::write(
        garbled.join(".sweep-progress"),
        b"\x00\xff garbage\n8 1 2\n",
    )
    .unwrap();
    let o = ccsim(&sweep_args(&sweep, &garbled, &["--resume"]));
    refused(&o, 2, &[".sweep-progress", "cannot be resumed"]);
    // A resume of another sweep file (one more value) is refused.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, SWEEP.replace("12]", "12, 13]")).unwrap();
    let o = ccsim(&sweep_args(&other, &copy("other"), &["--resume"]));
    refused(&o, 2, &["another sweep"]);

    // A torn last journal line (a kill or a full disk mid-write): its last number cut short
    // and no newline. It must be ignored, not read as a shorter file length.
    let journal = part.join(".sweep-progress");
    let text = std::fs::read_to_string(&journal).unwrap();
    let torn = &text[..text.len() - 2];
    assert!(torn.lines().last().unwrap().split(' ').count() == 6);
    std::fs::write(&journal, torn).unwrap();

    // Second kill: during the --resume, after one more checkpoint.
    let before = journal_lines(&part);
    let mut child = Command::new(BIN)
        .args(sweep_args(&sweep, &part, &["--resume"]))
        .spawn()
        .unwrap();
    let killed = kill_when(&mut child, || journal_lines(&part) > before);
    assert_whole(&part, &SWEEP_FILES);
    if killed {
        let o = ccsim(&sweep_args(&sweep, &part, &["--resume"]));
        ok(&o);
    }
    assert_same(&whole, &part, &SWEEP_FILES[..6]);
    assert_eq!(
        entries(&part),
        sorted(&SWEEP_FILES),
        "no journal, no temporary file"
    );
    // A finished folder, or the folder of a run, has nothing to resume.
    let o = ccsim(&sweep_args(&sweep, &part, &["--resume"]));
    refused(&o, 2, &["nothing to resume"]);
}

#[test]
fn merge_refuses_foreign_and_damaged_folders_and_writes_nothing() {
    let (dir, sweep, run) = setup();
    let small = dir.path().join("small.toml");
    std::fs::write(
        &small,
        SWEEP.replace("[8, 9, 10, 11, 12]", "[8, 9]").replace(
            "[\"3m\", \"4m\", \"5m\", \"6m\", \"7m\"]",
            "[\"3m\", \"4m\"]",
        ),
    )
    .unwrap();
    let shard = |k: usize| dir.path().join(format!("shard-{k}"));
    for k in 1..=2 {
        let o = ccsim(&sweep_args(
            &small,
            &shard(k),
            &["--shard", &format!("{k}/2")],
        ));
        ok(&o);
    }
    let runs = dir.path().join("a-run");
    ok(&ccsim(&["run", s(&run), "--out", s(&runs), "-q"]));
    let out = dir.path().join("merged");
    let merge = |dirs: &[&Path]| {
        let mut a = vec!["merge"];
        a.extend(dirs.iter().map(|d| s(d)));
        a.extend(["--out", s(&out)]);
        ccsim(&a)
    };
    let (one, two) = (shard(1), shard(2));
    refused(
        &merge(&[&one, &runs]),
        2,
        &[s(&runs), "not the folder of a ccsim sweep"],
    );
    let whole = dir.path().join("whole-sweep");
    ok(&ccsim(&sweep_args(&small, &whole, &[])));
    refused(&merge(&[&whole]), 2, &["a whole sweep, not a shard"]);
    // Damaged shards: a garbled manifest, a CSV cut mid-line, a CSV missing.
    let manifest = two.join("manifest.json");
    let kept = std::fs::read(&manifest).unwrap();
    std::fs::write(&manifest, &kept[..kept.len() / 2]).unwrap();
    refused(
        &merge(&[&one, &two]),
        2,
        &[s(&two), "manifest.json is not valid JSON"],
    );
    std::fs::write(&manifest, &kept).unwrap();
    let csv = two.join("replications.csv");
    let kept = std::fs::read(&csv).unwrap();
    std::fs::write(&csv, &kept[..kept.len() - 3]).unwrap();
    refused(&merge(&[&one, &two]), 2, &[s(&csv), "cut short"]);
    std::fs::remove_file(&csv).unwrap();
    refused(&merge(&[&one, &two]), 2, &[s(&csv)]);
    assert!(!out.exists(), "{:?}", entries(&out));
    // Repaired, the merge gives the whole sweep's bytes.
    std::fs::write(&csv, &kept).unwrap();
    ok(&merge(&[&two, &one]));
    assert_same(&whole, &out, &SWEEP_FILES[..6]);
    let _ = sweep;
}

#[test]
fn verify_names_a_cut_or_missing_file() {
    let (dir, _, run) = setup();
    let out = dir.path().join("run");
    ok(&ccsim(&["run", s(&run), "--out", s(&out), "--trace", "-q"]));
    // A file cut mid-line is a mismatch (exit 1) at its last line.
    let path = out.join("summary.csv");
    let kept = std::fs::read(&path).unwrap();
    std::fs::write(&path, &kept[..kept.len() - 5]).unwrap();
    let lines = kept.iter().filter(|b| **b == b'\n').count();
    refused(
        &ccsim(&["verify", s(&out), "--threads", "1"]),
        1,
        &[&format!("summary.csv differs at line {lines}")],
    );
    std::fs::write(&path, &kept).unwrap();
    // An empty file: line 1.
    std::fs::write(out.join("journeys.csv"), "").unwrap();
    refused(
        &ccsim(&["verify", s(&out), "--threads", "1"]),
        1,
        &["journeys.csv differs at line 1"],
    );
    // A missing file: a user error naming it.
    std::fs::remove_file(out.join("breakdown.csv")).unwrap();
    refused(
        &ccsim(&["verify", s(&out), "--threads", "1"]),
        2,
        &[s(&out.join("breakdown.csv"))],
    );
    // A manifest cut short.
    let manifest = out.join("manifest.json");
    let kept = std::fs::read(&manifest).unwrap();
    std::fs::write(&manifest, &kept[..kept.len() / 2]).unwrap();
    refused(
        &ccsim(&["verify", s(&out)]),
        2,
        &[s(&out), "manifest.json is not valid JSON"],
    );
}
