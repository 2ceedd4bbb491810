//! The `[sweep]` section and its designs: a full grid, or random samples (Latin hypercube for
//! ranges) drawn from a seeded stream.

use std::collections::HashSet;
use std::path::Path;

use super::{Domain, Sweep, Vary};
use crate::error::{Error, Result};
use crate::rng::{SimRng, Stream, stream, uniform01};
use crate::scenario::read::Reader;
use crate::scenario::tree::{self, Key, Node, Source, Value};
use crate::time::format_duration;

/// How the scenarios of a sweep are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// Every combination of the listed values (the last key varies fastest).
    Grid,
    /// `samples` random points: listed values picked uniformly, ranges by Latin hypercube;
    /// never the same point twice (fewer when the design space holds fewer points).
    Random {
        /// Number of scenarios asked for.
        samples: u32,
        /// Seed of the design (not of the simulation).
        seed: u64,
    },
}

/// One scenario of the design: a value per varied key.
#[derive(Debug, Clone)]
pub struct Point {
    /// Values in the order of the varied keys.
    pub values: Vec<Node>,
}

impl Point {
    /// The readable name: `label=value` joined by commas.
    pub fn name(&self, vary: &[Vary]) -> String {
        vary.iter()
            .zip(&self.values)
            .map(|(v, x)| format!("{}={}", v.label, super::show(x)))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn node(value: Value) -> Node {
    Node {
        value,
        span: tree::Span::default(),
    }
}

impl Design {
    /// The points of the design, in a stable order.
    pub fn points(&self, vary: &[Vary]) -> Vec<Point> {
        match self {
            Design::Grid => {
                let mut points = vec![Point { values: Vec::new() }];
                for v in vary {
                    let Domain::Values(values) = &v.domain else {
                        continue;
                    };
                    points = points
                        .into_iter()
                        .flat_map(|p| {
                            values.iter().map(move |x| {
                                let mut q = p.clone();
                                q.values.push(x.clone());
                                q
                            })
                        })
                        .collect();
                }
                points
            }
            Design::Random { samples, seed } => random_points(vary, *samples, *seed),
        }
    }
}

/// Random points, each a distinct scenario (a distinct name): the first round draws `samples`
/// points (Latin hypercube for ranges, one stratum per sample and shuffled per key; uniform
/// picks for listed values); points already drawn are dropped, and further rounds draw the
/// missing number the same way, until `samples` distinct points or every point of a design
/// space smaller than that. One seeded stream per design: the same seed gives the same points
/// in the same order.
fn random_points(vary: &[Vary], samples: u32, seed: u64) -> Vec<Point> {
    let n = samples as usize;
    let mut rng = stream(seed, 0, Stream::Routing);
    let space = space_size(vary);
    let want = if space < n as f64 { space as usize } else { n };
    // Collecting every point of a space about as large as `samples` takes about
    // samples · ln(samples) draws; the cap only stops a range whose ends are so close that
    // it holds fewer numbers than `samples` (floats a few ulps apart).
    let cap = 64 * n + 1024;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(want);
    let mut drawn = 0;
    while out.len() < want && drawn < cap {
        let m = if drawn == 0 { n } else { want - out.len() };
        for p in draw(vary, m, &mut rng) {
            if out.len() < want && seen.insert(p.name(vary)) {
                out.push(p);
            }
        }
        drawn += m;
    }
    out
}

/// How many distinct points the design space holds (infinite for a range of floats).
fn space_size(vary: &[Vary]) -> f64 {
    vary.iter()
        .map(|v| match &v.domain {
            Domain::Values(values) => {
                let shown: HashSet<String> = values.iter().map(super::show).collect();
                shown.len() as f64
            }
            Domain::Range { min, max, integer } if *integer => max - min + 1.0,
            Domain::Range { min, max, .. } if min == max => 1.0,
            Domain::Range { .. } => f64::INFINITY,
            Domain::Durations { min, max } => (max - min + 1) as f64,
        })
        .product()
}

/// `n` random points: Latin hypercube for ranges, uniform picks for listed values.
fn draw(vary: &[Vary], n: usize, rng: &mut SimRng) -> Vec<Point> {
    let mut columns: Vec<Vec<Node>> = Vec::new();
    for v in vary {
        let col = match &v.domain {
            Domain::Values(values) => (0..n)
                .map(|_| {
                    let i = (uniform01(rng) * values.len() as f64) as usize;
                    values[i.min(values.len() - 1)].clone()
                })
                .collect(),
            Domain::Range { min, max, integer } => strata(rng, n)
                .into_iter()
                .map(|u| {
                    if *integer {
                        // Whole numbers from min to max inclusive, one stratum each.
                        let x = min + (max - min + 1.0) * u;
                        node(Value::Int(x.floor().min(*max) as i64))
                    } else {
                        node(Value::Float(min + (max - min) * u))
                    }
                })
                .collect(),
            Domain::Durations { min, max } => strata(rng, n)
                .into_iter()
                .map(|u| {
                    let t = *min + ((max - min) as f64 * u).round() as i64;
                    node(Value::Str(format_duration(t)))
                })
                .collect(),
        };
        columns.push(col);
    }
    (0..n)
        .map(|i| Point {
            values: columns.iter().map(|c| c[i].clone()).collect(),
        })
        .collect()
}

/// `n` points in [0, 1), one in each of `n` equal strata, in shuffled order.
fn strata(rng: &mut SimRng, n: usize) -> Vec<f64> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (uniform01(rng) * (i + 1) as f64) as usize;
        order.swap(i, j.min(i));
    }
    order
        .into_iter()
        .map(|k| (k as f64 + uniform01(rng)) / n as f64)
        .collect()
}

/// Read the `[sweep]` section and load the base scenario's tree.
pub fn read_sweep(src: &Source, root: &Node, file: &Path, hash: String) -> Result<Sweep> {
    let mut r = Reader::new(src);
    // A scenario file given where a sweep is expected: one error saying so.
    if let Value::Table(entries) = &root.value
        && !entries.iter().any(|(k, _)| k.name == "sweep")
        && let Some((key, _)) = entries
            .iter()
            .find(|(k, _)| crate::scenario::keys::TOP_KEYS.contains(&k.name.as_str()))
    {
        r.error_help(
            key.span,
            "sweep",
            "this is a scenario file, not a sweep (it has no [sweep] section)",
            "run it with `ccsim run FILE --out DIR`, or write a sweep file with [sweep] base = \"scenario.toml\" and a [sweep.vary] table",
        );
        return Err(Error::Input(r.diags));
    }
    let top = r.table(root, "", &["sweep"], &[]);
    let sweep_node = top.as_ref().and_then(|t| t.get("sweep"));
    let Some(sweep_node) = sweep_node else {
        if r.diags.is_empty() {
            r.error_help(
                root.span,
                "sweep",
                "missing [sweep] section",
                "add [sweep] with base = \"scenario.toml\" and a [sweep.vary] table",
            );
        }
        return Err(Error::Input(r.diags));
    };
    let keys = [
        "base",
        "design",
        "samples",
        "seed",
        "compare_to",
        "replications",
        "vary",
    ];
    let Some(f) = r.table(sweep_node, "sweep", &keys, &[]) else {
        return Err(Error::Input(r.diags));
    };
    let base_path = r
        .require(&f, "base", "\"baseline.toml\"")
        .and_then(|n| r.string(n, "sweep.base").map(|s| (s, n.span)));
    let design = match f.get("design") {
        None => Some("grid".to_string()),
        Some(n) => r.string(n, "sweep.design"),
    };
    let samples = f
        .get("samples")
        .and_then(|n| r.integer(n, "sweep.samples", 1, 1_000_000));
    let seed = f.get("seed").and_then(|n| r.seed(n, "sweep.seed"));
    let compare_to = f
        .get("compare_to")
        .and_then(|n| r.string(n, "sweep.compare_to"));
    let replications = f
        .get("replications")
        .and_then(|n| r.integer(n, "sweep.replications", 1, 100_000))
        .map(|v| v as u32);
    let design = match design.as_deref() {
        Some("grid") | None => Design::Grid,
        Some("random") => Design::Random {
            samples: samples.unwrap_or(100) as u32,
            seed: seed.unwrap_or(1),
        },
        Some(other) => {
            let span = f.get("design").map_or(f.span, |n| n.span);
            r.error_help(
                span,
                "sweep.design",
                format!("unknown design \"{other}\""),
                "allowed: \"grid\" or \"random\"",
            );
            Design::Grid
        }
    };
    let vary = match f.get("vary") {
        Some(n) => read_vary(&mut r, n, &design),
        None => {
            r.error_help(
                f.span,
                "sweep.vary",
                "missing [sweep.vary]: nothing to vary",
                "add [sweep.vary] with \"group.care.agents\" = [45, 50, 55]",
            );
            Vec::new()
        }
    };
    let base = base_path.and_then(|(p, span)| {
        let full = file.parent().unwrap_or(Path::new("")).join(&p);
        match std::fs::read(&full) {
            Ok(bytes) => Some((full, bytes)),
            Err(e) => {
                r.error_help(
                    span,
                    "sweep.base",
                    format!("cannot read {}: {e}", full.display()),
                    "the path is relative to the sweep file",
                );
                None
            }
        }
    });
    if let (Some(_), Some(v)) = (
        replications,
        vary.iter().find(|v| v.path == "scenario.replications"),
    ) {
        r.error_help(
            v.span,
            &v.path,
            "`scenario.replications` is swept, but `sweep.replications` sets the replications of every scenario",
            "leave out `sweep.replications`, or stop varying `scenario.replications`",
        );
    }
    if !r.diags.is_empty() {
        return Err(Error::Input(r.diags));
    }
    let Some((base_file, bytes)) = base else {
        return Err(Error::Internal(
            "base scenario missing without a diagnostic".into(),
        ));
    };
    let text = crate::scenario::include::decode(&base_file, bytes)?;
    let resolved = crate::scenario::include::resolve(&base_file, text)?;
    let (base, base_root) = (resolved.src, resolved.root);
    // The files the base includes (directly or through others), in reading order, with their
    // SHA-256: as a run's manifest records them (`scenario_includes`).
    let base_includes = base.files()[1..]
        .iter()
        .zip(resolved.file_hashes.get(1..).unwrap_or_default())
        .map(|(p, h)| crate::scenario::DataFile {
            file: p.display().to_string(),
            sha256: h.clone(),
        })
        .collect();
    let mut diags = Vec::new();
    for v in &vary {
        if let Err(p) = super::paths::check(&base_root, &v.path) {
            diags.push(src.diag(v.span, &v.path, p.message).with_help(p.help));
        }
    }
    if !diags.is_empty() {
        return Err(Error::Input(diags));
    }
    // Named as `ccsim run` names it: `[scenario] name`, else the file stem.
    let (base_scenario, base_data) = crate::scenario::load_tree(
        &base,
        &base_root,
        &crate::scenario::default_name(&base.path),
    )?;
    let points = design.points(&vary);
    let compare_to = match (compare_to, f.get("compare_to")) {
        (Some(c), Some(n)) => Some(resolve_compare_to(
            src,
            n,
            c,
            &points,
            &vary,
            &base_scenario.name,
            &crate::scenario::default_name(&base.path),
        )?),
        _ => None,
    };
    Ok(Sweep {
        file: file.to_path_buf(),
        hash,
        base,
        base_root,
        base_hash: crate::scenario::scenario_hash(&resolved.hash, &base_data),
        base_files_hash: resolved.hash,
        base_includes,
        base_scenario,
        base_data,
        design,
        vary,
        points,
        compare_to,
        replications,
    })
}

/// The scenario `compare_to` names, as the results files name it: `"base"` for the base
/// scenario (written `"base"`, the base's own name — its `[scenario] name`, else its file
/// stem — or its file stem even when it has a name: `base = "../baseline.toml"` with
/// `compare_to = "baseline"`), or the name of a design point. The two cannot clash (a design point's name holds
/// `label=value`, and a scenario name no `=`); were they to, the design point would win: the
/// results files call it by that name, and `"base"` always means the base.
fn resolve_compare_to(
    src: &Source,
    node: &Node,
    c: String,
    points: &[Point],
    vary: &[Vary],
    base_name: &str,
    base_stem: &str,
) -> Result<String> {
    if c == "base" {
        return Ok(c);
    }
    let names: Vec<String> = points.iter().map(|p| p.name(vary)).collect();
    if names.contains(&c) {
        return Ok(c);
    }
    if c == base_name || c == base_stem {
        return Ok("base".into());
    }
    // Quoted: a point's name holds commas of its own.
    let some: Vec<String> = names.iter().take(8).map(|n| format!("\"{n}\"")).collect();
    let mut aliases = vec!["\"base\"".to_string()];
    for a in [base_name, base_stem] {
        let quoted = format!("\"{a}\"");
        if !aliases.contains(&quoted) {
            aliases.push(quoted);
        }
    }
    let base = format!("{} (the base scenario as it is)", aliases.join(" or "));
    Err(Error::Input(vec![
        src.diag(
            node.span,
            "sweep.compare_to",
            format!("\"{c}\" is not a scenario of the sweep"),
        )
        .with_help(format!("use {base} or one of: {}", some.join(", "))),
    ]))
}

fn read_vary(r: &mut Reader, node: &Node, design: &Design) -> Vec<Vary> {
    let Value::Table(entries) = &node.value else {
        r.error_help(
            node.span,
            "sweep.vary",
            format!(
                "expected a table of \"dotted.path\" = [values], found {}",
                node.value.kind()
            ),
            "write [sweep.vary] on a line of its own, then one key per line, e.g. \"group.care.agents\" = [45, 50, 55]",
        );
        return Vec::new();
    };
    if entries.is_empty() {
        r.error_help(
            node.span,
            "sweep.vary",
            "[sweep.vary] is empty: nothing to vary",
            "add a key to vary, e.g. \"group.care.agents\" = [45, 50, 55]",
        );
    }
    let mut out: Vec<Vary> = Vec::new();
    for (Key { name, span }, value) in entries {
        let path = format!("sweep.vary.\"{name}\"");
        let domain = match &value.value {
            Value::Array(items) if !items.is_empty() => {
                // Each value once: a value listed twice would run one scenario twice, under
                // one name (two rows per scenario and metric in summary.csv).
                let mut shown = HashSet::new();
                let mut twice = false;
                for item in items {
                    let s = super::show(item);
                    if !shown.insert(s.clone()) && !twice {
                        twice = true;
                        r.error_help(
                            item.span,
                            &path,
                            format!("`{s}` is listed twice"),
                            "list each value once: a sweep runs each scenario once",
                        );
                    }
                }
                (!twice).then(|| Domain::Values(items.clone()))
            }
            Value::Array(_) => {
                r.error_help(
                    value.span,
                    &path,
                    "an empty list of values: a varied key needs one value or more",
                    match crate::scenario::hints::literal_example(name) {
                        Some(v) => format!(
                            "list the values to run, e.g. \"{name}\" = [{v}], or remove the line"
                        ),
                        None => "list the values to run, e.g. \"group.care.agents\" = [45, 50, 55], or remove the line".to_string(),
                    },
                );
                None
            }
            Value::Table(_) => range(r, value, &path, design),
            _ => Some(Domain::Values(vec![value.clone()])),
        };
        if let Some(domain) = domain {
            let last = name.rsplit('.').next().unwrap_or(name).to_string();
            out.push(Vary {
                path: name.clone(),
                label: last,
                domain,
                span: *span,
            });
        }
    }
    // Labels must be unique: fall back to the whole path on a clash.
    let labels: Vec<String> = out.iter().map(|v| v.label.clone()).collect();
    for v in &mut out {
        if labels.iter().filter(|l| **l == v.label).count() > 1 {
            v.label = v.path.clone();
        }
    }
    out
}

fn range(r: &mut Reader, value: &Node, path: &str, design: &Design) -> Option<Domain> {
    let f = r.table(value, path, &["min", "max"], &[])?;
    if *design == Design::Grid {
        r.error_help(
            value.span,
            path,
            "a range needs a random design",
            "list the values, or set design = \"random\" with samples and seed",
        );
        return None;
    }
    let (lo, hi) = (r.require(&f, "min", "40")?, r.require(&f, "max", "60")?);
    let raw = |n: &Node| super::show(n);
    let swapped = format!("{{ min = {}, max = {} }}", quoted(hi), quoted(lo));
    if let (Value::Str(a), Value::Str(b)) = (&lo.value, &hi.value)
        && a.trim().parse::<f64>().is_ok()
        && b.trim().parse::<f64>().is_ok()
    {
        r.error_help(
            value.span,
            path,
            format!("min and max are numbers in quotes (\"{a}\", \"{b}\")"),
            format!(
                "write them without quotes: {{ min = {}, max = {} }} (a duration needs a unit: \"{a}m\")",
                a.trim(),
                b.trim()
            ),
        );
        return None;
    }
    if let (Value::Str(_), Value::Str(_)) = (&lo.value, &hi.value) {
        let a = r.duration(lo, &f.child("min"))?;
        let b = r.duration(hi, &f.child("max"))?;
        if a > b {
            r.error_help(
                value.span,
                path,
                format!("min ({}) is above max ({})", raw(lo), raw(hi)),
                format!("give min at most max: {swapped}"),
            );
            return None;
        }
        return Some(Domain::Durations { min: a, max: b });
    }
    // One number and one duration: the kinds must match.
    for (n, key) in [(lo, "min"), (hi, "max")] {
        if let Value::Str(s) = &n.value {
            r.error_help(
                n.span,
                &f.child(key),
                format!("expected a number, found \"{s}\""),
                "give min and max the same kind: two numbers ({ min = 40, max = 60 }) or two durations ({ min = \"3m\", max = \"6m\" })",
            );
            return None;
        }
    }
    let integer = matches!((&lo.value, &hi.value), (Value::Int(_), Value::Int(_)));
    let (a, b) = (
        r.number(lo, &f.child("min"))?,
        r.number(hi, &f.child("max"))?,
    );
    if a > b {
        r.error_help(
            value.span,
            path,
            format!("min ({}) is above max ({})", raw(lo), raw(hi)),
            format!("give min at most max: {swapped}"),
        );
        return None;
    }
    Some(Domain::Range {
        min: a,
        max: b,
        integer,
    })
}

/// A value as a sweep file writes it: strings in quotes.
fn quoted(n: &Node) -> String {
    match &n.value {
        Value::Str(s) => format!("\"{s}\""),
        _ => super::show(n),
    }
}
