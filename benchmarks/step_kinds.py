"""The native block step against the pure-JAX reference step on one CPU device.

Usage: python benchmarks/step_kinds.py [--t-stop MS] [--steps native,jax]

Four variants of the seed network (g = 4 .. 10, eta = 2.4) for ``--t-stop`` ms on one
XLA CPU device, once per step kind, in this process; prints each call's timings and
whether XLA contracts multiply-adds (``twin.analog.fast.contracts``). Run it with
``XLA_FLAGS="--xla_force_host_platform_device_count=1 --xla_cpu_max_isa=AVX2"`` to time
the reference step without the AVX cap that importing ``twin`` sets (the native step
then refuses to run: the two would round differently).
"""

from __future__ import annotations

import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")

import argparse

import jax.random as jr

import twin  # noqa: F401 (before JAX starts: the AVX cap)
from experiments.brunel import BrunelConfig, build_network
from twin.analog import SimConfig, simulate_batch
from twin.analog.fast import contracts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--t-stop", type=float, default=3000.0)
    parser.add_argument("--steps", default="native,jax")
    args = parser.parse_args()
    net = build_network(BrunelConfig(g=4.0, eta=2.4, t_stop=max(args.t_stop, 1000.0)))
    print(f"XLA_FLAGS={os.environ['XLA_FLAGS']!r}; contracts: {contracts()}")
    for step in args.steps.split(","):
        run = simulate_batch(
            net,
            SimConfig(t_stop=args.t_stop, step=step),
            keys=jr.split(jr.PRNGKey(0), 4),
            g_scale=[1.0, 1.5, 2.0, 2.5],
        )
        times = ", ".join(f"{k} {v:.2f} s" for k, v in run.timings.items())
        print(f"{step:>6} (ran: {run.step}): {times}")


if __name__ == "__main__":
    main()
