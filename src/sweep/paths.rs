//! Dotted paths into a scenario tree: `group.care.agents` is the `agents` key of the `[[group]]`
//! named `care`; `policy.context` the `context` key of `[policy]` (created when absent).

use crate::scenario::read::suggest;
use crate::scenario::tree::{Key, Node, Span, Value};

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

/// Check that a path can be set in this tree (names exist); the message lists what does.
pub fn check(root: &Node, path: &str) -> Result<(), String> {
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

/// Set the value at `path`, creating missing tables and keys.
pub fn set(root: &mut Node, path: &str, value: Node) -> Result<(), String> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!("`{path}` is not a dotted path (empty segment)"));
    }
    let mut node = root;
    let mut i = 0;
    while i < segments.len() {
        let seg = segments[i];
        let last = i + 1 == segments.len();
        let table =
            entries(node).ok_or_else(|| format!("`{}` is not a table", segments[..i].join(".")))?;
        if NAMED.contains(&seg) && !last {
            let name = segments[i + 1];
            let pos = table.iter().position(|(k, _)| k.name == seg);
            let Some(pos) = pos else {
                return Err(format!(
                    "the scenario has no [[{seg}]] tables, so `{path}` cannot be set"
                ));
            };
            let items = match &mut table[pos].1.value {
                Value::Array(items) => items,
                _ => return Err(format!("`{seg}` is not a list of [[{seg}]] tables")),
            };
            let names: Vec<String> = items
                .iter()
                .filter_map(|n| item_name(n).map(String::from))
                .collect();
            let Some(found) = items.iter_mut().find(|n| item_name(n) == Some(name)) else {
                let hint = suggest(name, names.iter().map(String::as_str))
                    .map(|c| format!(" (did you mean `{seg}.{c}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "no {seg} is named \"{name}\"{hint}; valid paths start with: {}",
                    names
                        .iter()
                        .map(|n| format!("{seg}.{n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            if i + 2 == segments.len() {
                return Err(format!(
                    "`{path}` names a whole {seg}; add the key to vary, e.g. `{seg}.{name}.share`"
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
        assert!(e.contains("did you mean `group.care`"), "{e}");
        assert!(
            check(&t, "reason.x.share")
                .unwrap_err()
                .contains("no [[reason]]")
        );
        assert!(check(&t, "group.care").unwrap_err().contains("whole group"));
        assert!(check(&t, "a..b").is_err());
    }
}
