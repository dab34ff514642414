"""One seed point (10 s biological) on the twin: wall time and real-time factor.

Usage: python benchmarks/single_point.py [--g 8] [--eta 0.8] [--t-stop MS]
"""

from __future__ import annotations

import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")

import argparse

import jax.random as jr

from experiments.brunel import BrunelConfig, build_network
from twin.analog import SimConfig, simulate_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--g", type=float, default=8.0)
    parser.add_argument("--eta", type=float, default=0.8)
    parser.add_argument("--t-stop", type=float, default=10_000.0)
    args = parser.parse_args()
    config = BrunelConfig(g=args.g, eta=args.eta, t_stop=args.t_stop)
    net = build_network(config)
    sim = SimConfig(t_stop=args.t_stop, record_from=args.t_stop - 1000.0)
    run = simulate_batch(net, sim, keys=jr.split(jr.PRNGKey(0), 1))
    (rec,), clock = run.recordings, run.timings
    wall = sum(clock.values())
    print(
        f"g={args.g:g} eta={args.eta:g}: {args.t_stop / 1000:g} s biological, "
        f"rate {rec.counts.mean() / (args.t_stop * 1e-3):.2f} Hz"
    )
    print(
        f"wall {wall:.1f} s (compile {clock['compile']:.1f}, run {clock['run']:.1f}); "
        f"real-time factor {clock['run'] / (args.t_stop * 1e-3):.2f} "
        f"run only, {wall / (args.t_stop * 1e-3):.2f} with compile"
    )


if __name__ == "__main__":
    main()
