"""A wafer's ``exc.h5`` and ``inh.h5`` (or a sweep's), analysed as the seed does.

The seed's HDF5 layout (:mod:`experiments.brunel.io`) holds one segment per run,
annotated with its g and eta (and, as ``twin brunel`` writes them, its seed). The
two files' segments are paired by those annotations, each run analysed as the seed
does (the 30 isolated excitatory neurons, or every neuron), and the runs of one
(g, eta) averaged as seeds (:class:`experiments.brunel.stats.Stat`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from experiments.brunel.io import Segment, read_population
from experiments.brunel.stats import Point, Stat
from experiments.report.aggregate import finite_mean
from experiments.runs.analysis import Activity, activity
from twin.errors import ResultsError

__all__ = ["SegmentKey", "load_wafer"]

#: A segment's pairing key: (g, eta, seed); seed None when the files carry none.
SegmentKey = tuple[float, float, int | None]


def _label(key: SegmentKey) -> str:
    """Format a pairing key for messages: ``(g = 4, eta = 2, seed = 1)``."""
    seed = "" if key[2] is None else f", seed = {key[2]}"
    return f"(g = {key[0]:g}, eta = {key[1]:g}{seed})"


def _segment_key(path: Path, position: int, segment: Segment) -> SegmentKey:
    """Return a segment's (g, eta, seed) from its annotations.

    Raises
    ------
    ResultsError
        If g or eta is not a finite number or the seed is not an integer.
    """
    ann = segment.annotations
    try:
        g, eta = float(ann["g"]), float(ann["eta"])
        seed = None if "seed" not in ann else float(ann["seed"])
    except (TypeError, ValueError):
        raise ResultsError(
            f"{str(path)!r}, segment {position}: g = {ann['g']!r}, eta = "
            f"{ann['eta']!r}, seed = {ann.get('seed')!r} are not all numbers; "
            "annotate every segment with numeric g, eta (and seed)"
        ) from None
    if not (np.isfinite(g) and np.isfinite(eta)) or (
        seed is not None and not seed.is_integer()
    ):
        raise ResultsError(
            f"{str(path)!r}, segment {position}: g = {g}, eta = {eta}, seed = {seed}; "
            "give finite g and eta and an integer seed"
        )
    return g, eta, None if seed is None else int(seed)


def _index_segments(
    path: Path, segments: Sequence[Segment]
) -> dict[SegmentKey, Segment]:
    """Index one file's segments by (g, eta, seed).

    Raises
    ------
    ResultsError
        If the file has no segment, some segments carry a ``seed`` annotation and
        others not, or two segments have the same key.
    """
    if not segments:
        raise ResultsError(
            f"{str(path)!r} holds no segment; write one segment per (g, eta) point"
        )
    seeded = ["seed" in s.annotations for s in segments]
    if any(seeded) and not all(seeded):
        raise ResultsError(
            f"{str(path)!r}, segment {seeded.index(not seeded[0])}: the seed "
            "annotation is present in some segments and missing in others; annotate "
            "every segment with its seed, or none"
        )
    out: dict[SegmentKey, Segment] = {}
    for position, segment in enumerate(segments):
        key = _segment_key(path, position, segment)
        if key in out:
            what = "seed" if key[2] is not None else "seed annotation"
            raise ResultsError(
                f"{str(path)!r}, segment {position}: a second segment at "
                f"{_label(key)}; keep one segment per point and {what} (segments "
                "of one point with different seeds are averaged)"
            )
        out[key] = segment
    return out


def _check_pairing(
    folder: Path, exc: Mapping[SegmentKey, Segment], inh: Mapping[SegmentKey, Segment]
) -> None:
    """Check that exc.h5 and inh.h5 hold the same runs.

    Raises
    ------
    ResultsError
        If one file annotates seeds and the other not, a run is in one file only,
        or paired segments differ in ``sim_time`` (or ``recorded_from``, ``tier``).
    """
    exc_seeded = next(iter(exc))[2] is not None
    if exc_seeded != (next(iter(inh))[2] is not None):
        has, lacks = ("exc.h5", "inh.h5") if exc_seeded else ("inh.h5", "exc.h5")
        raise ResultsError(
            f"{str(folder)!r}: {has} annotates a seed per segment but {lacks} does "
            "not; write both files with the same annotations"
        )
    for here, there, other in ((exc, inh, "inh.h5"), (inh, exc, "exc.h5")):
        missing = sorted(set(here) - set(there), key=lambda k: (k[0], k[1], k[2] or 0))
        if missing:
            has = "exc.h5" if other == "inh.h5" else "inh.h5"
            raise ResultsError(
                f"{str(folder)!r}: {other} has no segment at {_label(missing[0])} "
                f"({len(missing)} point(s) in {has} only); give both files the "
                "same points"
            )
    for key, e in exc.items():
        for name in ("sim_time", "recorded_from", "tier"):
            a, b = e.annotations.get(name), inh[key].annotations.get(name)
            if a is not None and b is not None and a != b:
                raise ResultsError(
                    f"{str(folder)!r}: at {_label(key)}, {name} = {a!r} in exc.h5 "
                    f"but {b!r} in inh.h5; pair segments of the same run"
                )


def _analyse_pair(
    folder: Path, key: SegmentKey, e: Segment, i: Segment
) -> tuple[Activity, str]:
    """Apply the seed's protocol to one run; return its activity and layout.

    Raises
    ------
    ResultsError
        If the excitatory segment holds no spike train, or the inhibitory one holds
        none although the layout records every neuron.
    """
    if not e.spiketrains:
        raise ResultsError(
            f"{str(folder / 'exc.h5')!r}: the segment at {_label(key)} holds no spike "
            "train; record the population there or drop the point from both files"
        )
    total = int(e.annotations.get("population_size", len(e.spiketrains)))
    # The file's own word where it has one (a wafer's file may not): a train left
    # out must not turn an "all" run into "30".
    stated = e.annotations.get("layout")
    layout = (
        str(stated)
        if stated in ("all", "30")
        else ("all" if len(e.spiketrains) >= total else "30")
    )
    if layout == "all" and not i.spiketrains:
        raise ResultsError(
            f"{str(folder / 'inh.h5')!r}: the segment at {_label(key)} holds no spike "
            "train, but exc.h5 records every neuron there; record the inhibitory "
            "population too or drop the point from both files"
        )
    considered = (
        e.spiketrains + i.spiketrains if layout == "all" else e.spiketrains[:30]
    )
    times = np.concatenate(considered)
    ids = np.concatenate([np.full(t.size, k) for k, t in enumerate(considered)])
    a = activity(
        times, ids, np.arange(len(considered)), float(e.annotations["sim_time"])
    )
    return a, layout


def load_wafer(folder: Path) -> dict[Point, Stat]:
    """Analyse a wafer's exc.h5 + inh.h5 with the seed's protocol.

    The segments of the two files are paired by their annotations, not by position:
    by (g, eta, seed) when the files annotate a seed (as ``twin brunel`` writes
    them), else by (g, eta) (a real wafer's files). Runs of one (g, eta) with
    different seeds are averaged as seeds (rate mean and standard deviation, mean CV
    and global CV); the same (g, eta, seed), or without seeds the same (g, eta),
    twice in one file is an error.

    Parameters
    ----------
    folder
        Folder with ``exc.h5`` and ``inh.h5`` in the seed's layout.

    Returns
    -------
    dict
        (g, eta) -> the point's statistics over its runs.

    Raises
    ------
    ResultsError
        If a file is unreadable or not in the layout, holds no segment, repeats a
        (g, eta, seed) (without seeds: a (g, eta)), annotates seeds in some segments
        only or in one file only, has a run the other lacks, pairs segments with
        different ``sim_time``, ``recorded_from`` or ``tier``, or has an excitatory
        segment without spike trains (an inhibitory one: where every neuron is
        recorded).
    ConfigError
        If a run's ``sim_time`` is shorter than the 1000 ms analysis window.
    """
    _, exc_segments = read_population(folder / "exc.h5")
    _, inh_segments = read_population(folder / "inh.h5")
    exc = _index_segments(folder / "exc.h5", exc_segments)
    inh = _index_segments(folder / "inh.h5", inh_segments)
    _check_pairing(folder, exc, inh)
    runs: dict[Point, list[tuple[Activity, str]]] = {}
    for key in sorted(exc, key=lambda k: (k[0], k[1], k[2] or 0)):
        runs.setdefault((key[0], key[1]), []).append(
            _analyse_pair(folder, key, exc[key], inh[key])
        )
    rows: dict[Point, Stat] = {}
    for point, members in runs.items():
        rate = np.array([a.rate for a, _ in members])
        layouts = sorted({layout for _, layout in members})
        rows[point] = Stat(
            rate=float(rate.mean()),
            rate_sd=float(rate.std(ddof=1)) if rate.size > 1 else 0.0,
            cv=finite_mean([a.cv for a, _ in members]),
            global_cv=finite_mean([a.global_cv for a, _ in members]),
            n=len(members),
            layout="+".join(layouts),
            extra={},
        )
    return rows
