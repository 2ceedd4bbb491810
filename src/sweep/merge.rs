//! `ccsim merge`: put the shards of a sweep back together into the folder a single run would
//! have written (the same bytes in every results file and scenarios.csv; manifest.json differs
//! only in its timing fields and `merged_from`), refusing an incomplete or mixed set.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::run::{NAMES, SweepManifest};
use crate::error::{Error, Result};
use crate::report;
use crate::stats::SUMMARY_METRICS;

struct Shard {
    dir: PathBuf,
    k: usize,
    n: usize,
    sweep: String,
    /// The base scenario's hash and the data files read: the inputs besides the sweep file.
    inputs: [Option<Value>; 2],
    manifest: Value,
}

fn read_shard(dir: &Path) -> Result<Shard> {
    let path = dir.join("manifest.json");
    let text = std::fs::read(&path).map_err(|_| {
        Error::Usage(format!(
            "{} is not a finished shard (no manifest.json): run or resume it first",
            dir.display()
        ))
    })?;
    let manifest: Value = serde_json::from_slice(&text).map_err(|e| {
        Error::Usage(format!(
            "{}: manifest.json is not valid JSON ({e})",
            dir.display()
        ))
    })?;
    let sweep = manifest
        .get("sweep_sha256")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Error::Usage(format!(
                "{} is not the folder of a ccsim sweep",
                dir.display()
            ))
        })?
        .to_string();
    let shard = manifest
        .get("shard")
        .and_then(Value::as_str)
        .and_then(|s| s.split_once('/'))
        .and_then(|(k, n)| Some((k.parse().ok()?, n.parse().ok()?)))
        .ok_or_else(|| {
            Error::Usage(format!(
                "{} holds a whole sweep, not a shard",
                dir.display()
            ))
        })?;
    Ok(Shard {
        dir: dir.to_path_buf(),
        k: shard.0,
        n: shard.1,
        sweep,
        inputs: inputs_of(&manifest),
        manifest,
    })
}

/// What a shard was computed from: the base's hash and its data files' hashes, in reading
/// order (not their paths, which read differently from another working folder).
fn inputs_of(manifest: &serde_json::Value) -> [Option<serde_json::Value>; 2] {
    let data = manifest.get("scenario_data").map(|d| {
        d.as_array()
            .map(|files| {
                files
                    .iter()
                    .map(|f| f.get("sha256").cloned().unwrap_or_default())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into()
    });
    [manifest.get("base_sha256").cloned(), data]
}

/// Whether the shards' sweep has `compare_to` (and so a differences.csv); the shards agree,
/// being of one sweep file.
fn first_compare_to(shards: &[Shard]) -> bool {
    shards
        .first()
        .and_then(|s| s.manifest.get("compare_to"))
        .is_some_and(|c| !c.is_null())
}

/// Merge shard folders into `out`. Returns the number of shards merged.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<usize> {
    let mut shards = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>>>()?;
    let Some(first) = shards.first() else {
        return Err(Error::Usage(
            "merge needs the shard folders to merge".into(),
        ));
    };
    let (n, sweep) = (first.n, first.sweep.clone());
    for s in &shards {
        if s.sweep != sweep {
            return Err(Error::Usage(format!(
                "{} belongs to another sweep (or another version of the sweep file) than {}: refusing to mix them",
                s.dir.display(),
                first.dir.display()
            )));
        }
        if s.inputs != first.inputs {
            return Err(Error::Usage(format!(
                "{} was run on another version of the base scenario or of its data files than {}: refusing to mix them",
                s.dir.display(),
                first.dir.display()
            )));
        }
        if s.n != n {
            return Err(Error::Usage(format!(
                "{} is shard {}/{} but {} is of {n} shards: refusing to mix them",
                s.dir.display(),
                s.k,
                s.n,
                first.dir.display()
            )));
        }
    }
    shards.sort_by_key(|s| s.k);
    let missing: Vec<String> = (1..=n)
        .filter(|k| !shards.iter().any(|s| s.k == *k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "the set is incomplete: shard{} {} missing; run `ccsim sweep FILE --shard K/{n}` for {} and merge again",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            if missing.len() > 1 { "them" } else { "it" }
        )));
    }
    if let Some(w) = shards.windows(2).find(|w| w[0].k == w[1].k) {
        return Err(Error::Usage(format!(
            "shard {}/{n} is given twice ({} and {})",
            w[0].k,
            w[0].dir.display(),
            w[1].dir.display()
        )));
    }
    // The manifests, read as one run's (checked before anything is read or written).
    let parts = shards
        .iter()
        .map(|s| {
            serde_json::from_value::<SweepManifest>(s.manifest.clone()).map_err(|e| {
                Error::Usage(format!(
                    "{}: manifest.json is not the manifest of a ccsim {} sweep shard ({e})",
                    s.dir.display(),
                    env!("CARGO_PKG_VERSION")
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // What each shard must hold: its scenarios (its part of scenarios.csv, which every shard
    // holds whole and alike) and their replications.
    let path = shards[0].dir.join("scenarios.csv");
    let scenarios = std::fs::read(&path).map_err(|e| Error::io("reading", &path, e))?;
    let names = scenario_names(&shards[0], &scenarios)?;
    let mut expect = Vec::new();
    for (s, p) in shards.iter().zip(&parts) {
        let path = s.dir.join("scenarios.csv");
        let own = std::fs::read(&path).map_err(|e| Error::io("reading", &path, e))?;
        if own != scenarios {
            return Err(damaged(
                s,
                "scenarios.csv",
                format!(
                    "differs from {}'s (the shards of one sweep hold the same)",
                    shards[0].dir.display()
                ),
            ));
        }
        let range = super::run::shard_range(names.len(), Some((s.k, s.n)))
            .ok()
            .filter(|r| p.scenarios == names.len() && [r.0, r.1] == p.scenario_range);
        let Some((lo, hi)) = range else {
            return Err(damaged(
                s,
                "manifest.json",
                format!(
                    "records scenarios {:?} of {}, not those of shard {}/{} of the {} scenarios in scenarios.csv",
                    p.scenario_range,
                    p.scenarios,
                    s.k,
                    s.n,
                    names.len()
                ),
            ));
        };
        expect.push(Expected {
            names: &names[lo..hi],
            range: (lo, hi),
            replications: p.replications,
        });
    }
    // Read and check every part before anything is written: a damaged shard is refused, and
    // leaves no merged file behind.
    let mut merged: Vec<(&str, Vec<u8>)> = Vec::new();
    let differences = first_compare_to(&shards);
    for name in NAMES
        .into_iter()
        .filter(|n| differences || *n != super::run::DIFFERENCES)
    {
        let mut bytes = Vec::new();
        let mut header: Option<Vec<u8>> = None;
        for (s, e) in shards.iter().zip(&expect) {
            let path = s.dir.join(name);
            let part = std::fs::read(&path).map_err(|e| Error::io("reading", &path, e))?;
            let cut = part.iter().position(|b| *b == b'\n').map(|p| p + 1);
            let (Some(cut), Some(b'\n')) = (cut, part.last()) else {
                return Err(Error::Usage(format!(
                    "{} is cut short (it does not end with a whole line): the shard is damaged; run it again",
                    path.display()
                )));
            };
            check_content(s, e, name, &part)?;
            match &header {
                None => {
                    header = Some(part[..cut].to_vec());
                    bytes.extend_from_slice(&part);
                }
                Some(h) if *h == part[..cut] => bytes.extend_from_slice(&part[cut..]),
                Some(_) => {
                    return Err(Error::Usage(format!(
                        "{} has another header than {}: not a shard of the same kind",
                        path.display(),
                        shards[0].dir.join(name).display()
                    )));
                }
            }
        }
        merged.push((name, bytes));
    }
    // The manifest of one run, from the same struct (the same keys in the same order): only
    // the timing fields (started: the earliest; wall_seconds: the sum; threads: the most) and
    // merged_from tell it apart.
    let mut manifest = parts[0].clone();
    manifest.shard = None;
    manifest.scenario_range = [0, parts.last().map_or(0, |p| p.scenario_range[1])];
    manifest.started = parts
        .iter()
        .map(|p| p.started.clone())
        .min()
        .unwrap_or_default();
    manifest.wall_seconds = parts.iter().map(|p| p.wall_seconds).sum();
    manifest.threads = parts.iter().map(|p| p.threads).max().unwrap_or(1);
    manifest.merged_from = Some(shards.iter().map(|s| s.dir.display().to_string()).collect());
    // The sweep file seen from the merged folder: through the first shard's record of it.
    if !parts[0].sweep_file_from_results.is_empty() {
        let sweep_file = shards[0].dir.join(&parts[0].sweep_file_from_results);
        manifest.sweep_file_from_results = report::path_from(out, &sweep_file);
    }
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
    merged.push(("scenarios.csv", scenarios));
    merged.push(("manifest.json", json));
    let existed = out.exists();
    let earlier = report::held_results(out);
    std::fs::create_dir_all(out).map_err(|e| Error::io("creating the folder", out, e))?;
    let files: Vec<(&str, &[u8])> = merged.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    if let Err(e) = report::write_all_atomic(out, &files) {
        if !existed {
            let _ = std::fs::remove_dir(out);
        }
        return Err(e);
    }
    let kept: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    report::remove_stale(out, &kept, earlier)?;
    Ok(shards.len())
}

/// What a shard's results files must hold.
struct Expected<'a> {
    /// The names of its scenarios, in order, as scenarios.csv writes them.
    names: &'a [String],
    /// Its scenarios in the whole sweep, [first, end).
    range: (usize, usize),
    /// The replications of every scenario, when they share one number.
    replications: Option<u32>,
}

/// A refusal naming the shard, its file and what is wrong with it.
fn damaged(s: &Shard, file: &str, what: String) -> Error {
    Error::Usage(format!(
        "{} is a damaged shard ({}/{}): {file} {what}\n    help: run it again (`ccsim sweep FILE --shard {}/{} --out {}`) and merge again",
        s.dir.display(),
        s.k,
        s.n,
        s.k,
        s.n,
        s.dir.display()
    ))
}

/// The records of a shard's CSV file, with their line numbers (the header left out).
fn records(s: &Shard, name: &str, bytes: &[u8]) -> Result<Vec<(u64, csv::StringRecord)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| damaged(s, name, format!("is not a valid CSV file ({e})")))?;
        let line = r.position().map_or(0, |p| p.line());
        out.push((line, r));
    }
    Ok(out)
}

/// The scenario names of scenarios.csv, in order.
fn scenario_names(s: &Shard, bytes: &[u8]) -> Result<Vec<String>> {
    Ok(records(s, "scenarios.csv", bytes)?
        .into_iter()
        .map(|(_, r)| r.get(0).unwrap_or_default().to_string())
        .collect())
}

/// Check a results file of shard `s` against the scenarios it must hold: summary.csv and
/// differences.csv one row per scenario and summary metric, replications.csv one row per
/// scenario, replication and metric, in order; breakdown.csv and intervals.csv only the
/// shard's scenarios, in order.
fn check_content(s: &Shard, e: &Expected, name: &str, bytes: &[u8]) -> Result<()> {
    let rows = records(s, name, bytes)?;
    let metrics = SUMMARY_METRICS;
    let what = || {
        format!(
            "the rows of scenarios {}..{} (`{}` to `{}`)",
            e.range.0,
            e.range.1,
            e.names.first().map_or("", String::as_str),
            e.names.last().map_or("", String::as_str)
        )
    };
    let field = |r: &csv::StringRecord, i: usize| r.get(i).unwrap_or_default().to_string();
    let wrong = |line: u64, found: String, wanted: String| {
        damaged(
            s,
            name,
            format!(
                "does not hold {}: line {line} is {found} where {wanted} belongs",
                what()
            ),
        )
    };
    let short = |rows: usize, wanted: String| {
        damaged(
            s,
            name,
            format!(
                "does not hold {}: it ends after {rows} rows, before {wanted}",
                what()
            ),
        )
    };
    match name {
        "summary.csv" | "differences.csv" => {
            let want = e.names.len() * metrics.len();
            for (i, (line, r)) in rows.iter().enumerate().take(want) {
                let (sc, m) = (&e.names[i / metrics.len()], metrics[i % metrics.len()]);
                if field(r, 0) != *sc || field(r, 1) != m {
                    return Err(wrong(
                        *line,
                        format!("`{}` `{}`", field(r, 0), field(r, 1)),
                        format!("`{sc}` `{m}`"),
                    ));
                }
            }
            if rows.len() < want {
                let i = rows.len();
                let (sc, m) = (&e.names[i / metrics.len()], metrics[i % metrics.len()]);
                return Err(short(i, format!("`{sc}` `{m}`")));
            }
            if let Some((line, r)) = rows.get(want) {
                return Err(wrong(
                    *line,
                    format!("`{}` `{}`", field(r, 0), field(r, 1)),
                    "the end of the file".into(),
                ));
            }
        }
        "replications.csv" => {
            let mut at = 0;
            for sc in e.names {
                let mut rep = 0u64;
                loop {
                    for m in metrics {
                        let Some((line, r)) = rows.get(at) else {
                            return Err(short(at, format!("`{sc}` replication {rep} `{m}`")));
                        };
                        let found = (field(r, 0), field(r, 1), field(r, 2));
                        if found != (sc.clone(), rep.to_string(), m.to_string()) {
                            return Err(wrong(
                                *line,
                                format!("`{}` replication {} `{}`", found.0, found.1, found.2),
                                format!("`{sc}` replication {rep} `{m}`"),
                            ));
                        }
                        at += 1;
                    }
                    rep += 1;
                    let more = rows
                        .get(at)
                        .is_some_and(|(_, r)| field(r, 0) == *sc && field(r, 1) == rep.to_string());
                    if !more {
                        break;
                    }
                }
                if let Some(n) = e.replications.filter(|n| u64::from(*n) != rep) {
                    return Err(damaged(
                        s,
                        name,
                        format!(
                            "holds {rep} replications of `{sc}` where manifest.json records {n}"
                        ),
                    ));
                }
            }
            if let Some((line, r)) = rows.get(at) {
                return Err(wrong(
                    *line,
                    format!(
                        "`{}` replication {} `{}`",
                        field(r, 0),
                        field(r, 1),
                        field(r, 2)
                    ),
                    "the end of the file".into(),
                ));
            }
        }
        _ => {
            // Rows of the shard's scenarios only, each scenario's together, in order.
            let mut next = 0;
            for (line, r) in &rows {
                let sc = field(r, 0);
                if next > 0 && e.names[next - 1] == sc {
                    continue;
                }
                match e.names[next..].iter().position(|n| *n == sc) {
                    Some(p) => next += p + 1,
                    None => {
                        return Err(wrong(
                            *line,
                            format!("a row of `{sc}`"),
                            "a row of the shard's scenarios, in order,".into(),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// An sbatch job-array script running a sweep in `shards` shards and how to merge them.
pub fn slurm_script(file: &Path, shards: usize, out: &Path) -> String {
    let file = file.display();
    let out = out.display();
    format!(
        r#"#!/bin/bash
# ccsim sweep as a Slurm job array: one task per shard. The shard count is written here
# (not read from SLURM_ARRAY_TASK_COUNT, which is the size of one submission only), and the
# seeds depend only on scenario and replication, so any task can be re-run alone.
#SBATCH --job-name=ccsim-sweep
#SBATCH --array=1-{shards}
#SBATCH --cpus-per-task=2
# The log goes to the submission folder: Slurm opens it before the script runs and does not
# create folders. Relative paths are relative to the submission folder too, and `ccsim` must
# be on the PATH of the compute nodes (sbatch passes on the submitting shell's PATH).
#SBATCH --output=slurm-%A_%a.log
set -euo pipefail
ccsim sweep "{file}" --shard "${{SLURM_ARRAY_TASK_ID}}/{shards}" \
  --out "{out}/shard-${{SLURM_ARRAY_TASK_ID}}" --threads "${{SLURM_CPUS_PER_TASK:-1}}" --quiet --resume
# When every task has finished:
#   ccsim merge {out}/shard-* --out {out}/merged
# Other schedulers, same contract: xargs -P (seq 1 {shards} | xargs -P 4 -I K ccsim sweep ... --shard K/{shards}),
# Kubernetes indexed jobs (K = JOB_COMPLETION_INDEX + 1), HTCondor (K = $(Process) + 1).
"#
    )
}
