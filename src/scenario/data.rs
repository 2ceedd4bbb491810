//! Data files a scenario reads (empirical distributions, `[arrivals] file`): each is recorded
//! with the SHA-256 of its bytes, so the scenario's hash changes when a data file does.

use serde::{Deserialize, Serialize};

/// A data file read while loading a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFile {
    /// Its path as messages show it (relative to the file that names it, joined to that file's
    /// folder as given).
    pub file: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// Add `d` to `files` unless the same file with the same bytes is there already.
pub fn record(files: &mut Vec<DataFile>, d: DataFile) {
    if !files.contains(&d) {
        files.push(d);
    }
}

/// The hash of a scenario whose files (resolved with their includes) hash to `files_hash` and
/// that reads `data`: `files_hash` itself when it reads no data file (so such a scenario keeps
/// the hash of its file), else the SHA-256 of `files_hash` and each data file's SHA-256, in
/// reading order, hex, one per line (joined by `\n`, no newline at the end) — the way
/// `include` joins the hashes of the files it reads.
pub fn scenario_hash(files_hash: &str, data: &[DataFile]) -> String {
    if data.is_empty() {
        return files_hash.to_string();
    }
    joined_hash(std::iter::once(files_hash).chain(data.iter().map(|d| d.sha256.as_str())))
}

/// SHA-256 (hex) of hex hashes joined by `\n`.
pub fn joined_hash<'a>(hashes: impl IntoIterator<Item = &'a str>) -> String {
    super::sha256_hex(hashes.into_iter().collect::<Vec<_>>().join("\n").as_bytes())
}

/// The line of `bytes` (1 = the first) a CSV record starts on, from the position the reader
/// gives it (`fallback` without one), counted in the file itself: the reader's own line count
/// and offset leave out, or point before, the blank lines it skips, and a quoted field may
/// span lines.
pub fn csv_line(bytes: &[u8], pos: Option<&csv::Position>, fallback: u64) -> u64 {
    pos.map_or(fallback, |p| {
        let mut start = (p.byte() as usize).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(file: &str, bytes: &[u8]) -> DataFile {
        DataFile {
            file: file.into(),
            sha256: crate::scenario::sha256_hex(bytes),
        }
    }

    #[test]
    fn without_data_the_hash_is_the_scenarios() {
        assert_eq!(scenario_hash("abc", &[]), "abc");
    }

    #[test]
    fn data_hashes_join_the_scenario_hash_in_order() {
        let (a, b) = (d("a.csv", b"x\n1\n"), d("b.csv", b"x\n2\n"));
        let ab = scenario_hash("abc", &[a.clone(), b.clone()]);
        let want =
            crate::scenario::sha256_hex(format!("abc\n{}\n{}", a.sha256, b.sha256).as_bytes());
        assert_eq!(ab, want);
        assert_ne!(ab, scenario_hash("abc", &[b, a]));
    }

    #[test]
    fn a_file_read_twice_is_recorded_once() {
        let mut files = Vec::new();
        record(&mut files, d("a.csv", b"1"));
        record(&mut files, d("b.csv", b"1"));
        record(&mut files, d("a.csv", b"1"));
        assert_eq!(files.len(), 2);
    }

    #[test]
    fn lines_count_blank_lines_and_quoted_newlines() {
        let text = "seconds\n1\n\n\n\"2\n3\"\n\r\nx\n";
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let lines: Vec<u64> = rdr
            .records()
            .map(|r| csv_line(text.as_bytes(), r.expect("record").position(), 0))
            .collect();
        assert_eq!(lines, [2, 5, 8]);
    }
}
