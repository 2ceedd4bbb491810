//! The bare-loop yardstick (`ccsim::yardstick`) on one `ccsim bench` workload, for
//! `benches/peers/run.sh`: prints one JSON object with the estimates and the wall time.
//!
//! Usage: `cargo run --release --example bare_loop -- bench-mmcm 1000000`

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let workload = args.next().unwrap_or_else(|| "bench-mmcm".into());
    let arrivals: u64 = args
        .next()
        .map(|a| a.parse().expect("arrivals: a whole number"))
        .unwrap_or(1_000_000);
    let start = Instant::now();
    let out = match ccsim::bench::bare_loop(&workload, arrivals) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(e.exit_code());
        }
    };
    let wall = start.elapsed().as_secs_f64();
    let n = out.arrivals.max(1) as f64;
    println!(
        "{{\"tool\": \"bare-loop\", \"workload\": \"{workload}\", \"arrivals\": {}, \
         \"abandoned\": {}, \"p_abandon\": {}, \"mean_wait_s\": {}, \"wall_s\": {wall}}}",
        out.arrivals,
        out.abandoned,
        out.abandoned as f64 / n,
        out.total_wait_s / n,
    );
}
