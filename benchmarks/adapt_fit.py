"""The weight-factor fit's candidates: one batched call against one call per factor.

Usage: python benchmarks/adapt_fit.py [--factors N] [--t-stop MS] [--seed S]
                                      [--json PATH]

The seed's adapted network (model A adapted as the seed did, ``orig_weight`` 1,
2,083 neurons, with its NEST-side variation) at Brunel's asynchronous irregular point
(g 5, eta 2): ``N`` candidate weight factors evaluated

- **batched**: one emulator call of ``N`` variants (``RunVariant.weight_scale``),
  as :func:`twin.adapt.fit.fit_weight_factor` runs them;
- **one by one**: ``N`` calls of one variant, the network rebuilt with its weights
  scaled (:func:`twin.adapt.scale_weights`) before each, sharing one store of
  compiled programs (so the loop compiles once too, as a careful user's would).

Printed: wall time of each (the first call's compilation included, and again
without it), and the largest rate difference between the two (the same factors, the
same Poisson stream: equal up to the rounding of a scaled weight, which chaotic
dynamics may amplify).
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

import numpy as np

from experiments.brunel2000 import Brunel2000Config, build_network, seed_adaptation
from twin.adapt import adapt_steps, scale_weights
from twin.adapt.fit import rates_at
from twin.adapt.fit_runs import Point
from twin.analog.store import CompiledStore


def main() -> None:
    """Run the comparison and print (and optionally store) its numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, default=8)
    parser.add_argument("--t-stop", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args()

    config = Brunel2000Config(g=5.0, eta=2.0, scale=6.0, seed=args.seed)
    original = build_network(config)
    network = adapt_steps(original, seed_adaptation(config, orig_weight=1.0)).network
    names = [p.name for p in network.populations]
    factors = np.geomspace(0.5, 2.0, args.factors)
    point = (Point("AI"),)

    store = CompiledStore()
    start = time.perf_counter()
    batched = rates_at(network, point, names, factors=factors.tolist(),
                       t_stop=args.t_stop, seed=args.seed, store=store)  # fmt: skip
    batched_s = time.perf_counter() - start
    start = time.perf_counter()
    rates_at(network, point, names, factors=factors.tolist(), t_stop=args.t_stop,
             seed=args.seed, store=store)  # fmt: skip
    batched_warm_s = time.perf_counter() - start

    loop_store = CompiledStore()
    one_by_one, times = [], []
    for f in factors:
        scaled, _ = scale_weights(float(f))(network)
        start = time.perf_counter()
        rates = rates_at(scaled, point, names, t_stop=args.t_stop, seed=args.seed,
                         store=loop_store)  # fmt: skip
        one_by_one.append(rates[0])
        times.append(time.perf_counter() - start)
    difference = float(np.max(np.abs(batched - np.array(one_by_one))))
    numbers = {
        "machine": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "neurons": network.n_neurons,
        "factors": args.factors,
        "t_stop_ms": args.t_stop,
        "batched_s": batched_s,
        "batched_without_compile_s": batched_warm_s,
        "one_by_one_s": float(sum(times)),
        "one_by_one_factors_2_to_n_s": float(sum(times[1:])),
        "largest_rate_difference_hz": difference,
    }
    for key, value in numbers.items():
        print(f"{key:>28}: {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(numbers, f, indent=2)


if __name__ == "__main__":
    main()
