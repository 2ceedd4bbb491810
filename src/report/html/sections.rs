//! The report's sections, each an HTML fragment; a section whose file is missing says so.

use std::collections::HashMap;
use std::fmt::Write as _;

use plotters::style::RGBColor;

use super::charts::{self, BarChart, Bars, Dot, Line, LineChart, Stacked};
use super::data::{BreakdownRow, Est, Folder, IntervalRow};
use super::{ReportOptions, esc};
use crate::error::Result;

/// Scenarios listed one by one in a sweep's tables at most.
const MAX_ROWS: usize = 200;
/// Lines on one chart at most.
const MAX_LINES: usize = 8;

/// A number for a table: about four significant digits.
pub fn fmt(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 10.0 {
        format!("{v:.2}")
    } else if a >= 1.0 {
        format!("{v:.3}")
    } else if a >= 0.001 {
        format!("{v:.4}")
    } else {
        format!("{v:.2e}")
    }
}

fn interval_text(e: &Est) -> String {
    match e.interval() {
        Some((lo, hi)) => format!("[{}, {}]", fmt(lo), fmt(hi)),
        None => "—".into(),
    }
}

fn note(text: &str) -> String {
    format!("<p class=\"note\">{}</p>", esc(text))
}

fn figure(svg: String, caption: &str) -> String {
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(caption)
    )
}

/// Which way a metric is better, for colouring differences: +1 higher, −1 lower, 0 neither.
fn direction(metric: &str) -> i8 {
    const HIGHER: &[&str] = &[
        "answered",
        "service_level",
        "fcr",
        "resolved_share",
        "satisfaction_mean",
        "satisfied_share",
        "csat_surveyed",
        "satisfaction_share_4",
        "satisfaction_share_5",
    ];
    const NEITHER: &[&str] = &[
        "offered",
        "occupancy",
        "aht_s",
        "busy_agents",
        "agents_staffed",
        "issues",
        "survey_responses",
        "fcr_coded",
        "satisfaction_share_3",
        "partner_handoffs_per_issue",
        "proactive_share",
    ];
    if HIGHER.contains(&metric) {
        1
    } else if NEITHER.contains(&metric) {
        0
    } else {
        -1
    }
}

/// CSS class of a paired difference: better, worse, differs (no preferred direction) or same
/// (its interval holds zero).
fn diff_class(metric: &str, d: &Est) -> &'static str {
    if !d.excludes_zero() {
        return "same";
    }
    match direction(metric) * if d.mean > 0.0 { 1 } else { -1 } {
        1 => "better",
        -1 => "worse",
        _ => "differs",
    }
}

/// The headline groups of summary.csv's metrics.
fn group_of(metric: &str) -> usize {
    // The queue metrics open SUMMARY_METRICS, up to `agents_staffed`.
    let all = crate::stats::SUMMARY_METRICS;
    let service_end = all.iter().position(|m| *m == "agents_staffed").unwrap_or(0);
    if all[..=service_end].contains(&metric) {
        0
    } else if metric.starts_with("cost_") {
        3
    } else if metric.starts_with("satisf")
        || metric.starts_with("csat")
        || metric.starts_with("survey")
        || metric == "value_at_risk"
    {
        2
    } else {
        1
    }
}

const GROUPS: [&str; 4] = [
    "Service (inbound calls)",
    "Journeys",
    "Satisfaction",
    "Cost (per measured window)",
];

/// The manifest's facts.
pub fn facts(f: &Folder) -> String {
    let mut out = String::from("<table class=\"facts\">");
    let _ = write!(
        out,
        "<tr><th class=\"name\">results folder</th><td>{}</td></tr>",
        esc(&f.dir.display().to_string())
    );
    if let Some(m) = f.manifest.as_object() {
        for (k, v) in m {
            if k == "files" {
                continue;
            }
            let _ = write!(
                out,
                "<tr><th class=\"name\">{}</th><td>{}</td></tr>",
                esc(k),
                fact(v)
            );
        }
    }
    out.push_str("</table>");
    out
}

/// One manifest value as HTML: text as is, a list one item per line, a file record
/// (`{ file, sha256 }`) as its path and the start of its hash.
fn fact(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => esc(s),
        Value::Null => "—".into(),
        Value::Array(items) => items.iter().map(fact).collect::<Vec<_>>().join("<br>"),
        Value::Object(o) => match (
            o.get("file").and_then(Value::as_str),
            o.get("sha256").and_then(Value::as_str),
        ) {
            (Some(file), Some(hash)) => format!(
                "{} <span class=\"dim\">sha256 {}…</span>",
                esc(file),
                esc(hash.get(..12).unwrap_or(hash))
            ),
            _ => esc(&v.to_string()),
        },
        v => esc(&v.to_string()),
    }
}

/// Scenario names break after their commas.
fn name_cell(name: &str) -> String {
    esc(name).replace(',', ",<wbr>")
}

fn metric_table(f: &Folder, scenario: &str, group: Option<usize>, diffs: bool) -> String {
    let Some(m) = f.summary.by.get(scenario) else {
        return String::new();
    };
    let d = f
        .differences
        .as_ref()
        .filter(|_| diffs)
        .and_then(|d| d.by.get(scenario));
    let mut out = String::from(
        "<table><tr><th class=\"name\">metric</th><th>mean</th><th>95 % interval</th><th>n</th>",
    );
    if d.is_some() {
        out.push_str("<th>difference</th><th>its 95 % interval</th>");
    }
    out.push_str("</tr>");
    for metric in &m.order {
        if group.is_some_and(|g| g != group_of(metric)) {
            continue;
        }
        let Some(e) = m.get(metric) else {
            // Its row has empty cells: no replication defines it.
            let _ = write!(
                out,
                "<tr><td class=\"name\" title=\"undefined in every replication\">{}</td><td>—</td><td>—</td><td>0</td>",
                esc(metric)
            );
            if d.is_some() {
                out.push_str("<td>—</td><td>—</td>");
            }
            out.push_str("</tr>");
            continue;
        };
        let _ = write!(
            out,
            "<tr><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(metric),
            fmt(e.mean),
            interval_text(&e),
            e.n
        );
        if let Some(d) = d {
            match d.get(metric) {
                Some(x) => {
                    let _ = write!(
                        out,
                        "<td class=\"{c}\">{}</td><td class=\"{c}\">{}</td>",
                        fmt(x.mean),
                        interval_text(&x),
                        c = diff_class(metric, &x)
                    );
                }
                None => out.push_str("<td>—</td><td>—</td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

const DIFF_LEGEND: &str = "Paired differences (scenario − comparison, same seeds) are coloured by whether their 95 % interval excludes zero: green better, red worse, blue different where neither direction is better; grey text: the interval holds zero.";

/// Metrics shown for every scenario of a sweep.
const KEY_METRICS: &[&str] = &[
    "service_level",
    "asa_s",
    "p_abandon",
    "contacts_per_issue",
    "fcr",
    "resolved_share",
    "satisfaction_mean",
    "csat_surveyed",
    "cost_total",
    "cost_per_resolved",
];

/// The headline table: every metric with its interval; for a sweep the key metrics of every
/// scenario with the paired difference, and every metric of each scenario folded away.
pub fn headline(f: &Folder) -> String {
    let mut out = String::from("<h2>Headline</h2>");
    if !f.is_sweep() {
        let Some(s) = f.reference() else {
            return out + &note("summary.csv holds no rows.");
        };
        out.push_str(&note(
            "Each metric over the replications: mean and 95 % interval; n counts the replications where it is defined (see the README's results-folder section for definitions).",
        ));
        out.push_str("<div class=\"tables\">");
        for (g, name) in GROUPS.iter().enumerate() {
            let _ = write!(
                out,
                "<div><h3>{}</h3>{}</div>",
                esc(name),
                metric_table(f, &s, Some(g), false)
            );
        }
        out.push_str("</div>");
        return out;
    }
    let compare = f.manifest_str("compare_to");
    match (&compare, &f.differences) {
        (Some(c), Some(_)) => out.push_str(&note(&format!(
            "Key metrics of every scenario: mean (95 % interval in the tooltip) and, below it, the paired difference against \u{201c}{c}\u{201d} ± the half-width of its 95 % interval. {DIFF_LEGEND}"
        ))),
        _ => out.push_str(&note(
            "Key metrics of every scenario (95 % interval in the tooltip). This sweep compares with no scenario (no compare_to, or no differences.csv), so no paired differences are shown.",
        )),
    }
    out.push_str("<div class=\"scroll\"><table class=\"key\"><tr><th class=\"name\">scenario</th>");
    for m in KEY_METRICS {
        let _ = write!(out, "<th>{}</th>", esc(m).replace('_', "_<wbr>"));
    }
    out.push_str("</tr>");
    for s in f.summary.scenarios.iter().take(MAX_ROWS) {
        let _ = write!(out, "<tr><td class=\"name scen\">{}</td>", name_cell(s));
        for m in KEY_METRICS {
            let Some(e) = f.summary.get(s, m) else {
                out.push_str("<td>—</td>");
                continue;
            };
            let _ = write!(
                out,
                "<td title=\"95 % interval {}\">{}",
                interval_text(&e),
                fmt(e.mean)
            );
            if let Some(d) = f.differences.as_ref().and_then(|d| d.get(s, m))
                && compare.as_deref() != Some(s.as_str())
            {
                let half = d
                    .interval()
                    .map(|(lo, hi)| format!(" ± {}", fmt((hi - lo) / 2.0)))
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "<span class=\"d {}\" title=\"difference, 95 % interval {}\">Δ {}{half}</span>",
                    diff_class(m, &d),
                    interval_text(&d),
                    fmt(d.mean)
                );
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></div>");
    let n = f.summary.scenarios.len();
    if n > MAX_ROWS {
        out.push_str(&note(&format!(
            "The first {MAX_ROWS} of {n} scenarios are listed; summary.csv and differences.csv hold them all."
        )));
    }
    out.push_str("<h3>Every metric, scenario by scenario</h3>");
    for s in f.summary.scenarios.iter().take(MAX_ROWS) {
        let _ = write!(
            out,
            "<details><summary>{}</summary>{}</details>",
            esc(s),
            metric_table(f, s, None, compare.as_deref() != Some(s.as_str()))
        );
    }
    out
}

/// A swept parameter's value as a number (numbers, or durations in seconds).
fn numeric(text: &str) -> Option<f64> {
    if let Ok(v) = text.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    crate::time::parse_duration(text)
        .ok()
        .map(crate::time::ticks_to_secs)
}

/// The last segment of a dotted path.
fn label(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Sweep charts: cost against satisfaction with the Pareto front, and metrics against each
/// numeric swept parameter with interval bands.
pub fn sweep(f: &Folder) -> Result<String> {
    let mut out = String::from("<h2>Cost and satisfaction</h2>");
    let compare = f.manifest_str("compare_to");
    let mut dots = Vec::new();
    let mut names = Vec::new();
    for s in &f.summary.scenarios {
        if let (Some(x), Some(y)) = (
            f.summary.get(s, "cost_total"),
            f.summary.get(s, "satisfaction_mean"),
        ) {
            dots.push(Dot {
                x,
                y,
                front: None,
                base: compare.as_deref() == Some(s.as_str()),
            });
            names.push(s.clone());
        }
    }
    if dots.is_empty() {
        out.push_str(&note(
            "summary.csv has no scenario with both cost_total and satisfaction_mean.",
        ));
    } else {
        // The Pareto front: no other scenario is at most as costly and at least as satisfying,
        // and strictly better in one. Numbered from the cheapest.
        let mut order: Vec<usize> = (0..dots.len()).collect();
        order.sort_by(|&a, &b| {
            dots[a]
                .x
                .mean
                .total_cmp(&dots[b].x.mean)
                .then(dots[b].y.mean.total_cmp(&dots[a].y.mean))
        });
        let mut best = f64::NEG_INFINITY;
        let mut front = Vec::new();
        for i in order {
            if dots[i].y.mean > best {
                best = dots[i].y.mean;
                front.push(i);
            }
        }
        for (k, &i) in front.iter().enumerate() {
            dots[i].front = Some(k + 1);
        }
        let svg = charts::scatter(
            "Cost against satisfaction",
            "total cost per measured window (money)",
            "mean satisfaction (score 1–5)",
            &dots,
        )?;
        let mut caption = format!(
            "Each dot is a scenario (means, with 95 % intervals both ways); the numbered ones are the Pareto front: no other scenario is cheaper and at least as satisfying. {} of {} scenarios are on it.",
            front.len(),
            dots.len()
        );
        if dots.iter().all(|d| d.x.mean == 0.0) {
            caption.push_str(" Every scenario costs 0: give the groups a cost_per_hour.");
        }
        let mut table = String::from(
            "<table><tr><th>#</th><th class=\"name\">scenario on the Pareto front</th><th>cost_total</th><th>satisfaction_mean</th></tr>",
        );
        for (k, &i) in front.iter().enumerate() {
            let _ = write!(
                table,
                "<tr><td>{}</td><td class=\"name\">{}</td><td>{} {}</td><td>{} {}</td></tr>",
                k + 1,
                name_cell(&names[i]),
                fmt(dots[i].x.mean),
                interval_text(&dots[i].x),
                fmt(dots[i].y.mean),
                interval_text(&dots[i].y)
            );
        }
        table.push_str("</table>");
        let _ = write!(
            out,
            "<div class=\"tables\"><div class=\"charts\">{}</div><div>{table}</div></div>",
            figure(svg, &caption)
        );
    }
    out.push_str("<h2>Metrics against the swept parameters</h2>");
    out.push_str(&parameter_charts(f, compare.as_deref())?);
    Ok(out)
}

/// The base scenario's row of scenarios.csv: its values are the base's own, not a point of the
/// design (design points are named `label=value,…`, so only the base is named `base`).
fn is_base(row: &[String]) -> bool {
    row.first().is_some_and(|n| n == "base")
}

fn parameter_charts(f: &Folder, compare: Option<&str>) -> Result<String> {
    let Some((header, rows)) = &f.scenarios else {
        return Ok(note(
            "No scenarios.csv in this folder, so the swept values are unknown: no parameter charts.",
        ));
    };
    let params: Vec<(usize, &String)> = header.iter().enumerate().skip(1).collect();
    let numeric_params: Vec<(usize, &String)> = params
        .iter()
        .copied()
        .filter(|(j, _)| {
            let vals: Vec<Option<f64>> = rows
                .iter()
                .filter(|r| !is_base(r) && r.get(*j).is_some())
                .map(|r| r.get(*j).and_then(|v| numeric(v)))
                .collect();
            let mut distinct: Vec<f64> = vals.iter().flatten().copied().collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            !vals.is_empty() && vals.iter().all(Option::is_some) && distinct.len() > 1
        })
        .take(3)
        .collect();
    if numeric_params.is_empty() {
        return Ok(note(
            "No swept parameter takes two or more numeric values, so there is no parameter to draw the metrics against.",
        ));
    }
    let metrics = [
        ("satisfaction_mean", "mean satisfaction (score 1–5)", 1.0),
        ("cost_total", "total cost per window (money)", 1.0),
        ("service_level", "service level (%)", 100.0),
    ];
    let mut figures = String::new();
    let mut notes = Vec::new();
    for &(j, path) in &numeric_params {
        // Series: the values of the other parameters.
        let mut series: Vec<(String, Vec<(f64, String)>)> = Vec::new();
        for r in rows {
            let (Some(name), Some(v)) = (r.first(), r.get(j)) else {
                continue;
            };
            if is_base(r) {
                continue;
            }
            let Some(x) = numeric(v) else { continue };
            let key: Vec<String> = params
                .iter()
                .filter(|(k, _)| *k != j)
                .map(|(k, p)| format!("{}={}", label(p), r.get(*k).map_or("", |s| s.as_str())))
                .collect();
            let key = if key.is_empty() {
                "scenarios".to_string()
            } else {
                key.join(", ")
            };
            match series.iter_mut().find(|s| s.0 == key) {
                Some(s) => s.1.push((x, name.clone())),
                None => series.push((key, vec![(x, name.clone())])),
            }
        }
        let connect = series.iter().all(|s| s.1.len() > 1);
        if !connect {
            // A random design: every scenario its own point; one series of dots.
            let all: Vec<(f64, String)> = series.drain(..).flat_map(|s| s.1).collect();
            series.push(("scenarios".into(), all));
        }
        if series.len() > MAX_LINES {
            notes.push(format!(
                "{path}: {} combinations of the other parameters; the first {MAX_LINES} are drawn.",
                series.len()
            ));
            series.truncate(MAX_LINES);
        }
        for (metric, y_desc, scale) in metrics {
            let mut lines = Vec::new();
            let mut xs = Vec::new();
            for (i, (key, pts)) in series.iter().enumerate() {
                let mut pts: Vec<(f64, Est)> = pts
                    .iter()
                    .filter_map(|(x, name)| Some((*x, f.summary.get(name, metric)?)))
                    .collect();
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                xs.extend(pts.iter().map(|p| p.0));
                lines.push(Line {
                    name: key.clone(),
                    color: charts::color(i),
                    points: pts.iter().map(|(x, e)| (*x, e.mean * scale)).collect(),
                    interval: pts
                        .iter()
                        .filter_map(|(x, e)| {
                            // A share's interval is drawn within [0, 100] %.
                            let clamp = |v: f64| {
                                if scale == 100.0 {
                                    v.clamp(0.0, 100.0)
                                } else {
                                    v
                                }
                            };
                            e.interval()
                                .map(|(lo, hi)| (*x, clamp(lo * scale), clamp(hi * scale)))
                        })
                        .collect(),
                    bars: !connect,
                    width: if connect { 2 } else { 0 },
                    dots: true,
                });
            }
            if xs.is_empty() {
                continue;
            }
            let (lo, hi) = xs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                    (a.min(*x), b.max(*x))
                });
            let pad = ((hi - lo) * 0.06).max(1e-9);
            let target = compare.and_then(|c| f.summary.get(c, metric)).map(|e| {
                (
                    e.mean * scale,
                    format!("{} (the comparison)", compare.unwrap_or("")),
                )
            });
            let title = format!("{metric} against {}", label(path));
            let x_desc = format!("{path} (value in the sweep file)");
            let svg = charts::line_chart(&LineChart {
                title: &title,
                x_desc: &x_desc,
                y_desc,
                x: (lo - pad, hi + pad),
                x_labels: 8,
                x_fmt: &|v| charts::tick(*v),
                lines,
                target,
                from_zero: false,
            })?;
            let how = if connect {
                "lines join the scenarios that share the other parameters' values; bands are 95 % intervals"
            } else {
                "each dot a scenario with its 95 % interval (the other parameters vary too)"
            };
            figures.push_str(&figure(
                svg,
                &format!(
                    "{metric} as {path} varies: {how}; the dashed line is the comparison scenario."
                ),
            ));
        }
    }
    let mut out = String::new();
    if numeric_params.len() < params.len() {
        let others: Vec<&str> = params
            .iter()
            .filter(|p| !numeric_params.contains(p))
            .map(|p| p.1.as_str())
            .collect();
        out.push_str(&note(&format!(
            "Drawn against the numeric parameters; {} {} not drawn on an axis (they tell the lines apart).",
            others.join(", "),
            if others.len() > 1 { "are" } else { "is" }
        )));
    }
    for n in notes {
        out.push_str(&note(&n));
    }
    let _ = write!(out, "<div class=\"charts\">{figures}</div>");
    Ok(out)
}

fn clock(h: f64) -> String {
    let minutes = (h * 60.0).round() as i64;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The day, interval by interval: offered, staffed agents, service level, ASA, abandonment,
/// occupancy, per group and for all groups.
pub fn day(f: &Folder, opts: &ReportOptions) -> Result<String> {
    let mut out = String::from("<h2>The day, interval by interval</h2>");
    let Some(rows) = &f.intervals else {
        return Ok(
            out + &note("This folder has no intervals.csv, so there are no charts of the day.")
        );
    };
    let Some(scenario) = f.reference() else {
        return Ok(out + &note("summary.csv holds no scenario."));
    };
    let rows: Vec<&IntervalRow> = rows.iter().filter(|r| r.scenario == scenario).collect();
    if rows.is_empty() {
        return Ok(out + &note(&format!("intervals.csv has no rows for {scenario}.")));
    }
    if f.is_sweep() {
        out.push_str(&note(&format!(
            "Scenario \u{201c}{scenario}\u{201d} (the comparison, or the first of this folder); intervals.csv holds every scenario's day."
        )));
    }
    let mut weekdays: Vec<&str> = Vec::new();
    let mut groups: Vec<&str> = Vec::new();
    for r in &rows {
        if !weekdays.contains(&r.weekday.as_str()) {
            weekdays.push(&r.weekday);
        }
        if r.group != "all" && !groups.contains(&r.group.as_str()) {
            groups.push(&r.group);
        }
    }
    let mut hours: Vec<f64> = rows.iter().map(|r| r.hour).collect();
    hours.sort_by(f64::total_cmp);
    hours.dedup();
    let step = hours
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    let step = if step.is_finite() && step > 0.0 {
        step
    } else {
        0.5
    };
    let week = weekdays.len() > 1;
    let x_of = |r: &IntervalRow| {
        let day = weekdays.iter().position(|w| *w == r.weekday).unwrap_or(0) as f64;
        day * 24.0 + r.hour + step / 2.0
    };
    let span = 24.0 * weekdays.len() as f64;
    let names: Vec<&str> = weekdays.clone();
    let x_fmt = move |x: &f64| {
        if week {
            let d = (*x / 24.0).floor() as usize;
            format!(
                "{} {}",
                names.get(d).copied().unwrap_or(""),
                clock(*x - d as f64 * 24.0)
            )
        } else {
            clock(*x)
        }
    };
    // Single-group centres: the group and "all" are the same line; draw "all" only.
    let shown: Vec<&str> = if groups.len() > 1 {
        groups.iter().copied().take(MAX_LINES).collect()
    } else {
        Vec::new()
    };
    let series = |get: &dyn Fn(&IntervalRow) -> Option<f64>, scale: f64| -> Vec<Line> {
        let mut lines = Vec::new();
        for (i, g) in shown.iter().chain(std::iter::once(&"all")).enumerate() {
            let pts: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.group == *g)
                .filter_map(|r| Some((x_of(r), get(r)? * scale)))
                .filter(|p| p.1.is_finite())
                .collect();
            let all = *g == "all";
            lines.push(Line {
                name: if all {
                    "all groups".into()
                } else {
                    g.to_string()
                },
                color: if all { charts::ALL } else { charts::color(i) },
                points: pts,
                interval: Vec::new(),
                bars: false,
                width: if all { 3 } else { 2 },
                dots: false,
            });
        }
        lines
    };
    let threshold = f
        .manifest
        .get("sl_threshold_s")
        .and_then(serde_json::Value::as_f64);
    let sl_desc = match threshold {
        Some(t) => format!("% answered within {} s", charts::tick(t)),
        None => "service level (%)".to_string(),
    };
    let target = opts
        .sl_target
        .map(|t| (t * 100.0, format!("target {} %", charts::tick(t * 100.0))));
    let x_desc = if week {
        "weekday and time of day"
    } else {
        "time of day (interval midpoints)"
    };
    let per = format!("contacts per {}-minute interval", charts::tick(step * 60.0));
    /// A chart of the day: title, y axis, value of a row, scale, target line.
    type Spec<'a> = (&'a str, &'a str, Get, f64, Option<(f64, String)>);
    type Get = fn(&IntervalRow) -> Option<f64>;
    let specs: [Spec; 6] = [
        ("Offered contacts", &per, |r| r.offered, 1.0, None),
        (
            "Staffed agents",
            "paid agents (time average)",
            |r| r.agents_staffed,
            1.0,
            None,
        ),
        (
            "Service level",
            &sl_desc,
            |r| r.service_level,
            100.0,
            target,
        ),
        (
            "Average speed of answer",
            "mean wait of answered contacts (s)",
            |r| r.asa_s,
            1.0,
            None,
        ),
        (
            "Abandonment",
            "% of offered contacts abandoned",
            |r| match (r.abandoned, r.offered) {
                (Some(a), Some(o)) if o > 0.0 => Some(a / o),
                _ => None,
            },
            100.0,
            None,
        ),
        (
            "Occupancy",
            "% of available agent time busy",
            |r| r.occupancy,
            100.0,
            None,
        ),
    ];
    let mut figs = String::new();
    for (title, y_desc, get, scale, target) in specs {
        let svg = charts::line_chart(&LineChart {
            title,
            x_desc,
            y_desc,
            x: (0.0, span),
            x_labels: if week { 8 } else { 13 },
            x_fmt: &x_fmt,
            lines: series(&get, scale),
            target,
            from_zero: true,
        })?;
        let mut caption = format!(
            "{title} per interval of the day by home group, averaged over the days of the window and the replications (intervals.csv holds means only, so no intervals are drawn)."
        );
        if title == "Service level" {
            caption.push_str(match (&opts.sl_target, threshold) {
                (Some(_), _) => " The dashed line is the target given with --sl-target.",
                (None, Some(_)) => " No target line: none was given (ccsim report DIR --sl-target 80% draws one).",
                (None, None) => " No target line: none was given, and the manifest does not record the threshold.",
            });
        }
        if groups.len() > MAX_LINES {
            caption.push_str(&format!(" The first {MAX_LINES} groups are drawn."));
        }
        figs.push_str(&figure(svg, &caption));
    }
    let _ = write!(out, "<div class=\"charts\">{figs}</div>");
    Ok(out)
}

/// Rows of breakdown.csv of one scenario and dimension, by key in file order, for a metric.
fn by_key(rows: &[&BreakdownRow], dimension: &str, metric: &str) -> Vec<(String, Est)> {
    rows.iter()
        .filter(|r| r.dimension == dimension && r.metric == metric)
        .map(|r| (r.key.clone(), r.est))
        .collect()
}

/// Journey charts: contacts per issue by persona and reason, repeat contacts by cause,
/// satisfaction distribution and true against surveyed satisfaction per persona.
pub fn journeys(f: &Folder) -> Result<String> {
    let mut out = String::from("<h2>Journeys</h2>");
    let Some(scenario) = f.reference() else {
        return Ok(out + &note("summary.csv holds no scenario."));
    };
    if f.is_sweep() {
        out.push_str(&note(&format!(
            "Scenario \u{201c}{scenario}\u{201d}; breakdown.csv holds every scenario's."
        )));
    }
    let summary = f.summary.by.get(&scenario).cloned().unwrap_or_default();
    let rows: Vec<&BreakdownRow> = f
        .breakdown
        .iter()
        .flatten()
        .filter(|r| r.scenario == scenario)
        .collect();
    if f.breakdown.is_none() {
        out.push_str(&note(
            "This folder has no breakdown.csv: the charts per persona and reason are left out.",
        ));
    }
    let mut figs = String::new();
    let blue = charts::color(0);
    // Contacts per issue, all and by persona, and by reason.
    for (dimension, title) in [
        ("persona", "Contacts per issue by persona"),
        ("reason", "Contacts per issue by reason"),
    ] {
        let mut cats = vec![("all".to_string(), summary.get("contacts_per_issue"))];
        cats.extend(
            by_key(&rows, dimension, "contacts_per_issue")
                .into_iter()
                .map(|(k, e)| (k, Some(e))),
        );
        if cats.len() < 2 && dimension == "reason" {
            continue;
        }
        let svg = charts::bar_chart(&BarChart {
            title,
            x_desc: "contacts per issue (mean, with 95 % interval)",
            categories: cats.iter().map(|c| c.0.clone()).collect(),
            series: vec![Bars {
                name: "contacts per issue".into(),
                color: blue,
                values: cats.iter().map(|c| c.1).collect(),
            }],
            scale: 1.0,
            reference: Some((1.0, "one contact".into())),
        })?;
        figs.push_str(&figure(
            svg,
            &format!("Contacts an issue took (first contact and repeats, with the company and partners), {dimension} by {dimension}. The results folder keeps the mean per {dimension}, not each issue's count, so the spread shown is across {dimension}s."),
        ));
    }
    // Repeat contacts by cause.
    let causes: Vec<(String, Est)> = summary
        .order
        .iter()
        .filter_map(|m| {
            let cause = m.strip_prefix("repeat_contacts_per_issue_")?;
            Some((cause.to_string(), summary.get(m)?))
        })
        .collect();
    if causes.is_empty() {
        figs.push_str(&note(
            "summary.csv has no repeat_contacts_per_issue_<cause> rows.",
        ));
    } else {
        let svg = charts::bar_chart(&BarChart {
            title: "Repeat contacts by cause",
            x_desc: "repeat contacts per issue (mean, with 95 % interval)",
            categories: causes.iter().map(|c| c.0.clone()).collect(),
            series: vec![Bars {
                name: "repeats".into(),
                color: charts::color(5),
                values: causes.iter().map(|c| Some(c.1)).collect(),
            }],
            scale: 1.0,
            reference: None,
        })?;
        figs.push_str(&figure(
            svg,
            "Repeat contacts per issue by the failure before them; they add up to repeat_contacts_per_issue.",
        ));
    }
    // Satisfaction distribution, all and per persona.
    let personas: Vec<String> = by_key(&rows, "persona", "issues")
        .into_iter()
        .map(|p| p.0)
        .collect();
    let share = |get: &dyn Fn(&str) -> Option<Est>| -> Option<Vec<f64>> {
        (1..=5)
            .map(|k| get(&format!("satisfaction_share_{k}")).map(|e| e.mean.max(0.0)))
            .collect()
    };
    let mut cats = Vec::new();
    let mut values = Vec::new();
    if let Some(v) = share(&|m| summary.get(m)) {
        cats.push("all".to_string());
        values.push(v);
    }
    let lookup: HashMap<(&str, &str), Est> = rows
        .iter()
        .filter(|r| r.dimension == "persona")
        .map(|r| ((r.key.as_str(), r.metric.as_str()), r.est))
        .collect();
    for p in &personas {
        if let Some(v) = share(&|m| lookup.get(&(p.as_str(), m)).copied()) {
            cats.push(p.clone());
            values.push(v);
        }
    }
    let scores: [RGBColor; 5] = [
        RGBColor(178, 24, 43),
        RGBColor(239, 138, 98),
        RGBColor(200, 200, 200),
        RGBColor(103, 169, 207),
        RGBColor(33, 102, 172),
    ];
    if values.is_empty() {
        figs.push_str(&note(
            "summary.csv has no satisfaction_share_1..5 rows: no satisfaction distribution.",
        ));
    } else {
        let svg = charts::stacked(&Stacked {
            title: "Satisfaction distribution (true scores)",
            x_desc: "share of issues (%)",
            categories: cats,
            segments: (1..=5)
                .map(|k| (format!("score {k}"), scores[k - 1]))
                .collect(),
            values,
        })?;
        figs.push_str(&figure(
            svg,
            "Every journey's satisfaction score (1–5, rounded) when it ends: all issues and persona by persona. A survey sees only the mean of those who answer (next chart).",
        ));
    }
    // True against surveyed, all and per persona.
    let mut cats = vec!["all".to_string()];
    let mut truth = vec![summary.get("satisfaction_mean")];
    let mut surveyed = vec![summary.get("csat_surveyed")];
    for p in &personas {
        cats.push(p.clone());
        truth.push(lookup.get(&(p.as_str(), "satisfaction_mean")).copied());
        surveyed.push(lookup.get(&(p.as_str(), "csat_surveyed")).copied());
    }
    if truth.iter().any(Option::is_some) {
        // A category with a true bar but no surveyed one: nobody answered a survey there.
        let unsurveyed: Vec<String> = cats
            .iter()
            .zip(truth.iter().zip(&surveyed))
            .filter(|(_, (t, s))| t.is_some() && s.is_none())
            .map(|(c, _)| c.clone())
            .collect();
        let svg = charts::bar_chart(&BarChart {
            title: "Satisfaction: true against surveyed",
            x_desc: "mean score (1–5), with 95 % interval",
            categories: cats,
            series: vec![
                Bars {
                    name: "true (all issues)".into(),
                    color: charts::color(0),
                    values: truth,
                },
                Bars {
                    name: "surveyed".into(),
                    color: charts::color(1),
                    values: surveyed,
                },
            ],
            scale: 1.0,
            reference: None,
        })?;
        let mut caption = "Mean satisfaction of every issue (satisfaction_mean) against what a survey reports (csat_surveyed: only those who answer, by default only answered contacts). A gap is survey bias.".to_string();
        if !unsurveyed.is_empty() {
            let _ = write!(
                caption,
                " No surveyed bar for {}: csat_surveyed is undefined there (no survey answered in any replication).",
                unsurveyed.join(", ")
            );
        }
        figs.push_str(&figure(svg, &caption));
    }
    let _ = write!(out, "<div class=\"charts\">{figs}</div>");
    Ok(out)
}
