//! `ccsim erlang` and `ccsim staff` as a user runs them: exact against the reference tables.

use std::process::{Command, Output};

use ccsim::theory::{mmc, mmc_m};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");
const ERLANG_C: &str = include_str!("validation/erlang_c.csv");
const ERLANG_A: &str = include_str!("validation/erlang_a.csv");
const ERLANG_B: &str = include_str!("validation/erlang_b.csv");

/// Data rows of a reference table, each as a map from column name to text.
fn rows(csv: &str) -> Vec<Vec<(String, String)>> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim().to_string())
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(|f| f.trim().to_string()))
                .collect()
        })
        .collect()
}

fn field<'a>(row: &'a [(String, String)], name: &str) -> &'a str {
    &row.iter().find(|(k, _)| k == name).unwrap().1
}

fn num(row: &[(String, String)], name: &str) -> f64 {
    field(row, name).parse().unwrap()
}

fn ccsim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run ccsim")
}

/// Runs ccsim with `--json`; asserts success and one JSON object on stdout.
fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let o = ccsim(&all);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.trim().lines().count(), 1, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(v.is_object(), "{out}");
    v
}

fn get(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {v}"))
}

/// 1e-6 relative, or 1e-9 absolute near 0.
fn close(got: f64, want: f64) -> bool {
    let abs = (got - want).abs();
    abs <= 1e-9 || abs <= 1e-6 * want.abs()
}

/// Compares the named JSON keys with the row's columns; returns the mismatches.
fn compare(case: &str, v: &Value, row: &[(String, String)], cols: &[(&str, &str)]) -> Vec<String> {
    cols.iter()
        .filter_map(|&(key, col)| {
            let (got, want) = (get(v, key), num(row, col));
            (!close(got, want)).then(|| format!("{case} {key}: got {got:e}, want {want:e}"))
        })
        .collect()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn sorted(mut k: Vec<&str>) -> Vec<&str> {
    k.sort_unstable();
    k
}

const MEASURES: [&str; 12] = [
    "model",
    "rate_per_h",
    "aht_s",
    "agents",
    "patience_s",
    "sl_threshold_s",
    "p_wait",
    "p_abandon",
    "asa_s",
    "mean_wait_s",
    "service_level",
    "occupancy",
];

#[test]
fn erlang_c_matches_every_reference_row() {
    let mut bad = Vec::new();
    for row in rows(ERLANG_C) {
        let case = field(&row, "case");
        let v = json(&[
            "erlang",
            "c",
            "--rate",
            &format!("{}/h", field(&row, "lambda_per_h")),
            "--aht",
            &format!("{}s", field(&row, "mean_service_s")),
            "--agents",
            field(&row, "agents"),
            "--sl",
            &format!("{}s", field(&row, "sl_threshold_s")),
        ]);
        assert_eq!(sorted(keys(&v)), sorted(MEASURES.to_vec()), "{case}");
        assert_eq!(v["model"], "erlang_c");
        assert!(v["patience_s"].is_null());
        assert_eq!(get(&v, "p_abandon"), 0.0);
        bad.extend(compare(
            case,
            &v,
            &row,
            &[
                ("rate_per_h", "lambda_per_h"),
                ("aht_s", "mean_service_s"),
                ("agents", "agents"),
                ("sl_threshold_s", "sl_threshold_s"),
                ("p_wait", "p_wait"),
                ("asa_s", "asa_s"),
                ("mean_wait_s", "asa_s"),
                ("service_level", "service_level"),
                ("occupancy", "occupancy"),
            ],
        ));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn erlang_a_matches_every_reference_row() {
    let mut bad = Vec::new();
    for row in rows(ERLANG_A) {
        let case = field(&row, "case");
        let v = json(&[
            "erlang",
            "a",
            "--rate",
            &format!("{}/h", field(&row, "lambda_per_h")),
            "--aht",
            &format!("{}s", field(&row, "mean_service_s")),
            "--patience",
            &format!("{}s", field(&row, "mean_patience_s")),
            "--agents",
            field(&row, "agents"),
            "--sl",
            &format!("{}s", field(&row, "sl_threshold_s")),
        ]);
        assert_eq!(sorted(keys(&v)), sorted(MEASURES.to_vec()), "{case}");
        assert_eq!(v["model"], "erlang_a");
        bad.extend(compare(
            case,
            &v,
            &row,
            &[
                ("rate_per_h", "lambda_per_h"),
                ("aht_s", "mean_service_s"),
                ("patience_s", "mean_patience_s"),
                ("agents", "agents"),
                ("sl_threshold_s", "sl_threshold_s"),
                ("p_wait", "p_wait"),
                ("p_abandon", "p_abandon"),
                ("asa_s", "asa_s"),
                ("mean_wait_s", "mean_wait_s"),
                ("service_level", "service_level"),
                ("occupancy", "occupancy"),
            ],
        ));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn erlang_b_matches_every_reference_row() {
    let mut bad = Vec::new();
    let mut want_keys = MEASURES.to_vec();
    want_keys.extend(["p_block", "carried_erlangs"]);
    for row in rows(ERLANG_B) {
        let case = field(&row, "case");
        let v = json(&[
            "erlang",
            "b",
            "--rate",
            &format!("{}/h", field(&row, "lambda_per_h")),
            "--aht",
            &format!("{}s", field(&row, "mean_service_s")),
            "--agents",
            field(&row, "agents"),
        ]);
        assert_eq!(sorted(keys(&v)), sorted(want_keys.clone()), "{case}");
        assert_eq!(v["model"], "erlang_b");
        assert!(v["patience_s"].is_null());
        for zero in ["p_wait", "p_abandon", "asa_s", "mean_wait_s"] {
            assert_eq!(get(&v, zero), 0.0, "{case} {zero}");
        }
        let (b, agents) = (get(&v, "p_block"), num(&row, "agents"));
        assert!(close(get(&v, "service_level"), 1.0 - b), "{case}");
        assert!(close(
            get(&v, "occupancy") * agents,
            num(&row, "carried_erlangs")
        ));
        bad.extend(compare(
            case,
            &v,
            &row,
            &[
                ("rate_per_h", "lambda_per_h"),
                ("aht_s", "mean_service_s"),
                ("agents", "agents"),
                ("p_block", "p_block"),
                ("carried_erlangs", "carried_erlangs"),
            ],
        ));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Service level and occupancy of `agents` agents with the library, `None` if unstable.
fn library(row: &[(String, String)], patience: bool, agents: u32) -> Option<(f64, f64)> {
    let (lambda, aht, t) = (
        num(row, "lambda_per_h") / 3600.0,
        num(row, "mean_service_s"),
        num(row, "sl_threshold_s"),
    );
    let m = if patience {
        mmc_m(lambda, aht, num(row, "mean_patience_s"), agents, t)
    } else {
        mmc(lambda, aht, agents, t)
    };
    m.ok().map(|m| (m.service_level, m.occupancy))
}

/// `ccsim staff` for a target just below a row's service level: at most the row's agents,
/// and one agent fewer misses the target (or the occupancy cap).
fn check_staffing(table: &str, cases: &[&str], patience: bool, max_occupancy: Option<f64>) {
    for row in rows(table) {
        let case = field(&row, "case");
        if !cases.contains(&case) {
            continue;
        }
        let target = num(&row, "service_level") - 1e-7;
        let target_text = format!("{target} in {}s", field(&row, "sl_threshold_s"));
        let mut args = vec![
            "staff".to_string(),
            "--rate".into(),
            format!("{}/h", field(&row, "lambda_per_h")),
            "--aht".into(),
            format!("{}s", field(&row, "mean_service_s")),
            "--target".into(),
            target_text,
        ];
        if patience {
            args.push("--patience".into());
            args.push(format!("{}s", field(&row, "mean_patience_s")));
        }
        if let Some(m) = max_occupancy {
            args.push("--max-occupancy".into());
            args.push(m.to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = json(&args);
        let mut want_keys = MEASURES.to_vec();
        want_keys.extend(["target_service_level", "max_occupancy"]);
        assert_eq!(sorted(keys(&v)), sorted(want_keys), "{case}");
        assert_eq!(v["model"], if patience { "erlang_a" } else { "erlang_c" });
        assert!(close(get(&v, "target_service_level"), target), "{case}");

        // The row's staffing meets the target; a cap may call for more agents.
        let load = num(&row, "lambda_per_h") / 3600.0 * num(&row, "mean_service_s");
        let bound = max_occupancy.map_or(0.0, |m| (load / m).ceil());
        let agents = get(&v, "agents") as u32;
        assert!(
            f64::from(agents) <= num(&row, "agents").max(bound),
            "{case}: {agents} agents for {target}"
        );
        let meets = |sl: f64, occ: f64| sl >= target && max_occupancy.is_none_or(|m| occ <= m);
        let (sl, occ) = library(&row, patience, agents).expect("stable");
        assert!(meets(sl, occ), "{case}: {agents} agents miss it");
        assert!(close(get(&v, "service_level"), sl) && close(get(&v, "occupancy"), occ));
        if agents > 1 {
            let fewer = library(&row, patience, agents - 1);
            assert!(
                fewer.is_none_or(|(sl, occ)| !meets(sl, occ)),
                "{case}: {} agents would do",
                agents - 1
            );
        }
    }
}

#[test]
fn staff_finds_the_fewest_agents() {
    let c_rows = ["ec_p03", "ec_p05", "ec_p08", "ec_p13", "ec_p17", "ec_p20"];
    let a_rows = ["ea_p04", "ea_p07", "ea_p12", "ea_p16", "ea_p20", "ea_p21"];
    check_staffing(ERLANG_C, &c_rows, false, None);
    check_staffing(ERLANG_A, &a_rows, true, None);
    check_staffing(ERLANG_C, &["ec_p07", "ec_p10"], false, Some(0.6));
    check_staffing(ERLANG_A, &["ea_p06", "ea_p09"], true, Some(0.75));
}

#[test]
fn staff_accepts_every_target_spelling() {
    let base = ["staff", "--rate", "1000/h", "--aht", "3m", "--target"];
    let mut answers = Vec::new();
    for target in ["80% in 20s", "0.8 in 20s", "80 % in 20 s"] {
        let mut args = base.to_vec();
        args.push(target);
        answers.push(get(&json(&args), "agents"));
    }
    assert_eq!(answers, [56.0; 3], "{answers:?}");
}

#[test]
fn text_output_has_aligned_lines_with_units() {
    let o = ccsim(&[
        "erlang",
        "a",
        "--rate",
        "1000/h",
        "--aht",
        "3m",
        "--agents",
        "53",
        "--patience",
        "2m",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "agents          53\n",
        "p_wait          0.",
        "p_abandon       0.",
        "asa             ",
        "answered within 20 s",
        "occupancy       0.",
        " s\n",
        "%)",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    let o = ccsim(&[
        "erlang", "b", "--rate", "1000/h", "--aht", "3m", "--agents", "53",
    ]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("p_block") && out.contains("Erlangs"), "{out}");
    let o = ccsim(&[
        "staff",
        "--rate",
        "1000/h",
        "--aht",
        "3m",
        "--target",
        "80% in 20s",
    ]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("agents needed   56\n"), "{out}");
}

#[test]
fn bad_inputs_are_user_errors_naming_the_flag() {
    let c = |more: &[&'static str]| {
        let mut a = vec!["erlang", "c", "--rate", "1000/h", "--aht", "3m"];
        a.extend_from_slice(more);
        a
    };
    let staff = |target: &'static str, more: &[&'static str]| {
        let mut a = vec![
            "staff", "--rate", "1000/h", "--aht", "3m", "--target", target,
        ];
        a.extend_from_slice(more);
        a
    };
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (
            vec![
                "erlang", "c", "--rate", "1000/h", "--aht", "180", "--agents", "53",
            ],
            &["--aht 180", "bare number", "\"180s\"", "\"3m\""],
        ),
        (
            vec![
                "erlang", "c", "--rate", "1000", "--aht", "3m", "--agents", "53",
            ],
            &["--rate 1000", "bare number", "\"1000/h\""],
        ),
        (
            c(&["--agents", "53", "--sl", "20"]),
            &["--sl 20", "\"20s\""],
        ),
        (
            vec![
                "erlang",
                "a",
                "--rate",
                "1000/h",
                "--aht",
                "3m",
                "--agents",
                "53",
                "--patience",
                "120",
            ],
            &["--patience 120", "\"120s\" or \"2m\""],
        ),
        (c(&["--agents", "-3"]), &["--agents -3", "whole number"]),
        (c(&["--agents", "0"]), &["--agents 0", "from 1"]),
        (c(&["--agents", "52.5"]), &["--agents 52.5", "whole number"]),
        (
            c(&["--agents", "50"]),
            &[
                "--agents 50",
                "without bound",
                "--patience",
                "more than 50 agents",
            ],
        ),
        (
            c(&["--agents", "53", "--patience", "2m"]),
            &["--patience 2m", "erlang a"],
        ),
        (
            vec![
                "erlang", "a", "--rate", "1000/h", "--aht", "3m", "--agents", "53",
            ],
            &["--patience", "erlang c"],
        ),
        (
            vec![
                "erlang", "c", "--rate", "0/h", "--aht", "3m", "--agents", "53",
            ],
            &["--rate 0/h", "above zero"],
        ),
        (
            vec![
                "erlang", "c", "--rate", "1000/h", "--aht", "0s", "--agents", "53",
            ],
            &["--aht 0s", "longer than zero"],
        ),
        (
            vec![
                "erlang", "c", "--rate", "1000/h", "--aht", "-3m", "--agents", "53",
            ],
            &["--aht -3m", "unit"],
        ),
        (
            staff("80% in", &[]),
            &["--target \"80% in\"", "missing", "80% in 20s"],
        ),
        (
            staff("80% in 20", &[]),
            &["--target", "bare number", "\"20s\""],
        ),
        (staff("80", &[]), &["--target \"80\"", "<share> in <time>"]),
        (staff("80 in 20s", &[]), &["--target", "\"80%\" or \"0.8\""]),
        (staff("100% in 20s", &[]), &["--target", "never be met"]),
        (staff("0% in 20s", &[]), &["--target", "above 0 %"]),
        (
            staff("80% in 20s", &["--max-occupancy", "90"]),
            &["--max-occupancy 90", "0.9", "90%"],
        ),
    ];
    for (args, needles) in cases {
        let o = ccsim(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: missing {n:?} in {err}");
        }
    }
}
