"""The seed's own realisation vs independent draws, on the twin and on NEST.

Usage: python benchmarks/seed_variants.py [--t-stop MS] [--out DIR] [--threads N]

Runs the seed's 16 (g, eta) points (ideal tier, network seed 1234) four times — twin
and NEST (PyNN, 2 threads), each with ``BrunelConfig(network="independent")`` and
``network="seed"`` (the seed notebook's draws: one normal sequence per neuron) — and
prints a Markdown table of the mean excitatory rate over all 1,666 excitatory neurons
in the last 1000 ms, plus the seed's protocol rate (its recording layout). Finished
points are kept in ``--out`` (one folder per platform and variant, as ``twin brunel`` /
``twin nest --network ...`` write them) and reused when the command runs again.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig
from experiments.brunel.workload import BrunelWorkload, grid
from experiments.runs.result import PointResult
from experiments.runs.sweep import run_sweep

VARIANTS = ("independent", "seed")
PLATFORMS = ("twin", "nest")


def exc_rate(result: PointResult, config: BrunelConfig) -> float:
    """Mean rate of all excitatory neurons in the last analysis window, Hz."""
    rec = result.recording
    start = config.t_stop - config.analysis_window
    mine = (rec.ids < config.n_exc) & (rec.times >= start)
    return float(mine.sum() / config.n_exc / (config.analysis_window * 1e-3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--t-stop", type=float, default=2000.0)
    parser.add_argument("--out", type=Path, default=Path("results/seed_variants"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    rates: dict[tuple[str, str], dict[tuple[float, float], tuple[float, float]]] = {}
    for platform in PLATFORMS:
        for variant in VARIANTS:
            base = BrunelConfig(t_stop=args.t_stop, network=variant)
            configs = grid(base)
            results = run_sweep(
                BrunelWorkload(),
                configs,
                platform,
                out=args.out / f"{platform}_{variant}",
                threads=args.threads,
                progress=True,
            )
            rates[(platform, variant)] = {
                (c.g, c.eta): (exc_rate(r, c), r["rate_hz"])
                for c, r in zip(configs, results, strict=True)
            }
    head = " | ".join(f"{p} {v}" for p in PLATFORMS for v in VARIANTS)
    print(f"| g | eta | {head} |")
    print("|---|---|" + "---|" * len(rates))
    for g in SEED_GS:
        for eta in SEED_ETAS:
            cells = " | ".join(
                f"{rates[(p, v)][(g, eta)][0]:.1f} ({rates[(p, v)][(g, eta)][1]:.1f})"
                for p in PLATFORMS
                for v in VARIANTS
            )
            print(f"| {g:g} | {eta:g} | {cells} |")
    for variant in VARIANTS:
        twin = np.array([v[0] for v in rates[("twin", variant)].values()])
        nest = np.array([v[0] for v in rates[("nest", variant)].values()])
        rel = np.abs(twin - nest) / np.maximum(nest, 1e-9)
        print(
            f"{variant}: twin vs NEST excitatory rate, median |relative difference| "
            f"{np.median(rel):.1%}, max {rel.max():.1%}"
        )


if __name__ == "__main__":
    main()
