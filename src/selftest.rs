//! Validation against queueing theory: every row of the reference tables (Erlang C, Erlang A,
//! Erlang B, Pollaczek-Khinchine, non-preemptive priorities) is run as a scenario and each
//! column compared with the simulation by a Student-t interval over replications.
//!
//! Criterion: a column passes when |mean − reference| ≤ t(0.9995, R−1)·s/√R + max(10⁻³·|ref|,
//! 10⁻⁹): the 99.9 % two-sided interval of the replication mean, plus a 0.1 % numerical slack for
//! the 1 ms clock and the 8 significant digits of the tables. With about 100 columns per table,
//! a table passes with at most one miss (the expected number of misses at 99.9 % is 0.1, so
//! two misses in one table have a chance under 0.5 % when the engine is right).

use std::path::Path;

use crate::error::{Error, Result};
use crate::runner;
use crate::scenario::load_str;
use crate::stats::summary::{summarize, t_quantile};

/// Confidence of the per-column interval.
pub const CONFIDENCE: f64 = 0.999;
/// Relative numerical slack added to the interval half-width.
pub const REL_SLACK: f64 = 1e-3;

/// The reference tables, bundled.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "erlang_c.csv",
        include_str!("../tests/validation/erlang_c.csv"),
    ),
    (
        "erlang_a.csv",
        include_str!("../tests/validation/erlang_a.csv"),
    ),
    (
        "erlang_b.csv",
        include_str!("../tests/validation/erlang_b.csv"),
    ),
    ("mg1_pk.csv", include_str!("../tests/validation/mg1_pk.csv")),
    (
        "priority_mmc.csv",
        include_str!("../tests/validation/priority_mmc.csv"),
    ),
];

/// Where a reference column is read from in the simulation's results.
#[derive(Debug, Clone)]
enum Source {
    /// A summary metric.
    Summary(&'static str),
    /// A breakdown metric for one reason.
    Reason(&'static str, &'static str),
}

/// One reference row turned into a scenario.
#[derive(Debug, Clone)]
pub struct Case {
    /// The table file name.
    pub table: String,
    /// The case name.
    pub name: String,
    /// Scenario text (TOML) of the case, without replications and horizon.
    scenario: String,
    /// Arrival rate [per second].
    lambda: f64,
    /// Rough relaxation time [s].
    relax: f64,
    /// Mean service [s].
    service: f64,
    refs: Vec<(String, Source, f64)>,
}

/// One compared column.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Table file name.
    pub table: String,
    /// Case name.
    pub case: String,
    /// Column name of the table.
    pub column: String,
    /// Reference value.
    pub reference: f64,
    /// Mean over replications.
    pub estimate: f64,
    /// Half-width of the 99.9 % interval.
    pub half_width: f64,
    /// Tolerance used (half-width plus slack).
    pub tolerance: f64,
    /// Whether the reference lies within the tolerance.
    pub pass: bool,
}

/// How much simulation each case gets.
#[derive(Debug, Clone, Copy)]
pub struct Effort {
    /// Independent replications per case.
    pub replications: u32,
    /// Expected arrivals per replication in the measured window (at least; slow-relaxing
    /// cases get more).
    pub arrivals: f64,
}

impl Default for Effort {
    fn default() -> Self {
        Effort {
            replications: 20,
            arrivals: 150_000.0,
        }
    }
}

fn columns(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines
        .next()
        .map(|h| h.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let rows = lines
        .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
        .collect();
    (header, rows)
}

/// Read the reference tables from a folder (or the bundled copies when `dir` is `None`).
pub fn load_cases(dir: Option<&Path>) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    for (file, bundled) in BUNDLED {
        let text = match dir {
            None => bundled.to_string(),
            Some(d) => {
                let p = d.join(file);
                if !p.exists() {
                    continue;
                }
                std::fs::read_to_string(&p).map_err(|e| Error::io("reading", &p, e))?
            }
        };
        let (header, rows) = columns(&text);
        for (i, row) in rows.iter().enumerate() {
            let get = |name: &str| -> Result<String> {
                header
                    .iter()
                    .position(|h| h == name)
                    .and_then(|j| row.get(j).cloned())
                    .ok_or_else(|| {
                        Error::Usage(format!("{file} row {}: no column `{name}`", i + 2))
                    })
            };
            cases.push(make_case(file, &get)?);
        }
    }
    Ok(cases)
}

fn number(file: &str, get: &dyn Fn(&str) -> Result<String>, name: &str) -> Result<f64> {
    let s = get(name)?;
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| Error::Usage(format!("{file}: `{name}` = `{s}` is not a number")))
}

fn service_dist(kind: &str, mean: f64, cv: f64) -> Result<String> {
    Ok(match kind {
        "exponential" => format!("{{ dist = \"exponential\", mean = \"{mean}s\" }}"),
        "constant" => format!("{{ dist = \"constant\", value = \"{mean}s\" }}"),
        "erlang" => format!(
            "{{ dist = \"erlang\", k = {}, mean = \"{mean}s\" }}",
            (1.0 / (cv * cv)).round().max(1.0)
        ),
        "gamma" | "lognormal" => format!("{{ dist = \"{kind}\", mean = \"{mean}s\", cv = {cv} }}"),
        other => return Err(Error::Usage(format!("unknown service_dist `{other}`"))),
    })
}

fn make_case(file: &str, get: &dyn Fn(&str) -> Result<String>) -> Result<Case> {
    let n = |name: &str| number(file, get, name);
    let name = get("case")?;
    // What a simulation can reproduce: something arrives, service takes time, whole agents.
    let positive = |col: &str| -> Result<f64> {
        let v = n(col)?;
        if v > 0.0 {
            Ok(v)
        } else {
            Err(Error::Usage(format!(
                "{file} case {name}: `{col}` = {v}: it must be above 0 (with nothing arriving, or no service time, there is nothing to simulate)"
            )))
        }
    };
    let whole_agents = || -> Result<f64> {
        let v = positive("agents")?;
        if v.fract() == 0.0 && v <= 100_000.0 {
            Ok(v)
        } else {
            Err(Error::Usage(format!(
                "{file} case {name}: `agents` = {v}: a whole number from 1 to 100000"
            )))
        }
    };
    let service = positive("mean_service_s")?;
    let (lambda_h, agents) = if file == "priority_mmc.csv" {
        (
            positive("lambda1_per_h")? + positive("lambda2_per_h")?,
            whole_agents()?,
        )
    } else if file == "mg1_pk.csv" {
        (positive("lambda_per_h")?, 1.0)
    } else {
        (positive("lambda_per_h")?, whole_agents()?)
    };
    let lambda = lambda_h / 3600.0;
    let rho = lambda * service / agents;
    let mut relax = if rho < 1.0 {
        service / (agents * (1.0 - rho.sqrt()).powi(2))
    } else {
        f64::INFINITY
    };
    let mut persona = String::new();
    let mut extra = String::new();
    let mut handle = service_dist("exponential", service, 1.0)?;
    let mut reasons = format!("[[reason]]\nname = \"r\"\nhandle = {handle}\n");
    let mut sl = 20.0;
    let s = Source::Summary;
    let refs: Vec<(&str, Source)> = match file {
        "erlang_c.csv" => {
            sl = n("sl_threshold_s")?;
            vec![
                ("p_wait", s("p_wait")),
                ("asa_s", s("asa_s")),
                ("service_level", s("service_level")),
                ("occupancy", s("occupancy")),
            ]
        }
        "erlang_a.csv" => {
            sl = n("sl_threshold_s")?;
            let patience = n("mean_patience_s")?;
            relax = relax.min(10.0 * (patience + service));
            persona = format!(
                "[[persona]]\nname = \"caller\"\npatience = {{ dist = \"exponential\", mean = \"{patience}s\" }}\n"
            );
            vec![
                ("p_wait", s("p_wait")),
                ("p_abandon", s("p_abandon")),
                ("asa_s", s("asa_s")),
                ("mean_wait_s", s("mean_wait_s")),
                ("service_level", s("service_level")),
                ("occupancy", s("occupancy")),
            ]
        }
        "erlang_b.csv" => {
            extra = format!("[channels.phone]\nlines = {agents}\n");
            relax = service;
            vec![
                ("p_block", s("p_blocked")),
                ("carried_erlangs", s("busy_agents")),
            ]
        }
        "mg1_pk.csv" => {
            let cv = n("service_cv")?;
            handle = service_dist(&get("service_dist")?, service, cv)?;
            reasons = format!("[[reason]]\nname = \"r\"\nhandle = {handle}\n");
            relax *= 1.0 + cv * cv;
            vec![
                ("mean_wait_s", s("mean_wait_s")),
                ("mean_queue_len", s("mean_queue_len")),
            ]
        }
        "priority_mmc.csv" => {
            let (l1, l2) = (n("lambda1_per_h")?, n("lambda2_per_h")?);
            reasons = format!(
                "[[reason]]\nname = \"class1\"\nshare = {l1}\nhandle = {handle}\n[[reason]]\nname = \"class2\"\nshare = {l2}\nhandle = {handle}\n"
            );
            extra = "[routing]\npriorities = { class1 = 1, class2 = 2 }\n".into();
            vec![
                ("wait1_s", Source::Reason("class1", "mean_wait_s")),
                ("wait2_s", Source::Reason("class2", "mean_wait_s")),
            ]
        }
        other => return Err(Error::Usage(format!("unknown reference table {other}"))),
    };
    let scenario = format!(
        "[scenario]\nname = \"{name}\"\nsl_threshold = \"{sl}s\"\ndrain = \"3650d\"\n\n[arrivals]\nrate = \"{lambda_h}/h\"\n\n{persona}\n{reasons}\n[[group]]\nname = \"agents\"\nagents = {agents}\n\n{extra}"
    );
    let refs = refs
        .into_iter()
        .map(|(col, src)| Ok((col.to_string(), src, n(col)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Case {
        table: file.to_string(),
        name,
        scenario,
        lambda,
        relax,
        service,
        refs,
    })
}

fn seed_of(name: &str) -> u64 {
    // FNV-1a: a stable seed per case, independent of the case's position in the table.
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

impl Case {
    /// The same case served on the chat channel, one session per agent and no stretch: the
    /// chat machinery must then reproduce the same queue (Erlang C, A).
    pub fn as_chat(&self) -> Case {
        let mut text = self.scenario.replacen(
            "[[group]]\nname = \"agents\"\n",
            "[[group]]\nname = \"agents\"\nchannels = [\"chat\"]\nchat_concurrency = 1\n",
            1,
        );
        text = if text.contains("[[persona]]\nname = \"caller\"\n") {
            text.replacen(
                "[[persona]]\nname = \"caller\"\n",
                "[[persona]]\nname = \"caller\"\nchannels = { chat = 1.0 }\n",
                1,
            )
        } else {
            text.replacen(
                "[[reason]]",
                "[[persona]]\nname = \"caller\"\nchannels = { chat = 1.0 }\n\n[[reason]]",
                1,
            )
        };
        Case {
            name: format!("{}-chat", self.name),
            scenario: text,
            ..self.clone()
        }
    }

    /// The full scenario text for a given effort.
    pub fn scenario_text(&self, effort: Effort) -> String {
        // Within the 10 years a scenario may last: a slow row (1.2 arrivals an hour, or one
        // agent at load 0.97) gets fewer arrivals per replication, and a wider interval.
        let longest = crate::time::ticks_to_secs(crate::time::MAX_DURATION);
        let horizon = (effort.arrivals / self.lambda)
            .max(50.0 * self.relax)
            .max(3600.0)
            .ceil()
            .min(longest);
        let warmup = (20.0 * self.relax)
            .max(20.0 * self.service)
            .ceil()
            .min(longest);
        self.scenario.replacen(
            "[scenario]\n",
            &format!(
                "[scenario]\nseed = {}\nreplications = {}\nhorizon = \"{horizon}s\"\nwarmup = \"{warmup}s\"\n",
                seed_of(&self.name) >> 1,
                effort.replications
            ),
            1,
        )
    }

    /// Simulate the case and compare every reference column.
    pub fn run(&self, effort: Effort, threads: usize) -> Result<Vec<Comparison>> {
        let path = Path::new(&self.table).with_extension("toml");
        let s = load_str(&path, self.scenario_text(effort), &self.name)?;
        let out = runner::run(&s, threads)?;
        let mut result = Vec::new();
        for (column, source, reference) in &self.refs {
            let values: Vec<Option<f64>> = out
                .outcomes
                .iter()
                .map(|o| match source {
                    Source::Summary(m) => crate::stats::SUMMARY_METRICS
                        .iter()
                        .position(|x| x == m)
                        .and_then(|i| o.summary[i]),
                    Source::Reason(key, m) => o
                        .breakdown
                        .iter()
                        .find(|(d, k, _)| *d == "reason" && k == key)
                        .and_then(|(_, _, v)| {
                            crate::stats::outcome::CONTACT_METRICS
                                .iter()
                                .position(|x| x == m)
                                .and_then(|i| v[i])
                        }),
                })
                .collect();
            let sm = summarize(&values, CONFIDENCE).ok_or_else(|| {
                Error::Usage(format!(
                    "{} case {}: no replication gives a value for `{column}` (nothing it averages over happened: no contact of that class answered, say); check the row",
                    self.table, self.name
                ))
            })?;
            let se = sm.std.unwrap_or(0.0) / (sm.n as f64).sqrt();
            let half_width = t_quantile(CONFIDENCE, sm.n.saturating_sub(1)) * se;
            let tolerance = half_width + (REL_SLACK * reference.abs()).max(1e-9);
            result.push(Comparison {
                table: self.table.clone(),
                case: self.name.clone(),
                column: column.clone(),
                reference: *reference,
                estimate: sm.mean,
                half_width,
                tolerance,
                pass: (sm.mean - reference).abs() <= tolerance,
            });
        }
        Ok(result)
    }
}

/// Tables with more than one miss (the criterion allows one per table).
pub fn failing_tables(results: &[Comparison]) -> Vec<(String, usize)> {
    let mut tables: Vec<(String, usize)> = Vec::new();
    for c in results {
        if !tables.iter().any(|(t, _)| *t == c.table) {
            tables.push((c.table.clone(), 0));
        }
        if !c.pass
            && let Some(t) = tables.iter_mut().find(|(t, _)| *t == c.table)
        {
            t.1 += 1;
        }
    }
    tables
        .into_iter()
        .filter(|(_, misses)| *misses > 1)
        .collect()
}
