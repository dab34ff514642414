"""The cortical microcircuit on the twin (ideal tier) and on NEST, side by side.

Usage: python benchmarks/microcircuit.py [--t-stop MS] [--seed S] [--scale F]
                                         [--threads N] [--json PATH]

Both run the same network instance (``experiments.microcircuit``: 10 % of the
neurons and of the in-degree, 7,713 IF_cond_exp neurons, 2,987,316 synapses, the
demo's initial potentials) through the run layer exactly as ``twin microcircuit
--nest`` does: the twin as one compiled emulator call on one XLA CPU device per
core, NEST through PyNN with ``--threads`` threads. Each platform runs in a fresh
process of its own, so its peak memory (``ru_maxrss``) is its own.

Printed per platform: wall time of the whole process (imports, network construction,
realisation, simulation, analysis), the backend call (twin: ``simulate_batch``, compile
included; NEST: ``run_nest``, network creation in NEST included), peak RSS, and every
population's mean rate (the same network, so the rates should agree within the
statistics of one realisation); then the ratio NEST / twin.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path


def _worker(args: argparse.Namespace) -> dict:
    if args.worker == "twin":
        os.environ.setdefault(
            "XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count()}"
        )
    start = time.perf_counter()
    from experiments.microcircuit.config import POPULATIONS, MicrocircuitConfig
    from experiments.microcircuit.workload import MicrocircuitWorkload
    from experiments.runs.sweep import run_sweep

    config = MicrocircuitConfig(
        t_stop=args.t_stop, seed=args.seed, scale=args.scale, k_scale=args.scale
    )
    (result,) = run_sweep(
        MicrocircuitWorkload(), [config], args.worker, threads=args.threads
    )
    wall = time.perf_counter() - start
    return {
        "platform": args.worker,
        "wall_s": wall,
        "call_s": result.wall,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rates": {p: result[f"rate_{p}"] for p in POPULATIONS},
        "neurons": config.n_neurons,
        "synapses": config.n_synapses,
    }


def _run(args: argparse.Namespace, which: str) -> dict:
    command = [
        sys.executable, __file__, "--worker", which, "--t-stop", str(args.t_stop),
        "--seed", str(args.seed), "--scale", str(args.scale),
        "--threads", str(args.threads),
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.exit(f"{which} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--t-stop", type=float, default=10_000.0)
    parser.add_argument("--seed", type=int, default=123456)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", choices=["twin", "nest"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args)))
        return
    runs = [_run(args, "twin"), _run(args, "nest")]
    print(
        f"microcircuit, scale {args.scale:g}: {runs[0]['neurons']:,} neurons, "
        f"{runs[0]['synapses']:,} synapses, {args.t_stop / 1000:g} s simulated; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    )
    for r in runs:
        print(
            f"{r['platform']:>5}: wall {r['wall_s']:7.1f} s (backend call "
            f"{r['call_s']:7.1f} s), peak RSS {r['peak_rss_mib']:7.0f} MiB"
        )
    print(f"{'pop':>6} {'twin Hz':>9} {'NEST Hz':>9}")
    for pop, rate in runs[0]["rates"].items():
        print(f"{pop:>6} {rate:9.3f} {runs[1]['rates'][pop]:9.3f}")
    twin, nest = runs
    print(
        f"NEST / twin: wall {nest['wall_s'] / twin['wall_s']:.2f}, backend call "
        f"{nest['call_s'] / twin['call_s']:.2f}, peak RSS "
        f"{nest['peak_rss_mib'] / twin['peak_rss_mib']:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)},
                                         "runs": runs}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
