//! Journeys: each policy key moves its metric the documented way, shown by the paired
//! difference over common random numbers (same seeds) with a 95 % interval excluding zero;
//! journey invariants; and the runaround story.

mod common;

use std::path::Path;

use ccsim::runner;
use ccsim::scenario::{Scenario, load_str};
use ccsim::stats::{SUMMARY_METRICS, summarize};
use common::{bundled, moves, values};

/// Care answers everything first; billing questions need authority 1 that only "back-office"
/// has; tech needs the tech skill.
const BASE: &str = r#"
[scenario]
name = "journeys"
seed = 5
replications = 12
horizon = "1d"
warmup = "1h"

[arrivals]
rate = "90/h"

[[persona]]
name = "customer"
patience = { dist = "exponential", mean = "6m" }
persistence = { retry = 0.7, delay = { dist = "exponential", mean = "2h" }, max_attempts = 4 }

[[reason]]
name = "refund"
share = 0.4
skill = "billing"
authority = 1
handle = { dist = "lognormal", mean = "6m", cv = 0.6 }
resolve = 0.8

[[reason]]
name = "outage"
share = 0.6
skill = "tech"
handle = { dist = "lognormal", mean = "7m", cv = 0.8 }
triage = { dist = "lognormal", mean = "3m", cv = 0.4 }
resolve = 0.8

[[group]]
name = "care"
skills = { billing = 1.0 }
agents = 8

[[group]]
name = "back-office"
skills = { billing = 1.0 }
authority = 1
agents = 4

[[group]]
name = "tech"
skills = { tech = 1.0 }
agents = 10

[channels.phone]
misroute = { chance = 0.2, to = "care" }

[policy]
context = "siloed"
"#;

fn load(text: &str) -> Scenario {
    load_str(Path::new("journeys.toml"), text.to_string(), "journeys").expect("valid scenario")
}

fn with(replace: &[(&str, &str)]) -> Scenario {
    let mut text = BASE.to_string();
    for (from, to) in replace {
        assert!(text.contains(from), "base lacks {from}");
        text = text.replacen(from, to, 1);
    }
    load(&text)
}

#[test]
fn siloed_context_means_retelling_and_longer_calls() {
    let shared = with(&[("context = \"siloed\"", "context = \"shared\"")]);
    let siloed = with(&[]);
    moves(&shared, &siloed, "reexplanations_per_issue", true);
    moves(&shared, &siloed, "aht_s", true);
    moves(&shared, &siloed, "effort", true);
    let shared_re = values(&shared, "reexplanations_per_issue");
    assert!(shared_re.iter().all(|x| *x == 0.0));
}

#[test]
fn reexplanation_time_and_lost_patience_are_honoured() {
    let base = with(&[]);
    let long = with(&[(
        "context = \"siloed\"",
        "context = \"siloed\"\nreexplain = { handle = \"4m\", patience = \"15s\" }",
    )]);
    moves(&base, &long, "aht_s", true);
    // Lost patience shows on later waits: more of the customers who had to retell their story
    // hang up on their next try, and more journeys end given up.
    let retry_heavy = [
        ("resolve = 0.8", "resolve = 0.5"),
        ("resolve = 0.8", "resolve = 0.5"),
    ];
    let patient = with(&retry_heavy);
    let mut lossy = retry_heavy.to_vec();
    lossy.push((
        "context = \"siloed\"",
        "context = \"siloed\"\nreexplain = { handle = \"1m\", patience = \"10m\" }",
    ));
    moves(&patient, &with(&lossy), "gave_up_share", true);
}

#[test]
fn authority_raises_fcr_and_cuts_transfers() {
    let base = with(&[]);
    let empowered = with(&[("agents = 8", "agents = 8\nauthority = 1")]);
    moves(&base, &empowered, "fcr", true);
    moves(&base, &empowered, "transfers_per_contact", false);
}

#[test]
fn without_anyone_empowered_agents_refuse_and_concessions_help() {
    let nobody = with(&[("authority = 1\nagents = 4", "agents = 4")]);
    let refusals = values(&nobody, "refusals_per_issue");
    assert!(refusals.iter().all(|x| *x > 0.1), "{refusals:?}");
    let exceptions = with(&[
        ("authority = 1\nagents = 4", "agents = 4"),
        (
            "authority = 1\nhandle",
            "authority = 1\nconcession = 25.0\nhandle",
        ),
        ("agents = 8", "agents = 8\nconcession_budget = 40.0"),
    ]);
    moves(&nobody, &exceptions, "fcr", true);
    moves(&nobody, &exceptions, "refusals_per_issue", false);
    moves(&nobody, &exceptions, "cost_concessions", true);
    let too_poor = with(&[
        ("authority = 1\nagents = 4", "agents = 4"),
        (
            "authority = 1\nhandle",
            "authority = 1\nconcession = 25.0\nhandle",
        ),
        ("agents = 8", "agents = 8\nconcession_budget = 10.0"),
    ]);
    assert_eq!(values(&too_poor, "fcr"), values(&nobody, "fcr"));
}

#[test]
fn aht_pressure_cuts_handle_time_and_creates_false_resolutions() {
    let base = with(&[(
        "context = \"siloed\"",
        "context = \"shared\"\naht_target = \"5m\"",
    )]);
    let pressed = with(&[(
        "context = \"siloed\"",
        "context = \"shared\"\naht_target = \"5m\"\naht_pressure = 0.8",
    )]);
    moves(&base, &pressed, "aht_s", false);
    moves(&base, &pressed, "repeat_contacts_per_issue", true);
    moves(
        &base,
        &pressed,
        "repeat_contacts_per_issue_false_resolution",
        true,
    );
    moves(&base, &pressed, "fcr", false);
    let coded = values(&pressed, "fcr_coded");
    let true_fcr = values(&pressed, "fcr");
    assert!(coded.iter().zip(&true_fcr).all(|(c, t)| c > t));
    let tighter = with(&[(
        "context = \"siloed\"",
        "context = \"shared\"\naht_target = \"3m\"\naht_pressure = 0.8",
    )]);
    moves(&pressed, &tighter, "aht_s", false);
    // With the target turned off (as a sweep over aht_target may do), pressure has nothing to
    // press towards: the run is that of no pressure at all.
    let off = with(&[(
        "context = \"siloed\"",
        "context = \"shared\"\naht_target = \"off\"\naht_pressure = 0.8",
    )]);
    let none = with(&[("context = \"siloed\"", "context = \"shared\"")]);
    for m in ["aht_s", "fcr", "repeat_contacts_per_issue"] {
        assert_eq!(values(&off, m), values(&none, m), "{m}");
    }
}

#[test]
fn transfer_accuracy_misroutes_and_transfer_limits() {
    let base = with(&[]);
    let sloppy = with(&[(
        "context = \"siloed\"",
        "context = \"siloed\"\ntransfer_accuracy = 0.5",
    )]);
    moves(&base, &sloppy, "transfers_per_contact", true);
    // More transfers, more callers hanging up in the second queue; the first-wait figure
    // leaves them out, the any-queue share holds them.
    moves(&base, &sloppy, "abandoned_transferred", true);
    for (any, first) in values(&sloppy, "p_abandon_any")
        .iter()
        .zip(values(&sloppy, "p_abandon"))
    {
        assert!(*any > first, "{any} vs {first}");
    }
    let ivr = with(&[("chance = 0.2", "chance = 0.6")]);
    moves(&base, &ivr, "transfers_per_contact", true);
    let by_reason = with(&[(
        "share = 0.6\nskill = \"tech\"",
        "share = 0.6\nskill = \"tech\"\nmisroute = 0.0",
    )]);
    moves(&base, &by_reason, "transfers_per_contact", false);
    let capped = with(&[(
        "context = \"siloed\"",
        "context = \"siloed\"\ntransfer_accuracy = 0.5\nmax_transfers = 1",
    )]);
    moves(&sloppy, &capped, "transfers_per_contact", false);
    let quick = with(&[("mean = \"3m\", cv = 0.4", "mean = \"30s\", cv = 0.4")]);
    moves(&base, &quick, "aht_s", false);
}

#[test]
fn journey_invariants_hold() {
    for s in [
        with(&[]),
        with(&[(
            "context = \"siloed\"",
            "context = \"siloed\"\naht_target = \"4m\"\naht_pressure = 0.5",
        )]),
    ] {
        let out = runner::run(&s, 2).unwrap();
        let m = |o: &ccsim::stats::Outcome, name: &str| {
            let i = SUMMARY_METRICS.iter().position(|x| *x == name).unwrap();
            o.summary[i].unwrap()
        };
        for o in &out.outcomes {
            let shares = m(o, "resolved_share") + m(o, "gave_up_share") + m(o, "open_share");
            assert!(
                (shares - 1.0).abs() < 1e-9,
                "every journey ends in one state: {shares}"
            );
            assert!(m(o, "fcr") <= m(o, "fcr_coded"));
            let causes: f64 = ccsim::engine::CAUSES
                .iter()
                .map(|c| m(o, &format!("repeat_contacts_per_issue_{c}")))
                .sum();
            assert!((causes - m(o, "repeat_contacts_per_issue")).abs() < 1e-9);
            assert!(m(o, "contacts_per_issue") >= 1.0);
        }
    }
}

#[test]
fn capable_agents_with_sure_resolution_resolve_every_answered_journey_at_once() {
    let s = with(&[
        ("resolve = 0.8", "resolve = 1.0"),
        ("resolve = 0.8", "resolve = 1.0"),
        ("agents = 8", "agents = 8\nauthority = 1"),
        (
            "patience = { dist = \"exponential\", mean = \"6m\" }",
            "patience = \"infinite\"",
        ),
        ("chance = 0.2", "chance = 0.0"),
    ]);
    for name in ["fcr", "fcr_coded", "resolved_share", "contacts_per_issue"] {
        assert!(values(&s, name).iter().all(|x| *x == 1.0), "{name}");
    }
    assert!(
        values(&s, "transfers_per_contact")
            .iter()
            .all(|x| *x == 0.0)
    );
}

#[test]
fn the_runaround_story() {
    let s = bundled("runaround.toml");
    let out = runner::run_with(&s, 2, true).unwrap();
    let r = s
        .reasons
        .iter()
        .position(|r| r.name == "caller-id-second-line")
        .unwrap() as u16;
    let first: Vec<_> = out
        .outcomes
        .iter()
        .flat_map(|o| o.raw.trace.iter())
        .filter(|row| row.reason == r && row.attempt == 1 && row.outcome != "abandoned")
        .collect();
    assert!(first.len() > 500, "{} first contacts", first.len());
    let mut minutes: Vec<f64> = first
        .iter()
        .map(|row| (row.ivr + row.wait + row.talk) as f64 / 60_000.0)
        .collect();
    minutes.sort_by(f64::total_cmp);
    let median = minutes[minutes.len() / 2];
    let mut agents: Vec<usize> = first.iter().map(|row| row.agents.len()).collect();
    agents.sort_unstable();
    let resolved = first.iter().filter(|row| row.outcome == "resolved").count();
    assert!(
        (15.0..=26.0).contains(&median),
        "median journey {median} min"
    );
    assert_eq!(agents[agents.len() / 2], 3, "median agents met");
    assert_eq!(resolved, 0, "nobody may make the exception");
    let care = s.groups.iter().position(|g| g.name == "care").unwrap() as u16;
    let via_care = first
        .iter()
        .filter(|row| row.agents.first() == Some(&care))
        .count();
    assert!(
        via_care * 10 > first.len() * 8,
        "the IVR sends it to care first"
    );
}

fn reason_value(s: &Scenario, reason: &str, metric: &str) -> f64 {
    let out = runner::run(s, 2).expect("runs");
    let i = ccsim::stats::outcome::SLICE_METRICS
        .iter()
        .position(|m| *m == metric)
        .expect("known metric");
    let v: Vec<Option<f64>> = out
        .outcomes
        .iter()
        .map(|o| {
            o.breakdown
                .iter()
                .find(|(d, k, _)| *d == "reason" && k == reason)
                .and_then(|(_, _, v)| v[i])
        })
        .collect();
    summarize(&v, 0.95).expect("defined").mean
}

#[test]
fn the_cable_box_story() {
    let cold = bundled("cable-box.toml");
    let owned = bundled("cable-box-owned.toml");
    let cold_contacts = reason_value(&cold, "box-return", "contacts_per_issue");
    let owned_contacts = reason_value(&owned, "box-return", "contacts_per_issue");
    assert!(
        cold_contacts >= 4.0,
        "two companies, many calls: {cold_contacts}"
    );
    assert!(reason_value(&cold, "box-return", "resolved_share") < 0.2);
    assert!(reason_value(&cold, "box-return", "reexplanations_per_issue") >= 1.0);
    assert!(
        owned_contacts * 2.5 < cold_contacts,
        "ownership needs far fewer contacts: {owned_contacts} vs {cold_contacts}"
    );
    assert!(reason_value(&owned, "box-return", "resolved_share") > 0.9);
    moves(&cold, &owned, "contacts_per_issue", false);
    moves(&cold, &owned, "effort", false);
}

/// A small partner scenario: one reason needs a courier after the company's part.
fn partner_case(mode: &str, ownership: &str, exceptions: bool, authority: u32) -> Scenario {
    let text = partner_text(mode)
        .replacen(
            "name = \"return\"",
            &format!("name = \"return\"\nauthority = {authority}"),
            1,
        )
        .replacen("name = \"care\"", "name = \"care\"\nauthority = 1", 1)
        .replacen(
            "allows_exceptions = true",
            &format!("allows_exceptions = {exceptions}"),
            1,
        )
        .replacen(
            "partner_mode",
            &format!("ownership = \"{ownership}\"\npartner_mode"),
            1,
        );
    load(&text)
}

#[test]
fn partner_modes_and_ownership_change_contacts() {
    let cold = partner_case("cold", "hand-off", true, 0);
    let warm = partner_case("warm", "hand-off", true, 0);
    let owned = partner_case("owned", "hand-off", true, 0);
    moves(&cold, &warm, "contacts_per_issue", false);
    moves(&warm, &owned, "contacts_per_issue", false);
    moves(&cold, &owned, "effort", false);
    assert!(values(&cold, "cost_partners").iter().all(|x| *x > 0.0));
    assert!(
        values(&cold, "repeat_contacts_per_issue_partner")
            .iter()
            .all(|x| *x > 0.0)
    );
    // A hand-off company's customers chase the pending pick-up; an owner chases for them.
    let own = partner_case("warm", "own", true, 0);
    moves(&warm, &own, "repeat_contacts_per_issue_partner", false);
}

#[test]
fn a_partner_that_may_not_make_exceptions_refuses() {
    let allowed = partner_case("cold", "hand-off", true, 1);
    let strict = partner_case("cold", "hand-off", false, 1);
    moves(&allowed, &strict, "refusals_per_issue", true);
    moves(&allowed, &strict, "resolved_share", false);
    // Owned work orders carry the company's own exception.
    let owned = partner_case("owned", "hand-off", false, 1);
    moves(&strict, &owned, "resolved_share", true);
    // A partner that refuses every return resolves none, however the customer reaches it: a
    // warm transfer abandoned in the partner's queue does not leave the company's agent free
    // to close the issue on the next call.
    for mode in ["cold", "warm"] {
        let never = partner_case(mode, "hand-off", false, 1);
        let resolved = reason_value(&never, "return", "resolved_share");
        assert_eq!(
            resolved, 0.0,
            "{mode}: returns resolved without the partner"
        );
    }
}

#[test]
fn ownership_follows_up_instead_of_the_customer_calling_back() {
    let base = with(&[("resolve = 0.8", "resolve = 0.5")]);
    let own = with(&[
        ("resolve = 0.8", "resolve = 0.5"),
        (
            "context = \"siloed\"",
            "context = \"siloed\"\nownership = \"own\"",
        ),
    ]);
    moves(&base, &own, "repeat_contacts_per_issue_follow_up", true);
    moves(&base, &own, "reexplanations_per_issue", false);
    moves(&base, &own, "gave_up_share", false);
    // The owner's call-backs weigh `per_follow_up`, not `per_extra_contact`: heavier ones lower
    // satisfaction under ownership and change nothing without it.
    let heavy = "[satisfaction]\nper_follow_up = 1.0\n";
    let own_heavy = with(&[
        ("resolve = 0.8", "resolve = 0.5"),
        (
            "context = \"siloed\"",
            "context = \"siloed\"\nownership = \"own\"",
        ),
        ("[policy]", &format!("{heavy}[policy]")),
    ]);
    moves(&own, &own_heavy, "satisfaction_mean", false);
    let base_heavy = with(&[
        ("resolve = 0.8", "resolve = 0.5"),
        ("[policy]", &format!("{heavy}[policy]")),
    ]);
    assert_eq!(
        values(&base, "satisfaction_mean"),
        values(&base_heavy, "satisfaction_mean")
    );
}

#[test]
fn proactive_outreach_and_upstream_fixes() {
    let base = with(&[(
        "share = 0.6\nskill = \"tech\"",
        "share = 0.6\nskill = \"tech\"\ndetectable = 0.8",
    )]);
    let proactive = with(&[
        (
            "share = 0.6\nskill = \"tech\"",
            "share = 0.6\nskill = \"tech\"\ndetectable = 0.8",
        ),
        (
            "context = \"siloed\"",
            "context = \"siloed\"\nproactive = 0.5",
        ),
    ]);
    moves(&base, &proactive, "proactive_share", true);
    moves(&base, &proactive, "effort", false);
    let p = values(&proactive, "proactive_share");
    assert!(
        p.iter().all(|x| (x - 0.6 * 0.8 * 0.5).abs() < 0.05),
        "{p:?}"
    );
    let fixed = with(&[(
        "context = \"siloed\"",
        "context = \"siloed\"\nupstream_fix = { reason = \"outage\", share = 0.5 }",
    )]);
    let ratio =
        values(&fixed, "issues").iter().sum::<f64>() / values(&base, "issues").iter().sum::<f64>();
    assert!(
        (ratio - 0.7).abs() < 0.03,
        "half of the 60 % outage share removed: {ratio}"
    );
    let half_avoidable = with(&[
        (
            "share = 0.6\nskill = \"tech\"",
            "share = 0.6\nskill = \"tech\"\navoidable = 0.5",
        ),
        (
            "context = \"siloed\"",
            "context = \"siloed\"\nupstream_fix = { reason = \"outage\", share = 0.5 }",
        ),
    ]);
    moves(&fixed, &half_avoidable, "issues", true);
}

/// `partner_case` with one line of the partner table replaced.
fn partner_with(mode: &str, from: &str, to: &str) -> Scenario {
    let text = partner_text(mode).replacen(from, to, 1);
    assert!(
        partner_text(mode).contains(from),
        "partner case lacks {from}"
    );
    load(&text)
}

fn partner_text(mode: &str) -> String {
    format!(
        r#"
[scenario]
seed = 9
replications = 12
horizon = "3d"
drain = "60d"
[arrivals]
rate = "20/h"
[[persona]]
name = "p"
patience = {{ dist = "exponential", mean = "10m" }}
persistence = {{ retry = 0.9, delay = {{ dist = "exponential", mean = "12h" }}, max_attempts = 8 }}
[[reason]]
name = "return"
partner = "courier"
handle = {{ dist = "exponential", mean = "5m" }}
[[group]]
name = "care"
agents = 6
[[partner]]
name = "courier"
agents = 2
hours = "08:00-18:00"
delay = {{ dist = "exponential", mean = "2d" }}
handle = {{ dist = "exponential", mean = "4m" }}
resolve = 0.7
shares_context = false
allows_exceptions = true
fee = 10.0
[policy]
partner_mode = "{mode}"
follow_up = {{ dist = "constant", value = "4h" }}
"#
    )
}

#[test]
fn every_partner_key_moves_its_metric() {
    let cold = partner_with("cold", "", "");
    moves(
        &cold,
        &partner_with("cold", "shares_context = false", "shares_context = true"),
        "reexplanations_per_issue",
        false,
    );
    moves(
        &cold,
        &partner_with("cold", "resolve = 0.7", "resolve = 0.3"),
        "contacts_per_issue",
        true,
    );
    moves(
        &cold,
        &partner_with("cold", "mean = \"2d\"", "mean = \"6d\""),
        "repeat_contacts_per_issue_partner",
        true,
    );
    moves(
        &cold,
        &partner_with("cold", "mean = \"4m\"", "mean = \"20m\""),
        "effort",
        true,
    );
    moves(
        &cold,
        &partner_with("cold", "agents = 2", "agents = 1"),
        "effort",
        true,
    );
    moves(
        &cold,
        &partner_with("cold", "hours = \"08:00-18:00\"", "hours = \"10:00-12:00\""),
        "effort",
        true,
    );
    let fee = |s: &Scenario| values(s, "cost_partners");
    let doubled = partner_with("cold", "fee = 10.0", "fee = 20.0");
    for (a, b) in fee(&cold).iter().zip(fee(&doubled)) {
        assert!((b - 2.0 * a).abs() < 1e-6, "fees double: {a} -> {b}");
    }
}

#[test]
fn the_follow_up_delay_is_honoured() {
    let quick = with(&[
        ("resolve = 0.8", "resolve = 0.5"),
        (
            "context = \"siloed\"",
            "context = \"siloed\"\nownership = \"own\"\nfollow_up = { dist = \"constant\", value = \"1h\" }",
        ),
        ("horizon = \"1d\"", "horizon = \"1d\"\ndrain = \"12h\""),
    ]);
    let slow = with(&[
        ("resolve = 0.8", "resolve = 0.5"),
        (
            "context = \"siloed\"",
            "context = \"siloed\"\nownership = \"own\"\nfollow_up = { dist = \"constant\", value = \"10h\" }",
        ),
        ("horizon = \"1d\"", "horizon = \"1d\"\ndrain = \"12h\""),
    ]);
    moves(&quick, &slow, "open_share", true);
}

/// Random small journey scenarios (every policy lever drawn at random, seeded): invariants.
#[test]
fn invariants_hold_on_random_journey_scenarios() {
    use rand::Rng;
    let mut rng = ccsim::rng::stream(2026, 0, ccsim::rng::Stream::Routing);
    let mut pick = |n: u64| (rng.next_u64() % n) as usize;
    for case in 0..40 {
        let contexts = ["shared", "siloed"];
        let modes = ["cold", "warm", "owned"];
        let owners = ["hand-off", "own"];
        let text = format!(
            r#"
[scenario]
seed = {case}
replications = 2
horizon = "12h"
drain = "{drain}"
[arrivals]
rate = "{rate}/h"
[[persona]]
name = "a"
patience = {{ dist = "exponential", mean = "{patience}m" }}
persistence = {{ retry = 0.{retry}, delay = {{ dist = "exponential", mean = "2h" }}, max_attempts = {attempts} }}
[[reason]]
name = "x"
skill = "s1"
authority = {auth}
concession = 5.0
resolve = 0.{resolve}
handle = {{ dist = "lognormal", mean = "5m", cv = 0.7 }}
misroute = 0.{misroute}
detectable = 0.5
[[reason]]
name = "y"
skill = "s2"
partner = "p"
handle = {{ dist = "exponential", mean = "4m" }}
[[group]]
name = "g1"
skills = {{ s1 = 1.0 }}
authority = {gauth}
concession_budget = {budget}
agents = {a1}
[[group]]
name = "g2"
skills = {{ s2 = 1.0, s1 = 0.5 }}
authority = 1
agents = {a2}
[[partner]]
name = "p"
agents = 1
delay = {{ dist = "exponential", mean = "6h" }}
handle = {{ dist = "exponential", mean = "5m" }}
resolve = 0.{presolve}
allows_exceptions = {exc}
[policy]
context = "{context}"
ownership = "{owner}"
partner_mode = "{mode}"
transfer_accuracy = 0.{acc}
aht_target = "4m"
aht_pressure = 0.{pressure}
proactive = 0.{proactive}
upstream_fix = {{ reason = "x", share = 0.{fix} }}
"#,
            drain = ["1h", "2d", "30d"][pick(3)],
            rate = 5 + pick(40),
            patience = 1 + pick(10),
            retry = pick(10),
            attempts = 1 + pick(5),
            auth = pick(3),
            resolve = 1 + pick(9),
            misroute = pick(5),
            gauth = pick(2),
            budget = [0, 10][pick(2)],
            a1 = pick(6),
            a2 = 1 + pick(5),
            presolve = 1 + pick(9),
            exc = ["true", "false"][pick(2)],
            context = contexts[pick(2)],
            owner = owners[pick(2)],
            mode = modes[pick(3)],
            acc = 1 + pick(9),
            pressure = pick(10),
            proactive = pick(10),
            fix = pick(10),
        );
        let s = load(&text);
        let out = runner::run(&s, 1).unwrap_or_else(|e| panic!("case {case}: {e}"));
        let m = |o: &ccsim::stats::Outcome, name: &str| {
            let i = SUMMARY_METRICS.iter().position(|x| *x == name).unwrap();
            o.summary[i]
        };
        for o in &out.outcomes {
            let Some(resolved) = m(o, "resolved_share") else {
                continue; // no issues in the window
            };
            let shares = resolved + m(o, "gave_up_share").unwrap() + m(o, "open_share").unwrap();
            assert!(
                (shares - 1.0).abs() < 1e-9,
                "case {case}: states sum to {shares}\n{text}"
            );
            assert!(
                m(o, "fcr").unwrap() <= m(o, "fcr_coded").unwrap() + 1e-12,
                "case {case}"
            );
            assert!(m(o, "contacts_per_issue").unwrap() >= 1.0, "case {case}");
            let causes: f64 = ccsim::engine::CAUSES
                .iter()
                .map(|c| m(o, &format!("repeat_contacts_per_issue_{c}")).unwrap())
                .sum();
            let repeats = m(o, "repeat_contacts_per_issue").unwrap();
            assert!(
                (causes - repeats).abs() < 1e-9,
                "case {case}: causes {causes} vs {repeats}"
            );
            for name in [
                "fcr",
                "fcr_coded",
                "p_abandon",
                "p_wait",
                "service_level",
                "proactive_share",
            ] {
                if let Some(v) = m(o, name) {
                    assert!((0.0..=1.0).contains(&v), "case {case}: {name} = {v}");
                }
            }
            let (offered, answered, abandoned, blocked) = (
                m(o, "offered").unwrap(),
                m(o, "answered").unwrap(),
                m(o, "abandoned").unwrap(),
                m(o, "blocked").unwrap(),
            );
            assert!(answered + abandoned + blocked <= offered, "case {case}");
        }
        let again = runner::run(&s, 2).unwrap();
        for (a, b) in out.outcomes.iter().zip(&again.outcomes) {
            assert_eq!(
                format!("{:?}", a.summary),
                format!("{:?}", b.summary),
                "case {case}: determinism"
            );
        }
    }
}
