//! Every channel key changes the simulation the documented way: chat concurrency and stretch,
//! email backlog (conserved, answered later as staff fall), callbacks (lower abandonment),
//! self-service containment (removes its share of live contacts), the social team's redirects
//! and public escalation, channel switches. Paired differences with common random numbers
//! (same seeds), seeded and a few seconds in all.

mod common;

use std::path::Path;

use ccsim::runner;
use ccsim::scenario::{Scenario, load_str};
use ccsim::stats::outcome::CONTACT_METRICS;
use ccsim::stats::{SUMMARY_METRICS, summarize};

const BASE: &str = r#"
[scenario]
name = "channels"
seed = 21
replications = 8
horizon = "1d"
warmup = "1h"
drain = "2d"

[arrivals]
rate = "200/h"

[[persona]]
name = "p"
channels = { phone = 1.0 }
patience = { dist = "exponential", mean = "3m" }
persistence = { retry = 0.7, delay = { dist = "exponential", mean = "1h" }, max_attempts = 4 }

[[reason]]
name = "billing"
handle = { dist = "exponential", mean = "5m" }
resolve = 0.9
self_service = 0.4

[[group]]
name = "care"
agents = 18
channels = ["phone", "chat", "email", "social"]
chat_concurrency = 3
"#;

fn load(text: &str) -> Scenario {
    load_str(Path::new("channels.toml"), text.to_string(), "channels")
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The base with `(from, to)` replacements, each of which must apply.
fn variant(pairs: &[(&str, &str)]) -> Scenario {
    let mut text = BASE.to_string();
    for (from, to) in pairs {
        assert!(text.contains(from), "{from} not in the base");
        text = text.replacen(from, to, 1);
    }
    load(&text)
}

/// The base with extra tables appended after the replacements.
fn with(pairs: &[(&str, &str)], extra: &str) -> Scenario {
    let mut text = BASE.to_string();
    for (from, to) in pairs {
        assert!(text.contains(from), "{from} not in the base");
        text = text.replacen(from, to, 1);
    }
    text.push_str(extra);
    load(&text)
}

fn summary_index(metric: &str) -> usize {
    SUMMARY_METRICS
        .iter()
        .position(|m| *m == metric)
        .unwrap_or_else(|| panic!("unknown metric {metric}"))
}

/// A queue metric of one channel's breakdown row, per replication.
fn channel_values(s: &Scenario, channel: &str, metric: &str) -> Vec<f64> {
    let i = CONTACT_METRICS
        .iter()
        .position(|m| *m == metric)
        .expect("contact metric");
    runner::run(s, 2)
        .expect("runs")
        .outcomes
        .iter()
        .map(|o| {
            o.breakdown
                .iter()
                .find(|(d, k, _)| *d == "channel" && k == channel)
                .and_then(|(_, _, v)| v[i])
                .unwrap_or(0.0)
        })
        .collect()
}

/// The paired difference variant − base of per-replication values must lie above (`up`) or
/// below zero at 95 %.
fn paired(b: &[f64], v: &[f64], what: &str, up: bool) {
    let d: Vec<Option<f64>> = b.iter().zip(v).map(|(x, y)| Some(y - x)).collect();
    let s = summarize(&d, 0.95).expect("replications");
    let (lo, hi) = (s.ci_low.expect("ci"), s.ci_high.expect("ci"));
    assert!(
        if up { lo > 0.0 } else { hi < 0.0 },
        "{what} should {}: paired difference [{lo}, {hi}]",
        if up { "rise" } else { "fall" }
    );
}

const CHAT: (&str, &str) = ("channels = { phone = 1.0 }", "channels = { chat = 1.0 }");

#[test]
fn chat_concurrency_raises_capacity() {
    let one = variant(&[
        CHAT,
        ("chat_concurrency = 3", "chat_concurrency = 1"),
        ("agents = 18", "agents = 14"),
    ]);
    let three = variant(&[CHAT, ("agents = 18", "agents = 14")]);
    common::moves(&one, &three, "asa_s", false);
    common::moves(&one, &three, "p_abandon", false);
}

#[test]
fn handle_stretch_slows_sessions_at_concurrency() {
    let flat = variant(&[CHAT, ("agents = 18", "agents = 9")]);
    let stretched = with(
        &[CHAT, ("agents = 18", "agents = 9")],
        "\n[channels.chat]\nhandle_stretch = [1.0, 1.4, 1.9]\n",
    );
    common::moves(&flat, &stretched, "aht_s", true);
    common::moves(&flat, &stretched, "asa_s", true);
}

#[test]
fn chat_patience_is_per_channel() {
    let text_patient = BASE
        .replacen(CHAT.0, "channels = { phone = 0.5, chat = 0.5 }", 1)
        .replacen(
            "patience = { dist = \"exponential\", mean = \"3m\" }",
            "patience = { phone = { dist = \"exponential\", mean = \"3m\" }, chat = { dist = \"exponential\", mean = \"10m\" } }",
            1,
        )
        .replacen("agents = 18", "agents = 14", 1);
    let text_hasty = text_patient.replacen("mean = \"10m\"", "mean = \"1m\"", 1);
    let (patient, hasty) = (load(&text_patient), load(&text_hasty));
    paired(
        &channel_values(&patient, "chat", "p_abandon"),
        &channel_values(&hasty, "chat", "p_abandon"),
        "chat abandonment",
        true,
    );
}

const EMAIL: (&str, &str) = (
    "channels = { phone = 1.0 }",
    "channels = { phone = 0.6, email = 0.4 }",
);

#[test]
fn email_backlog_is_conserved_and_answered_later_with_fewer_staff() {
    let target = "\n[channels.email]\ntarget = \"2h\"\n";
    let full = with(&[EMAIL], target);
    let short = with(&[EMAIL, ("agents = 18", "agents = 15")], target);
    for s in [&full, &short] {
        let out = runner::run(s, 2).expect("runs");
        for o in &out.outcomes {
            let v = |m: &str| o.summary[summary_index(m)].expect("defined");
            let arrived = v("email_arrived");
            assert!(arrived > 0.0);
            assert_eq!(
                arrived,
                v("email_answered") + v("email_withdrawn") + v("email_backlog_end"),
                "arrived = answered + withdrawn + still waiting"
            );
        }
    }
    common::moves(&full, &short, "email_within_target", false);
    common::moves(&full, &short, "email_age_mean_s", true);
}

#[test]
fn a_short_email_target_makes_customers_chase() {
    let day = variant(&[EMAIL, ("agents = 18", "agents = 16")]);
    let hour = with(
        &[EMAIL, ("agents = 18", "agents = 16")],
        "\n[channels.email]\ntarget = \"30m\"\n",
    );
    common::moves(&day, &hour, "email_within_target", false);
    common::moves(&day, &hour, "repeat_contacts_per_issue_email_late", true);
}

const CALLBACK: &str =
    "\n[channels.phone]\ncallback = { offer_when_wait_over = \"1m\", accept = 0.7, reach = 1.0 }\n";

#[test]
fn callback_lowers_abandonment() {
    let none = variant(&[("agents = 18", "agents = 16")]);
    let offered = with(&[("agents = 18", "agents = 16")], CALLBACK);
    common::moves(&none, &offered, "p_abandon", false);
    let v = common::values(&offered, "callbacks_accepted");
    assert!(v.iter().all(|x| *x > 0.0), "no callbacks taken: {v:?}");
}

#[test]
fn unreached_callbacks_are_repeat_contacts_and_cost_money() {
    let sure = with(&[("agents = 18", "agents = 16")], CALLBACK);
    let unsure = with(
        &[("agents = 18", "agents = 16")],
        &CALLBACK.replace("reach = 1.0", "reach = 0.5"),
    );
    common::moves(
        &sure,
        &unsure,
        "repeat_contacts_per_issue_callback_missed",
        true,
    );
    let priced = with(
        &[("agents = 18", "agents = 16")],
        &format!("{CALLBACK}\n[cost]\ncallbacks = 2.0\n"),
    );
    common::moves(&sure, &priced, "cost_other", true);
}

const SELF: (&str, &str) = (
    "channels = { phone = 1.0 }",
    "channels = { self_service = 1.0 }",
);

#[test]
fn self_service_removes_its_share_of_live_contacts() {
    let s = variant(&[SELF]);
    let out = runner::run(&s, 2).expect("runs");
    let per_rep = |f: &dyn Fn(&ccsim::stats::Outcome) -> f64| -> (f64, f64) {
        let v: Vec<Option<f64>> = out.outcomes.iter().map(|o| Some(f(o))).collect();
        let sm = summarize(&v, 0.999).expect("reps");
        (sm.ci_low.expect("ci"), sm.ci_high.expect("ci"))
    };
    let contain = per_rep(&|o| o.summary[summary_index("self_service_containment")].expect("x"));
    assert!(
        contain.0 <= 0.4 && 0.4 <= contain.1,
        "containment {contain:?} vs 0.4"
    );
    // Every issue starts in self-service; the ones not contained fall back to the phone at
    // once (repeat contacts of cause self_service): live first contacts per session = 0.6.
    let live_share = per_rep(&|o| {
        let sessions = o.summary[summary_index("self_service_sessions")].expect("sessions");
        let fallbacks = o.summary[summary_index("repeat_contacts_per_issue_self_service")]
            .expect("x")
            * o.summary[summary_index("issues")].expect("issues");
        fallbacks / sessions
    });
    assert!(
        live_share.0 <= 0.6 && 0.6 <= live_share.1,
        "share falling back to the phone {live_share:?} vs 0.6"
    );
}

#[test]
fn self_service_keys_change_cost_effort_and_fallback() {
    let base = variant(&[SELF]);
    let priced = with(
        &[SELF],
        "\n[channels.self_service]\ncost_per_session = 0.8\n",
    );
    common::moves(&base, &priced, "cost_other", true);
    let slow = with(
        &[SELF],
        "\n[channels.self_service]\nduration = { dist = \"constant\", value = \"12m\" }\n",
    );
    common::moves(&base, &slow, "effort", true);
    let to_chat = with(&[SELF], "\n[channels.self_service]\nfallback = \"chat\"\n");
    let chat = channel_values(&to_chat, "chat", "offered");
    assert!(chat.iter().all(|x| *x > 0.0), "chat offers {chat:?}");
    let phone = channel_values(&to_chat, "phone", "offered");
    assert!(phone.iter().all(|x| *x == 0.0), "phone offers {phone:?}");
    let contained_more = variant(&[SELF, ("self_service = 0.4", "self_service = 0.8")]);
    common::moves(&base, &contained_more, "offered", false);
}

const SOCIAL_TEAM: &str = r#"
[[group]]
name = "social"
agents = 4
channels = ["social"]
record_access = false

[channels.social]
group = "social"
redirect = "phone"
"#;

const SOCIAL: (&str, &str) = (
    "channels = { phone = 1.0 }",
    "channels = { phone = 0.7, social = 0.3 }",
);
const CARE_PHONE: (&str, &str) = (
    "channels = [\"phone\", \"chat\", \"email\", \"social\"]",
    "channels = [\"phone\"]",
);

#[test]
fn a_social_team_without_record_access_redirects() {
    let blind = with(&[SOCIAL, CARE_PHONE], SOCIAL_TEAM);
    let sighted = with(
        &[SOCIAL, CARE_PHONE],
        &SOCIAL_TEAM.replace(
            "record_access = false",
            "record_access = true\nskills = { }",
        ),
    );
    let r = common::values(&blind, "repeat_contacts_per_issue_redirected");
    assert!(r.iter().all(|x| *x > 0.0), "no redirects: {r:?}");
    common::moves(&sighted, &blind, "transfers_per_contact", true);
    common::moves(&sighted, &blind, "contacts_per_issue", true);
    let none = common::values(&sighted, "repeat_contacts_per_issue_redirected");
    assert!(
        none.iter().all(|x| *x == 0.0),
        "redirects with access: {none:?}"
    );
}

#[test]
fn siloed_context_makes_redirected_customers_explain_again() {
    let shared = with(&[SOCIAL, CARE_PHONE], SOCIAL_TEAM);
    let siloed = with(
        &[SOCIAL, CARE_PHONE],
        &format!("{SOCIAL_TEAM}\n[policy]\ncontext = \"siloed\"\n"),
    );
    common::moves(&shared, &siloed, "reexplanations_per_issue", true);
}

#[test]
fn public_escalation_moves_satisfaction_and_priority() {
    let plain = with(&[SOCIAL, CARE_PHONE], SOCIAL_TEAM);
    let harsh = with(
        &[SOCIAL, CARE_PHONE],
        &SOCIAL_TEAM.replace(
            "redirect = \"phone\"",
            "redirect = \"phone\"\npublic_escalation = { satisfaction = -0.8 }",
        ),
    );
    common::moves(&plain, &harsh, "satisfaction_mean", false);
    // One team answering phone and posts: posts at a lower priority wait longer.
    let shared_team = variant(&[SOCIAL, ("agents = 18", "agents = 17\nrecord_access = true")]);
    let posts_last = with(
        &[SOCIAL, ("agents = 18", "agents = 17\nrecord_access = true")],
        "\n[channels.social]\npublic_escalation = { priority = 1 }\n",
    );
    paired(
        &channel_values(&shared_team, "social", "asa_s"),
        &channel_values(&posts_last, "social", "asa_s"),
        "social ASA with posts served last",
        true,
    );
}

#[test]
fn customers_switch_channel_on_retry() {
    let stay = variant(&[("agents = 18", "agents = 16")]);
    let switch = variant(&[
        ("agents = 18", "agents = 16"),
        (
            "max_attempts = 4 }",
            "max_attempts = 4, switch = { chat = 0.5 } }",
        ),
    ]);
    assert!(
        channel_values(&stay, "chat", "offered")
            .iter()
            .all(|x| *x == 0.0),
        "no chat without a switch"
    );
    let chat = channel_values(&switch, "chat", "offered");
    assert!(chat.iter().all(|x| *x > 0.0), "chat offers {chat:?}");
}

#[test]
fn callback_offer_threshold_acceptance_and_attempt_time_matter() {
    let at = |cb: &str| {
        with(
            &[("agents = 18", "agents = 16")],
            &CALLBACK.replace("reach = 1.0", cb),
        )
    };
    let base = at("reach = 1.0");
    let later = with(
        &[("agents = 18", "agents = 16")],
        &CALLBACK.replace("\"1m\"", "\"6m\""),
    );
    common::moves(&base, &later, "callbacks_offered", false);
    let reluctant = with(
        &[("agents = 18", "agents = 16")],
        &CALLBACK.replace("accept = 0.7", "accept = 0.2"),
    );
    common::moves(&base, &reluctant, "callbacks_accepted", false);
    let quick = at("reach = 0.3, attempt = \"30s\"");
    let slow = at("reach = 0.3, attempt = \"8m\"");
    common::moves(&quick, &slow, "occupancy", true);
}

#[test]
fn the_social_team_redirects_to_the_configured_channel() {
    let to_chat = with(
        &[
            SOCIAL,
            (
                "channels = [\"phone\", \"chat\", \"email\", \"social\"]",
                "channels = [\"phone\", \"chat\"]",
            ),
        ],
        &SOCIAL_TEAM.replace("redirect = \"phone\"", "redirect = \"chat\""),
    );
    let chat = channel_values(&to_chat, "chat", "offered");
    assert!(chat.iter().all(|x| *x > 0.0), "chat offers {chat:?}");
}

#[test]
fn a_slower_social_reply_keeps_posts_waiting() {
    let quick = with(&[SOCIAL, CARE_PHONE], SOCIAL_TEAM);
    let slow = with(
        &[SOCIAL, CARE_PHONE],
        &SOCIAL_TEAM.replace(
            "redirect = \"phone\"",
            "redirect = \"phone\"\nreply = { dist = \"exponential\", mean = \"8m\" }",
        ),
    );
    paired(
        &channel_values(&quick, "social", "asa_s"),
        &channel_values(&slow, "social", "asa_s"),
        "social ASA with slower replies",
        true,
    );
}
