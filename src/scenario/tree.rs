//! Spanned value tree for scenario files: TOML and JSON parsed into one shape, with byte spans.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::num::IntErrorKind;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::error::{Diagnostic, Location};

/// Deepest nesting of JSON arrays and objects accepted.
const MAX_DEPTH: usize = 128;
/// The UTF-8 byte order mark.
const BOM: &str = "\u{feff}";

/// Byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    fn from_range(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }

    fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end.max(self.start + 1)
    }
}

/// A value with the span it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is in the source.
    pub span: Span,
}

/// A table key with its own span.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key, unquoted and unescaped.
    pub name: String,
    /// Where the key is in the source.
    pub span: Span,
}

/// One value of a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A float; JSON numbers with '.', 'e' or 'E' (or too large for `i64`) are floats.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A TOML datetime, kept as its text.
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table (JSON object), in source order.
    Table(Vec<(Key, Node)>),
}

impl Value {
    /// "a string", "an integer", "a number", "a boolean", "a datetime", "an array", "a table"
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a datetime",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Move every span of a tree (values and keys) `by` bytes later: a file's tree placed at its
/// offset in a combined source.
pub fn shift(node: &mut Node, by: usize) {
    node.span.start += by;
    node.span.end += by;
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|n| shift(n, by)),
        Value::Table(entries) => {
            for (k, v) in entries {
                k.span.start += by;
                k.span.end += by;
                shift(v, by);
            }
        }
        _ => {}
    }
}

/// The text of one input file and a fast offset -> (line, column) lookup.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file, as the user named it.
    pub path: PathBuf,
    /// The whole text of the file.
    pub text: String,
    line_starts: Vec<usize>,
    /// For a scenario with includes: each file and the offset where its text starts in `text`
    /// (the first is the including file, at 0). Spans are offsets into `text`; locations and
    /// snippets are reported in the file a span falls in. Empty for a single file.
    parts: Vec<(usize, Source)>,
}

impl Source {
    /// Wrap a file's text and index its line starts.
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            path: path.into(),
            text,
            line_starts,
            parts: Vec::new(),
        }
    }

    /// One source over several files: their texts laid end to end, each starting at the
    /// offset given (offsets increasing, the first 0, each past the end of the previous text).
    pub fn combined(files: Vec<(usize, Source)>) -> Self {
        let mut text = String::new();
        for (base, f) in &files {
            while text.len() < *base {
                text.push('\n');
            }
            text.push_str(&f.text);
        }
        let path = files
            .first()
            .map(|(_, f)| f.path.clone())
            .unwrap_or_default();
        let mut src = Source::new(path, text);
        src.parts = files;
        src
    }

    /// The file a byte offset falls in, and the offset within that file.
    fn part(&self, offset: usize) -> Option<(&Source, usize)> {
        let i = self.parts.partition_point(|(base, _)| *base <= offset);
        let (base, f) = self.parts.get(i.checked_sub(1)?)?;
        Some((f, offset - base))
    }

    /// The file a span belongs to (the including file for a single-file source).
    pub fn path_at(&self, span: Span) -> &Path {
        self.part(span.start).map_or(&self.path, |(f, _)| &f.path)
    }

    /// The files this source was read from, the including file first.
    pub fn files(&self) -> Vec<&Path> {
        if self.parts.is_empty() {
            vec![&self.path]
        } else {
            self.parts.iter().map(|(_, f)| f.path.as_path()).collect()
        }
    }

    /// 1-based line and 1-based column (column counted in Unicode chars, not bytes) of a byte offset; offsets past the end clamp to the end.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        if let Some((f, local)) = self.part(offset) {
            return f.line_col(local);
        }
        let mut off = offset.min(self.text.len());
        while !self.text.is_char_boundary(off) {
            off -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= off).max(1);
        let mut start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        if start == 0 && off >= BOM.len() && self.text.starts_with(BOM) {
            start = BOM.len();
        }
        let column = self.text.get(start..off).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }

    /// A Location for a span's start.
    pub fn location(&self, span: Span) -> Location {
        if let Some((f, local)) = self.part(span.start) {
            return f.location(Span::new(
                local,
                local + span.end.saturating_sub(span.start),
            ));
        }
        let (line, column) = self.line_col(span.start);
        Location {
            file: self.path.clone(),
            line,
            column,
        }
    }

    /// Convenience: a Diagnostic at `span` with this key path and message.
    pub fn diag(&self, span: Span, key_path: &str, message: impl Into<String>) -> Diagnostic {
        if let Some((f, local)) = self.part(span.start) {
            let len = span.end.saturating_sub(span.start);
            return f.diag(Span::new(local, local + len), key_path, message);
        }
        Diagnostic {
            location: Some(self.location(span)),
            key_path: key_path.to_string(),
            message: message.into(),
            help: None,
            // A default span (0..0) marks a problem of the file as a whole: nothing to show.
            snippet: (span != Span::default())
                .then(|| crate::error::Snippet::at(&self.text, span.start, span.end))
                .flatten(),
        }
    }
}

/// One step of a key path: a table key or an array index.
#[derive(Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Render a key path as `group[0].skills.billing`; keys that are not bare are quoted.
fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                let bare = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if bare {
                    out.push_str(k);
                } else {
                    let _ = write!(out, "{k:?}");
                }
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

/// The children of an array or table, with their path step and key span.
fn children(node: &Node) -> Vec<(Seg, Option<Span>, &Node)> {
    match &node.value {
        Value::Table(entries) => entries
            .iter()
            .map(|(k, v)| (Seg::Key(k.name.clone()), Some(k.span), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Seg::Index(i), None, v))
            .collect(),
        _ => Vec::new(),
    }
}

/// Find the deepest key path whose key or value span holds `offset`.
fn path_at(node: &Node, offset: usize, path: &mut Vec<Seg>) -> bool {
    children(node).into_iter().any(|(seg, key_span, child)| {
        path.push(seg);
        let found = path_at(child, offset, path)
            || key_span.is_some_and(|s| s.contains(offset))
            || child.span.contains(offset);
        if !found {
            path.pop();
        }
        found
    })
}

/// The path of the last `[header]` table that starts at or before `offset`.
fn header_at(node: &Node, text: &str, offset: usize, cur: &mut Vec<Seg>, best: &mut HeaderHit) {
    for (seg, _, child) in children(node) {
        cur.push(seg);
        let start = child.span.start;
        let header = matches!(child.value, Value::Table(_))
            && text.get(start..).is_some_and(|t| t.starts_with('['));
        if header && start <= offset && best.as_ref().is_none_or(|(s, _)| start >= *s) {
            *best = Some((start, cur.clone()));
        }
        header_at(child, text, offset, cur, best);
        cur.pop();
    }
}

/// Best header table found so far: its start offset and path.
type HeaderHit = Option<(usize, Vec<Seg>)>;

/// A best-effort key path for a TOML error at `span`.
fn toml_error_path(root: &Node, src: &Source, span: Span, message: &str) -> String {
    let mut path = Vec::new();
    let inside = path_at(root, span.start, &mut path);
    let mut key_from = span.start;
    if !inside {
        let mut best = None;
        header_at(root, &src.text, span.start, &mut Vec::new(), &mut best);
        path = best.map(|(_, p)| p).unwrap_or_default();
        let line = src.text.get(..span.start).unwrap_or("");
        let line_start = line.rfind('\n').map_or(0, |i| i + 1);
        key_from = line.len() - line.get(line_start..).unwrap_or("").trim_start().len();
    }
    let mut out = render_path(&path);
    if message.starts_with("duplicate key")
        && let Some(key) = src.text.get(key_from..span.end)
    {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key.trim().trim_start_matches(BOM));
    }
    out
}

/// Parse TOML text into a tree (root is a Table). Syntax errors become Diagnostics with line/column.
pub fn parse_toml(src: &Source) -> Result<Node, Vec<Diagnostic>> {
    let (table, errors) = DeTable::parse_recoverable(&src.text);
    let mut bad = Vec::new();
    let entries = toml_table(src, table.into_inner(), &mut bad);
    let root = node(Value::Table(entries), 0, src.text.len());
    let mut errors: Vec<_> = errors.into_iter().map(|e| (e.span(), e)).collect();
    errors.sort_by_key(|(r, _)| r.as_ref().map(|r| r.start));
    let mut diags: Vec<Diagnostic> = Vec::new();
    for (range, err) in errors {
        let message = format!("invalid TOML: {}", err.message());
        let diag = match range {
            Some(r) => {
                let span = Span::from_range(r);
                let path = toml_error_path(&root, src, span, err.message());
                src.diag(span, &path, message)
            }
            None => Diagnostic::file_level(&src.path, message),
        }
        .with_help(toml_help(err.message()));
        if !diags.contains(&diag) {
            diags.push(diag);
        }
    }
    for (span, message) in bad {
        let mut path = Vec::new();
        path_at(&root, span.start, &mut path);
        let help = if message.contains("out of range") {
            "check the number for extra digits: no key takes a whole number this large"
        } else {
            "write a plain number, e.g. 12, -3 or 0.25 (digits, an optional sign, `_` only between digits)"
        };
        diags.push(src.diag(span, &render_path(&path), message).with_help(help));
    }
    if diags.is_empty() {
        Ok(root)
    } else {
        Err(diags)
    }
}

/// The help for a TOML syntax error: what the parser expected, when it says, and the shape of
/// a setting.
fn toml_help(message: &str) -> String {
    const SHAPE: &str = "each setting is `key = value` on its own line, text in double quotes \
                         (`name = \"support\"`), sections as [name] or [[name]]";
    if message.starts_with("duplicate key") {
        return "set each key once per table: remove or rename one of the two".to_string();
    }
    let what = message
        .strip_prefix("expected ")
        .or_else(|| message.split_once(", expected ").map(|(_, w)| w));
    match what {
        Some(w) if w.contains(", ") => format!("the parser expected one of {w} here; {SHAPE}"),
        Some(w) => format!("the parser expected {w} here; {SHAPE}"),
        None => format!("check this line: {SHAPE}"),
    }
}

/// Convert a toml-crate table; number errors go to `bad`.
fn toml_table(src: &Source, table: DeTable<'_>, bad: &mut Vec<(Span, String)>) -> Vec<(Key, Node)> {
    let convert = |(k, v): (Spanned<DeString<'_>>, _)| {
        let span = Span::from_range(k.span());
        let key = Key {
            name: k.into_inner().into_owned(),
            span,
        };
        (key, toml_node(src, v, bad))
    };
    table.into_iter().map(convert).collect()
}

/// Convert a toml-crate value; number errors go to `bad`.
fn toml_node(src: &Source, v: Spanned<DeValue<'_>>, bad: &mut Vec<(Span, String)>) -> Node {
    let span = Span::from_range(v.span());
    let raw = src.text.get(span.start..span.end).unwrap_or("");
    let value = match v.into_inner() {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Integer(i) => toml_int(i.as_str(), i.radix(), raw).unwrap_or_else(|message| {
            bad.push((span, message));
            Value::Int(0)
        }),
        DeValue::Float(f) => {
            // Rust's parser reads TOML's `inf`, `+inf`, `-inf` and `nan` too.
            let clean: String = f.as_str().chars().filter(|&c| c != '_').collect();
            Value::Float(clean.parse::<f64>().unwrap_or_else(|_| {
                bad.push((
                    span,
                    format!("invalid TOML: cannot read {raw:?} as a number"),
                ));
                f64::NAN
            }))
        }
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) if raw.is_empty() => Value::Datetime(d.to_string()),
        DeValue::Datetime(_) => Value::Datetime(raw.to_string()),
        DeValue::Array(items) => {
            Value::Array(items.into_iter().map(|x| toml_node(src, x, bad)).collect())
        }
        DeValue::Table(t) => Value::Table(toml_table(src, t, bad)),
    };
    Node { value, span }
}

/// Read a TOML integer's digits (`_` and `+` allowed) in its radix; errors are messages.
fn toml_int(digits: &str, radix: u32, raw: &str) -> Result<Value, String> {
    let clean: String = digits.chars().filter(|&c| c != '_' && c != '+').collect();
    let parsed = match radix {
        2..=36 => i64::from_str_radix(&clean, radix).map_err(|e| *e.kind()),
        _ => Err(IntErrorKind::InvalidDigit),
    };
    // Past i64 (TOML's integers) but within u64: kept as a whole float, so a seed can read
    // its exact digits from the source and other keys report it out of range as written.
    if radix == 10
        && clean.parse::<i64>().is_err()
        && let Ok(big) = clean.parse::<u64>()
    {
        return Ok(Value::Float(big as f64));
    }
    parsed.map(Value::Int).map_err(|kind| match kind {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
            let (lo, hi) = (i64::MIN, i64::MAX);
            format!("the integer {raw} is out of range (allowed: {lo} to {hi})")
        }
        _ => format!("invalid TOML: cannot read {raw:?} as an integer"),
    })
}

/// A node from a value and its byte range.
fn node(value: Value, start: usize, end: usize) -> Node {
    Node {
        value,
        span: Span::new(start, end),
    }
}

/// A syntax error that stops JSON parsing.
type JsonResult<T> = Result<T, Box<Diagnostic>>;

/// Parse JSON text into a tree (root must be an object). Hand-written recursive descent (RFC 8259).
pub fn parse_json(src: &Source) -> Result<Node, Vec<Diagnostic>> {
    let text = src.text.as_str();
    let mut p = Json {
        src,
        bytes: text.as_bytes(),
        pos: if text.starts_with(BOM) { BOM.len() } else { 0 },
        depth: 0,
        path: Vec::new(),
        diags: Vec::new(),
    };
    p.skip_ws();
    if p.pos >= text.len() {
        let d = Diagnostic::file_level(&src.path, "invalid JSON: the file is empty").with_help(
            format!("write the scenario as one JSON object, e.g. {JSON_EXAMPLE}"),
        );
        return Err(vec![d]);
    }
    let result = p.value().and_then(|node| {
        p.skip_ws();
        if p.pos < text.len() {
            Err(p.expected("the end of the file"))
        } else {
            Ok(node)
        }
    });
    match result {
        Err(e) => p.diags.push(*e),
        Ok(_) if !p.diags.is_empty() => {}
        Ok(node) if matches!(node.value, Value::Table(_)) => return Ok(node),
        Ok(node) => {
            let message = format!(
                "a JSON scenario file must hold one object {{ ... }}, found {}",
                node.value.kind()
            );
            let help = format!("put the sections in one object, e.g. {JSON_EXAMPLE}");
            p.diags
                .push(src.diag(node.span, "", message).with_help(help));
        }
    }
    Err(p.diags)
}

/// A small whole JSON scenario, for help lines.
const JSON_EXAMPLE: &str = r#"{ "arrivals": { "rate": "100/h" }, "reason": [{ "name": "general", "handle": { "dist": "exponential", "mean": "3m" } }], "group": [{ "name": "agents", "agents": 10 }] }"#;

/// Recursive descent JSON parser state.
struct Json<'a> {
    src: &'a Source,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    path: Vec<Seg>,
    diags: Vec<Diagnostic>,
}

impl Json<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.pos += usize::from(hit);
        hit
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// An error at the current position with a custom message and its fix.
    fn error(&self, message: String, help: &str) -> Box<Diagnostic> {
        let span = Span::new(self.pos, self.pos);
        let d = self.src.diag(span, &render_path(&self.path), message);
        Box::new(d.with_help(help))
    }

    /// "invalid JSON: expected ..., found ..." at the current position.
    fn expected(&self, what: &str) -> Box<Diagnostic> {
        let rest = self.src.text.get(self.pos..).unwrap_or("");
        let found = match rest.chars().next() {
            Some(c) => format!("{c:?}"),
            None => "end of file".to_string(),
        };
        let help = format!(
            "the parser expected {what} here; check for a missing value, quote, comma or closing bracket: each entry is \"key\": value, e.g. \"name\": \"support\""
        );
        self.error(
            format!("invalid JSON: expected {what}, found {found}"),
            &help,
        )
    }

    fn expected_help(&self, what: &str, help: &str) -> Box<Diagnostic> {
        let mut d = self.expected(what);
        d.help = Some(help.to_string());
        d
    }

    fn value(&mut self) -> JsonResult<Node> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                let s = self.string()?;
                Ok(node(Value::Str(s), start, self.pos))
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => {
                let node = self.literal("null", Value::Table(Vec::new()))?;
                let message = "null is not allowed; leave the key out instead";
                let path = render_path(&self.path);
                let help = "remove the key to take its default, or give it a value";
                let d = self.src.diag(node.span, &path, message).with_help(help);
                self.diags.push(d);
                Ok(node)
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.expected("a value")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> JsonResult<Node> {
        let start = self.pos;
        for b in word.bytes() {
            if !self.eat(b) {
                return Err(self.expected(&format!("`{word}`")));
            }
        }
        Ok(node(value, start, self.pos))
    }

    fn enter(&mut self) -> JsonResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let message =
                format!("invalid JSON: arrays and objects nest deeper than {MAX_DEPTH} levels");
            return Err(self.error(
                message,
                "a scenario nests a few levels deep at most: check for unclosed brackets",
            ));
        }
        self.pos += 1;
        Ok(())
    }

    fn leave(&mut self, start: usize, value: Value) -> JsonResult<Node> {
        self.depth -= 1;
        Ok(node(value, start, self.pos))
    }

    fn trailing_comma(&self, what: &str) -> Box<Diagnostic> {
        self.expected_help(
            what,
            "JSON does not allow a comma after the last item; remove it",
        )
    }

    fn object(&mut self) -> JsonResult<Node> {
        let start = self.pos;
        self.enter()?;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        self.skip_ws();
        if self.eat(b'}') {
            return self.leave(start, Value::Table(entries));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') if !entries.is_empty() => {
                    return Err(self.trailing_comma("a string key"));
                }
                _ if entries.is_empty() => return Err(self.expected("a string key or '}'")),
                _ => return Err(self.expected("a string key")),
            }
            let key_start = self.pos;
            let name = self.string()?;
            let key = Key {
                name,
                span: Span::new(key_start, self.pos),
            };
            self.skip_ws();
            if !self.eat(b':') {
                return Err(self.expected("':'"));
            }
            self.path.push(Seg::Key(key.name.clone()));
            self.check_duplicate(&mut seen, &key);
            let node = self.value()?;
            self.path.pop();
            entries.push((key, node));
            self.skip_ws();
            if self.eat(b'}') {
                return self.leave(start, Value::Table(entries));
            }
            if !self.eat(b',') {
                return Err(self.expected("',' or '}'"));
            }
        }
    }

    fn check_duplicate(&mut self, seen: &mut HashMap<String, Span>, key: &Key) {
        if let Some(first) = seen.get(&key.name) {
            let (line, _) = self.src.line_col(first.start);
            let message = format!(
                "duplicate key `{}`; it was first defined on line {line}",
                key.name
            );
            let diag = self.src.diag(key.span, &render_path(&self.path), message);
            self.diags
                .push(diag.with_help("remove one of the two entries"));
        } else {
            seen.insert(key.name.clone(), key.span);
        }
    }

    fn array(&mut self) -> JsonResult<Node> {
        let start = self.pos;
        self.enter()?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']') {
            return self.leave(start, Value::Array(items));
        }
        loop {
            self.skip_ws();
            if !items.is_empty() && self.peek() == Some(b']') {
                return Err(self.trailing_comma("a value"));
            }
            self.path.push(Seg::Index(items.len()));
            items.push(self.value()?);
            self.path.pop();
            self.skip_ws();
            if self.eat(b']') {
                return self.leave(start, Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.expected("',' or ']'"));
            }
        }
    }

    /// A string starting at the opening quote; leaves `pos` after the closing quote.
    fn string(&mut self) -> JsonResult<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Runs end at an ASCII byte or the end, so both ends are char boundaries.
            out.push_str(self.src.text.get(run..self.pos).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(b'\n' | b'\r') => {
                    let help = "a string cannot span lines; close it with '\"' or write \\n";
                    return Err(self.expected_help("'\"' to close the string", help));
                }
                Some(_) => {
                    let help = "write control characters as escapes such as \\t or \\u0001";
                    return Err(self.expected_help("a printable character", help));
                }
                None => {
                    let (line, col) = self.src.line_col(open);
                    let help = format!(
                        "the string that starts on line {line}, column {col} is never closed"
                    );
                    return Err(self.expected_help("'\"' to close the string", &help));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> JsonResult<()> {
        const SIMPLE: &[u8; 8] = b"\"\\/bfnrt";
        const CHARS: [char; 8] = ['"', '\\', '/', '\u{8}', '\u{c}', '\n', '\r', '\t'];
        if self.eat(b'u') {
            return self.unicode(out);
        }
        let found = SIMPLE.iter().position(|&b| self.peek() == Some(b));
        let c = found
            .ok_or_else(|| self.expected("an escape character (one of \" \\ / b f n r t u)"))?;
        out.push(CHARS[c]);
        self.pos += 1;
        Ok(())
    }

    fn hex4(&mut self) -> JsonResult<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16));
            let digit = digit.ok_or_else(|| self.expected("a hexadecimal digit"))?;
            v = v * 16 + digit;
            self.pos += 1;
        }
        Ok(v)
    }

    /// The part of a `\uXXXX` escape after the `u`, including a following low surrogate.
    fn unicode(&mut self, out: &mut String) -> JsonResult<()> {
        let escape_start = self.pos - 2;
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if !(self.eat(b'\\') && self.eat(b'u')) {
                return Err(self.expected("'\\u' and the low half of a surrogate pair"));
            }
            let lo_start = self.pos;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                self.pos = lo_start;
                return Err(self.expected("a low surrogate (DC00 to DFFF)"));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        match char::from_u32(code) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => {
                self.pos = escape_start;
                let message = format!(
                    "invalid JSON: expected a character, found the lone low surrogate \\u{code:04X}"
                );
                Err(self.error(
                    message,
                    "write the character itself, or a high surrogate (\\uD800 to \\uDBFF) followed by a low one",
                ))
            }
        }
    }

    fn digits(&mut self) -> JsonResult<()> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.expected("a digit"));
        }
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        Ok(())
    }

    fn number(&mut self) -> JsonResult<Node> {
        let start = self.pos;
        self.eat(b'-');
        if self.eat(b'0') {
            if matches!(self.peek(), Some(b'0'..=b'9')) {
                let help = "JSON numbers cannot have leading zeros; remove them";
                return Err(self.expected_help("'.', 'e' or the end of the number", help));
            }
        } else {
            self.digits()?;
        }
        let mut float = false;
        if self.eat(b'.') {
            float = true;
            self.digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            float = true;
            let _ = self.eat(b'+') || self.eat(b'-');
            self.digits()?;
        }
        let text = self.src.text.get(start..self.pos).unwrap_or("");
        let value = if !float && let Ok(n) = text.parse::<i64>() {
            Value::Int(n)
        } else {
            Value::Float(text.parse::<f64>().unwrap_or(f64::NAN))
        };
        Ok(node(value, start, self.pos))
    }
}

/// True if the text starts like a TOML table header or has a `key = value` line.
fn looks_like_toml(text: &str) -> bool {
    let body = text.trim_start_matches(BOM).trim_start();
    if let Some(rest) = body.strip_prefix('[') {
        let rest = rest
            .strip_prefix('[')
            .unwrap_or(rest)
            .trim_start_matches([' ', '\t']);
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return true;
        }
    }
    text.lines().any(|line| {
        let line = line.trim();
        let Some((key, value)) = line.split_once('=') else {
            return false;
        };
        let key = key.trim();
        let key_ok = key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.\"' ".contains(c));
        !key.is_empty() && key_ok && !line.starts_with('#') && !value.trim().is_empty()
    })
}

/// Parse by the file extension: ".json" → JSON, anything else → TOML, with a hint if the content looks like the other.
pub fn parse(src: &Source) -> Result<Node, Vec<Diagnostic>> {
    let is_json = src
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let (result, hint) = if is_json {
        let hint =
            looks_like_toml(&src.text).then_some("this file looks like TOML; rename it to .toml");
        (parse_json(src), hint)
    } else {
        let first = src.text.trim_start_matches(BOM).trim_start().chars().next();
        let hint = (first == Some('{')).then_some("this file looks like JSON; rename it to .json");
        (parse_toml(src), hint)
    };
    result.map_err(|mut diags| {
        if let (Some(hint), Some(first)) = (hint, diags.first_mut()) {
            first.help = Some(hint.to_string());
        }
        diags
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(node: &Node) -> Node {
        let value = match &node.value {
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            Value::Table(entries) => Value::Table(
                entries
                    .iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                name: k.name.clone(),
                                span: Span::default(),
                            },
                            strip(v),
                        )
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node {
            value,
            span: Span::default(),
        }
    }

    fn src(name: &str, text: &str) -> Source {
        Source::new(name, text.to_string())
    }

    fn json_err(text: &str) -> Vec<Diagnostic> {
        parse_json(&src("t.json", text)).expect_err("should fail")
    }

    fn at(d: &Diagnostic) -> (usize, usize) {
        let loc = d.location.as_ref().expect("location");
        (loc.line, loc.column)
    }

    fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
        let Value::Table(entries) = &node.value else {
            panic!("not a table")
        };
        &entries.iter().find(|(k, _)| k.name == key).expect("key").1
    }

    const TOML_DOC: &str = "name = \"x\"\ncount = -3\nrate = 1.5\non = true\nlist = [1, 2_000, 3]\n\n[nested]\na = \"é\"\n\n[[group]]\nid = 1\n\n[[group]]\nid = 2\n";
    const JSON_DOC: &str = r#"{"name": "x", "count": -3, "rate": 1.5, "on": true, "list": [1, 2000, 3],
        "nested": {"a": "\u00e9"}, "group": [{"id": 1}, {"id": 2}]}"#;

    #[test]
    fn toml_and_json_give_same_tree() {
        let t = parse(&src("a.toml", TOML_DOC)).expect("toml");
        let j = parse(&src("a.json", JSON_DOC)).expect("json");
        assert_eq!(strip(&t), strip(&j));
        let Value::Array(groups) = &get(&t, "group").value else {
            panic!("not an array")
        };
        assert_eq!(groups.len(), 2);
        assert!(groups.iter().all(|g| matches!(g.value, Value::Table(_))));
        assert_eq!(get(&t, "rate").value.kind(), "a number");
    }

    #[test]
    fn line_col_with_multibyte() {
        let text = "a = 1\nb = \"é\"\n€€é c = 2\n";
        let s = src("x.toml", text);
        let off = text.find("c =").expect("c");
        assert_eq!(s.line_col(off), (3, 5));
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(10_000), (4, 1));
        assert_eq!(s.line_col(off - 1), (3, 4)); // inside multibyte: clamps back
        let t = "x = 1\ny = 2\nzz= [  7]\n";
        let root = parse_toml(&src("x.toml", t)).expect("toml");
        let Value::Array(items) = &get(&root, "zz").value else {
            panic!("array")
        };
        assert_eq!(src("x.toml", t).line_col(items[0].span.start), (3, 8));
        let bom = src("b.json", "\u{feff}{\"a\": 1}");
        let node = parse_json(&bom).expect("bom json");
        assert_eq!(bom.line_col(get(&node, "a").span.start), (1, 7));
        let bom_toml = src("b.toml", "\u{feff}a = 1\n");
        let node = parse_toml(&bom_toml).expect("bom toml");
        assert_eq!(bom_toml.line_col(get(&node, "a").span.start), (1, 5));
    }

    #[test]
    fn toml_values_and_errors() {
        let root = parse_toml(&src(
            "x.toml",
            "h = 0xff\ni = inf\nn = -inf\np = +inf\nq = nan\nd = 1979-05-27T07:32:00Z\n",
        ))
        .expect("ok");
        assert_eq!(get(&root, "h").value, Value::Int(255));
        assert_eq!(get(&root, "i").value, Value::Float(f64::INFINITY));
        assert_eq!(get(&root, "n").value, Value::Float(f64::NEG_INFINITY));
        assert_eq!(get(&root, "p").value, Value::Float(f64::INFINITY));
        assert!(matches!(get(&root, "q").value, Value::Float(f) if f.is_nan()));
        assert_eq!(
            get(&root, "d").value,
            Value::Datetime("1979-05-27T07:32:00Z".into())
        );
        assert_eq!(
            parse_toml(&src("x.toml", " \n# hi\n"))
                .expect("empty")
                .value,
            Value::Table(vec![])
        );
        let errs =
            parse_toml(&src("x.toml", "a = 1\nb = 99999999999999999999\n")).expect_err("range");
        assert_eq!((errs[0].key_path.as_str(), at(&errs[0])), ("b", (2, 5)));
        let errs =
            parse_toml(&src("x.toml", "a = 1\nb = \nc = [1,\nd = 'x\n")).expect_err("syntax");
        assert!(errs.len() >= 2, "{errs:?}");
        assert!(errs.iter().all(|d| d.message.starts_with("invalid TOML: ")));
        assert_eq!(at(&errs[0]).0, 2);
        let errs = parse_toml(&src("x.toml", "[s]\na = 1\na = 2\n")).expect_err("dup");
        assert_eq!((errs[0].key_path.as_str(), at(&errs[0])), ("s.a", (3, 1)));
        let deep = format!("a = {}", "[".repeat(10_000));
        assert!(parse_toml(&src("x.toml", &deep)).is_err());
    }

    #[test]
    fn json_escapes_and_numbers() {
        let text = r#"{"s": "q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20ac \ud83d\ude00", "i": 12, "f": 1e3, "g": -0.5, "big": 99999999999999999999}"#;
        let root = parse_json(&src("t.json", text)).expect("json");
        assert_eq!(
            get(&root, "s").value,
            Value::Str("q\" b\\ s/ \u{8}\u{c}\n\r\t Aé€ 😀".into())
        );
        assert_eq!(get(&root, "i").value, Value::Int(12));
        assert_eq!(get(&root, "f").value, Value::Float(1000.0));
        assert_eq!(get(&root, "g").value, Value::Float(-0.5));
        assert_eq!(get(&root, "big").value, Value::Float(1e20));
        assert!(
            json_err(r#"{"s": "\ud83d x"}"#)[0]
                .message
                .contains("surrogate")
        );
        assert!(
            json_err(r#"{"s": "\ude00"}"#)[0]
                .message
                .contains("lone low surrogate")
        );
        assert!(json_err(r#"{"s": "\x"}"#)[0].message.contains("escape"));
    }

    #[test]
    fn json_error_positions() {
        let cases: &[(&str, (usize, usize), &str)] = &[
            ("{\n  \"a\": [1, 2", (2, 13), "found end of file"),
            (
                "{\n  \"a\": 1,\n}",
                (3, 1),
                "expected a string key, found '}'",
            ),
            ("{\"a\": [1, 2,]}", (1, 13), "expected a value, found ']'"),
            ("{\n \"é\": tru }", (2, 10), "expected `true`, found ' '"),
            ("{\"a\": nope}", (1, 8), "expected `null`, found 'o'"),
            ("{\"a\": True}", (1, 7), "expected a value, found 'T'"),
            (
                "{\"a\": \"abc",
                (1, 11),
                "close the string, found end of file",
            ),
            ("{\"a\": \"abc\n}", (1, 11), "close the string, found '\\n'"),
            ("{\"a\": 012}", (1, 8), "found '1'"),
            ("{\"a\": -}", (1, 8), "expected a digit, found '}'"),
            ("{\"a\": 1.}", (1, 9), "expected a digit"),
            ("{\"a\" 1}", (1, 6), "expected ':', found '1'"),
            ("{} x", (1, 4), "expected the end of the file, found 'x'"),
            (
                "{'a': 1}",
                (1, 2),
                "expected a string key or '}', found '\\''",
            ),
        ];
        for (text, pos, msg) in cases {
            let errs = json_err(text);
            assert_eq!(errs.len(), 1, "{text}: {errs:?}");
            assert_eq!(at(&errs[0]), *pos, "{text}: {errs:?}");
            assert!(
                errs[0].message.starts_with("invalid JSON: expected"),
                "{text}: {errs:?}"
            );
            assert!(errs[0].message.contains(msg), "{text}: {errs:?}");
        }
        assert_eq!(
            json_err(" \n ")[0].message,
            "invalid JSON: the file is empty"
        );
        assert!(json_err("[1]")[0].message.contains("found an array"));
        let deep = "[".repeat(10_000);
        assert!(json_err(&deep)[0].message.contains("deeper than 128"));
        let ok = format!("{{\"a\": {}{}}}", "[".repeat(127), "]".repeat(127));
        assert!(parse_json(&src("t.json", &ok)).is_ok());
    }

    #[test]
    fn json_duplicates_and_null() {
        let errs = json_err("{\"g\": [{\"a\": 1,\n\"b\": null,\n\"a\": 2}]}");
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(
            errs[0].message,
            "null is not allowed; leave the key out instead"
        );
        assert_eq!(
            (errs[0].key_path.as_str(), at(&errs[0])),
            ("g[0].b", (2, 6))
        );
        assert!(
            errs[1].message.contains("duplicate key `a`") && errs[1].message.contains("line 1")
        );
        assert_eq!(
            (errs[1].key_path.as_str(), at(&errs[1])),
            ("g[0].a", (3, 1))
        );
    }

    #[test]
    fn parse_hints_at_wrong_extension() {
        let errs = parse(&src("s.json", "[scenario]\nname = \"x\"\n")).expect_err("toml in json");
        assert_eq!(
            errs[0].help.as_deref(),
            Some("this file looks like TOML; rename it to .toml")
        );
        let errs = parse(&src("s.json", "name = \"x\"\n")).expect_err("toml in json");
        assert_eq!(
            errs[0].help.as_deref(),
            Some("this file looks like TOML; rename it to .toml")
        );
        let errs = parse(&src("s.toml", " {\"a\": 1}")).expect_err("json in toml");
        assert_eq!(
            errs[0].help.as_deref(),
            Some("this file looks like JSON; rename it to .json")
        );
    }

    #[test]
    fn prefixes_never_panic() {
        for doc in [JSON_DOC, TOML_DOC] {
            for (i, _) in doc.char_indices() {
                for name in ["p.json", "p.toml"] {
                    let _ = parse(&src(name, &doc[..i]));
                    let _ = parse(&src(name, &doc[i..]));
                }
            }
        }
    }
}
