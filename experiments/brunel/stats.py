"""A Brunel point over seeds: rate, CV and global CV, as the seed's report takes them.

The generic aggregation (:mod:`experiments.report.aggregate`) groups rows by
platform, tier and (g, eta) over the seeds of one member; :class:`Stat` is a group
seen through the seed's three numbers (the mean rate and its standard deviation
over seeds, the mean CV and global CV) and the loss counters. The seed's wafer
plots label g with the wafer's effective inhibition (:func:`corrected_g`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from experiments.report import load
from experiments.report.aggregate import Group
from experiments.report.aggregate import aggregate as aggregate_rows
from experiments.report.load import Row

__all__ = [
    "CHIPS_COLUMNS",
    "COORDS",
    "DEPARTURE_HZ",
    "G_CORRECTION",
    "SUMMARY_COLUMNS",
    "Point",
    "Stat",
    "aggregate",
    "corrected_g",
    "load_chips",
    "load_summary",
    "stat_of",
    "stats",
]

#: The seed: wafer and simulation deviate above about this rate (Hz).
DEPARTURE_HZ = 50.0
#: Effective inhibition of the wafer: g_corr = a g + b. [seed plot_results]
G_CORRECTION = (0.8693828, 0.28674744)
#: A point's coordinates.
COORDS = ("g", "eta")
#: Columns of ``summary.csv`` the report reads, with their types.
SUMMARY_COLUMNS: Mapping[str, type] = load.required_columns(
    COORDS, ("rate_hz", "cv", "global_cv")
)
#: Columns of ``chips.csv`` the report reads, with their types.
CHIPS_COLUMNS: Mapping[str, type] = {
    "tier": str,
    "seed": int,
    **load.required_columns(COORDS),
    "resource": str,
    "chip": int,
    "offered": int,
    "dropped": int,
}
Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Stat:
    """A point's values over seeds: means, standard deviation of the rate, count."""

    rate: float
    rate_sd: float
    cv: float
    global_cv: float
    n: int
    layout: str
    extra: Mapping[str, float]

    def as_grid_row(self) -> dict[str, float]:
        """Return the values the heat maps show.

        Returns
        -------
        dict of str to float
            ``rate`` and ``rate_sd`` (Hz), ``cv`` and ``global_cv`` (dimensionless).
        """
        return {
            "rate": self.rate,
            "rate_sd": self.rate_sd,
            "cv": self.cv,
            "global_cv": self.global_cv,
        }


def corrected_g(g: float) -> float:
    """Return the wafer's effective g for a nominal g (the seed's correction).

    Parameters
    ----------
    g
        Nominal relative inhibitory strength of the Brunel network.

    Returns
    -------
    float
        ``a g + b`` with ``(a, b) =`` :data:`G_CORRECTION`, the effective inhibition
        the seed fitted to the wafer (its ``plot_results``).
    """
    return G_CORRECTION[0] * g + G_CORRECTION[1]


def stat_of(group: Group) -> Stat:
    """Return a group's seed statistics.

    Parameters
    ----------
    group
        The rows of one platform, tier and point.

    Returns
    -------
    Stat
        Mean and sample sd of ``rate_hz`` over the seeds, the mean of the finite
        ``cv`` and ``global_cv``, and the finite mean of every ``dropped_*`` and
        ``offered_*`` counter and of ``synapse_loss``.
    """
    rate = group.estimate("rate_hz")
    numeric = [k for k in group.rows[0] if k.startswith(("dropped_", "offered_"))]
    numeric.append("synapse_loss")
    return Stat(
        rate=rate.rate,
        rate_sd=rate.rate_sd,
        cv=group.mean("cv"),
        global_cv=group.mean("global_cv"),
        n=group.n,
        layout=group.layout,
        extra={k: group.mean(k) for k in numeric},
    )


def stats(groups: Mapping[tuple[float, ...], Group]) -> dict[Point, Stat]:
    """Return each (g, eta) group's :class:`Stat`.

    Parameters
    ----------
    groups
        One platform and tier's groups by point
        (:func:`experiments.report.aggregate.aggregate` with :data:`COORDS`).

    Returns
    -------
    dict
        (g, eta) -> :func:`stat_of` its group.
    """
    return {(p[0], p[1]): stat_of(g) for p, g in groups.items()}


def aggregate(rows: Sequence[Row]) -> dict[tuple[str, str], dict[Point, Stat]]:
    """Group rows by (platform, tier) and (g, eta); average over seeds.

    Parameters
    ----------
    rows
        Result rows (column -> text).

    Returns
    -------
    dict
        (platform, tier) -> (g, eta) -> the point's :class:`Stat`.

    Raises
    ------
    ResultsError
        If a group's rows are not seeds of one experiment: rows of several ensemble
        members, a seed twice or different windows (:func:`members.check_group`).
    """
    return {key: stats(v) for key, v in aggregate_rows(rows, COORDS).items()}


def load_summary(folder: Path) -> list[Row]:
    """Read a Brunel sweep folder's rows (:func:`experiments.report.load.load_summary`).

    Parameters
    ----------
    folder
        A folder written by ``twin brunel`` or ``twin nest``.

    Returns
    -------
    list of dict
        One column -> text mapping per row; ``tier`` defaults to ``"ideal"``.

    Raises
    ------
    ResultsError
        If the rows cannot be read, or ``summary.csv`` lacks a column of
        :data:`SUMMARY_COLUMNS` or has a cut or malformed row.
    """
    return load.load_summary(folder, SUMMARY_COLUMNS)


def load_chips(folder: Path) -> list[Row]:
    """Read ``chips.csv`` of a Brunel sweep folder (none: an empty list).

    Parameters
    ----------
    folder
        A folder written by ``twin brunel`` with the hardware tier.

    Returns
    -------
    list of dict
        One column -> text mapping per row.

    Raises
    ------
    ResultsError
        If the file exists but cannot be read, lacks a column of
        :data:`CHIPS_COLUMNS` or has a cut or malformed row.
    """
    return load.load_chips(folder, COORDS)
