"""Cost of the fidelity tiers: the seed sweep at each tier on the twin, and on NEST.

Usage: python benchmarks/tiers.py [--t-stop MS] [--seed S] [--no-nest] [--json PATH]

Twin: ``run_sweep`` over the 16 (g, eta) points for the tiers ideal, mapped, hardware
and the hardware ablation (4 network variants stacked in one call per layout); wall
time per tier including mapping and the hardware transforms. NEST (PyNN, 2 threads):
the ideal and mapped tiers (the hardware tier is twin-only). Printed: seconds per tier
and the ratio NEST / twin where both ran. The twin runs on whatever devices JAX finds:
one XLA device per core on a CPU host (native delivery), the GPUs on a GPU host
(pure-JAX delivery); ``--no-nest`` gives the twin's wall time per tier alone.
"""

from __future__ import annotations

import os

os.environ.setdefault(
    "XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count()}"
)

import argparse
import json
import platform
import time

import jax

from experiments.brunel import BrunelConfig
from experiments.brunel.workload import grid
from experiments.brunel.workload import sweep as run_sweep
from twin.tiers import tier_list


def _timed(configs: list, backend: str, tiers: list) -> tuple[float, list]:
    start = time.perf_counter()
    results = run_sweep(configs, backend, tiers)
    return time.perf_counter() - start, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--t-stop", type=float, default=2000.0, help="ms per point")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--no-nest", action="store_true", help="twin only")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    configs = grid(BrunelConfig(t_stop=args.t_stop, seed=args.seed))
    ablation = [t for t in tier_list(["hardware"], ablation=True) if "-no-" in t.name]
    runs = {
        "ideal": tier_list(["ideal"]),
        "mapped": tier_list(["mapped"]),
        "hardware": tier_list(["hardware"]),
        "ablation (4 variants stacked)": [
            t for t in ablation if t.name != "hardware-no-bandwidth"
        ],
    }
    out: dict = {
        "t_stop_ms": args.t_stop,
        "points": len(configs),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{jax.device_count()} {jax.devices()[0].platform} device(s)",
        "twin_s": {},
        "nest_s": {},
    }
    for name, tiers in runs.items():
        wall, _ = _timed(configs, "twin", tiers)
        out["twin_s"][name] = wall
        print(f"twin {name:<30} {wall:8.1f} s", flush=True)
    if not args.no_nest:
        for name in ("ideal", "mapped"):
            wall, _ = _timed(configs, "nest", runs[name])
            out["nest_s"][name] = wall
            ratio = wall / out["twin_s"][name]
            print(f"nest {name:<30} {wall:8.1f} s  (NEST / twin = {ratio:.2f})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
