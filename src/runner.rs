//! Runs the replications of a scenario in parallel on rayon and collects them by index.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::engine;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::stats::Outcome;

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// One outcome per replication, in replication order.
    pub outcomes: Vec<Outcome>,
    /// Wall-clock time of the simulation.
    pub wall: Duration,
    /// Worker threads used.
    pub threads: usize,
}

impl RunOutput {
    /// Events processed over all replications.
    pub fn events(&self) -> u64 {
        self.outcomes.iter().map(|o| o.raw.events).sum()
    }
}

/// Threads to use: the number asked for, or every core.
pub fn thread_count(asked: Option<usize>) -> usize {
    asked
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Run every replication of `s` on `threads` threads. Replication r always uses the streams
/// of (seed, r, ·), so the outcomes do not depend on the thread count.
pub fn run(s: &Scenario, threads: usize) -> Result<RunOutput> {
    run_with(s, threads, false)
}

/// As `run`, recording every contact of measured journeys when `trace` is set.
pub fn run_with(s: &Scenario, threads: usize, trace: bool) -> Result<RunOutput> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start {threads} threads: {e}")))?;
    let start = Instant::now();
    let outcomes = pool.install(|| {
        (0..s.replications)
            .into_par_iter()
            .map(|r| engine::run_traced(s, u64::from(r), trace))
            .collect::<Vec<_>>()
    });
    crate::guard::check_outcomes(&format!("`{}`", s.name), &outcomes, s.max_in_flight)?;
    Ok(RunOutput {
        outcomes,
        wall: start.elapsed(),
        threads,
    })
}
