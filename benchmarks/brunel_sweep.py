"""The seed sweep on the twin and on NEST, side by side in one run.

Usage: python benchmarks/brunel_sweep.py [--t-stop MS] [--points N] [--seed S]
                                         [--no-nest] [--no-pynest] [--json PATH]

Twin: the 16 (g, eta) points of one network realisation run as one batched, compiled
call, split over one XLA CPU device per core (each core gets a balanced share of the
high-rate g = 1 points). NEST: PyNN + NEST 3, 2 threads, the same Network instance
rebuilt per point (as the seed does); then NEST as an expert runs it: PyNEST directly,
2 threads, the network built once and each point set in place
(``benchmarks/pynest_brunel.py``). All run the full model: per-synapse delays, the
shared pool of 2,083 Poisson sources, 50 % weight spread, parameter variation.

Printed: wall time (twin: prepare, compile, run separately; NEST: build + simulate),
synaptic events per second (recurrent events from the spike counts × out-degrees,
external events from the pool rate × out-degrees) and the ratios NEST / twin and
PyNEST / twin.
"""

from __future__ import annotations

import os

# One XLA CPU device per core, set before JAX starts: the batch is split over them.
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count()}"
)

import argparse
import json
import platform
import time

import jax
import jax.random as jr
import numpy as np

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig, build_network
from twin.analog.simulate import SimConfig, simulate_batch
from twin.network import Network


def _events(network: Network, counts: np.ndarray, config: BrunelConfig) -> float:
    """Synaptic events delivered in a run: recurrent + external."""
    out_degree = np.zeros(network.n_neurons)
    ext_synapses = 0
    for proj in network.projections:
        if proj.pre == "ext":
            ext_synapses += proj.size
        else:
            np.add.at(out_degree, proj.pre_idx + network.offset(proj.pre), 1)
    recurrent = float(np.dot(counts, out_degree))
    external = config.rate_per_source * config.t_stop * 1e-3 * ext_synapses
    return recurrent + external


def run_twin(points: list[tuple[float, float]], base: BrunelConfig) -> dict:
    network = build_network(base)
    sim = SimConfig(t_stop=base.t_stop, record_from=max(0.0, base.t_stop - 1000.0))
    groups = [points]
    total = {"prepare": 0.0, "compile": 0.0, "run": 0.0, "decode": 0.0}
    rates, events = {}, 0.0
    for k, group in enumerate(g for g in groups if g):
        run = simulate_batch(
            network,
            sim,
            keys=jr.split(jr.PRNGKey(base.seed + k), len(group)),
            g_scale=[g / base.g for g, _ in group],
            rate_scale=[eta / base.eta for _, eta in group],
        )
        for key in total:
            total[key] += run.timings.get(key, 0.0)
        for (g, eta), rec in zip(group, run.recordings, strict=True):
            rates[(g, eta)] = float(rec.counts.mean() / (base.t_stop * 1e-3))
            events += _events(network, rec.counts, base.replace(g=g, eta=eta))
    wall = sum(total.values())
    return {
        "wall_s": wall,
        **{f"{k}_s": v for k, v in total.items()},
        "rates": rates,
        "events": events,
    }


def run_nest_sweep(points: list[tuple[float, float]], base: BrunelConfig) -> dict:
    from experiments.runs.nest import NestConfig, run_nest

    rates, events, wall = {}, 0.0, 0.0
    for i, (g, eta) in enumerate(points):
        config = base.replace(g=g, eta=eta)
        network = build_network(config)
        rec, seconds = run_nest(
            network, NestConfig(t_stop=base.t_stop, seed=base.seed + i)
        )
        wall += seconds
        rates[(g, eta)] = float(rec.counts.mean() / (base.t_stop * 1e-3))
        events += _events(network, rec.counts, config)
        rate = rates[(g, eta)]
        print(
            f"  nest g={g:g} eta={eta:g}: {seconds:6.1f} s, {rate:6.1f} Hz", flush=True
        )
    return {"wall_s": wall, "rates": rates, "events": events}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--t-stop", type=float, default=10_000.0, help="ms per point")
    parser.add_argument("--points", type=int, default=16, help="first N grid points")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--no-nest", action="store_true", help="twin only")
    parser.add_argument(
        "--no-pynest", action="store_true", help="skip the expert PyNEST run"
    )
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    points = [(g, eta) for g in SEED_GS for eta in SEED_ETAS][: args.points]
    base = BrunelConfig(seed=args.seed, g=1.0, eta=1.0, t_stop=args.t_stop)
    start = time.perf_counter()
    twin = run_twin(points, base)
    parts = ", ".join(
        f"{k} {twin[k + '_s']:.1f}" for k in ("prepare", "compile", "run", "decode")
    )
    rate = twin["events"] / twin["run_s"] / 1e6
    print(
        f"twin: {twin['wall_s']:.1f} s ({parts}); {rate:.1f} M synaptic events/s",
        flush=True,
    )
    result: dict = {
        "t_stop_ms": args.t_stop,
        "points": len(points),
        "twin_wall_s": twin["wall_s"],
        "twin_compile_s": twin["compile_s"],
        "twin_run_s": twin["run_s"],
        "twin_events_per_s": twin["events"] / twin["run_s"],
        "machine": f"{platform.machine()} {platform.processor()}, {jax.device_count()} "
        f"{jax.devices()[0].platform} device(s)",
    }
    if not args.no_nest:
        nest = run_nest_sweep(points, base)
        ratio = nest["wall_s"] / twin["wall_s"]
        nest_rate = nest["events"] / nest["wall_s"] / 1e6
        print(f"nest: {nest['wall_s']:.1f} s; {nest_rate:.1f} M synaptic events/s")
        print(f"speed-up twin vs NEST (whole sweep, wall): {ratio:.2f}x")
        print(f"{'g':>4} {'eta':>4} {'twin Hz':>9} {'nest Hz':>9}")
        for p in points:
            print(
                f"{p[0]:4g} {p[1]:4g} {twin['rates'][p]:9.2f} {nest['rates'][p]:9.2f}"
            )
        result |= {
            "nest_wall_s": nest["wall_s"],
            "speedup": ratio,
            "nest_events_per_s": nest["events"] / nest["wall_s"],
            "rates": {
                f"{g},{e}": [twin["rates"][(g, e)], nest["rates"][(g, e)]]
                for g, e in points
            },
        }
    if not args.no_nest and not args.no_pynest:
        from pynest_brunel import run_pynest_sweep

        expert = run_pynest_sweep(points, base)
        ratio = expert["wall_s"] / twin["wall_s"]
        print(
            f"pynest (expert, built once): {expert['wall_s']:.1f} s (build "
            f"{expert['build_s']:.1f} s); speed-up twin vs PyNEST: {ratio:.2f}x"
        )
        result |= {
            "pynest_wall_s": expert["wall_s"],
            "pynest_build_s": expert["build_s"],
            "speedup_pynest": ratio,
            "pynest_rates": {f"{g},{e}": expert["rates"][(g, e)] for g, e in points},
        }
    print(f"total benchmark time {time.perf_counter() - start:.0f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
