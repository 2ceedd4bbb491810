//! Statistics: streaming tallies inside a replication, summaries and intervals across them.

pub mod outcome;
pub mod summary;
pub mod tally;

pub use outcome::{Outcome, Raw, SUMMARY_METRICS};
pub use summary::{Summary, summarize};
