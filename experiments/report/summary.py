"""A sweep's results on disk: ``summary.csv``, ``chips.csv``, the seed's HDF5 files.

``summary.csv`` has one row per (backend, tier, seed, point) with the point's
coordinates, the workload's metrics (:func:`columns`) and every loss counter (synapse
loss fraction; events offered to and dropped by each rate-limited resource for the
hardware tier); ``chips.csv`` the hardware tier's counts per unit of each resource.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.report.io import Segment, write_population
from experiments.runs.result import PointResult
from experiments.runs.workload import Workload
from twin.files import atomic_write_text

__all__ = [
    "CHIP_COLUMNS",
    "LEADING",
    "LOSSES",
    "chip_columns",
    "chips_csv",
    "columns",
    "seed_segments",
    "summary_csv",
    "write_chips",
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
#: Columns before the workload's coordinates, between them and its metrics, after.
LEADING = ("platform", "tier", "seed")
LOSSES = (
    "synapse_loss",
    *(f"{kind}_{r}" for r in RESOURCES for kind in ("offered", "dropped")),
)


def columns(workload: Workload[Any]) -> tuple[str, ...]:
    """Return the summary's columns for a workload.

    Examples
    --------
    >>> from experiments.brunel.workload import BrunelWorkload
    >>> columns(BrunelWorkload())[:8]
    ('platform', 'tier', 'seed', 'g', 'eta', 'layout', 'n_neurons', 'rate_hz')
    """
    metrics = tuple(c.name for c in workload.columns)
    return (*LEADING, *workload.coords, "layout", *metrics, *LOSSES)


def _row(workload: Workload[Any], r: PointResult) -> list[object]:
    losses = [r.losses.get(c, "") for c in LOSSES[1:]]
    return [
        r.backend,
        r.tier,
        r.seed,
        *(r.point[c] for c in workload.coords),
        r.layout,
        *(c.format(r.metrics[c.name]) for c in workload.columns),
        f"{r.losses.get('synapse_loss', 0.0):.5f}",
        *losses,
    ]


#: Columns of ``chips.csv`` after the point's (one row per point, resource and unit of
#: the hardware tier).
CHIP_COLUMNS = ("resource", "unit", "chip", "offered", "dropped", "passed")


def chip_columns(workload: Workload[Any]) -> tuple[str, ...]:
    """Return the columns of ``chips.csv``: tier, seed, the coordinates, the counts."""
    return ("tier", "seed", *workload.coords, *CHIP_COLUMNS)


def _chip_of(resource: str, unit: int) -> int:
    """Return the chip of a resource's unit (-1 for an FPGA)."""
    if resource in ("priority_encoder", "dnc_merger"):
        return unit // 8  # neuron block / bus = 8 * chip + index
    return -1 if resource == "input_per_fpga" else unit


def chips_csv(workload: Workload[Any], results: Sequence[PointResult]) -> str:
    """Return the events offered, dropped and passed per unit of every resource.

    For ``recording_per_hicann``, *offered* is what the chip's recorded neurons
    emitted in the analysis window and *passed* what the host receives.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(chip_columns(workload))
    for r in results:
        point = [r.point[c] for c in workload.coords]
        for resource, units in sorted(r.groups.items()):
            for unit, (offered, dropped) in sorted(units.items()):
                writer.writerow(
                    [r.tier, r.seed, *point, resource, unit,
                     _chip_of(resource, unit), offered, dropped, offered - dropped]
                )  # fmt: skip
    return out.getvalue()


def write_chips(
    workload: Workload[Any], results: Sequence[PointResult], path: Path
) -> Path:
    """Write ``chips.csv`` atomically."""
    return atomic_write_text(path, chips_csv(workload, results))


def summary_csv(workload: Workload[Any], results: Sequence[PointResult]) -> str:
    """Return the tidy per-point table as CSV text (:func:`columns`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(workload))
    writer.writerows(_row(workload, r) for r in results)
    return out.getvalue()


def write_summary(
    workload: Workload[Any], results: Sequence[PointResult], path: Path
) -> Path:
    """Write ``summary.csv`` atomically."""
    return atomic_write_text(path, summary_csv(workload, results))


def seed_segments(
    results: Sequence[PointResult],
    population: str,
    n_exc: int,
    n_inh: int,
    kept: Mapping[str, int] | None = None,
) -> list[Segment]:
    """Return one seed-layout segment per result for ``population`` ('exc'/'inh').

    Neurons stored: the first ``kept[layout]`` of the population (the seed: 30 in
    its "30" layout), the whole population for a layout not in ``kept``. Only spikes
    of the recorded window are present; the annotation ``recorded_from`` (ms) says
    where that window starts.
    """
    kept = kept or {}
    size = n_exc if population == "exc" else n_inh
    segments = []
    for r in results:
        rec = r.recording
        n = min(kept.get(r.layout, size), size)
        annotations: dict[str, float | int | str] = {
            "g": r["g"],
            "eta": r["eta"],
            "population_size": size,
            "sim_time": rec.t_stop,
            "recorded_from": r.recorded_from,
            "seed": r.seed,
            "tier": r.tier,
        }
        segments.append(Segment(annotations, tuple(rec.spiketrains(population)[:n])))
    return segments


def write_seed_files(
    results: Sequence[PointResult],
    out: Path,
    n_exc: int,
    n_inh: int,
    kept: Mapping[str, int] | None = None,
) -> list[Path]:
    """Write ``exc.h5`` and ``inh.h5`` in the seed's layout (one segment per result).

    ``kept``: neurons stored per population for each layout (see
    :func:`seed_segments`).
    """
    return [
        write_population(
            out / f"{pop}.h5", pop, seed_segments(results, pop, n_exc, n_inh, kept)
        )
        for pop in ("exc", "inh")
    ]
