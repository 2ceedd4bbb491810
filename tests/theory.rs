//! The simulator against queueing theory: every row of the reference tables in
//! tests/validation/ (Erlang C, Erlang A, Erlang B, Pollaczek-Khinchine, priorities) is run as a
//! scenario and each column compared by a 99.9 % Student-t interval over 20 replications (+0.1 %
//! slack); a table passes with at most one miss. See src/selftest.rs for why.
//!
//! Set CCSIM_VALIDATION_DIR to a folder of tables with the same columns to test other rows.

use std::path::PathBuf;

use ccsim::selftest::{self, Comparison, Effort};

fn check_table(file: &str) {
    check_cases(file, false, Effort::default());
}

/// Run every row of `file` (as chat sessions when `chat`) and allow at most one miss.
fn check_cases(file: &str, chat: bool, effort: Effort) {
    let dir = std::env::var_os("CCSIM_VALIDATION_DIR").map(PathBuf::from);
    let cases = selftest::load_cases(dir.as_deref()).expect("reference tables load");
    let mut cases: Vec<_> = cases.into_iter().filter(|c| c.table == file).collect();
    if chat {
        cases = cases.iter().map(|c| c.as_chat()).collect();
    }
    assert!(!cases.is_empty(), "no rows in {file}");
    let mut results: Vec<Comparison> = Vec::new();
    for case in &cases {
        results.extend(case.run(effort, 1).expect("case runs"));
    }
    let misses: Vec<String> = results
        .iter()
        .filter(|c| !c.pass)
        .map(|c| {
            format!(
                "{} {}: reference {} estimate {} (tolerance {})",
                c.case, c.column, c.reference, c.estimate, c.tolerance
            )
        })
        .collect();
    eprintln!(
        "{file}: {} rows, {} comparisons, {} misses {misses:?}",
        cases.len(),
        results.len(),
        misses.len()
    );
    assert!(
        misses.len() <= 1,
        "{file}: more than one column outside its interval: {misses:#?}"
    );
}

#[test]
fn erlang_c_mmc() {
    check_table("erlang_c.csv");
}

#[test]
fn erlang_a_mmc_with_abandonment() {
    check_table("erlang_a.csv");
}

#[test]
fn erlang_b_loss_system() {
    check_table("erlang_b.csv");
}

#[test]
fn pollaczek_khinchine_mg1() {
    check_table("mg1_pk.csv");
}

#[test]
fn non_preemptive_priorities() {
    check_table("priority_mmc.csv");
}

#[test]
fn the_criterion_can_fail() {
    // A deliberately wrong reference must be caught: the test is not one that cannot fail.
    let cases = selftest::load_cases(None).expect("bundled tables load");
    let case = cases
        .iter()
        .find(|c| c.name == "ec_p05")
        .expect("ec_p05 is bundled");
    let mut results = case
        .run(
            Effort {
                replications: 10,
                arrivals: 50_000.0,
            },
            1,
        )
        .expect("case runs");
    for r in &mut results {
        r.reference *= 1.05;
        r.pass = (r.estimate - r.reference).abs() <= r.tolerance;
    }
    assert!(
        results.iter().any(|r| !r.pass),
        "a 5 % error went unnoticed"
    );
}

/// Chat with one session per agent and no stretch is the same queue as the phone: the chat
/// sessions (agent records, completion timers rescheduled on every change) must reproduce
/// Erlang C and Erlang A. Fewer arrivals than the phone suite; the intervals widen to match.
#[test]
fn chat_with_one_session_is_erlang_c() {
    check_cases(
        "erlang_c.csv",
        true,
        Effort {
            replications: 20,
            arrivals: 40_000.0,
        },
    );
}

#[test]
fn chat_with_one_session_is_erlang_a() {
    check_cases(
        "erlang_a.csv",
        true,
        Effort {
            replications: 20,
            arrivals: 40_000.0,
        },
    );
}

/// A table of `rows` (header first) written to a fresh folder as `file`, read back as cases.
fn cases_of(file: &str, rows: &str) -> ccsim::Result<Vec<selftest::Case>> {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(file), rows).expect("write");
    selftest::load_cases(Some(dir.path()))
}

/// A row too slow for the usual 150,000 arrivals within the 10 years a scenario may last
/// (1.2 arrivals an hour) still runs — fewer arrivals, a wider interval — and agrees.
#[test]
fn a_slow_row_runs_within_the_longest_horizon() {
    let cases = cases_of(
        "erlang_b.csv",
        "case,lambda_per_h,mean_service_s,agents,p_block,carried_erlangs\nslow,1.2,600,2,0.016393443,0.19672131\n",
    )
    .expect("loads");
    let text = cases[0].scenario_text(Effort::default());
    assert!(text.contains("horizon = \"315360000s\""), "{text}");
    let results = cases[0].run(Effort::default(), 2).expect("runs");
    assert_eq!(results.len(), 2);
    for r in &results {
        assert!(r.pass, "{r:?}");
    }
}

/// A row the simulator cannot reproduce is refused with a message naming the table, the
/// case and the column, not run into an internal error.
#[test]
fn a_row_with_nothing_arriving_is_refused_clearly() {
    let err = cases_of(
        "priority_mmc.csv",
        "case,lambda1_per_h,lambda2_per_h,mean_service_s,agents,wait1_s,wait2_s\nnone,0,9.8,180,1,0,100\n",
    )
    .expect_err("refused")
    .to_string();
    assert!(
        err.contains("priority_mmc.csv case none: `lambda1_per_h` = 0: it must be above 0"),
        "{err}"
    );
    let err = cases_of(
        "erlang_c.csv",
        "case,lambda_per_h,mean_service_s,agents,sl_threshold_s,p_wait,asa_s,service_level,occupancy\nhalf,10,180,2.5,20,0,0,1,0.2\n",
    )
    .expect_err("refused")
    .to_string();
    assert!(err.contains("`agents` = 2.5: a whole number"), "{err}");
}
