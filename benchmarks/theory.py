"""Mean-field theory of the seed network: the 16-point grid and a (g, eta) plane.

Usage: python benchmarks/theory.py [--size N] [--repeats R] [--stability]
                                   [--variation] [--json PATH]

One core: the BLAS/OpenMP thread counts are set to 1 before numpy starts. The network
(the sweep's realisation at g = eta = 1, ``experiments.brunel.theory.plane_network``)
is built once, outside the timings; each timing is one ``twin.theory.rates_over`` call
(reading the network's synapses included), the best of ``--repeats``.

Cases (the issue's targets: the 16-point grid < 50 ms, a 100 x 100 plane < 5 s):

- ``grid16``: the seed's 16 (g, eta) points (g 1, 4, 8, 10 x eta 0.8 .. 3.2);
- ``plane``: an N x N plane, g 1 .. 10 x eta 0.5 .. 4 (default N = 100);
- with ``--stability``: both again with the linear stability of every point;
- with ``--variation``: the network with the model's parameter and weight spreads
  (every neuron distinct: 2,083): the 16 points and the N x N plane by the default
  cubature over the neurons (``twin.theory.cubature``, at most 32 per population;
  with ``--stability`` also with the stability), the 16 points exact (every neuron
  evaluated) and with one mean neuron per population, and the neuron-resolved fixed
  point with the linear stability (``twin.theory.resolve_neurons``: what the theory
  tiers compute).

Without ``--variation`` the network is drawn without spreads: every neuron of a
population has the same parameters and input sums and the solve is one neuron per
population (exact). Printed: seconds per case and points per second.
"""

from __future__ import annotations

import os

# One core: set before numpy starts its BLAS.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse
import json
import platform
import time
from collections.abc import Callable

import numpy as np

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig
from experiments.brunel.theory import plane_network
from twin.network import Network
from twin.theory.network_rates import rates_over
from twin.theory.neuron_resolved import resolve_neurons


def _best(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def _case(
    name: str,
    network: Network,
    g: np.ndarray,
    eta: np.ndarray,
    repeats: int,
    **options: object,
) -> dict[str, object]:
    seconds = _best(lambda: rates_over(network, g, eta, **options), repeats)  # type: ignore[arg-type]
    found = rates_over(network, g, eta, **options)  # type: ignore[arg-type]
    stationary = sum(r.stationary.ok for r in found)
    row = {
        "case": name,
        "points": int(g.size),
        "seconds": seconds,
        "points_per_s": g.size / seconds,
        "stationary": stationary,
    }
    print(
        f"{name:>28} {g.size:7d} points {seconds:9.4f} s "
        f"{g.size / seconds:10.0f} points/s ({stationary} stationary)"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100, help="plane is N x N")
    parser.add_argument("--repeats", type=int, default=3, help="best of R")
    parser.add_argument("--stability", action="store_true", help="also time it")
    parser.add_argument("--variation", action="store_true", help="spread network")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    args = parser.parse_args()

    grid_g, grid_eta = np.meshgrid(SEED_GS, SEED_ETAS, indexing="ij")
    plane_g, plane_eta = np.meshgrid(
        np.linspace(1.0, 10.0, args.size),
        np.linspace(0.5, 4.0, args.size),
        indexing="ij",
    )
    machine = platform.processor() or platform.machine()
    print(f"{machine}, Python {platform.python_version()}, one core")
    rows = []
    network = plane_network(BrunelConfig(variation=False))
    for stability in (False, True) if args.stability else (False,):
        tag = " + stability" if stability else ""
        rows.append(
            _case(
                f"grid16{tag}",
                network,
                grid_g,
                grid_eta,
                args.repeats,
                stability=stability,
            )
        )
        rows.append(
            _case(
                f"plane {args.size}x{args.size}{tag}",
                network,
                plane_g,
                plane_eta,
                args.repeats,
                stability=stability,
            )
        )
    if args.variation:
        spread = plane_network(BrunelConfig(variation=True))
        for stability in (False, True) if args.stability else (False,):
            tag = " + stability" if stability else ""
            for name, g, eta in (
                ("grid16", grid_g, grid_eta),
                (f"plane {args.size}x{args.size}", plane_g, plane_eta),
            ):
                rows.append(
                    _case(
                        f"{name} variation, cubature{tag}",
                        spread,
                        g,
                        eta,
                        args.repeats,
                        stability=stability,
                    )
                )
        rows.append(
            _case("grid16 variation, each", spread, grid_g, grid_eta, 1, neurons="each")
        )
        rows.append(
            _case(
                "grid16 variation, mean",
                spread,
                grid_g,
                grid_eta,
                args.repeats,
                neurons="mean",
            )
        )
        seconds = _best(
            lambda: resolve_neurons(spread, grid_g, grid_eta, stability=True), 1
        )
        rows.append({"case": "grid16 variation, resolved", "seconds": seconds})
        print(f"{'grid16 variation, resolved':>28} {16:7d} points {seconds:9.4f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
