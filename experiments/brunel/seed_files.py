"""A sweep's runs in the seed's HDF5 layout: ``exc.h5`` and ``inh.h5``.

One segment per run (:mod:`experiments.brunel.io` holds the file format). The
segments' ``recorded_from``/``sim_time`` annotations are the window the trains'
spikes and the summary's windowed metrics cover (:mod:`experiments.report.summary`):
the seed files hold only that window's spikes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from experiments.brunel.io import Segment, write_population
from experiments.report.summary import labels_of
from experiments.runs.result import PointResult

__all__ = ["seed_segments", "write_seed_files"]

Labels = Mapping[str, str]


def _window_trains(
    trains: Sequence[np.ndarray], start: float, stop: float
) -> tuple[np.ndarray, ...]:
    """Keep each train's spikes in (start, stop] (the analysed window)."""
    return tuple(t[(t > start) & (t <= stop)] for t in trains)


def seed_segments(
    results: Sequence[PointResult],
    population: str,
    n_exc: int,
    n_inh: int,
    kept: Mapping[str, int] | None = None,
    labels: Sequence[Labels] = (),
) -> list[Segment]:
    """Return one seed-layout segment per result for ``population`` ('exc'/'inh').

    Neurons stored: those of the first ``kept[layout]`` of the population (the
    seed: 30 in its "30" layout; the whole population for a layout not in ``kept``)
    that the run analysed (``PointResult.neurons``: a neuron the wafer did not
    record is left out, not written as a silent train). Each train
    holds the spikes of the analysed window (``recorded_from``, ``sim_time``] (ms),
    as the annotations say: a rate computed from the file's own annotations, count /
    (sim_time - recorded_from), is the summary's. The seed's reader (trains from 0)
    still finds the last 1000 ms its analysis takes. ``labels``: each result's member
    labels, written as annotations. Each train carries its neuron's index in the
    population (``source_id``), as a Neo spike train does.

    Raises
    ------
    ResultsError
        If ``labels`` is given but not one mapping per result.
    """
    kept = kept or {}
    size = n_exc if population == "exc" else n_inh
    segments = []
    for r, mine in zip(results, labels_of(results, labels), strict=True):
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
            "layout": r.layout,
            **mine,
        }
        ids = np.asarray(rec.recorded[population])[:n]
        analysed = np.isin(ids, r.neurons)  # the neurons whose spikes are all here
        trains = _window_trains(
            [t for t, ok in zip(rec.spiketrains(population)[:n], analysed,
                                strict=True) if ok],
            r.recorded_from,
            rec.t_stop,
        )  # fmt: skip
        # Train k is not neuron k where a neuron was left out: each names its own.
        offset = rec.population_offsets[population]
        sources = [{"source_id": int(i) - offset} for i in ids[analysed]]
        segments.append(Segment(annotations, trains, tuple(sources)))
    return segments


def write_seed_files(
    results: Sequence[PointResult],
    out: Path,
    n_exc: int,
    n_inh: int,
    kept: Mapping[str, int] | None = None,
    labels: Sequence[Labels] = (),
) -> list[Path]:
    """Write ``exc.h5`` and ``inh.h5`` in the seed's layout (one segment per result).

    ``kept``: neurons stored per population for each layout; ``labels``: each
    result's member labels (see :func:`seed_segments`).

    Raises
    ------
    ResultsError
        If ``labels`` is given but not one mapping per result.
    """
    return [
        write_population(
            out / f"{pop}.h5",
            pop,
            seed_segments(results, pop, n_exc, n_inh, kept, labels),
        )
        for pop in ("exc", "inh")
    ]
