//! Speed figures measured in one run: the full engine against the bare-loop yardstick.
//!
//! Two workloads share everything but patience: λ = 1000/h Poisson arrivals, exponential
//! service with mean 180 s, 53 agents, and exponential patience with mean 120 s
//! (`bench-mmcm`) or none (`bench-mmc`). The yardstick (`yardstick::bare_mmc`) simulates
//! exactly that queue and nothing else; the engine runs the same queue as a scenario and
//! measures everything a scenario measures (every metric, breakdown and interval), so the
//! ratio of their times is the price of the full model.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use crate::error::{Error, Result};
use crate::scenario::{self, Scenario};
use crate::stats::{Outcome, SUMMARY_METRICS};
use crate::{engine, yardstick};

/// Arrival rate of both workloads [1/h].
const ARRIVALS_PER_HOUR: u64 = 1000;
/// Mean service time [s].
const MEAN_SERVICE_S: f64 = 180.0;
/// Agents answering.
const AGENTS: u32 = 53;
/// Seed of the scenario and of the yardstick.
const SEED: u64 = 7;

/// A named workload: the queue both the yardstick and the engine simulate.
struct Workload {
    /// Scenario name, e.g. `bench-mmcm`.
    name: &'static str,
    /// Suffix of the table lines, e.g. `mmcm` in `ccsim-mmcm`.
    short: &'static str,
    /// Mean patience [s]; `None` = infinite.
    mean_patience_s: Option<f64>,
}

/// The workloads, in the order `run` reports them.
const WORKLOADS: [Workload; 2] = [
    Workload {
        name: "bench-mmcm",
        short: "mmcm",
        mean_patience_s: Some(120.0),
    },
    Workload {
        name: "bench-mmc",
        short: "mmc",
        mean_patience_s: None,
    },
];

/// One measured line.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchLine {
    /// What ran, e.g. `yardstick-mmcm` or `ccsim-mmcm`.
    pub name: String,
    /// Arrivals simulated (for the engine: contacts offered in the measured window).
    pub arrivals: u64,
    /// Median wall time of one run [s].
    pub seconds: f64,
    /// `arrivals / seconds` [1/s].
    pub arrivals_per_sec: f64,
    /// `seconds` over the yardstick's `seconds` of the same workload (1.0 for the yardstick).
    pub ratio_to_yardstick: f64,
}

/// The workload called `name`, or a usage error listing the known ones.
fn find(name: &str) -> Result<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name).ok_or_else(|| {
        let known: Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
        Error::Usage(format!(
            "unknown bench workload `{name}`; use one of {}",
            known.join(", ")
        ))
    })
}

/// Build the scenario of a named workload ("bench-mmcm" or "bench-mmc") with a horizon giving
/// about `arrivals` arrivals.
///
/// The measured window lasts `arrivals` mean inter-arrival times (3.6 s each), after a one-hour
/// warm-up; the scenario runs one replication with seed 7.
pub fn workload(name: &str, arrivals: u64) -> Result<Scenario> {
    let w = find(name)?;
    if arrivals == 0 {
        return Err(Error::Usage(
            "a bench needs at least 1 arrival; ask for more".into(),
        ));
    }
    // Milliseconds per arrival at 1000/h is 3600: the horizon is exact in whole ticks.
    let horizon_ms = arrivals.saturating_mul(3_600_000 / ARRIVALS_PER_HOUR);
    let persona = match w.mean_patience_s {
        Some(p) => format!(
            "[[persona]]\nname = \"caller\"\npatience = {{ dist = \"exponential\", mean = \"{p}s\" }}\n"
        ),
        None => String::new(),
    };
    let text = format!(
        "[scenario]\nname = \"{name}\"\nseed = {SEED}\nreplications = 1\n\
         horizon = \"{horizon_ms}ms\"\nwarmup = \"1h\"\n\
         [arrivals]\nrate = \"{ARRIVALS_PER_HOUR}/h\"\n\
         {persona}\
         [[reason]]\nname = \"any\"\n\
         handle = {{ dist = \"exponential\", mean = \"{MEAN_SERVICE_S}s\" }}\n\
         [[group]]\nname = \"agents\"\nagents = {AGENTS}\n",
        name = w.name,
    );
    scenario::load_str(Path::new(&format!("{}.toml", w.name)), text, w.name)
}

/// The bare loop on a workload's queue: the named workload's rates, agents and patience, with
/// exactly `arrivals` arrivals and seed 7.
fn bare(w: &Workload, arrivals: u64) -> yardstick::BareOutcome {
    yardstick::bare_mmc(
        black_box(ARRIVALS_PER_HOUR as f64 / 3600.0),
        MEAN_SERVICE_S,
        AGENTS,
        w.mean_patience_s,
        black_box(arrivals),
        SEED,
    )
}

/// Run the yardstick (`yardstick::bare_mmc`) on the queue of a named workload ("bench-mmcm" or
/// "bench-mmc") with exactly `arrivals` arrivals.
pub fn bare_loop(name: &str, arrivals: u64) -> Result<yardstick::BareOutcome> {
    Ok(bare(find(name)?, arrivals))
}

/// Contacts offered in the measured window of an outcome (summary metric `offered`).
fn offered(outcome: &Outcome) -> Result<u64> {
    SUMMARY_METRICS
        .iter()
        .position(|m| *m == "offered")
        .and_then(|i| outcome.summary.get(i).copied().flatten())
        .map(|v| v as u64)
        .ok_or_else(|| Error::Internal("the engine outcome has no `offered` metric".into()))
}

/// Median of some durations [s]; 0 when there are none.
fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    let n = seconds.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => seconds[n / 2],
        _ => (seconds[n / 2 - 1] + seconds[n / 2]) / 2.0,
    }
}

/// A line from a count and a median time.
fn line(name: String, arrivals: u64, seconds: f64, yardstick_seconds: f64) -> BenchLine {
    let per = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
    BenchLine {
        name,
        arrivals,
        seconds,
        arrivals_per_sec: per(arrivals as f64, seconds),
        ratio_to_yardstick: per(seconds, yardstick_seconds),
    }
}

/// Time the yardstick and the engine on one workload, `repeats` times each, interleaved.
///
/// Odd rounds run the engine first, so whatever favours the first (or second) run of a round
/// is shared by both.
fn measure(w: &Workload, arrivals: u64, repeats: usize) -> Result<[BenchLine; 2]> {
    let s = workload(w.name, arrivals)?;
    let (mut bare_s, mut engine_s) = (Vec::new(), Vec::new());
    let (mut bare_n, mut engine_n) = (0, 0);
    for round in 0..repeats {
        let mut time_bare = || {
            let start = Instant::now();
            let out = black_box(bare(w, arrivals));
            bare_s.push(start.elapsed().as_secs_f64());
            bare_n = out.arrivals;
        };
        let mut time_engine = || -> Result<()> {
            let start = Instant::now();
            let out = black_box(engine::run(black_box(&s), 0));
            engine_s.push(start.elapsed().as_secs_f64());
            engine_n = offered(&out)?;
            Ok(())
        };
        if round % 2 == 0 {
            time_bare();
            time_engine()?;
        } else {
            time_engine()?;
            time_bare();
        }
    }
    let bare = median(bare_s);
    Ok([
        line(format!("yardstick-{}", w.short), bare_n, bare, bare),
        line(
            format!("ccsim-{}", w.short),
            engine_n,
            median(engine_s),
            bare,
        ),
    ])
}

/// Run: for each workload, the yardstick (`yardstick::bare_mmc` with the same parameters and
/// arrival count) and the engine (one replication via `engine::run`), each `repeats` times,
/// taking the median wall time, interleaved so machine noise hits both alike.
///
/// Returns lines in order: yardstick-mmcm, ccsim-mmcm, yardstick-mmc, ccsim-mmc. The engine
/// line counts the contacts offered in the measured window (warm-up arrivals are not counted).
pub fn run(arrivals: u64, repeats: usize) -> Result<Vec<BenchLine>> {
    if repeats == 0 {
        return Err(Error::Usage(
            "a bench needs at least 1 repeat; ask for more".into(),
        ));
    }
    let mut lines = Vec::with_capacity(2 * WORKLOADS.len() + 1);
    for w in &WORKLOADS {
        lines.extend(measure(w, arrivals, repeats)?);
    }
    let per_arrival = lines[1].seconds / lines[1].arrivals.max(1) as f64;
    lines.push(journeys(repeats, per_arrival)?);
    Ok(lines)
}

/// The journey-rich scenario bundled in `scenarios/journey-rich.toml`.
pub const JOURNEY_RICH: &str = include_str!("../scenarios/journey-rich.toml");

/// One replication of the journey-rich scenario: contacts of all kinds simulated (warm-up and
/// drain included) per second, and the cost per contact relative to the engine's cost per
/// arrival on bench-mmcm (`per_arrival`).
fn journeys(repeats: usize, per_arrival: f64) -> Result<BenchLine> {
    let s = scenario::load_str(
        Path::new("journey-rich.toml"),
        JOURNEY_RICH.into(),
        "journey-rich",
    )?;
    let mut times = Vec::with_capacity(repeats);
    let mut contacts = 0;
    for _ in 0..repeats {
        let start = Instant::now();
        let out = black_box(engine::run(black_box(&s), 0));
        times.push(start.elapsed().as_secs_f64());
        contacts = out.raw.contacts_created;
    }
    let seconds = median(times);
    let per_contact = seconds / contacts.max(1) as f64;
    Ok(BenchLine {
        name: "ccsim-journeys (ratio: per contact vs ccsim-mmcm)".into(),
        arrivals: contacts,
        seconds,
        arrivals_per_sec: contacts as f64 / seconds.max(1e-12),
        ratio_to_yardstick: per_contact / per_arrival.max(1e-15),
    })
}

/// Render the lines as a plain-text table (name, arrivals, seconds, arrivals/s, ratio).
pub fn table(lines: &[BenchLine]) -> String {
    let width = lines
        .iter()
        .map(|l| l.name.len())
        .chain(["name".len()])
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{:<width$}  {:>10}  {:>9}  {:>12}  {:>6}\n",
        "name", "arrivals", "seconds", "arrivals/s", "ratio"
    );
    for l in lines {
        out.push_str(&format!(
            "{:<width$}  {:>10}  {:>9.3}  {:>12.0}  {:>6.2}\n",
            l.name, l.arrivals, l.seconds, l.arrivals_per_sec, l.ratio_to_yardstick
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_load_with_the_asked_horizon() {
        for name in ["bench-mmcm", "bench-mmc"] {
            let s = workload(name, 20_000).expect("bench workloads are valid");
            assert_eq!(s.name, name);
            assert_eq!(s.horizon, 20 * crate::time::HOUR);
            assert_eq!(s.replications, 1);
            assert_eq!(s.groups.len(), 1);
        }
    }

    #[test]
    fn bad_requests_are_usage_errors() {
        assert!(matches!(workload("bench-x", 10), Err(Error::Usage(_))));
        assert!(matches!(workload("bench-mmc", 0), Err(Error::Usage(_))));
        assert!(matches!(run(10, 0), Err(Error::Usage(_))));
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(Vec::new()), 0.0);
    }

    /// Shape only: timings are never asserted. `--nocapture` shows the table.
    #[test]
    fn lines_come_in_order_with_positive_figures() {
        let lines = run(20_000, 1).expect("bench runs");
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names[..4],
            ["yardstick-mmcm", "ccsim-mmcm", "yardstick-mmc", "ccsim-mmc"]
        );
        assert!(names[4].starts_with("ccsim-journeys"));
        for l in &lines {
            assert!(l.arrivals > 0, "{l:?}");
            assert!(l.seconds > 0.0 && l.arrivals_per_sec > 0.0, "{l:?}");
            assert!(l.ratio_to_yardstick > 0.0, "{l:?}");
        }
        for l in lines.iter().take(4).step_by(2) {
            assert_eq!(l.arrivals, 20_000);
            assert_eq!(l.ratio_to_yardstick, 1.0);
        }
        // Offered contacts in a 20 h window at 1000/h: Poisson, sd ≈ 141.
        for l in lines.iter().take(4).skip(1).step_by(2) {
            assert!(l.arrivals.abs_diff(20_000) < 1_000, "{l:?}");
        }
        let text = table(&lines);
        println!("{text}");
        assert_eq!(text.lines().count(), 6);
    }
}
