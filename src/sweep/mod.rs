//! Sweeps: one file names a base scenario and what to vary; every scenario of the design runs
//! with the same replication seeds (common random numbers), and each is compared with the base
//! by paired differences.
//!
//! ```toml
//! [sweep]
//! base = "../baseline.toml"
//! design = "grid"            # or "random" with samples and seed (Latin hypercube for ranges)
//! compare_to = "base"        # the base scenario as it is ("base" or its name), or the name
//!                            # of a swept scenario
//!
//! [sweep.vary]
//! "group.care.agents" = [45, 50, 55]
//! "policy.context" = ["shared", "siloed"]
//! ```

mod design;
mod merge;
mod paths;
mod run;

use std::path::{Path, PathBuf};

pub use design::{Design, Point};
pub use merge::{merge, slurm_script};
pub use run::{Progress, SweepOptions, run_sweep};

use crate::error::{Diagnostic, Error, Result};
use crate::scenario::tree::{self, Node, Source, Value};
use crate::scenario::{self, DataFile, Scenario};

/// One varied key: its dotted path and what it takes.
#[derive(Debug, Clone)]
pub struct Vary {
    /// Dotted path into the scenario, e.g. `group.care.agents`.
    pub path: String,
    /// Short name used in scenario names (the last segment, or the whole path on a clash).
    pub label: String,
    /// Listed values (grid, or random picks), or a range for random designs.
    pub domain: Domain,
    /// Span of the entry in the sweep file (for messages).
    pub span: tree::Span,
}

/// The values a varied key takes.
#[derive(Debug, Clone)]
pub enum Domain {
    /// These values.
    Values(Vec<Node>),
    /// A numeric range (random designs): whole numbers when both ends are integers.
    Range {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
        /// Both ends are integers.
        integer: bool,
    },
    /// A range of durations in ticks (random designs), written as strings with units.
    Durations {
        /// Lower end [ticks].
        min: i64,
        /// Upper end [ticks].
        max: i64,
    },
}

/// A parsed sweep file.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file.
    pub file: PathBuf,
    /// The sweep file's SHA-256.
    pub hash: String,
    /// The base scenario's source.
    pub base: Source,
    /// The base scenario's parsed tree.
    pub base_root: Node,
    /// The base scenario's SHA-256: the hash `ccsim run` records for it (its files, and the data
    /// files it reads).
    pub base_hash: String,
    /// The base scenario's files alone (with its includes): `base_hash` before its data files
    /// join it.
    pub base_files_hash: String,
    /// The files the base scenario includes (directly or through others), in reading order,
    /// with their SHA-256.
    pub base_includes: Vec<DataFile>,
    /// The base scenario, loaded.
    pub base_scenario: Scenario,
    /// The data files the base scenario reads, in reading order.
    pub base_data: Vec<DataFile>,
    /// The design.
    pub design: Design,
    /// The varied keys, in file order.
    pub vary: Vec<Vary>,
    /// The points of the design, in a stable order (`Design::points`): distinct.
    pub points: Vec<Point>,
    /// Name of the scenario every other one is compared with, as the results files name it:
    /// `"base"` for the base scenario (however the sweep file named it), else a design point's
    /// name (`None` = no comparison).
    pub compare_to: Option<String>,
    /// Replications per scenario (overrides the base's).
    pub replications: Option<u32>,
}

/// A scenario of a sweep, ready to run.
#[derive(Debug, Clone)]
pub struct SweepScenario {
    /// Stable, readable name, e.g. `agents=50,context=siloed` (`base` for the base).
    pub name: String,
    /// The values, as text, one per varied key (for the base, its own values: `Sweep::base_values`).
    pub values: Vec<String>,
    /// The scenario.
    pub scenario: Scenario,
    /// The data files it reads, in reading order.
    pub data: Vec<DataFile>,
}

fn diag(src: &Source, span: tree::Span, path: &str, msg: impl Into<String>) -> Diagnostic {
    src.diag(span, path, msg)
}

/// Read a sweep file and its base scenario.
pub fn load(file: &Path) -> Result<Sweep> {
    let bytes = std::fs::read(file).map_err(|e| Error::io("reading", file, e))?;
    let hash = scenario::sha256_hex(&bytes);
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::Input(vec![
            Diagnostic::file_level(file, "the sweep file is not valid UTF-8")
                .with_help("save the file as UTF-8"),
        ])
    })?;
    let src = Source::new(file, text);
    let root = tree::parse(&src).map_err(Error::Input)?;
    design::read_sweep(&src, &root, file, hash)
}

impl Sweep {
    /// Every scenario of the design, the base first when it is compared with.
    pub fn scenarios(&self) -> Result<Vec<SweepScenario>> {
        let points = &self.points;
        let mut out = Vec::with_capacity(points.len() + 1);
        if self.compare_to.as_deref() == Some("base") {
            let mut b = self.base_scenario.clone();
            b.name = "base".into();
            if let Some(r) = self.replications {
                b.replications = r;
            }
            out.push(SweepScenario {
                name: "base".into(),
                values: self.base_values(),
                scenario: b,
                data: self.base_data.clone(),
            });
        }
        let mut problems = Vec::new();
        for p in points {
            let name = p.name(&self.vary);
            let mut root = self.base_root.clone();
            for (v, value) in self.vary.iter().zip(&p.values) {
                if let Err(e) = paths::set(&mut root, &v.path, value.clone()) {
                    problems.push(
                        diag(&self.sweep_src()?, v.span, &v.path, e.message).with_help(e.help),
                    );
                }
            }
            if !problems.is_empty() {
                continue;
            }
            match scenario::load_tree(&self.base, &root, &name) {
                Ok((mut s, data)) => {
                    s.name = name.clone();
                    if let Some(r) = self.replications {
                        s.replications = r;
                    }
                    out.push(SweepScenario {
                        name,
                        values: p.values.iter().map(show).collect(),
                        scenario: s,
                        data,
                    });
                }
                Err(Error::Input(diags)) => {
                    // The values came from the sweep file: point there, at the varied key the
                    // problem is about, not into the base file (whose spans these are not).
                    let src = self.sweep_src()?;
                    for d in diags {
                        let Some(v) = self.vary_for(&d.key_path) else {
                            problems.push(d);
                            continue;
                        };
                        let scenario_key = normalize(&d.key_path);
                        let mut msg = format!("in sweep scenario `{name}`");
                        if scenario_key != v.path && !d.key_path.is_empty() {
                            msg.push_str(&format!(", `{}`", d.key_path));
                        }
                        msg.push_str(&format!(": {}", d.message));
                        let mut moved = src.diag(v.span, &v.path, msg);
                        moved.help = d.help;
                        // Other scenarios with the same bad value would repeat it: once is enough.
                        let same = |o: &Diagnostic| {
                            o.location == moved.location
                                && o.key_path == moved.key_path
                                && o.message.split_once(": ").map(|x| x.1)
                                    == moved.message.split_once(": ").map(|x| x.1)
                        };
                        if !problems.iter().any(same) {
                            problems.push(moved);
                        }
                    }
                }
                Err(e) => return Err(e),
            }
            if problems.len() > 20 {
                break;
            }
        }
        if !problems.is_empty() {
            return Err(Error::Input(problems));
        }
        // `compare_to` was resolved against these very points when the sweep was read
        // (`design::read_sweep`): it names the base (pushed above) or one of them.
        Ok(out)
    }

    /// The design asked for more random samples than its space holds distinct points: `Some`
    /// (samples asked for, distinct points run).
    pub fn samples_short(&self) -> Option<(u32, usize)> {
        match self.design {
            Design::Random { samples, .. } if self.points.len() < samples as usize => {
                Some((samples, self.points.len()))
            }
            _ => None,
        }
    }

    /// The base scenario's value of each varied key, as text like a design point's: as its
    /// file (with its includes) gives it, else the key's default (from the scenario schema's
    /// `[default: …]`); empty when the default is no single value (none, unlimited, …).
    pub fn base_values(&self) -> Vec<String> {
        self.vary
            .iter()
            .map(|v| {
                paths::get(&self.base_root, &v.path)
                    .map(show)
                    .or_else(|| paths::default(&v.path).map(|n| show(&n)))
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The data files the scenarios of the sweep read: the base's, then those a swept value
    /// brings in (a varied `file` key), each once, in reading order.
    pub fn data(&self, scenarios: &[SweepScenario]) -> Vec<DataFile> {
        let mut all = self.base_data.clone();
        for d in scenarios.iter().flat_map(|s| &s.data) {
            scenario::data::record(&mut all, d.clone());
        }
        all
    }

    /// What the sweep's results depend on, as one hash (the first line of the resume journal):
    /// the SHA-256 of the sweep file's hash, the base scenario's (`base_hash`) and the hash of
    /// every data file the scenarios read (`data`), hex, one per line.
    pub fn inputs_hash(&self, data: &[DataFile]) -> String {
        let base = [self.hash.as_str(), self.base_hash.as_str()];
        scenario::data::joined_hash(
            base.into_iter()
                .chain(data.iter().map(|d| d.sha256.as_str())),
        )
    }

    /// The varied key a problem of a swept scenario is about: the one sharing the most leading
    /// segments with its key path (the first one when none does).
    fn vary_for(&self, key_path: &str) -> Option<&Vary> {
        let key = normalize(key_path);
        let shared = |v: &Vary| {
            v.path
                .split('.')
                .zip(key.split('.'))
                .take_while(|(a, b)| a == b)
                .count()
        };
        let mut best = self.vary.first()?;
        for v in &self.vary[1..] {
            if shared(v) > shared(best) {
                best = v;
            }
        }
        Some(best)
    }

    fn sweep_src(&self) -> Result<Source> {
        let text =
            std::fs::read_to_string(&self.file).map_err(|e| Error::io("reading", &self.file, e))?;
        Ok(Source::new(&self.file, text))
    }
}

/// A loader key path as a sweep path: `group[care].agents` → `group.care.agents`.
fn normalize(key_path: &str) -> String {
    key_path.replace('[', ".").replace(']', "")
}

/// A value as text for names and scenarios.csv.
pub fn show(n: &Node) -> String {
    match &n.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Datetime(d) => d.clone(),
        Value::Array(items) => {
            format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(" "))
        }
        // Every key and value, in file order, so two different tables never look alike (a
        // design point's name holds it, and a value listed twice is found by it).
        Value::Table(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}={}", k.name, show(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}
