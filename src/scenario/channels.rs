//! Channels in scenario files: persona channel shares and switches, per-channel patience, the
//! channels a group serves, and the `[channels.*]` tables.

use super::load::group_ref;
use super::model::*;
use super::read::{Fields, Reader};
use super::tree::{Node, Value};
use crate::dist::Dist;

/// Keys of `[channels.chat]`.
pub const CHAT_KEYS: &[&str] = &["handle_stretch"];
/// Keys of `[channels.email]`.
pub const EMAIL_KEYS: &[&str] = &["target"];
/// Keys of `[channels.social]`.
pub const SOCIAL_KEYS: &[&str] = &["group", "public_escalation", "redirect", "reply"];
/// Keys of `channels.social.public_escalation`.
pub const PUBLIC_ESCALATION_KEYS: &[&str] = &["priority", "satisfaction"];
/// Keys of `[channels.self_service]`.
pub const SELF_SERVICE_KEYS: &[&str] = &["cost_per_session", "fallback", "duration"];
/// Keys of `channels.phone.callback`.
pub const CALLBACK_KEYS: &[&str] = &["offer_when_wait_over", "accept", "reach", "attempt"];

/// Shares per channel, `{ phone = 0.6, chat = 0.3, self_service = 0.1 }`: each in [0, 1].
/// `normalise` scales them to sum 1 (first-contact choice); otherwise they may sum to at most
/// 1 (switch chances).
pub fn shares(
    r: &mut Reader,
    node: &Node,
    path: &str,
    normalise: bool,
) -> Option<[f64; N_CHANNELS]> {
    let f = r.table(node, path, &CHANNEL_NAMES, &[])?;
    let mut out = [0.0; N_CHANNELS];
    let mut ok = true;
    for (i, name) in CHANNEL_NAMES.iter().enumerate() {
        if let Some(n) = f.get(name) {
            match r.probability(n, &f.child(name)) {
                Some(v) => out[i] = v,
                None => ok = false,
            }
        }
    }
    if !ok {
        return None;
    }
    let total: f64 = out.iter().sum();
    if normalise {
        if total <= 0.0 {
            r.error_help(
                node.span,
                path,
                "the channel shares sum to 0",
                "give at least one channel a share above 0, e.g. { phone = 1.0 }",
            );
            return None;
        }
        out.iter_mut().for_each(|x| *x /= total);
    } else if total > 1.0 + 1e-9 {
        r.error_help(
            node.span,
            path,
            format!("the switch chances sum to {total}, more than 1"),
            "each is the chance the next attempt uses that channel; the rest stays on the same channel",
        );
        return None;
    }
    Some(out)
}

/// Patience: one distribution for every live channel, or per channel
/// `{ phone = {...}, chat = {...} }` (channels left out wait forever).
pub fn patience(r: &mut Reader, node: &Node, path: &str) -> Option<[Option<Dist>; N_CHANNELS]> {
    if let Value::Table(entries) = &node.value
        && !entries.is_empty()
        && entries
            .iter()
            .all(|(k, _)| CHANNEL_NAMES.contains(&k.name.as_str()))
    {
        let f = r.table(node, path, &CHANNEL_NAMES, &[])?;
        let mut out: [Option<Dist>; N_CHANNELS] = Default::default();
        let mut ok = true;
        for (i, name) in CHANNEL_NAMES.iter().enumerate() {
            if let Some(n) = f.get(name) {
                match r.dist(n, &f.child(name), true) {
                    Some(d) => out[i] = d,
                    None => ok = false,
                }
            }
        }
        return ok.then_some(out);
    }
    let d = r.dist(node, path, true)?;
    Some(std::array::from_fn(|_| d.clone()))
}

/// A channel by name.
pub fn channel(r: &mut Reader, node: &Node, path: &str) -> Option<Channel> {
    let name = r.string(node, path)?;
    match Channel::from_name(&name) {
        Some(c) => Some(c),
        None => {
            let hint = super::read::suggest(&name, CHANNEL_NAMES.iter().copied())
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            r.error_help(
                node.span,
                path,
                format!("unknown channel \"{name}\""),
                format!("{hint}channels: {}", CHANNEL_NAMES.join(", ")),
            );
            None
        }
    }
}

/// The channels a group serves: `channels = ["phone", "chat"]`. Self-service has no agents.
pub fn group_channels(r: &mut Reader, f: &Fields) -> Option<[bool; N_CHANNELS]> {
    let mut out = [false; N_CHANNELS];
    let Some(n) = f.get("channels") else {
        out[Channel::Phone as usize] = true;
        return Some(out);
    };
    let path = f.child("channels");
    let items = r.array(n, &path)?;
    let mut ok = true;
    for (i, it) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        match channel(r, it, &p) {
            Some(Channel::SelfService) => {
                r.error_help(
                    it.span,
                    &p,
                    "self_service has no agents: a group cannot serve it",
                    "leave it out; configure it under [channels.self_service]",
                );
                ok = false;
            }
            Some(c) => out[c as usize] = true,
            None => ok = false,
        }
    }
    if ok && !out.iter().any(|x| *x) {
        r.error_help(
            n.span,
            &path,
            "the group serves no channel",
            "list at least one, e.g. channels = [\"phone\"]",
        );
        return None;
    }
    ok.then_some(out)
}

/// Read `[channels]` (the phone table is read by the caller).
pub fn read(r: &mut Reader, f: &Fields, s: &mut Scenario) {
    if let Some(n) = f.get("chat")
        && let Some(cf) = r.table(n, "channels.chat", CHAT_KEYS, &[])
        && let Some(sn) = cf.get("handle_stretch")
        && let Some(items) = r.array(sn, "channels.chat.handle_stretch")
    {
        let vals: Vec<Option<f64>> = items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                r.number_in(it, &format!("channels.chat.handle_stretch[{i}]"), 0.1, 20.0)
            })
            .collect();
        if items.is_empty() {
            r.error_help(
                sn.span,
                "channels.chat.handle_stretch",
                "no multipliers given",
                "give one per number of open sessions, e.g. [1.0, 1.25, 1.6]",
            );
        } else if let Some(v) = vals.into_iter().collect::<Option<Vec<f64>>>() {
            // More sessions at once share the agent's attention: each goes no faster.
            match v.windows(2).position(|w| w[1] < w[0]) {
                Some(i) => r.error_help(
                    items[i + 1].span,
                    &format!("channels.chat.handle_stretch[{}]", i + 1),
                    format!(
                        "{} is below the multiplier before it ({}): with more sessions open an agent would work each faster",
                        v[i + 1],
                        v[i]
                    ),
                    "give multipliers that never decrease, e.g. [1.0, 1.25, 1.6]",
                ),
                None => s.chat.handle_stretch = v,
            }
        }
    }
    if let Some(n) = f.get("email")
        && let Some(ef) = r.table(n, "channels.email", EMAIL_KEYS, &[])
        && let Some(t) = ef
            .get("target")
            .and_then(|n| r.positive_duration(n, "channels.email.target"))
    {
        s.email.target = t;
    }
    if let Some(n) = f.get("social")
        && let Some(sf) = r.table(n, "channels.social", SOCIAL_KEYS, &[])
    {
        if let Some(g) = sf.get("group") {
            s.social.group = group_ref(r, g, "channels.social.group", &s.groups);
        }
        if let Some(dn) = sf.get("reply")
            && let Some(Some(d)) = r.dist(dn, "channels.social.reply", false)
        {
            s.social.reply = d;
        }
        if let Some(rn) = sf.get("redirect") {
            match channel(r, rn, "channels.social.redirect") {
                Some(c) if c == Channel::Social || c == Channel::SelfService => r.error_help(
                    rn.span,
                    "channels.social.redirect",
                    format!("the social team cannot redirect to {}", c.name()),
                    "redirect to \"phone\", \"chat\" or \"email\"",
                ),
                Some(c) => s.social.redirect = c,
                None => {}
            }
        }
        if let Some(pn) = sf.get("public_escalation")
            && let Some(pf) = r.table(
                pn,
                "channels.social.public_escalation",
                PUBLIC_ESCALATION_KEYS,
                &[],
            )
        {
            if let Some(v) = pf
                .get("priority")
                .and_then(|n| r.integer(n, &pf.child("priority"), 0, 9))
            {
                s.social.priority = Some(v as u8);
            }
            if let Some(v) = pf
                .get("satisfaction")
                .and_then(|n| r.number_in(n, &pf.child("satisfaction"), -4.0, 4.0))
            {
                s.social.satisfaction = v;
            }
        }
    }
    if let Some(n) = f.get("self_service")
        && let Some(sf) = r.table(n, "channels.self_service", SELF_SERVICE_KEYS, &[])
    {
        if let Some(v) = sf
            .get("cost_per_session")
            .and_then(|n| r.number_in(n, "channels.self_service.cost_per_session", 0.0, 1e6))
        {
            s.self_service.cost_per_session = v;
        }
        if let Some(fb) = sf.get("fallback") {
            match channel(r, fb, "channels.self_service.fallback") {
                Some(Channel::SelfService) => r.error_help(
                    fb.span,
                    "channels.self_service.fallback",
                    "self-service cannot fall back to itself",
                    "fall back to \"phone\", \"chat\", \"email\" or \"social\"",
                ),
                Some(c) => s.self_service.fallback = c,
                None => {}
            }
        }
        if let Some(dn) = sf.get("duration")
            && let Some(Some(d)) = r.dist(dn, "channels.self_service.duration", false)
        {
            s.self_service.duration = d;
        }
    }
}

/// Read `channels.phone.callback`.
pub fn callback(r: &mut Reader, node: &Node) -> Option<Callback> {
    const P: &str = "channels.phone.callback";
    let f = r.table(node, P, CALLBACK_KEYS, &[])?;
    let over = r
        .require(&f, "offer_when_wait_over", "offer_when_wait_over = \"5m\"")
        .and_then(|n| r.duration(n, &f.child("offer_when_wait_over")));
    let accept = r
        .require(&f, "accept", "accept = 0.6")
        .and_then(|n| r.probability(n, &f.child("accept")));
    let reach = f
        .get("reach")
        .map_or(Some(0.9), |n| r.probability(n, &f.child("reach")));
    let attempt = f.get("attempt").map_or(Some(crate::time::MINUTE), |n| {
        r.duration(n, &f.child("attempt"))
    });
    Some(Callback {
        offer_when_wait_over: over?,
        accept: accept?,
        reach: reach?,
        attempt: attempt?,
    })
}

/// Every channel customers use has someone to answer it.
pub fn check_served(r: &mut Reader, s: &Scenario, node: &Node) {
    let used = s.channels_used();
    for ch in Channel::ALL {
        if !used[ch as usize] || ch == Channel::SelfService {
            continue;
        }
        let served = s.groups.iter().any(|g| g.channels[ch as usize])
            || (ch == Channel::Social && s.social.group.is_some());
        if served && ch != Channel::Social {
            // Each reason must find a group with its skill on the channel, or it waits forever.
            for reason in &s.reasons {
                if !s
                    .groups
                    .iter()
                    .any(|g| g.proficiency(reason.skill).is_some())
                {
                    continue; // reported on the reason itself
                }
                let able = s
                    .groups
                    .iter()
                    .any(|g| g.channels[ch as usize] && g.proficiency(reason.skill).is_some());
                if !able {
                    let skill = reason
                        .skill
                        .map_or("(none)", |k| s.skills[k.0 as usize].as_str());
                    r.error_help(
                        node.span,
                        "group",
                        format!(
                            "reason \"{}\" comes by {} but no group serving {} has its skill \"{skill}\"",
                            reason.name,
                            ch.name(),
                            ch.name()
                        ),
                        format!(
                            "add skill \"{skill}\" to a group serving {}, or add \"{}\" to the channels of a group with the skill",
                            ch.name(),
                            ch.name()
                        ),
                    );
                }
            }
        }
        if !served {
            r.error_help(
                node.span,
                "group",
                format!(
                    "customers get in touch by {} but no group serves it",
                    ch.name()
                ),
                format!(
                    "add \"{}\" to a group's channels, e.g. channels = [\"phone\", \"{}\"]{}",
                    ch.name(),
                    ch.name(),
                    if ch == Channel::Social {
                        ", or name the team in [channels.social] group = \"...\""
                    } else {
                        ""
                    }
                ),
            );
        }
    }
}
