"""A sweep's results on disk: ``summary.csv`` and the seed's ``exc.h5``/``inh.h5``.

``summary.csv`` has one row per (backend, tier, seed, g, eta) with the seed's three
numbers, the per-population rates and every loss counter (synapse loss fraction;
events offered to and dropped by each rate-limited resource for the hardware tier).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from experiments.io import Segment, write_population
from experiments.result import BrunelResult
from experiments.tiers import ISOLATED
from twin.files import atomic_write_text

__all__ = [
    "COLUMNS",
    "seed_segments",
    "summary_csv",
    "write_seed_files",
    "write_summary",
]

#: Resources whose offered and dropped events are reported.
RESOURCES = (
    "recording_per_hicann",
    "priority_encoder",
    "dnc_merger",
    "input_per_hicann",
    "input_per_fpga",
)
COLUMNS = (
    "platform",
    "tier",
    "seed",
    "g",
    "eta",
    "layout",
    "n_neurons",
    "rate_hz",
    "cv",
    "global_cv",
    "rate_exc_hz",
    "rate_inh_hz",
    "synapse_loss",
    *(f"{kind}_{r}" for r in RESOURCES for kind in ("offered", "dropped")),
)


def _row(r: BrunelResult) -> list[object]:
    a = r.activity
    losses = [r.losses.get(c, "") for c in COLUMNS[13:]]
    return [
        r.backend,
        r.tier,
        r.seed,
        r.g,
        r.eta,
        r.layout,
        a.n_neurons,
        f"{a.rate:.4f}",
        f"{a.cv:.4f}",
        f"{a.global_cv:.4f}",
        f"{r.rate_exc:.4f}",
        f"{r.rate_inh:.4f}",
        f"{r.losses.get('synapse_loss', 0.0):.5f}",
        *losses,
    ]


def summary_csv(results: Sequence[BrunelResult]) -> str:
    """Return the tidy per-point table as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(r) for r in results)
    return out.getvalue()


def write_summary(results: Sequence[BrunelResult], path: Path) -> Path:
    """Write ``summary.csv`` atomically."""
    return atomic_write_text(path, summary_csv(results))


def seed_segments(
    results: Sequence[BrunelResult], population: str, n_exc: int, n_inh: int
) -> list[Segment]:
    """Return one seed-layout segment per result for ``population`` ('exc'/'inh').

    Neurons stored: the whole population for layout "all", its first 30 otherwise (as
    the seed). Only spikes of the recorded window are present; the annotation
    ``recorded_from`` (ms) says where that window starts.
    """
    size = n_exc if population == "exc" else n_inh
    segments = []
    for r in results:
        rec = r.recording
        n = size if r.layout == "all" else min(ISOLATED, size)
        annotations: dict[str, float | int | str] = {
            "g": r.g,
            "eta": r.eta,
            "population_size": size,
            "sim_time": rec.t_stop,
            "recorded_from": r.recorded_from,
            "seed": r.seed,
            "tier": r.tier,
        }
        segments.append(Segment(annotations, tuple(rec.spiketrains(population)[:n])))
    return segments


def write_seed_files(
    results: Sequence[BrunelResult], out: Path, n_exc: int, n_inh: int
) -> list[Path]:
    """Write ``exc.h5`` and ``inh.h5`` in the seed's layout (one segment per result)."""
    return [
        write_population(
            out / f"{pop}.h5", pop, seed_segments(results, pop, n_exc, n_inh)
        )
        for pop in ("exc", "inh")
    ]
