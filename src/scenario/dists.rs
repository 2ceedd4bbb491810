//! Reading distribution tables (`{ dist = "lognormal", mean = "4m", cv = 0.8 }`), incl. empirical CSVs.

use super::data::csv_line;
use super::read::{Reader, suggest};
use super::tree::{Node, Value};
use crate::dist::Dist;
use crate::time::{parse_duration, ticks_to_secs};

/// The distributions `dist` may name.
pub const DIST_KINDS: &[&str] = &[
    "exponential",
    "lognormal",
    "gamma",
    "erlang",
    "weibull",
    "uniform",
    "constant",
    "empirical",
];

/// The keys of a distribution table of `kind` (`dist` included).
pub fn dist_params(kind: &str) -> &'static [&'static str] {
    match kind {
        "exponential" => &["dist", "mean"],
        "lognormal" | "gamma" => &["dist", "mean", "cv"],
        "erlang" => &["dist", "k", "mean"],
        "weibull" => &["dist", "shape", "mean"],
        "uniform" => &["dist", "min", "max"],
        "constant" => &["dist", "value"],
        "empirical" => &["dist", "file", "column"],
        _ => &["dist"],
    }
}

/// Read a distribution table at `path`.
pub fn read_dist(r: &mut Reader, node: &Node, path: &str) -> Option<Dist> {
    let Value::Table(entries) = &node.value else {
        return None;
    };
    let kind_node = entries
        .iter()
        .find(|(k, _)| k.name == "dist")
        .map(|(_, v)| v);
    let Some(kind_node) = kind_node else {
        r.error_help(
            node.span,
            &format!("{path}.dist"),
            "missing key `dist` (which distribution)",
            format!("add dist = one of {}", DIST_KINDS.join(", ")),
        );
        return None;
    };
    let kind = r.string(kind_node, &format!("{path}.dist"))?;
    if !DIST_KINDS.contains(&kind.as_str()) {
        let help = match suggest(&kind, DIST_KINDS.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"? allowed: {}", DIST_KINDS.join(", ")),
            None => format!("allowed: {}", DIST_KINDS.join(", ")),
        };
        r.error_help(
            kind_node.span,
            &format!("{path}.dist"),
            format!("unknown distribution \"{kind}\""),
            help,
        );
        return None;
    }
    let f = r.table(node, path, dist_params(&kind), &[])?;
    let secs = |r: &mut Reader, key: &str| -> Option<f64> {
        let n = r.require(&f, key, "\"3m\"")?;
        let t = r.duration(n, &f.child(key))?;
        if t == 0 && key != "min" && key != "value" {
            r.error_help(
                n.span,
                &f.child(key),
                "is shorter than the 1 ms clock",
                "use 1ms or more",
            );
            return None;
        }
        Some(ticks_to_secs(t))
    };
    let num = |r: &mut Reader, key: &str, example: &str| -> Option<f64> {
        let n = r.require(&f, key, example)?;
        match key {
            "cv" => r.number_for(n, &f.child(key), 0.0, crate::dist::MAX_CV),
            _ => r.number(n, &f.child(key)),
        }
    };
    let built = match kind.as_str() {
        "exponential" => Dist::exponential(secs(r, "mean")?),
        "lognormal" => {
            let (m, cv) = (secs(r, "mean"), num(r, "cv", "0.8"));
            Dist::lognormal(m?, cv?)
        }
        "gamma" => {
            let (m, cv) = (secs(r, "mean"), num(r, "cv", "0.5"));
            Dist::gamma(m?, cv?)
        }
        "erlang" => {
            let m = secs(r, "mean");
            let k = r
                .require(&f, "k", "3")
                .and_then(|n| r.integer(n, &f.child("k"), 1, 1000));
            Dist::erlang(k? as u32, m?)
        }
        "weibull" => {
            let (m, s) = (secs(r, "mean"), num(r, "shape", "0.8"));
            Dist::weibull(s?, m?)
        }
        "uniform" => {
            let (lo, hi) = (secs(r, "min"), secs(r, "max"));
            Dist::uniform(lo?, hi?)
        }
        "constant" => Dist::constant(secs(r, "value")?),
        _ => return read_empirical(r, &f),
    };
    match built {
        Ok(d) => Some(d),
        Err(e) => {
            let help = dist_help(&kind, &e, &f);
            r.error_help(node.span, path, e, help);
            None
        }
    }
}

/// The help for a distribution its parameters do not make (`problem` from `Dist`).
fn dist_help(kind: &str, problem: &str, f: &super::read::Fields) -> String {
    let text = |key: &str| match f.get(key).map(|n| &n.value) {
        Some(Value::Str(s)) => s.clone(),
        _ => "?".to_string(),
    };
    match kind {
        "uniform" => format!(
            "give min at most max, e.g. {{ dist = \"uniform\", min = \"{}\", max = \"{}\" }}",
            text("max"),
            text("min")
        ),
        "weibull" => format!(
            "use a shape from 0.1 up (1 is exponential), e.g. {{ dist = \"weibull\", shape = 1.5, mean = \"{}\" }}",
            text("mean")
        ),
        "lognormal" | "gamma" if problem.starts_with("cv") => format!(
            "use a cv (spread relative to the mean) from 0 to {}, e.g. {{ dist = \"{kind}\", mean = \"{}\", cv = 0.8 }}",
            crate::dist::MAX_CV,
            text("mean")
        ),
        "constant" => {
            "use a value of 0 or more, e.g. { dist = \"constant\", value = \"3m\" }".into()
        }
        _ => "use a mean above 0, e.g. mean = \"3m\"".into(),
    }
}

fn read_empirical(r: &mut Reader, f: &super::read::Fields) -> Option<Dist> {
    let file_node = r.require(f, "file", "\"data/handle_times.csv\"")?;
    let column_node = r.require(f, "column", "\"seconds\"")?;
    let file = r.string(file_node, &f.child("file"))?;
    let column = r.string(column_node, &f.child("column"))?;
    let full = r.base_dir(file_node.span).join(&file);
    let read = r
        .read_data(&full)
        .map_err(|e| format!("cannot read the file: {e}"));
    match read.and_then(|bytes| parse_column(&bytes, &column)) {
        Ok(values) => match Dist::empirical(values) {
            Ok(d) => Some(d),
            Err(e) => {
                r.error_help(
                    file_node.span,
                    &f.child("file"),
                    format!("{}: column `{column}`: {e}", full.display()),
                    format!("fill column `{column}` with durations of 0 or more: seconds (128) or with units (\"2m8s\")"),
                );
                None
            }
        },
        Err(e) => {
            r.error_help(
                file_node.span,
                &f.child("file"),
                format!("{}: {e}", full.display()),
                "the path is relative to the scenario file; the column holds seconds (numbers) or durations (\"2m8s\")",
            );
            None
        }
    }
}

/// One column of a CSV file's bytes as seconds (numbers, or duration strings with units).
pub fn parse_column(bytes: &[u8], column: &str) -> Result<Vec<f64>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| format!("cannot read the header line: {e}"))?
        .clone();
    if headers.is_empty() {
        return Err("the file is empty".into());
    }
    let Some(idx) = headers.iter().position(|h| h == column) else {
        let names: Vec<&str> = headers.iter().collect();
        let hint = suggest(column, names.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Err(format!(
            "no column `{column}`{hint}; the columns are: {}",
            names.join(", ")
        ));
    };
    let mut values = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| {
            let line = csv_line(bytes, e.position(), i as u64 + 2);
            format!("line {line}: {e}")
        })?;
        let line = csv_line(bytes, rec.position(), i as u64 + 2);
        let cell = rec.get(idx).unwrap_or("");
        if cell.is_empty() {
            continue;
        }
        let v = match cell.parse::<f64>() {
            Ok(v) => v,
            Err(_) => match parse_duration(cell) {
                Ok(t) => ticks_to_secs(t),
                Err(_) => {
                    return Err(format!(
                        "line {line}: `{cell}` is neither a number of seconds nor a duration"
                    ));
                }
            },
        };
        if !v.is_finite() || v < 0.0 {
            return Err(format!(
                "line {line}: `{cell}` is not a duration of 0 s or more"
            ));
        }
        values.push(v);
    }
    if values.is_empty() {
        return Err(format!("column `{column}` has no values"));
    }
    Ok(values)
}
