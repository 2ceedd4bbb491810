//! Satisfaction, survey, value at risk and telephony cost: each key moves its metric the
//! documented way (paired differences over common random numbers).

mod common;

use std::path::Path;

use ccsim::scenario::{Scenario, load_str};
use common::{bundled, moves, values};

const BASE: &str = r#"
[scenario]
name = "outcomes"
seed = 21
replications = 12
horizon = "1d"
warmup = "1h"

[arrivals]
rate = "80/h"

[[persona]]
name = "customer"
value = 500.0
patience = { dist = "exponential", mean = "5m" }
persistence = { retry = 0.7, delay = { dist = "exponential", mean = "2h" }, max_attempts = 4 }

[[reason]]
name = "question"
skill = "care"
handle = { dist = "lognormal", mean = "5m", cv = 0.6 }
resolve = 0.7

[[group]]
name = "care"
skills = { care = 1.0 }
agents = 8

[channels.phone]
ivr = "40s"

[policy]
aht_target = "5m"
aht_pressure = 0.4

[satisfaction]
base = 4.0
"#;

fn with(replace: &[(&str, &str)]) -> Scenario {
    let mut text = BASE.to_string();
    for (from, to) in replace {
        assert!(text.contains(from), "base lacks {from}");
        text = text.replacen(from, to, 1);
    }
    load_str(Path::new("outcomes.toml"), text, "outcomes").expect("valid scenario")
}

#[test]
fn every_weight_lowers_or_raises_satisfaction_as_documented() {
    let base = with(&[]);
    for (key, up) in [
        ("per_extra_contact = 1.5", false),
        ("per_minute_waiting = 1.0", false),
        ("per_abandon = 2.0", false),
        ("unresolved = 3.0", false),
        ("first_contact = 1.5", true),
    ] {
        let v = with(&[("base = 4.0", &format!("base = 4.0\n{key}"))]);
        moves(&base, &v, "satisfaction_mean", up);
    }
    let lower = with(&[("base = 4.0", "base = 3.0")]);
    moves(&base, &lower, "satisfaction_mean", false);
    let persona = with(&[("value = 500.0", "value = 500.0\nsatisfaction = 2.5")]);
    moves(&base, &persona, "satisfaction_mean", false);
    let tolerant = with(&[("value = 500.0", "value = 500.0\neffort_tolerance = \"30m\"")]);
    moves(&base, &tolerant, "satisfaction_mean", true);
    let shares: Vec<f64> = (1..=5)
        .map(|k| values(&base, &format!("satisfaction_share_{k}"))[0])
        .collect();
    assert!(
        (shares.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{shares:?}"
    );
}

#[test]
fn transfers_reexplanations_refusals_and_outreach_are_weighed() {
    let text = |extra: &str, weights: &str| {
        with(&[
            (
                "skills = { care = 1.0 }\nagents = 8",
                "skills = { care = 1.0 }\nagents = 8\n\n[[group]]\nname = \"front\"\nagents = 0",
            ),
            ("resolve = 0.7", &format!("resolve = 0.7\n{extra}")),
            ("base = 4.0", &format!("base = 4.0\n{weights}")),
        ])
    };
    // Refusals: the question needs authority nobody has.
    let refused = text("authority = 1", "");
    let harsher = text("authority = 1", "per_refusal = 2.0");
    moves(&refused, &harsher, "satisfaction_mean", false);
    let outreach = with(&[
        ("resolve = 0.7", "resolve = 0.7\ndetectable = 1.0"),
        ("aht_pressure = 0.4", "aht_pressure = 0.4\nproactive = 0.8"),
    ]);
    let bonus = with(&[
        ("resolve = 0.7", "resolve = 0.7\ndetectable = 1.0"),
        ("aht_pressure = 0.4", "aht_pressure = 0.4\nproactive = 0.8"),
        ("base = 4.0", "base = 4.0\nproactive = 1.0"),
    ]);
    moves(&outreach, &bonus, "satisfaction_mean", true);
    let siloed = with(&[
        (
            "[channels.phone]",
            "[channels.phone]\nmisroute = { chance = 0.5, to = \"front\" }",
        ),
        (
            "skills = { care = 1.0 }\nagents = 8",
            "skills = { care = 1.0 }\nagents = 8\n\n[[group]]\nname = \"front\"\nskills = { other = 1.0 }\nagents = 6",
        ),
        (
            "aht_pressure = 0.4",
            "aht_pressure = 0.4\ncontext = \"siloed\"",
        ),
    ]);
    let weighed = with(&[
        (
            "[channels.phone]",
            "[channels.phone]\nmisroute = { chance = 0.5, to = \"front\" }",
        ),
        (
            "skills = { care = 1.0 }\nagents = 8",
            "skills = { care = 1.0 }\nagents = 8\n\n[[group]]\nname = \"front\"\nskills = { other = 1.0 }\nagents = 6",
        ),
        (
            "aht_pressure = 0.4",
            "aht_pressure = 0.4\ncontext = \"siloed\"",
        ),
        (
            "base = 4.0",
            "base = 4.0\nper_transfer = 1.0\nper_reexplanation = 1.0",
        ),
    ]);
    moves(&siloed, &weighed, "satisfaction_mean", false);
}

#[test]
fn a_survey_after_the_contact_flatters_a_pressed_operation() {
    let contact = with(&[]);
    let csat = values(&contact, "csat_surveyed");
    let truth = values(&contact, "satisfaction_mean");
    assert!(
        csat.iter().zip(&truth).all(|(c, t)| c > t),
        "{csat:?} vs {truth:?}"
    );
    let at_end = with(&[(
        "base = 4.0",
        "base = 4.0\nsurvey = { response = 0.15, only_answered = true, after = \"journey\" }",
    )]);
    moves(&contact, &at_end, "csat_surveyed", false);
    let everyone = with(&[(
        "base = 4.0",
        "base = 4.0\nsurvey = { response = 1.0, only_answered = false, after = \"journey\" }",
    )]);
    let (c, t) = (
        values(&everyone, "csat_surveyed"),
        values(&everyone, "satisfaction_mean"),
    );
    assert!(
        c.iter().zip(&t).all(|(c, t)| (c - t).abs() < 1e-9),
        "a full survey is the truth"
    );
    let more = with(&[("base = 4.0", "base = 4.0\nsurvey = { response = 0.6 }")]);
    moves(&contact, &more, "survey_responses", true);
}

#[test]
fn value_at_risk_follows_churn_and_value_and_telephony_costs_minutes() {
    let base = with(&[]);
    let churny = with(&[(
        "base = 4.0",
        "base = 4.0\n\n[cost]\nchurn = { at_score_1 = 0.6, at_score_5 = 0.05 }",
    )]);
    moves(&base, &churny, "value_at_risk", true);
    let richer = with(&[("value = 500.0", "value = 1000.0")]);
    let (a, b) = (
        values(&base, "value_at_risk"),
        values(&richer, "value_at_risk"),
    );
    assert!(
        a.iter()
            .zip(&b)
            .all(|(a, b)| (b - 2.0 * a).abs() < 1e-6 * b.abs().max(1.0))
    );
    let phone = with(&[("ivr = \"40s\"", "ivr = \"40s\"\ncost_per_minute = 0.05")]);
    moves(&base, &phone, "cost_other", true);
    moves(&base, &phone, "cost_total", true);
}

#[test]
fn empowered_beats_taylorism_where_it_matters() {
    let taylor = bundled("taylorism.toml");
    let empowered = bundled("empowered.toml");
    for (metric, up) in [
        ("fcr", true),
        ("resolved_share", true),
        ("satisfaction_mean", true),
        ("repeat_contacts_per_issue", false),
        ("aht_s", true),
        ("value_at_risk", false),
    ] {
        moves(&taylor, &empowered, metric, up);
    }
    // The model's finding on cost per resolved issue: lower when empowered. Checked for a
    // stable sign across seeds, not assumed.
    for seed in [4242, 7, 99] {
        let (mut t, mut e) = (taylor.clone(), empowered.clone());
        t.seed = seed;
        e.seed = seed;
        moves(&t, &e, "cost_per_resolved", false);
    }
}

#[test]
fn social_first_without_record_access_costs_repeats_and_satisfaction() {
    let base = bundled("baseline.toml");
    let social = bundled("social-first.toml");
    moves(&base, &social, "repeat_contacts_per_issue", true);
    moves(&base, &social, "repeat_contacts_per_issue_redirected", true);
    moves(&base, &social, "satisfaction_mean", false);
    moves(&base, &social, "cost_per_resolved", true);
}

#[test]
fn the_survey_overstates_satisfaction_under_taylorism() {
    let taylor = bundled("taylorism.toml");
    let csat = values(&taylor, "csat_surveyed");
    let truth = values(&taylor, "satisfaction_mean");
    assert!(
        csat.iter().zip(&truth).all(|(c, t)| c > &(t + 0.5)),
        "{csat:?} vs {truth:?}"
    );
}

#[test]
fn an_upstream_fix_removes_the_expected_share_and_cost() {
    let base = bundled("baseline.toml");
    let fixed = bundled("upstream-fix.toml");
    let removed = 1.0
        - values(&fixed, "issues").iter().sum::<f64>()
            / values(&base, "issues").iter().sum::<f64>();
    // where-is-my-order: 20 % of issues, 80 % avoidable, half of that fixed = 8 %.
    assert!((removed - 0.08).abs() < 0.01, "removed {removed}");
    moves(&base, &fixed, "offered", false);
    moves(&base, &fixed, "cost_other", false);
    moves(&base, &fixed, "cost_total", false);
}

#[test]
fn ownership_time_is_honoured() {
    let empowered = bundled("empowered.toml");
    let mut quick = empowered.clone();
    quick.policy.ownership_handle = 0;
    moves(&quick, &empowered, "aht_s", true);
}
