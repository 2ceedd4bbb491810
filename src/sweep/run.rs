//! Running a sweep: scenarios × replications on rayon, collected by index, streamed to the
//! results folder a chunk of scenarios at a time, with paired differences against the
//! comparison scenario.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Sweep, SweepScenario};
use crate::engine;
use crate::error::{Error, Result};
use crate::report::{self, Csv, SUMMARY_HEADER};
use crate::runner::RunOutput;
use crate::stats::{Outcome, SUMMARY_METRICS};

/// A progress callback: (scenarios done, scenarios in all, replications run), the scenarios
/// those of the shard when there is one, and the replications those run by this call (not
/// those a resumed sweep found done).
pub type Progress = std::sync::Arc<dyn Fn(usize, usize, u64) + Send + Sync>;

/// How to run a sweep.
#[derive(Clone, Default)]
pub struct SweepOptions {
    /// Results folder.
    pub out: PathBuf,
    /// Worker threads.
    pub threads: usize,
    /// Continue an interrupted sweep in `out`: scenarios already written are kept and skipped.
    pub resume: bool,
    /// Run only share `k` of `n` (1-based): a contiguous block of the scenarios, the same
    /// whatever the machine, so `ccsim merge` can put the shards back together.
    pub shard: Option<(usize, usize)>,
    /// Called after each scenario is written, from the calling thread.
    pub progress: Option<Progress>,
    /// Run scenarios whose estimated work is above the runaway guard's limit (`guard`).
    pub force: bool,
}

impl std::fmt::Debug for SweepOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SweepOptions")
            .field("out", &self.out)
            .field("threads", &self.threads)
            .field("resume", &self.resume)
            .field("force", &self.force)
            .finish()
    }
}

/// Name of the resume journal: the hash of the sweep's inputs (`Sweep::inputs_hash`: the sweep
/// file, its base scenario and the data files they read) and the part of the sweep run (the
/// shard, or `all`, and its scenarios: `journal_part`), then one line per finished block of
/// scenarios with the number of scenarios whole and the byte length of every results file after
/// them.
const JOURNAL: &str = report::SWEEP_JOURNAL;

/// What manifest.json records for a sweep (a single run, a shard, or a merge of shards: one
/// struct, so the keys come in the same order in all three).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SweepManifest {
    pub ccsim_version: String,
    pub sweep_file: String,
    /// The sweep file's path from the results folder (`ccsim verify` from any working folder).
    #[serde(default)]
    pub sweep_file_from_results: String,
    pub sweep_sha256: String,
    pub base_file: String,
    pub base_sha256: String,
    /// The files the base scenario includes (directly or through others), in reading order,
    /// with their SHA-256 (as a run's manifest records them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenario_includes: Vec<crate::scenario::DataFile>,
    /// The data files the scenarios read (the base's, then those a swept value brings in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenario_data: Vec<crate::scenario::DataFile>,
    /// The seed every scenario runs with (common random numbers: replication r of each
    /// scenario gets the same seeds); left out when a swept key gives scenarios other seeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The replications of every scenario; left out when a swept key gives scenarios other
    /// numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications: Option<u32>,
    pub scenarios: usize,
    /// A random design whose space holds fewer distinct points than `samples`: the points run
    /// (each once); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_distinct: Option<usize>,
    /// The scenario of the paired differences as the results files name it (`base` for the
    /// base scenario).
    pub compare_to: Option<String>,
    /// `K/N` for a shard, `null` for a whole sweep.
    pub shard: Option<String>,
    /// The scenarios this folder holds, as [first, end).
    pub scenario_range: [usize; 2],
    /// The service-level threshold [s] of every scenario (for the report's axis label); left
    /// out when a swept key gives scenarios other thresholds (scenarios.csv has them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sl_threshold_s: Option<f64>,
    /// Worker threads (merged: the most any shard used).
    pub threads: usize,
    /// When the run started, RFC 3339 (merged: the earliest shard's start).
    pub started: String,
    /// Wall time [s] (merged: the sum over the shards, i.e. the time spent, not elapsed).
    pub wall_seconds: f64,
    pub files: Vec<String>,
    /// The shard folders a merged folder was put together from (absent from a single run's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<Vec<String>>,
}

/// Summary of a finished sweep.
#[derive(Debug, Clone)]
pub struct SweepReport {
    /// Scenarios in the folder (a shard's own, not the whole sweep's).
    pub scenarios: usize,
    /// Replications run in all.
    pub replications: u64,
    /// Wall time [s].
    pub wall_seconds: f64,
}

/// The files a sweep writes, each built through a temporary name.
struct Files {
    dir: PathBuf,
    open: Vec<(&'static str, File)>,
    /// Files appended to since the last checkpoint (only those need syncing).
    dirty: Vec<bool>,
}

/// The results files of a sweep that grow with its scenarios.
pub(super) const NAMES: [&str; 5] = [
    "summary.csv",
    "breakdown.csv",
    "replications.csv",
    "intervals.csv",
    "differences.csv",
];

impl Files {
    /// Open the temporary results files: new, or (resuming) cut back to `lengths`.
    fn open(dir: &Path, lengths: Option<&[u64]>) -> Result<Files> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating the folder", dir, e))?;
        let mut open = Vec::new();
        for (i, name) in NAMES.iter().enumerate() {
            let tmp = dir.join(format!(".{name}.tmp"));
            let f = match lengths {
                None => File::create(&tmp).map_err(|e| Error::io("creating", &tmp, e))?,
                Some(len) => {
                    let mut f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(&tmp)
                        .map_err(|e| Error::io("reopening", &tmp, e))?;
                    let found = f
                        .metadata()
                        .map_err(|e| Error::io("reopening", &tmp, e))?
                        .len();
                    if found < len[i] {
                        return Err(Error::Usage(format!(
                            "{} is shorter ({found} bytes) than the resume journal records ({} bytes): the folder is damaged and cannot be resumed; run again without --resume",
                            tmp.display(),
                            len[i]
                        )));
                    }
                    f.set_len(len[i])
                        .map_err(|e| Error::io("cutting back", &tmp, e))?;
                    std::io::Seek::seek(&mut f, std::io::SeekFrom::End(0))
                        .map_err(|e| Error::io("reopening", &tmp, e))?;
                    f
                }
            };
            open.push((*name, f));
        }
        Ok(Files {
            dir: dir.to_path_buf(),
            dirty: vec![false; open.len()],
            open,
        })
    }

    /// Make what was appended since the last checkpoint durable, and return every file's
    /// length.
    fn checkpoint(&mut self) -> Result<Vec<u64>> {
        let mut lengths = Vec::new();
        for ((name, f), dirty) in self.open.iter_mut().zip(&mut self.dirty) {
            if std::mem::take(dirty) {
                f.sync_data()
                    .map_err(|e| Error::io("writing", &self.dir.join(*name), e))?;
            }
            let len = f
                .metadata()
                .map_err(|e| Error::io("reading", &self.dir.join(*name), e))?
                .len();
            lengths.push(len);
        }
        Ok(lengths)
    }

    /// Append CSV bytes to file `i`, dropping the header line unless the file is new.
    fn append(&mut self, i: usize, bytes: &[u8], first: bool) -> Result<()> {
        let body = if first {
            bytes
        } else {
            let cut = bytes
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |p| p + 1);
            &bytes[cut..]
        };
        if body.is_empty() {
            return Ok(());
        }
        self.dirty[i] = true;
        let (name, f) = &mut self.open[i];
        f.write_all(body)
            .map_err(|e| Error::io("writing", &self.dir.join(name), e))
    }

    /// Make every file durable (they are renamed into place once the rest is written).
    fn finish(self) -> Result<()> {
        for (name, f) in self.open {
            let tmp = report::temp_name(&self.dir, name);
            f.sync_all().map_err(|e| Error::io("writing", &tmp, e))?;
        }
        Ok(())
    }
}

/// Run every scenario of the sweep and write the results folder.
pub fn run_sweep(sweep: &Sweep, opts: &SweepOptions) -> Result<SweepReport> {
    let scenarios = sweep.scenarios()?;
    guard_scenarios(sweep, opts, &scenarios)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start {} threads: {e}", opts.threads)))?;
    let (lo, hi) = shard_range(scenarios.len(), opts.shard)?;
    let part = journal_part(opts.shard, lo, hi);
    let (done, lengths) = if opts.resume {
        read_journal(
            &opts.out,
            &sweep.inputs_hash(&sweep.data(&scenarios)),
            &part,
        )?
    } else {
        (0, None)
    };
    let existed = opts.out.exists();
    let mut whole = done;
    let result = write_sweep(sweep, opts, &scenarios, &pool, done, lengths, &mut whole);
    let Err(e) = result else {
        return result;
    };
    if whole == 0 {
        // Nothing a --resume could keep: leave no half-written file behind.
        for name in NAMES {
            let _ = std::fs::remove_file(report::temp_name(&opts.out, name));
        }
        let _ = std::fs::remove_file(opts.out.join(JOURNAL));
        if !existed {
            let _ = std::fs::remove_dir(&opts.out);
        }
        return Err(e);
    }
    if !matches!(e, Error::Io { .. }) {
        return Err(e);
    }
    Err(Error::Usage(format!(
        "{e}\n    help: the {whole} scenarios finished are kept in {}: once the problem is fixed, run the same command with --resume to continue",
        opts.out.display()
    )))
}

/// The work of `run_sweep`; `whole` counts the scenarios the journal records as written.
fn write_sweep(
    sweep: &Sweep,
    opts: &SweepOptions,
    scenarios: &[SweepScenario],
    pool: &rayon::ThreadPool,
    done: usize,
    lengths: Option<Resume>,
    whole: &mut usize,
) -> Result<SweepReport> {
    let started = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let clock = Instant::now();
    let mut files = Files::open(&opts.out, lengths.as_ref().map(|l| l.0.as_slice()))?;
    let data = sweep.data(scenarios);
    let inputs = sweep.inputs_hash(&data);
    let (lo, hi) = shard_range(scenarios.len(), opts.shard)?;
    let header = format!("{inputs} {}", journal_part(opts.shard, lo, hi));
    let mut journal = open_journal(&opts.out, &header, lengths.as_ref().map(|l| l.1))?;
    let compare = sweep
        .compare_to
        .as_ref()
        .and_then(|c| scenarios.iter().position(|s| &s.name == c));
    // The comparison scenario runs again where it falls in the sweep: same seeds, same bytes.
    let reference = compare.map(|i| run_whole(pool, &scenarios[i]));
    if let Some(r) = &reference {
        let name = &scenarios[compare.unwrap_or(0)].name;
        crate::guard::check_outcomes(
            &format!("`{name}`"),
            &r.outcomes,
            scenarios[compare.unwrap_or(0)].scenario.max_in_flight,
        )?;
    }
    let todo = &scenarios[(lo + done).min(hi)..hi];
    let chunk = (opts.threads * 4).max(8);
    let mut replications = 0u64;
    let mut finished = done;
    let mut first = done == 0;
    let mut since_checkpoint = 0;
    // The workers compute while this thread appends each scenario's rows in order and syncs
    // the files at every checkpoint: writing never leaves the pool idle.
    stream(
        pool,
        todo,
        reference.as_ref(),
        chunk,
        |sc, rows| -> Result<()> {
            replications += u64::from(todo[sc].scenario.replications);
            for (i, bytes) in rows.iter().enumerate() {
                files.append(i, bytes, first)?;
            }
            first = false;
            finished += 1;
            since_checkpoint += 1;
            // One checkpoint per block of scenarios (and after the last): the files are
            // synced, then the journal records how many scenarios are whole and the files'
            // lengths after them.
            if since_checkpoint == chunk || sc + 1 == todo.len() {
                since_checkpoint = 0;
                let lengths = files.checkpoint()?;
                let line: Vec<String> = lengths.iter().map(u64::to_string).collect();
                // One write of a whole line: a line without its newline is ignored when
                // resuming.
                journal
                    .write_all(format!("{finished} {}\n", line.join(" ")).as_bytes())
                    .and_then(|_| journal.sync_data())
                    .map_err(|e| Error::io("writing", &opts.out.join(JOURNAL), e))?;
                *whole = finished;
            }
            if let Some(p) = &opts.progress {
                p(finished, hi - lo, replications);
            }
            Ok(())
        },
    )?;
    files.finish()?;
    let scenarios_csv = scenarios_csv(sweep, scenarios)?;
    let manifest = SweepManifest {
        ccsim_version: env!("CARGO_PKG_VERSION").into(),
        sweep_file: sweep.file.display().to_string(),
        sweep_file_from_results: report::path_from(&opts.out, &sweep.file),
        sweep_sha256: sweep.hash.clone(),
        base_file: sweep.base.path.display().to_string(),
        base_sha256: sweep.base_hash.clone(),
        scenario_includes: sweep.base_includes.clone(),
        scenario_data: data,
        seed: common(scenarios, |s| s.seed),
        replications: common(scenarios, |s| s.replications),
        scenarios: scenarios.len(),
        samples_distinct: sweep.samples_short().map(|(_, n)| n),
        compare_to: sweep.compare_to.clone(),
        shard: opts.shard.map(|(k, n)| format!("{k}/{n}")),
        scenario_range: [lo, hi],
        sl_threshold_s: common(scenarios, |s| s.sl_threshold).map(crate::time::ticks_to_secs),
        threads: opts.threads,
        started,
        wall_seconds: clock.elapsed().as_secs_f64(),
        files: written_files(sweep.compare_to.is_some())
            .iter()
            .map(|s| s.to_string())
            .collect(),
        merged_from: None,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
    let staged = [
        report::temp_name(&opts.out, "scenarios.csv"),
        report::temp_name(&opts.out, "manifest.json"),
    ];
    for (tmp, bytes) in staged.iter().zip([&scenarios_csv, &json]) {
        if let Err(e) = write_synced(tmp, bytes) {
            for t in &staged {
                let _ = std::fs::remove_file(t);
            }
            return Err(e);
        }
    }
    // Everything is written: the journal goes first (a kill from here on leaves no journal,
    // and the next run starts afresh), then the files are renamed, manifest.json last.
    let _ = std::fs::remove_file(opts.out.join(JOURNAL));
    let earlier = report::held_results(&opts.out);
    let written = written_files(sweep.compare_to.is_some());
    if sweep.compare_to.is_none() {
        // Built like the others (it only holds its header): not a result without `compare_to`.
        let tmp = report::temp_name(&opts.out, DIFFERENCES);
        std::fs::remove_file(&tmp).map_err(|e| Error::io("removing", &tmp, e))?;
    }
    for name in &written {
        let (tmp, path) = (report::temp_name(&opts.out, name), opts.out.join(name));
        std::fs::rename(&tmp, &path).map_err(|e| Error::io("renaming into place", &path, e))?;
    }
    report::remove_stale(&opts.out, &written, earlier)?;
    Ok(SweepReport {
        scenarios: hi - lo,
        replications,
        wall_seconds: clock.elapsed().as_secs_f64(),
    })
}

/// differences.csv: written only by a sweep with `compare_to`.
pub(super) const DIFFERENCES: &str = "differences.csv";

/// The files a finished sweep holds, manifest.json last: differences.csv only with
/// `compare_to`.
pub(super) fn written_files(differences: bool) -> Vec<&'static str> {
    NAMES
        .iter()
        .filter(|n| differences || **n != DIFFERENCES)
        .chain(&["scenarios.csv", "manifest.json"])
        .copied()
        .collect()
}

/// Refuse the sweep, naming the first scenario to run whose estimated work is above the
/// runaway guard's limit, unless `opts.force` (`guard::check`).
fn guard_scenarios(sweep: &Sweep, opts: &SweepOptions, scenarios: &[SweepScenario]) -> Result<()> {
    let limit = crate::guard::work_limit();
    let (lo, hi) = shard_range(scenarios.len(), opts.shard)?;
    let compare = sweep
        .compare_to
        .as_ref()
        .and_then(|c| scenarios.iter().find(|s| &s.name == c));
    for sc in scenarios[lo..hi].iter().chain(compare) {
        let label = format!("`{}` of sweep {}", sc.name, sweep.file.display());
        crate::guard::check(&sc.scenario, &label, limit, opts.force)?;
    }
    Ok(())
}

/// Every replication of one scenario, on the pool, in replication order.
fn run_whole(pool: &rayon::ThreadPool, sc: &SweepScenario) -> RunOutput {
    let outcomes = pool.install(|| {
        (0..sc.scenario.replications)
            .into_par_iter()
            .map(|r| engine::run(&sc.scenario, u64::from(r)))
            .collect()
    });
    RunOutput {
        outcomes,
        wall: Duration::ZERO,
        threads: pool.current_num_threads(),
    }
}

/// The rows a scenario adds to each results file (`NAMES`), each with its header line.
type Rows = [Vec<u8>; 5];

/// What the workers share.
struct Shared<'a> {
    todo: &'a [SweepScenario],
    reference: Option<&'a RunOutput>,
    /// First work item of each scenario, and the number of items after the last.
    starts: Vec<usize>,
    /// The next work item to hand out.
    next: AtomicUsize,
    /// Outcomes of scenarios not yet complete, by scenario.
    partial: Mutex<HashMap<usize, Vec<Option<Outcome>>>>,
    /// Work items whose scenario is written: no item at or beyond `written + window` starts.
    written: Mutex<usize>,
    advanced: Condvar,
    window: usize,
    /// Set when the writer fails or a worker panics: every worker stops.
    stop: AtomicBool,
    threads: usize,
}

impl Shared<'_> {
    fn halt(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let _guard = self.written.lock().unwrap_or_else(|e| e.into_inner());
        self.advanced.notify_all();
    }

    /// The scenario of work item `i` and its replication.
    fn item(&self, i: usize) -> (usize, u32) {
        let sc = self.starts.partition_point(|s| *s <= i) - 1;
        (sc, (i - self.starts[sc]) as u32)
    }

    /// Wait until item `i` is within the window ahead of the writer; false if stopped.
    fn admit(&self, i: usize) -> bool {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        while i >= *written + self.window && !self.stop.load(Ordering::SeqCst) {
            written = self
                .advanced
                .wait(written)
                .unwrap_or_else(|e| e.into_inner());
        }
        !self.stop.load(Ordering::SeqCst)
    }

    /// Record replication `r` of scenario `sc`; all its outcomes once it is complete.
    fn record(&self, sc: usize, r: u32, out: Outcome) -> Option<Vec<Outcome>> {
        let n = self.starts[sc + 1] - self.starts[sc];
        let mut partial = self.partial.lock().unwrap_or_else(|e| e.into_inner());
        let slots = partial
            .entry(sc)
            .or_insert_with(|| (0..n).map(|_| None).collect());
        slots[r as usize] = Some(out);
        if slots.iter().all(Option::is_some) {
            let slots = partial.remove(&sc)?;
            return slots.into_iter().collect();
        }
        None
    }

    /// A worker: take the next (scenario, replication) item until none is left; whoever
    /// finishes a scenario's last replication formats its rows and sends them to the writer.
    fn work(&self, tx: &Sender<(usize, Result<Rows>)>) {
        // A panic in the engine stops the other workers (the scope then re-raises it).
        struct OnPanic<'s, 'a>(&'s Shared<'a>);
        impl Drop for OnPanic<'_, '_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.halt();
                }
            }
        }
        let _guard = OnPanic(self);
        let total = *self.starts.last().unwrap_or(&0);
        while !self.stop.load(Ordering::SeqCst) {
            let i = self.next.fetch_add(1, Ordering::SeqCst);
            if i >= total || !self.admit(i) {
                return;
            }
            let (sc, r) = self.item(i);
            let s = &self.todo[sc];
            let out = engine::run(&s.scenario, u64::from(r));
            if let Some(outcomes) = self.record(sc, r, out) {
                // A replication stopped at the runaway guard's in-flight cap fails the sweep.
                let capped = crate::guard::check_outcomes(
                    &format!("`{}`", s.name),
                    &outcomes,
                    s.scenario.max_in_flight,
                );
                let out = RunOutput {
                    outcomes,
                    wall: Duration::ZERO,
                    threads: self.threads,
                };
                let rows = capped.and_then(|()| rows(s, &out, self.reference));
                if tx.send((sc, rows)).is_err() {
                    return;
                }
            }
        }
    }
}

/// Run every (scenario, replication) of `todo` on the pool's threads, handing out the items in
/// order without a barrier, and call `write` with each scenario's rows in scenario order on
/// this thread. The workers stay at most about two blocks of scenarios ahead of the writer,
/// so memory does not grow with the sweep. Stops at `write`'s first error.
fn stream(
    pool: &rayon::ThreadPool,
    todo: &[SweepScenario],
    reference: Option<&RunOutput>,
    chunk: usize,
    mut write: impl FnMut(usize, &Rows) -> Result<()>,
) -> Result<()> {
    let mut starts = Vec::with_capacity(todo.len() + 1);
    let mut total = 0;
    for s in todo {
        starts.push(total);
        total += s.scenario.replications as usize;
    }
    starts.push(total);
    let most = todo
        .iter()
        .map(|s| s.scenario.replications as usize)
        .max()
        .unwrap_or(1);
    let threads = pool.current_num_threads();
    let shared = Shared {
        todo,
        reference,
        starts,
        next: AtomicUsize::new(0),
        partial: Mutex::new(HashMap::new()),
        written: Mutex::new(0),
        advanced: Condvar::new(),
        // Never less than one scenario's items (or its last replication could never start).
        window: (2 * chunk * most).max(most + threads),
        stop: AtomicBool::new(false),
        threads,
    };
    let (tx, rx) = mpsc::channel::<(usize, Result<Rows>)>();
    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let shared = &shared;
            scope.spawn(move |_| shared.work(&tx));
        }
        drop(tx);
        let result = (|| {
            let mut ready: BTreeMap<usize, Rows> = BTreeMap::new();
            for sc in 0..todo.len() {
                let rows = loop {
                    if let Some(rows) = ready.remove(&sc) {
                        break rows;
                    }
                    let Ok((k, rows)) = rx.recv() else {
                        return Err(Error::Internal("the sweep's workers stopped".into()));
                    };
                    ready.insert(k, rows?);
                };
                write(sc, &rows)?;
                *shared.written.lock().unwrap_or_else(|e| e.into_inner()) = shared.starts[sc + 1];
                shared.advanced.notify_all();
            }
            Ok(())
        })();
        if result.is_err() {
            shared.halt();
        }
        drop(rx);
        result
    })
}

/// A scenario's rows for every results file, each with its header line.
fn rows(sc: &SweepScenario, out: &RunOutput, reference: Option<&RunOutput>) -> Result<Rows> {
    let s = &sc.scenario;
    let mut csv = Csv::new(SUMMARY_HEADER);
    if let Some(r) = reference {
        for (i, metric) in SUMMARY_METRICS.iter().enumerate() {
            let diffs: Vec<Option<f64>> = out
                .outcomes
                .iter()
                .zip(&r.outcomes)
                .map(|(a, b)| Some(a.summary[i]? - b.summary[i]?))
                .collect();
            report::summary_row(&mut csv, &[&s.name, metric], &diffs);
        }
    }
    Ok([
        report::summary_csv(s, out)?,
        report::breakdown_csv(s, out)?,
        report::replications_csv(s, out)?,
        report::intervals_csv(s, out)?,
        csv.into_bytes()?,
    ])
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io("creating", path, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io("writing", path, e))
}

/// The value every scenario of the sweep (the whole sweep, not a shard's part) shares, if
/// they all share one.
fn common<T: PartialEq>(
    scenarios: &[SweepScenario],
    f: impl Fn(&crate::scenario::Scenario) -> T,
) -> Option<T> {
    let first = f(&scenarios.first()?.scenario);
    scenarios
        .iter()
        .all(|s| f(&s.scenario) == first)
        .then_some(first)
}

/// One row per scenario: its name and its value of each swept key (the base's own values for
/// the base).
fn scenarios_csv(sweep: &Sweep, scenarios: &[SweepScenario]) -> Result<Vec<u8>> {
    let mut header = vec!["scenario"];
    header.extend(sweep.vary.iter().map(|v| v.path.as_str()));
    let mut csv = Csv::new(&header);
    for sc in scenarios {
        let mut row = vec![sc.name.clone()];
        row.extend(sc.values.iter().cloned());
        csv.row(row);
    }
    csv.into_bytes()
}

/// Where a resumed sweep continues: the results files' lengths, and the journal's length up to
/// its last whole entry.
type Resume = (Vec<u64>, u64);

/// What part of the sweep a journal's folder holds, after the hash on its first line: the shard
/// (`K/N`, or `all` for the whole sweep) and its scenarios [first, end).
fn journal_part(shard: Option<(usize, usize)>, lo: usize, hi: usize) -> String {
    let shard = shard.map_or_else(|| "all".to_string(), |(k, n)| format!("{k}/{n}"));
    format!("{shard} {lo} {hi}")
}

/// A journal part (`journal_part`) for people: "shard 2/3 (scenarios 21..42)".
fn describe_part(part: &str) -> String {
    let v: Vec<&str> = part.split(' ').collect();
    match v.as_slice() {
        ["all", lo, hi] => format!("the whole sweep (scenarios {lo}..{hi})"),
        [shard, lo, hi] => format!("shard {shard} (scenarios {lo}..{hi})"),
        _ => format!("`{part}` (a damaged journal)"),
    }
}

/// Read the resume journal: how many scenarios are finished, and the file lengths after the
/// last of them with the journal's length up to that entry. A journal of another sweep, of
/// another shard (`part`, see `journal_part`), or a finished folder, is a clear refusal.
fn read_journal(dir: &Path, hash: &str, part: &str) -> Result<(usize, Option<Resume>)> {
    let path = dir.join(JOURNAL);
    let bytes = match std::fs::read(&path) {
        Ok(t) => t,
        Err(_) if dir.join("manifest.json").exists() => {
            return Err(Error::Usage(format!(
                "{} holds finished results (manifest.json): nothing to resume (leave out --resume to run the sweep again)",
                dir.display()
            )));
        }
        Err(_) => return Ok((0, None)),
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    let (found_hash, found_part) = first
        .trim_end_matches('\n')
        .split_once(' ')
        .unwrap_or((first.trim_end_matches('\n'), ""));
    if found_hash != hash {
        return Err(Error::Usage(format!(
            "{}: {JOURNAL} was written by another sweep file (or the sweep file, its base scenario or a data file they read has changed since, or the journal is damaged): the folder cannot be resumed; use a new --out folder",
            dir.display()
        )));
    }
    // Each line: scenarios whole, then the length of every results file after them. A line cut
    // short by a kill or a full disk has no newline, or too few numbers, and is ignored.
    let mut at = first.len() as u64;
    let mut last = None;
    for l in lines {
        at += l.len() as u64;
        let Some(l) = l.strip_suffix('\n') else {
            break;
        };
        let v: Option<Vec<u64>> = l.split(' ').map(|x| x.parse().ok()).collect();
        if let Some(v) = v.filter(|v| v.len() == NAMES.len() + 1) {
            last = Some((v, at));
        }
    }
    // A journal of an older ccsim records no shard: with nothing finished there is nothing to
    // mix up (the run starts afresh), else the folder's part of the sweep is unknown.
    if found_part.is_empty() && last.is_none() {
        return Ok((0, None));
    }
    if found_part.is_empty() {
        return Err(Error::Usage(format!(
            "{}: {JOURNAL} records no shard (an older ccsim wrote it), so which part of the sweep the folder holds is unknown: the folder cannot be resumed\n    help: leave out --resume to start this run afresh, or use another --out folder",
            dir.display()
        )));
    }
    if found_part != part {
        let held = match found_part.split(' ').next() {
            Some("all") => "resume without --shard".to_string(),
            Some(k) => format!("resume with --shard {k}"),
            None => "run it again".to_string(),
        };
        return Err(Error::Usage(format!(
            "{} holds the unfinished results of {}, but this run is {}: the folder cannot be resumed by it\n    help: {}, or leave out --resume to start this run afresh (the folder's results are then replaced), or use another --out folder",
            dir.display(),
            describe_part(found_part),
            describe_part(part),
            held
        )));
    }
    match last {
        Some((v, end)) => Ok((v[0] as usize, Some((v[1..].to_vec(), end)))),
        None => Ok((0, None)),
    }
}

/// Open the journal: when resuming, cut back to its last whole entry (`keep` bytes) and
/// appended to; else new with `header` (the hash of the sweep's inputs and the part of the
/// sweep run, `journal_part`).
fn open_journal(dir: &Path, header: &str, keep: Option<u64>) -> Result<File> {
    let path = dir.join(JOURNAL);
    if let Some(keep) = keep {
        let f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| Error::io("reopening", &path, e))?;
        f.set_len(keep)
            .map_err(|e| Error::io("cutting back", &path, e))?;
        return Ok(f);
    }
    let mut f = File::create(&path).map_err(|e| Error::io("creating", &path, e))?;
    f.write_all(format!("{header}\n").as_bytes())
        .map_err(|e| Error::io("writing", &path, e))?;
    Ok(f)
}

/// The contiguous block of scenarios of shard `k` of `n`: [len·(k−1)/n, len·k/n).
pub(super) fn shard_range(len: usize, shard: Option<(usize, usize)>) -> Result<(usize, usize)> {
    let Some((k, n)) = shard else {
        return Ok((0, len));
    };
    if n == 0 || k == 0 || k > n {
        return Err(Error::Usage(format!(
            "--shard {k}/{n}: write K/N with 1 <= K <= N, e.g. --shard 2/8"
        )));
    }
    if n > len {
        return Err(Error::Usage(format!(
            "--shard {k}/{n}: the sweep has only {len} scenarios; use at most {len} shards"
        )));
    }
    Ok((len * (k - 1) / n, len * k / n))
}
