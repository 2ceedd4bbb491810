//! `ccsim compare A B`: every metric of two results folders side by side, with the difference
//! B − A and its 95 % interval.
//!
//! When both manifests record the same seed and the same number of replications, replication r
//! of A and of B saw the same random numbers (common random numbers), so the difference is
//! taken per replication and summarised with a Student t interval (paired): far tighter than
//! comparing two independent means. Otherwise the two samples are independent and the interval
//! is Welch's (unequal variances, Welch–Satterthwaite degrees of freedom).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::error::{Error, Result};
use crate::report::CONFIDENCE;
use crate::stats::{SUMMARY_METRICS, Summary, summarize};

/// How the interval of the difference was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Per-replication differences (same seed and replications): Student t on the differences.
    Paired,
    /// Independent samples: Welch's t interval.
    Welch,
}

impl Method {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Paired => "paired",
            Method::Welch => "welch",
        }
    }
}

/// A mean and its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean.
    pub mean: f64,
    /// Lower end of the 95 % interval (`None` with fewer than 2 values).
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
    /// Values (replications, or pairs for a paired difference) behind it.
    pub n: usize,
}

impl From<Summary> for Estimate {
    fn from(s: Summary) -> Self {
        Estimate {
            mean: s.mean,
            ci_low: s.ci_low,
            ci_high: s.ci_high,
            n: s.n,
        }
    }
}

impl Estimate {
    /// Half the interval's width, when there is an interval.
    pub fn half_width(&self) -> Option<f64> {
        Some((self.ci_high? - self.ci_low?) / 2.0)
    }
}

/// One metric of one scenario pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Scenario in A.
    pub scenario_a: String,
    /// Scenario in B (the same name, except when two single runs are compared).
    pub scenario_b: String,
    /// Metric name (as in summary.csv).
    pub metric: String,
    /// A's mean and interval; `None` when no replication defines the metric.
    pub a: Option<Estimate>,
    /// B's mean and interval.
    pub b: Option<Estimate>,
    /// B − A and its interval.
    pub difference: Option<Estimate>,
}

/// The comparison of two results folders.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Folder A.
    pub a: PathBuf,
    /// Folder B.
    pub b: PathBuf,
    /// Paired or Welch.
    pub method: Method,
    /// Why this method: what the manifests show.
    pub why: String,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// One row per scenario pair and metric, in summary order.
    pub rows: Vec<Row>,
}

/// Per scenario, per metric: the value of each replication (by replication number).
type Values = BTreeMap<String, BTreeMap<String, BTreeMap<u64, Option<f64>>>>;

/// One results folder, read back.
struct Folder {
    manifest: serde_json::Value,
    /// Scenario names in file order.
    order: Vec<String>,
    values: Values,
}

fn not_results(dir: &Path, why: &str) -> Error {
    Error::Usage(format!(
        "{} is not a ccsim results folder: {why}; give folders written by `ccsim run` or `ccsim sweep`",
        dir.display()
    ))
}

fn read_folder(dir: &Path) -> Result<Folder> {
    if !dir.is_dir() {
        return Err(not_results(dir, "no such folder"));
    }
    let mpath = dir.join("manifest.json");
    let text = match std::fs::read(&mpath) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_results(dir, "it has no manifest.json"));
        }
        Err(e) => return Err(Error::io("reading", &mpath, e)),
    };
    let manifest: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| not_results(dir, &format!("manifest.json is not valid JSON ({e})")))?;
    if manifest.get("ccsim_version").is_none() {
        return Err(not_results(dir, "its manifest.json has no `ccsim_version`"));
    }
    let rpath = dir.join("replications.csv");
    let bytes = match std::fs::read(&rpath) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_results(dir, "it has no replications.csv"));
        }
        Err(e) => return Err(Error::io("reading", &rpath, e)),
    };
    let expect = expected(dir, &manifest)?;
    let damaged = |what: String| damaged(dir, &rpath, &what);
    // ccsim ends every line with a line end: a file without one was cut short.
    if let Some(last) = bytes.split(|b| *b == b'\n').next_back()
        && !last.is_empty()
    {
        return Err(damaged(format!(
            "it is cut short: its last line `{}` has no line end",
            String::from_utf8_lossy(&last[..last.len().min(60)])
        )));
    }
    let mut rdr = csv::Reader::from_reader(&bytes[..]);
    let bad = |what: String| Error::Usage(format!("{}: {what}", rpath.display()));
    let headers = rdr.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no `{name}` column")))
    };
    let (cs, cr, cm, cv) = (
        col("scenario")?,
        col("replication")?,
        col("metric")?,
        col("value")?,
    );
    let mut order = Vec::new();
    let mut values = Values::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| damaged(e.to_string()))?;
        let field = |c: usize| rec.get(c).unwrap_or("");
        let line = i + 2;
        let rep: u64 = field(cr)
            .parse()
            .map_err(|_| bad(format!("line {line}: replication `{}`", field(cr))))?;
        let value = match field(cv) {
            "" => None,
            v => Some(
                v.parse::<f64>()
                    .map_err(|_| bad(format!("line {line}: value `{v}`")))?,
            ),
        };
        let scenario = field(cs).to_string();
        if let Some(names) = &expect.scenarios
            && !names.contains(&scenario)
        {
            return Err(damaged(format!(
                "line {line}: scenario `{scenario}`, which {} does not hold",
                expect.source
            )));
        }
        if let Some(r) = expect.replications(&scenario)
            && rep >= r
        {
            return Err(damaged(format!(
                "line {line}: replication {rep} of scenario `{scenario}`, but {} records {r} replications (0 to {})",
                expect.source,
                r.saturating_sub(1)
            )));
        }
        if !values.contains_key(&scenario) {
            order.push(scenario.clone());
        }
        let metric = field(cm).to_string();
        let reps = values
            .entry(scenario.clone())
            .or_default()
            .entry(metric.clone())
            .or_default();
        if reps.insert(rep, value).is_some() {
            return Err(damaged(format!(
                "line {line}: replication {rep} of scenario `{scenario}` has a second `{metric}` value"
            )));
        }
    }
    if order.is_empty() {
        return Err(not_results(
            dir,
            "its replications.csv holds no replication",
        ));
    }
    check_complete(&expect, &order, &values).map_err(damaged)?;
    Ok(Folder {
        manifest,
        order,
        values,
    })
}

/// A replications.csv that does not hold what manifest.json describes.
fn damaged(dir: &Path, rpath: &Path, what: &str) -> Error {
    Error::Usage(format!(
        "{}: {what}; the file does not match its folder's manifest.json (damaged, edited or cut short): re-run the scenario or sweep, or check the folder with `ccsim verify {}`",
        rpath.display(),
        dir.display()
    ))
}

/// What manifest.json (and a sweep's scenarios.csv) say replications.csv holds.
struct Expected {
    /// The scenarios, when known.
    scenarios: Option<Vec<String>>,
    /// The replications of every scenario, when the manifest records them.
    common: Option<u64>,
    /// Else each scenario's, from scenarios.csv (a swept `scenario.replications`).
    each: BTreeMap<String, u64>,
    /// Where these come from, for messages.
    source: &'static str,
}

impl Expected {
    fn replications(&self, scenario: &str) -> Option<u64> {
        self.common.or_else(|| self.each.get(scenario).copied())
    }
}

/// Read what manifest.json, and for a sweep scenarios.csv, say the folder holds.
fn expected(dir: &Path, manifest: &serde_json::Value) -> Result<Expected> {
    let common = manifest
        .get("replications")
        .and_then(serde_json::Value::as_u64);
    if manifest.get("sweep_file").is_none() {
        return Ok(Expected {
            scenarios: manifest
                .get("scenario")
                .and_then(serde_json::Value::as_str)
                .map(|s| vec![s.to_string()]),
            common,
            each: BTreeMap::new(),
            source: "manifest.json",
        });
    }
    // A sweep: scenarios.csv names every scenario of the sweep (and each one's swept values);
    // the folder holds those of `scenario_range` (a shard's own).
    let spath = dir.join("scenarios.csv");
    let bytes = match std::fs::read(&spath) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_results(
                dir,
                "its manifest.json describes a sweep, but it has no scenarios.csv",
            ));
        }
        Err(e) => return Err(Error::io("reading", &spath, e)),
    };
    let bad = |what: String| {
        Error::Usage(format!(
            "{}: {what}; re-run the sweep, or check the folder with `ccsim verify {}`",
            spath.display(),
            dir.display()
        ))
    };
    let mut rdr = csv::Reader::from_reader(&bytes[..]);
    let headers = rdr.headers().map_err(|e| bad(e.to_string()))?.clone();
    let cs = headers
        .iter()
        .position(|h| h == "scenario")
        .ok_or_else(|| bad("no `scenario` column".into()))?;
    let cr = headers.iter().position(|h| h == "scenario.replications");
    let mut names = Vec::new();
    let mut each = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let name = rec.get(cs).unwrap_or("").to_string();
        if let Some(r) = cr.and_then(|c| rec.get(c)).and_then(|v| v.parse().ok()) {
            each.insert(name.clone(), r);
        }
        names.push(name);
    }
    let range = manifest
        .get("scenario_range")
        .and_then(serde_json::Value::as_array)
        .and_then(|a| Some((a.first()?.as_u64()?, a.get(1)?.as_u64()?)));
    let scenarios = match range {
        Some((lo, hi)) if lo <= hi && hi as usize <= names.len() => {
            Some(names[lo as usize..hi as usize].to_vec())
        }
        Some((lo, hi)) => {
            return Err(bad(format!(
                "it names {} scenarios, but manifest.json's `scenario_range` is [{lo}, {hi}]",
                names.len()
            )));
        }
        None => Some(names),
    };
    Ok(Expected {
        scenarios,
        common,
        each,
        source: "the folder (manifest.json, scenarios.csv)",
    })
}

/// Every scenario has every metric (the summary metrics, and the same set for each scenario),
/// each for exactly the replications the manifest records (else, for a sweep that varies the
/// replications without a scenarios.csv column, for 0 to R − 1 with the same R for each metric).
fn check_complete(
    expect: &Expected,
    order: &[String],
    values: &Values,
) -> std::result::Result<(), String> {
    if let Some(names) = &expect.scenarios {
        let missing: Vec<&str> = names
            .iter()
            .filter(|n| !values.contains_key(*n))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "it holds no values of scenario{} {} named in {}",
                if missing.len() == 1 { "" } else { "s" },
                missing
                    .iter()
                    .take(10)
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                expect.source
            ));
        }
    }
    let mut all: Vec<&str> = SUMMARY_METRICS.to_vec();
    for per in values.values() {
        for m in per.keys() {
            if !all.contains(&m.as_str()) {
                all.push(m);
            }
        }
    }
    for scenario in order {
        let per = &values[scenario];
        if let Some(m) = all.iter().find(|m| !per.contains_key(**m)) {
            return Err(format!(
                "scenario `{scenario}` has no `{m}` values (every scenario has every metric; an undefined value is an empty cell)"
            ));
        }
        let (r, whence) = match expect.replications(scenario) {
            Some(r) => (r, format!("{} records", expect.source)),
            None => {
                let most = per
                    .values()
                    .filter_map(|reps| reps.keys().next_back())
                    .max()
                    .map_or(0, |r| r + 1);
                (most, "its other values show".to_string())
            }
        };
        for m in &all {
            let reps = &per[*m];
            let missing: Vec<String> = (0..r)
                .filter(|i| !reps.contains_key(i))
                .take(5)
                .map(|i| i.to_string())
                .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "scenario `{scenario}`, metric `{m}`: replication{} {}{} missing, but {whence} {r} replications (0 to {})",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", "),
                    if missing.len() == 1 { " is" } else { " are" },
                    r - 1
                ));
            }
        }
    }
    Ok(())
}

/// Whether the manifests show common random numbers: the same seed and replications.
fn pairing(a: &Folder, b: &Folder) -> (Method, String) {
    let get = |f: &Folder, k: &str| f.manifest.get(k).and_then(serde_json::Value::as_u64);
    match (
        get(a, "seed"),
        get(b, "seed"),
        get(a, "replications"),
        get(b, "replications"),
    ) {
        (Some(sa), Some(sb), Some(ra), Some(rb)) if sa == sb && ra == rb => (
            Method::Paired,
            format!(
                "paired by replication: both manifests show seed {sa} and {ra} replications (common random numbers)"
            ),
        ),
        (Some(sa), Some(sb), Some(ra), Some(rb)) => (
            Method::Welch,
            format!(
                "Welch (independent samples): the manifests show seed {sa} with {ra} replications and seed {sb} with {rb}"
            ),
        ),
        _ => (
            Method::Welch,
            "Welch (independent samples): the manifests do not both record a seed and replications (e.g. a sweep that varies them)"
                .to_string(),
        ),
    }
}

/// Welch's interval for mean(b) − mean(a).
fn welch(a: &[f64], b: &[f64], confidence: f64) -> Option<Estimate> {
    let (sa, sb) = (
        summarize(&a.iter().map(|x| Some(*x)).collect::<Vec<_>>(), confidence)?,
        summarize(&b.iter().map(|x| Some(*x)).collect::<Vec<_>>(), confidence)?,
    );
    let mean = sb.mean - sa.mean;
    let n = sa.n.min(sb.n);
    let (Some(da), Some(db)) = (sa.std, sb.std) else {
        return Some(Estimate {
            mean,
            ci_low: None,
            ci_high: None,
            n,
        });
    };
    let (va, vb) = (da * da / sa.n as f64, db * db / sb.n as f64);
    let se = (va + vb).sqrt();
    if se == 0.0 {
        return Some(Estimate {
            mean,
            ci_low: Some(mean),
            ci_high: Some(mean),
            n,
        });
    }
    let df = (va + vb).powi(2) / (va * va / (sa.n as f64 - 1.0) + vb * vb / (sb.n as f64 - 1.0));
    let t = StudentsT::new(0.0, 1.0, df)
        .map(|t| t.inverse_cdf(0.5 + confidence / 2.0))
        .ok()?;
    Some(Estimate {
        mean,
        ci_low: Some(mean - t * se),
        ci_high: Some(mean + t * se),
        n,
    })
}

/// The paired interval: Student t on the per-replication differences.
fn paired(a: &BTreeMap<u64, Option<f64>>, b: &BTreeMap<u64, Option<f64>>) -> Option<Estimate> {
    let diffs: Vec<Option<f64>> = a
        .iter()
        .map(|(r, va)| match (va, b.get(r).copied().flatten()) {
            (Some(x), Some(y)) => Some(y - x),
            _ => None,
        })
        .collect();
    summarize(&diffs, CONFIDENCE).map(Estimate::from)
}

/// Metric names: the summary metrics first (in their order), then any others in file order.
fn metric_order(a: &BTreeMap<String, BTreeMap<u64, Option<f64>>>) -> Vec<String> {
    let mut out: Vec<String> = SUMMARY_METRICS
        .iter()
        .filter(|m| a.contains_key(**m))
        .map(|m| m.to_string())
        .collect();
    out.extend(
        a.keys()
            .filter(|k| !SUMMARY_METRICS.contains(&k.as_str()))
            .cloned(),
    );
    out
}

/// Compare two results folders. `force_welch` uses Welch even when pairing is possible.
pub fn compare(dir_a: &Path, dir_b: &Path, force_welch: bool) -> Result<Comparison> {
    let (a, b) = (read_folder(dir_a)?, read_folder(dir_b)?);
    let pairs: Vec<(String, String)> = if a.order.len() == 1 && b.order.len() == 1 {
        vec![(a.order[0].clone(), b.order[0].clone())]
    } else {
        let only_a: Vec<&str> = a
            .order
            .iter()
            .filter(|s| !b.values.contains_key(*s))
            .map(String::as_str)
            .collect();
        let only_b: Vec<&str> = b
            .order
            .iter()
            .filter(|s| !a.values.contains_key(*s))
            .map(String::as_str)
            .collect();
        if !only_a.is_empty() || !only_b.is_empty() {
            let list = |v: &[&str]| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.iter().take(10).copied().collect::<Vec<_>>().join(", ")
                }
            };
            return Err(Error::Usage(format!(
                "{} and {} hold different sets of scenarios ({} and {}): only in A: {}; only in B: {}. Compare two single runs, or two sweeps of the same scenarios",
                dir_a.display(),
                dir_b.display(),
                a.order.len(),
                b.order.len(),
                list(&only_a),
                list(&only_b)
            )));
        }
        a.order.iter().map(|s| (s.clone(), s.clone())).collect()
    };
    let (mut method, mut why) = pairing(&a, &b);
    if force_welch && method == Method::Paired {
        method = Method::Welch;
        why =
            "Welch (independent samples), as asked with --welch; the manifests would allow pairing"
                .into();
    }
    let empty = BTreeMap::new();
    let mut rows = Vec::new();
    for (sa, sb) in pairs {
        let (ma, mb) = (&a.values[&sa], &b.values[&sb]);
        for metric in metric_order(ma) {
            let va = ma.get(&metric).unwrap_or(&empty);
            let vb = mb.get(&metric).unwrap_or(&empty);
            let defined =
                |v: &BTreeMap<u64, Option<f64>>| v.values().flatten().copied().collect::<Vec<_>>();
            let (xa, xb) = (defined(va), defined(vb));
            let est = |x: &[f64]| {
                summarize(&x.iter().map(|v| Some(*v)).collect::<Vec<_>>(), CONFIDENCE)
                    .map(Estimate::from)
            };
            let difference = match method {
                Method::Paired => paired(va, vb),
                Method::Welch => welch(&xa, &xb, CONFIDENCE),
            };
            rows.push(Row {
                scenario_a: sa.clone(),
                scenario_b: sb.clone(),
                metric,
                a: est(&xa),
                b: est(&xb),
                difference,
            });
        }
    }
    Ok(Comparison {
        a: dir_a.to_path_buf(),
        b: dir_b.to_path_buf(),
        method,
        why,
        confidence: CONFIDENCE,
        rows,
    })
}

/// A number for the table: 4 significant-ish decimals, "-" when undefined.
fn show(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.4}"),
        _ => "-".into(),
    }
}

fn cell(e: &Option<Estimate>) -> String {
    match e {
        None => "-".into(),
        Some(e) => match (e.ci_low, e.ci_high) {
            (Some(lo), Some(hi)) => format!(
                "{} [{}, {}]",
                show(Some(e.mean)),
                show(Some(lo)),
                show(Some(hi))
            ),
            _ => show(Some(e.mean)),
        },
    }
}

impl Comparison {
    /// The text table.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "A: {}\nB: {}\ndifference B − A with its {:.0} % interval: {}\n",
            self.a.display(),
            self.b.display(),
            self.confidence * 100.0,
            self.why
        );
        let width = self
            .rows
            .iter()
            .map(|r| r.metric.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let cells: Vec<[String; 3]> = self
            .rows
            .iter()
            .map(|r| [cell(&r.a), cell(&r.b), cell(&r.difference)])
            .collect();
        let wa = cells.iter().map(|c| c[0].len()).max().unwrap_or(0).max(1);
        let wb = cells.iter().map(|c| c[1].len()).max().unwrap_or(0).max(1);
        let mut current: Option<(&str, &str)> = None;
        for (r, c) in self.rows.iter().zip(&cells) {
            if current != Some((&r.scenario_a, &r.scenario_b)) {
                current = Some((&r.scenario_a, &r.scenario_b));
                let title = if r.scenario_a == r.scenario_b {
                    format!("scenario {}", r.scenario_a)
                } else {
                    format!("A = {}, B = {}", r.scenario_a, r.scenario_b)
                };
                out.push_str(&format!(
                    "\n{title}\n  {:<width$}  {:<wa$}  {:<wb$}  B − A [95 % interval]\n",
                    "metric", "A mean [95 % interval]", "B mean [95 % interval]"
                ));
            }
            out.push_str(&format!(
                "  {:<width$}  {:<wa$}  {:<wb$}  {}\n",
                r.metric, c[0], c[1], c[2]
            ));
        }
        out
    }

    /// One JSON object.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Internal(format!("compare: {e}")))
    }

    /// CSV: one line per scenario pair and metric.
    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = [
            "scenario_a",
            "scenario_b",
            "metric",
            "a_mean",
            "a_ci_low",
            "a_ci_high",
            "b_mean",
            "b_ci_low",
            "b_ci_high",
            "difference",
            "difference_ci_low",
            "difference_ci_high",
            "method",
        ];
        let err = |e: csv::Error| Error::Internal(format!("compare csv: {e}"));
        w.write_record(header).map_err(err)?;
        let num = |v: Option<f64>| crate::report::num(v);
        for r in &self.rows {
            let parts = |e: &Option<Estimate>| match e {
                Some(e) => [num(Some(e.mean)), num(e.ci_low), num(e.ci_high)],
                None => [String::new(), String::new(), String::new()],
            };
            let mut rec = vec![r.scenario_a.clone(), r.scenario_b.clone(), r.metric.clone()];
            rec.extend(parts(&r.a));
            rec.extend(parts(&r.b));
            rec.extend(parts(&r.difference));
            rec.push(self.method.name().into());
            w.write_record(&rec).map_err(err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::Internal(format!("compare csv: {e}")))?;
        String::from_utf8(bytes).map_err(|e| Error::Internal(format!("compare csv: {e}")))
    }
}
