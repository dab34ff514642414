"""Ensembles: a point's spread over seeds, wafers and mapping strategies, and its cause.

Input: the rows of a results table (:mod:`experiments.runs.table`) whose members
differ in some *factors* — the network seed, and the labels of an ensemble sweep
(``wafer``: the defect map, ``variation``: the fixed-pattern wafer seed,
``strategy``, ``router``). Per (tier, point) the report gives the mean ±
sample standard deviation of a metric over the members, and a variance table.

Method (one-way share of variance, "eta squared"): within one (tier, point) group of
``n`` members with values ``x`` and mean ``m``, the total sum of squares is
``SS = sum (x - m)^2``; for a factor whose levels split the members into groups
``l`` of ``n_l`` members with means ``m_l``, ``SS_f = sum_l n_l (m_l - m)^2``. The
factor's share is ``SS_f / SS`` (1: the factor alone explains the spread; 0: it
explains none). The table gives the mean share over the (tier, point) groups that
spread (``SS > 0``). Each factor is judged alone (no interactions); in a full
factorial ensemble the shares of the factors and their interactions add up to 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["FACTORS", "ensemble_report", "factors_of", "point_stats", "shares"]

#: Columns that may tell ensemble members apart, in report order.
FACTORS = ("seed", "wafer", "variation", "strategy", "router")

Row = Mapping[str, Any]


def _done(rows: Sequence[Row], metric: str) -> list[Row]:
    return [
        r
        for r in rows
        if r.get("status", "done") == "done"
        and r.get(metric) is not None
        and np.isfinite(r[metric])
    ]


def _groups(rows: Sequence[Row], coords: Sequence[str]) -> dict[tuple, list[Row]]:
    groups: dict[tuple, list[Row]] = {}
    for r in rows:
        key = (r.get("backend"), r.get("tier"), *(r.get(c) for c in coords))
        groups.setdefault(key, []).append(r)
    return groups


def factors_of(rows: Sequence[Row]) -> list[str]:
    """Return the factors of :data:`FACTORS` that take more than one value.

    Parameters
    ----------
    rows
        Rows of a results table (column -> value); a row without a factor's column
        does not count for it.

    Returns
    -------
    list of str
        The factors whose values differ between rows, in the order of
        :data:`FACTORS`.
    """
    return [f for f in FACTORS if len({r.get(f) for r in rows if f in r}) > 1]


def point_stats(
    rows: Sequence[Row], coords: Sequence[str], metric: str
) -> dict[tuple, tuple[float, float, int]]:
    """Return (mean, sample sd, members) of ``metric`` per (backend, tier, point).

    Rows not done or without a finite value are left out; sd is 0 for one member.

    Parameters
    ----------
    rows
        Rows of a results table (column -> value; ``status`` ``"done"`` if absent).
    coords
        The columns that name a point (e.g. ``("g", "eta")``).
    metric
        The column to summarise (e.g. ``"rate_hz"``).

    Returns
    -------
    dict
        ``(backend, tier, *point)`` -> ``(mean, sample standard deviation, number
        of members)`` of ``metric``, in its unit.
    """
    out = {}
    for key, members in _groups(_done(rows, metric), coords).items():
        x = np.array([float(r[metric]) for r in members])
        sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
        out[key] = (float(x.mean()), sd, int(x.size))
    return out


def shares(
    rows: Sequence[Row], coords: Sequence[str], metric: str, factors: Sequence[str]
) -> dict[str, float]:
    """Return each factor's mean one-way share of ``metric``'s variance (module doc).

    A factor gets ``nan`` if no (tier, point) group has a spread.

    Parameters
    ----------
    rows
        Rows of a results table (column -> value); rows not done or without a
        finite ``metric`` are left out.
    coords
        The columns that name a point.
    metric
        The column whose spread is explained.
    factors
        The columns to judge (see :func:`factors_of`).

    Returns
    -------
    dict of str to float
        Factor -> its share ``SS_f / SS`` in [0, 1], averaged over the (backend,
        tier, point) groups with ``SS > 0``.
    """
    per: dict[str, list[float]] = {f: [] for f in factors}
    for members in _groups(_done(rows, metric), coords).values():
        x = np.array([float(r[metric]) for r in members])
        total = float(((x - x.mean()) ** 2).sum())
        if total <= 0.0:
            continue
        for f in factors:
            levels: dict[Any, list[float]] = {}
            for r, v in zip(members, x, strict=True):
                levels.setdefault(r.get(f), []).append(v)
            between = sum(
                len(v) * (np.mean(v) - x.mean()) ** 2 for v in levels.values()
            )
            per[f].append(float(between) / total)
    return {f: float(np.mean(v)) if v else float("nan") for f, v in per.items()}


def ensemble_report(
    rows: Sequence[Row],
    coords: Sequence[str],
    metrics: Sequence[str] = ("rate_hz", "synapse_loss"),
) -> str:
    """Return a Markdown report: mean ± sd per point, and the variance table.

    Empty if the rows do not differ in any factor.

    Parameters
    ----------
    rows
        Rows of a results table (column -> value).
    coords
        The columns that name a point (e.g. ``("g", "eta")``).
    metrics
        The columns to report (default: rate, Hz, and synapse loss, a fraction);
        the first one's groups give the table's rows.

    Returns
    -------
    str
        A Markdown section (a table of mean ± sample sd per (backend, tier, point)
        and one of each factor's share of the variance), ending in a newline; or
        ``""``.
    """
    factors = factors_of(rows)
    if not factors:
        return ""
    stats = {m: point_stats(rows, coords, m) for m in metrics}
    head = ["backend", "tier", *coords, "n", *(f"{m} (mean ± sd)" for m in metrics)]
    lines = [
        f"## Ensemble over {', '.join(factors)}",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for key in sorted(stats[metrics[0]], key=repr):
        n = stats[metrics[0]][key][2]
        cells = [
            f"{s[key][0]:.4g} ± {s[key][1]:.2g}" if key in s else "–"
            for s in stats.values()
        ]
        lines.append("| " + " | ".join([*map(str, key), str(n), *cells]) + " |")
    lines += [
        "",
        "Share of the spread explained by each factor alone (one-way eta squared, "
        "mean over the points that spread; see experiments/report/ensemble.py):",
        "",
        "| factor | " + " | ".join(metrics) + " |",
        "|---|" + "---|" * len(metrics),
    ]
    table = {m: shares(rows, coords, m, factors) for m in metrics}
    for f in factors:
        lines.append(
            f"| {f} | " + " | ".join(f"{table[m][f]:.2f}" for m in metrics) + " |"
        )
    return "\n".join(lines) + "\n"
