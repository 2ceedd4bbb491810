//! Reading a results folder back: manifest.json and the CSV files, by column name, so the
//! report works on any finished folder (a run, a sweep, a shard, a merged sweep).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};

/// A mean with its interval, as summary.csv, breakdown.csv and differences.csv hold it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Est {
    /// Mean over replications.
    pub mean: f64,
    /// Lower end of the 95 % interval (none with one replication).
    pub lo: Option<f64>,
    /// Upper end.
    pub hi: Option<f64>,
    /// Replications where the metric is defined.
    pub n: u64,
}

impl Est {
    /// The interval, when both ends are known.
    pub fn interval(&self) -> Option<(f64, f64)> {
        Some((self.lo?, self.hi?))
    }

    /// The interval lies wholly above or below zero.
    pub fn excludes_zero(&self) -> bool {
        self.interval().is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0)
    }
}

/// Metric rows of one scenario, keyed by metric, plus their order.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    /// Metric names in file order, the undefined ones (empty cells, no replication defines
    /// them) included.
    pub order: Vec<String>,
    /// Values by metric (the defined ones).
    pub values: HashMap<String, Est>,
}

impl Metrics {
    /// The value of a metric.
    pub fn get(&self, metric: &str) -> Option<Est> {
        self.values.get(metric).copied()
    }

    /// A row with empty cells: the metric exists but no replication defines it.
    fn push_undefined(&mut self, metric: String) {
        if !self.order.contains(&metric) {
            self.order.push(metric);
        }
    }

    fn push(&mut self, metric: String, e: Est) {
        if !self.values.contains_key(&metric) {
            self.order.push(metric.clone());
        }
        self.values.insert(metric, e);
    }
}

/// summary.csv or differences.csv: metrics per scenario, scenarios in file order.
#[derive(Debug, Clone, Default)]
pub struct PerScenario {
    /// Scenario names in file order.
    pub scenarios: Vec<String>,
    /// Metrics by scenario.
    pub by: HashMap<String, Metrics>,
}

impl PerScenario {
    /// The value of a metric of a scenario.
    pub fn get(&self, scenario: &str, metric: &str) -> Option<Est> {
        self.by.get(scenario)?.get(metric)
    }
}

/// One row of breakdown.csv.
#[derive(Debug, Clone)]
pub struct BreakdownRow {
    /// Scenario.
    pub scenario: String,
    /// `persona`, `reason`, `group` or `cause`.
    pub dimension: String,
    /// Which persona, reason, group or cause.
    pub key: String,
    /// Metric.
    pub metric: String,
    /// Value.
    pub est: Est,
}

/// One row of intervals.csv.
#[derive(Debug, Clone)]
pub struct IntervalRow {
    /// Scenario.
    pub scenario: String,
    /// `all` or a weekday (`Mon` …).
    pub weekday: String,
    /// Start of the interval, hours since midnight.
    pub hour: f64,
    /// A group or `all`.
    pub group: String,
    /// Contacts offered per interval.
    pub offered: Option<f64>,
    /// Contacts abandoned per interval.
    pub abandoned: Option<f64>,
    /// Service level.
    pub service_level: Option<f64>,
    /// Mean wait of answered contacts [s].
    pub asa_s: Option<f64>,
    /// Occupancy.
    pub occupancy: Option<f64>,
    /// Paid agents.
    pub agents_staffed: Option<f64>,
}

/// Everything the report reads.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The folder.
    pub dir: PathBuf,
    /// manifest.json.
    pub manifest: Value,
    /// summary.csv.
    pub summary: PerScenario,
    /// breakdown.csv, if present.
    pub breakdown: Option<Vec<BreakdownRow>>,
    /// intervals.csv, if present.
    pub intervals: Option<Vec<IntervalRow>>,
    /// differences.csv, if present (sweeps with a comparison).
    pub differences: Option<PerScenario>,
    /// scenarios.csv, if present (sweeps): the header (scenario, then the varied paths) and rows.
    pub scenarios: Option<(Vec<String>, Vec<Vec<String>>)>,
}

impl Folder {
    /// A sweep (or a shard or merge of one) rather than a single run.
    pub fn is_sweep(&self) -> bool {
        self.manifest.get("sweep_sha256").is_some()
    }

    /// A text field of the manifest.
    pub fn manifest_str(&self, key: &str) -> Option<String> {
        match self.manifest.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            v => Some(v.to_string()),
        }
    }

    /// The scenario the single-scenario sections describe: the run's, or for a sweep the one
    /// everything is compared with (when this folder holds it), else the first.
    pub fn reference(&self) -> Option<String> {
        if let Some(c) = self.manifest_str("compare_to")
            && self.summary.by.contains_key(&c)
        {
            return Some(c);
        }
        self.summary.scenarios.first().cloned()
    }
}

/// A CSV file held in memory with its header.
struct Table {
    file: PathBuf,
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    fn col(&self, name: &str) -> Result<usize> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            Error::Usage(format!(
                "{} has no `{name}` column: not a ccsim results file (columns: {})",
                self.file.display(),
                self.header.join(",")
            ))
        })
    }

    fn bad(&self, line: u64, what: String) -> Error {
        Error::Usage(format!("{}:{line}: {what}", self.file.display()))
    }

    fn number(&self, line: u64, text: &str, column: &str) -> Result<Option<f64>> {
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>().map(Some).map_err(|_| {
            self.bad(
                line,
                format!("`{text}` in column `{column}` is not a number"),
            )
        })
    }
}

fn read_table(path: &Path) -> Result<Option<Table>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("reading", path, e)),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&bytes[..]);
    let bad =
        |e: csv::Error| Error::Usage(format!("{}: not a valid CSV file ({e})", path.display()));
    let header: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(bad)?;
        let line = r.position().map_or(0, |p| p.line());
        rows.push((line, r));
    }
    Ok(Some(Table {
        file: path.to_path_buf(),
        header,
        rows,
    }))
}

/// summary.csv and differences.csv.
fn per_scenario(t: &Table) -> Result<PerScenario> {
    let sc = t.col("scenario")?;
    let me = t.col("metric")?;
    let nums = [
        t.col("mean")?,
        t.col("ci_low")?,
        t.col("ci_high")?,
        t.col("replications")?,
    ];
    let mut out = PerScenario::default();
    for (line, r) in &t.rows {
        let line = *line;
        let scenario = r.get(sc).unwrap_or_default().to_string();
        let metric = r.get(me).unwrap_or_default().to_string();
        let est = est(t, line, r, nums)?;
        if !out.by.contains_key(&scenario) {
            out.scenarios.push(scenario.clone());
        }
        let m = out.by.entry(scenario).or_default();
        match est {
            Some(est) => m.push(metric, est),
            None => m.push_undefined(metric),
        }
    }
    Ok(out)
}

fn est(t: &Table, line: u64, r: &csv::StringRecord, cols: [usize; 4]) -> Result<Option<Est>> {
    let get = |i: usize| r.get(i).unwrap_or_default();
    let Some(mean) = t.number(line, get(cols[0]), "mean")? else {
        return Ok(None);
    };
    let n = t.number(line, get(cols[3]), "replications")?.unwrap_or(0.0);
    Ok(Some(Est {
        mean,
        lo: t.number(line, get(cols[1]), "ci_low")?,
        hi: t.number(line, get(cols[2]), "ci_high")?,
        n: n as u64,
    }))
}

fn breakdown(t: &Table) -> Result<Vec<BreakdownRow>> {
    let sc = t.col("scenario")?;
    let dim = t.col("dimension")?;
    let key = t.col("key")?;
    let me = t.col("metric")?;
    let nums = [
        t.col("mean")?,
        t.col("ci_low")?,
        t.col("ci_high")?,
        t.col("replications")?,
    ];
    let mut out = Vec::new();
    for (line, r) in &t.rows {
        let Some(e) = est(t, *line, r, nums)? else {
            continue;
        };
        let get = |i: usize| r.get(i).unwrap_or_default().to_string();
        out.push(BreakdownRow {
            scenario: get(sc),
            dimension: get(dim),
            key: get(key),
            metric: get(me),
            est: e,
        });
    }
    Ok(out)
}

fn intervals(t: &Table) -> Result<Vec<IntervalRow>> {
    let sc = t.col("scenario")?;
    let wd = t.col("weekday")?;
    let iv = t.col("interval")?;
    let gr = t.col("group")?;
    let names = [
        "offered",
        "abandoned",
        "service_level",
        "asa_s",
        "occupancy",
        "agents_staffed",
    ];
    let mut idx = [0usize; 6];
    for (i, n) in names.iter().enumerate() {
        idx[i] = t.col(n)?;
    }
    let mut out = Vec::new();
    for (line, r) in &t.rows {
        let line = *line;
        let get = |i: usize| r.get(i).unwrap_or_default();
        let clock = crate::time::parse_clock(get(iv)).map_err(|e| t.bad(line, e))?;
        let mut v = [None; 6];
        for (k, i) in idx.iter().enumerate() {
            v[k] = t.number(line, get(*i), names[k])?;
        }
        out.push(IntervalRow {
            scenario: get(sc).to_string(),
            weekday: get(wd).to_string(),
            hour: clock as f64 / crate::time::HOUR as f64,
            group: get(gr).to_string(),
            offered: v[0],
            abandoned: v[1],
            service_level: v[2],
            asa_s: v[3],
            occupancy: v[4],
            agents_staffed: v[5],
        });
    }
    Ok(out)
}

/// Read a results folder. A folder without manifest.json and summary.csv is refused.
pub fn read(dir: &Path) -> Result<Folder> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a folder: give the results folder of `ccsim run` or `ccsim sweep`",
            dir.display()
        )));
    }
    let manifest_path = dir.join("manifest.json");
    let text = match std::fs::read(&manifest_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let why = if dir.join(".sweep-progress").exists() {
                "it holds an unfinished sweep (no manifest.json yet): finish it with `ccsim sweep FILE --out DIR --resume`"
            } else {
                "it has no manifest.json; write one with `ccsim run FILE --out DIR` or `ccsim sweep FILE --out DIR`"
            };
            return Err(Error::Usage(format!(
                "{} is not a ccsim results folder: {why}",
                dir.display()
            )));
        }
        Err(e) => return Err(Error::io("reading", &manifest_path, e)),
    };
    let manifest: Value = serde_json::from_slice(&text).map_err(|e| {
        Error::Usage(format!(
            "{} is not a ccsim results folder: manifest.json is not valid JSON ({e})",
            dir.display()
        ))
    })?;
    if manifest.get("ccsim_version").is_none() {
        return Err(Error::Usage(format!(
            "{} is not a ccsim results folder: its manifest.json has no `ccsim_version`",
            dir.display()
        )));
    }
    let Some(summary) = read_table(&dir.join("summary.csv"))? else {
        return Err(Error::Usage(format!(
            "{} is not a complete results folder: summary.csv is missing",
            dir.display()
        )));
    };
    let summary = per_scenario(&summary)?;
    let breakdown = read_table(&dir.join("breakdown.csv"))?
        .map(|t| breakdown(&t))
        .transpose()?;
    let intervals = read_table(&dir.join("intervals.csv"))?
        .map(|t| intervals(&t))
        .transpose()?;
    let differences = read_table(&dir.join("differences.csv"))?
        .map(|t| per_scenario(&t))
        .transpose()?
        .filter(|d| !d.scenarios.is_empty());
    let scenarios = read_table(&dir.join("scenarios.csv"))?.map(|t| {
        let rows = t
            .rows
            .iter()
            .map(|(_, r)| r.iter().map(String::from).collect())
            .collect();
        (t.header, rows)
    });
    Ok(Folder {
        dir: dir.to_path_buf(),
        manifest,
        summary,
        breakdown,
        intervals,
        differences,
        scenarios,
    })
}
