//! ccsim: a discrete-event simulator and benchmarking harness for contact centers.
//!
//! ```text
//!  scenario.toml / .json
//!        │  scenario::load_file     (spanned tree → typed, validated Scenario; all errors at once)
//!        ▼
//!    Scenario ──► runner::run       (replications on rayon, collected by index)
//!                     │
//!                     ▼  engine::run (one replication: event queue, integer ms clock,
//!                     │               one random stream per purpose)
//!                  Outcome          (stats: streaming tallies → metrics)
//!                     │
//!                     ▼  report::write_results
//!     summary.csv  breakdown.csv  replications.csv  intervals.csv  manifest.json
//! ```
//!
//! Simulation time is an integer count of milliseconds (`time::Ticks`). Every random stream is a
//! `Xoshiro256PlusPlus` seeded from (scenario seed, replication, purpose), so results are the
//! same bytes at any thread count, and scenarios of a sweep share common random numbers.
//! `theory` holds the exact queueing formulas (Erlang B/C/A, Pollaczek-Khinchine, priorities)
//! the engine is validated against (`selftest`); `yardstick` is a bare hand-written loop used
//! as a speed reference.

pub mod bench;
pub mod calc;
pub mod cli;
pub mod compare;
pub mod dist;
pub mod engine;
pub mod error;
pub mod guard;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod selftest;
pub mod stats;
pub mod sweep;
pub mod theory;
pub mod time;
pub mod verify;
pub mod yardstick;

pub use error::{Error, Result};
