"""Peer models of ccsim's speed workloads, for benches/peers/run.sh.

bench-mmcm: Poisson arrivals at 1000/h, exponential service with mean 180 s, 53 agents, FCFS,
exponential patience with mean 120 s (callers abandon; M/M/53+M, Erlang A).
bench-mmc: the same without abandonment (M/M/53, Erlang C).

Each model starts empty, simulates a one-hour warm-up plus `--arrivals` mean inter-arrival times
(3.6 s each), and measures the callers that arrive after the warm-up and before the end of that
window; callers still in the system at the window's end are followed until they leave (the
model keeps running with arrivals switched off in SimPy; Ciw runs one extra hour). Time is in
seconds. Prints one JSON object: tool, workload, arrivals (measured), abandoned, p_abandon,
mean_wait_s (over all measured callers; an abandoner's wait is its time in the queue),
wall_s (the simulation alone: model building, running and collecting; not interpreter start).
"""

import argparse
import json
import random
import sys
import time

RATE_PER_S = 1000.0 / 3600.0
MEAN_SERVICE_S = 180.0
MEAN_PATIENCE_S = 120.0
AGENTS = 53
WARMUP_S = 3600.0


def simpy_model(abandon, arrivals, seed):
    """SimPy: a Resource for the agents, one process per caller, patience as a timeout race."""
    import simpy

    arrival_rng = random.Random(seed)
    service_rng = random.Random(seed + 1)
    patience_rng = random.Random(seed + 2)
    end = WARMUP_S + arrivals / RATE_PER_S
    stats = {"n": 0, "abandoned": 0, "wait": 0.0}

    def caller(env, agents):
        arrived = env.now
        measured = arrived >= WARMUP_S
        with agents.request() as req:
            if abandon:
                patience = patience_rng.expovariate(1.0 / MEAN_PATIENCE_S)
                got = yield req | env.timeout(patience)
                if req not in got:
                    if measured:
                        stats["n"] += 1
                        stats["abandoned"] += 1
                        stats["wait"] += env.now - arrived
                    return
            else:
                yield req
            if measured:
                stats["n"] += 1
                stats["wait"] += env.now - arrived
            yield env.timeout(service_rng.expovariate(1.0 / MEAN_SERVICE_S))

    def source(env, agents):
        while True:
            yield env.timeout(arrival_rng.expovariate(RATE_PER_S))
            if env.now >= end:
                return
            env.process(caller(env, agents))

    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    env.process(source(env, agents))
    env.run()
    return stats


def ciw_model(abandon, arrivals, seed):
    """Ciw: a one-node network with exponential arrival, service and reneging distributions."""
    import ciw

    end = WARMUP_S + arrivals / RATE_PER_S
    params = {
        "arrival_distributions": [ciw.dists.Exponential(rate=RATE_PER_S)],
        "service_distributions": [ciw.dists.Exponential(rate=1.0 / MEAN_SERVICE_S)],
        "number_of_servers": [AGENTS],
    }
    if abandon:
        params["reneging_time_distributions"] = [
            ciw.dists.Exponential(rate=1.0 / MEAN_PATIENCE_S)
        ]
    network = ciw.create_network(**params)
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    # One hour past the window: every caller of the window has left by then (the longest wait
    # at this load is minutes). Arrivals after `end` are not measured.
    sim.simulate_until_max_time(end + 3600.0)
    stats = {"n": 0, "abandoned": 0, "wait": 0.0}
    for r in sim.get_all_records():
        if not (WARMUP_S <= r.arrival_date < end):
            continue
        stats["n"] += 1
        if r.record_type == "renege":
            stats["abandoned"] += 1
            stats["wait"] += r.exit_date - r.arrival_date
        else:
            stats["wait"] += r.waiting_time
    return stats


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tool", choices=["simpy", "ciw"], required=True)
    p.add_argument("--workload", choices=["bench-mmcm", "bench-mmc"], required=True)
    p.add_argument("--arrivals", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    model = simpy_model if a.tool == "simpy" else ciw_model
    start = time.perf_counter()
    stats = model(a.workload == "bench-mmcm", a.arrivals, a.seed)
    wall = time.perf_counter() - start
    n = max(stats["n"], 1)
    json.dump(
        {
            "tool": a.tool,
            "workload": a.workload,
            "arrivals": stats["n"],
            "abandoned": stats["abandoned"],
            "p_abandon": stats["abandoned"] / n,
            "mean_wait_s": stats["wait"] / n,
            "wall_s": wall,
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
