"""Linear stability over a (g, eta) plane of Brunel's model A: wall time per point.

Usage: python benchmarks/stability_plane.py [--size 100] [--no-refine]

Model A (Brunel 2000): C_E 1000, C_I 250, J 0.1 mV, tau 20 ms, theta 20 mV, V_r 10 mV,
tau_rp 2 ms, D 1.5 ms, delta synapses; g from 1 to 10 and eta from 0.5 to 4 on a
``size x size`` grid. Printed: the time of the self-consistent rates
(``twin.theory.fixed_point.solve_rates``) and of ``current_stability`` (with and
without the complex root refinement), per point, and how many points are unstable
and unresolved. E and I see the same input in model A, so each point integrates one
neuron (identical neurons are integrated once).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from experiments.brunel.current_based import MODEL_A
from twin.theory.fixed_point import solve_rates
from twin.theory.stability import current_stability

DELAY = MODEL_A.delay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--no-refine", action="store_true")
    args = parser.parse_args()
    g, eta = np.meshgrid(
        np.linspace(1.0, 10.0, args.size),
        np.linspace(0.5, 4.0, args.size),
        indexing="ij",
    )
    network = MODEL_A.theory(g, eta)
    points = g.size
    start = time.perf_counter()
    solved = solve_rates(network.transfer, network.names, batch_shape=g.shape)
    rates = np.array([p.rates_or_nan() for p in solved]).reshape(*g.shape, 2)
    t_rates = time.perf_counter() - start
    found = np.isfinite(rates[..., 0])
    rates = np.where(np.isfinite(rates), rates, 0.0)
    print(f"{points} points; rates: {t_rates:.2f} s ({1e3 * t_rates / points:.2f} ms)")
    for refine in (False,) if args.no_refine else (False, True):
        start = time.perf_counter()
        result = current_stability(network, rates, DELAY, refine=refine)
        took = time.perf_counter() - start
        print(
            f"stability (refine={refine}): {took:.2f} s "
            f"({1e3 * took / points:.2f} ms per point); "
            f"unstable {int(result.unstable[found].sum())} of {int(found.sum())} "
            f"with a single stable rate, unresolved {int((~result.resolved).sum())}"
        )


if __name__ == "__main__":
    main()
