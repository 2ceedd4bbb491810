#!/usr/bin/env bash
# How ccsim's cost grows with agents, arrivals and horizon (docs/performance.md).
#
#   benches/growth.sh
#
# One replication on one thread per line, under /usr/bin/time (peak RSS). Prints: what was
# varied, the value, contacts offered in the window, the simulation's wall time
# (manifest.json), µs per offered contact, and the peak RSS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build --release --quiet --bin ccsim
ccsim="$root/target/release/ccsim"
work="$root/target/growth"
rm -rf "$work"
mkdir -p "$work"

# mmcm NAME RATE_PER_H AGENTS HORIZON_S: bench-mmcm at another size.
mmcm() {
    printf '[scenario]\nname = "%s"\nseed = 7\nreplications = 1\nhorizon = "%ss"\nwarmup = "1h"\n' "$1" "$4"
    printf '[arrivals]\nrate = "%s/h"\n' "$2"
    printf '[[persona]]\nname = "caller"\npatience = { dist = "exponential", mean = "120s" }\n'
    printf '[[reason]]\nname = "any"\nhandle = { dist = "exponential", mean = "180s" }\n'
    printf '[[group]]\nname = "agents"\nagents = %s\n' "$3"
}

# one KIND VALUE FILE: run FILE and print a table line.
one() {
    local out="$work/out-$1-$2"
    /usr/bin/time -f '%M' -o "$out.rss" "$ccsim" run "$3" --out "$out" --threads 1 --replications 1 --quiet
    local offered wall rss
    offered=$(grep -m1 ',offered,' "$out/summary.csv" | cut -d, -f3)
    wall=$(grep '"wall_seconds"' "$out/manifest.json" | tr -dc '0-9.')
    rss=$(tail -1 "$out.rss")
    awk -v k="$1" -v v="$2" -v n="$offered" -v w="$wall" -v r="$rss" \
        'BEGIN { printf "| %s | %s | %d | %.2f | %.3f | %.1f |\n", k, v, n, w, w / n * 1e6, r / 1024 }'
}

echo "| varied | value | offered | wall s | µs/offered | peak RSS MB |"
echo "|---|---|---:|---:|---:|---:|"
# Agents at constant load (ρ ≈ 0.94 offered), 1 M arrivals each.
for k in 1 10 100; do
    mmcm "agents-$((53 * k))" $((1000 * k)) $((53 * k)) $((3600000 / k)) >"$work/agents-$k.toml"
    one agents $((53 * k)) "$work/agents-$k.toml"
done
# Arrivals per run through the horizon: 100 k, 1 M, 10 M.
for n in 100000 1000000 10000000; do
    mmcm "arrivals-$n" 1000 53 $((n * 36 / 10)) >"$work/arrivals-$n.toml"
    one arrivals "$n" "$work/arrivals-$n.toml"
done
# Horizon of the one-site-day scenario (48 intervals, 3 reasons, 2 groups, staffing plan).
for h in 1d 7d 30d; do
    sed "s/^horizon = .*/horizon = \"$h\"/" scenarios/one-site-day.toml >"$work/day-$h.toml"
    one horizon "one-site-day $h" "$work/day-$h.toml"
done
