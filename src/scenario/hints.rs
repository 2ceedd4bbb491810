//! Concrete examples for help lines: a valid value for each key, found by the key a path ends
//! with, so that every reader (`read`) can say "use …, e.g. `replications = 20`".

/// The key a path ends with, as a file writes it, and whether the path names one entry of a
/// list: `group[care].skills.billing` → (`billing`, false), `group[care].staffing[3]` →
/// (`staffing`, true), `sweep.vary."group.care.agents"` → (`"group.care.agents"`, false).
pub fn last_key(path: &str) -> (&str, bool) {
    let mut p = path;
    let mut entry = false;
    while p.ends_with(']') {
        match p.rfind('[') {
            Some(i) => {
                p = &p[..i];
                entry = true;
            }
            None => break,
        }
    }
    let key = if p.len() > 1 && p.ends_with('"') {
        p[..p.len() - 1].rfind('"').map_or(p, |i| &p[i..])
    } else {
        p.rsplit('.').next().unwrap_or(p)
    };
    (key, entry)
}

/// The path without list indexes and item names, split at dots:
/// `group[care].skills.billing` → [`group`, `skills`, `billing`].
fn segments(path: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    plain.split('.').map(str::to_string).collect()
}

/// Whether `pattern` (dotted; `*` stands for any key) matches the end of `path`.
fn ends_like(path: &[String], pattern: &str) -> bool {
    let pat: Vec<&str> = pattern.split('.').collect();
    pat.len() <= path.len()
        && path[path.len() - pat.len()..]
            .iter()
            .zip(&pat)
            .all(|(s, p)| *p == "*" || s == p)
}

/// A typical value per key (matched against the end of the path; the first match wins).
const NUMBERS: &[(&str, f64)] = &[
    ("public_escalation.satisfaction", -1.0),
    ("public_escalation.priority", 0.0),
    ("satisfaction.base", 3.5),
    ("persona.satisfaction", 4.0),
    ("survey.response", 0.1),
    ("satisfaction.*", 0.2),
    ("priorities.*", 1.0),
    ("skills.*", 1.0),
    ("replications", 20.0),
    ("samples", 50.0),
    ("agents", 10.0),
    ("staffing", 10.0),
    ("lines", 50.0),
    ("chat_concurrency", 3.0),
    ("max_attempts", 3.0),
    ("k", 3.0),
    ("authority", 50.0),
    ("max_transfers", 2.0),
    ("shrinkage", 0.3),
    ("share", 0.6),
    ("weekday_factors", 1.0),
    ("handle_stretch", 1.2),
    ("overdispersion", 0.1),
    ("cost_per_hour", 30.0),
    ("cost_per_minute", 0.02),
    ("cost_per_session", 0.5),
    ("fee", 12.5),
    ("callbacks", 2.5),
    ("value", 100.0),
    ("concession", 20.0),
    ("concession_budget", 200.0),
    ("max_occupancy", 0.85),
    ("proficiency", 1.0),
    ("cv", 0.8),
    ("shape", 1.5),
    ("min", 40.0),
    ("max", 60.0),
    ("resolve", 0.8),
    ("retry", 0.5),
    ("misroute", 0.1),
    ("chance", 0.2),
    ("accept", 0.6),
    ("reach", 0.9),
    ("aht_pressure", 0.3),
    ("proactive", 0.2),
    ("transfer_accuracy", 0.9),
    ("at_score_1", 0.3),
    ("at_score_5", 0.02),
];

/// A number for the key at `path` that is allowed (`lo` to `hi`, whole when `whole`): the
/// key's typical value when it fits, else 1, else `lo`.
pub fn number_example(path: &str, lo: f64, hi: f64, whole: bool) -> f64 {
    let segs = segments(path);
    let fits = |v: f64| v >= lo && v <= hi && (!whole || v.fract() == 0.0);
    NUMBERS
        .iter()
        .find(|(p, _)| ends_like(&segs, p))
        .map(|(_, v)| *v)
        .filter(|v| fits(*v))
        .or_else(|| [1.0, 0.5].into_iter().find(|v| fits(*v)))
        .unwrap_or(if whole { lo.ceil() } else { lo })
}

/// A number as a help line shows it: no float noise (`0.85`, not `0.8500000000000001`).
pub fn show_number(v: f64) -> String {
    let rounded = (v * 1e9).round() / 1e9;
    if rounded.is_finite() { rounded } else { v }.to_string()
}

/// The help for a number the key at `path` does not allow: the range and an example.
pub fn range_help(path: &str, lo: f64, hi: f64, whole: bool) -> String {
    range_help_with(path, lo, hi, whole, number_example(path, lo, hi, whole))
}

/// `range_help` with the example `ex` (the value meant, when it is plain: 2.5 agents → 3).
pub fn range_help_with(path: &str, lo: f64, hi: f64, whole: bool, ex: f64) -> String {
    let (key, entry) = last_key(path);
    let kind = if whole { "a whole number" } else { "a number" };
    let ex = show_number(ex);
    let (lo, hi) = (show_number(lo), show_number(hi));
    if entry {
        format!("use {kind} from {lo} to {hi} for each entry of `{key}`, e.g. {ex}")
    } else {
        format!("use {kind} from {lo} to {hi}, e.g. `{key} = {ex}`")
    }
}

/// The help for a number at `path` that is not one, for a key that allows `range` (low and
/// high; 0 to 1 is a share).
pub fn number_help(path: &str, range: Option<(f64, f64)>) -> String {
    match range {
        Some((0.0, 1.0)) => probability_help(path, None),
        Some((lo, hi)) => range_help(path, lo, hi, false),
        None => {
            let (key, _) = last_key(path);
            let ex = number_example(path, f64::MIN, f64::MAX, false);
            format!("use a number, e.g. `{key} = {}`", show_number(ex))
        }
    }
}

/// The help for a number written in quotes (`number`, the text inside them).
pub fn unquote_help(path: &str, number: &str) -> String {
    match last_key(path) {
        (key, true) => format!("write each entry of `{key}` without quotes, e.g. {number}"),
        (key, false) => format!("write the number without quotes, e.g. `{key} = {number}`"),
    }
}

/// The help for a share the key at `path` does not allow (`found`, when a number): a fraction,
/// read as a percentage when it looks like one.
pub fn probability_help(path: &str, found: Option<f64>) -> String {
    let (key, entry) = last_key(path);
    let ex = match found {
        // 85 or 12.5 is a percentage; 1.5 is more likely a slip than 1.5 %.
        Some(v) if v > 1.0 && v <= 100.0 && (v >= 2.0 || v.fract() == 0.0) => v / 100.0,
        _ => number_example(path, 0.0, 1.0, false),
    };
    let (ex, percent) = (show_number(ex), show_number(ex * 100.0));
    if entry {
        format!(
            "write a share as a fraction from 0 to 1 for each entry of `{key}`, e.g. {ex} for {percent} %"
        )
    } else {
        format!("write a share as a fraction from 0 to 1, e.g. `{key} = {ex}` for {percent} %")
    }
}

/// Typical text per key (matched like `NUMBERS`).
const STRINGS: &[(&str, &str)] = &[
    ("sweep.base", "baseline.toml"),
    ("sweep.design", "random"),
    ("sweep.compare_to", "base"),
    ("scenario.description", "a busy Monday"),
    ("arrivals.file", "data/week.csv"),
    ("file", "data/handle_times.csv"),
    ("column", "seconds"),
    ("dist", "exponential"),
    ("name", "support"),
    ("context", "shared"),
    ("ownership", "own"),
    ("partner_mode", "warm"),
    ("routing.policy", "longest-idle"),
    ("method", "erlang-c"),
    ("target", "80% in 20s"),
    ("start", "08:00"),
    ("hours", "08:00-18:00"),
    ("survey.after", "journey"),
    ("skill", "billing"),
    ("partner", "courier"),
    ("reason", "general"),
    ("channels", "phone"),
    ("from", "care"),
    ("to", "care"),
    ("rate", "100/h"),
];

/// The help for a value at `path` that should have been text (`found` as shown, when it is a
/// single value rather than a table or an array).
pub fn string_help(path: &str, found: Option<&str>) -> String {
    let (key, entry) = last_key(path);
    let segs = segments(path);
    let ex = STRINGS
        .iter()
        .find(|(p, _)| ends_like(&segs, p))
        .map(|(_, v)| v.to_string())
        .or_else(|| found.map(|f| f.trim_matches('"').to_string()))
        .unwrap_or_else(|| "text".to_string());
    if entry {
        format!("write each entry of `{key}` as text in double quotes, e.g. \"{ex}\"")
    } else {
        format!("write it as text in double quotes, e.g. `{key} = \"{ex}\"`")
    }
}

/// Typical durations per key (matched like `NUMBERS`).
const DURATIONS: &[(&str, &str)] = &[
    ("horizon", "1d"),
    ("warmup", "1h"),
    ("interval", "30m"),
    ("breaks.length", "15m"),
    ("length", "8h"),
    ("after", "2h"),
    ("email.target", "4h"),
    ("aht_target", "5m"),
    ("sl_threshold", "20s"),
];

/// A duration the key at `path` takes, as text (`"8h"`).
pub fn duration_example(path: &str) -> &'static str {
    let segs = segments(path);
    DURATIONS
        .iter()
        .find(|(p, _)| ends_like(&segs, p))
        .map_or("3m", |(_, v)| v)
}

/// The help for a duration of 0 where the key at `path` needs more.
pub fn positive_duration_help(path: &str) -> String {
    let (key, _) = last_key(path);
    format!(
        "give a duration above 0, e.g. `{key} = \"{}\"`",
        duration_example(path)
    )
}

/// Typical lists per key (matched like `NUMBERS`), as the file writes them.
const ARRAYS: &[(&str, &str)] = &[
    ("weekday_factors", "[1.1, 1.0, 1.0, 1.0, 0.9, 0.5, 0.4]"),
    (
        "profile",
        "[\"80/h\", \"120/h\", …] (one rate per interval of the day)",
    ),
    ("staffing", "[8, 10, 12, …] (one per interval of the day)"),
    (
        "shifts",
        "[{ start = \"08:00\", length = \"8h\", agents = 5 }]",
    ),
    ("breaks", "[{ after = \"2h\", length = \"15m\" }]"),
    ("handle_stretch", "[1.0, 1.2, 1.5]"),
    (
        "overflow",
        "[{ from = \"care\", to = \"tech\", after = \"60s\" }]",
    ),
    // A scenario's key path names the group in brackets (`group[care].channels`), a sweep's
    // dotted path between dots (`group.care.channels`).
    ("group.channels", "[\"phone\", \"chat\"]"),
    ("group.*.channels", "[\"phone\", \"chat\"]"),
    ("include", "[\"common/personas.toml\"]"),
];

/// The help for a value at `path` that should have been a list.
pub fn array_help(path: &str, found: Option<&str>) -> String {
    let (key, _) = last_key(path);
    let segs = segments(path);
    match ARRAYS.iter().find(|(p, _)| ends_like(&segs, p)) {
        Some((_, ex)) => format!("write a list in square brackets, e.g. `{key} = {ex}`"),
        None => match found {
            Some(f) => format!("write a list in square brackets, e.g. `{key} = [{f}]`"),
            None => format!("write a list in square brackets: `{key} = [first, second]`"),
        },
    }
}

/// Typical tables per key (matched like `NUMBERS`), as the file writes them inline.
const TABLES: &[(&str, &str)] = &[
    (
        "persistence",
        "{ retry = 0.5, delay = { dist = \"exponential\", mean = \"30m\" }, max_attempts = 3 }",
    ),
    ("public_escalation", "{ priority = 0, satisfaction = -1 }"),
    ("survey", "{ response = 0.1, after = \"journey\" }"),
    ("churn", "{ at_score_1 = 0.3, at_score_5 = 0.02 }"),
    ("reexplain", "{ handle = \"1m\", patience = \"30s\" }"),
    ("staffing", "{ target = \"80% in 20s\" }"),
    (
        "shifts",
        "{ start = \"08:00\", length = \"8h\", agents = 5 }",
    ),
    ("breaks", "{ after = \"2h\", length = \"15m\" }"),
    (
        "overflow",
        "{ from = \"care\", to = \"tech\", after = \"60s\" }",
    ),
    ("upstream_fix", "{ reason = \"general\", share = 0.5 }"),
    ("misroute", "{ chance = 0.2, to = \"care\" }"),
    (
        "callback",
        "{ offer_when_wait_over = \"5m\", accept = 0.6 }",
    ),
    ("persona.channels", "{ phone = 0.7, chat = 0.3 }"),
    ("persona.*.channels", "{ phone = 0.7, chat = 0.3 }"),
    ("switch", "{ chat = 0.3 }"),
    ("vary.*", "{ min = 40, max = 60 }"),
];

/// The help for a value at `path` that should have been a table with keys from `allowed`.
pub fn table_help(path: &str, allowed: &[&str]) -> String {
    let (key, entry) = last_key(path);
    let segs = segments(path);
    let keys = if allowed.is_empty() {
        String::new()
    } else {
        format!(" (keys: {})", allowed.join(", "))
    };
    // A section of its own: `[arrivals]`, `[channels.phone]`.
    let section = !path.is_empty() && !path.contains('[') && !path.contains('"');
    if let Some((_, ex)) = TABLES.iter().find(|(p, _)| ends_like(&segs, p)) {
        if entry {
            return format!("write each entry of `{key}` in braces, e.g. {ex}");
        }
        return format!("write it in braces, e.g. `{key} = {ex}`");
    }
    if key == "skills" {
        let skill = allowed.first().copied().unwrap_or("billing");
        return format!(
            "write each skill the group has with its proficiency, e.g. `skills = {{ {skill} = 1.0 }}` (skills are the ones reasons name)"
        );
    }
    if section {
        return format!(
            "write it as a section: `[{path}]` on a line of its own, then one `key = value` per line{keys}"
        );
    }
    if entry && ["persona", "reason", "group", "partner"].contains(&key) {
        return format!("write each {key} as a [[{key}]] table with its keys below it{keys}");
    }
    format!("write it in braces as `key = value` pairs, `{key} = {{ key = value }}`{keys}")
}

/// A value the key at `path` takes, as a file writes it (`10`, `"shared"`, `"1d"`), when the
/// key is one of the tables' (the longest matching pattern wins).
pub fn literal_example(path: &str) -> Option<String> {
    let segs = segments(path);
    // A key that takes a list or a table has no one-value example.
    if ARRAYS
        .iter()
        .chain(TABLES)
        .any(|(p, _)| ends_like(&segs, p))
    {
        return None;
    }
    let best = |patterns: &mut dyn Iterator<Item = (&str, String)>| {
        patterns
            .filter(|(p, _)| ends_like(&segs, p))
            .map(|(p, v)| (p.split('.').count(), v))
            .max_by_key(|(n, _)| *n)
    };
    [
        best(&mut NUMBERS.iter().map(|(p, v)| (*p, show_number(*v)))),
        best(&mut STRINGS.iter().map(|(p, v)| (*p, format!("\"{v}\"")))),
        best(&mut DURATIONS.iter().map(|(p, v)| (*p, format!("\"{v}\"")))),
    ]
    .into_iter()
    .flatten()
    .max_by_key(|(n, _)| *n)
    .map(|(_, v)| v)
}

/// The help for a value at `path` that should have been `true` or `false`.
pub fn boolean_help(path: &str) -> String {
    let (key, _) = last_key(path);
    format!("write `{key} = true` or `{key} = false`, without quotes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_keys() {
        assert_eq!(last_key("scenario.replications"), ("replications", false));
        assert_eq!(last_key("group[care].staffing[3]"), ("staffing", true));
        assert_eq!(last_key("group[care].skills.billing"), ("billing", false));
        assert_eq!(
            last_key("sweep.vary.\"group.care.agents\""),
            ("\"group.care.agents\"", false)
        );
        assert_eq!(last_key("replications"), ("replications", false));
    }

    #[test]
    fn examples_fit_their_range() {
        assert_eq!(
            range_help("scenario.replications", 1.0, 100_000.0, true),
            "use a whole number from 1 to 100000, e.g. `replications = 20`"
        );
        assert_eq!(number_example("group[g].shrinkage", 0.0, 0.99, false), 0.3);
        assert_eq!(
            number_example("group[g].skills.any", 0.01, 100.0, false),
            1.0
        );
        // Out of the table's range: 1, else the lowest allowed.
        assert_eq!(number_example("x.agents", 20.0, 30.0, true), 20.0);
        assert_eq!(number_example("x.unknown", 0.0, 9.0, true), 1.0);
        assert_eq!(
            number_example(
                "channels.social.public_escalation.satisfaction",
                -4.0,
                4.0,
                false
            ),
            -1.0
        );
        assert_eq!(
            number_example("persona[p].satisfaction", 1.0, 5.0, false),
            4.0
        );
        assert!(
            range_help("group[a].staffing[3]", 0.0, 100_000.0, true)
                .contains("for each entry of `staffing`, e.g. 10")
        );
    }

    #[test]
    fn percentages_become_fractions() {
        assert_eq!(
            probability_help("reason[g].resolve", Some(85.0)),
            "write a share as a fraction from 0 to 1, e.g. `resolve = 0.85` for 85 %"
        );
        assert!(
            probability_help("reason[g].resolve", Some(-1.0)).contains("`resolve = 0.8` for 80 %")
        );
        // Just above 1 is a slip, not a percentage: the typical example, not 0.015.
        assert!(
            probability_help("reason[g].resolve", Some(1.5)).contains("`resolve = 0.8` for 80 %")
        );
        assert!(probability_help("reason[g].resolve", Some(12.5)).contains("= 0.125` for 12.5 %"));
    }

    #[test]
    fn lists_and_tables_have_no_one_value_example() {
        for path in [
            "arrivals.weekday_factors",
            "group.care.channels",
            "group.care.staffing",
            "persona.caller.channels",
            "persona.caller.persistence",
        ] {
            assert_eq!(literal_example(path), None, "{path}");
        }
        assert_eq!(literal_example("group.care.agents").as_deref(), Some("10"));
        // The top-level [channels] section is a section, not a persona's channel shares.
        assert!(table_help("channels", &[]).contains("`[channels]` on a line of its own"));
        assert!(table_help("persona[p].channels", &[]).contains("{ phone = 0.7, chat = 0.3 }"));
    }
}
