"""``twin compare``: twin tiers vs NEST (vs wafer) per (g, eta), as a Markdown report.

Inputs are folders written by ``twin brunel`` and ``twin nest`` (the finished rows of
their results table ``results.parquet``, else their ``summary.csv``) and, optionally,
a folder with a real wafer's ``exc.h5`` / ``inh.h5`` in the seed's layout, analysed
here with the same protocol. Over several seeds a point's value is the mean; the
verdict of a point is "agree" when the twin's ``ideal`` mean rate is within
``max(15 % of NEST's, 2 combined standard deviations over seeds)`` of NEST's — the
emulator's statistical criterion (with one seed: 15 %).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.report.io import Segment, read_population
from experiments.report.members import check_group, describe_rows
from experiments.runs.analysis import (
    TOLERANCE,
    Activity,
    activity,
    allowed_difference,
)
from twin.errors import ResultsError
from twin.files import atomic_write_text
from twin.tiers import (
    FIDELITIES,
    HARDWARE,
    IDEAL,
    MAPPED,
    ablated_effect,
    is_ablation,
)

__all__ = [
    "CHIPS_COLUMNS",
    "DEPARTURE_HZ",
    "G_CORRECTION",
    "SUMMARY_COLUMNS",
    "TOLERANCE",
    "Stat",
    "aggregate",
    "agrees",
    "corrected_g",
    "departs",
    "load_chips",
    "load_summary",
    "load_wafer",
    "partial_note",
    "report",
    "write_report",
]

#: The seed: wafer and simulation deviate above about this rate (Hz).
DEPARTURE_HZ = 50.0
#: Effective inhibition of the wafer: g_corr = a g + b. [seed plot_results]
G_CORRECTION = (0.8693828, 0.28674744)
Point = tuple[float, float]
Row = dict[str, str]


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


_KINDS: Mapping[type, str] = {float: "a number", int: "an integer", str: "text"}


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
        If the file cannot be read or is not UTF-8 text.
    """
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ResultsError(
            f"{str(path)!r} is not UTF-8 text ({err.reason} at byte {err.start}); "
            "give the CSV file written by the sweep"
        ) from None


#: Columns of ``summary.csv`` the report reads, with their types.
SUMMARY_COLUMNS: Mapping[str, type] = {
    "g": float,
    "eta": float,
    "rate_hz": float,
    "cv": float,
    "global_cv": float,
}
#: Columns of ``chips.csv`` the report reads, with their types.
CHIPS_COLUMNS: Mapping[str, type] = {
    "tier": str,
    "seed": int,
    "g": float,
    "eta": float,
    "resource": str,
    "chip": int,
    "offered": int,
    "dropped": int,
}


def _table_rows(path: Path) -> list[Row]:
    """Return the finished rows of a results table as ``summary.csv``-like rows."""
    from experiments.runs.table import read_table

    rows = []
    for r in read_table(path).having("done"):
        row = {k: "" if v is None else str(v) for k, v in r.items()}
        row["platform"] = row.get("backend") or "twin"
        rows.append(row)
    return rows


def partial_note(folder: Path) -> str:
    """Return which rows of a folder's results table are not done ("" if none).

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
    return f"{folder}: partial results, " + table.describe(("g", "eta"))


def load_summary(folder: Path) -> list[Row]:
    """Read a sweep folder's rows: its results table's finished rows, else the CSV.

    The results table is ``results.parquet``; a folder without one (or with no
    finished row in it) is read from ``summary.csv``.

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
        If the file is missing, unreadable or not UTF-8 text, is empty, lacks a
        column of :data:`SUMMARY_COLUMNS` in its header, or has a cut or malformed
        row (a last line without its newline, a row with fewer or more fields than
        the header, a value not of its column's type); the message names the file
        and the line.
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
    rows = _csv_rows(path, text, SUMMARY_COLUMNS)
    for row in rows:
        row.setdefault("tier", IDEAL)
    return rows


def load_chips(folder: Path) -> list[Row]:
    """Read ``chips.csv`` of a sweep folder (none: an empty list).

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
        If the file exists but cannot be read or is not UTF-8 text, is empty, lacks
        a column of :data:`CHIPS_COLUMNS` in its header, or has a cut or malformed
        row; the message names the file and the line.
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
    return _csv_rows(path, text, CHIPS_COLUMNS)


def _num(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else np.nan
    except ValueError:
        return np.nan


def _mean(values: list[float]) -> float:
    """Mean of the finite values (nan if there are none)."""
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def aggregate(rows: Sequence[Row]) -> dict[tuple[str, str], dict[Point, Stat]]:
    """Group rows by (platform, tier) and point; average over seeds.

    Raises
    ------
    ResultsError
        If a group's rows are not seeds of one experiment: rows of several ensemble
        members, a seed twice or different windows (:func:`members.check_group`).
    """
    groups: dict[tuple[str, str], dict[Point, list[Row]]] = {}
    for row in rows:
        key = (row.get("platform", "twin"), row["tier"])
        point = (float(row["g"]), float(row["eta"]))
        groups.setdefault(key, {}).setdefault(point, []).append(row)
    out: dict[tuple[str, str], dict[Point, Stat]] = {}
    for key, points in groups.items():
        out[key] = {}
        for point, members in points.items():
            check_group(members, f"{key[0]} {key[1]} at {_label((*point, None))}")
            rate = np.array([_num(m["rate_hz"]) for m in members])
            numeric = [k for k in members[0] if k.startswith(("dropped_", "offered_"))]
            numeric.append("synapse_loss")
            out[key][point] = Stat(
                rate=float(rate.mean()),
                rate_sd=float(rate.std(ddof=1)) if rate.size > 1 else 0.0,
                cv=_mean([_num(m["cv"]) for m in members]),
                global_cv=_mean([_num(m["global_cv"]) for m in members]),
                n=len(members),
                layout=members[0].get("layout", ""),
                extra={k: _mean([_num(m.get(k)) for m in members]) for k in numeric},
            )
    return out


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
            cv=_mean([a.cv for a, _ in members]),
            global_cv=_mean([a.global_cv for a, _ in members]),
            n=len(members),
            layout="+".join(layouts),
            extra={},
        )
    return rows


def agrees(twin: Stat, nest: Stat) -> bool:
    """Apply the statistical criterion of the module docstring.

    Parameters
    ----------
    twin, nest
        The point's statistics on the twin and on NEST (mean rate and its standard
        deviation over seeds, Hz).

    Returns
    -------
    bool
        Whether ``|twin.rate - nest.rate|`` is at most
        :func:`experiments.runs.analysis.allowed_difference`: ``max(TOLERANCE ·
        nest.rate, 2 · hypot(twin.rate_sd, nest.rate_sd))`` (TOLERANCE = 15 %).
    """
    allowed = allowed_difference(nest.rate, twin.rate_sd, nest.rate_sd)
    return abs(twin.rate - nest.rate) <= allowed


def departs(tier: Stat, ref: Stat) -> bool:
    """Return whether a tier's mean rate departs from a reference tier's.

    Departure: the means differ by more than 15 % of the reference *and* by more
    than 2 standard errors of the difference over seeds (significant). Tiers run on
    the same network realisations, so this asks whether the tier's effects move the
    ensemble mean, not whether one realisation falls outside the spread.

    Parameters
    ----------
    tier
        The tier's statistics at a point (mean rate, its standard deviation over
        ``n`` seeds, Hz).
    ref
        The reference tier's statistics at the same point.

    Returns
    -------
    bool
        Whether ``|tier.rate - ref.rate|`` exceeds both ``TOLERANCE · ref.rate``
        (15 %) and ``2 · hypot(tier.rate_sd / sqrt(tier.n), ref.rate_sd /
        sqrt(ref.n))``.
    """
    se = float(np.hypot(tier.rate_sd / np.sqrt(tier.n), ref.rate_sd / np.sqrt(ref.n)))
    diff = abs(tier.rate - ref.rate)
    return diff > TOLERANCE * ref.rate and diff > 2 * se


def _relative(rate: float, ref: float) -> str:
    """Format ``rate`` relative to ``ref`` as a signed percentage."""
    return f"{100 * (rate - ref) / max(ref, 1e-9):+.1f} %"


def _pm(s: Stat) -> str:
    return f"{s.rate:.2f}" + (f" ± {s.rate_sd:.2f}" if s.n > 1 else "")


def _ideal_table(twin: dict[Point, Stat], nest: dict[Point, Stat]) -> list[str]:
    lines = [
        "| g | eta | layout | twin Hz | NEST Hz | twin−NEST | verdict | twin CV | "
        "NEST CV | twin gCV | NEST gCV |",
        "|" + "---|" * 11,
    ]
    agree = 0
    common = sorted(set(twin) & set(nest))
    for p in common:
        t, n = twin[p], nest[p]
        ok = agrees(t, n)
        agree += ok
        lines.append(
            f"| {p[0]:g} | {p[1]:g} | {t.layout} | {_pm(t)} | {_pm(n)} | "
            f"{_relative(t.rate, n.rate)} | "
            f"{'agree' if ok else 'differ'} | {t.cv:.2f} | {n.cv:.2f} | "
            f"{t.global_cv:.2f} | {n.global_cv:.2f} |"
        )
    seeds = min((twin[p].n for p in common), default=0)
    lines += [
        "",
        f"{agree} of {len(common)} points agree (|twin − NEST| ≤ "
        f"max({TOLERANCE:.0%} of NEST's rate, 2 sd over {seeds} seed(s))).",
    ]
    return lines


def _tier_table(tiers: Mapping[str, dict[Point, Stat]]) -> list[str]:
    names = [t for t in FIDELITIES if t in tiers]
    points = sorted(set().union(*(tiers[t] for t in names)))
    head = "| g | eta | " + " | ".join(f"{t} Hz" for t in names)
    lines = [
        head + " | hardware vs mapped | verdict | hardware vs ideal | synapses lost |",
        "|" + "---|" * (len(names) + 6),
    ]
    below, above = [0, 0], [0, 0]  # [agree, points]
    for p in points:
        cells = [_pm(tiers[t][p]) if p in tiers[t] else "–" for t in names]
        rel, verdict, rel_ideal, lost = "–", "–", "–", "–"
        if p in tiers.get(HARDWARE, {}) and p in tiers.get(IDEAL, {}):
            rel_ideal = _relative(tiers[HARDWARE][p].rate, tiers[IDEAL][p].rate)
        if p in tiers.get(HARDWARE, {}) and p in tiers.get(MAPPED, {}):
            h, m = tiers[HARDWARE][p], tiers[MAPPED][p]
            rel = _relative(h.rate, m.rate)
            ok = not departs(h, m)
            verdict = "agree" if ok else "depart"
            tally = below if m.rate < DEPARTURE_HZ else above
            tally[0] += ok
            tally[1] += 1
        if p in tiers.get(MAPPED, {}):
            lost = f"{100 * tiers['mapped'][p].extra.get('synapse_loss', 0):.1f} %"
        lines.append(
            f"| {p[0]:g} | {p[1]:g} | "
            + " | ".join(cells)
            + f" | {rel} | {verdict} | {rel_ideal} | {lost} |"
        )
    if below[1] + above[1]:
        lines += [
            "",
            "Hardware vs mapped: *depart* = the means differ by more than "
            f"{TOLERANCE:.0%} and by more than 2 standard errors over seeds. Mapped "
            "rate below "
            f"{DEPARTURE_HZ:g} Hz: {below[0]} of {below[1]} points agree; at or above "
            f"it: {above[1] - above[0]} of {above[1]} points depart.",
        ]
    return lines


def _drop_table(hw: dict[Point, Stat]) -> list[str]:
    res = (
        "recording_per_hicann",
        "priority_encoder",
        "dnc_merger",
        "input_per_hicann",
        "input_per_fpga",
    )
    lines = [
        "| g | eta | layout | "
        + " | ".join(f"{r} dropped / offered" for r in res)
        + " |",
        "|" + "---|" * (len(res) + 3),
    ]
    for p, s in sorted(hw.items()):
        cells = []
        for r in res:
            off, drop = (
                s.extra.get(f"offered_{r}", np.nan),
                s.extra.get(f"dropped_{r}", np.nan),
            )
            cells.append(
                "–"
                if not np.isfinite(off)
                else f"{drop:.0f} / {off:.0f} ({100 * drop / max(off, 1):.1f} %)"
            )
        lines.append(
            f"| {p[0]:g} | {p[1]:g} | {s.layout} | " + " | ".join(cells) + " |"
        )
    return lines


def _chip_table(chips: Sequence[Row]) -> list[str]:
    """Tabulate the hardware tier's recording per chip: emitted vs recorded."""
    rows = [
        r for r in chips
        if r["tier"] == HARDWARE and r["resource"] == "recording_per_hicann"
    ]  # fmt: skip
    by_point: dict[Point, list[Row]] = {}
    for r in rows:
        by_point.setdefault((float(r["g"]), float(r["eta"])), []).append(r)
    lines = [
        "| g | eta | chips recorded | chips losing spikes | emitted | recorded | "
        "worst chip: emitted → recorded |",
        "|" + "---|" * 7,
    ]
    for p, members in sorted(by_point.items()):
        seeds = len({r["seed"] for r in members})
        offered = sum(int(r["offered"]) for r in members)
        dropped = sum(int(r["dropped"]) for r in members)
        losing = sum(int(r["dropped"]) > 0 for r in members)
        worst = max(
            members, key=lambda r: int(r["dropped"]) / max(int(r["offered"]), 1)
        )
        kept = int(worst["offered"]) - int(worst["dropped"])
        where = (
            f"chip {worst['chip']} (seed {worst['seed']}): {worst['offered']} → {kept}"
            if losing
            else "none loses"
        )
        lines.append(
            f"| {p[0]:g} | {p[1]:g} | {len(members) / seeds:.1f} | "
            f"{losing / seeds:.1f} | {offered / seeds:.0f} | "
            f"{(offered - dropped) / seeds:.0f} | {where} |"
        )
    return lines


def _ablation_table(tiers: Mapping[str, dict[Point, Stat]]) -> list[str]:
    effects = sorted(e for e in map(ablated_effect, tiers) if e is not None)
    hw = tiers[HARDWARE]
    lines = [
        "| g | eta | hardware Hz | "
        + " | ".join(f"Δ {e}" for e in effects)
        + " | largest |",
        "|" + "---|" * (len(effects) + 4),
    ]
    for p in sorted(hw):
        deltas = {}
        for e in effects:
            other = tiers[f"hardware-no-{e}"].get(p)
            if other is not None:
                deltas[e] = hw[p].rate - other.rate
        cells = [f"{deltas[e]:+.2f}" if e in deltas else "–" for e in effects]
        top = max(deltas, key=lambda e: abs(deltas[e]), default="–")
        lines.append(
            f"| {p[0]:g} | {p[1]:g} | {hw[p].rate:.2f} | "
            + " | ".join(cells)
            + f" | {top} |"
        )
    return lines


def _wafer_table(
    wafer: dict[Point, Stat], ref: dict[Point, Stat], ref_name: str, g_correction: bool
) -> list[str]:
    lines = [
        f"| g | g_corr | eta | wafer Hz | {ref_name} Hz | wafer − {ref_name} | "
        "wafer CV | wafer gCV |",
        "|" + "---|" * 8,
    ]
    for p, w in sorted(wafer.items()):
        gc = f"{corrected_g(p[0]):.3g}" if g_correction else "–"
        r = ref.get(p)
        lines.append(
            f"| {p[0]:g} | {gc} | {p[1]:g} | {w.rate:.2f} | "
            f"{'–' if r is None else f'{r.rate:.2f}'} | "
            f"{'–' if r is None else f'{w.rate - r.rate:+.2f} Hz'} | {w.cv:.2f} | "
            f"{w.global_cv:.2f} |"
        )
    return lines


def report(
    twin: Sequence[Row],
    nest: Sequence[Row],
    wafer: dict[Point, Stat] | None = None,
    *,
    figures: Sequence[str] = (),
    g_correction: bool = False,
    chips: Sequence[Row] = (),
    member: str = "",
) -> str:
    """Return the Markdown report (tables per (g, eta); ``figures`` embedded).

    ``chips``: rows of ``chips.csv`` (per-chip counts of the hardware tier);
    ``member``: the ensemble member the rows are of (title). The report opens with
    the runs it is made of (:func:`members.describe_rows`).

    Raises
    ------
    ResultsError
        If rows of one platform, tier and point are not seeds of one experiment
        (:func:`aggregate`).
    """
    t_groups = {tier: v for (_, tier), v in aggregate(twin).items()}
    n_groups = {tier: v for (_, tier), v in aggregate(nest).items()}
    title = "# The seed sweep: twin vs NEST" + (" vs wafer" if wafer else "")
    lines = [title + (f": {member}" if member else ""), ""]
    lines += [f"Runs of {describe_rows(side, rows)}." for side, rows in
              (("twin", twin), ("NEST", nest)) if rows] + [""]  # fmt: skip
    if IDEAL in t_groups and IDEAL in n_groups:
        lines += ["## Twin `ideal` tier vs NEST", ""]
        lines += _ideal_table(t_groups[IDEAL], n_groups[IDEAL])
    if MAPPED in n_groups and MAPPED in t_groups:
        lines += ["", "## Twin `mapped` tier vs NEST on the same mapped network", ""]
        lines += _ideal_table(t_groups[MAPPED], n_groups[MAPPED])
    if len({MAPPED, HARDWARE} & set(t_groups)):
        lines += ["", "## Tiers (twin): ideal, mapped, hardware", ""]
        lines += _tier_table(t_groups)
    if HARDWARE in t_groups:
        lines += [
            "",
            "## Hardware tier: events dropped by rate limits",
            "",
            "Priority encoders and DNC mergers: whole run, inside the emulation "
            "(dropped spikes reach no synapse); recording and input links: the "
            "analysis window.",
            "",
            *_drop_table(t_groups[HARDWARE]),
        ]
    if chips and any(r["resource"] == "recording_per_hicann" for r in chips):
        lines += [
            "",
            "## Hardware tier: recording per chip (analysis window, mean over seeds)",
            "",
            *_chip_table(chips),
        ]
    if any(is_ablation(t) for t in t_groups):
        lines += [
            "",
            "## Ablation: hardware rate minus the rate with one effect off (Hz)",
            "",
            *_ablation_table(t_groups),
        ]
    if wafer:
        ref_name = HARDWARE if HARDWARE in t_groups else IDEAL
        lines += ["", f"## Wafer vs twin `{ref_name}`", ""]
        lines += _wafer_table(wafer, t_groups.get(ref_name, {}), ref_name, g_correction)
    if figures:
        lines += ["", "## Figures", ""] + [f"![{f}]({f})" for f in figures]
    return "\n".join(lines) + "\n"


def write_report(text: str, out: Path) -> Path:
    """Write ``report.md`` atomically.

    Parameters
    ----------
    text
        The report, Markdown (:func:`report`).
    out
        The output folder (created if missing).

    Returns
    -------
    pathlib.Path
        ``out / "report.md"``.

    Raises
    ------
    OSError
        If the folder or the file cannot be written (an existing report is then
        left as it was; :func:`twin.files.atomic_write_text`).
    """
    return atomic_write_text(out / "report.md", text)
