"""Ensemble members in result rows: which rows are one member, and never pooling two.

An ensemble sweep (``twin brunel --strategy enum,spiral``, ``--synthetic-defects
0,1,2``, ...) writes one row per member, tier, seed and point; the member is named
by its labels (:data:`MEMBER_LABELS`: the defect map, the fixed-pattern wafer seed,
the mapping strategy and the router). Rows of different members are different
experiments, not seeds of one: a point's statistics over seeds are taken within one
member (:func:`split_members`), and :func:`check_group` refuses a group of rows that
mixes members, repeats a seed (the same run given twice, e.g. from two folders),
mixes analysis windows or recording layouts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from experiments.report.ensemble import FACTORS
from twin.errors import ResultsError
from twin.tiers import IDEAL

__all__ = [
    "MEMBER_LABELS",
    "MemberKey",
    "check_group",
    "describe_rows",
    "member_key",
    "member_slug",
    "member_text",
    "nest_partner",
    "split_members",
    "varying",
]

#: Columns that name an ensemble member (every factor of an ensemble but the seed).
MEMBER_LABELS = tuple(f for f in FACTORS if f != "seed")
#: Columns that state the analysed window of a row, ms.
WINDOW = ("t_start", "t_stop")

#: A member: its (label, value) pairs in :data:`MEMBER_LABELS` order.
MemberKey = tuple[tuple[str, str], ...]
Row = Mapping[str, Any]
R = TypeVar("R", bound=Mapping[str, Any])


def _given(value: Any) -> bool:
    return value is not None and str(value) != ""


def member_key(row: Row) -> MemberKey:
    """Return the member a row belongs to: its labels that have a value.

    Parameters
    ----------
    row
        A result row (column -> value).

    Returns
    -------
    MemberKey
        Its (label, value) pairs of :data:`MEMBER_LABELS` with a value, in order.

    Examples
    --------
    >>> member_key({"strategy": "enum", "router": "", "g": 8.0})
    (('strategy', 'enum'),)
    """
    return tuple((k, str(row[k])) for k in MEMBER_LABELS if _given(row.get(k)))


def split_members(rows: Iterable[R]) -> dict[MemberKey, list[R]]:
    """Group rows by member (:func:`member_key`), members in order of appearance.

    Parameters
    ----------
    rows
        Result rows (column -> value).

    Returns
    -------
    dict
        Member key -> its rows, in the order given.
    """
    out: dict[MemberKey, list[R]] = {}
    for row in rows:
        out.setdefault(member_key(row), []).append(row)
    return out


def varying(keys: Sequence[MemberKey]) -> list[str]:
    """Return the labels whose value differs between the members ``keys``.

    A label a member does not have counts as the value ``""``.

    Parameters
    ----------
    keys
        Member keys (:func:`member_key`).

    Returns
    -------
    list of str
        The labels of :data:`MEMBER_LABELS` that take more than one value, in that
        order.
    """
    values: dict[str, set[str]] = {}
    for key in keys:
        for label in MEMBER_LABELS:
            values.setdefault(label, set()).add(dict(key).get(label, ""))
    return [label for label in MEMBER_LABELS if len(values.get(label, ())) > 1]


def member_text(key: MemberKey, labels: Sequence[str] | None = None) -> str:
    """Return a member's labels as text (``labels``: only these, if given).

    Parameters
    ----------
    key
        The member (:func:`member_key`).
    labels
        The labels to name (``None``: all).

    Returns
    -------
    str
        ``label = value, ...``, or ``"no member labels"``.

    Examples
    --------
    >>> member_text((("wafer", "perfect"), ("strategy", "enum")), ["strategy"])
    'strategy = enum'
    >>> member_text(())
    'no member labels'
    """
    pairs = [(k, v) for k, v in key if labels is None or k in labels]
    return ", ".join(f"{k} = {v}" for k, v in pairs) or "no member labels"


def member_slug(key: MemberKey, labels: Sequence[str] | None = None) -> str:
    """Return a file-name part naming a member (``labels``: only these).

    Parameters
    ----------
    key
        The member (:func:`member_key`).
    labels
        The labels to name (``None``: all).

    Returns
    -------
    str
        ``label-value_...`` with characters other than letters, digits, ``-``,
        ``_`` and ``.`` replaced by ``-`` (``"member"`` for none).

    Examples
    --------
    >>> member_slug((("wafer", "defects-3"), ("strategy", "enum")))
    'wafer-defects-3_strategy-enum'
    """
    pairs = [(k, v) for k, v in key if labels is None or k in labels]
    text = "_".join(f"{k}-{v}" for k, v in pairs) or "member"
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def nest_partner(
    key: MemberKey, nest: Mapping[MemberKey, Sequence[R]]
) -> tuple[list[R], str]:
    """Return the NEST rows a twin member is compared with, and a note ("" if none).

    The NEST member with the same labels; failing that, the ``ideal`` rows of the
    only NEST member (the ideal tier's network depends on no member label); else
    nothing, with a note that says why.

    Parameters
    ----------
    key
        The twin member (:func:`member_key`).
    nest
        The NEST rows by member (:func:`split_members`).

    Returns
    -------
    rows, note
        The NEST rows to compare with (possibly none) and a one-sentence note for
        the report: empty for the same member or no NEST rows at all; else it says
        that only the ``ideal`` tier of another member is compared, or why nothing
        is.
    """
    if key in nest:
        return list(nest[key]), ""
    if len(nest) == 1:
        ((other, rows),) = nest.items()
        ideal = [r for r in rows if r.get("tier") == IDEAL]
        note = (
            f"NEST rows are of another member ({member_text(other)}): only its "
            "`ideal` tier, which no member label changes, is compared."
        )
        return ideal, note
    if not nest:
        return [], ""
    names = "; ".join(member_text(k) for k in nest)
    return [], (
        f"no NEST member has this member's labels (NEST holds: {names}); run "
        "`twin nest` with the same wafer options to compare it"
    )


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def check_group(rows: Sequence[Row], where: str) -> None:
    """Refuse to take statistics over rows that are not seeds of one experiment.

    Parameters
    ----------
    rows
        The rows of one platform, tier and point.
    where
        What the rows are, for messages (e.g. ``"twin ideal at g = 8, eta = 2"``).

    Raises
    ------
    ResultsError
        If the rows belong to different ensemble members, hold one seed twice (the
        same run given twice, e.g. in two folders), state different analysed
        windows (``t_start``/``t_stop``) or were recorded with different layouts.
    """
    members = list(dict.fromkeys(member_key(r) for r in rows))
    if len(members) > 1:
        names = "; ".join(member_text(k, varying(members)) for k in members)
        raise ResultsError(
            f"rows of {where} come from {len(members)} ensemble members ({names}); "
            "they are different experiments, not seeds: split them by member "
            "(experiments.report.members.split_members; `twin compare` reports each "
            "member on its own)"
        )
    seen: dict[str, Row] = {}
    for row in rows:
        seed = str(row.get("seed", ""))
        if seed and seed in seen:
            folders = {str(r.get("folder", "?")) for r in (seen[seed], row)}
            raise ResultsError(
                f"{where}: seed {seed} appears twice (in {', '.join(sorted(folders))});"
                " the same run was given twice: give each run's folder once"
            )
        seen[seed] = row
    layouts = sorted({str(r["layout"]) for r in rows if _given(r.get("layout"))})
    if len(layouts) > 1:
        raise ResultsError(
            f"rows of {where} were recorded with different layouts "
            f"({', '.join(layouts)}): they analyse different neurons; compare runs "
            "of one layout, one folder per layout"
        )
    for column in WINDOW:
        values = {_float(r[column]) for r in rows if _given(r.get(column))}
        if len(values) > 1:
            raise ResultsError(
                f"rows of {where} are analysed over different windows ({column} = "
                f"{', '.join(f'{v:g}' for v in sorted(values))} ms); compare runs "
                "of one length, one folder per length"
            )


def describe_rows(
    platform: str, rows: Sequence[Row], coords: Sequence[str] = ("g", "eta")
) -> str:
    """Say which runs ``rows`` are: tiers, seeds per point, windows, folders.

    Parameters
    ----------
    platform
        The side the rows are of (``"twin"``, ``"NEST"``).
    rows
        Result rows (column -> value).
    coords
        The workload's coordinates: a point is a tier and their values.

    Returns
    -------
    str
        ``"<platform>: <n> row(s); tiers ...; <k> seed(s) per point (...)"``, then
        the analysed windows and the folders where the rows state them.

    Examples
    --------
    >>> describe_rows("twin", [{"tier": "ideal", "seed": "1", "g": "8", "eta": "2"}])
    'twin: 1 row(s); tiers ideal; 1 seed(s) per point (1)'
    """
    if not rows:
        return f"{platform}: no rows"
    tiers = ", ".join(dict.fromkeys(str(r.get("tier")) for r in rows))
    seeds = sorted({str(r.get("seed", "")) for r in rows}, key=_float)
    per_point: dict[tuple[str, ...], set[str]] = {}
    for r in rows:
        point = (str(r.get("tier")), *(str(r.get(c)) for c in coords))
        per_point.setdefault(point, set()).add(str(r.get("seed", "")))
    counts = sorted({len(v) for v in per_point.values()})
    n = str(counts[0]) if counts[0] == counts[-1] else f"{counts[0]} to {counts[-1]}"
    parts = [
        f"{platform}: {len(rows)} row(s)",
        f"tiers {tiers}",
        f"{n} seed(s) per point ({', '.join(seeds)})",
    ]
    windows = sorted(
        {
            (_float(r.get("t_start")), _float(r.get("t_stop")))
            for r in rows
            if _given(r.get("t_stop"))
        }
    )
    if windows:
        parts.append("window " + "; ".join(f"({a:g}, {b:g}] ms" for a, b in windows))
    folders = list(dict.fromkeys(str(r["folder"]) for r in rows if "folder" in r))
    if folders:
        parts.append(f"from {', '.join(folders)}")
    return "; ".join(parts)
