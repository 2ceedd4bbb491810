//! `ccsim verify DIR`: re-run what a results folder's manifest.json describes and compare every
//! file byte for byte; the first difference is reported with its file and line.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::report;
use crate::runner;
use crate::scenario::{self, DataFile};
use crate::sweep;

/// What a verification found.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Files compared and found identical.
    pub files: Vec<String>,
}

fn refuse(dir: &Path, why: impl Into<String>) -> Error {
    Error::Usage(format!(
        "{} cannot be verified: {}",
        dir.display(),
        why.into()
    ))
}

fn field<'a>(m: &'a Value, key: &str, dir: &Path) -> Result<&'a Value> {
    m.get(key).ok_or_else(|| {
        refuse(
            dir,
            format!("manifest.json has no `{key}` (not a ccsim results folder?)"),
        )
    })
}

/// Compare two versions of a file; `Err` names the first differing line.
fn compare(name: &str, expected: &[u8], found: &[u8]) -> Result<()> {
    if expected == found {
        return Ok(());
    }
    let (e, f) = (
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(found),
    );
    let mut el = e.lines();
    let mut fl = f.lines();
    let mut line = 1;
    loop {
        match (el.next(), fl.next()) {
            (Some(a), Some(b)) if a == b => line += 1,
            (a, b) => {
                return Err(Error::Mismatch(format!(
                    "{name} differs at line {line}:\n  re-run: {}\n  folder: {}",
                    a.unwrap_or("(end of file)"),
                    b.unwrap_or("(end of file)")
                )));
            }
        }
    }
}

/// What a scenario (or a sweep's base) reads now: to check against what a manifest recorded.
struct Inputs<'a> {
    /// Its hash (`scenario_sha256`, `base_sha256`).
    hash: &'a str,
    /// The hash of its files alone, before data files joined it.
    files_hash: &'a str,
    /// The data files read (for a sweep, by all its scenarios).
    data: &'a [DataFile],
}

/// The files of a manifest list (`scenario_data`, `scenario_includes`): objects with `file` and
/// `sha256`; `None` when the list is absent, or (older manifests) holds bare paths.
fn recorded_files(m: &Value, key: &str) -> Option<Vec<DataFile>> {
    m.get(key)
        .and_then(|v| serde_json::from_value::<Vec<DataFile>>(v.clone()).ok())
}

/// Files of `now` whose SHA-256 differs from the recorded one at the same place in reading
/// order (paths may read differently when verify runs from another folder); none when the
/// lists differ in length (then the file naming them changed).
fn changed<'a>(recorded: &[DataFile], now: &'a [DataFile]) -> Vec<&'a str> {
    if recorded.len() != now.len() {
        return Vec::new();
    }
    recorded
        .iter()
        .zip(now)
        .filter(|(r, n)| r.sha256 != n.sha256)
        .map(|(_, n)| n.file.as_str())
        .collect()
}

impl Inputs<'_> {
    /// Refuse when the manifest's `recorded` hash is not this one, naming the data files whose
    /// SHA-256 differs from the manifest's `scenario_data`, else the included files that
    /// changed (`includes`: now, with their hashes), else the scenario file `file`.
    fn check(
        &self,
        dir: &Path,
        m: &Value,
        recorded: &str,
        file: &Path,
        includes: &[DataFile],
    ) -> Result<()> {
        let data = recorded_files(m, "scenario_data");
        let data_changed = changed(data.as_deref().unwrap_or_default(), self.data);
        if !data_changed.is_empty() {
            return Err(refuse(
                dir,
                format!(
                    "data file {} has changed since the run (its SHA-256 differs from the manifest's `scenario_data`)",
                    data_changed.join(", ")
                ),
            ));
        }
        let included = recorded_files(m, "scenario_includes").unwrap_or_default();
        let includes_changed = changed(&included, includes);
        if self.hash != recorded && !includes_changed.is_empty() {
            return Err(refuse(
                dir,
                format!(
                    "included file {} has changed since the run (its SHA-256 differs from the manifest's `scenario_includes`)",
                    includes_changed.join(", ")
                ),
            ));
        }
        // A manifest written before data files were recorded holds the hash of the scenario's
        // files alone (the results are compared byte for byte all the same).
        let legacy = data.is_none() && self.files_hash == recorded;
        if self.hash != recorded && !legacy {
            return Err(refuse(
                dir,
                format!(
                    "{} has changed since the run (its SHA-256 differs from the manifest's)",
                    file.display()
                ),
            ));
        }
        Ok(())
    }
}

/// Where the file a manifest names under `key` (`scenario_file`, `sweep_file`) may be, in
/// order: as recorded (from the folder the run started in), then from the results folder by
/// `{key}_from_results`, so a verify from another working folder finds it while the two keep
/// their places. Only places that exist; at least one, else the refusal says where it looked.
fn locate(dir: &Path, m: &Value, key: &str) -> Result<Vec<PathBuf>> {
    let given = PathBuf::from(
        field(m, key, dir)?
            .as_str()
            .ok_or_else(|| refuse(dir, format!("`{key}` is not a string")))?,
    );
    let from_results = m
        .get(format!("{key}_from_results"))
        .and_then(Value::as_str)
        .map(|rel| dir.join(rel));
    let mut found: Vec<PathBuf> = Vec::new();
    for p in std::iter::once(given.clone()).chain(from_results.clone()) {
        let same = found
            .iter()
            .any(|f| matches!((f.canonicalize(), p.canonicalize()), (Ok(a), Ok(b)) if a == b));
        if p.exists() && !same {
            found.push(p);
        }
    }
    match from_results {
        _ if !found.is_empty() => Ok(found),
        other => Err(refuse(
            dir,
            format!(
                "the file it was run from, {} (manifest.json `{key}`), is not found from the current folder{}; run `ccsim verify` from the folder the run was started in, or put the file back",
                given.display(),
                other
                    .map(|p| format!(" nor from the results folder ({})", p.display()))
                    .unwrap_or_default()
            ),
        )),
    }
}

/// The first of `places` whose file, loaded, has the hash `want` (the file as it was run); else
/// the first place, loaded, so the caller can say what changed.
fn first_matching<T>(
    places: &[PathBuf],
    load: impl Fn(&Path) -> Result<T>,
    hash: impl Fn(&T) -> &String,
    want: &str,
) -> Result<(PathBuf, T)> {
    for p in places {
        if let Ok(t) = load(p)
            && hash(&t) == want
        {
            return Ok((p.clone(), t));
        }
    }
    let first = places
        .first()
        .ok_or_else(|| Error::Internal("no place to look for the file".into()))?;
    Ok((first.clone(), load(first)?))
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let p = dir.join(name);
    std::fs::read(&p).map_err(|e| Error::io("reading", &p, e))
}

/// Verify a results folder written by `ccsim run` or `ccsim sweep`.
pub fn verify(dir: &Path, threads: usize) -> Result<Verified> {
    let text = read(dir, "manifest.json")?;
    let m: Value = serde_json::from_slice(&text)
        .map_err(|e| refuse(dir, format!("manifest.json is not valid JSON ({e})")))?;
    if m.get("sweep_file").is_some() {
        return verify_sweep(dir, &m, threads);
    }
    let places = locate(dir, &m, "scenario_file")?;
    let hash = field(&m, "scenario_sha256", dir)?
        .as_str()
        .unwrap_or_default()
        .to_string();
    let seed = field(&m, "seed", dir)?
        .as_u64()
        .ok_or_else(|| refuse(dir, "`seed` is not a whole number"))?;
    let replications = field(&m, "replications", dir)?
        .as_u64()
        .and_then(|r| u32::try_from(r).ok())
        .ok_or_else(|| refuse(dir, "`replications` is not a whole number"))?;
    let files: Vec<String> = field(&m, "files", dir)?
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let (file, loaded) = first_matching(&places, scenario::load_file, |l| &l.hash, &hash)?;
    let now = Inputs {
        hash: &loaded.hash,
        files_hash: &loaded.files_hash,
        data: &loaded.data,
    };
    now.check(dir, &m, &hash, &file, &loaded.includes)?;
    let mut s = loaded.scenario;
    s.seed = seed;
    s.replications = replications;
    let trace = files.iter().any(|f| f == "journeys.csv");
    let out = runner::run_with(&s, threads, trace)?;
    let mut checked = Vec::new();
    let mut expected: Vec<(&str, Vec<u8>)> = vec![
        ("summary.csv", report::summary_csv(&s, &out)?),
        ("breakdown.csv", report::breakdown_csv(&s, &out)?),
        ("replications.csv", report::replications_csv(&s, &out)?),
        ("intervals.csv", report::intervals_csv(&s, &out)?),
    ];
    if trace {
        expected.push(("journeys.csv", report::journeys_csv(&s, &out)?));
    }
    for (name, bytes) in expected {
        compare(name, &bytes, &read(dir, name)?)?;
        checked.push(name.to_string());
    }
    Ok(Verified { files: checked })
}

fn verify_sweep(dir: &Path, m: &Value, threads: usize) -> Result<Verified> {
    let places = locate(dir, m, "sweep_file")?;
    let hash = field(m, "sweep_sha256", dir)?.as_str().unwrap_or_default();
    let (file, sw) = first_matching(&places, sweep::load, |sw| &sw.hash, hash)?;
    if sw.hash != hash {
        return Err(refuse(
            dir,
            format!("{} has changed since the run", file.display()),
        ));
    }
    let base_hash = field(m, "base_sha256", dir)?.as_str().unwrap_or_default();
    // The data files of the whole sweep: the base's, and those swept values bring in.
    let scenarios = sw.scenarios()?;
    let data = sw.data(&scenarios);
    let now = Inputs {
        hash: &sw.base_hash,
        files_hash: &sw.base_files_hash,
        data: &data,
    };
    now.check(dir, m, base_hash, &sw.base.path, &sw.base_includes)?;
    // The seed and replications the manifest records must be those the sweep file gives (a
    // run's manifest is re-run with its own; a sweep's scenarios take theirs from the file).
    let common = |f: &dyn Fn(&scenario::Scenario) -> u64| {
        let first = f(&scenarios.first()?.scenario);
        scenarios
            .iter()
            .all(|s| f(&s.scenario) == first)
            .then_some(first)
    };
    for (key, now) in [
        ("seed", common(&|s| s.seed)),
        ("replications", common(&|s| u64::from(s.replications))),
    ] {
        let recorded = m.get(key).filter(|v| !v.is_null());
        if recorded.map(|v| v.as_u64()) != now.map(Some) {
            return Err(Error::Mismatch(format!(
                "{}: manifest.json `{key}` is {} but {} gives {}: the manifest does not describe a run of this sweep",
                dir.display(),
                recorded.map_or_else(|| "absent".into(), Value::to_string),
                file.display(),
                now.map_or_else(
                    || "its scenarios different values".into(),
                    |n| n.to_string()
                )
            )));
        }
    }
    // A shard re-runs its own scenarios.
    let shard = match m.get("shard").filter(|v| !v.is_null()) {
        None => None,
        Some(v) => Some(
            v.as_str()
                .and_then(|s| s.split_once('/'))
                .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
                .ok_or_else(|| refuse(dir, format!("`shard` is {v}, not K/N")))?,
        ),
    };
    let tmp = dir.with_file_name(format!(
        ".{}.verify",
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let opts = sweep::SweepOptions {
        out: tmp.clone(),
        threads,
        shard,
        // The run being verified was allowed (or forced) already.
        force: true,
        ..Default::default()
    };
    let result = sweep::run_sweep(&sw, &opts).and_then(|_| {
        let mut checked = Vec::new();
        let names = [
            "summary.csv",
            "breakdown.csv",
            "replications.csv",
            "intervals.csv",
            "differences.csv",
            "scenarios.csv",
        ];
        for name in names
            .into_iter()
            .filter(|n| sw.compare_to.is_some() || *n != "differences.csv")
        {
            compare(name, &read(&tmp, name)?, &read(dir, name)?)?;
            checked.push(name.to_string());
        }
        Ok(Verified { files: checked })
    });
    let _ = std::fs::remove_dir_all(&tmp);
    result
}
