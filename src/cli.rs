//! Command line: parse arguments, call the library, print results. The only module that prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};

/// Print to stdout. A reader that went away (`ccsim compare A B | head -1`) ends the program
/// quietly with success, as `cat` would, instead of a panic; any other failure to write is an
/// error message and exit code 1.
macro_rules! out {
    ($($arg:tt)*) => { write_out(format_args!($($arg)*)) };
}

/// `out!` with a newline.
macro_rules! outln {
    ($($arg:tt)*) => { write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

fn write_out(args: std::fmt::Arguments) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(std::io::stderr(), "error: writing to standard output: {e}");
        std::process::exit(1);
    }
}

use crate::error::{Error, Result};
use crate::report::{self, Manifest};
use crate::runner;
use crate::scenario::{self, Scenario};
use crate::selftest::{self, Effort};
use crate::stats::{SUMMARY_METRICS, summarize};

/// ccsim — a discrete-event simulator of contact centers: satisfaction, cost and repeat
/// contacts, with confidence intervals, before a change goes live.
#[derive(Debug, Parser)]
#[command(name = "ccsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario file and write the results folder.
    #[command(
        after_help = "Example:\n  ccsim run scenarios/baseline.toml --out results/baseline --replications 20"
    )]
    Run(RunArgs),
    /// Run every scenario of a sweep file (common random numbers) and write one results
    /// folder with paired differences against `compare_to`.
    #[command(
        after_help = "Example:\n  ccsim sweep scenarios/sweeps/taylorism-vs-empowered.toml --out results/sweep --report"
    )]
    Sweep {
        /// Sweep file (.toml).
        file: PathBuf,
        /// Results folder.
        #[arg(long)]
        out: PathBuf,
        /// Worker threads [default: all cores]; results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Print nothing but errors (and no progress bar).
        #[arg(long, short)]
        quiet: bool,
        /// Continue an interrupted sweep in --out; finished scenarios are kept.
        #[arg(long)]
        resume: bool,
        /// Run only shard K of N (e.g. 3/8): a fixed block of the scenarios; put the shards
        /// back together with `ccsim merge`.
        #[arg(long, value_parser = parse_shard)]
        shard: Option<(usize, usize)>,
        /// Also write report.html (charts and tables) into --out after the results.
        #[arg(long)]
        report: bool,
        /// Run scenarios whose estimated work is above the runaway guard's limit
        /// (2e9 contacts; see docs/performance.md).
        #[arg(long)]
        force: bool,
    },
    /// Write DIR/report.html: one self-contained page with the headline table and charts of a
    /// results folder (a run, a sweep or a merged sweep); no network, no script.
    #[command(after_help = "Example:\n  ccsim report results/baseline --sl-target 80%")]
    Report {
        /// Results folder of `ccsim run`, `ccsim sweep` or `ccsim merge`.
        dir: PathBuf,
        /// Service-level target drawn on the service-level chart, e.g. 80% or 0.8.
        #[arg(long, allow_hyphen_values = true)]
        sl_target: Option<String>,
    },
    /// Put the shard folders of a sweep back together (every results file the bytes of one
    /// run; manifest.json too but for started, wall_seconds, threads and merged_from); refuses
    /// an incomplete or mixed set and names the missing shards.
    #[command(
        after_help = "Example:\n  ccsim merge results/sweep/shard-* --out results/sweep/merged"
    )]
    Merge {
        /// Shard folders (written by `ccsim sweep --shard K/N`).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Merged results folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print a Slurm sbatch job-array script that runs a sweep in N shards.
    #[command(
        after_help = "Example:\n  ccsim slurm scenarios/sweeps/taylorism-vs-empowered.toml --shards 8 > sweep.sbatch"
    )]
    Slurm {
        /// Sweep file.
        file: PathBuf,
        /// Number of shards (array tasks).
        #[arg(long)]
        shards: usize,
        /// Folder for the shard folders and the merged results.
        #[arg(long, default_value = "results/sweep")]
        out: PathBuf,
    },
    /// Re-run what a results folder's manifest.json describes and compare every file byte for
    /// byte; exit code 1 with the first differing file and line if anything differs.
    #[command(after_help = "Example:\n  ccsim verify results/baseline")]
    Verify {
        /// Results folder of `ccsim run` or `ccsim sweep`.
        dir: PathBuf,
        /// Worker threads [default: all cores]; results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Check a scenario file without running it.
    #[command(after_help = "Example:\n  ccsim validate scenarios/*.toml")]
    Validate {
        /// Scenario files (.toml or .json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Compare the simulator with queueing theory (Erlang C, A, B, Pollaczek-Khinchine,
    /// priorities) and print the table.
    #[command(after_help = "Example:\n  ccsim selftest --replications 10 --only erlang_c")]
    Selftest(SelftestArgs),
    /// Time the full engine against a bare hand-written loop of the same model (bench-mmcm:
    /// M/M/53+M at 1000/h; bench-mmc: infinite patience) and print the ratios.
    #[command(after_help = "Example:\n  ccsim bench --arrivals 200000 --repeats 3")]
    Bench {
        /// Arrivals per measured run.
        #[arg(long, default_value_t = 1_000_000)]
        arrivals: u64,
        /// Runs per line; the median is reported.
        #[arg(long, default_value_t = 5)]
        repeats: usize,
    },
    /// Erlang C, A or B calculator: waiting, abandonment, service level and occupancy at a
    /// given staffing (exact formulas, no simulation).
    #[command(
        after_help = "Example:\n  ccsim erlang c --rate 1000/h --aht 3m --agents 53 --sl 20s"
    )]
    Erlang(ErlangArgs),
    /// Agents needed for a service-level target: Erlang C, or Erlang A with --patience.
    #[command(
        after_help = "Example:\n  ccsim staff --rate 1000/h --aht 3m --target \"80% in 20s\" --patience 2m"
    )]
    Staff(StaffArgs),
    /// Print the JSON Schema of scenario files, for editors' completion and checking
    /// (Taplo / Even Better TOML, VS Code).
    #[command(
        after_help = "Example:\n  ccsim schema > ccsim.schema.json\n  then put `#:schema ./ccsim.schema.json` on the first line of a scenario file"
    )]
    Schema,
    /// Compare two results folders metric by metric: A, B and the difference B − A with its
    /// 95 % interval, paired by replication when both manifests show the same seed and
    /// replications, Welch otherwise.
    #[command(
        after_help = "Example:\n  ccsim run scenarios/baseline.toml --out results/a\n  ccsim run scenarios/empowered.toml --out results/b\n  ccsim compare results/a results/b"
    )]
    Compare {
        /// Results folder A (the reference).
        a: PathBuf,
        /// Results folder B (the change).
        b: PathBuf,
        /// Print one JSON object instead of the table.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (one line per metric) instead of the table.
        #[arg(long)]
        csv: bool,
        /// Use Welch's interval even when the runs could be paired.
        #[arg(long)]
        welch: bool,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  ccsim completions bash > ~/.local/share/bash-completion/completions/ccsim\n  ccsim completions zsh > ~/.zfunc/_ccsim\n  ccsim completions fish > ~/.config/fish/completions/ccsim.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Arguments of `ccsim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (.toml or .json).
    pub file: PathBuf,
    /// Results folder [default: results/<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replications (overrides scenario.replications).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Seed (overrides scenario.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores]; results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write journeys.csv: every contact of every journey (for small runs).
    #[arg(long)]
    pub trace: bool,
    /// Also write report.html (charts and tables) into the results folder.
    #[arg(long)]
    pub report: bool,
    /// Run even if the estimated work is above the runaway guard's limit (2e9 contacts; see
    /// docs/performance.md).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `ccsim selftest`.
#[derive(Debug, clap::Args)]
pub struct SelftestArgs {
    /// Folder with reference tables (erlang_c.csv, erlang_a.csv, erlang_b.csv, mg1_pk.csv,
    /// priority_mmc.csv) [default: the bundled copies].
    #[arg(long)]
    pub validation: Option<PathBuf>,
    /// Replications per case.
    #[arg(long, default_value_t = 20)]
    pub replications: u32,
    /// Arrivals per replication (slow-relaxing cases get more).
    #[arg(long, default_value_t = 150_000.0)]
    pub arrivals: f64,
    /// Only cases whose name (`ec_p01`) or table (`erlang_c`) contains this text.
    #[arg(long)]
    pub only: Option<String>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Run the parsed command.
pub fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Report { dir, sl_target } => {
            let opts = report::html::ReportOptions {
                sl_target: sl_target
                    .as_deref()
                    .map(report::html::parse_share)
                    .transpose()?,
            };
            let path = report::html::write_report(&dir, &opts)?;
            outln!("report → {}", path.display());
            Ok(())
        }
        Command::Merge { dirs, out } => {
            let n = crate::sweep::merge(&dirs, &out)?;
            outln!("merged {n} shards → {}", out.display());
            Ok(())
        }
        Command::Slurm { file, shards, out } => {
            if shards == 0 {
                return Err(Error::Usage("--shards 0: use 1 or more".into()));
            }
            crate::sweep::load(&file)?;
            out!("{}", crate::sweep::slurm_script(&file, shards, &out));
            Ok(())
        }
        Command::Verify { dir, threads } => {
            let v = crate::verify::verify(&dir, runner::thread_count(threads))?;
            outln!(
                "{}: verified, {} identical ({})",
                dir.display(),
                v.files.len(),
                v.files.join(", ")
            );
            Ok(())
        }
        Command::Sweep {
            file,
            out,
            threads,
            quiet,
            resume,
            shard,
            report,
            force,
        } => {
            let sweep = crate::sweep::load(&file)?;
            if let (Some((samples, distinct)), false) = (sweep.samples_short(), quiet) {
                // A notice, not an error: the design space is smaller than the samples asked.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: {}: the random design has only {distinct} distinct points, fewer than samples = {samples}; each runs once",
                    file.display()
                );
            }
            let threads = runner::thread_count(threads);
            let bar = progress_bar(quiet);
            let progress = bar.clone().map(|b| {
                let started = std::sync::atomic::AtomicBool::new(false);
                let f: crate::sweep::Progress = std::sync::Arc::new(move |done, all, reps| {
                    b.set_length(all as u64);
                    b.set_position(done as u64);
                    if !started.swap(true, std::sync::atomic::Ordering::Relaxed) {
                        // A resumed sweep starts part-way: estimate the ETA from here on.
                        b.reset_eta();
                    }
                    let rate = reps as f64 / b.elapsed().as_secs_f64().max(1e-3);
                    b.set_message(format!("{rate:.0} replications/s"));
                });
                f
            });
            let opts = crate::sweep::SweepOptions {
                out: out.clone(),
                threads,
                resume,
                progress,
                shard,
                force,
            };
            let rep = crate::sweep::run_sweep(&sweep, &opts)?;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            if !quiet {
                outln!(
                    "{} scenarios, {} replications in {:.2} s on {threads} threads ({:.1} scenarios/s) → {}",
                    rep.scenarios,
                    rep.replications,
                    rep.wall_seconds,
                    rep.scenarios as f64 / rep.wall_seconds.max(1e-9),
                    out.display()
                );
            }
            if report {
                let path = report::html::write_report(&out, &Default::default())?;
                if !quiet {
                    outln!("report → {}", path.display());
                }
            }
            Ok(())
        }
        Command::Validate { files } => validate(&files),
        Command::Selftest(args) => selftest(args),
        Command::Bench { arrivals, repeats } => {
            let lines = crate::bench::run(arrivals, repeats)?;
            out!("{}", crate::bench::table(&lines));
            Ok(())
        }
        Command::Erlang(args) => erlang(args),
        Command::Staff(args) => staff(args),
        Command::Schema => {
            out!("{}", scenario::schema::scenario_schema_json());
            Ok(())
        }
        Command::Compare {
            a,
            b,
            json,
            csv,
            welch,
        } => {
            let c = crate::compare::compare(&a, &b, welch)?;
            if json {
                outln!("{}", c.to_json()?);
            } else if csv {
                out!("{}", c.to_csv()?);
            } else {
                out!("{}", c.render_text());
            }
            Ok(())
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "ccsim", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            Ok(())
        }
    }
}

fn validate(files: &[PathBuf]) -> Result<()> {
    let mut problems = Vec::new();
    for f in files {
        match scenario::load_file(f) {
            Ok(l) => outln!("{}: ok (scenario \"{}\")", f.display(), l.scenario.name),
            // A sweep file: checked as one, with every scenario it makes.
            Err(Error::Input(d)) if is_sweep_file(&d) => {
                match crate::sweep::load(f).and_then(|sw| sw.scenarios()) {
                    Ok(list) => outln!("{}: ok (sweep of {} scenarios)", f.display(), list.len()),
                    Err(Error::Input(d)) => problems.extend(d),
                    Err(e) => return Err(e),
                }
            }
            Err(Error::Input(d)) => problems.extend(d),
            Err(e) => return Err(e),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

/// Whether the loader refused a file only for being a sweep file (`scenario::load`).
fn is_sweep_file(d: &[crate::error::Diagnostic]) -> bool {
    matches!(d, [one] if one.key_path == "sweep" && one.message.starts_with("this is a sweep file"))
}

fn apply_overrides(s: &mut Scenario, args: &RunArgs) -> Result<()> {
    if let Some(r) = args.replications {
        if r == 0 || r > 100_000 {
            return Err(Error::Usage(format!(
                "--replications {r} is out of range: use 1 to 100000"
            )));
        }
        s.replications = r;
    }
    if let Some(seed) = args.seed {
        s.seed = seed;
    }
    Ok(())
}

fn run(args: RunArgs) -> Result<()> {
    let loaded = scenario::load_file(&args.file)?;
    let mut s = loaded.scenario;
    apply_overrides(&mut s, &args)?;
    crate::guard::check(
        &s,
        &format!("`{}` ({})", s.name, args.file.display()),
        crate::guard::work_limit(),
        args.force,
    )?;
    let threads = runner::thread_count(args.threads);
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&s.name));
    let started = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let clock = Instant::now();
    let out = runner::run_with(&s, threads, args.trace)?;
    let manifest = Manifest {
        ccsim_version: env!("CARGO_PKG_VERSION").into(),
        scenario: s.name.clone(),
        scenario_file: args.file.display().to_string(),
        scenario_file_from_results: report::path_from(&out_dir, &args.file),
        scenario_sha256: loaded.hash,
        scenario_includes: loaded.includes,
        scenario_data: loaded.data,
        seed: s.seed,
        replications: s.replications,
        threads,
        started,
        wall_seconds: clock.elapsed().as_secs_f64(),
        events: out.events(),
        sl_threshold_s: crate::time::ticks_to_secs(s.sl_threshold),
        files: Vec::new(),
    };
    report::write_results(&out_dir, &s, &out, manifest)?;
    if !args.quiet {
        print_headline(&s, &out);
        outln!(
            "\n{} replications, {} events in {:.2} s on {} threads → {}",
            s.replications,
            out.events(),
            out.wall.as_secs_f64(),
            threads,
            out_dir.display()
        );
    }
    if args.report {
        let path = report::html::write_report(&out_dir, &Default::default())?;
        if !args.quiet {
            outln!("report → {}", path.display());
        }
    }
    Ok(())
}

fn print_headline(s: &Scenario, out: &runner::RunOutput) {
    outln!(
        "scenario {}: mean and 95 % interval over replications",
        s.name
    );
    for (i, metric) in SUMMARY_METRICS.iter().enumerate() {
        let values: Vec<Option<f64>> = out.outcomes.iter().map(|o| o.summary[i]).collect();
        if let Some(sm) = summarize(&values, report::CONFIDENCE) {
            match (sm.ci_low, sm.ci_high) {
                (Some(lo), Some(hi)) => {
                    outln!("  {metric:<44} {:>14.4}   [{lo:.4}, {hi:.4}]", sm.mean)
                }
                _ => outln!("  {metric:<44} {:>14.4}", sm.mean),
            }
        }
    }
}

fn selftest(args: SelftestArgs) -> Result<()> {
    let cases = selftest::load_cases(args.validation.as_deref())?;
    let effort = Effort {
        replications: args.replications.max(2),
        arrivals: args.arrivals.max(1000.0),
    };
    let chosen: Vec<&selftest::Case> = cases
        .iter()
        .filter(|c| {
            args.only
                .as_ref()
                .is_none_or(|o| c.name.contains(o.as_str()) || c.table.contains(o.as_str()))
        })
        .collect();
    if chosen.is_empty() {
        let tables: Vec<&str> = cases
            .iter()
            .map(|c| c.table.trim_end_matches(".csv"))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        return Err(Error::Usage(format!(
            "no reference case matches --only {}: case names look like {}; tables: {}",
            args.only.as_deref().unwrap_or(""),
            cases.first().map_or("ec_p01", |c| c.name.as_str()),
            tables.join(", ")
        )));
    }
    let threads = runner::thread_count(args.threads);
    outln!(
        "{:<14} {:<8} {:<16} {:>14} {:>14} {:>14} {:>14}  pass",
        "table",
        "case",
        "metric",
        "reference",
        "estimate",
        "ci_low",
        "ci_high"
    );
    let mut all = Vec::new();
    let clock = Instant::now();
    for case in chosen {
        for c in case.run(effort, threads)? {
            outln!(
                "{:<14} {:<8} {:<16} {:>14.6} {:>14.6} {:>14.6} {:>14.6}  {}",
                c.table.trim_end_matches(".csv"),
                c.case,
                c.column,
                c.reference,
                c.estimate,
                c.estimate - c.half_width,
                c.estimate + c.half_width,
                if c.pass { "yes" } else { "NO" }
            );
            all.push(c);
        }
    }
    let misses = all.iter().filter(|c| !c.pass).count();
    outln!(
        "\n{} comparisons, {misses} outside the 99.9 % interval (+0.1 % slack), {:.1} s",
        all.len(),
        clock.elapsed().as_secs_f64()
    );
    let failing = selftest::failing_tables(&all);
    if failing.is_empty() {
        outln!("selftest passed (at most one miss per table)");
        Ok(())
    } else {
        let list: Vec<String> = failing
            .iter()
            .map(|(t, m)| format!("{t}: {m} misses"))
            .collect();
        Err(Error::Mismatch(format!(
            "selftest failed: {}",
            list.join(", ")
        )))
    }
}

/// Arguments of `ccsim erlang`.
#[derive(Debug, clap::Args)]
pub struct ErlangArgs {
    /// Queueing model.
    #[arg(value_enum)]
    pub model: crate::calc::Model,
    /// Arrival rate, e.g. "1000/h" or "16.7/m".
    #[arg(long, allow_hyphen_values = true)]
    pub rate: String,
    /// Mean handle time, e.g. "3m" or "180s".
    #[arg(long, allow_hyphen_values = true)]
    pub aht: String,
    /// Agents on duty.
    #[arg(long, allow_hyphen_values = true)]
    pub agents: String,
    /// Mean patience before callers abandon, e.g. "2m" (Erlang A only).
    #[arg(long, allow_hyphen_values = true)]
    pub patience: Option<String>,
    /// Service-level threshold: the share answered within it is reported.
    #[arg(long, default_value = "20s", allow_hyphen_values = true)]
    pub sl: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `ccsim staff`.
#[derive(Debug, clap::Args)]
pub struct StaffArgs {
    /// Arrival rate, e.g. "1000/h" or "16.7/m".
    #[arg(long, allow_hyphen_values = true)]
    pub rate: String,
    /// Mean handle time, e.g. "3m" or "180s".
    #[arg(long, allow_hyphen_values = true)]
    pub aht: String,
    /// Service-level target, e.g. "80% in 20s" or "0.8 in 20s".
    #[arg(long, allow_hyphen_values = true)]
    pub target: String,
    /// Mean patience before callers abandon, e.g. "2m" (staffs with Erlang A instead of C).
    #[arg(long, allow_hyphen_values = true)]
    pub patience: Option<String>,
    /// Highest acceptable agent occupancy, e.g. 0.9 or 90%.
    #[arg(long, allow_hyphen_values = true)]
    pub max_occupancy: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

fn erlang(args: ErlangArgs) -> Result<()> {
    let r = crate::calc::erlang_from_args(
        args.model,
        &args.rate,
        &args.aht,
        &args.agents,
        args.patience.as_deref(),
        &args.sl,
    )?;
    if args.json {
        outln!("{}", r.to_json()?);
    } else {
        out!("{}", r.render_text());
    }
    Ok(())
}

fn staff(args: StaffArgs) -> Result<()> {
    let r = crate::calc::staff_from_args(
        &args.rate,
        &args.aht,
        &args.target,
        args.patience.as_deref(),
        args.max_occupancy.as_deref(),
    )?;
    if args.json {
        outln!("{}", r.to_json()?);
    } else {
        out!("{}", r.render_text());
    }
    Ok(())
}

/// A progress bar on stderr (scenarios done, rate, ETA); none when quiet, and indicatif draws
/// nothing when stderr is not a terminal.
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet {
        return None;
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios, {msg}, ETA {eta}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// `K/N` for `--shard`.
fn parse_shard(text: &str) -> std::result::Result<(usize, usize), String> {
    text.split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)))
        .filter(|(k, n)| *k >= 1 && k <= n)
        .ok_or_else(|| format!("`{text}` is not a shard: write K/N with 1 <= K <= N, e.g. 3/8"))
}
