"""What reporting progress costs: the seed sweep in one segment vs in segments.

Usage: python benchmarks/progress_overhead.py [--t-stop MS] [--repeats N]

The 16 (g, eta) points of one realisation in one batched call (as
``benchmarks/brunel_sweep.py``), run alternately with the loop in one segment per
part (``twin.analog.runner.SEGMENTS = 1``: no progress inside the call) and in the
default segments with a progress callback; prints the run times (compilation apart)
and their ratio. Both give the same spikes (``tests/analog/test_progress.py``).
"""

from __future__ import annotations

import os

os.environ.setdefault(
    "XLA_FLAGS", f"--xla_force_host_platform_device_count={os.cpu_count()}"
)

import argparse

import jax.random as jr

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig, build_network
from twin.analog import SimConfig, runner, simulate_batch


def _run(network, base: BrunelConfig, points: list, segments: int) -> float:
    runner.SEGMENTS = segments
    seen: list[float] = []
    run = simulate_batch(
        network,
        SimConfig(t_stop=base.t_stop, record_from=max(0.0, base.t_stop - 1000.0)),
        keys=jr.split(jr.PRNGKey(base.seed), len(points)),
        g_scale=[g / base.g for g, _ in points],
        rate_scale=[eta / base.eta for _, eta in points],
        progress=seen.append if segments > 1 else None,
    )
    return run.timings["run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--t-stop", type=float, default=10_000.0, help="ms per point")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    base = BrunelConfig(seed=1234, g=1.0, eta=1.0, t_stop=args.t_stop)
    network = build_network(base)
    points = [(g, eta) for g in SEED_GS for eta in SEED_ETAS]
    default = runner.SEGMENTS
    times: dict[str, list[float]] = {"one segment": [], "segments": []}
    for _ in range(args.repeats):
        times["one segment"].append(_run(network, base, points, 1))
        times["segments"].append(_run(network, base, points, default))
    for name, values in times.items():
        print(f"{name:>12}: run {' / '.join(f'{v:.1f}' for v in values)} s")
    ratio = min(times["segments"]) / min(times["one segment"])
    print(f"segments / one segment (best of {args.repeats}): {ratio:.3f}")


if __name__ == "__main__":
    main()
