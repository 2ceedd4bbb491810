//! `[[partner]]`: third parties that must act on some reasons (a courier collecting a box, a
//! billing house), with their own capacity, hours, lead time, rules and fees.

use super::load::{delay as read_delay, named_items};
use super::model::{Partner, PartnerId};
use super::read::{Reader, suggest};
use super::tree::Node;
use crate::time::parse_clock;

/// Keys of a `[[partner]]`.
pub const PARTNER_KEYS: &[&str] = &[
    "name",
    "agents",
    "hours",
    "delay",
    "handle",
    "resolve",
    "shares_context",
    "allows_exceptions",
    "fee",
];

/// Read every `[[partner]]`.
pub fn partners(r: &mut Reader, node: Option<&Node>) -> Vec<Partner> {
    let Some(node) = node else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, item) in named_items(r, node, "partner") {
        let path = format!("partner[{name}]");
        let Some(f) = r.table(item, &path, PARTNER_KEYS, &[]) else {
            continue;
        };
        let agents = r
            .require(&f, "agents", "5")
            .and_then(|n| r.integer(n, &f.child("agents"), 1, 100_000));
        let handle = r
            .require(&f, "handle", "{ dist = \"exponential\", mean = \"5m\" }")
            .and_then(|n| r.dist(n, &f.child("handle"), false))
            .flatten();
        let delay = match f.get("delay") {
            None => Some(None),
            Some(n) => read_delay(r, n, &f.child("delay")),
        };
        let hours = match f.get("hours") {
            None => Some(None),
            Some(n) => hours(r, n, &f.child("hours")),
        };
        let resolve = f
            .get("resolve")
            .map_or(Some(1.0), |n| r.probability(n, &f.child("resolve")));
        let flag = |r: &mut Reader, key: &str| {
            f.get(key)
                .map_or(Some(false), |n| r.boolean(n, &f.child(key)))
        };
        let (shares_context, allows_exceptions) =
            (flag(r, "shares_context"), flag(r, "allows_exceptions"));
        let fee = f
            .get("fee")
            .map_or(Some(0.0), |n| r.number_in(n, &f.child("fee"), 0.0, 1e9));
        if let (Some(agents), Some(handle), Some(delay), Some(hours), Some(resolve)) =
            (agents, handle, delay, hours, resolve)
            && let (Some(shares_context), Some(allows_exceptions), Some(fee)) =
                (shares_context, allows_exceptions, fee)
        {
            out.push(Partner {
                name,
                agents: agents as u32,
                hours,
                delay,
                handle,
                resolve,
                shares_context,
                allows_exceptions,
                fee,
            });
        }
    }
    out
}

/// Opening hours `"08:00-18:00"`.
fn hours(r: &mut Reader, n: &Node, path: &str) -> Option<Option<(i64, i64)>> {
    let text = r.string(n, path)?;
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((parse_clock(a).ok()?, parse_clock(b).ok()?)));
    match parsed {
        Some((a, b)) if a != b => Some(Some((a, b))),
        _ => {
            r.error_help(
                n.span,
                path,
                format!("\"{text}\" is not a span of opening hours"),
                "write \"HH:MM-HH:MM\", e.g. \"08:00-18:00\"; leave the key out for always open",
            );
            None
        }
    }
}

/// A reference to a partner by name.
pub fn partner_ref(
    r: &mut Reader,
    n: &Node,
    path: &str,
    partners: &[Partner],
) -> Option<PartnerId> {
    let name = r.string(n, path)?;
    match partners.iter().position(|p| p.name == name) {
        Some(i) => Some(PartnerId(i as u16)),
        // A partner defined with a mistake of its own (already reported there) is not missing.
        None if r
            .diags
            .iter()
            .any(|d| d.key_path.starts_with(&format!("partner[{name}]"))) =>
        {
            None
        }
        None => {
            let names: Vec<&str> = partners.iter().map(|p| p.name.as_str()).collect();
            let help = match suggest(&name, names.iter().copied()) {
                Some(c) => format!("did you mean \"{c}\"? partners: {}", names.join(", ")),
                None if names.is_empty() => "define it in a [[partner]] table".into(),
                None => format!("partners: {}", names.join(", ")),
            };
            r.error_help(
                n.span,
                path,
                format!("no partner is named \"{name}\""),
                help,
            );
            None
        }
    }
}
