"""Mean-field theory of current-based networks against NEST (tables of docs/theory.md).

The two networks of :mod:`experiments.brunel.current_based` (Brunel's model A, the
seed network before its conversion to conductances), each simulated by NEST directly
and described by :class:`twin.theory.CurrentNetwork`.

Usage::

    .venv/bin/python benchmarks/theory_vs_nest.py [--model a|seed|both] [--t-sim MS]

Prints a markdown table per network: theory (with its flags) and NEST's mean rate over
all neurons of each population after a 200 ms warm-up, and their relative difference.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from experiments.brunel.current_based import (
    MODEL_A,
    WARMUP_MS,
    CurrentModel,
    nest_rates,
    seed_current,
)
from twin.theory import current_rates
from twin.theory.stability import current_stability

THREADS = 2
#: Model A's AI region and its neighbours (Brunel 2000 Fig. 2, D = 1.5 ms).
MODEL_A_POINTS = (
    (5.0, 2.0),
    (5.0, 3.0),
    (6.0, 2.0),
    (6.0, 3.0),
    (8.0, 2.0),
    (8.0, 4.0),
    (6.0, 4.0),  # Brunel's Fig. 8B: fast oscillation
    (4.5, 0.9),  # Fig. 8D: slow oscillation
)


def theory_rates(model: CurrentModel, g: float, eta: float) -> tuple[float, str]:
    """Return the theory's excitatory rate (NaN without a fixed point) and its state.

    The state is ``stationary``, ``oscillatory (f Hz)`` where the linear stability
    (:func:`twin.theory.stability.current_stability`) finds a growing mode, or the
    flags of :func:`twin.theory.current_rates` (``regular_firing`` above
    :data:`twin.theory.REGULAR_LIMIT`, the solve's). The rate is the stable fixed
    point's also where a flag says it is not what a run shows (the tables show it).
    """
    network = model.theory(g, eta)
    (result,) = current_rates(network)
    flags = sorted(f.name.lower() for f in result.flags)
    rates = result.stable[0].rates if result.ok else np.full(2, np.nan)
    if result.ok:
        stability = current_stability(network, rates, model.delay)
        if bool(stability.unstable):
            flags.append(f"oscillatory ({float(stability.frequency_hz):.0f} Hz)")
    return float(rates[0]), ", ".join(flags) or "stationary"


def table(
    model: CurrentModel, points: Sequence[tuple[float, float]], t_sim: float
) -> None:
    """Print the markdown table of ``model`` at ``points``."""
    print(f"\n### {model.name} ({t_sim:.0f} ms after {WARMUP_MS:.0f} ms warm-up)\n")
    print(
        "| g | eta | theory E (Hz) | theory state | NEST E (Hz) | NEST I (Hz) | error |"
    )
    print("|---|---|---|---|---|---|---|")
    for g, eta in points:
        nu, flags = theory_rates(model, g, eta)
        began = time.perf_counter()
        e, i = nest_rates(model, g, eta, t_sim, seed=1, threads=THREADS)
        wall = time.perf_counter() - began
        err = "-" if np.isnan(nu) else f"{(nu - e) / e:+.1%}"
        print(f"| {g:g} | {eta:g} | {nu:.2f} | {flags} | {e:.2f} | {i:.2f} | {err} |")
        print(f"<!-- NEST wall {wall:.1f} s -->", flush=True)


def main() -> None:
    """Print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=("a", "seed", "both"), default="both")
    parser.add_argument("--t-sim", type=float, default=2000.0, help="ms per point")
    args = parser.parse_args()
    if args.model in ("a", "both"):
        table(MODEL_A, MODEL_A_POINTS, args.t_sim)
    if args.model in ("seed", "both"):
        grid = [(g, e) for g in (1.0, 4.0, 8.0, 10.0) for e in (0.8, 1.6, 2.4, 3.2)]
        table(seed_current(), grid, args.t_sim)


if __name__ == "__main__":
    main()
