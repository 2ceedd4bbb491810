//! `ccsim report DIR`: DIR/report.html, one self-contained page (inline SVG charts drawn with
//! plotters, inline CSS, no script, no address) built from the results folder's files alone,
//! so it works on any finished folder: a run, a sweep, a shard or a merged sweep.

mod charts;
mod data;
mod sections;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use data::Est;

/// Name of the report file in the results folder.
pub const REPORT_FILE: &str = "report.html";

/// What the report is told beyond the folder.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Service-level target as a share (0.8 = 80 %), drawn on the service-level chart.
    pub sl_target: Option<f64>,
}

/// Parse a service-level target: `80%`, `80 %` or `0.8`.
pub fn parse_share(text: &str) -> Result<f64> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    };
    match value {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(Error::Usage(format!(
            "--sl-target `{text}` is not a share: write a percentage or a fraction, e.g. 80% or 0.8"
        ))),
    }
}

/// Build the report of a results folder and write it there (atomically). Returns its path.
pub fn write_report(dir: &Path, opts: &ReportOptions) -> Result<PathBuf> {
    let html = render(dir, opts)?;
    super::write_atomic(dir, REPORT_FILE, html.as_bytes())
}

/// The report of a results folder, as HTML text.
pub fn render(dir: &Path, opts: &ReportOptions) -> Result<String> {
    let folder = data::read(dir)?;
    let mut body = String::new();
    let title = if folder.is_sweep() {
        format!(
            "Sweep {}",
            folder
                .manifest_str("sweep_file")
                .unwrap_or_else(|| dir.display().to_string())
        )
    } else {
        format!(
            "Scenario {}",
            folder
                .manifest_str("scenario")
                .or_else(|| folder.reference())
                .unwrap_or_default()
        )
    };
    let _ = write!(body, "<h1>ccsim report: {}</h1>", esc(&title));
    body.push_str(&sections::facts(&folder));
    body.push_str(&sections::headline(&folder));
    if folder.is_sweep() {
        body.push_str(&sections::sweep(&folder)?);
    }
    body.push_str(&sections::day(&folder, opts)?);
    body.push_str(&sections::journeys(&folder)?);
    Ok(page(&title, &body))
}

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body { font-family: sans-serif; color: #1a1a1a; margin: 0 auto; padding: 12px 16px 40px; max-width: 1240px; line-height: 1.4; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin: 30px 0 8px; border-bottom: 2px solid #ddd; padding-bottom: 3px; }
h3 { font-size: 16px; margin: 16px 0 6px; }
p.note { color: #444; max-width: 1000px; margin: 6px 0; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 12px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; vertical-align: top; }
th { background: #f2f2f2; }
td.name, th.name { text-align: left; }
td.name { font-family: monospace; }
td.scen { min-width: 170px; }
table.key { font-size: 12px; }
table.key td, table.key th { padding: 3px 5px; }
table.facts td { text-align: left; }
.dim { color: #777; font-size: 12px; }
.tables { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; }
figure { margin: 0; border: 1px solid #e2e2e2; padding: 4px; background: #fff; }
figcaption { font-size: 12.5px; color: #444; max-width: 582px; padding: 2px 4px 4px; }
.better { background: #d8f0d8; }
.worse { background: #f6d5d2; }
.differs { background: #d9e6f5; }
.same { color: #777; }
.d { font-size: 11px; display: block; white-space: nowrap; }
details { margin: 2px 0; }
summary { cursor: pointer; font-family: monospace; }
.scroll { overflow-x: auto; max-width: 100%; }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ccsim report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n<p class=\"note\">Written by ccsim {} from the files of this folder; all intervals are 95 % Student-t intervals over replications.</p>\n</body>\n</html>\n",
        esc(title),
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn shares_parse() {
        assert_eq!(parse_share("80%").ok(), Some(0.8));
        assert_eq!(parse_share(" 0.9 ").ok(), Some(0.9));
        assert!(parse_share("120%").is_err());
        assert!(parse_share("abc").is_err());
    }
}
