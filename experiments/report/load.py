"""A results folder's rows read back: ``results.parquet``, ``summary.csv``, chips.

Any workload's sweep folder holds the same files (:mod:`experiments.report.summary`):
the finished rows of its results table ``results.parquet``, else its ``summary.csv``,
and, for the hardware tier, ``chips.csv``. Rows come back as column -> text mappings,
checked against the columns a report needs (:func:`required_columns`), so a cut or
malformed file is refused with the file and the line named.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from twin.errors import ResultsError
from twin.tiers import IDEAL

__all__ = [
    "CHIP_TYPES",
    "Row",
    "folder_columns",
    "load_chips",
    "load_summary",
    "partial_note",
    "required_columns",
]

Row = dict[str, str]
#: Columns of ``chips.csv`` besides the coordinates a report reads, with their types.
CHIP_TYPES: Mapping[str, type] = {
    "tier": str,
    "seed": int,
    "resource": str,
    "chip": int,
    "offered": int,
    "dropped": int,
}

_KINDS: Mapping[type, str] = {float: "a number", int: "an integer", str: "text"}


def required_columns(
    coords: Sequence[str], metrics: Sequence[str] = ()
) -> dict[str, type]:
    """Return the columns a report reads, each with its type: numbers.

    Parameters
    ----------
    coords
        The workload's coordinates (e.g. ``("g", "eta")``).
    metrics
        The metric columns the report needs.

    Returns
    -------
    dict of str to type
        Column -> ``float``, coordinates first.

    Examples
    --------
    >>> required_columns(("g", "eta"), ("rate_hz",))
    {'g': <class 'float'>, 'eta': <class 'float'>, 'rate_hz': <class 'float'>}
    """
    return dict.fromkeys((*coords, *metrics), float)


def _csv_rows(path: Path, text: str, columns: Mapping[str, type]) -> list[Row]:
    """Parse CSV text: a header naming ``columns``, then rows of the header's length.

    Parameters
    ----------
    path
        The file the text came from (for messages).
    text
        The file's content.
    columns
        Column name -> type every row's value must convert to (``float``, ``int``
        or ``str``); other columns are kept as text, unchecked.

    Returns
    -------
    list of dict
        One column name -> text mapping per row (blank lines skipped).

    Raises
    ------
    ResultsError
        If the text does not end with a newline (its last line was cut), has no
        header or a header without one of ``columns``, or a row has a different
        number of fields than the header or a value not of its column's type; the
        message names the file and the line.
    """
    where = str(path)
    if not text.strip():
        raise ResultsError(
            f"{where!r} is empty (no header line); re-run the sweep that writes it"
        )
    if not text.endswith(("\n", "\r")):
        raise ResultsError(
            f"{where!r}, line {len(text.splitlines())}: the last line does not end "
            "with a newline, so it was cut while the file was written; re-run the "
            "sweep or restore the file"
        )
    reader = csv.reader(text.splitlines())
    header = next(reader)
    missing = [c for c in columns if c not in header]
    if missing:
        raise ResultsError(
            f"{where!r}, line 1: the header lacks column(s) {missing} (header: "
            f"{','.join(header)!r}); give a file written by `twin brunel` or "
            "`twin nest`"
        )
    rows = []
    for fields in reader:
        line = reader.line_num
        if not fields:
            continue
        if len(fields) != len(header):
            raise ResultsError(
                f"{where!r}, line {line}: {len(fields)} field(s) but the header has "
                f"{len(header)}; the row is cut or malformed, re-run the sweep or "
                "restore the file"
            )
        row = dict(zip(header, fields, strict=True))
        for column, kind in columns.items():
            try:
                kind(row[column])
            except ValueError:
                raise ResultsError(
                    f"{where!r}, line {line}: {column} = {row[column]!r} is not "
                    f"{_KINDS.get(kind, kind.__name__)}; re-run the sweep or restore "
                    "the file"
                ) from None
        rows.append(row)
    return rows


def _read_text(path: Path) -> str:
    """Return a results file's text.

    Raises
    ------
    ResultsError
        If the file is not UTF-8 text.
    OSError
        If the file cannot be read.
    """
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ResultsError(
            f"{str(path)!r} is not UTF-8 text ({err.reason} at byte {err.start}); "
            "give the CSV file written by the sweep"
        ) from None


def _table_rows(path: Path) -> list[Row]:
    """Return the finished rows of a results table as ``summary.csv``-like rows."""
    from experiments.runs.table import read_table

    rows = []
    for r in read_table(path).having("done"):
        row = {k: "" if v is None else str(v) for k, v in r.items()}
        row["platform"] = row.get("backend") or "twin"
        rows.append(row)
    return rows


def partial_note(folder: Path, coords: Sequence[str] = ("g", "eta")) -> str:
    """Return which rows of a folder's results table are not done ("" if none).

    Parameters
    ----------
    folder
        A sweep's output folder.
    coords
        The coordinates that name the rows not done in the note.

    Returns
    -------
    str
        ``"<folder>: partial results, ..."`` naming the rows not done, or ``""``
        when the folder has no results table or every row is done.

    Raises
    ------
    ResultsError
        If the table exists but cannot be read.
    """
    from experiments.runs.table import TABLE_NAME, read_table

    path = folder / TABLE_NAME
    if not path.exists():
        return ""
    table = read_table(path)
    if not table.partial:
        return ""
    return f"{folder}: partial results, " + table.describe(tuple(coords))


def folder_columns(folder: Path) -> set[str]:
    """Return the columns of a folder's rows (empty if it has none to read).

    Parameters
    ----------
    folder
        A sweep's output folder.

    Returns
    -------
    set of str
        The columns of its results table's finished rows, else the header of its
        ``summary.csv``; empty where neither can be read (:func:`load_summary`
        then says why).
    """
    from experiments.runs.table import TABLE_NAME

    if (folder / TABLE_NAME).exists():
        found = _table_rows(folder / TABLE_NAME)
        if found:
            return set(found[0])
    try:
        first = _read_text(folder / "summary.csv").splitlines()[:1]
    except (OSError, ResultsError):
        return set()
    return set(next(csv.reader(first), []))


def load_summary(folder: Path, columns: Mapping[str, type]) -> list[Row]:
    """Read a sweep folder's rows: its results table's finished rows, else the CSV.

    The results table is ``results.parquet``; a folder without one (or with no
    finished row in it) is read from ``summary.csv``.

    Parameters
    ----------
    folder
        A folder written by a workload's sweep (``twin brunel``, ``twin nest``,
        ``twin microcircuit``).
    columns
        The columns ``summary.csv`` must have, each with the type of its values
        (:func:`required_columns`).

    Returns
    -------
    list of dict
        One column -> text mapping per row; ``tier`` defaults to ``"ideal"``.

    Raises
    ------
    ResultsError
        If the file is missing, unreadable or not UTF-8 text, is empty, lacks a
        column of ``columns`` in its header, or has a cut or malformed row (a last
        line without its newline, a row with fewer or more fields than the header,
        a value not of its column's type); the message names the file and the line.
    """
    from experiments.runs.table import TABLE_NAME

    if (folder / TABLE_NAME).exists():
        found = _table_rows(folder / TABLE_NAME)
        if found:
            return found
    path = folder / "summary.csv"
    try:
        text = _read_text(path)
    except OSError:
        raise ResultsError(
            f"no readable summary.csv in {str(folder)!r}; run `twin brunel` or `twin "
            "nest` with --out there first"
        ) from None
    rows = _csv_rows(path, text, columns)
    for row in rows:
        row.setdefault("tier", IDEAL)
    return rows


def load_chips(folder: Path, coords: Sequence[str]) -> list[Row]:
    """Read ``chips.csv`` of a sweep folder (none: an empty list).

    Parameters
    ----------
    folder
        A folder written by a sweep with the hardware tier.
    coords
        The workload's coordinates, columns of the file (numbers).

    Returns
    -------
    list of dict
        One column -> text mapping per row.

    Raises
    ------
    ResultsError
        If the file exists but cannot be read or is not UTF-8 text, is empty, lacks
        a coordinate or a column of :data:`CHIP_TYPES` in its header, or has a cut
        or malformed row; the message names the file and the line.
    """
    path = folder / "chips.csv"
    if not path.exists():
        return []
    try:
        text = _read_text(path)
    except OSError as err:
        raise ResultsError(
            f"cannot read {str(path)!r} ({err.strerror}); check its permissions"
        ) from None
    types = dict(CHIP_TYPES)
    columns = {k: types.pop(k) for k in ("tier", "seed")}
    columns |= required_columns(coords) | types
    return _csv_rows(path, text, columns)
