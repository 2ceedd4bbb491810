//! The JSON Schema of scenario files (`ccsim schema`): it has exactly the loader's keys in every
//! table, every shipped scenario validates against it, and bad files are rejected.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ccsim::scenario::keys;
use ccsim::scenario::schema::{ScenarioFile, scenario_schema};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");

/// Follow a `$ref` into `$defs`.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let ptr = r.trim_start_matches('#');
            resolve(
                root,
                root.pointer(ptr)
                    .unwrap_or_else(|| panic!("dangling $ref {r}")),
            )
        }
        None => node,
    }
}

/// Every table (object schema with fixed properties) reachable from `node`, by key path
/// (array items share their array's path; tables of a distribution are `dist:KIND`).
fn walk(root: &Value, node: &Value, path: &str, out: &mut BTreeMap<String, BTreeSet<Vec<String>>>) {
    let node = resolve(root, node);
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(alts)) = node.get(key) {
            for alt in alts {
                walk(root, alt, path, out);
            }
        }
    }
    if let Some(items) = node.get("items") {
        walk(root, items, path, out);
    }
    if let Some(Value::Array(items)) = node.get("prefixItems") {
        for it in items {
            walk(root, it, path, out);
        }
    }
    if let Some(Value::Object(props)) = node.get("properties") {
        assert_eq!(
            node.get("additionalProperties"),
            Some(&Value::Bool(false)),
            "table `{path}` must reject unknown keys"
        );
        let mut names: Vec<String> = props.keys().cloned().collect();
        names.sort();
        let dist_kind = props
            .get("dist")
            .and_then(|d| {
                d.get("const")
                    .or_else(|| d.get("enum").and_then(|e| e.get(0)))
            })
            .and_then(Value::as_str);
        let here = match dist_kind {
            Some(k) => format!("dist:{k}"),
            None => path.to_string(),
        };
        out.entry(here.clone()).or_default().insert(names);
        for (k, v) in props {
            let child = if here.is_empty() {
                k.clone()
            } else {
                format!("{here}.{k}")
            };
            walk(root, v, &child, out);
        }
    }
    if let Some(extra) = node.get("additionalProperties")
        && extra.is_object()
    {
        walk(root, extra, &format!("{path}.*"), out);
    }
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    v.sort();
    v
}

/// Every table the loader reads, with the keys it allows (`Reader::table`).
fn loader_tables() -> BTreeMap<String, Vec<String>> {
    let ch = &keys::CHANNEL_NAMES[..];
    let mut m: BTreeMap<String, Vec<String>> = [
        ("", keys::TOP_KEYS),
        ("scenario", keys::SCENARIO_KEYS),
        ("arrivals", keys::ARRIVALS_KEYS),
        ("persona", keys::PERSONA_KEYS),
        ("persona.channels", ch),
        ("persona.patience", ch),
        ("persona.persistence", keys::PERSISTENCE_KEYS),
        ("persona.persistence.switch", ch),
        ("reason", keys::REASON_KEYS),
        ("group", keys::GROUP_KEYS),
        ("group.staffing", keys::STAFF_TARGET_KEYS),
        ("group.shifts", keys::SHIFT_KEYS),
        ("group.shifts.breaks", keys::BREAK_KEYS),
        ("channels", ch),
        ("channels.phone", keys::PHONE_KEYS),
        ("channels.phone.misroute", keys::MISROUTE_KEYS),
        ("channels.phone.callback", keys::CALLBACK_KEYS),
        ("channels.chat", keys::CHAT_KEYS),
        ("channels.email", keys::EMAIL_KEYS),
        ("channels.social", keys::SOCIAL_KEYS),
        (
            "channels.social.public_escalation",
            keys::PUBLIC_ESCALATION_KEYS,
        ),
        ("channels.self_service", keys::SELF_SERVICE_KEYS),
        ("routing", keys::ROUTING_KEYS),
        ("routing.overflow", keys::OVERFLOW_KEYS),
        ("policy", keys::POLICY_KEYS),
        ("policy.reexplain", keys::REEXPLAIN_KEYS),
        ("policy.upstream_fix", keys::UPSTREAM_FIX_KEYS),
        ("partner", keys::PARTNER_KEYS),
        ("satisfaction", keys::SATISFACTION_KEYS),
        ("satisfaction.survey", keys::SURVEY_KEYS),
        ("cost", keys::COST_KEYS),
        ("cost.churn", keys::CHURN_KEYS),
    ]
    .into_iter()
    .map(|(p, k)| (p.to_string(), sorted(k)))
    .collect();
    for kind in keys::DIST_KINDS {
        m.insert(format!("dist:{kind}"), sorted(keys::dist_params(kind)));
    }
    m
}

/// The schema's tables and the loader's are the same, key for key: a key added to the loader
/// without the schema (or the other way round) fails here.
#[test]
fn schema_tables_have_exactly_the_loaders_keys() {
    let schema = scenario_schema();
    let mut found = BTreeMap::new();
    walk(&schema, &schema, "", &mut found);
    let expected = loader_tables();
    let mut problems = Vec::new();
    for (path, shapes) in &found {
        let Some(want) = expected.get(path) else {
            problems.push(format!(
                "the schema has a table `{path}` the test does not know: add it to loader_tables()"
            ));
            continue;
        };
        for keys in shapes {
            if keys != want {
                let have: BTreeSet<&String> = keys.iter().collect();
                let want_set: BTreeSet<&String> = want.iter().collect();
                problems.push(format!(
                    "table `{path}`: only in the schema {:?}, only in the loader {:?}",
                    have.difference(&want_set).collect::<Vec<_>>(),
                    want_set.difference(&have).collect::<Vec<_>>()
                ));
            }
        }
    }
    for path in expected.keys() {
        if !found.contains_key(path) {
            problems.push(format!(
                "the loader reads `{path}` but the schema has no such table"
            ));
        }
    }
    // Planned keys are rejected by the loader, so they must not be in the schema.
    for k in keys::TOP_PLANNED {
        assert!(!found[""].iter().any(|s| s.iter().any(|x| x == k)), "{k}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The distributions' tag lists exactly the loader's kinds.
    let kinds: BTreeSet<&str> = found
        .keys()
        .filter_map(|p| p.strip_prefix("dist:"))
        .collect();
    assert_eq!(kinds, keys::DIST_KINDS.iter().copied().collect());
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&scenario_schema()).expect("the schema is a valid JSON Schema")
}

/// A scenario file (TOML or JSON) as a JSON value.
fn as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    } else {
        let v: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::to_value(v).expect("TOML as JSON")
    }
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The shipped scenarios, and the base scenarios of the shipped sweeps.
fn shipped() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
        .collect();
    for sweep in std::fs::read_dir(root.join("sweeps")).expect("scenarios/sweeps/") {
        let sweep = sweep.expect("entry").path();
        if sweep.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let v = as_json(&sweep);
        let base = v["sweep"]["base"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no sweep.base", sweep.display()));
        files.push(sweep.parent().expect("folder").join(base));
    }
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_validates() {
    let v = validator();
    let files = shipped();
    assert!(files.len() >= 10, "{files:?}");
    let mut problems = Vec::new();
    for f in &files {
        // The loader accepts it, so the schema must too.
        ccsim::scenario::load_file(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let doc = as_json(f);
        for e in errors(&v, &doc) {
            problems.push(format!("{}: {e}", f.display()));
        }
        // The types deserialize it as well (serde with deny_unknown_fields).
        let text = std::fs::read_to_string(f).expect("read");
        if let Err(e) = toml::from_str::<ScenarioFile>(&text) {
            problems.push(format!("{}: as ScenarioFile: {e}", f.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const GOOD: &str = r#"
[scenario]
name = "t"
interval = "30m"

[arrivals]
rate = "100/h"

[[persona]]
name = "p"
patience = { phone = { dist = "exponential", mean = "3m" }, chat = "infinite" }
persistence = { retry = 0.5, delay = { dist = "constant", value = "1h" } }

[[reason]]
name = "general"
handle = { dist = "lognormal", mean = "4m", cv = 0.8 }

[[group]]
name = "agents"
staffing = { target = "80% in 20s", method = "erlang-a" }

[[group]]
name = "night"
shifts = [{ start = "22:00", length = "8h", agents = 3, breaks = [{ after = "4h", length = "30m" }] }]

[channels.phone]
ivr = "30s"
misroute = { chance = 0.1, to = "night" }

[policy]
aht_target = "off"
upstream_fix = { reason = "general", share = 0.2 }
"#;

fn with(edit: &str) -> Value {
    let text = format!("{GOOD}\n{edit}");
    let v: toml::Value = toml::from_str(&text).expect("toml");
    serde_json::to_value(v).expect("json")
}

#[test]
fn a_rich_valid_file_validates() {
    let v = validator();
    let path = std::env::temp_dir().join(format!("ccsim-schema-good-{}.toml", std::process::id()));
    std::fs::write(&path, GOOD).expect("write");
    let loaded = ccsim::scenario::load_file(&path);
    let _ = std::fs::remove_file(&path);
    loaded.expect("the loader accepts the good file");
    assert_eq!(errors(&v, &with("")), Vec::<String>::new());
    // A JSON scenario may name its schema for VS Code: the loader ignores `$schema`.
    let mut doc = with("");
    doc["$schema"] = "./ccsim.schema.json".into();
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
    let text = serde_json::to_string_pretty(&doc).expect("json");
    ccsim::scenario::load_str(Path::new("t.json"), text, "t").expect("loads with $schema");
    // Forms the loader takes beyond the contract's examples validate too: a seed past TOML's
    // largest integer as digits, a retry delay as a plain duration.
    let mut doc = with("");
    doc["scenario"]["seed"] = "18446744073709551615".into();
    doc["persona"][0]["persistence"] = serde_json::json!({ "retry": 0.5, "delay": "2h" });
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
    let text = serde_json::to_string_pretty(&doc).expect("json");
    let s = ccsim::scenario::load_str(Path::new("t.json"), text, "t").expect("loads");
    assert_eq!(s.seed, u64::MAX);
    // Not a seed: a negative number, letters.
    for bad in [serde_json::json!(-1), serde_json::json!("12a")] {
        let mut doc = with("");
        doc["scenario"]["seed"] = bad.clone();
        assert!(!errors(&v, &doc).is_empty(), "{bad} validates as a seed");
    }
}

#[test]
fn bad_files_are_rejected() {
    let v = validator();
    let mut good = with("");
    let cases: Vec<(&str, Value)> = vec![
        ("unknown top-level key", with("[typo]\nx = 1")),
        ("unknown key in a table", {
            good["scenario"]["replicatoins"] = 3.into();
            good.clone()
        }),
        ("a bare number as a duration", {
            let mut g = with("");
            g["reason"][0]["handle"]["mean"] = 240.into();
            g
        }),
        ("an unknown distribution", {
            let mut g = with("");
            g["reason"][0]["handle"]["dist"] = "normal".into();
            g
        }),
        ("a parameter of another distribution", {
            let mut g = with("");
            g["reason"][0]["handle"]["shape"] = 1.5.into();
            g
        }),
        ("a rate without a unit", {
            let mut g = with("");
            g["arrivals"]["rate"] = "100".into();
            g
        }),
        ("a share above 1", {
            let mut g = with("");
            g["reason"][0]["resolve"] = 1.5.into();
            g
        }),
        ("no reason", {
            let mut g = with("");
            g.as_object_mut().expect("table").remove("reason");
            g
        }),
        ("both agents and staffing", {
            let mut g = with("");
            g["group"][0]["agents"] = 3.into();
            g
        }),
        ("no staffing at all", {
            let mut g = with("");
            g["group"][0]
                .as_object_mut()
                .expect("table")
                .remove("staffing");
            g
        }),
        ("both a rate and a rates file", {
            let mut g = with("");
            g["arrivals"]["file"] = "data.csv".into();
            g
        }),
        ("both a rate and a profile", {
            let mut g = with("");
            g["arrivals"]["profile"] = serde_json::json!(["100/h"]);
            g
        }),
        ("arrivals without a rate in a file that includes nothing", {
            let mut g = with("");
            g["arrivals"] = serde_json::json!({ "weekday_factors": [1, 1, 1, 1, 1, 0.5, 0.5] });
            g
        }),
        ("an empty rates file name", {
            let mut g = with("");
            g["arrivals"] = serde_json::json!({ "file": "" });
            g
        }),
        ("self_service served by a group", {
            let mut g = with("");
            g["group"][0]["channels"] = serde_json::json!(["phone", "self_service"]);
            g
        }),
        ("an unknown policy value", {
            let mut g = with("");
            g["policy"]["ownership"] = "mine".into();
            g
        }),
        ("a time of day that is not one", {
            let mut g = with("");
            g["group"][1]["shifts"][0]["start"] = "8am".into();
            g
        }),
    ];
    for (what, doc) in cases {
        assert!(
            !errors(&v, &doc).is_empty(),
            "{what}: accepted by the schema:\n{doc:#}"
        );
    }
}

/// A file that includes another may change some of `[arrivals]` and leave the rest, and the
/// required sections, to the file it includes; still not two rates at once.
#[test]
fn an_including_file_may_be_partial() {
    let v = validator();
    let doc = serde_json::json!({
        "include": "base.toml",
        "arrivals": { "weekday_factors": [1.2, 1, 1, 1, 1, 0.5, 0.4] },
        "scenario": { "seed": 9 }
    });
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
    let two = serde_json::json!({
        "include": "base.toml",
        "arrivals": { "rate": "10/h", "file": "week.csv" }
    });
    assert!(!errors(&v, &two).is_empty(), "two rates accepted");
}

/// `ccsim schema` prints the schema (valid JSON, the same as the library's).
#[test]
fn the_binary_prints_the_schema() {
    let out = std::process::Command::new(BIN)
        .arg("schema")
        .output()
        .expect("run ccsim");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed, scenario_schema());
    assert_eq!(
        printed["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    // Descriptions come from the doc comments.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Talk time of one contact"), "no descriptions");
}
