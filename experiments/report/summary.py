"""A sweep's tables on disk: ``summary.csv`` and ``chips.csv``, for any workload.

``summary.csv`` has one row per (backend, tier, member, seed, point) with the
ensemble member's labels (if any), the point's coordinates, the recording layout,
the analysed window ``t_start``/``t_stop`` (ms; empty for a theory tier's row, which
has no time window), the workload's metrics
(:func:`columns`) and every loss counter (synapse loss fraction; events offered to
and dropped by each rate-limited resource for the hardware tier); ``chips.csv`` the
hardware tier's counts per unit of each resource. Both files keep the rows of other
runs written to the same folder and replace those of the same run (backend, tier,
seed, labels, coordinates), as ``results.parquet`` does, so the folder's files hold
the same runs.

Every field describes the data beside it: the window columns are the window the
windowed metrics cover (a workload's docs name any metric of the whole run, e.g.
Brunel's ``run_rate_exc_hz``; Brunel's seed files, :mod:`experiments.brunel.
seed_files`, state the same window in their annotations).
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.runs.result import PointResult
from experiments.runs.workload import Workload
from twin.errors import ResultsError
from twin.files import atomic_write_text
from twin.wafer.neurons import chip_of_bus

__all__ = [
    "CHIP_COLUMNS",
    "LEADING",
    "LOSSES",
    "NOTE",
    "RESOURCES",
    "WINDOW",
    "EarlierFormatWarning",
    "chip_columns",
    "chips_csv",
    "columns",
    "labels_of",
    "summary_csv",
    "write_chips",
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
#: The last column where a row carries a note (:attr:`PointResult.note
#: <experiments.runs.result.PointResult>`).
NOTE = ("note",)

Labels = Mapping[str, str]


def _label_names(labels: Sequence[Labels]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for member in labels for k in member))


def labels_of(results: Sequence[PointResult], labels: Sequence[Labels]) -> list:
    """Return one labels mapping per result (``labels`` empty: none).

    Parameters
    ----------
    results
        The runs.
    labels
        Each result's member labels, or none.

    Returns
    -------
    list of mapping
        ``labels`` as a list, or an empty mapping per result.

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

    Parameters
    ----------
    workload
        The workload (its coordinates and metric columns).
    labels
        Member label columns, after the seed.

    Returns
    -------
    tuple of str
        :data:`LEADING`, the labels, the coordinates, ``layout``, :data:`WINDOW`,
        the metrics and :data:`LOSSES`.

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
        *(("", "") if r.window is None else (_ms(t) for t in r.window)),
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
    emitted in the analysis window and *passed* what the host receives.

    Parameters
    ----------
    workload
        The sweep's workload (its coordinates).
    results
        The runs.
    labels
        Each result's member labels (see :func:`summary_csv`), or none.

    Returns
    -------
    str
        CSV text with the columns of :func:`chip_columns`, a row per result,
        resource and unit.

    Raises
    ------
    ResultsError
        If ``labels`` is given but not one mapping per result.
    """
    names = _label_names(labels)
    rows = []
    for r, mine in zip(results, labels_of(results, labels), strict=True):
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

    Parameters
    ----------
    workload, results, labels
        As :func:`chips_csv`.
    path
        The file to write.

    Returns
    -------
    pathlib.Path
        ``path``.

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

    Returns
    -------
    str
        CSV text with the columns of :func:`columns`, a row per result, and a last
        column :data:`NOTE` where a result has a note (a theory tier's flags and
        the effects it does not express).

    Raises
    ------
    ResultsError
        If ``labels`` is given but not one mapping per result.
    """
    names = _label_names(labels)
    notes = any(r.note for r in results)
    rows = [
        [*_row(workload, r, mine, names), *([r.note] if notes else [])]
        for r, mine in zip(results, labels_of(results, labels), strict=True)
    ]
    header = (*columns(workload, names), *(NOTE if notes else ()))
    return _csv_text(header, rows)


def write_summary(
    workload: Workload[Any],
    results: Sequence[PointResult],
    path: Path,
    labels: Sequence[Labels] = (),
) -> Path:
    """Write ``summary.csv`` atomically, keeping the file's rows of other runs.

    A row of the file is replaced by a new row of the same run (platform, tier,
    seed, labels, coordinates), as ``results.parquet`` replaces its rows.

    Parameters
    ----------
    workload, results, labels
        As :func:`summary_csv`.
    path
        The file to write.

    Returns
    -------
    pathlib.Path
        ``path``.

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
