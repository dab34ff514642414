"""The results table: one row per (unit, tier, point) of a sweep, as Parquet.

The per-point files (:mod:`experiments.runs.store`) hold the spikes; the table holds
what a report needs of thousands of runs in one columnar file,
``OUT/results.parquet``: the point's coordinates, seed, tier, backend, layout, the
analysed window ``t_start``/``t_stop`` (ms: the run's recording is complete from
``t_start`` on and its windowed metrics cover (t_start, t_stop]; empty for a theory
tier's row, which has no time window), the workload's
metrics, the loss counters, a ``note`` where a result has one (a theory tier's flags
and the effects it does not express), the wall time, the sweep's labels (e.g. the
wafer and mapping strategy of an ensemble member), the unit, the code that computed
the point (``code_version``, ``code_digest``: see :mod:`experiments.runs.codestamp`),
and a ``status``:

- ``done``: finished (now or in an earlier run, loaded from the store);
- ``failed``: its unit raised; ``error`` holds the exception's one-line text;
- ``missing``: planned but not run (an interrupted sweep).

A sweep writes the table atomically when it ends (also when interrupted), replacing
the rows of the runs it planned (same backend, tier, seed, labels and coordinates) and
keeping every other row written to the same folder. :func:`read_table` reads it back
and says which rows are missing.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.runs.codestamp import CodeStamp, code_columns
from experiments.runs.plan import RunUnit
from experiments.runs.result import PointResult
from experiments.runs.workload import Workload
from twin.errors import ResultsError
from twin.files import atomic_write_bytes

__all__ = [
    "STATUSES",
    "TABLE_NAME",
    "ResultsTable",
    "read_table",
    "table_rows",
    "unit_id",
    "write_table",
]

#: File name of the table in a sweep's output folder.
TABLE_NAME = "results.parquet"
#: A row's possible status.
STATUSES = ("done", "failed", "missing")
#: Columns of every row besides the workload's coordinates, metrics and losses.
FIXED = (
    "unit",
    "backend",
    "tier",
    "seed",
    "layout",
    "t_start",
    "t_stop",
    "wall",
    "status",
    "error",
)

Row = dict[str, Any]


def unit_id(unit: RunUnit) -> str:
    """Return a short fingerprint of a unit (its rows share it)."""
    return hashlib.sha256(repr(unit).encode()).hexdigest()[:12]


def _row(
    workload: Workload[Any],
    unit: RunUnit,
    tier: str,
    point: Hashable,
    result: PointResult | None,
    error: str | None,
) -> Row:
    row: Row = dict(workload.coordinates(point))
    row |= {
        "unit": unit_id(unit),
        "backend": unit.backend,
        "tier": tier,
        "seed": workload.seed(point),
        "layout": unit.layout or workload.layout(point),
        "t_start": None,
        "t_stop": None,
        "wall": None,
        "status": "missing" if error is None else "failed",
        "error": error,
    }
    row |= {c.name: None for c in workload.columns}
    if result is not None:
        row |= {"layout": result.layout, "wall": result.wall, "status": "done"}
        if result.window is not None:  # a theory row has none: empty
            row["t_start"], row["t_stop"] = result.window
        row |= {k: float(v) for k, v in result.metrics.items()}
        row |= {k: float(v) for k, v in result.losses.items()}
        if result.note:
            row["note"] = result.note
    return row


def table_rows(
    workload: Workload[Any],
    units: Sequence[RunUnit],
    results: Mapping[tuple[str, Hashable], PointResult],
    errors: Mapping[tuple[str, Hashable], str] | None = None,
    labels: Mapping[str, str] | None = None,
    codes: Mapping[tuple[str, Hashable], CodeStamp | None] | None = None,
) -> list[Row]:
    """Return one row per (unit, tier, point) of a planned sweep.

    Parameters
    ----------
    workload
        The experiment.
    units
        The sweep's plan.
    results
        Finished points by (tier name, point).
    errors
        Error text of failed points by (tier name, point).
    labels
        Columns added to every row (e.g. ``{"wafer": "defects-3"}``).
    codes
        The code that computed each finished point, by (tier name, point)
        (missing or ``None``: not recorded).
    """
    errors = errors or {}
    codes = codes or {}
    rows = []
    for unit in units:
        for point in unit.points:
            for tier in unit.names:
                key = (tier, point)
                row = _row(
                    workload, unit, tier, point, results.get(key), errors.get(key)
                )
                code = codes.get(key) if key in results else None
                rows.append({**(labels or {}), **row, **code_columns(code)})
    return rows


def _identity(row: Row, keys: Sequence[str]) -> tuple[Any, ...]:
    """Which run a row is: backend, tier, seed and the ``keys`` columns."""
    return tuple(row.get(k) for k in ("backend", "tier", "seed", *keys))


@dataclass(frozen=True, slots=True)
class ResultsTable:
    """A read results table.

    Attributes
    ----------
    rows
        Every row, as column -> value (``None`` where a row has no value).
    """

    rows: tuple[Row, ...]

    def having(self, status: str) -> list[Row]:
        """Return the rows of one status (``done``, ``failed`` or ``missing``)."""
        return [r for r in self.rows if r.get("status") == status]

    @property
    def partial(self) -> bool:
        """Whether some planned rows are not done."""
        return len(self.having("done")) < len(self.rows)

    def describe(self, coords: Sequence[str] = ()) -> str:
        """Return one line per row not done, after a count of the rows done."""
        lines = [f"{len(self.having('done'))} of {len(self.rows)} rows done"]
        for row in self.rows:
            if row.get("status") == "done":
                continue
            where = ", ".join(f"{c} = {row.get(c)}" for c in coords)
            error = f": {row['error']}" if row.get("error") else ""
            lines.append(
                f"  {row.get('status')}: {row.get('backend')} {row.get('tier')} "
                f"seed {row.get('seed')} {where}{error}"
            )
        return "\n".join(lines)


def read_table(path: Path) -> ResultsTable:
    """Read a table written by :func:`write_table`.

    Raises
    ------
    ResultsError
        If the file cannot be read as Parquet.
    """
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as err:
        raise ResultsError(
            f"{str(path)!r} is not a readable Parquet table ({err}); delete it and "
            "run the sweep again to rewrite it from the stored points"
        ) from None
    return ResultsTable(tuple(table.to_pylist()))


def write_table(path: Path, rows: Sequence[Row], keys: Sequence[str] = ()) -> Path:
    """Write ``rows`` atomically, keeping the file's rows of other runs.

    A row already in the file is replaced only by a row of the same run: the same
    backend, tier, seed and values of ``keys`` (the sweep's labels and the workload's
    coordinates); rows of other tiers, points or members stay.

    Raises
    ------
    ResultsError
        If an existing file cannot be read.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    mine = {_identity(r, keys) for r in rows}
    kept = []
    if path.exists():
        kept = [r for r in read_table(path).rows if _identity(r, keys) not in mine]
    every = [*kept, *rows]
    names = list(dict.fromkeys(k for r in every for k in r))
    table = pa.Table.from_pylist([{k: r.get(k) for k in names} for r in every])
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return atomic_write_bytes(path, buffer.getvalue())
