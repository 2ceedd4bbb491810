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
        if let Some(help) = &self.help {
            write!(f, "\n    help: {help}")?;
        }
        Ok(())
    }
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
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("error: ");
        out.push_str(&d.to_string());
    }
    if diags.len() > 1 {
        out.push_str(&format!("\n{} problems found", diags.len()));
    }
    out
}

/// Result with ccsim's error.
pub type Result<T> = std::result::Result<T, Error>;
