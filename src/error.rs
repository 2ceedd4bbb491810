//! One error type for everything a user can get wrong, with file, line, column and key path.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a scenario file a problem sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it (or as an include resolved it).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// One problem found in an input file: what was found, what is allowed, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where it is; `None` for problems of the file as a whole (unreadable, empty).
    pub location: Option<Location>,
    /// Dotted key path, e.g. `group[1].skills.billing` or `scenario.sl_threshold`.
    pub key_path: String,
    /// What is wrong: names the value found and what is allowed.
    pub message: String,
    /// How to fix it, when there is a clear fix.
    pub help: Option<String>,
    /// The source line the problem is on, with the part to underline.
    pub snippet: Option<Snippet>,
}

/// Longest part of a source line shown, in characters.
const MAX_SNIPPET: usize = 120;

/// One source line and the part of it a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// 1-based line number.
    pub line: usize,
    /// The line's text, without its line break (tabs shown as spaces).
    pub text: String,
    /// 1-based column (in characters) where the underline starts.
    pub column: usize,
    /// Length of the underline in characters (at least 1).
    pub width: usize,
}

impl Snippet {
    /// The snippet of `text` at byte offsets `start..end`: the line holding `start`, underlined
    /// from `start` to `end` or to the end of that line. `None` for an offset outside the text.
    pub fn at(text: &str, start: usize, end: usize) -> Option<Snippet> {
        if start > text.len() || !text.is_char_boundary(start) {
            return None;
        }
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        // A byte order mark is not part of the first line as the user sees it.
        let shown_from = if line_start == 0 && text.starts_with('\u{feff}') && start >= 3 {
            3
        } else {
            line_start
        };
        let line_text = text[shown_from..line_end].trim_end_matches('\r');
        let before = text.get(shown_from..start).map_or(0, |s| s.chars().count());
        let stop = end.clamp(start, line_end);
        let under = text
            .get(start..stop)
            .map_or(0, |s| s.trim_end_matches('\r').chars().count());
        let line = text[..start].matches('\n').count() + 1;
        // Long lines (minified JSON) are cut to a window around the problem.
        let chars: Vec<char> = line_text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let (mut from, mut column) = (0, before + 1);
        if chars.len() > MAX_SNIPPET && before > MAX_SNIPPET / 2 {
            from = before - MAX_SNIPPET / 2;
            column = MAX_SNIPPET / 2 + 2;
        }
        let to = chars.len().min(from + MAX_SNIPPET);
        let mut shown: String = chars[from.min(to)..to].iter().collect();
        if from > 0 {
            shown.insert(0, '…');
        }
        if to < chars.len() {
            shown.push('…');
        }
        let width = under.min(to.saturating_sub(before)).max(1);
        Some(Snippet {
            line,
            text: shown,
            column,
            width,
        })
    }
}

impl Diagnostic {
    /// A diagnostic for a whole file (no line or column).
    pub fn file_level(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            location: Some(Location {
                file: file.to_path_buf(),
                line: 1,
                column: 1,
            }),
            key_path: String::new(),
            message: message.into(),
            help: None,
            snippet: None,
        }
    }

    /// Attach a fix to the message.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}:{}:{}: ", loc.file.display(), loc.line, loc.column)?;
        }
        if !self.key_path.is_empty() {
            write!(f, "`{}`: ", self.key_path)?;
        }
        write!(f, "{}", self.message)?;
        f.write_str(&self.details(false))
    }
}

/// ANSI styles for a terminal.
const RED: &str = "\x1b[1;31m";
const BLUE: &str = "\x1b[1;34m";
const CYAN: &str = "\x1b[1;36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Diagnostic {
    /// What follows the first line: the source line with a line-number gutter and a caret
    /// under the problem, then the help. Each part starts with a line break.
    fn details(&self, color: bool) -> String {
        let paint = |style: &str, text: &str| {
            if color {
                format!("{style}{text}{RESET}")
            } else {
                text.to_string()
            }
        };
        let mut out = String::new();
        if let Some(sn) = &self.snippet {
            let number = sn.line.to_string();
            let pad = " ".repeat(number.len());
            let bar = paint(BLUE, "|");
            out.push_str(&format!("\n{pad} {bar}"));
            out.push_str(&format!("\n{} {bar} {}", paint(BLUE, &number), sn.text));
            out.push_str(&format!(
                "\n{pad} {bar} {}{}",
                " ".repeat(sn.column - 1),
                paint(RED, &"^".repeat(sn.width))
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("\n    {}: {help}", paint(CYAN, "help")));
        }
        out
    }

    /// The diagnostic as `error: ` and its text, in colour when `color`.
    pub fn render(&self, color: bool) -> String {
        if !color {
            return format!("error: {self}");
        }
        let mut head = String::new();
        if let Some(loc) = &self.location {
            head.push_str(&format!(
                "{}:{}:{}: ",
                loc.file.display(),
                loc.line,
                loc.column
            ));
        }
        if !self.key_path.is_empty() {
            head.push_str(&format!("`{}`: ", self.key_path));
        }
        head.push_str(&self.message);
        format!(
            "{}{}{}",
            paint_error(),
            format_args!("{BOLD}{head}{RESET}"),
            self.details(true)
        )
    }
}

fn paint_error() -> String {
    format!("{RED}error{RESET}{BOLD}: {RESET}")
}

/// Everything that can stop ccsim. Every variant is the user's to fix (exit code 2),
/// except `Internal`, which is a bug in ccsim (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more problems in an input file, all reported together.
    #[error("{}", render_diagnostics(.0))]
    Input(Vec<Diagnostic>),
    /// A command-line value that cannot be used.
    #[error("{0}")]
    Usage(String),
    /// A file or folder that cannot be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What ccsim was doing ("reading", "writing", "renaming", ...).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A run beyond a limit of the runaway guard (`guard`): too much estimated work, or too
    /// many contacts in flight.
    #[error("{0}")]
    Limit(String),
    /// Results that do not match what they should (e.g. `verify`).
    #[error("{0}")]
    Mismatch(String),
    /// A broken invariant inside ccsim.
    #[error("internal error (a bug in ccsim, please report it): {0}")]
    Internal(String),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Internal(_) | Error::Mismatch(_) => 1,
            _ => 2,
        }
    }

    /// The error as printed on stderr; input problems with colours when `color` (stderr is a
    /// terminal).
    pub fn render(&self, color: bool) -> String {
        match self {
            Error::Input(d) if color => render_all(d, true),
            _ => self.to_string(),
        }
    }

    /// Whether stderr is a terminal that wants colours (and `NO_COLOR` is not set).
    pub fn stderr_wants_color() -> bool {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    }

    /// Wrap an I/O error with the path and action.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

fn render_diagnostics(diags: &[Diagnostic]) -> String {
    render_all(diags, false)
}

fn render_all(diags: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.render(color));
    }
    if diags.len() > 1 {
        out.push_str(&format!("\n{} problems found", diags.len()));
    }
    out
}

/// Result with ccsim's error.
pub type Result<T> = std::result::Result<T, Error>;
