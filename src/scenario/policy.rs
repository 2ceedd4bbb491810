//! The `[policy]` section: context, re-explanation, AHT target and pressure, transfers.

use super::model::{Context, Policy};
use super::read::Reader;
use super::tree::{Node, Value};

const KEYS: &[&str] = &[
    "context",
    "reexplain",
    "aht_target",
    "aht_pressure",
    "transfer_accuracy",
    "max_transfers",
];
const PLANNED: &[&str] = &["ownership", "partner_mode", "proactive", "upstream_fix"];

/// Read `[policy]`.
pub fn policy(r: &mut Reader, node: &Node) -> Policy {
    let mut p = Policy::default();
    let Some(f) = r.table(node, "policy", KEYS, PLANNED) else {
        return p;
    };
    if let Some(n) = f.get("context") {
        match r.string(n, "policy.context").as_deref() {
            Some("shared") => p.context = Context::Shared,
            Some("siloed") => p.context = Context::Siloed,
            Some(other) => r.error_help(
                n.span,
                "policy.context",
                format!("unknown context \"{other}\""),
                "allowed: \"shared\" (history follows the customer) or \"siloed\" (each agent hears the story again)",
            ),
            None => {}
        }
    }
    if let Some(n) = f.get("reexplain")
        && let Some(rf) = r.table(n, "policy.reexplain", &["handle", "patience"], &[])
    {
        if let Some(t) = rf
            .get("handle")
            .and_then(|n| r.duration(n, &rf.child("handle")))
        {
            p.reexplain_handle = t;
        }
        if let Some(t) = rf
            .get("patience")
            .and_then(|n| r.duration(n, &rf.child("patience")))
        {
            p.reexplain_patience = t;
        }
    }
    if let Some(n) = f.get("aht_target") {
        p.aht_target = match &n.value {
            Value::Str(s) if s == "off" => None,
            _ => r.positive_duration(n, "policy.aht_target"),
        };
    }
    if let Some(v) = f
        .get("aht_pressure")
        .and_then(|n| r.probability(n, "policy.aht_pressure"))
    {
        p.aht_pressure = v;
    }
    if p.aht_pressure > 0.0 && p.aht_target.is_none() {
        let span = f.get("aht_pressure").map_or(f.span, |n| n.span);
        r.error_help(
            span,
            "policy.aht_pressure",
            "AHT pressure is set but there is no AHT target to press towards",
            "add aht_target = \"5m\", or remove aht_pressure",
        );
    }
    if let Some(v) = f
        .get("transfer_accuracy")
        .and_then(|n| r.probability(n, "policy.transfer_accuracy"))
    {
        p.transfer_accuracy = v;
    }
    if let Some(v) = f
        .get("max_transfers")
        .and_then(|n| r.integer(n, "policy.max_transfers", 0, 20))
    {
        p.max_transfers = v as u32;
    }
    p
}
