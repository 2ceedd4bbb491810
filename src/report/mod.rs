//! The results folder: summary.csv, breakdown.csv, replications.csv, intervals.csv and
//! manifest.json, each written to a temporary name and renamed, so a file is whole or absent.

pub mod html;
mod intervals;
pub use intervals::intervals_csv;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::runner::RunOutput;
use crate::scenario::Scenario;
use crate::stats::outcome::dimension_metrics;
use crate::stats::{SUMMARY_METRICS, summarize};

/// Confidence level of every interval in the results.
pub const CONFIDENCE: f64 = 0.95;

/// Facts about the run recorded in manifest.json.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// ccsim version.
    pub ccsim_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario file; with includes or data files, of every file read (see
    /// `scenario::scenario_hash`).
    pub scenario_sha256: String,
    /// The scenario file's path from the results folder (so `ccsim verify` finds it from any
    /// working folder while the two keep their places).
    pub scenario_file_from_results: String,
    /// Files the scenario file includes (directly or through others), in reading order, with
    /// their SHA-256.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scenario_includes: Vec<crate::scenario::DataFile>,
    /// Data files the scenario reads (empirical distributions, arrivals files) with their
    /// SHA-256, in reading order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scenario_data: Vec<crate::scenario::DataFile>,
    /// Scenario seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Worker threads.
    pub threads: usize,
    /// Start time (RFC 3339, UTC).
    pub started: String,
    /// Wall-clock seconds of the simulation.
    pub wall_seconds: f64,
    /// Events processed.
    pub events: u64,
    /// The scenario's service-level threshold [s] (for the report's axis label).
    pub sl_threshold_s: f64,
    /// Files written.
    pub files: Vec<String>,
}

/// `file`'s path as seen from the folder `from` (both taken from the current folder, neither
/// needing to exist), e.g. "../scenarios/a.toml"; written with `/`.
pub fn path_from(from: &Path, file: &Path) -> String {
    use std::path::Component;
    fn absolute(p: &Path) -> Vec<String> {
        let mut full = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        // Links followed where the path exists (the longest existing ancestor), so the result
        // holds from the real folders; the rest (a results folder not made yet) as written.
        let mut tail = Vec::new();
        let mut head = full.clone();
        loop {
            if let Ok(real) = std::fs::canonicalize(&head) {
                full = tail.iter().rev().fold(real, |acc: PathBuf, t| acc.join(t));
                break;
            }
            match (head.file_name().map(|n| n.to_owned()), head.parent()) {
                (Some(name), Some(parent)) => {
                    tail.push(name);
                    head = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let mut parts: Vec<String> = Vec::new();
        for c in full.components() {
            match c {
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                _ => {}
            }
        }
        parts
    }
    let (a, b) = (absolute(from), absolute(file));
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel: Vec<&str> = vec![".."; a.len() - common];
    rel.extend(b[common..].iter().map(String::as_str));
    rel.join("/")
}

/// Format an optional number for CSV: empty when undefined.
pub fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x}"),
        _ => String::new(),
    }
}

/// The temporary name `dir/name` is written under before it is renamed into place.
pub fn temp_name(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.tmp"))
}

/// Every file name ccsim writes into a results folder (runs, sweeps, merges, reports).
pub const RESULT_FILES: [&str; 9] = [
    "summary.csv",
    "breakdown.csv",
    "differences.csv",
    "intervals.csv",
    "replications.csv",
    "scenarios.csv",
    "journeys.csv",
    html::REPORT_FILE,
    "manifest.json",
];

/// Whether `dir` holds the results of an earlier ccsim run (a manifest.json ccsim wrote), read
/// before the new files replace it: only then are files of ccsim's names in it ccsim's.
pub fn held_results(dir: &Path) -> bool {
    std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| m.get("ccsim_version").is_some())
}

/// Remove the results files an earlier run left in `dir` that this one did not write (`kept`),
/// so a reused folder never mixes two runs: a journeys.csv from a traced run, a report.html of
/// other results. Only when `earlier` (`held_results`, asked before writing): a folder that
/// held no ccsim results keeps every file, even one named like a results file (a data CSV
/// called summary.csv next to the scenario); and only ccsim's own file names are touched.
pub fn remove_stale(dir: &Path, kept: &[&str], earlier: bool) -> Result<()> {
    if !earlier {
        return Ok(());
    }
    for name in RESULT_FILES.iter().filter(|n| !kept.contains(n)) {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("removing the stale", &path, e)),
        }
    }
    Ok(())
}

/// Write `bytes` to `dir/name` through a temporary file and a rename.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    write_all_atomic(dir, &[(name, bytes)]).map(|mut v| v.remove(0))
}

/// Write every file to its temporary name, then rename them into place in order: on an error
/// (a full disk) every temporary file is removed and no file is replaced, so a results folder
/// is never left with some files new and others missing.
pub fn write_all_atomic(dir: &Path, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>> {
    let mut staged = Vec::new();
    for (name, bytes) in files {
        let tmp = temp_name(dir, name);
        staged.push(tmp.clone());
        let written = (|| {
            let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io("creating", &tmp, e))?;
            f.write_all(bytes)
                .map_err(|e| Error::io("writing", &tmp, e))?;
            f.sync_all().map_err(|e| Error::io("writing", &tmp, e))
        })();
        if let Err(e) = written {
            for t in &staged {
                let _ = std::fs::remove_file(t);
            }
            return Err(e);
        }
    }
    let mut done = Vec::new();
    for ((name, _), tmp) in files.iter().zip(&staged) {
        let path = dir.join(name);
        if let Err(e) = std::fs::rename(tmp, &path) {
            for t in &staged {
                let _ = std::fs::remove_file(t);
            }
            return Err(Error::io("renaming into place", &path, e));
        }
        done.push(path);
    }
    Ok(done)
}

/// A CSV document built in memory (results are small: they do not grow with the horizon).
pub struct Csv(csv::Writer<Vec<u8>>);

impl Csv {
    /// A document with a header line.
    pub fn new(header: &[&str]) -> Self {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let _ = w.write_record(header);
        Csv(w)
    }

    /// Append a row.
    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        // Writing to a Vec cannot fail.
        let _ = self.0.write_record(fields);
    }

    /// The bytes.
    pub fn into_bytes(self) -> Result<Vec<u8>> {
        self.0
            .into_inner()
            .map_err(|e| Error::Internal(format!("csv buffer: {e}")))
    }
}

/// Columns of summary.csv and differences.csv.
pub const SUMMARY_HEADER: &[&str] = &[
    "scenario",
    "metric",
    "mean",
    "std",
    "ci_low",
    "ci_high",
    "replications",
];

/// One summary row: the lead fields, then mean, std, interval and count of the defined values.
/// A metric no replication defines (no answered contact for `asa_s`, no survey for
/// `csat_surveyed`) still has its row, with empty cells and a count of 0, so every scenario
/// of a run or sweep has the same rows.
pub fn summary_row(csv: &mut Csv, lead: &[&str], values: &[Option<f64>]) {
    let mut row: Vec<String> = lead.iter().map(|x| x.to_string()).collect();
    match summarize(values, CONFIDENCE) {
        Some(s) => row.extend([
            num(Some(s.mean)),
            num(s.std),
            num(s.ci_low),
            num(s.ci_high),
            s.n.to_string(),
        ]),
        None => row.extend(["", "", "", "", "0"].map(String::from)),
    }
    csv.row(row);
}

/// summary.csv: one row per metric over all replications.
pub fn summary_csv(s: &Scenario, out: &RunOutput) -> Result<Vec<u8>> {
    let mut csv = Csv::new(SUMMARY_HEADER);
    for (i, metric) in SUMMARY_METRICS.iter().enumerate() {
        let values: Vec<Option<f64>> = out.outcomes.iter().map(|o| o.summary[i]).collect();
        summary_row(&mut csv, &[&s.name, metric], &values);
    }
    csv.into_bytes()
}

/// breakdown.csv: the metrics per persona, reason and group.
pub fn breakdown_csv(s: &Scenario, out: &RunOutput) -> Result<Vec<u8>> {
    let mut header = vec!["scenario", "dimension", "key"];
    header.extend(&SUMMARY_HEADER[1..]);
    let mut csv = Csv::new(&header);
    let Some(first) = out.outcomes.first() else {
        return csv.into_bytes();
    };
    for (row, (dimension, key, _)) in first.breakdown.iter().enumerate() {
        for (i, metric) in dimension_metrics(dimension).iter().enumerate() {
            let values: Vec<Option<f64>> =
                out.outcomes.iter().map(|o| o.breakdown[row].2[i]).collect();
            summary_row(&mut csv, &[&s.name, dimension, key, metric], &values);
        }
    }
    csv.into_bytes()
}

/// replications.csv: every raw value.
pub fn replications_csv(s: &Scenario, out: &RunOutput) -> Result<Vec<u8>> {
    let mut csv = Csv::new(&["scenario", "replication", "metric", "value"]);
    for (r, o) in out.outcomes.iter().enumerate() {
        for (metric, v) in SUMMARY_METRICS.iter().zip(&o.summary) {
            csv.row([s.name.as_str(), &r.to_string(), metric, &num(*v)]);
        }
    }
    csv.into_bytes()
}

/// Write the whole results folder. The folder is created if needed; each file is replaced whole.
pub fn write_results(
    dir: &Path,
    s: &Scenario,
    out: &RunOutput,
    mut manifest: Manifest,
) -> Result<Vec<PathBuf>> {
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.csv", summary_csv(s, out)?),
        ("breakdown.csv", breakdown_csv(s, out)?),
        ("replications.csv", replications_csv(s, out)?),
        ("intervals.csv", intervals::intervals_csv(s, out)?),
    ];
    let mut files = files;
    if out.outcomes.iter().any(|o| !o.raw.trace.is_empty()) {
        files.push(("journeys.csv", journeys_csv(s, out)?));
    }
    manifest.files = files.iter().map(|(n, _)| n.to_string()).collect();
    manifest.files.push("manifest.json".into());
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
    files.push(("manifest.json", json));
    let existed = dir.exists();
    let earlier = held_results(dir);
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating the folder", dir, e))?;
    let all: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    // All files or none; manifest.json, renamed last, says the folder is whole.
    let written = match write_all_atomic(dir, &all) {
        Ok(w) => w,
        Err(e) => {
            if !existed {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    let kept: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    remove_stale(dir, &kept, earlier)?;
    remove_interrupted_sweep(dir)?;
    Ok(written)
}

/// The resume journal of a sweep (`ccsim sweep --resume` reads it).
pub const SWEEP_JOURNAL: &str = ".sweep-progress";

/// What a killed sweep left in `dir` — its resume journal and the temporary files it was
/// building (ccsim's own names, `.summary.csv.tmp`, …) — once a run's results replace it: a
/// later `--resume` must not pick the old sweep up again over them.
fn remove_interrupted_sweep(dir: &Path) -> Result<()> {
    if !dir.join(SWEEP_JOURNAL).exists() {
        return Ok(());
    }
    let names = RESULT_FILES.iter().map(|n| temp_name(dir, n));
    for path in names.chain([dir.join(SWEEP_JOURNAL)]) {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("removing the interrupted sweep's", &path, e)),
        }
    }
    Ok(())
}

/// journeys.csv (`--trace`): every contact of every journey begun in the window.
pub fn journeys_csv(s: &Scenario, out: &RunOutput) -> Result<Vec<u8>> {
    use crate::time::ticks_to_secs;
    let mut csv = Csv::new(&[
        "scenario",
        "replication",
        "journey",
        "attempt",
        "persona",
        "reason",
        "channel",
        "arrival_s",
        "ivr_s",
        "wait_s",
        "talk_s",
        "agents",
        "reexplanations",
        "outcome",
    ]);
    for (rep, o) in out.outcomes.iter().enumerate() {
        for row in &o.raw.trace {
            let agents: Vec<&str> = row
                .agents
                .iter()
                .map(|g| s.groups[usize::from(*g)].name.as_str())
                .collect();
            csv.row([
                s.name.clone(),
                rep.to_string(),
                row.journey.to_string(),
                row.attempt.to_string(),
                s.personas[usize::from(row.persona)].name.clone(),
                s.reasons[usize::from(row.reason)].name.clone(),
                crate::scenario::Channel::from_index(usize::from(row.channel))
                    .name()
                    .to_string(),
                ticks_to_secs(row.arrival).to_string(),
                ticks_to_secs(row.ivr).to_string(),
                ticks_to_secs(row.wait).to_string(),
                ticks_to_secs(row.talk).to_string(),
                agents.join(">"),
                row.reexplanations.to_string(),
                row.outcome.to_string(),
            ]);
        }
    }
    csv.into_bytes()
}
