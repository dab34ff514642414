"""A sweep's results on disk: ``summary.csv``, ``chips.csv``, the seed's HDF5 files.

``summary.csv`` has one row per (backend, tier, member, seed, point) with the
ensemble member's labels (if any), the point's coordinates, the recording layout,
the analysed window ``t_start``/``t_stop`` (ms), the workload's metrics
(:func:`columns`) and every loss counter (synapse loss fraction; events offered to
and dropped by each rate-limited resource for the hardware tier); ``chips.csv`` the
hardware tier's counts per unit of each resource. Both files keep the rows of other
runs written to the same folder and replace those of the same run (backend, tier,
seed, labels, coordinates), as ``results.parquet`` does, so the folder's files hold
the same runs.

Every field describes the data beside it: the window columns and the seed files'
``recorded_from``/``sim_time`` annotations are the window the spikes and the
windowed metrics cover (a workload's docs name any metric of the whole run, e.g.
Brunel's ``run_rate_exc_hz``); the seed files hold only that window's spikes.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from experiments.report.io import Segment, write_population
from experiments.runs.result import PointResult
from experiments.runs.workload import Workload
from twin.errors import ResultsError
from twin.files import atomic_write_text
from twin.wafer.neurons import chip_of_bus

__all__ = [
    "CHIP_COLUMNS",
    "LEADING",
    "LOSSES",
    "WINDOW",
    "EarlierFormatWarning",
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
#: The analysed window of a row, ms: spikes and windowed metrics cover (start, stop].
WINDOW = ("t_start", "t_stop")

Labels = Mapping[str, str]


def _label_names(labels: Sequence[Labels]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for member in labels for k in member))


def _labels_of(results: Sequence[PointResult], labels: Sequence[Labels]) -> list:
    """Return one labels mapping per result (``labels`` empty: none).

    Raises
    ------
    ResultsError
        If ``labels`` is given but not one mapping per result.
    """
    if not labels:
        return [{} for _ in results]
    if len(labels) != len(results):
        raise ResultsError(
            f"{len(labels)} label sets for {len(results)} results; give one "
            "member's labels per result (or none)"
        )
    return list(labels)


def columns(workload: Workload[Any], labels: Sequence[str] = ()) -> tuple[str, ...]:
    """Return the summary's columns for a workload (``labels``: member labels).

    Examples
    --------
    >>> from experiments.brunel.workload import BrunelWorkload
    >>> columns(BrunelWorkload())[:9]
    ('platform', 'tier', 'seed', 'g', 'eta', 'layout', 't_start', 't_stop', 'n_neurons')
    """
    metrics = tuple(c.name for c in workload.columns)
    return (*LEADING, *labels, *workload.coords, "layout", *WINDOW, *metrics, *LOSSES)


def _ms(value: float) -> str:
    return format(float(value), ".12g")


def _row(
    workload: Workload[Any], r: PointResult, labels: Labels, names: Sequence[str]
) -> list[object]:
    losses = [r.losses.get(c, "") for c in LOSSES[1:]]
    return [
        r.backend,
        r.tier,
        r.seed,
        *(labels.get(k, "") for k in names),
        *(r.point[c] for c in workload.coords),
        r.layout,
        _ms(r.recorded_from),
        _ms(r.recording.t_stop),
        *(c.format(r.metrics[c.name]) for c in workload.columns),
        f"{r.losses.get('synapse_loss', 0.0):.5f}",
        *losses,
    ]


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


class EarlierFormatWarning(UserWarning):
    """A results file of an earlier version is replaced, not merged."""


def _merged(
    path: Path, text: str, identity: Sequence[str], required: Sequence[str] = ()
) -> str:
    """Return ``text`` (CSV) with the rows of ``path`` that are of other runs.

    A row of the file is replaced when a new row has the same values in the
    ``identity`` columns; other rows stay (columns the new header lacks are added).
    A file of an earlier version (without the ``required`` columns, e.g. the
    analysed window of ``summary.csv``) is replaced whole, with an
    :class:`EarlierFormatWarning`: its rows cannot be told apart by member.

    Raises
    ------
    ResultsError
        If the existing file cannot be read as UTF-8 text.
    """
    if not path.exists():
        return text
    try:
        old = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise ResultsError(
            f"cannot read {str(path)!r} to keep its other runs ({err}); delete it "
            "(results.parquet and points/ keep every run) and run again"
        ) from None
    if old and not set(required) <= set(old[0]):
        warnings.warn(
            f"{str(path)!r} was written by an earlier version (no "
            f"{', '.join(required)} columns); its {len(old)} rows are replaced by "
            "this run's "
            "(results.parquet and points/ keep every run)",
            EarlierFormatWarning,
            stacklevel=3,
        )
        return text
    new = list(csv.DictReader(io.StringIO(text)))
    mine = {tuple(r.get(k) or "" for k in identity) for r in new}
    kept = [r for r in old if tuple(r.get(k) or "" for k in identity) not in mine]
    header = list(next(csv.reader(io.StringIO(text))))
    header += [k for k in dict.fromkeys(k for r in kept for k in r) if k and
               k not in header]  # fmt: skip
    rows = [[r.get(k) or "" for k in header] for r in [*kept, *new]]
    return _csv_text(header, rows)


#: Columns of ``chips.csv`` after the point's (one row per point, resource and unit of
#: the hardware tier).
CHIP_COLUMNS = ("resource", "unit", "chip", "offered", "dropped", "passed")


def chip_columns(
    workload: Workload[Any], labels: Sequence[str] = ()
) -> tuple[str, ...]:
    """Return the columns of ``chips.csv``: tier, seed, labels, coordinates, counts.

    Parameters
    ----------
    workload
        The sweep's workload; its ``coords`` name the point's columns.
    labels
        Member label columns (e.g. ``wafer``, ``strategy``), after the seed.

    Returns
    -------
    tuple of str
        ``("tier", "seed", *labels, *workload.coords)`` followed by
        :data:`CHIP_COLUMNS`.
    """
    return ("tier", "seed", *labels, *workload.coords, *CHIP_COLUMNS)


def _chip_of(resource: str, unit: int) -> int:
    """Return the chip of a resource's unit (-1 for an FPGA)."""
    if resource in ("priority_encoder", "dnc_merger"):
        return chip_of_bus(unit)  # neuron block / bus = 8 * chip + index
    return -1 if resource == "input_per_fpga" else unit


def chips_csv(
    workload: Workload[Any],
    results: Sequence[PointResult],
    labels: Sequence[Labels] = (),
) -> str:
    """Return the events offered, dropped and passed per unit of every resource.

    For ``recording_per_hicann``, *offered* is what the chip's recorded neurons
    emitted in the analysis window and *passed* what the host receives. ``labels``:
    each result's member labels (see :func:`summary_csv`).

    Raises
    ------
    ResultsError
        If ``labels`` is given but not one mapping per result.
    """
    names = _label_names(labels)
    rows = []
    for r, mine in zip(results, _labels_of(results, labels), strict=True):
        point = [r.point[c] for c in workload.coords]
        tags = [mine.get(k, "") for k in names]
        for resource, units in sorted(r.groups.items()):
            for unit, (offered, dropped) in sorted(units.items()):
                rows.append(
                    [r.tier, r.seed, *tags, *point, resource, unit,
                     _chip_of(resource, unit), offered, dropped, offered - dropped]
                )  # fmt: skip
    return _csv_text(chip_columns(workload, names), rows)


def write_chips(
    workload: Workload[Any],
    results: Sequence[PointResult],
    path: Path,
    labels: Sequence[Labels] = (),
) -> Path:
    """Write ``chips.csv`` atomically, keeping the file's rows of other runs.

    Raises
    ------
    ResultsError
        If ``labels`` is not one mapping per result, or an existing file cannot be
        read.
    """
    names = _label_names(labels)
    identity = ("tier", "seed", *names, *workload.coords)
    return atomic_write_text(
        path, _merged(path, chips_csv(workload, results, labels), identity)
    )


def summary_csv(
    workload: Workload[Any],
    results: Sequence[PointResult],
    labels: Sequence[Labels] = (),
) -> str:
    """Return the tidy per-point table as CSV text (:func:`columns`).

    Parameters
    ----------
    workload
        The experiment.
    results
        The runs.
    labels
        Each result's ensemble member labels (e.g. ``{"strategy": "enum"}``), one
        mapping per result; their names become columns. Empty: no label columns.

    Raises
    ------
    ResultsError
        If ``labels`` is given but not one mapping per result.
    """
    names = _label_names(labels)
    rows = [
        _row(workload, r, mine, names)
        for r, mine in zip(results, _labels_of(results, labels), strict=True)
    ]
    return _csv_text(columns(workload, names), rows)


def write_summary(
    workload: Workload[Any],
    results: Sequence[PointResult],
    path: Path,
    labels: Sequence[Labels] = (),
) -> Path:
    """Write ``summary.csv`` atomically, keeping the file's rows of other runs.

    A row of the file is replaced by a new row of the same run (platform, tier,
    seed, labels, coordinates), as ``results.parquet`` replaces its rows.

    Raises
    ------
    ResultsError
        If ``labels`` is not one mapping per result, or an existing file cannot be
        read.
    """
    names = _label_names(labels)
    identity = (*LEADING, *names, *workload.coords)
    return atomic_write_text(
        path,
        _merged(path, summary_csv(workload, results, labels), identity, WINDOW),
    )


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
    for r, mine in zip(results, _labels_of(results, labels), strict=True):
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
