"""``twin compare``: twin tiers vs NEST (vs wafer) per (g, eta), as a Markdown report.

Inputs are folders written by ``twin brunel`` and ``twin nest`` (their ``summary.csv``)
and, optionally, a folder with a real wafer's ``exc.h5`` / ``inh.h5`` in the seed's
layout, analysed here with the same protocol. Over several seeds a point's value is the
mean; the verdict of a point is "agree" when the twin's ``ideal`` mean rate is within
``max(15 % of NEST's, 2 combined standard deviations over seeds)`` of NEST's — the
emulator's statistical criterion (with one seed: 15 %).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.analysis import activity
from experiments.io import read_population
from twin.errors import ResultsError
from twin.files import atomic_write_text

__all__ = [
    "DEPARTURE_HZ",
    "G_CORRECTION",
    "TOLERANCE",
    "Stat",
    "aggregate",
    "agrees",
    "corrected_g",
    "departs",
    "load_chips",
    "load_summary",
    "load_wafer",
    "report",
    "write_report",
]

TOLERANCE = 0.15  # relative rate difference accepted as agreement
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
        """Return the values the heat maps show."""
        return {
            "rate": self.rate,
            "rate_sd": self.rate_sd,
            "cv": self.cv,
            "global_cv": self.global_cv,
        }


def corrected_g(g: float) -> float:
    """Return the wafer's effective g for a nominal g (the seed's correction)."""
    return G_CORRECTION[0] * g + G_CORRECTION[1]


def _csv_rows(path: Path, text: str, numbers: dict[str, type]) -> list[Row]:
    """Parse CSV text; every row must hold the ``numbers`` columns as their type."""
    rows = list(csv.DictReader(text.splitlines()))
    for row in rows:
        try:
            for column, kind in numbers.items():
                kind(row[column])
        except (KeyError, ValueError, TypeError) as err:
            raise ResultsError(f"{str(path)!r}: malformed row ({err!r})") from None
    return rows


def load_summary(folder: Path) -> list[Row]:
    """Read the rows of ``summary.csv`` of a sweep folder."""
    path = folder / "summary.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ResultsError(
            f"no readable summary.csv in {str(folder)!r}; run `twin brunel` or `twin "
            "nest` with --out there first"
        ) from None
    rows = _csv_rows(path, text, {"g": float, "eta": float, "rate_hz": float})
    for row in rows:
        row.setdefault("tier", "ideal")
    return rows


def load_chips(folder: Path) -> list[Row]:
    """Read ``chips.csv`` of a sweep folder (none: an empty list)."""
    path = folder / "chips.csv"
    if not path.exists():
        return []
    numbers = {"g": float, "eta": float, "offered": int, "dropped": int}
    return _csv_rows(path, path.read_text(encoding="utf-8"), numbers)


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
    """Group rows by (platform, tier) and point; average over seeds."""
    groups: dict[tuple[str, str], dict[Point, list[Row]]] = {}
    for row in rows:
        key = (row.get("platform", "twin"), row["tier"])
        point = (float(row["g"]), float(row["eta"]))
        groups.setdefault(key, {}).setdefault(point, []).append(row)
    out: dict[tuple[str, str], dict[Point, Stat]] = {}
    for key, points in groups.items():
        out[key] = {}
        for point, members in points.items():
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


def load_wafer(folder: Path) -> dict[Point, Stat]:
    """Analyse a wafer's exc.h5 + inh.h5 with the seed's protocol."""
    _, exc = read_population(folder / "exc.h5")
    _, inh = read_population(folder / "inh.h5")
    rows: dict[Point, Stat] = {}
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
        rows[key] = Stat(a.rate, 0.0, a.cv, a.global_cv, 1, layout, {})
    return rows


def agrees(twin: Stat, nest: Stat) -> bool:
    """Apply the statistical criterion of the module docstring."""
    spread = 2 * float(np.hypot(twin.rate_sd, nest.rate_sd))
    return abs(twin.rate - nest.rate) <= max(TOLERANCE * nest.rate, spread)


def departs(tier: Stat, ref: Stat) -> bool:
    """Return whether a tier's mean rate departs from a reference tier's.

    Departure: the means differ by more than 15 % of the reference *and* by more
    than 2 standard errors of the difference over seeds (significant). Tiers run on
    the same network realisations, so this asks whether the tier's effects move the
    ensemble mean, not whether one realisation falls outside the spread.
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
    names = [t for t in ("ideal", "mapped", "hardware") if t in tiers]
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
        if p in tiers.get("hardware", {}) and p in tiers.get("ideal", {}):
            rel_ideal = _relative(tiers["hardware"][p].rate, tiers["ideal"][p].rate)
        if p in tiers.get("hardware", {}) and p in tiers.get("mapped", {}):
            h, m = tiers["hardware"][p], tiers["mapped"][p]
            rel = _relative(h.rate, m.rate)
            ok = not departs(h, m)
            verdict = "agree" if ok else "depart"
            tally = below if m.rate < DEPARTURE_HZ else above
            tally[0] += ok
            tally[1] += 1
        if p in tiers.get("mapped", {}):
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
        if r["tier"] == "hardware" and r["resource"] == "recording_per_hicann"
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
    effects = sorted(
        t[len("hardware-no-") :] for t in tiers if t.startswith("hardware-no-")
    )
    hw = tiers["hardware"]
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
) -> str:
    """Return the Markdown report (tables per (g, eta); ``figures`` embedded).

    ``chips``: rows of ``chips.csv`` (per-chip counts of the hardware tier).
    """
    t_groups = {tier: v for (_, tier), v in aggregate(twin).items()}
    n_groups = {tier: v for (_, tier), v in aggregate(nest).items()}
    lines = ["# The seed sweep: twin vs NEST" + (" vs wafer" if wafer else ""), ""]
    if "ideal" in t_groups and "ideal" in n_groups:
        lines += ["## Twin `ideal` tier vs NEST", ""]
        lines += _ideal_table(t_groups["ideal"], n_groups["ideal"])
    if "mapped" in n_groups and "mapped" in t_groups:
        lines += ["", "## Twin `mapped` tier vs NEST on the same mapped network", ""]
        lines += _ideal_table(t_groups["mapped"], n_groups["mapped"])
    if len({"mapped", "hardware"} & set(t_groups)):
        lines += ["", "## Tiers (twin): ideal, mapped, hardware", ""]
        lines += _tier_table(t_groups)
    if "hardware" in t_groups:
        lines += [
            "",
            "## Hardware tier: events dropped by rate limits",
            "",
            "Priority encoders and DNC mergers: whole run, inside the emulation "
            "(dropped spikes reach no synapse); recording and input links: the "
            "analysis window.",
            "",
            *_drop_table(t_groups["hardware"]),
        ]
    if chips and any(r["resource"] == "recording_per_hicann" for r in chips):
        lines += [
            "",
            "## Hardware tier: recording per chip (analysis window, mean over seeds)",
            "",
            *_chip_table(chips),
        ]
    if any(t.startswith("hardware-no-") for t in t_groups):
        lines += [
            "",
            "## Ablation: hardware rate minus the rate with one effect off (Hz)",
            "",
            *_ablation_table(t_groups),
        ]
    if wafer:
        ref_name = "hardware" if "hardware" in t_groups else "ideal"
        lines += ["", f"## Wafer vs twin `{ref_name}`", ""]
        lines += _wafer_table(wafer, t_groups.get(ref_name, {}), ref_name, g_correction)
    if figures:
        lines += ["", "## Figures", ""] + [f"![{f}]({f})" for f in figures]
    return "\n".join(lines) + "\n"


def write_report(text: str, out: Path) -> Path:
    """Write ``report.md`` atomically."""
    return atomic_write_text(out / "report.md", text)
