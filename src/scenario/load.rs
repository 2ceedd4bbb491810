//! Walks a scenario tree section by section into a typed `Scenario`, collecting every problem.

use super::model::*;
use super::read::{Fields, Reader, join, suggest};
use super::tree::{Node, Span, Value};
use crate::dist::Dist;
use crate::time::{DAY, MINUTE, TICKS_PER_SECOND, Ticks, format_duration};

/// Keys of the top level. `$schema` (where an editor finds the JSON Schema) is accepted and
/// ignored; `include` is resolved before the walk (`include::resolve` merges the included files
/// and removes the key).
pub const TOP_KEYS: &[&str] = &[
    "scenario",
    "arrivals",
    "persona",
    "reason",
    "group",
    "channels",
    "routing",
    "policy",
    "partner",
    "satisfaction",
    "cost",
    "include",
    "$schema",
];
/// Top-level keys that are part of the format but not modelled yet (rejected).
pub const TOP_PLANNED: &[&str] = &[];
/// Keys of `[scenario]`.
pub const SCENARIO_KEYS: &[&str] = &[
    "name",
    "description",
    "seed",
    "replications",
    "horizon",
    "warmup",
    "interval",
    "sl_threshold",
    "drain",
];
/// Keys of `[arrivals]`.
pub const ARRIVALS_KEYS: &[&str] = &[
    "rate",
    "profile",
    "file",
    "weekday_factors",
    "overdispersion",
];
/// Keys of `[arrivals]` that are part of the format but not modelled yet (rejected): none.
pub const ARRIVALS_PLANNED: &[&str] = &[];
/// Keys of a `[[persona]]`.
pub const PERSONA_KEYS: &[&str] = &[
    "name",
    "share",
    "channels",
    "patience",
    "persistence",
    "effort_tolerance",
    "value",
    "satisfaction",
];
/// Keys of a persona's `persistence` table.
pub const PERSISTENCE_KEYS: &[&str] = &["retry", "delay", "max_attempts", "switch"];
/// Keys of a `[[reason]]`.
pub const REASON_KEYS: &[&str] = &[
    "name",
    "share",
    "skill",
    "handle",
    "wrapup",
    "resolve",
    "authority",
    "concession",
    "triage",
    "misroute",
    "partner",
    "avoidable",
    "detectable",
    "self_service",
];
/// Keys of a `[[group]]`.
pub const GROUP_KEYS: &[&str] = &[
    "name",
    "skills",
    "channels",
    "agents",
    "staffing",
    "shrinkage",
    "cost_per_hour",
    "authority",
    "concession_budget",
    "shifts",
    "chat_concurrency",
    "record_access",
];
/// Keys of `[channels.phone]`.
pub const PHONE_KEYS: &[&str] = &["lines", "ivr", "misroute", "cost_per_minute", "callback"];
/// Keys of the table form of `channels.phone.misroute`.
pub const MISROUTE_KEYS: &[&str] = &["chance", "to"];
/// Keys of `[routing]`.
pub const ROUTING_KEYS: &[&str] = &["policy", "priorities", "overflow"];
/// Keys of one `routing.overflow` rule.
pub const OVERFLOW_KEYS: &[&str] = &["from", "to", "after", "proficiency"];
/// Waiting a customer takes without minding, by default (a stated assumption).
const DEFAULT_TOLERANCE: Ticks = 2 * MINUTE;

/// Build a scenario from a parsed tree. `default_name` is used when `scenario.name` is absent.
pub fn scenario(r: &mut Reader, root: &Node, default_name: &str) -> Option<Scenario> {
    // A sweep file given where a scenario is expected: one error saying so, not one per
    // section it lacks.
    if let Value::Table(entries) = &root.value
        && let Some((key, _)) = entries.iter().find(|(k, _)| k.name == "sweep")
    {
        r.error_help(
            key.span,
            "sweep",
            "this is a sweep file (it has a [sweep] section), not a scenario",
            "run it with `ccsim sweep FILE --out DIR` (`ccsim validate` checks it as a sweep); `ccsim run` takes scenario files",
        );
        return None;
    }
    let top = r.table(root, "", TOP_KEYS, TOP_PLANNED)?;
    let mut s = head(r, top.get("scenario"), default_name);
    let day_slots = (DAY / s.interval.max(1)) as usize;
    if let Some(a) = arrivals(r, top.get("arrivals"), s.interval) {
        s.arrivals = a;
    }
    s.personas = personas(r, top.get("persona"));
    let skills = collect_skills(&top);
    s.skills = skills;
    s.partners = super::partner::partners(r, top.get("partner"));
    s.reasons = reasons(r, top.get("reason"), &s.skills, &s.partners);
    let mut staff_spans = Vec::new();
    s.groups = groups(r, &top, &s.skills, day_slots, &mut staff_spans);
    if let Some(ch) = top.get("channels") {
        channels(r, ch, &mut s);
    }
    if let Some(p) = top.get("policy") {
        s.policy = super::policy::policy(r, p, &s.reasons);
    }
    if let Some(n) = top.get("satisfaction") {
        s.satisfaction = super::outcomes::satisfaction(r, n);
    }
    if let Some(n) = top.get("cost") {
        s.cost = super::outcomes::cost(r, n, s.cost.clone());
    }
    s.routing = routing(r, top.get("routing"), &s);
    if let Some(n) = top.get("group") {
        super::channels::check_served(r, &s, n);
    }
    if let Some(p) = s.social.priority {
        s.routing.levels = s.routing.levels.max(p + 1);
    }
    if r.diags.is_empty() {
        super::staffing::build_plans(r, &mut s, &staff_spans);
    }
    check_names(r, &top);
    Some(s)
}

fn head(r: &mut Reader, node: Option<&Node>, default_name: &str) -> Scenario {
    let mut s = Scenario {
        name: default_name.to_string(),
        description: String::new(),
        seed: 1,
        replications: 10,
        horizon: DAY,
        warmup: 0,
        interval: 30 * MINUTE,
        sl_threshold: 20 * TICKS_PER_SECOND,
        drain: 7 * DAY,
        arrivals: Arrivals {
            profile: vec![0.0; 48],
            days: 1,
            weekday_factors: [1.0; 7],
            overdispersion: 0.0,
        },
        personas: Vec::new(),
        reasons: Vec::new(),
        skills: Vec::new(),
        groups: Vec::new(),
        phone: Phone::default(),
        chat: Chat::default(),
        email: Email::default(),
        social: Social::default(),
        self_service: SelfService::default(),
        routing: Routing::default(),
        policy: Policy::default(),
        partners: Vec::new(),
        satisfaction: Satisfaction::default(),
        cost: Cost::default(),
        max_in_flight: crate::guard::max_in_flight(),
    };
    let Some(f) = node.and_then(|n| r.table(n, "scenario", SCENARIO_KEYS, &[])) else {
        return s;
    };
    if let Some(n) = f.get("name")
        && let Some(v) = r.string(n, "scenario.name")
    {
        if valid_name(&v) {
            s.name = v;
        } else {
            r.error_help(
                n.span,
                "scenario.name",
                format!("\"{v}\" cannot name a scenario"),
                "use letters, digits, '-', '_' or '.', e.g. \"baseline\"",
            );
        }
    }
    if let Some(v) = f
        .get("description")
        .and_then(|n| r.string(n, "scenario.description"))
    {
        s.description = v;
    }
    if let Some(v) = f.get("seed").and_then(|n| r.seed(n, "scenario.seed")) {
        s.seed = v;
    }
    if let Some(v) = f
        .get("replications")
        .and_then(|n| r.integer(n, "scenario.replications", 1, 100_000))
    {
        s.replications = v as u32;
    }
    let dur = |r: &mut Reader, key: &str, positive: bool| -> Option<Ticks> {
        let n = f.get(key)?;
        if positive {
            r.positive_duration(n, &f.child(key))
        } else {
            r.duration(n, &f.child(key))
        }
    };
    if let Some(t) = dur(r, "interval", true) {
        if DAY % t != 0 || t < MINUTE {
            let n = f.get("interval").map(|n| n.span).unwrap_or_default();
            r.error_help(
                n,
                "scenario.interval",
                format!(
                    "\"{}\" cannot be the interval: it must be at least 1 minute and divide a day into whole intervals",
                    format_duration(t)
                ),
                "use an interval such as \"15m\", \"30m\" or \"1h\"",
            );
        } else {
            s.interval = t;
        }
    }
    if let Some(t) = dur(r, "horizon", true) {
        s.horizon = t;
    }
    if let Some(t) = dur(r, "warmup", false) {
        s.warmup = t;
    }
    if let Some(t) = dur(r, "sl_threshold", false) {
        s.sl_threshold = t;
    }
    if let Some(t) = dur(r, "drain", false) {
        s.drain = t;
    }
    s
}

/// Whether a name can appear in results and key paths.
pub fn valid_name(v: &str) -> bool {
    v.chars().next().is_some_and(char::is_alphanumeric)
        && v.len() <= 100
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
        && !v.starts_with(' ')
        && !v.ends_with(' ')
}

fn arrivals(r: &mut Reader, node: Option<&Node>, interval: Ticks) -> Option<Arrivals> {
    let Some(node) = node else {
        r.diags.push(
            r.src
                .diag(Default::default(), "arrivals", "missing section [arrivals]")
                .with_help("add [arrivals] with rate = \"100/h\" (or a profile)"),
        );
        return None;
    };
    let f = r.table(node, "arrivals", ARRIVALS_KEYS, ARRIVALS_PLANNED)?;
    let slots = (DAY / interval) as usize;
    let (rate, prof, file) = (f.get("rate"), f.get("profile"), f.get("file"));
    let profile = match (rate, prof, file) {
        (Some(_), Some(p), _) => {
            r.error_help(
                p.span,
                "arrivals.profile",
                "both `rate` and `profile` are given",
                "keep one of them",
            );
            None
        }
        (Some(_), None, Some(n)) | (None, Some(_), Some(n)) => {
            let other = if rate.is_some() { "rate" } else { "profile" };
            r.error_help(
                n.span,
                "arrivals.file",
                format!("both `{other}` and `file` are given"),
                "keep one of them: the file replaces the rate or profile",
            );
            None
        }
        (Some(n), None, None) => r.rate(n, "arrivals.rate").map(|v| (vec![v; slots], 1)),
        (None, Some(p), None) => profile(r, p, slots, interval).map(|v| (v, 1)),
        (None, None, Some(n)) => {
            super::rates_file::read_rates_file(r, n, interval).map(|t| (t.profile, t.days))
        }
        (None, None, None) => {
            r.error_help(
                f.span,
                "arrivals.rate",
                "missing the arrival rate",
                "add rate = \"1000/h\", profile = [one rate per interval of the day], or file = \"rates.csv\"",
            );
            None
        }
    };
    let (profile, days) = profile.unwrap_or_else(|| (Vec::new(), 1));
    let mut a = Arrivals {
        profile,
        days,
        weekday_factors: [1.0; 7],
        overdispersion: 0.0,
    };
    if let Some(n) = f.get("weekday_factors")
        && let Some(items) = r.array(n, "arrivals.weekday_factors")
    {
        if items.len() != 7 {
            r.error_help(
                n.span,
                "arrivals.weekday_factors",
                format!("found {} factors, expected 7", items.len()),
                "give one factor per day, Monday first: [1.1, 1.0, 1.0, 1.0, 0.9, 0.5, 0.4]",
            );
        } else {
            for (i, it) in items.iter().enumerate() {
                if let Some(v) =
                    r.number_in(it, &format!("arrivals.weekday_factors[{i}]"), 0.0, 1000.0)
                {
                    a.weekday_factors[i] = v;
                }
            }
        }
    }
    if let Some(v) = f
        .get("overdispersion")
        .and_then(|n| r.number_in(n, "arrivals.overdispersion", 0.0, 10.0))
    {
        a.overdispersion = v;
    }
    // The busiest moment must stay under the rate cap, weekday factors included.
    let peak = a.peak_rate();
    if peak > super::read::MAX_RATE_PER_SECOND {
        let span = f.get("weekday_factors").map_or(f.span, |n| n.span);
        r.error_help(
            span,
            "arrivals.weekday_factors",
            format!(
                "the busiest interval comes to {:.0}/h with the weekday factors, more than ccsim accepts (at most 1000000/h)",
                peak * 3600.0
            ),
            "lower the rate or the largest weekday factor",
        );
    }
    Some(a)
}

fn profile(r: &mut Reader, node: &Node, slots: usize, interval: Ticks) -> Option<Vec<f64>> {
    let items = r.array(node, "arrivals.profile")?;
    if items.len() != slots {
        r.error_help(
            node.span,
            "arrivals.profile",
            format!(
                "found {} rates, but a day has {slots} intervals of {}",
                items.len(),
                format_duration(interval)
            ),
            if !items.is_empty()
                && DAY % items.len() as i64 == 0
                && DAY / items.len() as i64 >= MINUTE
            {
                format!(
                    "give exactly {slots} rates, or change scenario.interval to \"{}\"",
                    format_duration(DAY / items.len() as i64)
                )
            } else {
                format!("give exactly {slots} rates, one per interval of the day")
            },
        );
        return None;
    }
    let mut out = Vec::with_capacity(slots);
    for (i, it) in items.iter().enumerate() {
        out.push(r.rate(it, &format!("arrivals.profile[{i}]"))?);
    }
    Some(out)
}

/// The `[[section]]` tables with their names; reports missing and duplicate names.
pub fn named_items<'n>(r: &mut Reader, node: &'n Node, section: &str) -> Vec<(String, &'n Node)> {
    let items: &[Node] = match &node.value {
        Value::Array(items) => items,
        Value::Table(_) => std::slice::from_ref(node),
        _ => {
            r.error_help(
                node.span,
                section,
                format!("expected [[{section}]] tables, found {}", node.value.kind()),
                format!("write each one as a [[{section}]] table"),
            );
            return Vec::new();
        }
    };
    let mut out: Vec<(String, &Node)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let name = match &it.value {
            Value::Table(entries) => entries
                .iter()
                .find(|(k, _)| k.name == "name")
                .map(|(_, v)| v),
            _ => None,
        };
        let label = match name.map(|n| &n.value) {
            Some(Value::Str(s)) if valid_name(s) => s.clone(),
            Some(_) => {
                let span = name.map(|n| n.span).unwrap_or(it.span);
                r.error_help(
                    span,
                    &format!("{section}[{i}].name"),
                    "not a usable name",
                    "use letters, digits, '-', '_' or '.', e.g. \"billing\"",
                );
                i.to_string()
            }
            None => {
                r.error_help(
                    it.span,
                    &format!("{section}[{i}].name"),
                    format!("this {section} has no name"),
                    "add name = \"...\"",
                );
                i.to_string()
            }
        };
        if let Some((_, prev)) = out.iter().find(|(n, _)| *n == label && name.is_some()) {
            let (line, _) = r.src.line_col(prev.span.start);
            r.error_help(
                it.span,
                &format!("{section}[{label}]"),
                format!("duplicate {section} name \"{label}\" (first defined on line {line})"),
                "give every one a different name",
            );
        }
        out.push((label, it));
    }
    out
}

fn personas(r: &mut Reader, node: Option<&Node>) -> Vec<Persona> {
    let Some(node) = node else {
        return vec![Persona {
            name: "everyone".into(),
            share: 1.0,
            channels: phone_only(),
            patience: Default::default(),
            persistence: Persistence::default(),
            effort_tolerance: DEFAULT_TOLERANCE,
            value: 0.0,
            satisfaction: None,
        }];
    };
    let mut out = Vec::new();
    for (name, item) in named_items(r, node, "persona") {
        let path = format!("persona[{name}]");
        let Some(f) = r.table(item, &path, PERSONA_KEYS, &[]) else {
            continue;
        };
        let share = f
            .get("share")
            .map(|n| r.number_in(n, &f.child("share"), 0.0, 1e9))
            .unwrap_or(Some(1.0));
        let channels = match f.get("channels") {
            Some(ch) => super::channels::shares(r, ch, &f.child("channels"), true),
            None => Some(phone_only()),
        };
        let patience = f
            .get("patience")
            .map(|n| super::channels::patience(r, n, &f.child("patience")))
            .unwrap_or(Some(Default::default()));
        let persistence = f
            .get("persistence")
            .map(|n| persistence(r, n, &f.child("persistence")))
            .unwrap_or(Some(Persistence::default()));
        let tolerance = f
            .get("effort_tolerance")
            .map_or(Some(DEFAULT_TOLERANCE), |n| {
                r.duration(n, &f.child("effort_tolerance"))
            });
        let value = f
            .get("value")
            .map_or(Some(0.0), |n| r.number_in(n, &f.child("value"), 0.0, 1e12));
        let satisfaction = match f.get("satisfaction") {
            None => Some(None),
            Some(n) => r.number_in(n, &f.child("satisfaction"), 1.0, 5.0).map(Some),
        };
        if let (Some(share), Some(patience), Some(persistence), Some(channels)) =
            (share, patience, persistence, channels)
            && let (Some(effort_tolerance), Some(value), Some(satisfaction)) =
                (tolerance, value, satisfaction)
        {
            out.push(Persona {
                name,
                share,
                channels,
                patience,
                persistence,
                effort_tolerance,
                value,
                satisfaction,
            });
        }
    }
    normalise(
        r,
        node,
        "persona",
        out.iter().map(|p| p.share).collect::<Vec<_>>(),
    )
    .into_iter()
    .zip(out)
    .map(|(s, mut p)| {
        p.share = s;
        p
    })
    .collect()
}

fn normalise(r: &mut Reader, node: &Node, section: &str, shares: Vec<f64>) -> Vec<f64> {
    let total: f64 = shares.iter().sum();
    if shares.is_empty() {
        return shares;
    }
    if total <= 0.0 {
        r.error_help(
            node.span,
            &format!("{section}.share"),
            format!("the shares of all {section}s sum to 0"),
            "give at least one a share above 0 (shares are normalised)",
        );
        return shares;
    }
    shares.iter().map(|s| s / total).collect()
}

/// Channel shares with everything on the phone.
fn phone_only() -> [f64; N_CHANNELS] {
    let mut out = [0.0; N_CHANNELS];
    out[Channel::Phone as usize] = 1.0;
    out
}

fn persistence(r: &mut Reader, node: &Node, path: &str) -> Option<Persistence> {
    let f = r.table(node, path, PERSISTENCE_KEYS, &[])?;
    let mut p = Persistence {
        retry: 0.0,
        delay: Dist::Constant { value: 0.0 },
        max_attempts: 3,
        switch: [0.0; N_CHANNELS],
    };
    if let Some(v) = f
        .get("retry")
        .and_then(|n| r.probability(n, &f.child("retry")))
    {
        p.retry = v;
    }
    if let Some(n) = f.get("delay") {
        if let Some(Some(d)) = delay(r, n, &f.child("delay")) {
            p.delay = d;
        }
    } else if p.retry > 0.0 {
        r.error_help(
            f.span,
            &f.child("delay"),
            "a retry chance is given but no delay",
            "add delay = { dist = \"exponential\", mean = \"30m\" }",
        );
    }
    if let Some(v) = f
        .get("max_attempts")
        .and_then(|n| r.integer(n, &f.child("max_attempts"), 1, 1000))
    {
        p.max_attempts = v as u32;
    }
    if let Some(n) = f.get("switch") {
        p.switch = super::channels::shares(r, n, &f.child("switch"), false)?;
    }
    Some(p)
}

/// A delay: a distribution, or a plain duration (`"2h"`) for a constant one.
pub fn delay(r: &mut Reader, n: &Node, path: &str) -> Option<Option<Dist>> {
    match &n.value {
        Value::Str(_) | Value::Int(_) | Value::Float(_) => r
            .duration(n, path)
            .map(|t| Dist::constant(crate::time::ticks_to_secs(t)).ok()),
        _ => r.dist(n, path, false),
    }
}

fn collect_skills(top: &Fields) -> Vec<String> {
    let mut skills: Vec<String> = Vec::new();
    let Some(groups) = top.get("group") else {
        return skills;
    };
    let items: Vec<&Node> = match &groups.value {
        Value::Array(items) => items.iter().collect(),
        _ => vec![groups],
    };
    for g in items {
        let Value::Table(entries) = &g.value else {
            continue;
        };
        let Some((_, sk)) = entries.iter().find(|(k, _)| k.name == "skills") else {
            continue;
        };
        let Value::Table(sk) = &sk.value else {
            continue;
        };
        for (k, _) in sk {
            if !skills.contains(&k.name) {
                skills.push(k.name.clone());
            }
        }
    }
    skills
}

fn reasons(
    r: &mut Reader,
    node: Option<&Node>,
    skills: &[String],
    partners: &[Partner],
) -> Vec<Reason> {
    let Some(node) = node else {
        r.diags.push(r.src.diag(Default::default(), "reason", "missing [[reason]]: at least one contact reason is needed")
            .with_help("add [[reason]] with name = \"general\" and handle = { dist = \"exponential\", mean = \"3m\" }"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, item) in named_items(r, node, "reason") {
        let path = format!("reason[{name}]");
        let Some(f) = r.table(item, &path, REASON_KEYS, &[]) else {
            continue;
        };
        let share = f
            .get("share")
            .map(|n| r.number_in(n, &f.child("share"), 0.0, 1e9))
            .unwrap_or(Some(1.0));
        let skill = match f.get("skill") {
            None => Some(None),
            Some(n) => r.string(n, &f.child("skill")).and_then(|s| {
                match skills.iter().position(|k| *k == s) {
                    Some(i) => Some(Some(SkillId(i as u16))),
                    None => {
                        let help = match suggest(&s, skills.iter().map(String::as_str)) {
                            Some(c) => format!(
                                "did you mean \"{c}\"? skills the groups have: {}",
                                skills.join(", ")
                            ),
                            None if skills.is_empty() => {
                                "no group lists any skills; add skills = { name = 1.0 } to a group"
                                    .into()
                            }
                            None => format!("skills the groups have: {}", skills.join(", ")),
                        };
                        r.error_help(
                            n.span,
                            &f.child("skill"),
                            format!("no group has the skill \"{s}\""),
                            help,
                        );
                        None
                    }
                }
            }),
        };
        let handle = r
            .require(&f, "handle", "{ dist = \"exponential\", mean = \"3m\" }")
            .and_then(|n| r.dist(n, &f.child("handle"), false))
            .flatten();
        let wrapup = match f.get("wrapup") {
            None => Some(None),
            Some(n) => r.dist(n, &f.child("wrapup"), false),
        };
        let resolve = f
            .get("resolve")
            .map(|n| r.probability(n, &f.child("resolve")))
            .unwrap_or(Some(1.0));
        let authority = f
            .get("authority")
            .map(|n| r.integer(n, &f.child("authority"), 0, 100))
            .unwrap_or(Some(0));
        let concession = match f.get("concession") {
            None => Some(None),
            Some(n) => r.number_in(n, &f.child("concession"), 0.0, 1e9).map(Some),
        };
        let triage = match f.get("triage") {
            None => Some(None),
            Some(n) => r.dist(n, &f.child("triage"), false),
        };
        let misroute = match f.get("misroute") {
            None => Some(None),
            Some(n) => r.probability(n, &f.child("misroute")).map(Some),
        };
        let partner = match f.get("partner") {
            None => Some(None),
            Some(n) => super::partner::partner_ref(r, n, &f.child("partner"), partners).map(Some),
        };
        let share_of = |r: &mut Reader, key: &str| {
            f.get(key)
                .map(|n| r.probability(n, &f.child(key)))
                .unwrap_or(Some(if key == "avoidable" { 1.0 } else { 0.0 }))
        };
        let (avoidable, detectable) = (share_of(r, "avoidable"), share_of(r, "detectable"));
        let self_service = share_of(r, "self_service");
        if let (
            Some(share),
            Some(skill),
            Some(handle),
            Some(wrapup),
            Some(resolve),
            Some(authority),
            Some(concession),
            Some(triage),
            Some(misroute),
            Some(partner),
            Some(avoidable),
            Some(detectable),
            Some(self_service),
        ) = (
            share,
            skill,
            handle,
            wrapup,
            resolve,
            authority,
            concession,
            triage,
            misroute,
            partner,
            avoidable,
            detectable,
            self_service,
        ) {
            out.push(Reason {
                name,
                share,
                skill,
                handle,
                wrapup,
                resolve,
                authority: authority as u32,
                concession,
                triage,
                misroute,
                partner,
                avoidable,
                detectable,
                self_service,
            });
        }
    }
    normalise(
        r,
        node,
        "reason",
        out.iter().map(|x| x.share).collect::<Vec<_>>(),
    )
    .into_iter()
    .zip(out)
    .map(|(s, mut x)| {
        x.share = s;
        x
    })
    .collect()
}

fn groups(
    r: &mut Reader,
    top: &Fields,
    skills: &[String],
    slots: usize,
    spans: &mut Vec<Span>,
) -> Vec<Group> {
    let Some(node) = top.get("group") else {
        r.diags.push(
            r.src
                .diag(
                    Default::default(),
                    "group",
                    "missing [[group]]: at least one agent group is needed",
                )
                .with_help("add [[group]] with name = \"agents\" and agents = 10"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, item) in named_items(r, node, "group") {
        let path = format!("group[{name}]");
        let Some(f) = r.table(item, &path, GROUP_KEYS, &[]) else {
            spans.push(item.span);
            out.push(Group::named(name));
            continue;
        };
        let mut g = Group::named(name);
        if let Some(n) = f.get("skills")
            && let Some(sf) = r.table(
                n,
                &f.child("skills"),
                &skills.iter().map(String::as_str).collect::<Vec<_>>(),
                &[],
            )
        {
            for (i, s) in skills.iter().enumerate() {
                if let Some(v) = sf
                    .get(s)
                    .and_then(|n| r.number_in(n, &sf.child(s), 0.01, 100.0))
                {
                    g.skills.push((SkillId(i as u16), v));
                }
            }
        }
        if let Some(ch) = super::channels::group_channels(r, &f) {
            g.channels = ch;
        }
        if let Some(v) = f
            .get("chat_concurrency")
            .and_then(|n| r.integer(n, &f.child("chat_concurrency"), 1, 20))
        {
            g.chat_concurrency = v as u32;
        }
        if let Some(v) = f
            .get("record_access")
            .and_then(|n| r.boolean(n, &f.child("record_access")))
        {
            g.record_access = v;
        }
        match super::staffing::read(r, &f, slots) {
            Some((st, span)) => {
                g.staffing = st;
                spans.push(span);
            }
            None => spans.push(f.span),
        }
        if let Some(v) = f
            .get("shrinkage")
            .and_then(|n| r.number_in(n, &f.child("shrinkage"), 0.0, 0.99))
        {
            g.shrinkage = v;
        }
        if let Some(v) = f
            .get("cost_per_hour")
            .and_then(|n| r.number_in(n, &f.child("cost_per_hour"), 0.0, 1e9))
        {
            g.cost_per_hour = v;
        }
        if let Some(v) = f
            .get("authority")
            .and_then(|n| r.integer(n, &f.child("authority"), 0, 100))
        {
            g.authority = v as u32;
        }
        if let Some(v) = f
            .get("concession_budget")
            .and_then(|n| r.number_in(n, &f.child("concession_budget"), 0.0, 1e9))
        {
            g.concession_budget = v;
        }
        out.push(g);
    }
    out
}

fn channels(r: &mut Reader, node: &Node, s: &mut Scenario) {
    let Some(f) = r.table(node, "channels", &CHANNEL_NAMES, &[]) else {
        return;
    };
    super::channels::read(r, &f, s);
    let Some(p) = f.get("phone") else {
        return;
    };
    s.phone = phone(r, p, &s.groups);
}

fn phone(r: &mut Reader, p: &Node, groups: &[Group]) -> Phone {
    let mut phone = Phone::default();
    let Some(pf) = r.table(p, "channels.phone", PHONE_KEYS, &[]) else {
        return phone;
    };
    if let Some(n) = pf.get("callback") {
        phone.callback = super::channels::callback(r, n);
    }
    if let Some(v) = pf
        .get("lines")
        .and_then(|n| r.integer(n, "channels.phone.lines", 1, 10_000_000))
    {
        phone.lines = Some(v as u32);
    }
    if let Some(n) = pf.get("ivr") {
        phone.ivr = match &n.value {
            Value::Str(_) | Value::Int(_) | Value::Float(_) => {
                r.duration(n, "channels.phone.ivr").map(|t| Dist::Constant {
                    value: crate::time::ticks_to_secs(t),
                })
            }
            _ => r.dist(n, "channels.phone.ivr", false).flatten(),
        };
    }
    if let Some(n) = pf.get("misroute") {
        misroute(r, n, groups, &mut phone);
    }
    if let Some(v) = pf
        .get("cost_per_minute")
        .and_then(|n| r.number_in(n, "channels.phone.cost_per_minute", 0.0, 1e6))
    {
        phone.cost_per_minute = v;
    }
    phone
}

/// `misroute = 0.2` (to any group lacking the skill) or `{ chance = 0.2, to = "care" }`.
fn misroute(r: &mut Reader, node: &Node, groups: &[Group], phone: &mut Phone) {
    const PATH: &str = "channels.phone.misroute";
    if !matches!(node.value, Value::Table(_)) {
        if let Some(p) = r.probability(node, PATH) {
            phone.misroute = p;
        }
        return;
    }
    let Some(f) = r.table(node, PATH, MISROUTE_KEYS, &[]) else {
        return;
    };
    if let Some(p) = r
        .require(&f, "chance", "0.2")
        .and_then(|n| r.probability(n, &f.child("chance")))
    {
        phone.misroute = p;
    }
    if let Some(n) = f.get("to") {
        phone.misroute_to = group_ref(r, n, &f.child("to"), groups);
    }
}

/// A reference to a group by name, with a suggestion when it does not exist.
pub fn group_ref(r: &mut Reader, n: &Node, path: &str, groups: &[Group]) -> Option<GroupId> {
    let name = r.string(n, path)?;
    match groups.iter().position(|g| g.name == name) {
        Some(i) => Some(GroupId(i as u16)),
        None => {
            let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
            let hint = suggest(&name, names.iter().copied())
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            r.error_help(
                n.span,
                path,
                format!("no group is named \"{name}\""),
                format!("{hint}groups: {}", names.join(", ")),
            );
            None
        }
    }
}

fn routing(r: &mut Reader, node: Option<&Node>, s: &Scenario) -> Routing {
    let np = s.personas.len().max(1);
    let nr = s.reasons.len().max(1);
    let mut out = Routing {
        priority: vec![vec![0; nr]; np],
        levels: 1,
        overflow: Vec::new(),
    };
    let Some(node) = node else { return out };
    let Some(f) = r.table(node, "routing", ROUTING_KEYS, &[]) else {
        return out;
    };
    if let Some(n) = f.get("policy")
        && let Some(p) = r.string(n, "routing.policy")
        && p != "longest-idle"
    {
        r.error_help(
            n.span,
            "routing.policy",
            format!("unknown routing policy \"{p}\""),
            "allowed: \"longest-idle\"",
        );
    }
    if let Some(n) = f.get("priorities") {
        priorities(r, n, s, &mut out);
    }
    if let Some(n) = f.get("overflow") {
        overflow(r, n, s, &mut out);
    }
    out
}

fn priorities(r: &mut Reader, node: &Node, s: &Scenario, out: &mut Routing) {
    let Value::Table(entries) = &node.value else {
        let name = s.reasons.first().map_or("general", |x| x.name.as_str());
        r.error_help(
            node.span,
            "routing.priorities",
            format!(
                "expected a table of name = level, found {}",
                node.value.kind()
            ),
            format!("give each reason or persona a level, 1 served first, e.g. `priorities = {{ {name} = 1 }}`"),
        );
        return;
    };
    let mut reason_level: Vec<Option<i64>> = vec![None; s.reasons.len()];
    let mut persona_level: Vec<Option<i64>> = vec![None; s.personas.len()];
    for (k, v) in entries {
        let path = join("routing.priorities", &k.name);
        let Some(level) = r.integer(v, &path, 1, 100) else {
            continue;
        };
        let ri = s.reasons.iter().position(|x| x.name == k.name);
        let pi = s.personas.iter().position(|x| x.name == k.name);
        if ri.is_none() && pi.is_none() {
            let names: Vec<&str> = s
                .reasons
                .iter()
                .map(|x| x.name.as_str())
                .chain(s.personas.iter().map(|x| x.name.as_str()))
                .collect();
            let hint = suggest(&k.name, names.iter().copied())
                .map(|c| format!("did you mean \"{c}\"? "))
                .unwrap_or_default();
            r.error_help(
                k.span,
                &path,
                format!("\"{}\" is neither a reason nor a persona", k.name),
                format!("{hint}reasons and personas: {}", names.join(", ")),
            );
        }
        if let Some(i) = ri {
            reason_level[i] = Some(level);
        }
        if let Some(i) = pi {
            persona_level[i] = Some(level);
        }
    }
    let listed: Vec<i64> = reason_level
        .iter()
        .chain(&persona_level)
        .flatten()
        .copied()
        .collect();
    let Some(lowest) = listed.iter().max().map(|m| m + 1) else {
        return;
    };
    let mut levels: Vec<i64> = Vec::new();
    for (pi, row) in out.priority.iter_mut().enumerate() {
        for (ri, cell) in row.iter_mut().enumerate() {
            let lv = [
                reason_level.get(ri).copied().flatten(),
                persona_level.get(pi).copied().flatten(),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(lowest);
            levels.push(lv);
            *cell = lv as u8;
        }
    }
    levels.sort_unstable();
    levels.dedup();
    for row in out.priority.iter_mut() {
        for cell in row.iter_mut() {
            *cell = levels
                .iter()
                .position(|l| *l == i64::from(*cell))
                .unwrap_or(0) as u8;
        }
    }
    out.levels = levels.len() as u8;
}

fn overflow(r: &mut Reader, node: &Node, s: &Scenario, out: &mut Routing) {
    let Some(items) = r.array(node, "routing.overflow") else {
        return;
    };
    let names: Vec<&str> = s.groups.iter().map(|g| g.name.as_str()).collect();
    for (i, it) in items.iter().enumerate() {
        let path = format!("routing.overflow[{i}]");
        let Some(f) = r.table(it, &path, OVERFLOW_KEYS, &[]) else {
            continue;
        };
        let group = |r: &mut Reader, key: &str| -> Option<GroupId> {
            let n = r.require(&f, key, "\"care\"")?;
            let name = r.string(n, &f.child(key))?;
            match names.iter().position(|g| *g == name) {
                Some(i) => Some(GroupId(i as u16)),
                None => {
                    let hint = suggest(&name, names.iter().copied())
                        .map(|c| format!("did you mean \"{c}\"? "))
                        .unwrap_or_default();
                    r.error_help(
                        n.span,
                        &f.child(key),
                        format!("no group is named \"{name}\""),
                        format!("{hint}groups: {}", names.join(", ")),
                    );
                    None
                }
            }
        };
        let (from, to) = (group(r, "from"), group(r, "to"));
        let after = r
            .require(&f, "after", "\"60s\"")
            .and_then(|n| r.duration(n, &f.child("after")));
        let proficiency = match f.get("proficiency") {
            Some(n) => r
                .number_in(n, &f.child("proficiency"), 0.01, 100.0)
                .map(Some),
            None => Some(None),
        };
        if let (Some(from), Some(to)) = (from, to)
            && from == to
        {
            r.error_help(
                it.span,
                &path,
                "a group cannot overflow to itself",
                "name two different groups",
            );
            continue;
        }
        if let (Some(from), Some(to), Some(after), Some(proficiency)) =
            (from, to, after, proficiency)
        {
            if out.overflow.iter().any(|o| o.from == from && o.to == to) {
                r.error_help(
                    it.span,
                    &path,
                    "a second overflow rule for the same two groups",
                    "keep one rule per (from, to) pair",
                );
                continue;
            }
            out.overflow.push(Overflow {
                from,
                to,
                after,
                proficiency,
            });
        }
    }
}

fn check_names(r: &mut Reader, top: &Fields) {
    // Skill names come from table keys; make sure each is usable in results.
    if let Some(Value::Array(groups)) = top.get("group").map(|n| &n.value) {
        for g in groups {
            if let Value::Table(entries) = &g.value
                && let Some((
                    _,
                    Node {
                        value: Value::Table(sk),
                        ..
                    },
                )) = entries.iter().find(|(k, _)| k.name == "skills")
            {
                for (k, _) in sk {
                    if !valid_name(&k.name) {
                        r.error_help(
                            k.span,
                            &format!("group.skills.{}", k.name),
                            "not a usable skill name",
                            "use letters, digits, '-', '_' or '.'",
                        );
                    }
                }
            }
        }
    }
}

/// Checks that need the whole scenario: every reason can reach a group.
pub fn cross_check(
    src: &super::tree::Source,
    root: &Node,
    s: &Scenario,
) -> Vec<crate::error::Diagnostic> {
    let mut out = Vec::new();
    for reason in &s.reasons {
        let served = s
            .groups
            .iter()
            .any(|g| g.proficiency(reason.skill).is_some());
        if !served {
            let skill = reason
                .skill
                .map(|k| s.skills[k.0 as usize].as_str())
                .unwrap_or("(none)");
            let span = item_span(root, "reason", &reason.name, "skill");
            out.push(src.diag(span, &format!("reason[{}].skill", reason.name),
                format!("no group can take reason \"{}\" (skill {skill})", reason.name))
                .with_help("give the reason a skill that a group lists, or add a group without `skills` (it takes every reason)"));
        }
    }
    out
}

/// Span of `key` in the `[[section]]` table named `name` (or of the table itself).
fn item_span(root: &Node, section: &str, name: &str, key: &str) -> super::tree::Span {
    let find = |n: &Node, k: &str| match &n.value {
        Value::Table(entries) => entries
            .iter()
            .find(|(e, _)| e.name == k)
            .map(|(_, v)| v.clone()),
        _ => None,
    };
    let Some(list) = find(root, section) else {
        return root.span;
    };
    let items: Vec<Node> = match list.value {
        Value::Array(items) => items,
        _ => vec![list],
    };
    for item in items {
        let named =
            matches!(find(&item, "name").map(|n| n.value), Some(Value::Str(s)) if s == name);
        if named {
            return find(&item, key).map_or(item.span, |n| n.span);
        }
    }
    root.span
}
