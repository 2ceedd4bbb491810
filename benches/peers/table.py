"""Table and checks of benches/peers/run.sh (standard library only).

Usage: table.py WORKDIR. Reads, per workload W (bench-mmcm, bench-mmc):
  exact-W.json              `ccsim erlang a|c --json`: the exact p_abandon and mean wait
  calibrate-W/summary.csv   ccsim, many replications of the peers' size: run-to-run std devs
  ccsim-W/{summary.csv,manifest.json}, ccsim-W.time
  {bare,simpy,ciw}-W.json, .time

An estimate passes when it is within 4 standard errors of the exact value, the standard error
of a run with n arrivals being the calibration std dev times sqrt(n_calibration / n). Prints a
Markdown table; exit code 1 if any estimate fails.
"""

import csv
import json
import math
import os
import re
import sys

WORKLOADS = ["bench-mmcm", "bench-mmc"]
TOOLS = [("ccsim", "ccsim"), ("bare", "bare Rust loop"), ("simpy", "SimPy"), ("ciw", "Ciw")]
Z = 4.0


def summary(path):
    """metric -> (mean, std) of a ccsim summary.csv."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if not row["mean"]:
                continue  # a metric no replication defines (empty cells)
            std = float(row["std"]) if row["std"] else 0.0
            out[row["metric"]] = (float(row["mean"]), std)
    return out


def peak_rss_mb(path):
    with open(path) as f:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
    return int(m.group(1)) / 1024.0 if m else float("nan")


def load(work, tool, w):
    base = os.path.join(work, f"{tool}-{w}")
    if tool == "ccsim":
        s = summary(os.path.join(base, "summary.csv"))
        with open(os.path.join(base, "manifest.json")) as f:
            wall = json.load(f)["wall_seconds"]
        r = {
            "arrivals": int(s["offered"][0]),
            "p_abandon": s["p_abandon"][0],
            "mean_wait_s": s["mean_wait_s"][0],
            "wall_s": wall,
        }
    else:
        with open(base + ".json") as f:
            r = json.load(f)
    r["rss_mb"] = peak_rss_mb(base + ".time")
    return r


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
        return f"{m.group(1).strip()}, {os.cpu_count()} cores" if m else ""
    except OSError:
        return ""


def main():
    work = sys.argv[1]
    failed = []
    rows = []
    notes = []
    for w in WORKLOADS:
        with open(os.path.join(work, f"exact-{w}.json")) as f:
            exact = json.load(f)
        cal = summary(os.path.join(work, f"calibrate-{w}", "summary.csv"))
        n_cal = cal["offered"][0]
        sd = {m: cal[m][1] for m in ("p_abandon", "mean_wait_s")}
        notes.append(
            f"{w}: exact p_abandon {exact['p_abandon']:.4f}, mean wait {exact['mean_wait_s']:.2f} s; "
            f"run-to-run sd at {n_cal:,.0f} arrivals: p_abandon {sd['p_abandon']:.4f}, "
            f"mean wait {sd['mean_wait_s']:.2f} s"
        )
        results = {tool: load(work, tool, w) for tool, _ in TOOLS}
        ccsim_cost = results["ccsim"]["wall_s"] / results["ccsim"]["arrivals"]
        for tool, label in TOOLS:
            r = results[tool]
            n = r["arrivals"]
            cost = r["wall_s"] / n
            checks = []
            for metric in ("p_abandon", "mean_wait_s"):
                tol = Z * sd[metric] * math.sqrt(n_cal / n)
                dev = r[metric] - exact[metric]
                ok = abs(dev) <= tol
                if not ok:
                    failed.append(f"{label} {w} {metric}: {r[metric]:.4f}, exact {exact[metric]:.4f}, tolerance ±{tol:.4f}")
                checks.append(ok)
            tol_p = Z * sd["p_abandon"] * math.sqrt(n_cal / n)
            tol_w = Z * sd["mean_wait_s"] * math.sqrt(n_cal / n)
            rows.append(
                f"| {label} | {w} | {n:,} | {r['wall_s']:.2f} | {cost * 1e6:.2f} | "
                f"{cost / ccsim_cost:.2f} | {r['rss_mb']:.1f} | "
                f"{r['p_abandon']:.4f} ± {tol_p:.4f} | {r['mean_wait_s']:.2f} ± {tol_w:.2f} | "
                f"{'ok' if all(checks) else 'FAIL'} |"
            )
    print(f"machine: {cpu()}")
    print()
    print("| tool | workload | arrivals | wall s | µs/arrival | × ccsim | peak RSS MB | p_abandon ± tol | mean wait s ± tol | check |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(r)
    print()
    for n in notes:
        print(f"- {n}")
    print(
        f"- tolerance: ±{Z:g} standard errors; a run of n arrivals has standard error "
        "sd × sqrt(n_calibration / n), sd measured from the calibration replications"
    )
    print(
        "- wall s: the simulation as timed inside each tool (ccsim: manifest wall_seconds); "
        "× ccsim compares µs/arrival with ccsim's on the same workload, so runs of "
        "different sizes compare; peak RSS is the whole process (/usr/bin/time -v)"
    )
    if failed:
        print()
        for f in failed:
            print(f"FAIL: {f}")
        sys.exit(1)


if __name__ == "__main__":
    main()
