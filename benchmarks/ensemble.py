"""A Brunel ensemble three ways, side by side in one run: which executor wins.

Usage: python benchmarks/ensemble.py [--t-stop MS] [--points N] [--seeds S]
                                     [--workers W] [--scale F] [--json PATH]

The ensemble: the seed's 16 (g, eta) points x 3 network seeds (48 runs), 2 s each,
ideal tier, run three ways through :func:`experiments.runs.sweep.run_sweep`:

- ``serial``: one unit per point (``batch=1``), one after the other in this process;
- ``dask``: the same 48 units on a LocalCluster of ``W`` single-threaded worker
  processes (one XLA device each; the cluster's start-up is timed apart);
- ``batched``: today's default path, one batched emulator call per seed (16 variants
  split over this process's XLA devices, one per core).

Each way runs in a fresh process (XLA's in-process compile cache would otherwise let
a later way reuse an earlier one's programs); nothing is stored. Printed: wall time
of each (the cluster's start-up apart), the ratios to the fastest, and whether all
three gave the same spikes.
"""

from __future__ import annotations

import os

# One XLA CPU device per core in this process (as the `twin` command sets it); the
# Dask workers get one each (experiments.runs.dask_executor.worker_environment).
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count()}"
)

import argparse
import hashlib
import json
import platform
import subprocess
import sys
import time

import numpy as np

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig
from experiments.brunel.workload import BrunelWorkload, grid
from experiments.runs.dask_executor import local_executor
from experiments.runs.sweep import run_sweep

#: The three ways, in the order they run.
WAYS = ("serial", "dask", "batched")


def _points(args: argparse.Namespace) -> list[BrunelConfig]:
    base = BrunelConfig(
        t_stop=args.t_stop,
        analysis_window=min(1000.0, args.t_stop),
        scale=args.scale,
    )
    pairs = [(g, eta) for g in SEED_GS for eta in SEED_ETAS][: args.points]
    configs = grid(base, gs=SEED_GS, etas=SEED_ETAS, seeds=args.seeds)
    return [c for c in configs if (c.g, c.eta) in pairs]


def _digest(results: list) -> str:
    """Return a fingerprint of every run's spikes (equal spikes, equal digest)."""
    h = hashlib.sha256()
    for r in results:
        h.update(np.asarray(r.recording.times).tobytes())
        h.update(np.asarray(r.recording.ids).tobytes())
    return h.hexdigest()


def _one_way(way: str, args: argparse.Namespace) -> dict:
    """Run the ensemble one way in this (fresh) process; return its timings."""
    points = _points(args)
    workload = BrunelWorkload()
    record: dict = {}
    start = time.perf_counter()
    if way == "dask":
        with local_executor(args.workers) as executor:
            record["startup_s"] = time.perf_counter() - start
            start = time.perf_counter()
            results = run_sweep(workload, points, batch=1, executor=executor)
    else:
        results = run_sweep(workload, points, batch=1 if way == "serial" else None)
    record |= {"wall_s": time.perf_counter() - start, "digest": _digest(results)}
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--t-stop", type=float, default=2000.0, help="ms per run")
    parser.add_argument("--points", type=int, default=16, help="first N grid points")
    parser.add_argument("--seeds", type=int, default=3, help="network realisations")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers")
    parser.add_argument(
        "--scale", type=float, default=6.0, help="network down-scaling (seed: 6)"
    )
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--only", choices=WAYS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:  # one way, in a process of its own (see below)
        print(json.dumps(_one_way(args.only, args)))
        return
    n = len(_points(args))
    print(
        f"{n} runs ({args.points} points x {args.seeds} seeds), {args.t_stop:g} ms "
        f"each, {BrunelConfig(scale=args.scale).n_neurons} neurons, "
        f"{os.cpu_count()} cores; each way in a fresh process (cold compile caches)"
    )
    ways = {}
    for way in WAYS:
        command = [sys.executable, __file__, "--only", way, *sys.argv[1:]]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        ways[way] = json.loads(done.stdout.strip().splitlines()[-1])
        extra = ways[way].get("startup_s")
        note = f" (+ {extra:.1f} s cluster start-up)" if extra is not None else ""
        print(f"{way:>8}: {ways[way]['wall_s']:8.1f} s{note}")
    best = min(ways, key=lambda w: ways[w]["wall_s"])
    for way, record in ways.items():
        print(f"{way:>8} / {best}: {record['wall_s'] / ways[best]['wall_s']:.2f}")
    same = len({r["digest"] for r in ways.values()}) == 1
    print(f"fastest: {best}; identical spikes in all three: {same}")
    if args.json:
        summary = {
            "runs": n,
            "t_stop_ms": args.t_stop,
            "scale": args.scale,
            "workers": args.workers,
            "cores": os.cpu_count(),
            "machine": platform.processor() or platform.machine(),
            "ways": ways,
            "fastest": best,
            "identical": same,
        }
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
