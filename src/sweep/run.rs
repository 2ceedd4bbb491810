//! Running a sweep: scenarios × replications on rayon, collected by index, streamed to the
//! results folder a chunk of scenarios at a time, with paired differences against the
//! comparison scenario.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::{Sweep, SweepScenario};
use crate::engine;
use crate::error::{Error, Result};
use crate::report::{self, Csv, SUMMARY_HEADER};
use crate::runner::RunOutput;
use crate::stats::{Outcome, SUMMARY_METRICS};

/// A progress callback: (scenarios done, scenarios in all, replications done).
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
    /// Called after each scenario with (scenarios done, scenarios in all, replications done).
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

/// Name of the resume journal: the sweep's hash, then one line per finished block of scenarios
/// with the number of scenarios whole and the byte length of every results file after them.
const JOURNAL: &str = ".sweep-progress";

/// What manifest.json records for a sweep.
#[derive(Debug, Clone, Serialize)]
struct SweepManifest {
    ccsim_version: String,
    sweep_file: String,
    sweep_sha256: String,
    base_file: String,
    base_sha256: String,
    scenarios: usize,
    compare_to: Option<String>,
    /// `K/N` for a shard, `null` for a whole sweep.
    shard: Option<String>,
    /// The scenarios this folder holds, as [first, end).
    scenario_range: [usize; 2],
    /// The base scenario's service-level threshold [s] (for the report's axis label).
    sl_threshold_s: f64,
    threads: usize,
    started: String,
    wall_seconds: f64,
    files: Vec<String>,
}

/// Summary of a finished sweep.
#[derive(Debug, Clone)]
pub struct SweepReport {
    /// Scenarios run.
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
            open,
        })
    }

    /// Make what was appended durable, and return every file's length.
    fn checkpoint(&mut self) -> Result<Vec<u64>> {
        let mut lengths = Vec::new();
        for (name, f) in &mut self.open {
            f.sync_data()
                .map_err(|e| Error::io("writing", &self.dir.join(*name), e))?;
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
    let (done, lengths) = if opts.resume {
        read_journal(&opts.out, &sweep.hash)?
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
    let mut journal = open_journal(&opts.out, &sweep.hash, lengths.as_ref().map(|l| l.1))?;
    let compare = sweep
        .compare_to
        .as_ref()
        .and_then(|c| scenarios.iter().position(|s| &s.name == c));
    let reference = match compare {
        Some(i) => Some(run_chunk(pool, &scenarios[i..=i])?.remove(0)),
        None => None,
    };
    let (lo, hi) = shard_range(scenarios.len(), opts.shard)?;
    let chunk = (opts.threads * 4).max(8);
    let mut first = done == 0;
    let mut replications = 0u64;
    let mut finished = done;
    for block in scenarios[(lo + done).min(hi)..hi].chunks(chunk) {
        // The comparison scenario runs again in its block: same seeds, same bytes.
        let outs = run_chunk(pool, block)?;
        for (sc, out) in block.iter().zip(outs) {
            replications += out.outcomes.len() as u64;
            write_scenario(&mut files, sc, &out, reference.as_ref(), first)?;
            first = false;
        }
        // One checkpoint per block: the files are synced, then the journal records how many
        // scenarios are whole and the files' lengths after them.
        finished += block.len();
        let lengths = files.checkpoint()?;
        let line: Vec<String> = lengths.iter().map(u64::to_string).collect();
        // One write of a whole line: a line without its newline is ignored when resuming.
        journal
            .write_all(format!("{finished} {}\n", line.join(" ")).as_bytes())
            .and_then(|_| journal.sync_data())
            .map_err(|e| Error::io("writing", &opts.out.join(JOURNAL), e))?;
        *whole = finished;
        if let Some(p) = &opts.progress {
            p(finished, scenarios.len(), replications);
        }
    }
    files.finish()?;
    let scenarios_csv = scenarios_csv(sweep, scenarios)?;
    let manifest = SweepManifest {
        ccsim_version: env!("CARGO_PKG_VERSION").into(),
        sweep_file: sweep.file.display().to_string(),
        sweep_sha256: sweep.hash.clone(),
        base_file: sweep.base.path.display().to_string(),
        base_sha256: sweep.base_hash.clone(),
        scenarios: scenarios.len(),
        compare_to: sweep.compare_to.clone(),
        shard: opts.shard.map(|(k, n)| format!("{k}/{n}")),
        scenario_range: [lo, hi],
        sl_threshold_s: crate::time::ticks_to_secs(
            scenarios.first().map_or(0, |s| s.scenario.sl_threshold),
        ),
        threads: opts.threads,
        started,
        wall_seconds: clock.elapsed().as_secs_f64(),
        files: NAMES
            .iter()
            .chain(&["scenarios.csv", "manifest.json"])
            .map(|s| s.to_string())
            .collect(),
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
    for name in NAMES.iter().chain(&["scenarios.csv", "manifest.json"]) {
        let (tmp, path) = (report::temp_name(&opts.out, name), opts.out.join(name));
        std::fs::rename(&tmp, &path).map_err(|e| Error::io("renaming into place", &path, e))?;
    }
    Ok(SweepReport {
        scenarios: scenarios.len(),
        replications,
        wall_seconds: clock.elapsed().as_secs_f64(),
    })
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

/// Run a block of scenarios: every (scenario, replication) is one work item; results come
/// back in index order whatever the threads. Fails if a replication stopped at the runaway
/// guard's in-flight cap.
fn run_chunk(pool: &rayon::ThreadPool, block: &[SweepScenario]) -> Result<Vec<RunOutput>> {
    let items: Vec<(usize, u32)> = block
        .iter()
        .enumerate()
        .flat_map(|(i, s)| (0..s.scenario.replications).map(move |r| (i, r)))
        .collect();
    let start = Instant::now();
    let outcomes: Vec<Outcome> = pool.install(|| {
        items
            .par_iter()
            .map(|&(i, r)| engine::run(&block[i].scenario, u64::from(r)))
            .collect()
    });
    let mut it = outcomes.into_iter();
    block
        .iter()
        .map(|s| {
            let outcomes: Vec<Outcome> =
                it.by_ref().take(s.scenario.replications as usize).collect();
            crate::guard::check_outcomes(
                &format!("`{}`", s.name),
                &outcomes,
                s.scenario.max_in_flight,
            )?;
            Ok(RunOutput {
                outcomes,
                wall: start.elapsed(),
                threads: pool.current_num_threads(),
            })
        })
        .collect()
}

fn write_scenario(
    files: &mut Files,
    sc: &SweepScenario,
    out: &RunOutput,
    reference: Option<&RunOutput>,
    first: bool,
) -> Result<()> {
    let s = &sc.scenario;
    files.append(0, &report::summary_csv(s, out)?, first)?;
    files.append(1, &report::breakdown_csv(s, out)?, first)?;
    files.append(2, &report::replications_csv(s, out)?, first)?;
    files.append(3, &report::intervals_csv(s, out)?, first)?;
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
    files.append(4, &csv.into_bytes()?, first)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io("creating", path, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io("writing", path, e))
}

fn scenarios_csv(sweep: &Sweep, scenarios: &[SweepScenario]) -> Result<Vec<u8>> {
    let mut header = vec!["scenario"];
    header.extend(sweep.vary.iter().map(|v| v.path.as_str()));
    let mut csv = Csv::new(&header);
    for sc in scenarios {
        let mut row = vec![sc.name.clone()];
        if sc.values.is_empty() {
            row.extend(sweep.vary.iter().map(|_| "base".to_string()));
        } else {
            row.extend(sc.values.iter().cloned());
        }
        csv.row(row);
    }
    csv.into_bytes()
}

/// Where a resumed sweep continues: the results files' lengths, and the journal's length up to
/// its last whole entry.
type Resume = (Vec<u64>, u64);

/// Read the resume journal: how many scenarios are finished, and the file lengths after the
/// last of them with the journal's length up to that entry. A journal of another sweep, or a
/// finished folder, is a clear refusal.
fn read_journal(dir: &Path, hash: &str) -> Result<(usize, Option<Resume>)> {
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
    if first.trim_end_matches('\n') != hash {
        return Err(Error::Usage(format!(
            "{}: {JOURNAL} was written by another sweep file (or the file has changed since, or the journal is damaged): the folder cannot be resumed; use a new --out folder",
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
    match last {
        Some((v, end)) => Ok((v[0] as usize, Some((v[1..].to_vec(), end)))),
        None => Ok((0, None)),
    }
}

/// Open the journal: when resuming, cut back to its last whole entry (`keep` bytes) and
/// appended to; else new with the sweep's hash.
fn open_journal(dir: &Path, hash: &str, keep: Option<u64>) -> Result<File> {
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
    f.write_all(format!("{hash}\n").as_bytes())
        .map_err(|e| Error::io("writing", &path, e))?;
    Ok(f)
}

/// The contiguous block of scenarios of shard `k` of `n`: [len·(k−1)/n, len·k/n).
fn shard_range(len: usize, shard: Option<(usize, usize)>) -> Result<(usize, usize)> {
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
