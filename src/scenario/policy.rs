//! The `[policy]` section: context, re-explanation, AHT target and pressure, transfers.

use super::model::{Context, Ownership, PartnerMode, Policy, Reason};
use super::read::Reader;
use super::tree::{Node, Value};

/// Keys of `[policy]`.
pub const POLICY_KEYS: &[&str] = &[
    "context",
    "reexplain",
    "aht_target",
    "aht_pressure",
    "transfer_accuracy",
    "max_transfers",
    "ownership",
    "follow_up",
    "ownership_handle",
    "partner_mode",
    "proactive",
    "upstream_fix",
];
/// Keys of `policy.reexplain`.
pub const REEXPLAIN_KEYS: &[&str] = &["handle", "patience"];
/// Keys of one `policy.upstream_fix`.
pub const UPSTREAM_FIX_KEYS: &[&str] = &["reason", "share"];

/// Read a string that must be one of `allowed` (with what each means, for the help).
fn choice(r: &mut Reader, n: &Node, path: &str, allowed: &[(&str, &str)]) -> Option<usize> {
    let v = r.string(n, path)?;
    if let Some(i) = allowed.iter().position(|(a, _)| *a == v) {
        return Some(i);
    }
    let list: Vec<String> = allowed
        .iter()
        .map(|(a, m)| format!("\"{a}\" ({m})"))
        .collect();
    r.error_help(
        n.span,
        path,
        format!("unknown value \"{v}\""),
        format!("allowed: {}", list.join(", ")),
    );
    None
}

/// Read `[policy]`.
pub fn policy(r: &mut Reader, node: &Node, reasons: &[Reason]) -> Policy {
    let mut p = Policy {
        upstream_fix: vec![0.0; reasons.len()],
        ..Policy::default()
    };
    let Some(f) = r.table(node, "policy", POLICY_KEYS, &[]) else {
        return p;
    };
    if let Some(n) = f.get("ownership") {
        let allowed = [
            ("hand-off", "each agent passes the case on"),
            ("own", "the first agent's team keeps it to the end"),
        ];
        if let Some(i) = choice(r, n, "policy.ownership", &allowed) {
            p.ownership = [Ownership::HandOff, Ownership::Own][i];
        }
    }
    if let Some(n) = f.get("follow_up")
        && let Some(Some(d)) = r.dist(n, "policy.follow_up", false)
    {
        p.follow_up = d;
    }
    if let Some(t) = f
        .get("ownership_handle")
        .and_then(|n| r.duration(n, "policy.ownership_handle"))
    {
        p.ownership_handle = t;
    }
    if let Some(n) = f.get("partner_mode") {
        let allowed = [
            ("cold", "the customer contacts the partner"),
            ("warm", "the company transfers the customer to the partner"),
            ("owned", "the company hands the work over and follows up"),
        ];
        if let Some(i) = choice(r, n, "policy.partner_mode", &allowed) {
            p.partner_mode = [PartnerMode::Cold, PartnerMode::Warm, PartnerMode::Owned][i];
        }
    }
    if let Some(v) = f
        .get("proactive")
        .and_then(|n| r.probability(n, "policy.proactive"))
    {
        p.proactive = v;
    }
    if let Some(n) = f.get("upstream_fix") {
        upstream_fix(r, n, reasons, &mut p.upstream_fix);
    }
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
        && let Some(rf) = r.table(n, "policy.reexplain", REEXPLAIN_KEYS, &[])
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
        p.aht_target = r.positive_duration_or_off(n, "policy.aht_target").flatten();
    }
    if let Some(v) = f
        .get("aht_pressure")
        .and_then(|n| r.probability(n, "policy.aht_pressure"))
    {
        p.aht_pressure = v;
    }
    // Pressure without any target is a slip (it would do nothing); an explicit
    // `aht_target = "off"` is a policy choice (a sweep turning the target off, say) under which
    // the pressure has nothing to press towards.
    if p.aht_pressure > 0.0 && p.aht_target.is_none() && f.get("aht_target").is_none() {
        let span = f.get("aht_pressure").map_or(f.span, |n| n.span);
        r.error_help(
            span,
            "policy.aht_pressure",
            "AHT pressure is set but there is no AHT target to press towards",
            "add aht_target = \"5m\" (or aht_target = \"off\" to run without one), or remove aht_pressure",
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

/// `upstream_fix = { reason = "where-is-my-box", share = 0.5 }`, or an array of them.
fn upstream_fix(r: &mut Reader, node: &Node, reasons: &[Reason], out: &mut [f64]) {
    let items: Vec<&Node> = match &node.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![node],
    };
    for (i, it) in items.into_iter().enumerate() {
        let path = if matches!(node.value, Value::Array(_)) {
            format!("policy.upstream_fix[{i}]")
        } else {
            "policy.upstream_fix".to_string()
        };
        let Some(f) = r.table(it, &path, UPSTREAM_FIX_KEYS, &[]) else {
            continue;
        };
        let share = r
            .require(&f, "share", "0.5")
            .and_then(|n| r.probability(n, &f.child("share")));
        let Some(n) = r.require(&f, "reason", "\"where-is-my-box\"") else {
            continue;
        };
        let Some(name) = r.string(n, &f.child("reason")) else {
            continue;
        };
        match reasons.iter().position(|x| x.name == name) {
            Some(k) => {
                if let Some(share) = share {
                    out[k] = share;
                }
            }
            None => {
                let names: Vec<&str> = reasons.iter().map(|x| x.name.as_str()).collect();
                let hint = super::read::suggest(&name, names.iter().copied())
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                r.error_help(
                    n.span,
                    &f.child("reason"),
                    format!("no reason is named \"{name}\""),
                    format!("{hint}reasons: {}", names.join(", ")),
                );
            }
        }
    }
}
