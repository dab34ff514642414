"""Rows grouped for statistics: by platform, tier and point, over the seeds of a member.

A comparison takes a point's statistics over seeds: the rows of one platform
(``twin`` or ``nest``), one tier and one point (the workload's coordinates) are the
seeds of one experiment, and :func:`aggregate` checks that they are
(:func:`experiments.report.members.check_group`: one ensemble member, each seed
once, one window, one layout). Values are read from the rows' text; a blank or
non-numeric value is ``nan``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from experiments.report.members import check_group

__all__ = [
    "Estimate",
    "Group",
    "Point",
    "aggregate",
    "finite_mean",
    "number",
    "point_label",
]

#: A point: the values of the workload's coordinates, in their order.
Point = tuple[float, ...]
Row = Mapping[str, str]


def number(text: str | None) -> float:
    """Return a row's value as a number (``nan`` if blank or not a number).

    Parameters
    ----------
    text
        The value as written in the row (or ``None``).

    Returns
    -------
    float
        The number, or ``nan``.

    Examples
    --------
    >>> number("2.5"), number(""), number("n/a")
    (2.5, nan, nan)
    """
    try:
        return float(text) if text not in (None, "") else np.nan
    except ValueError:
        return np.nan


def finite_mean(values: Sequence[float]) -> float:
    """Return the mean of the finite values (``nan`` if there are none).

    Parameters
    ----------
    values
        Numbers, some possibly ``nan`` or infinite.

    Returns
    -------
    float
        The mean of the finite ones.

    Examples
    --------
    >>> finite_mean([1.0, float("nan"), 3.0])
    2.0
    """
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def point_label(coords: Sequence[str], point: Sequence[float]) -> str:
    """Format a point for messages.

    Parameters
    ----------
    coords
        The coordinates' names.
    point
        Their values.

    Returns
    -------
    str
        ``(name = value, ...)``, values as ``:g``.

    Examples
    --------
    >>> point_label(("g", "eta"), (8.0, 2.0))
    '(g = 8, eta = 2)'
    """
    return (
        "("
        + ", ".join(f"{c} = {v:g}" for c, v in zip(coords, point, strict=True))
        + ")"
    )


@dataclass(frozen=True, slots=True)
class Estimate:
    """A metric at a point over seeds: mean, sample standard deviation, seeds.

    Attributes
    ----------
    rate
        The mean over seeds, in the metric's unit (Hz for a rate).
    rate_sd
        The sample standard deviation over seeds (0 for one seed).
    n
        The number of seeds.
    """

    rate: float
    rate_sd: float
    n: int


@dataclass(frozen=True, slots=True)
class Group:
    """The rows of one platform, tier and point: the seeds of one experiment.

    Attributes
    ----------
    rows
        The rows, one per seed, in the order given.
    """

    rows: tuple[Row, ...]

    @property
    def n(self) -> int:
        """The number of seeds."""
        return len(self.rows)

    @property
    def layout(self) -> str:
        """The recording layout of the rows (``""`` if they state none)."""
        return str(self.rows[0].get("layout", ""))

    def values(self, column: str) -> np.ndarray:
        """Return a column's values, one per seed (``nan`` where not a number).

        Parameters
        ----------
        column
            The column.

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)``, in row order.
        """
        return np.array([number(r.get(column)) for r in self.rows])

    def estimate(self, column: str) -> Estimate:
        """Return a column's mean and sample standard deviation over the seeds.

        Parameters
        ----------
        column
            The metric's column.

        Returns
        -------
        Estimate
            Mean (``nan`` if a seed has no number), sample sd (0 for one seed).
        """
        x = self.values(column)
        sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
        return Estimate(float(x.mean()), sd, int(x.size))

    def mean(self, column: str) -> float:
        """Return a column's mean over the seeds that have a finite value.

        Parameters
        ----------
        column
            The column.

        Returns
        -------
        float
            :func:`finite_mean` of :meth:`values` (``nan`` if none is finite).
        """
        return finite_mean(list(self.values(column)))


def aggregate(
    rows: Sequence[Row], coords: Sequence[str]
) -> dict[tuple[str, str], dict[Point, Group]]:
    """Group rows by (platform, tier) and point; each group the seeds of one run.

    Parameters
    ----------
    rows
        Result rows (column -> text); ``platform`` defaults to ``"twin"``.
    coords
        The workload's coordinates: a row's point is their values.

    Returns
    -------
    dict
        (platform, tier) -> point -> its group, in the order of appearance.

    Raises
    ------
    ResultsError
        If a group's rows are not seeds of one experiment: rows of several ensemble
        members, a seed twice, different windows or layouts
        (:func:`experiments.report.members.check_group`).
    """
    groups: dict[tuple[str, str], dict[Point, list[Row]]] = {}
    for row in rows:
        key = (row.get("platform", "twin"), row["tier"])
        point = tuple(float(row[c]) for c in coords)
        groups.setdefault(key, {}).setdefault(point, []).append(row)
    out: dict[tuple[str, str], dict[Point, Group]] = {}
    for key, points in groups.items():
        out[key] = {}
        for point, members in points.items():
            check_group(members, f"{key[0]} {key[1]} at {point_label(coords, point)}")
            out[key][point] = Group(tuple(members))
    return out
