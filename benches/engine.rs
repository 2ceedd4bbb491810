//! Criterion benches: the full engine against the bare-loop yardstick, in simulated contacts
//! per second.
//!
//! Groups `bench-mmcm` and `bench-mmc` (the workloads of `ccsim::bench`) each time `ccsim`
//! (one replication of `engine::run`) and `yardstick` (`bench::bare_loop`, the bare loop on the
//! same queue); `scenario-day` runs one replication of `scenarios/one-site-day.toml` when that
//! file exists; `omnichannel` one of `scenarios/omnichannel.toml` (every channel, shifts);
//! `journey-rich` one replication of `scenarios/journey-rich.toml`; `sweep-100` a
//! 100-scenario sweep of bench-mmcm (agents 45 to 144, 10 000 arrivals each) through
//! `sweep::run_sweep`, results files included. Throughput (`Throughput::Elements`) is in
//! contacts simulated: every contact the engine created (warm-up and drain included), and the
//! arrivals for the yardstick.
//!
//! A quick look: `cargo bench --bench engine -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use ccsim::{bench, engine, runner, scenario, sweep};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

/// Arrivals per iteration of the M/M/c benches.
const ARRIVALS: u64 = 100_000;

/// A group with few, short samples, so `cargo bench` stays within a minute or two.
fn short_group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group
}

/// The engine and the yardstick on one workload, in a group named after it.
fn workload(c: &mut Criterion, name: &str) {
    let s = bench::workload(name, ARRIVALS).expect("bench workloads are valid");
    let contacts = engine::run(&s, 0).raw.contacts_created;
    let mut group = short_group(c, name);
    group.throughput(Throughput::Elements(contacts));
    group.bench_function("ccsim", |b| b.iter(|| engine::run(black_box(&s), 0)));
    group.throughput(Throughput::Elements(ARRIVALS));
    group.bench_function("yardstick", |b| {
        b.iter(|| bench::bare_loop(black_box(name), ARRIVALS).expect("known workload"))
    });
    group.finish();
}

/// M/M/53+M: exponential patience with mean 120 s.
fn mmcm(c: &mut Criterion) {
    workload(c, "bench-mmcm");
}

/// M/M/53: infinite patience.
fn mmc(c: &mut Criterion) {
    workload(c, "bench-mmc");
}

/// One replication of a bundled scenario file, in contacts of every kind per second; skipped
/// when the file is missing or invalid.
fn bundled(c: &mut Criterion, group: &str, function: &str, file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    if !path.exists() {
        eprintln!("{group}: skipped, {} does not exist", path.display());
        return;
    }
    let s = match scenario::load_file(&path) {
        Ok(loaded) => loaded.scenario,
        Err(e) => {
            eprintln!("{group}: skipped, {} does not load:\n{e}", path.display());
            return;
        }
    };
    let contacts = engine::run(&s, 0).raw.contacts_created;
    let mut g = short_group(c, group);
    g.throughput(Throughput::Elements(contacts.max(1)));
    g.bench_function(function, |b| b.iter(|| engine::run(black_box(&s), 0)));
    g.finish();
}

/// One replication of the one-site day scenario.
fn scenario_day(c: &mut Criterion) {
    bundled(
        c,
        "scenario-day",
        "one-site-day",
        "scenarios/one-site-day.toml",
    );
}

/// One replication of the omnichannel scenario: every channel (chat sessions, email backlog,
/// social, self-service, callbacks), shifts with breaks, three personas.
fn omnichannel(c: &mut Criterion) {
    bundled(c, "omnichannel", "ccsim", "scenarios/omnichannel.toml");
}

/// One replication of the journey-rich scenario (5 personas, 10 reasons, 4 groups, a partner,
/// siloed context, AHT pressure), in contacts of every kind per second.
fn journeys(c: &mut Criterion) {
    let s = scenario::load_str(
        Path::new("journey-rich.toml"),
        ccsim::bench::JOURNEY_RICH.to_string(),
        "journey-rich",
    )
    .expect("the bundled journey-rich scenario is valid");
    let out = engine::run(&s, 0);
    let contacts = out.raw.contacts_created.max(1);
    let mut group = short_group(c, "journey-rich");
    group.throughput(Throughput::Elements(contacts));
    group.bench_function("ccsim", |b| b.iter(|| engine::run(black_box(&s), 0)));
    group.finish();
}

/// Scenarios in the sweep bench (one per head count).
const SWEEP_SCENARIOS: u64 = 100;
/// Arrivals per scenario of the sweep bench.
const SWEEP_ARRIVALS: u64 = 10_000;

/// A 100-scenario sweep (grid over the agents of bench-mmcm, one replication each) run by
/// `sweep::run_sweep` on all cores, writing its results folder, as `ccsim sweep` does.
fn sweep_100(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let base = bench::workload("bench-mmcm", SWEEP_ARRIVALS).expect("valid");
    let agents: Vec<String> = (45..45 + SWEEP_SCENARIOS).map(|a| a.to_string()).collect();
    std::fs::write(
        dir.path().join("base.toml"),
        format!(
            "[scenario]\nname = \"bench-mmcm\"\nseed = 7\nreplications = 1\n\
             horizon = \"{}s\"\nwarmup = \"1h\"\n[arrivals]\nrate = \"1000/h\"\n\
             [[persona]]\nname = \"caller\"\n\
             patience = {{ dist = \"exponential\", mean = \"120s\" }}\n\
             [[reason]]\nname = \"any\"\n\
             handle = {{ dist = \"exponential\", mean = \"180s\" }}\n\
             [[group]]\nname = \"agents\"\nagents = 53\n",
            base.horizon / 1000
        ),
    )
    .expect("write the base");
    let file = dir.path().join("sweep.toml");
    std::fs::write(
        &file,
        format!(
            "[sweep]\nbase = \"base.toml\"\ndesign = \"grid\"\n\
             [sweep.vary]\n\"group.agents.agents\" = [{}]\n",
            agents.join(", ")
        ),
    )
    .expect("write the sweep");
    let sw = sweep::load(&file).expect("the sweep is valid");
    let scenarios = sw.scenarios().expect("scenarios");
    assert_eq!(scenarios.len() as u64, SWEEP_SCENARIOS);
    let contacts: u64 = scenarios
        .iter()
        .map(|s| engine::run(&s.scenario, 0).raw.contacts_created)
        .sum();
    let opts = sweep::SweepOptions {
        out: dir.path().join("out"),
        threads: runner::thread_count(None),
        ..Default::default()
    };
    let mut group = short_group(c, "sweep-100");
    group.throughput(Throughput::Elements(contacts));
    group.bench_function("ccsim", |b| {
        b.iter(|| {
            let _ = std::fs::remove_dir_all(&opts.out);
            sweep::run_sweep(black_box(&sw), &opts).expect("the sweep runs")
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    mmcm,
    mmc,
    scenario_day,
    omnichannel,
    journeys,
    sweep_100
);
criterion_main!(benches);
