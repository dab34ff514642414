"""``twin compare``: twin vs NEST (vs wafer) per (g, eta), as a Markdown report.

Inputs are the folders written by ``twin brunel`` and ``twin nest`` (their
``summary.csv``) and, optionally, a folder with a real wafer's ``exc.h5`` / ``inh.h5``
in the seed's layout, analysed here with the same protocol. The verdict of a point is
"agree" when the twin's mean rate is within 15 % of NEST's (the single-run version of
the emulator's statistical criterion).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from experiments.analysis import activity
from experiments.io import read_population
from twin.errors import ResultsError
from twin.files import atomic_write_text

__all__ = ["TOLERANCE", "load_summary", "load_wafer", "report"]

TOLERANCE = 0.15  # relative rate difference accepted as agreement
Point = tuple[float, float]


def load_summary(folder: Path) -> dict[Point, dict[str, float | str]]:
    """Read ``summary.csv`` of a sweep folder: (g, eta) -> row."""
    path = folder / "summary.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ResultsError(
            f"no readable summary.csv in {str(folder)!r}; run `twin brunel` or `twin "
            "nest` with --out there first"
        ) from None
    rows = {}
    for row in csv.DictReader(text.splitlines()):
        try:
            key = (float(row["g"]), float(row["eta"]))
            rows[key] = {
                k: (v if k in ("platform", "layout") else float(v))
                for k, v in row.items()
            }
        except (KeyError, ValueError) as err:
            raise ResultsError(f"{str(path)!r}: malformed row ({err})") from None
    return rows


def load_wafer(folder: Path) -> dict[Point, dict[str, float | str]]:
    """Analyse a wafer's exc.h5 + inh.h5 with the seed's protocol: (g, eta) -> row."""
    _, exc = read_population(folder / "exc.h5")
    _, inh = read_population(folder / "inh.h5")
    rows: dict[Point, dict[str, float | str]] = {}
    for e, i in zip(exc, inh, strict=False):
        trains = e.spiketrains + i.spiketrains
        total = int(e.annotations.get("population_size", len(e.spiketrains)))
        layout = "all" if len(e.spiketrains) >= total else "30"
        considered = trains if layout == "all" else e.spiketrains[:30]
        times = np.concatenate(considered) if considered else np.zeros(0)
        ids = np.concatenate([np.full(t.size, k) for k, t in enumerate(considered)])
        a = activity(
            times, ids, np.arange(len(considered)), float(e.annotations["sim_time"])
        )
        key = (float(e.annotations["g"]), float(e.annotations["eta"]))
        rows[key] = {
            "rate_hz": a.rate,
            "cv": a.cv,
            "global_cv": a.global_cv,
            "layout": layout,
        }
    return rows


def _verdict(twin: float, nest: float) -> str:
    return "agree" if abs(twin - nest) <= TOLERANCE * max(nest, 1e-9) else "differ"


def report(
    twin: dict[Point, dict[str, float | str]],
    nest: dict[Point, dict[str, float | str]],
    wafer: dict[Point, dict[str, float | str]] | None = None,
) -> str:
    """Return the Markdown report: one table row per (g, eta)."""
    header = (
        "| g | eta | layout | twin Hz | NEST Hz | twin−NEST | verdict | twin CV | "
        "NEST CV | twin gCV | NEST gCV |"
    )
    lines = ["# Twin vs NEST: the seed sweep", "", header, "|" + "---|" * 11]
    if wafer:
        lines[2] = header + " wafer Hz | wafer−twin |"
        lines[3] = "|" + "---|" * 13
    agree = 0
    for key in sorted(set(twin) & set(nest)):
        t, n = twin[key], nest[key]
        tr, nr = float(t["rate_hz"]), float(n["rate_hz"])
        verdict = _verdict(tr, nr)
        agree += verdict == "agree"
        row = (
            f"| {key[0]:g} | {key[1]:g} | {t['layout']} | {tr:.2f} | {nr:.2f} | "
            f"{100 * (tr - nr) / max(nr, 1e-9):+.1f} % | {verdict} | "
            f"{float(t['cv']):.2f} | {float(n['cv']):.2f} | "
            f"{float(t['global_cv']):.2f} | {float(n['global_cv']):.2f} |"
        )
        if wafer:
            w = wafer.get(key)
            row += (
                f" {float(w['rate_hz']):.2f} | {float(w['rate_hz']) - tr:+.2f} |"
                if w
                else " – | – |"
            )
        lines.append(row)
    n_points = len(set(twin) & set(nest))
    lines += [
        "",
        f"{agree} of {n_points} points agree "
        f"(|twin − NEST| ≤ {TOLERANCE:.0%} of NEST's rate).",
    ]
    return "\n".join(lines) + "\n"


def write_report(text: str, out: Path) -> Path:
    """Write ``report.md`` atomically."""
    return atomic_write_text(out / "report.md", text)
