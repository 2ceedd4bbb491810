//! `ccsim report DIR` and `--report`: one self-contained report.html (inline SVG, no script, no
//! address) with every section, for a run, a sweep and a merged sweep; missing optional files
//! skip their section; text from the folder is escaped; a folder that is not a results folder
//! is refused with exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");

fn ccsim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ccsim runs")
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn report(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("report.html")).expect("report.html written")
}

/// The page is one self-contained file: no script, no address, every SVG closed.
fn self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "a script in the report");
    assert!(!lower.contains("http://"), "an address in the report");
    assert!(!lower.contains("https://"), "an address in the report");
    assert!(!lower.contains("<link"), "a linked resource in the report");
    assert!(!lower.contains("<img"), "an image reference in the report");
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
}

/// Each chart title is drawn inside an inline SVG.
fn charts(html: &str, titles: &[&str]) {
    let svgs: Vec<&str> = html
        .split("<svg")
        .skip(1)
        .map(|part| part.split("</svg>").next().unwrap_or(""))
        .collect();
    for t in titles {
        assert!(
            svgs.iter().any(|svg| svg.contains(t)),
            "no chart titled {t:?} among {} charts",
            svgs.len()
        );
    }
}

const DAY: &[&str] = &[
    "Offered contacts",
    "Staffed agents",
    "Service level",
    "Average speed of answer",
    "Abandonment",
    "Occupancy",
];
const JOURNEYS: &[&str] = &[
    "Contacts per issue by persona",
    "Contacts per issue by reason",
    "Repeat contacts by cause",
    "Satisfaction distribution",
    "Satisfaction: true against surveyed",
];

fn run_folder(out: &Path) {
    ok(&ccsim(&[
        "run",
        "scenarios/journey-rich.toml",
        "--replications",
        "2",
        "--out",
        s(out),
        "--quiet",
        "--report",
    ]));
}

#[test]
fn a_run_report_has_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_folder(&out);
    // `run --report` wrote it; `ccsim report` writes it again, with a target line.
    let first = report(&out);
    self_contained(&first);
    std::fs::remove_file(out.join("report.html")).unwrap();
    let o = ccsim(&["report", s(&out), "--sl-target", "80%"]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("report.html"));
    let html = report(&out);
    self_contained(&html);
    for section in ["Headline", "The day, interval by interval", "Journeys"] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    for metric in [
        "service_level",
        "satisfaction_mean",
        "cost_total",
        "95 % interval",
    ] {
        assert!(html.contains(metric), "{metric}");
    }
    charts(&html, DAY);
    charts(&html, JOURNEYS);
    assert_eq!(html.matches("<svg").count(), DAY.len() + JOURNEYS.len());
    assert!(html.contains("target 80 %"), "the target line's legend");
    assert!(
        html.contains("answered within 20 s"),
        "the threshold on the axis"
    );
    assert!(!first.contains("target 80 %"), "no target unless given");
    // No leftover temporary file.
    assert!(!out.join(".report.html.tmp").exists());
    // A bad target is a usage error.
    let o = ccsim(&["report", s(&out), "--sl-target", "180%"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn missing_files_skip_their_sections_and_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_folder(&out);
    std::fs::remove_file(out.join("intervals.csv")).unwrap();
    std::fs::remove_file(out.join("breakdown.csv")).unwrap();
    // Markup in the folder's text must come out as text.
    let manifest = out.join("manifest.json");
    let m = std::fs::read_to_string(&manifest).unwrap();
    let m = m.replacen("\"journey-rich\"", "\"<script>alert(1)</script> & co\"", 1);
    std::fs::write(&manifest, m).unwrap();
    ok(&ccsim(&["report", s(&out)]));
    let html = report(&out);
    self_contained(&html);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(
        html.contains("no intervals.csv"),
        "says why the day is missing"
    );
    assert!(
        html.contains("no breakdown.csv"),
        "says why personas are missing"
    );
    charts(
        &html,
        &["Repeat contacts by cause", "Satisfaction distribution"],
    );
    assert!(!html.contains("Offered contacts"));
}

fn sweep_file(dir: &Path) -> PathBuf {
    std::fs::write(
        dir.join("s.toml"),
        "[scenario]\nname = \"s\"\nreplications = 3\nhorizon = \"6h\"\n[arrivals]\nrate = \"60/h\"\n\
         [[reason]]\nname = \"r\"\nresolve = 0.8\nhandle = { dist = \"exponential\", mean = \"4m\" }\n\
         [[group]]\nname = \"g\"\nagents = 5\ncost_per_hour = 30\n\
         [[persona]]\nname = \"p\"\npatience = { dist = \"exponential\", mean = \"3m\" }\n\
         persistence = { retry = 0.5, delay = { dist = \"exponential\", mean = \"30m\" } }\n",
    )
    .unwrap();
    let file = dir.join("w.toml");
    std::fs::write(
        &file,
        "[sweep]\nbase = \"s.toml\"\ncompare_to = \"base\"\n[sweep.vary]\n\"group.g.agents\" = [4, 5, 7]\n\"policy.context\" = [\"shared\", \"siloed\"]\n",
    )
    .unwrap();
    file
}

fn sweep_sections(html: &str) {
    self_contained(html);
    for section in [
        "Headline",
        "Cost and satisfaction",
        "Metrics against the swept parameters",
        "The day, interval by interval",
        "Journeys",
    ] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    charts(
        html,
        &[
            "Cost against satisfaction",
            "Pareto front",
            "satisfaction_mean against agents",
            "cost_total against agents",
        ],
    );
    charts(html, DAY);
    assert!(html.contains("scenario on the Pareto front"));
    // Paired differences, coloured by whether their interval excludes zero.
    assert!(html.contains("difference"));
    assert!(html.contains("Δ"));
    assert!(html.contains("class=\"d better\"") || html.contains("class=\"d worse\""));
    assert!(html.contains("agents=7,<wbr>context=siloed"));
}

#[test]
fn a_sweep_and_its_merge_have_pareto_and_difference_sections() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path());
    let out = dir.path().join("sweep");
    ok(&ccsim(&[
        "sweep",
        s(&file),
        "--out",
        s(&out),
        "--quiet",
        "--threads",
        "2",
        "--report",
    ]));
    let whole = report(&out);
    sweep_sections(&whole);
    // Shards merged give the same folder, and the same report but for the folder's name.
    let mut shards = Vec::new();
    for k in 1..=2 {
        let d = dir.path().join(format!("shard-{k}"));
        ok(&ccsim(&[
            "sweep",
            s(&file),
            "--out",
            s(&d),
            "--quiet",
            "--shard",
            &format!("{k}/2"),
        ]));
        shards.push(d);
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| s(d)));
    args.extend(["--out", s(&merged)]);
    ok(&ccsim(&args));
    ok(&ccsim(&["report", s(&merged)]));
    sweep_sections(&report(&merged));
    // A shard alone is a results folder too.
    ok(&ccsim(&["report", s(&shards[1])]));
    self_contained(&report(&shards[1]));
}

#[test]
fn a_folder_that_is_not_a_results_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = ccsim(&["report", s(dir.path())]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a ccsim results folder"), "{err}");
    assert!(!dir.path().join("report.html").exists());
    let o = ccsim(&["report", s(&dir.path().join("missing"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a folder"));
    // A manifest that is not ccsim's.
    std::fs::write(dir.path().join("manifest.json"), "{\"name\": 1}").unwrap();
    let o = ccsim(&["report", s(dir.path())]);
    assert_eq!(o.status.code(), Some(2));
    // ccsim's manifest without summary.csv.
    std::fs::write(
        dir.path().join("manifest.json"),
        "{\"ccsim_version\": \"0.1.0\"}",
    )
    .unwrap();
    let o = ccsim(&["report", s(dir.path())]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("summary.csv"));
    // A summary.csv that is not ccsim's.
    std::fs::write(dir.path().join("summary.csv"), "a,b\n1,2\n").unwrap();
    let o = ccsim(&["report", s(dir.path())]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("column"));
}

/// A metric no replication defines (no survey answered: `csat_surveyed` has empty cells in
/// summary.csv) keeps its headline row, shown as "—", and the true-against-surveyed chart says
/// why it has no surveyed bar.
#[test]
fn an_undefined_metric_keeps_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nosurvey.toml");
    std::fs::write(
        &file,
        r#"[scenario]
name = "nosurvey"
replications = 2
horizon = "4h"

[arrivals]
rate = "100/h"

[[persona]]
name = "p1"
patience = { dist = "exponential", mean = "3m" }

[[reason]]
name = "r1"
handle = { dist = "exponential", mean = "4m" }

[[group]]
name = "g"
agents = 10

[satisfaction]
survey = { response = 0.0 }
"#,
    )
    .unwrap();
    let out = dir.path().join("run");
    ok(&ccsim(&["run", s(&file), "--out", s(&out), "--quiet"]));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary.contains("nosurvey,csat_surveyed,,,,,0"),
        "{summary}"
    );
    ok(&ccsim(&["report", s(&out)]));
    let html = report(&out);
    self_contained(&html);
    let row = html
        .split("<tr>")
        .find(|r| r.contains(">csat_surveyed</td>"))
        .expect("a csat_surveyed row in report.html");
    assert!(row.contains("<td>—</td>"), "{row}");
    assert!(
        html.contains("csat_surveyed is undefined there (no survey answered"),
        "the chart's caption says why there is no surveyed bar"
    );
}
