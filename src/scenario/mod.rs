//! Scenario files (TOML or JSON) → validated, typed `Scenario`: the only way into the engine.
//!
//! Loading goes file → spanned tree (`tree`) → typed walk (`load`, using `read` and `dists`),
//! which records every problem with its file, line, column and key path before giving up.

mod channels;
pub mod data;
mod dists;
pub(crate) mod hints;
pub mod include;
mod load;
mod model;
mod outcomes;
mod partner;
mod policy;
mod rates_file;
pub(crate) mod read;
pub mod schema;
pub mod staffing;
pub mod tree;

use std::path::Path;

pub use data::{DataFile, scenario_hash};
pub use load::valid_name;
pub use model::*;

use crate::error::{Diagnostic, Error, Result};

/// The keys the loader accepts in each table, as it checks them (`Reader::table`): the file
/// format's single source of truth, against which the JSON Schema (`schema`) is tested.
pub mod keys {
    pub use super::channels::{
        CALLBACK_KEYS, CHAT_KEYS, EMAIL_KEYS, PUBLIC_ESCALATION_KEYS, SELF_SERVICE_KEYS,
        SOCIAL_KEYS,
    };
    pub use super::dists::{DIST_KINDS, dist_params};
    pub use super::load::{
        ARRIVALS_KEYS, ARRIVALS_PLANNED, GROUP_KEYS, MISROUTE_KEYS, OVERFLOW_KEYS,
        PERSISTENCE_KEYS, PERSONA_KEYS, PHONE_KEYS, REASON_KEYS, ROUTING_KEYS, SCENARIO_KEYS,
        TOP_KEYS, TOP_PLANNED,
    };
    pub use super::model::CHANNEL_NAMES;
    pub use super::outcomes::{CHURN_KEYS, COST_KEYS, SATISFACTION_KEYS, SURVEY_KEYS};
    pub use super::partner::PARTNER_KEYS;
    pub use super::policy::{POLICY_KEYS, REEXPLAIN_KEYS, UPSTREAM_FIX_KEYS};
    pub use super::staffing::{BREAK_KEYS, SHIFT_KEYS, STAFF_TARGET_KEYS};
}
use read::Reader;
use tree::Source;

/// A scenario and the facts about its file that results record.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// SHA-256 of the file's bytes, hex; with includes, of every file read (see `include`);
    /// with data files, of that hash and theirs (see `scenario_hash`).
    pub hash: String,
    /// SHA-256 of the scenario file alone, or with includes of every file included: `hash`
    /// before the data files join it (what manifests written before data files were recorded
    /// hold as `scenario_sha256`).
    pub files_hash: String,
    /// The files it includes, directly or through others, in reading order, with the SHA-256
    /// of each.
    pub includes: Vec<DataFile>,
    /// The data files it reads (empirical distributions, arrivals files), in reading order.
    pub data: Vec<DataFile>,
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name of a scenario file without `[scenario] name`: its file stem, or `scenario` when
/// the stem is not a valid name.
pub fn default_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if valid_name(&stem) {
        stem
    } else {
        "scenario".into()
    }
}

/// Load and validate a scenario file (and the files it includes).
pub fn load_file(path: &Path) -> Result<Loaded> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
    let text = include::decode(path, bytes)?;
    let r = include::resolve(path, text)?;
    let (scenario, data) = load_tree(&r.src, &r.root, &default_name(path))?;
    let includes = r.src.files()[1..]
        .iter()
        .zip(&r.file_hashes[1..])
        .map(|(p, h)| DataFile {
            file: p.display().to_string(),
            sha256: h.clone(),
        })
        .collect();
    Ok(Loaded {
        scenario,
        hash: scenario_hash(&r.hash, &data),
        files_hash: r.hash,
        includes,
        data,
    })
}

/// Load a scenario from text; `path` decides the format (".json" or TOML), names the file in
/// messages and is where included files are looked up from.
pub fn load_str(path: &Path, text: String, default_name: &str) -> Result<Scenario> {
    let r = include::resolve(path, text)?;
    load_tree(&r.src, &r.root, default_name).map(|(s, _)| s)
}

/// Build a scenario from a parsed (possibly edited) tree of `src`; with the data files it
/// read, in reading order.
pub fn load_tree(
    src: &Source,
    root: &tree::Node,
    default_name: &str,
) -> Result<(Scenario, Vec<DataFile>)> {
    let path = src.path.as_path();
    let mut reader = Reader::new(src);
    let scenario = load::scenario(&mut reader, root, default_name);
    let mut diags: Vec<Diagnostic> = reader.diags;
    if let Some(s) = &scenario
        && diags.is_empty()
    {
        diags.extend(load::cross_check(src, root, s));
    }
    match scenario {
        Some(s) if diags.is_empty() => Ok((s, reader.data)),
        _ => {
            if diags.is_empty() {
                diags.push(Diagnostic::file_level(
                    path,
                    "the scenario could not be read",
                )
                .with_help("check that the file is a whole TOML or JSON scenario (`ccsim validate FILE`), or report it: this should not happen"));
            }
            Err(Error::Input(diags))
        }
    }
}
