//! Error display: after the `file:line:col: key: message` line, the source line with its line
//! number and a caret under the bad value, then the help; no colours when stderr is a pipe.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");

const BAD: &str = r#"[scenario]
name = "caret"

[arrivals]
rate = "100/h"

[[reason]]
name = "general"
handle = { dist = "exponential", mean = 240 }

[[group]]
name = "agents"
agents = 8
"#;

#[test]
fn the_bad_value_is_shown_with_a_caret_under_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("caret.toml");
    std::fs::write(&file, BAD).expect("write");
    let o = Command::new(BIN)
        .arg("validate")
        .arg(&file)
        .output()
        .expect("run ccsim");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let head = format!(
        "error: {}:9:41: `reason[general].handle.mean`: a bare number (240) is not a duration: the unit is missing",
        file.display()
    );
    assert_eq!(lines[0], head, "{err}");
    assert_eq!(lines[1], "  |", "{err}");
    assert_eq!(
        lines[2], "9 | handle = { dist = \"exponential\", mean = 240 }",
        "{err}"
    );
    assert_eq!(lines[3], format!("  | {}^^^", " ".repeat(40)), "{err}");
    assert!(
        lines[4].starts_with("    help: write it as a string with a unit"),
        "{err}"
    );
    assert!(!err.contains('\x1b'), "colours on a pipe: {err:?}");
}

#[test]
fn problems_of_the_whole_file_have_no_snippet() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("empty.toml");
    std::fs::write(&file, "[scenario]\nname = \"x\"\n").expect("write");
    let o = Command::new(BIN)
        .arg("validate")
        .arg(&file)
        .output()
        .expect("run ccsim");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("missing section [arrivals]"), "{err}");
    assert!(!err.contains(" | "), "{err}");
}

#[test]
fn a_long_line_is_cut_around_the_problem() {
    let snippet = ccsim::error::Snippet::at(
        &format!("{}\"bad\"{}", "x".repeat(500), "y".repeat(500)),
        500,
        505,
    )
    .expect("snippet");
    assert!(snippet.text.chars().count() <= 122, "{}", snippet.text);
    let caret_at: String = snippet
        .text
        .chars()
        .skip(snippet.column - 1)
        .take(5)
        .collect();
    assert_eq!(caret_at, "\"bad\"");
    assert_eq!(snippet.width, 5);
}
