#!/usr/bin/env bash
# Instructions per arrival: ccsim against the bare loop, counted by valgrind (docs/performance.md).
#
#   benches/instructions.sh [ARRIVALS]      # default 200000
#
# Wall times on a shared two-core machine carry ±30 % of noise; instruction counts do not:
# the same binary on the same workload executes the same instructions to the last one. This
# counts them (valgrind's cachegrind, no cache simulation) for one bench-mmcm replication of
# ccsim (`ccsim run`, everything measured, one thread) and for the bare loop
# (`examples/bare_loop.rs`) on the same workload, prints the totals, the count per arrival and
# the ratio, then where ccsim's instructions go: the source files and functions with the most
# (inlined code counts where it was written). Instructions are not time (ccsim runs more
# instructions per cycle than the bare loop, whose heap is its bottleneck), but a change that
# cuts them shows here exactly, whatever else the machine is doing.
#
# Needs valgrind (`apt-get install valgrind`); installs it when run as root and missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
arrivals="${1:-200000}"
if ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -qq valgrind >/dev/null
    else
        echo "instructions.sh: valgrind is needed (apt-get install valgrind)" >&2
        exit 2
    fi
fi
cargo build --release --quiet --bin ccsim --example bare_loop
work="$root/target/instructions"
rm -rf "$work"
mkdir -p "$work"

# The bench-mmcm workload of `ccsim bench` (src/bench.rs): 3.6 s per arrival at 1000/h.
cat >"$work/bench-mmcm.toml" <<EOF
[scenario]
name = "bench-mmcm"
seed = 7
replications = 1
horizon = "$((arrivals * 3600))ms"
warmup = "1h"
[arrivals]
rate = "1000/h"
[[persona]]
name = "caller"
patience = { dist = "exponential", mean = "120s" }
[[reason]]
name = "any"
handle = { dist = "exponential", mean = "180s" }
[[group]]
name = "agents"
agents = 53
EOF

# count OUTFILE CMD...: total instructions of CMD.
count() {
    local out="$1"
    shift
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$out" "$@" \
        >/dev/null 2>"$out.log"
    # "==PID== I   refs:      490,123,456": the count after the colon, without the PID.
    grep -E 'I +refs' "$out.log" | sed -E 's/.*refs: *//' | tr -dc '0-9'
}

ccsim_ir=$(count "$work/ccsim.cg" target/release/ccsim run "$work/bench-mmcm.toml" \
    --out "$work/out" --threads 1 --force --quiet)
bare_ir=$(count "$work/bare.cg" target/release/examples/bare_loop bench-mmcm "$arrivals")
offered=$(grep -m1 ',offered,' "$work/out/summary.csv" | cut -d, -f3)

echo "| program | arrivals | instructions | per arrival | ratio |"
echo "|---|---:|---:|---:|---:|"
awk -v a="$arrivals" -v o="$offered" -v c="$ccsim_ir" -v b="$bare_ir" 'BEGIN {
    printf "| bare loop | %d | %.0f | %.0f | 1.00 |\n", a, b, b / a
    printf "| ccsim run (all measures) | %d | %.0f | %.0f | %.2f |\n", o, c, c / o, (c / o) / (b / a)
}'
echo
echo "ccsim: the 15 source files x functions with the most instructions"
cg_annotate "$work/ccsim.cg" 2>/dev/null |
    awk '/file:function/ && !done { on = 1; getline; next }
         on && NF == 0 { on = 0; done = 1 } on && ++n <= 15 { print }' |
    sed -E 's#/rustc/[0-9a-f]+/library/#std:#; s#/root/.cargo/registry/src/[^/]+/#crates:#; s#'"$root"'/##'

# Every instruction of the ccsim run, grouped by the part of the engine whose source line it
# executes (inlined code counts where it was written; standard-library code inlined into the
# engine — slice indexing with its bounds check, Vec and VecDeque access — is its own part).
echo
echo "ccsim: instructions per arrival by part of the engine"
echo "| part | per arrival | share |"
echo "|---|---:|---:|"
cg_annotate --auto=no --show-percs=no --threshold=0 "$work/ccsim.cg" 2>/dev/null |
    awk -v root="$root" -v o="$offered" -v b="$bare_ir" -v a="$arrivals" '
    /^ *[0-9,]+ +[^ ]+:/ {
        n = $1; gsub(",", "", n); loc = $2
        i = index(loc, ":"); file = substr(loc, 1, i - 1); fn = substr(loc, i + 1)
        if (index(file, root "/src/") == 1) {
            f = substr(file, length(root) + 6)
            if (f == "engine/queue.rs") part = "event list: heaps, timers"
            else if (f ~ /^(dist|time|rng)\.rs$/ || f == "engine/arrivals.rs") part = "sampling: arrivals, patience, handle"
            else if (f ~ /^engine\/(flow|routing|channels|mod|window)\.rs$/) part = "contact flow, routing, agent pools"
            else if (f == "engine/decide.rs") part = "agent decision: skill, authority, outcome"
            else if (f ~ /^engine\/(journey|satisfy|partner)\.rs$/) part = "journeys, satisfaction, repeats"
            else if (f == "engine/state.rs") part = "entity slabs, wait queues"
            else if (f ~ /^stats\//) part = "tallies: time-weighted levels, sums"
            else if (f == "engine/trace.rs") part = "trace hooks (tracing off)"
            else part = "loading, output, start-up"
        } else if (file ~ /rand_distr|rand_xoshiro|\/rand-/) part = "sampling: arrivals, patience, handle"
        else if (file ~ /\/library\/(core|alloc|std)\// && fn ~ /^ccsim::engine/) part = "std inlined in the engine: indexing, bounds checks, Vec"
        else part = "loading, output, start-up"
        s[part] += n; tot += n
    }
    END {
        for (p in s) printf "%.0f\t| %s | %.0f | %.1f %% |\n", s[p], p, s[p] / o, 100 * s[p] / tot
        printf "%.0f\t| (the whole bare loop, for scale) | %.0f | |\n", -1, b / a
    }' | sort -t"$(printf '\t')" -k1,1nr | cut -f2-
