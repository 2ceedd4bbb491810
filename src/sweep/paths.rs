//! Dotted paths into a scenario tree: `group.care.agents` is the `agents` key of the `[[group]]`
//! named `care`; `policy.context` the `context` key of `[policy]` (created when absent).

use std::sync::OnceLock;

use crate::scenario::read::suggest;
use crate::scenario::tree::{Key, Node, Source, Span, Value};

/// Sections that are arrays of named tables: their next path segment is a name.
const NAMED: &[&str] = &["persona", "reason", "group", "partner"];

fn entries(node: &mut Node) -> Option<&mut Vec<(Key, Node)>> {
    match &mut node.value {
        Value::Table(e) => Some(e),
        _ => None,
    }
}

fn item_name(n: &Node) -> Option<&str> {
    match &n.value {
        Value::Table(e) => {
            e.iter()
                .find(|(k, _)| k.name == "name")
                .and_then(|(_, v)| match &v.value {
                    Value::Str(s) => Some(s.as_str()),
                    _ => None,
                })
        }
        _ => None,
    }
}

/// A path a sweep cannot set: what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathProblem {
    /// What is wrong (names what exists).
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl PathProblem {
    fn new(message: String, help: impl Into<String>) -> Self {
        PathProblem {
            message,
            help: help.into(),
        }
    }
}

/// A key to vary in each item of a named list, for examples.
fn typical_key(seg: &str) -> &'static str {
    match seg {
        "reason" | "persona" => "share",
        _ => "agents",
    }
}

/// Values of `typical_key`, as a sweep file lists them.
fn typical_values(seg: &str) -> &'static str {
    match seg {
        "reason" | "persona" => "[0.4, 0.6]",
        _ => "[8, 10]",
    }
}

/// Check that a path can be set in this tree (names exist); the message lists what does.
pub fn check(root: &Node, path: &str) -> Result<(), PathProblem> {
    let mut copy = root.clone();
    set(
        &mut copy,
        path,
        Node {
            value: Value::Bool(true),
            span: Span::default(),
        },
    )
}

/// The value at `path` (the same paths as `set`), if the tree gives one.
pub fn get<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    let segments: Vec<&str> = path.split('.').collect();
    let mut node = root;
    let mut i = 0;
    while i < segments.len() {
        let seg = segments[i];
        let Value::Table(table) = &node.value else {
            return None;
        };
        let (_, child) = table.iter().find(|(k, _)| k.name == seg)?;
        if NAMED.contains(&seg) && i + 1 < segments.len() {
            let Value::Array(items) = &child.value else {
                return None;
            };
            node = items
                .iter()
                .find(|n| item_name(n) == Some(segments[i + 1]))?;
            i += 2;
        } else {
            node = child;
            i += 1;
        }
    }
    Some(node)
}

/// The default of the key at `path` (the same paths as `set`), as the scenario schema's
/// description of it gives it (`[default: X]`, X a TOML value); `None` when it gives none or no
/// single value (`none`, `unlimited`, `the file name`, …).
pub fn default(path: &str) -> Option<Node> {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    let root = SCHEMA.get_or_init(crate::scenario::schema::scenario_schema);
    let segments: Vec<&str> = path.split('.').collect();
    let mut node = root;
    let mut i = 0;
    while i < segments.len() {
        let seg = segments[i];
        node = property(root, node, seg)?;
        i += 1;
        if NAMED.contains(&seg) && i < segments.len() {
            node = items(root, node)?;
            i += 1;
        }
    }
    let desc = [node, resolve(root, node)]
        .into_iter()
        .find_map(|n| n.get("description").and_then(serde_json::Value::as_str))?;
    let text = desc.split_once("[default: ")?.1;
    let mut depth = 0usize;
    let end = text.char_indices().find_map(|(i, c)| match c {
        '[' | '{' => {
            depth += 1;
            None
        }
        ']' | '}' if depth > 0 => {
            depth -= 1;
            None
        }
        ']' => Some(i),
        _ => None,
    })?;
    let src = Source::new("default", format!("v = {}\n", &text[..end]));
    let tree = crate::scenario::tree::parse(&src).ok()?;
    let Value::Table(mut entries) = tree.value else {
        return None;
    };
    entries.pop().map(|(_, n)| Node {
        value: n.value,
        span: Span::default(),
    })
}

/// Follow a `$ref` of the schema into its `$defs`.
fn resolve<'a>(root: &'a serde_json::Value, node: &'a serde_json::Value) -> &'a serde_json::Value {
    match node.get("$ref").and_then(serde_json::Value::as_str) {
        Some(r) => root
            .pointer(r.trim_start_matches('#'))
            .map_or(node, |n| resolve(root, n)),
        None => node,
    }
}

/// The schema of key `key` of a table schema (looking into its alternatives).
fn property<'a>(
    root: &'a serde_json::Value,
    node: &'a serde_json::Value,
    key: &str,
) -> Option<&'a serde_json::Value> {
    let node = resolve(root, node);
    if let Some(p) = node.get("properties").and_then(|p| p.get(key)) {
        return Some(p);
    }
    ["anyOf", "oneOf", "allOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(serde_json::Value::as_array))
        .flatten()
        .find_map(|alt| property(root, alt, key))
        .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))
}

/// The schema of the items of a list schema (looking into its alternatives).
fn items<'a>(
    root: &'a serde_json::Value,
    node: &'a serde_json::Value,
) -> Option<&'a serde_json::Value> {
    let node = resolve(root, node);
    node.get("items").or_else(|| {
        ["anyOf", "oneOf", "allOf"]
            .iter()
            .filter_map(|k| node.get(*k).and_then(serde_json::Value::as_array))
            .flatten()
            .find_map(|alt| items(root, alt))
    })
}

/// Set the value at `path`, creating missing tables and keys.
pub fn set(root: &mut Node, path: &str, value: Node) -> Result<(), PathProblem> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        let clean: Vec<&str> = segments.iter().copied().filter(|s| !s.is_empty()).collect();
        let clean = clean.join(".");
        // Offer the path without its empty segments only when that path exists.
        let example = if !clean.is_empty() && check(root, &clean).is_ok() {
            clean
        } else {
            "group.care.agents".to_string()
        };
        return Err(PathProblem::new(
            format!("`{path}` is not a dotted path (empty segment)"),
            format!("write one key between dots, e.g. \"{example}\""),
        ));
    }
    let mut node = root;
    let mut i = 0;
    while i < segments.len() {
        let seg = segments[i];
        let last = i + 1 == segments.len();
        let table = entries(node).ok_or_else(|| {
            let above = segments[..i].join(".");
            PathProblem::new(
                format!("`{above}` is not a table"),
                match crate::scenario::hints::literal_example(&above) {
                    Some(v) => format!(
                        "`{above}` holds one value: vary it as a whole, e.g. \"{above}\" = [{v}]"
                    ),
                    None => format!("vary \"{above}\" itself, listing whole values of it"),
                },
            )
        })?;
        if NAMED.contains(&seg) && !last {
            let name = segments[i + 1];
            let pos = table.iter().position(|(k, _)| k.name == seg);
            let Some(pos) = pos else {
                return Err(PathProblem::new(
                    format!("the scenario has no [[{seg}]] tables, so `{path}` cannot be set"),
                    format!(
                        "add a [[{seg}]] with name = \"{name}\" to the base scenario, or vary a key it has"
                    ),
                ));
            };
            let items = match &mut table[pos].1.value {
                Value::Array(items) => items,
                _ => {
                    return Err(PathProblem::new(
                        format!("`{seg}` is not a list of [[{seg}]] tables"),
                        format!(
                            "write each {seg} in the base scenario as a [[{seg}]] table with a name"
                        ),
                    ));
                }
            };
            let names: Vec<String> = items
                .iter()
                .filter_map(|n| item_name(n).map(String::from))
                .collect();
            let Some(found) = items.iter_mut().find(|n| item_name(n) == Some(name)) else {
                let close = suggest(name, names.iter().map(String::as_str));
                let hint = close
                    .map(|c| format!(" (did you mean `{seg}.{c}`?)"))
                    .unwrap_or_default();
                let rest = segments[i + 2..].join(".");
                let help = match close.or(names.first().map(String::as_str)) {
                    Some(c) if !rest.is_empty() => format!(
                        "use the name of a [[{seg}]] of the base scenario, e.g. \"{seg}.{c}.{rest}\""
                    ),
                    Some(c) => format!(
                        "use the name of a [[{seg}]] of the base scenario, e.g. \"{seg}.{c}.{}\"",
                        typical_key(seg)
                    ),
                    None => format!("give the base scenario's [[{seg}]] tables a name"),
                };
                return Err(PathProblem::new(
                    format!(
                        "no {seg} is named \"{name}\"{hint}; valid paths start with: {}",
                        names
                            .iter()
                            .map(|n| format!("{seg}.{n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    help,
                ));
            };
            if i + 2 == segments.len() {
                return Err(PathProblem::new(
                    format!(
                        "`{path}` names a whole {seg}; add the key to vary, e.g. `{seg}.{name}.share`"
                    ),
                    format!(
                        "vary one key of it, e.g. \"{seg}.{name}.{}\" = {}",
                        typical_key(seg),
                        typical_values(seg)
                    ),
                ));
            }
            node = found;
            i += 2;
            continue;
        }
        let pos = table.iter().position(|(k, _)| k.name == seg);
        if last {
            match pos {
                Some(p) => table[p].1 = value,
                None => table.push((
                    Key {
                        name: seg.to_string(),
                        span: Span::default(),
                    },
                    value,
                )),
            }
            return Ok(());
        }
        let pos = match pos {
            Some(p) => p,
            None => {
                table.push((
                    Key {
                        name: seg.to_string(),
                        span: Span::default(),
                    },
                    Node {
                        value: Value::Table(Vec::new()),
                        span: Span::default(),
                    },
                ));
                table.len() - 1
            }
        };
        node = &mut table[pos].1;
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::tree::{Source, parse};

    fn tree(text: &str) -> Node {
        parse(&Source::new("t.toml", text.to_string())).expect("valid toml")
    }

    fn int(i: i64) -> Node {
        Node {
            value: Value::Int(i),
            span: Span::default(),
        }
    }

    #[test]
    fn sets_named_items_and_creates_sections() {
        let mut t = tree(
            "[[group]]\nname = \"care\"\nagents = 5\n[[group]]\nname = \"tech\"\nagents = 3\n",
        );
        set(&mut t, "group.tech.agents", int(9)).unwrap();
        set(&mut t, "policy.max_transfers", int(2)).unwrap();
        let text = format!("{t:?}");
        assert!(text.contains("Int(9)") && text.contains("max_transfers"));
        assert!(text.contains("Int(5)"));
    }

    #[test]
    fn bad_names_list_the_valid_ones() {
        let t = tree("[[group]]\nname = \"care\"\nagents = 5\n");
        let e = check(&t, "group.carre.agents").unwrap_err();
        assert!(e.message.contains("did you mean `group.care`"), "{e:?}");
        assert_eq!(
            e.help,
            "use the name of a [[group]] of the base scenario, e.g. \"group.care.agents\""
        );
        assert!(
            check(&t, "reason.x.share")
                .unwrap_err()
                .message
                .contains("no [[reason]]")
        );
        assert!(
            check(&t, "group.care")
                .unwrap_err()
                .message
                .contains("whole group")
        );
        assert!(check(&t, "a..b").is_err());
    }

    #[test]
    fn defaults_come_from_the_schema() {
        let shown = |p: &str| default(p).map(|n| crate::sweep::show(&n));
        assert_eq!(shown("scenario.sl_threshold").as_deref(), Some("20s"));
        assert_eq!(shown("scenario.seed").as_deref(), Some("1"));
        assert_eq!(shown("scenario.replications").as_deref(), Some("10"));
        assert_eq!(shown("policy.context").as_deref(), Some("shared"));
        assert_eq!(shown("group.care.authority").as_deref(), Some("0"));
        assert_eq!(shown("reason.q.resolve").as_deref(), Some("1"));
        assert_eq!(shown("group.care.channels").as_deref(), Some("[phone]"));
        // No single value: none.
        assert_eq!(shown("scenario.name"), None);
        assert_eq!(shown("group.care.agents"), None);
        assert_eq!(shown("no.such.key"), None);
    }

    #[test]
    fn gets_what_set_sets() {
        let mut t = tree("[scenario]\nseed = 4\n[[group]]\nname = \"care\"\nagents = 5\n");
        assert_eq!(
            get(&t, "group.care.agents").map(|n| &n.value),
            Some(&Value::Int(5))
        );
        assert_eq!(
            get(&t, "scenario.seed").map(|n| &n.value),
            Some(&Value::Int(4))
        );
        assert!(get(&t, "group.tech.agents").is_none());
        assert!(get(&t, "policy.context").is_none());
        set(&mut t, "policy.context", int(1)).unwrap();
        assert_eq!(
            get(&t, "policy.context").map(|n| &n.value),
            Some(&Value::Int(1))
        );
    }
}
