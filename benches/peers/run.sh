#!/usr/bin/env bash
# Side-by-side benchmark: ccsim, the bare Rust loop, SimPy and Ciw on the same queue.
#
#   benches/peers/run.sh                  # 1 M arrivals for the Rust lines, 100 k for Python
#   ARRIVALS=200000 PEER_ARRIVALS=20000 benches/peers/run.sh    # a quick look
#
# Workloads (as `ccsim bench`): bench-mmcm = Poisson 1000/h, exponential service mean 180 s,
# 53 agents, exponential patience mean 120 s (M/M/53+M, Erlang A); bench-mmc = the same without
# abandonment (M/M/53, Erlang C). Every tool runs each workload once, under /usr/bin/time -v
# (peak RSS); wall time is the simulation as timed inside each tool. The estimates of
# p_abandon and mean wait are checked against the exact Erlang A / C values; the table and
# the checks are printed by table.py. Exit code 1 if a check fails.
#
# Needs: cargo, python3 with venv, network access to PyPI the first time (the virtual
# environment lives in target/peers-venv; versions pinned in requirements.txt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

ARRIVALS="${ARRIVALS:-1000000}"
PEER_ARRIVALS="${PEER_ARRIVALS:-100000}"
CALIBRATION_REPS="${CALIBRATION_REPS:-20}"
venv="$root/target/peers-venv"
work="$root/target/peers"
rm -rf "$work"
mkdir -p "$work"

echo "== building ccsim and the bare loop (release)" >&2
cargo build --release --quiet --bin ccsim --example bare_loop
ccsim="$root/target/release/ccsim"
bare="$root/target/release/examples/bare_loop"

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
    echo "== creating the Python environment in $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.txt"
fi
py="$venv/bin/python"

# measure OUT.time CMD...: run CMD with its stdout to OUT.json and `time -v` output to OUT.time.
if [ -x /usr/bin/time ]; then
    measure() {
        local out="$1"
        shift
        /usr/bin/time -v -o "$out.time" "$@" >"$out.json"
    }
else
    echo "(no /usr/bin/time: measuring peak RSS with getrusage(RUSAGE_CHILDREN))" >&2
    measure() {
        local out="$1"
        shift
        "$py" - "$out.time" "$@" >"$out.json" <<'PY'
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write(f"Maximum resident set size (kbytes): {kb}\n")
sys.exit(rc)
PY
    }
fi

# scenario NAME PATIENCE HORIZON_S REPLICATIONS > file: the bench workload as a scenario file
# (the same text `ccsim::bench::workload` builds).
scenario() {
    local name="$1" patience="$2" horizon="$3" reps="$4"
    printf '[scenario]\nname = "%s"\nseed = 7\nreplications = %s\nhorizon = "%ss"\nwarmup = "1h"\n' \
        "$name" "$reps" "$horizon"
    printf '[arrivals]\nrate = "1000/h"\n'
    if [ "$patience" != none ]; then
        printf '[[persona]]\nname = "caller"\npatience = { dist = "exponential", mean = "%ss" }\n' "$patience"
    fi
    printf '[[reason]]\nname = "any"\nhandle = { dist = "exponential", mean = "180s" }\n'
    printf '[[group]]\nname = "agents"\nagents = 53\n'
}

echo "== exact values" >&2
"$ccsim" erlang a --rate 1000/h --aht 3m --agents 53 --patience 2m --json >"$work/exact-bench-mmcm.json"
"$ccsim" erlang c --rate 1000/h --aht 3m --agents 53 --json >"$work/exact-bench-mmc.json"

for w in bench-mmcm bench-mmc; do
    patience=none
    [ "$w" = bench-mmcm ] && patience=120
    # Noise calibration: CALIBRATION_REPS independent ccsim replications of PEER_ARRIVALS
    # arrivals each give the run-to-run standard deviation of both estimates at that size.
    echo "== $w: noise calibration ($CALIBRATION_REPS x $PEER_ARRIVALS arrivals)" >&2
    scenario "$w" "$patience" "$(( PEER_ARRIVALS * 36 / 10 ))" "$CALIBRATION_REPS" >"$work/calibrate-$w.toml"
    "$ccsim" run "$work/calibrate-$w.toml" --out "$work/calibrate-$w" --quiet

    echo "== $w: ccsim ($ARRIVALS arrivals)" >&2
    scenario "$w" "$patience" "$(( ARRIVALS * 36 / 10 ))" 1 >"$work/$w.toml"
    measure "$work/ccsim-$w" "$ccsim" run "$work/$w.toml" --out "$work/ccsim-$w" --threads 1 --quiet

    echo "== $w: bare loop ($ARRIVALS arrivals)" >&2
    measure "$work/bare-$w" "$bare" "$w" "$ARRIVALS"

    for tool in simpy ciw; do
        echo "== $w: $tool ($PEER_ARRIVALS arrivals)" >&2
        measure "$work/$tool-$w" "$py" "$here/peers.py" --tool "$tool" --workload "$w" \
            --arrivals "$PEER_ARRIVALS"
    done
done

"$py" "$here/table.py" "$work"
