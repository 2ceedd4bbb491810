//! `include = ["common/personas.toml"]`: scenario files that share sections.
//!
//! A file's includes are read first, in order, each with its own includes resolved the same way
//! (paths relative to the file that names them), and the file itself is laid over the result:
//!
//! - tables merge key by key, recursively;
//! - a value that is not a table (a number, a string, an array of values) replaces the earlier one;
//! - arrays of tables (`[[persona]]`, `[[reason]]`, `[[group]]`, `[[partner]]`, ...) are joined,
//!   and an entry whose `name` matches an earlier entry's replaces that entry whole, in place;
//!   an empty array clears the earlier entries;
//! - a distribution table (one with a `dist` key) replaces the earlier value whole, so
//!   parameters of two kinds never mix;
//! - in `[arrivals]`, `rate`, `profile` and `file` are alternatives: the later file giving one of
//!   them drops the earlier file's others.
//!
//! The files are kept as one combined `Source`, so every message names the file, line and column
//! where the value was written, and paths inside a file (empirical distributions, arrival files)
//! are relative to that file. The scenario's hash covers every file read.

use std::path::{Path, PathBuf};

use super::tree::{self, Key, Node, Source, Span, Value};
use crate::error::{Diagnostic, Error, Result};

/// Deepest chain of includes accepted (a guard against runaway generated files).
const MAX_DEPTH: usize = 16;

/// Keys of a table that are alternatives to each other: a later file giving one drops the rest.
const ALTERNATIVES: &[(&str, &[&str])] = &[("arrivals", &["rate", "profile", "file"])];

/// A scenario file with its includes resolved.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Every file read, combined: spans of `root` point into it.
    pub src: Source,
    /// The merged tree, without `include` keys.
    pub root: Node,
    /// SHA-256 (hex) of the file's bytes; with includes, of the hashes of every file read, in
    /// reading order (the including file first).
    pub hash: String,
    /// SHA-256 (hex) of each file read, in reading order (the including file first).
    pub file_hashes: Vec<String>,
}

/// Decode a file's bytes as UTF-8, or a located error at the first bad byte.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
        let src = Source::new(path, valid);
        let d = src.diag(
            Span {
                start: offset,
                end: offset,
            },
            "",
            format!("the file is not valid UTF-8 (bad byte at offset {offset})"),
        );
        Error::Input(vec![d.with_help("save the file as UTF-8")])
    })
}

/// Parse `text` (the contents of `path`) and everything it includes into one tree.
pub fn resolve(path: &Path, text: String) -> Result<Resolved> {
    let mut ctx = Ctx {
        parts: Vec::new(),
        next: 0,
        stack: Vec::new(),
        diags: Vec::new(),
    };
    let root = ctx.file(path, text, 0);
    let Some(root) = root.filter(|_| ctx.diags.is_empty()) else {
        if ctx.diags.is_empty() {
            ctx.diags.push(Diagnostic::file_level(
                path,
                "the scenario could not be read",
            )
            .with_help("check that the file is a whole TOML or JSON scenario (`ccsim validate FILE`), or report it: this should not happen"));
        }
        return Err(Error::Input(ctx.diags));
    };
    let file_hashes: Vec<String> = ctx
        .parts
        .iter()
        .map(|(_, f)| super::sha256_hex(f.text.as_bytes()))
        .collect();
    let hash = if file_hashes.len() == 1 {
        file_hashes[0].clone()
    } else {
        super::data::joined_hash(file_hashes.iter().map(String::as_str))
    };
    let src = if ctx.parts.len() == 1 {
        ctx.parts
            .pop()
            .map(|(_, f)| f)
            .unwrap_or_else(|| Source::new(path, String::new()))
    } else {
        Source::combined(ctx.parts)
    };
    Ok(Resolved {
        src,
        root,
        hash,
        file_hashes,
    })
}

struct Ctx {
    /// Files read so far and their offsets in the combined source.
    parts: Vec<(usize, Source)>,
    /// Offset where the next file's text starts.
    next: usize,
    /// The chain of files being read (canonical paths), for cycles.
    stack: Vec<PathBuf>,
    diags: Vec<Diagnostic>,
}

impl Ctx {
    /// Read one file (already loaded as `text`): its includes merged, then itself over them.
    fn file(&mut self, path: &Path, text: String, depth: usize) -> Option<Node> {
        let src = Source::new(path, text);
        let mut root = match tree::parse(&src) {
            Ok(r) => r,
            Err(d) => {
                self.diags.extend(d);
                return None;
            }
        };
        let includes = take_includes(&src, &mut root, &mut self.diags);
        let base = self.next;
        // One separating byte keeps files apart, so no span is shared by two of them.
        self.next = base + src.text.len() + 1;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let own = canonical(path);
        self.stack.push(own);
        let index = self.parts.len();
        self.parts.push((base, src));
        let mut merged: Option<Node> = None;
        for (name, span) in includes {
            let target = dir.join(&name);
            let at = |ctx: &Ctx, msg: String, help: &str| {
                ctx.parts[index]
                    .1
                    .diag(span, "include", msg)
                    .with_help(help.to_string())
            };
            if depth + 1 > MAX_DEPTH {
                let d = at(
                    self,
                    format!("includes nest deeper than {MAX_DEPTH} files at \"{name}\""),
                    "include the shared files from one place instead of chaining them",
                );
                self.diags.push(d);
                continue;
            }
            let key = canonical(&target);
            if let Some(pos) = self.stack.iter().position(|p| *p == key) {
                let chain: Vec<String> = self.stack[pos..]
                    .iter()
                    .chain(std::iter::once(&key))
                    .map(|p| p.display().to_string())
                    .collect();
                let d = at(
                    self,
                    format!("include cycle: {}", chain.join(" → ")),
                    "a file may not include itself, directly or through others; move the shared part into a file that includes nothing above it",
                );
                self.diags.push(d);
                continue;
            }
            let bytes = match std::fs::read(&target) {
                Ok(b) => b,
                Err(e) => {
                    let d = at(
                        self,
                        format!("cannot read included file {}: {e}", target.display()),
                        "the path is relative to the file that includes it",
                    );
                    self.diags.push(d);
                    continue;
                }
            };
            let text = match decode(&target, bytes) {
                Ok(t) => t,
                Err(Error::Input(d)) => {
                    self.diags.extend(d);
                    continue;
                }
                Err(_) => continue,
            };
            if let Some(node) = self.file(&target, text, depth + 1) {
                merged = Some(match merged {
                    None => node,
                    Some(m) => merge(m, node),
                });
            }
        }
        self.stack.pop();
        tree::shift(&mut root, base);
        Some(match merged {
            None => root,
            Some(m) => merge(m, root),
        })
    }
}

/// A path as a key for cycle detection: canonical when the file exists.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Remove the top-level `include` key of a file's tree and return its paths with their spans,
/// reporting values that are not a string or an array of strings.
fn take_includes(
    src: &Source,
    root: &mut Node,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Span)> {
    let Value::Table(entries) = &mut root.value else {
        return Vec::new();
    };
    let Some(i) = entries.iter().position(|(k, _)| k.name == "include") else {
        return Vec::new();
    };
    let (_, node) = entries.remove(i);
    let bad = |n: &Node| {
        src.diag(
            n.span,
            "include",
            format!(
                "expected a file path (a string) or an array of them, found {}",
                n.value.kind()
            ),
        )
        .with_help("write include = [\"common/personas.toml\"]")
    };
    match node.value {
        Value::Str(s) => vec![(s, node.span)],
        Value::Array(items) => items
            .into_iter()
            .filter_map(|n| match n.value {
                Value::Str(s) => Some((s, n.span)),
                _ => {
                    diags.push(bad(&n));
                    None
                }
            })
            .collect(),
        _ => {
            diags.push(bad(&node));
            Vec::new()
        }
    }
}

/// Lay `over` (the later file) over `base` (see the module documentation).
pub fn merge(base: Node, over: Node) -> Node {
    merge_at(base, over, "")
}

fn merge_at(base: Node, over: Node, key: &str) -> Node {
    match (base.value, over.value) {
        (Value::Table(mut have), Value::Table(add)) if !is_dist(&have) && !is_dist(&add) => {
            let drops: &[&str] = ALTERNATIVES
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(&[], |(_, alts)| alts);
            if add.iter().any(|(k, _)| drops.contains(&k.name.as_str())) {
                have.retain(|(k, _)| !drops.contains(&k.name.as_str()));
            }
            for (k, v) in add {
                match have.iter().position(|(h, _)| h.name == k.name) {
                    Some(i) => {
                        let old = std::mem::replace(&mut have[i].1, placeholder());
                        have[i].1 = merge_at(old, v, &k.name);
                        have[i].0 = k;
                    }
                    None => have.push((k, v)),
                }
            }
            Node {
                value: Value::Table(have),
                span: over.span,
            }
        }
        (Value::Array(mut have), Value::Array(add))
            if !add.is_empty() && all_tables(&have) && all_tables(&add) =>
        {
            for item in add {
                let slot =
                    name_of(&item).and_then(|n| have.iter().position(|h| name_of(h) == Some(n)));
                match slot {
                    Some(i) => have[i] = item,
                    None => have.push(item),
                }
            }
            Node {
                value: Value::Array(have),
                span: over.span,
            }
        }
        (_, value) => Node {
            value,
            span: over.span,
        },
    }
}

fn placeholder() -> Node {
    Node {
        value: Value::Bool(false),
        span: Span::default(),
    }
}

fn is_dist(entries: &[(Key, Node)]) -> bool {
    entries.iter().any(|(k, _)| k.name == "dist")
}

fn all_tables(items: &[Node]) -> bool {
    items.iter().all(|n| matches!(n.value, Value::Table(_)))
}

/// The `name` of an entry of an array of tables, if it has a string one.
fn name_of(n: &Node) -> Option<&str> {
    let Value::Table(entries) = &n.value else {
        return None;
    };
    entries
        .iter()
        .find_map(|(k, v)| match (&k.name[..], &v.value) {
            ("name", Value::Str(s)) => Some(s.as_str()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        tree::parse(&Source::new("t.toml", text.to_string())).expect("valid toml")
    }

    fn get<'a>(n: &'a Node, key: &str) -> &'a Node {
        let Value::Table(e) = &n.value else {
            panic!("not a table")
        };
        &e.iter().find(|(k, _)| k.name == key).expect(key).1
    }

    #[test]
    fn tables_merge_scalars_replace_named_entries_replace_in_place() {
        let base = parse(
            "[scenario]\nseed = 1\nhorizon = \"1d\"\n[[group]]\nname = \"a\"\nagents = 1\n[[group]]\nname = \"b\"\nagents = 2\n",
        );
        let over = parse(
            "[scenario]\nseed = 7\n[[group]]\nname = \"a\"\nagents = 9\n[[group]]\nname = \"c\"\nagents = 3\n",
        );
        let m = merge(base, over);
        let sc = get(&m, "scenario");
        assert_eq!(get(sc, "seed").value, Value::Int(7));
        assert_eq!(get(sc, "horizon").value, Value::Str("1d".into()));
        let Value::Array(groups) = &get(&m, "group").value else {
            panic!()
        };
        let names: Vec<_> = groups.iter().filter_map(name_of).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(get(&groups[0], "agents").value, Value::Int(9));
    }

    #[test]
    fn distributions_and_arrival_alternatives_replace_whole() {
        let base = parse(
            "[arrivals]\nrate = \"10/h\"\noverdispersion = 0.1\n[[reason]]\nname = \"r\"\nhandle = { dist = \"lognormal\", mean = \"4m\", cv = 0.8 }\n[x]\nh = { dist = \"lognormal\", mean = \"4m\", cv = 0.8 }\n",
        );
        let over = parse(
            "[arrivals]\nprofile = [\"1/h\"]\n[x]\nh = { dist = \"exponential\", mean = \"3m\" }\n",
        );
        let m = merge(base, over);
        let a = get(&m, "arrivals");
        let Value::Table(keys) = &a.value else {
            panic!()
        };
        let names: Vec<_> = keys.iter().map(|(k, _)| k.name.as_str()).collect();
        assert_eq!(names, ["overdispersion", "profile"]);
        let Value::Table(h) = &get(get(&m, "x"), "h").value else {
            panic!()
        };
        assert_eq!(h.len(), 2, "no cv left from the lognormal");
    }

    #[test]
    fn an_empty_array_clears_and_plain_arrays_replace() {
        let base = parse("a = [1, 2]\n[[p]]\nname = \"x\"\n");
        let over = parse("a = [3]\np = []\n");
        let m = merge(base, over);
        assert!(matches!(&get(&m, "a").value, Value::Array(v) if v.len() == 1));
        assert!(matches!(&get(&m, "p").value, Value::Array(v) if v.is_empty()));
    }
}
