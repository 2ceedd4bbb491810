//! Erlang C, A and B calculators and staffing for `ccsim erlang` and `ccsim staff`: parse, compute, render.

use std::fmt::Write as _;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::theory;
use crate::time;

/// Most agents the calculators accept; the staffing search stays below it too.
pub const MAX_AGENTS: u32 = 100_000;

/// Largest mean number of waiting callers the exact Erlang A solution is asked to handle.
const MAX_QUEUE: f64 = 5_000_000.0;

/// Largest estimated work (waiting places × Poisson terms) of one Erlang A service level,
/// a few seconds.
const MAX_STEPS: f64 = 1e9;

/// Queueing model of a calculation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
pub enum Model {
    /// Erlang C (M/M/c): callers wait as long as it takes.
    #[serde(rename = "erlang_c")]
    C,
    /// Erlang A (M/M/c+M): callers abandon after an exponential patience (needs --patience).
    #[serde(rename = "erlang_a")]
    A,
    /// Erlang B (M/M/c/c): callers who find every agent busy are lost.
    #[serde(rename = "erlang_b")]
    B,
}

impl Model {
    /// Human-readable name, e.g. `Erlang C (M/M/c)`.
    pub fn describe(self) -> &'static str {
        match self {
            Model::C => "Erlang C (M/M/c, callers never abandon)",
            Model::A => "Erlang A (M/M/c+M, exponential patience)",
            Model::B => "Erlang B (M/M/c/c, no queue: busy means lost)",
        }
    }
}

/// Offered traffic of a calculation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traffic {
    /// Arrivals per second.
    pub rate_per_s: f64,
    /// Mean handle time in seconds.
    pub aht_s: f64,
    /// Mean patience in seconds; `None` when callers never abandon.
    pub patience_s: Option<f64>,
}

impl Traffic {
    /// Offered load in Erlangs (arrival rate × mean handle time).
    pub fn load(&self) -> f64 {
        self.rate_per_s * self.aht_s
    }
}

/// A service-level target: `share` of all arrivals answered within `threshold_s` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Share of arrivals to answer in time, strictly between 0 and 1.
    pub share: f64,
    /// Service-level threshold in seconds.
    pub threshold_s: f64,
}

/// Steady-state measures of one model at one staffing (`ccsim erlang`); times in seconds.
///
/// Shares are fractions of all arrivals. Erlang B has no queue: `p_wait`, `p_abandon`,
/// `asa_s` and `mean_wait_s` are 0, the service level is 1 − `p_block` and only Erlang B
/// fills `p_block` and `carried_erlangs` (absent from the JSON otherwise).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErlangResult {
    /// The model used.
    pub model: Model,
    /// Arrivals per hour.
    pub rate_per_h: f64,
    /// Mean handle time.
    pub aht_s: f64,
    /// Agents on duty.
    pub agents: u32,
    /// Mean patience (`null` for Erlang C and B).
    pub patience_s: Option<f64>,
    /// Service-level threshold.
    pub sl_threshold_s: f64,
    /// Share of arrivals that find every agent busy and wait.
    pub p_wait: f64,
    /// Share of arrivals that abandon (0 for Erlang C and B).
    pub p_abandon: f64,
    /// Mean wait of answered callers, zero waits included.
    pub asa_s: f64,
    /// Mean time in queue over all arrivals (abandoners count their patience).
    pub mean_wait_s: f64,
    /// (Answered within the threshold) / all arrivals.
    pub service_level: f64,
    /// Time-average share of agents busy.
    pub occupancy: f64,
    /// Erlang B only: share of arrivals lost because every agent is busy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_block: Option<f64>,
    /// Erlang B only: mean number of busy agents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried_erlangs: Option<f64>,
}

/// Fewest agents meeting a target (`ccsim staff`) and the measures at that staffing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffResult {
    /// The measures at the staffing found (`agents` is the answer).
    #[serde(flatten)]
    pub at: ErlangResult,
    /// Target share answered within `sl_threshold_s`.
    pub target_service_level: f64,
    /// Occupancy cap, if one was asked for.
    pub max_occupancy: Option<f64>,
}

fn usage(message: String) -> Error {
    Error::Usage(message)
}

/// `x` rounded to 13 significant digits, to hide the last-bit noise of unit conversions.
fn tidy(x: f64) -> f64 {
    format!("{x:.12e}").parse().unwrap_or(x)
}

/// `x` with at most 6 decimals and no trailing zeros (`7.5`, `180`, `0.0025`).
fn num(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" { "0".into() } else { s.into() }
}

/// Parse a rate flag such as `--rate 1000/h`; returns arrivals per second (> 0).
pub fn parse_rate_arg(flag: &str, text: &str) -> Result<f64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<f64>() {
        let n = if n.is_finite() && n > 0.0 {
            num(n)
        } else {
            "1000".into()
        };
        return Err(usage(format!(
            "{flag} {text}: a bare number is not a rate; write arrivals per unit of time, \
             e.g. \"{n}/h\" (per hour) or \"{n}/m\" (per minute)"
        )));
    }
    let rate = time::parse_rate(t).map_err(|e| usage(format!("{flag} {text}: {e}")))?;
    if rate > 0.0 && rate.is_finite() {
        Ok(rate)
    } else {
        Err(usage(format!(
            "{flag} {text}: the arrival rate must be above zero; e.g. {flag} 1000/h"
        )))
    }
}

/// How to write `n` seconds as a duration: `"180s" or "3m"`.
fn duration_fix(n: f64) -> String {
    let s = num(n);
    if n > 0.0 && n % 60.0 == 0.0 {
        format!("\"{s}s\" or \"{}m\"", num(n / 60.0))
    } else if n > 0.0 {
        format!("\"{s}s\" (seconds) or \"{s}m\" (minutes)")
    } else {
        format!("\"{s}s\"")
    }
}

/// Parse a duration flag such as `--aht 3m`; returns seconds. Zero is accepted only if
/// `zero_ok`; `example` is shown in the fix.
pub fn parse_duration_arg(flag: &str, text: &str, zero_ok: bool, example: &str) -> Result<f64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<f64>() {
        return Err(usage(if n.is_finite() && n >= 0.0 {
            format!(
                "{flag} {text}: a bare number is not a duration; write {}",
                duration_fix(n)
            )
        } else {
            format!(
                "{flag} {text}: a duration is a number of zero or more with a unit \
                 (ms, s, m, h or d); e.g. {flag} {example}"
            )
        }));
    }
    let ticks = time::parse_duration(t).map_err(|e| {
        usage(format!(
            "{flag} {text}: {e}; a duration is a number with a unit (ms, s, m, h or d), \
             e.g. {flag} {example}"
        ))
    })?;
    if ticks == 0 && !zero_ok {
        return Err(usage(format!(
            "{flag} {text}: must be longer than zero (at least 1ms); e.g. {flag} {example}"
        )));
    }
    Ok(time::ticks_to_secs(ticks))
}

/// Parse `--agents`: a whole number from 1 to [`MAX_AGENTS`].
pub fn parse_agents(flag: &str, text: &str) -> Result<u32> {
    match text.trim().parse::<u32>() {
        Ok(c) if (1..=MAX_AGENTS).contains(&c) => Ok(c),
        _ => Err(usage(format!(
            "{flag} {text}: the number of agents must be a whole number from 1 to {MAX_AGENTS}; \
             e.g. {flag} 53, or run `ccsim staff` to find how many are needed"
        ))),
    }
}

/// Parse a share such as `0.9` or `90%` (`--max-occupancy`): above 0, at most 1.
pub fn parse_share(flag: &str, text: &str) -> Result<f64> {
    let t = text.trim();
    let (n, scale) = match t.strip_suffix('%') {
        Some(p) => (p.trim(), 100.0),
        None => (t, 1.0),
    };
    match n.parse::<f64>() {
        Ok(x) if x > 0.0 && x / scale <= 1.0 => Ok(tidy(x / scale)),
        _ => Err(usage(format!(
            "{flag} {text}: expected a share above 0 and at most 1, as a fraction or a \
             percentage; e.g. {flag} 0.9 or {flag} 90%"
        ))),
    }
}

/// Parse a service-level target such as `"80% in 20s"`, `"0.8 in 20s"` or `"80 % in 20 s"`.
///
/// The share is a percentage (with `%`) or a fraction, strictly between 0 and 100 %: these
/// models never answer every caller in time, so 100 % cannot be met.
pub fn parse_target(flag: &str, text: &str) -> Result<Target> {
    let fix = "write a share and a time, e.g. \"80% in 20s\" or \"0.8 in 20s\"";
    let bad = |what: String| usage(format!("{flag} {text:?}: {what}; {fix}"));
    let lower = text.trim().to_ascii_lowercase();
    let Some((share_text, time_text)) = lower.split_once("in") else {
        return Err(bad("expected \"<share> in <time>\"".into()));
    };
    // "20 s" is as good as "20s" here.
    let time_text: String = time_text.split_whitespace().collect();
    let (share_text, time_text) = (share_text.trim(), time_text.as_str());
    if share_text.is_empty() {
        return Err(bad("the share before `in` is missing".into()));
    }
    if time_text.is_empty() {
        return Err(bad("the time after `in` is missing".into()));
    }
    let (n, percent) = match share_text.strip_suffix('%') {
        Some(p) => (p.trim(), true),
        None => (share_text, false),
    };
    let Ok(x) = n.parse::<f64>() else {
        return Err(bad(format!("`{share_text}` is not a share")));
    };
    let share = if percent { tidy(x / 100.0) } else { x };
    if !percent && x > 1.0 && x < 100.0 {
        return Err(bad(format!(
            "`{share_text}` without % is ambiguous: write \"{}%\" or \"{}\"",
            num(x),
            num(x / 100.0)
        )));
    }
    if share >= 1.0 && share.is_finite() {
        return Err(bad(format!(
            "`{share_text}` can never be met (some callers always wait): the share must be \
             below 100 %, e.g. 99%"
        )));
    }
    if !(share > 0.0 && share < 1.0) {
        return Err(bad(format!(
            "`{share_text}` is not a share above 0 % and below 100 %"
        )));
    }
    if let Ok(n) = time_text.parse::<f64>() {
        return Err(bad(format!(
            "`{time_text}` after `in` is a bare number, not a duration: write {}",
            duration_fix(n.max(0.0))
        )));
    }
    let ticks = time::parse_duration(time_text).map_err(bad)?;
    Ok(Target {
        share,
        threshold_s: time::ticks_to_secs(ticks),
    })
}

/// Fails if the exact Erlang A solution for `agents` agents would need more than
/// [`MAX_QUEUE`] waiting places or about [`MAX_STEPS`] steps for the service level.
///
/// The chain holds about c + (λ − cμ)⁺/θ + 20√a states, and the service level costs about
/// one step per waiting place and per Poisson term of the uniformization, (cμ + Jθ)·T.
fn check_erlang_a_size(
    traffic: &Traffic,
    patience_s: f64,
    agents: u32,
    sl_s: f64,
    staffing: bool,
) -> Result<()> {
    let c_mu = f64::from(agents) / traffic.aht_s;
    let queue = (traffic.rate_per_s - c_mu).max(0.0) * patience_s;
    let places = queue + 50.0 + 20.0 * traffic.load().sqrt();
    let steps = places * ((c_mu + places / patience_s) * sl_s).max(1.0);
    if queue <= MAX_QUEUE && steps <= MAX_STEPS {
        return Ok(());
    }
    let (on, sl_flag) = if staffing {
        (
            "on the fewest agents the staffing search may try".to_string(),
            "the --target time",
        )
    } else {
        (
            format!("on {agents} agent{}", if agents == 1 { "" } else { "s" }),
            "--sl",
        )
    };
    Err(usage(format!(
        "--patience {}: at {} arrivals per hour {on}, about {} callers wait on average; with \
         a {} s service-level threshold that is beyond the exact Erlang A solution (at most \
         {MAX_QUEUE} waiting and about {MAX_STEPS:.0e} steps; this needs {steps:.0e}). Use a \
         shorter --patience or {sl_flag}, or a lower --rate{}",
        time::format_duration(time::secs_to_ticks(patience_s)),
        num(traffic.rate_per_s * 3600.0),
        queue.round(),
        num(sl_s),
        if staffing { "" } else { ", or more --agents" },
    )))
}

fn theory_error(e: String) -> Error {
    usage(format!("cannot compute this case: {e}"))
}

/// Measures of `model` with `agents` agents for `traffic`, service level at `sl_threshold_s`.
///
/// Erlang C needs a load below `agents` (else the queue grows without bound) and takes no
/// patience; Erlang A needs a patience; Erlang B takes none.
pub fn erlang(
    model: Model,
    traffic: &Traffic,
    agents: u32,
    sl_threshold_s: f64,
) -> Result<ErlangResult> {
    let Traffic {
        rate_per_s: lambda,
        aht_s: aht,
        patience_s,
    } = *traffic;
    if !(1..=MAX_AGENTS).contains(&agents) {
        return Err(usage(format!(
            "--agents {agents}: the number of agents must be from 1 to {MAX_AGENTS}"
        )));
    }
    let mut out = ErlangResult {
        model,
        rate_per_h: tidy(lambda * 3600.0),
        aht_s: aht,
        agents,
        patience_s,
        sl_threshold_s,
        p_wait: 0.0,
        p_abandon: 0.0,
        asa_s: 0.0,
        mean_wait_s: 0.0,
        service_level: 0.0,
        occupancy: 0.0,
        p_block: None,
        carried_erlangs: None,
    };
    let patience_text = |p: f64| time::format_duration(time::secs_to_ticks(p));
    let measures = match (model, patience_s) {
        (Model::C, Some(p)) => {
            return Err(usage(format!(
                "--patience {}: Erlang C assumes callers never abandon, so it takes no \
                 patience; use `ccsim erlang a` to model abandonment, or drop --patience",
                patience_text(p)
            )));
        }
        (Model::B, Some(p)) => {
            return Err(usage(format!(
                "--patience {}: Erlang B has no queue, so callers never wait or abandon; \
                 use `ccsim erlang a` to model abandonment, or drop --patience",
                patience_text(p)
            )));
        }
        (Model::A, None) => {
            return Err(usage(
                "`ccsim erlang a` needs --patience, the callers' mean patience before they \
                 abandon (e.g. --patience 2m); without abandonment use `ccsim erlang c`"
                    .into(),
            ));
        }
        (Model::C, None) => {
            // The same test as `theory::mmc`, so the two never disagree at the boundary.
            if lambda >= f64::from(agents) / aht {
                return Err(usage(format!(
                    "--agents {agents}: {} arrivals per hour × {} s handle time is {} Erlangs \
                     of traffic, and with {agents} agents Erlang C is unstable: the queue \
                     grows without bound. Use more than {} agents (`ccsim staff` finds how \
                     many), or add --patience and use `ccsim erlang a` so callers abandon",
                    num(out.rate_per_h),
                    num(aht),
                    num(traffic.load()),
                    traffic.load().floor()
                )));
            }
            theory::mmc(lambda, aht, agents, sl_threshold_s).map_err(theory_error)?
        }
        (Model::A, Some(p)) => {
            check_erlang_a_size(traffic, p, agents, sl_threshold_s, false)?;
            theory::mmc_m(lambda, aht, p, agents, sl_threshold_s).map_err(theory_error)?
        }
        (Model::B, None) => {
            let (p_block, carried) = theory::mmcc(lambda, aht, agents);
            if !(p_block.is_finite() && carried.is_finite()) {
                return Err(theory_error(format!(
                    "Erlang B is undefined for rate {lambda}/s and handle time {aht} s"
                )));
            }
            out.p_block = Some(p_block);
            out.carried_erlangs = Some(carried);
            out.service_level = 1.0 - p_block;
            out.occupancy = carried / f64::from(agents);
            return Ok(out);
        }
    };
    out.p_wait = measures.p_wait;
    out.p_abandon = measures.p_abandon;
    out.asa_s = measures.asa_s;
    out.mean_wait_s = measures.mean_wait_s;
    out.service_level = measures.service_level;
    out.occupancy = measures.occupancy;
    Ok(out)
}

/// Fewest agents meeting `target` (and `max_occupancy`, if any) for `traffic`: Erlang C
/// without patience, Erlang A with it; with the measures at that staffing.
pub fn staff(traffic: &Traffic, target: Target, max_occupancy: Option<f64>) -> Result<StaffResult> {
    let goal = format!(
        "{} % answered within {} s{}",
        num(target.share * 100.0),
        num(target.threshold_s),
        max_occupancy.map_or(String::new(), |o| format!(
            " at an occupancy of at most {} %",
            num(o * 100.0)
        ))
    );
    let too_many = || {
        usage(format!(
            "no staffing below {MAX_AGENTS} agents gives {goal} for {} Erlangs of traffic; \
             lower --target{}",
            num(traffic.load()),
            if max_occupancy.is_some() {
                " or raise --max-occupancy"
            } else {
                ""
            }
        ))
    };
    if traffic.load() >= f64::from(MAX_AGENTS - 1) {
        return Err(too_many());
    }
    if let Some(p) = traffic.patience_s {
        // The staffing search may try as few as one agent.
        check_erlang_a_size(traffic, p, 1, target.threshold_s, true)?;
    }
    let agents = theory::agents_for_service_level(
        traffic.rate_per_s,
        traffic.aht_s,
        traffic.patience_s,
        target.threshold_s,
        target.share,
        max_occupancy,
    )
    .ok_or_else(too_many)?;
    let model = if traffic.patience_s.is_some() {
        Model::A
    } else {
        Model::C
    };
    Ok(StaffResult {
        at: erlang(model, traffic, agents, target.threshold_s)?,
        target_service_level: target.share,
        max_occupancy,
    })
}

/// Parse the traffic flags (`--rate`, `--aht`, optional `--patience`).
pub fn parse_traffic(rate: &str, aht: &str, patience: Option<&str>) -> Result<Traffic> {
    Ok(Traffic {
        rate_per_s: parse_rate_arg("--rate", rate)?,
        aht_s: parse_duration_arg("--aht", aht, false, "3m")?,
        patience_s: patience
            .map(|p| parse_duration_arg("--patience", p, false, "2m"))
            .transpose()?,
    })
}

/// `ccsim erlang MODEL --rate R --aht D --agents N [--patience D] --sl D`, from the flags' text.
pub fn erlang_from_args(
    model: Model,
    rate: &str,
    aht: &str,
    agents: &str,
    patience: Option<&str>,
    sl: &str,
) -> Result<ErlangResult> {
    let traffic = parse_traffic(rate, aht, patience)?;
    let agents = parse_agents("--agents", agents)?;
    let sl = parse_duration_arg("--sl", sl, true, "20s")?;
    erlang(model, &traffic, agents, sl)
}

/// `ccsim staff --rate R --aht D --target T [--patience D] [--max-occupancy X]`, from the
/// flags' text.
pub fn staff_from_args(
    rate: &str,
    aht: &str,
    target: &str,
    patience: Option<&str>,
    max_occupancy: Option<&str>,
) -> Result<StaffResult> {
    let traffic = parse_traffic(rate, aht, patience)?;
    let target = parse_target("--target", target)?;
    let max_occupancy = max_occupancy
        .map(|m| parse_share("--max-occupancy", m))
        .transpose()?;
    staff(&traffic, target, max_occupancy)
}

/// One JSON object on one line.
fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("JSON output: {e}")))
}

/// A share as `0.123456  (12.35 %)`.
fn share(x: f64) -> String {
    format!("{x:.6}  ({:.2} %)", x * 100.0)
}

impl ErlangResult {
    /// The result as one JSON object on one line (stable keys).
    pub fn to_json(&self) -> Result<String> {
        to_json(self)
    }

    /// The result as aligned `name  value` lines with units.
    pub fn render_text(&self) -> String {
        let mut lines: Vec<(&str, String)> = vec![
            ("model", self.model.describe().into()),
            ("rate", format!("{} /h", num(self.rate_per_h))),
            ("aht", format!("{} s", num(self.aht_s))),
            ("agents", self.agents.to_string()),
            (
                "patience",
                self.patience_s
                    .map_or("none".into(), |p| format!("{} s", num(p))),
            ),
            (
                "offered load",
                format!("{} Erlangs", num(self.rate_per_h / 3600.0 * self.aht_s)),
            ),
        ];
        if let (Some(b), Some(carried)) = (self.p_block, self.carried_erlangs) {
            lines.push(("p_block", share(b)));
            lines.push(("carried", format!("{carried:.6} Erlangs")));
        }
        lines.extend([
            ("p_wait", share(self.p_wait)),
            ("p_abandon", share(self.p_abandon)),
            ("asa", format!("{:.3} s", self.asa_s)),
            ("mean wait", format!("{:.3} s", self.mean_wait_s)),
            (
                "service level",
                format!(
                    "{}  answered within {} s",
                    share(self.service_level),
                    num(self.sl_threshold_s)
                ),
            ),
            ("occupancy", share(self.occupancy)),
        ]);
        render_lines(&lines)
    }
}

impl StaffResult {
    /// The result as one JSON object on one line (stable keys).
    pub fn to_json(&self) -> Result<String> {
        to_json(self)
    }

    /// The result as aligned `name  value` lines with units: the answer, then the measures.
    pub fn render_text(&self) -> String {
        let head: Vec<(&str, String)> = vec![
            ("agents needed", self.at.agents.to_string()),
            (
                "target",
                format!(
                    "{} % answered within {} s",
                    num(self.target_service_level * 100.0),
                    num(self.at.sl_threshold_s)
                ),
            ),
            (
                "max occupancy",
                self.max_occupancy
                    .map_or("none".into(), |o| format!("{} %", num(o * 100.0))),
            ),
        ];
        format!("{}\n{}", render_lines(&head), self.at.render_text())
    }
}

fn render_lines(lines: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, value) in lines {
        let _ = writeln!(out, "{name:<15} {value}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_in_every_spelling() {
        for text in [
            "80% in 20s",
            "0.8 in 20s",
            "80 % in 20 s",
            " 80%IN20S ",
            "80% in 0.33m",
        ] {
            let t = parse_target("--target", text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!((t.share - 0.8).abs() < 1e-15, "{text}");
            assert!((t.threshold_s - 20.0).abs() < 0.5, "{text}");
        }
        assert_eq!(
            parse_target("--target", "99.5% in 1m").unwrap(),
            Target {
                share: 0.995,
                threshold_s: 60.0
            }
        );
        assert_eq!(
            parse_target("--target", "90% in 0s").unwrap().threshold_s,
            0.0
        );
    }

    #[test]
    fn bad_targets_name_the_flag_and_the_fix() {
        for (text, needle) in [
            ("80% in", "missing"),
            ("80%", "<share> in <time>"),
            ("in 20s", "missing"),
            ("80% in 20", "bare number"),
            ("80 in 20s", "ambiguous"),
            ("0% in 20s", "above 0 %"),
            ("100% in 20s", "never be met"),
            ("1 in 20s", "never be met"),
            ("-5% in 20s", "above 0 %"),
            ("nan% in 20s", "above 0 %"),
            ("lots in 20s", "not a share"),
            ("80% in 20x", "not a time unit"),
        ] {
            let e = parse_target("--target", text).unwrap_err().to_string();
            assert!(e.starts_with("--target"), "{text}: {e}");
            assert!(e.contains(needle), "{text}: {e}");
            assert!(e.contains("80% in 20s"), "{text}: {e}");
        }
    }

    #[test]
    fn flags_reject_bare_numbers_with_a_fix() {
        let e = parse_duration_arg("--aht", "180", false, "3m").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--aht 180: a bare number is not a duration; write \"180s\" or \"3m\""
        );
        let e = parse_rate_arg("--rate", "1000").unwrap_err().to_string();
        assert!(e.contains("\"1000/h\""), "{e}");
        assert!(parse_duration_arg("--aht", "0s", false, "3m").is_err());
        assert_eq!(parse_duration_arg("--sl", "0s", true, "20s").unwrap(), 0.0);
        assert!(parse_rate_arg("--rate", "0/h").is_err());
        for bad in ["-3", "0", "2.5", "", "100001"] {
            assert!(parse_agents("--agents", bad).is_err(), "{bad}");
        }
        assert_eq!(parse_share("--max-occupancy", "90%").unwrap(), 0.9);
        assert_eq!(parse_share("--max-occupancy", "0.85").unwrap(), 0.85);
        assert!(parse_share("--max-occupancy", "90").is_err());
    }

    #[test]
    fn erlang_b_fills_its_own_measures() {
        let t = Traffic {
            rate_per_s: 75.0 / 3600.0,
            aht_s: 120.0,
            patience_s: None,
        };
        let r = erlang(Model::B, &t, 3, 20.0).unwrap();
        let b = r.p_block.unwrap();
        assert!((b - 0.28216704).abs() < 1e-8);
        assert_eq!(r.service_level, 1.0 - b);
        assert_eq!(r.p_wait, 0.0);
        let text = r.render_text();
        assert!(
            text.contains("p_block") && text.contains("carried"),
            "{text}"
        );
    }
}
