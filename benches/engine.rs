//! Criterion benches: the full engine against the bare-loop yardstick, in arrivals per second.
//!
//! Groups `bench-mmcm` and `bench-mmc` (the workloads of `ccsim::bench`) each time `ccsim`
//! (one replication of `engine::run`) and `yardstick` (`bench::bare_loop`, the bare loop on the
//! same queue); `scenario-day` runs one replication of `scenarios/one-site-day.toml` when that
//! file exists. Throughput is in arrivals (contacts offered in the window for the engine).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use ccsim::{bench, engine, scenario};
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
    let offered = engine::run(&s, 0).raw.all.offered;
    let mut group = short_group(c, name);
    group.throughput(Throughput::Elements(offered));
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

/// One replication of the one-site day scenario; skipped when the file is missing or invalid.
fn scenario_day(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/one-site-day.toml");
    if !path.exists() {
        eprintln!("scenario-day: skipped, {} does not exist", path.display());
        return;
    }
    let s = match scenario::load_file(&path) {
        Ok(loaded) => loaded.scenario,
        Err(e) => {
            eprintln!(
                "scenario-day: skipped, {} does not load:\n{e}",
                path.display()
            );
            return;
        }
    };
    let offered = engine::run(&s, 0).raw.all.offered;
    let mut group = short_group(c, "scenario-day");
    group.throughput(Throughput::Elements(offered.max(1)));
    group.bench_function("one-site-day", |b| b.iter(|| engine::run(black_box(&s), 0)));
    group.finish();
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

criterion_group!(benches, mmcm, mmc, scenario_day, journeys);
criterion_main!(benches);
