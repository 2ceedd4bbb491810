//! Typed reading of a spanned tree: each getter checks one value and records every problem found.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::data::DataFile;
use super::hints;
use super::tree::{Key, Node, Source, Span, Value};
use crate::dist::Dist;
use crate::error::Diagnostic;
use crate::time::{Ticks, parse_duration, parse_rate};

/// Largest arrival rate accepted [per second]: a million per hour.
pub const MAX_RATE_PER_SECOND: f64 = 1_000_000.0 / 3600.0;

/// Walks one file's tree, collecting diagnostics instead of stopping at the first.
pub struct Reader<'s> {
    /// The file being read.
    pub src: &'s Source,
    /// Problems found so far.
    pub diags: Vec<Diagnostic>,
    /// Data files read so far (each once), in reading order.
    pub data: Vec<DataFile>,
}

/// The entries of one table, after unknown keys were reported.
pub struct Fields<'n> {
    /// Key path of the table itself.
    pub path: String,
    /// Span of the table.
    pub span: Span,
    entries: HashMap<&'n str, (&'n Key, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.get(key).map(|(_, n)| *n)
    }

    /// Key path of a field of this table.
    pub fn child(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

/// Join a key path and a key.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Whether a value is a single value (not a table or an array).
fn scalar(node: &Node) -> bool {
    !matches!(node.value, Value::Table(_) | Value::Array(_))
}

/// Render a value for a message: strings quoted, tables and arrays by kind.
pub fn show(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("\"{s}\""),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Datetime(d) => d.clone(),
        v => v.kind().to_string(),
    }
}

impl<'s> Reader<'s> {
    /// A reader for one file.
    pub fn new(src: &'s Source) -> Self {
        Reader {
            src,
            diags: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Read a data file's bytes (a CSV a value names), recording it and their hash.
    pub fn read_data(&mut self, path: &Path) -> std::io::Result<Vec<u8>> {
        let bytes = std::fs::read(path)?;
        let file = DataFile {
            file: path.display().to_string(),
            sha256: super::sha256_hex(&bytes),
        };
        super::data::record(&mut self.data, file);
        Ok(bytes)
    }

    /// Record a problem at a node with its fix: every problem a user can make comes with one
    /// (there is no way to record a problem without a help line).
    pub fn error_help(
        &mut self,
        span: Span,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = self.src.diag(span, path, message).with_help(help);
        self.diags.push(d);
    }

    /// Directory of the file a value was written in (for relative paths inside it; with
    /// includes, the included file's own directory).
    pub fn base_dir(&self, at: Span) -> PathBuf {
        self.src
            .path_at(at)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// Read a table, reporting keys not in `allowed` (with a suggestion) and keys in `planned`
    /// (part of the format, not modelled by this version) as errors.
    pub fn table<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        allowed: &[&str],
        planned: &[&str],
    ) -> Option<Fields<'n>> {
        let Value::Table(entries) = &node.value else {
            self.error_help(
                node.span,
                path,
                format!("expected a table, found {}", node.value.kind()),
                hints::table_help(path, allowed),
            );
            return None;
        };
        let mut map = HashMap::new();
        for (key, value) in entries {
            let name = key.name.as_str();
            if allowed.contains(&name) {
                map.insert(name, (key, value));
            } else if planned.contains(&name) {
                self.error_help(
                    key.span,
                    &join(path, name),
                    format!(
                        "`{name}` is part of the scenario format but not modelled by ccsim {} yet",
                        env!("CARGO_PKG_VERSION")
                    ),
                    "remove the key; results would silently ignore it otherwise",
                );
            } else {
                let mut msg = format!("unknown key `{name}`");
                let help = match suggest(name, allowed.iter().copied()) {
                    None if name == "include" => {
                        "`include` belongs at the top of the file, before the first [section]"
                            .to_string()
                    }
                    Some(s) => format!("did you mean `{s}`? allowed here: {}", allowed.join(", ")),
                    None => format!("allowed here: {}", allowed.join(", ")),
                };
                if path.is_empty() {
                    msg.push_str(" at the top level");
                }
                self.error_help(key.span, &join(path, name), msg, help);
            }
        }
        Some(Fields {
            path: path.to_string(),
            span: node.span,
            entries: map,
        })
    }

    /// A required key: reports its absence.
    pub fn require<'n>(&mut self, f: &Fields<'n>, key: &str, example: &str) -> Option<&'n Node> {
        let n = f.get(key);
        if n.is_none() {
            self.error_help(
                f.span,
                &f.child(key),
                format!("missing required key `{key}`"),
                format!("add `{key} = {example}`"),
            );
        }
        n
    }

    /// A string.
    pub fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                let found = scalar(node).then(|| show(node));
                self.error_help(
                    node.span,
                    path,
                    format!("expected a string, found {}", show(node)),
                    hints::string_help(path, found.as_deref()),
                );
                None
            }
        }
    }

    /// A boolean.
    pub fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.error_help(
                    node.span,
                    path,
                    format!("expected true or false, found {}", show(node)),
                    hints::boolean_help(path),
                );
                None
            }
        }
    }

    /// A finite number (integer or float).
    pub fn number(&mut self, node: &Node, path: &str) -> Option<f64> {
        self.checked_number(node, path, None)
    }

    /// A finite number for a key that allows `lo` to `hi`: the range shapes the help only (the
    /// caller checks it, with its own message).
    pub fn number_for(&mut self, node: &Node, path: &str, lo: f64, hi: f64) -> Option<f64> {
        self.checked_number(node, path, Some((lo, hi)))
    }

    /// A finite number; problems get the help `range` (allowed low and high) calls for.
    fn checked_number(
        &mut self,
        node: &Node,
        path: &str,
        range: Option<(f64, f64)>,
    ) -> Option<f64> {
        let v = match &node.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            other => {
                let help = match other {
                    // A number in quotes: the same number without them, when it would do.
                    Value::Str(s)
                        if s.trim().parse::<f64>().is_ok_and(|v| {
                            v.is_finite() && range.is_none_or(|(lo, hi)| v >= lo && v <= hi)
                        }) =>
                    {
                        hints::unquote_help(path, s.trim())
                    }
                    _ => hints::number_help(path, range),
                };
                self.error_help(
                    node.span,
                    path,
                    format!("expected a number, found {}", show(node)),
                    help,
                );
                return None;
            }
        };
        if !v.is_finite() {
            let help = hints::number_help(path, range);
            self.error_help(
                node.span,
                path,
                format!("expected a finite number, found {v}"),
                help,
            );
            return None;
        }
        Some(v)
    }

    /// A number in [lo, hi].
    pub fn number_in(&mut self, node: &Node, path: &str, lo: f64, hi: f64) -> Option<f64> {
        let v = self.checked_number(node, path, Some((lo, hi)))?;
        if v < lo || v > hi {
            self.error_help(
                node.span,
                path,
                format!("{v} is out of range: allowed {lo} to {hi}"),
                hints::range_help(path, lo, hi, false),
            );
            return None;
        }
        Some(v)
    }

    /// A probability in [0, 1].
    pub fn probability(&mut self, node: &Node, path: &str) -> Option<f64> {
        let v = self.checked_number(node, path, Some((0.0, 1.0)))?;
        if !(0.0..=1.0).contains(&v) {
            self.error_help(
                node.span,
                path,
                format!("{v} is not a probability: allowed 0 to 1"),
                hints::probability_help(path, Some(v)),
            );
            return None;
        }
        Some(v)
    }

    /// A whole number in [lo, hi].
    pub fn integer(&mut self, node: &Node, path: &str, lo: i64, hi: i64) -> Option<i64> {
        let help = |example: Option<f64>| {
            let (lo, hi) = (lo as f64, hi as f64);
            let ex = example.unwrap_or_else(|| hints::number_example(path, lo, hi, true));
            hints::range_help_with(path, lo, hi, true, ex)
        };
        let in_range = |v: f64| v >= lo as f64 && v <= hi as f64;
        let v = match &node.value {
            Value::Int(i) => *i,
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => *f as i64,
            // A whole number too large for an integer (JSON, or TOML past 2^63 − 1): name it as
            // written, not as the float it became.
            Value::Float(f) if f.fract() == 0.0 && f.is_finite() => {
                let raw = self
                    .src
                    .text
                    .get(node.span.start..node.span.end)
                    .unwrap_or("");
                self.error_help(
                    node.span,
                    path,
                    format!("{raw} is out of range: allowed {lo} to {hi}"),
                    help(None),
                );
                return None;
            }
            other => {
                // The whole number meant, when it is plain: 2.5 rounded, "12" unquoted.
                let meant = match other {
                    Value::Float(f) if f.is_finite() => Some(f.round()),
                    Value::Str(s) => s.trim().parse::<i64>().ok().map(|v| v as f64),
                    _ => None,
                }
                .filter(|v| in_range(*v));
                let help = match (other, meant) {
                    (Value::Str(_), Some(v)) => hints::unquote_help(path, &v.to_string()),
                    (_, meant) => help(meant),
                };
                self.error_help(
                    node.span,
                    path,
                    format!("expected a whole number, found {}", show(node)),
                    help,
                );
                return None;
            }
        };
        if v < lo || v > hi {
            self.error_help(
                node.span,
                path,
                format!("{v} is out of range: allowed {lo} to {hi}"),
                help(None),
            );
            return None;
        }
        Some(v)
    }

    /// A seed: any whole number from 0 to 2^64 − 1. Above 2^63 − 1 (beyond TOML's integers and
    /// exact JSON floats) it is read from the source text, or from a string of digits.
    pub fn seed(&mut self, node: &Node, path: &str) -> Option<u64> {
        let digits = |text: &str| -> Option<u64> {
            let d: String = text.chars().filter(|c| *c != '_').collect();
            let d = d.strip_prefix('+').unwrap_or(&d);
            (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .then(|| d.parse::<u64>().ok())
                .flatten()
        };
        let found = match &node.value {
            Value::Int(i) if *i >= 0 => Some(*i as u64),
            Value::Str(s) => digits(s.trim()),
            // A whole float exact in f64 (JSON `5.0`) is that number.
            Value::Float(f) if f.fract() == 0.0 && (0.0..9e15).contains(f) => Some(*f as u64),
            // Past 2^53 a float has lost digits: they are read from the source text, and used
            // only when they are that same number (a value placed from another file, such as a
            // swept one, has no text here).
            Value::Float(f) if f.fract() == 0.0 && *f >= 9e15 => self
                .src
                .text
                .get(node.span.start..node.span.end)
                .and_then(digits)
                .filter(|v| *v as f64 == *f),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
        self.error_help(
            node.span,
            path,
            format!("expected a whole number, found {}", show(node)),
            format!(
                "allowed: a whole number from 0 to {}, e.g. seed = 42 (above 9007199254740992, to be sure of every digit, write it as a string: seed = \"18446744073709551615\")",
                u64::MAX
            ),
        );
        None
    }

    /// A duration string with units.
    pub fn duration(&mut self, node: &Node, path: &str) -> Option<Ticks> {
        match &node.value {
            Value::Str(s) => match parse_duration(s) {
                Ok(t) => Some(t),
                Err(e) => {
                    let help = if e.contains("longer than") {
                        "give at most 10 years, e.g. \"3650d\"; a longer study is better run as several windows or more replications"
                    } else {
                        "write a duration with units, e.g. \"20s\", \"3m\", \"1h30m\", \"2.5s\""
                    };
                    self.error_help(node.span, path, e, help);
                    None
                }
            },
            Value::Float(f) if !f.is_finite() => {
                self.error_help(
                    node.span,
                    path,
                    format!("{f} is not a duration"),
                    "write a duration as a string with a unit, e.g. \"20s\" or \"3m\"",
                );
                None
            }
            Value::Int(_) | Value::Float(_) => {
                let n = show(node);
                self.error_help(
                    node.span,
                    path,
                    format!("a bare number ({n}) is not a duration: the unit is missing"),
                    format!("write it as a string with a unit, e.g. \"{n}s\" for seconds or \"{n}m\" for minutes"),
                );
                None
            }
            _ => {
                self.error_help(
                    node.span,
                    path,
                    format!("expected a duration, found {}", node.value.kind()),
                    "write a duration with units, e.g. \"20s\"",
                );
                None
            }
        }
    }

    /// A duration that must be above zero.
    pub fn positive_duration(&mut self, node: &Node, path: &str) -> Option<Ticks> {
        let t = self.duration(node, path)?;
        if t <= 0 {
            self.error_help(
                node.span,
                path,
                format!("{} is not allowed: must be longer than 0", show(node)),
                hints::positive_duration_help(path),
            );
            return None;
        }
        Some(t)
    }

    /// A duration above zero, or the word "off" (`Some(None)`); every help names "off" too.
    pub fn positive_duration_or_off(&mut self, node: &Node, path: &str) -> Option<Option<Ticks>> {
        if matches!(&node.value, Value::Str(s) if s == "off") {
            return Some(None);
        }
        let before = self.diags.len();
        let t = self.positive_duration(node, path);
        for d in &mut self.diags[before..] {
            let help = d.help.take().unwrap_or_default();
            d.help = Some(format!("{help}; or \"off\" for none"));
        }
        t.map(Some)
    }

    /// A rate string; returns events per second.
    pub fn rate(&mut self, node: &Node, path: &str) -> Option<f64> {
        match &node.value {
            Value::Str(s) => match parse_rate(s) {
                Ok(r) if r > MAX_RATE_PER_SECOND => {
                    self.error_help(node.span, path, format!("\"{s}\" is more than ccsim accepts (at most 1000000/h)"),
                        "check the unit: \"1000/h\" is a thousand per hour, \"1000/s\" a thousand per second");
                    None
                }
                Ok(r) => Some(r),
                Err(e) => {
                    self.error_help(
                        node.span,
                        path,
                        e,
                        "write a rate as \"count/unit\", e.g. \"1000/h\"",
                    );
                    None
                }
            },
            _ => {
                let found = show(node);
                let n = match node.value {
                    Value::Float(f) if !f.is_finite() => "1000".to_string(),
                    _ => found.clone(),
                };
                self.error_help(
                    node.span,
                    path,
                    format!("expected a rate string, found {found}"),
                    format!("write it with a unit, e.g. \"{n}/h\" for per hour"),
                );
                None
            }
        }
    }

    /// An array.
    pub fn array<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Array(items) => Some(items),
            _ => {
                let found = scalar(node).then(|| show(node));
                self.error_help(
                    node.span,
                    path,
                    format!("expected an array, found {}", show(node)),
                    hints::array_help(path, found.as_deref()),
                );
                None
            }
        }
    }

    /// A distribution table (or, when `allow_infinite`, the string "infinite" → `Ok(None)`).
    pub fn dist(&mut self, node: &Node, path: &str, allow_infinite: bool) -> Option<Option<Dist>> {
        if let Value::Str(s) = &node.value {
            if allow_infinite && s == "infinite" {
                return Some(None);
            }
            if let Ok(t) = parse_duration(s) {
                self.error_help(
                    node.span,
                    path,
                    format!("expected a distribution table, found \"{s}\""),
                    format!(
                        "for a fixed time write {{ dist = \"constant\", value = \"{}\" }}",
                        crate::time::format_duration(t)
                    ),
                );
                return None;
            }
        }
        if let Value::Int(_) | Value::Float(_) = node.value {
            let n = show(node);
            self.error_help(
                node.span,
                path,
                format!("a bare number ({n}) is not a distribution of durations"),
                format!(
                    "write e.g. {{ dist = \"exponential\", mean = \"{n}s\" }}{}",
                    if allow_infinite {
                        " or \"infinite\""
                    } else {
                        ""
                    }
                ),
            );
            return None;
        }
        let Value::Table(_) = node.value else {
            let what = if allow_infinite {
                "a distribution table or \"infinite\""
            } else {
                "a distribution table"
            };
            self.error_help(
                node.span,
                path,
                format!("expected {what}, found {}", show(node)),
                "e.g. { dist = \"exponential\", mean = \"3m\" }",
            );
            return None;
        };
        super::dists::read_dist(self, node, path).map(Some)
    }
}
