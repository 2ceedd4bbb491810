#!/usr/bin/env bash
# The sweep speed-up: benches/sweeps/thousand.toml (1,000 scenarios × 10 replications of a
# one-day, 53-agent Erlang C center, about 240 M arrivals) on 1 and on 2 worker threads,
# REPEATS times each (alternating), pinned to CPUs 0-1; prints every wall time, then the
# medians, scenarios per second and the ratio (the goal is ≥ 1.9).
#
#   benches/sweep-speedup.sh [CCSIM] [REPEATS]
#       CCSIM    the ccsim binary [default: target/release/ccsim; build it with
#                cargo build --release --locked]
#       REPEATS  runs per thread count [default: 3]
#   SWEEP=file.toml CPUS=0-1 benches/sweep-speedup.sh   another sweep, other CPUs
#
# On a shared machine the times are noisy: run it when the load (uptime) is low.
set -euo pipefail
cd "$(dirname "$0")/.."

CCSIM=${1:-target/release/ccsim}
REPEATS=${2:-3}
SWEEP=${SWEEP:-benches/sweeps/thousand.toml}
CPUS=${CPUS:-0-1}
[ -x "$CCSIM" ] || {
    echo "$CCSIM is not an executable: build it first (cargo build --release --locked)" >&2
    exit 1
}
command -v taskset >/dev/null 2>&1 || {
    echo "taskset (util-linux) is needed" >&2
    exit 1
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "sweep: $SWEEP, binary: $CCSIM, CPUs $CPUS, load: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A times
for rep in $(seq "$REPEATS"); do
    for threads in 1 2; do
        rm -rf "$T/out"
        start=$(date +%s.%N)
        taskset -c "$CPUS" "$CCSIM" sweep "$SWEEP" --out "$T/out" --threads "$threads" -q
        wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
        times[$threads]="${times[$threads]:-} $wall"
        scenarios=$(sed -n 's/^  "scenarios": \([0-9]*\),$/\1/p' "$T/out/manifest.json")
        echo "run $rep, $threads thread(s): $wall s (load $(cut -d' ' -f1 /proc/loadavg))"
    done
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m1=$(echo "${times[1]}" | median)
m2=$(echo "${times[2]}" | median)
awk -v m1="$m1" -v m2="$m2" -v n="$scenarios" -v r="$REPEATS" 'BEGIN {
    printf "median of %d: 1 thread %.2f s (%.1f scenarios/s), 2 threads %.2f s (%.1f scenarios/s), speed-up %.3f\n",
        r, m1, n / m1, m2, n / m2, m1 / m2
}'
