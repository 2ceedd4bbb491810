//! `[satisfaction]` and `[cost]`: the outcome models' parameters, each with a documented default.

use super::model::{Cost, Satisfaction, SurveyAfter};
use super::read::Reader;
use super::tree::Node;

const WEIGHTS: &[&str] = &[
    "per_extra_contact",
    "per_transfer",
    "per_reexplanation",
    "per_minute_waiting",
    "per_abandon",
    "per_refusal",
    "unresolved",
    "first_contact",
    "proactive",
    "per_follow_up",
];
/// Keys of `[satisfaction]`: the base, the survey and the weights.
pub const SATISFACTION_KEYS: &[&str] = &[
    "base",
    "survey",
    "per_extra_contact",
    "per_transfer",
    "per_reexplanation",
    "per_minute_waiting",
    "per_abandon",
    "per_refusal",
    "unresolved",
    "first_contact",
    "proactive",
    "per_follow_up",
];
/// Keys of `satisfaction.survey`.
pub const SURVEY_KEYS: &[&str] = &["response", "only_answered", "after"];
/// Keys of `[cost]`.
pub const COST_KEYS: &[&str] = &["churn", "callbacks"];
/// Keys of `cost.churn`.
pub const CHURN_KEYS: &[&str] = &["at_score_1", "at_score_5"];

/// Read `[satisfaction]`.
pub fn satisfaction(r: &mut Reader, node: &Node) -> Satisfaction {
    let mut s = Satisfaction::default();
    let Some(f) = r.table(node, "satisfaction", SATISFACTION_KEYS, &[]) else {
        return s;
    };
    if let Some(v) = f
        .get("base")
        .and_then(|n| r.number_in(n, "satisfaction.base", 1.0, 5.0))
    {
        s.base = v;
    }
    for (i, key) in WEIGHTS.iter().enumerate() {
        let Some(v) = f
            .get(key)
            .and_then(|n| r.number_in(n, &f.child(key), 0.0, 4.0))
        else {
            continue;
        };
        let slot = match i {
            0 => &mut s.per_extra_contact,
            1 => &mut s.per_transfer,
            2 => &mut s.per_reexplanation,
            3 => &mut s.per_minute_waiting,
            4 => &mut s.per_abandon,
            5 => &mut s.per_refusal,
            6 => &mut s.unresolved,
            7 => &mut s.first_contact,
            8 => &mut s.proactive,
            _ => &mut s.per_follow_up,
        };
        *slot = v;
    }
    if let Some(n) = f.get("survey") {
        survey(r, n, &mut s);
    }
    s
}

fn survey(r: &mut Reader, n: &Node, s: &mut Satisfaction) {
    let Some(f) = r.table(n, "satisfaction.survey", SURVEY_KEYS, &[]) else {
        return;
    };
    if let Some(v) = f
        .get("response")
        .and_then(|n| r.probability(n, &f.child("response")))
    {
        s.survey_response = v;
    }
    if let Some(v) = f
        .get("only_answered")
        .and_then(|n| r.boolean(n, &f.child("only_answered")))
    {
        s.survey_only_answered = v;
    }
    if let Some(n) = f.get("after") {
        match r.string(n, &f.child("after")).as_deref() {
            Some("contact") => s.survey_after = SurveyAfter::Contact,
            Some("journey") => s.survey_after = SurveyAfter::Journey,
            Some(other) => r.error_help(
                n.span,
                &f.child("after"),
                format!("unknown survey moment \"{other}\""),
                "allowed: \"contact\" (right after a contact coded resolved) or \"journey\" (when the journey ends)",
            ),
            None => {}
        }
    }
}

/// Read `[cost]` on top of `base`.
pub fn cost(r: &mut Reader, node: &Node, base: Cost) -> Cost {
    let mut c = base;
    let Some(f) = r.table(node, "cost", COST_KEYS, &[]) else {
        return c;
    };
    if let Some(v) = f
        .get("callbacks")
        .and_then(|n| r.number_in(n, "cost.callbacks", 0.0, 1e6))
    {
        c.callback = v;
    }
    if let Some(n) = f.get("churn")
        && let Some(cf) = r.table(n, "cost.churn", CHURN_KEYS, &[])
    {
        if let Some(v) = cf
            .get("at_score_1")
            .and_then(|n| r.probability(n, &cf.child("at_score_1")))
        {
            c.churn_at_1 = v;
        }
        if let Some(v) = cf
            .get("at_score_5")
            .and_then(|n| r.probability(n, &cf.child("at_score_5")))
        {
            c.churn_at_5 = v;
        }
    }
    c
}
