"""The seed sweep's own tables: twin vs NEST, the tiers, the wafer, per (g, eta).

Each row is a (g, eta) point; values are means over the seeds of one member
(:class:`experiments.brunel.stats.Stat`) with the seed's three numbers (rate, CV,
global CV). Verdicts follow :mod:`experiments.report.verdicts`; the hardware tier's
departure from the mapped tier is tallied below and above the seed's
:data:`~experiments.brunel.stats.DEPARTURE_HZ`.
"""

from __future__ import annotations

from collections.abc import Mapping

from experiments.brunel.stats import DEPARTURE_HZ, Point, Stat, corrected_g
from experiments.report.verdicts import TOLERANCE, agrees, departs, relative
from twin.tiers import FIDELITIES, HARDWARE, IDEAL, MAPPED

__all__ = ["nest_table", "tier_table", "wafer_table"]


def _pm(s: Stat) -> str:
    return f"{s.rate:.2f}" + (f" ± {s.rate_sd:.2f}" if s.n > 1 else "")


def nest_table(twin: Mapping[Point, Stat], nest: Mapping[Point, Stat]) -> list[str]:
    """Tabulate a twin tier against NEST per (g, eta), with the verdicts.

    Parameters
    ----------
    twin, nest
        The tier's statistics per point on each platform.

    Returns
    -------
    list of str
        Markdown lines: per common point the layout, both rates (± sd over
        seeds), the difference, the verdict, CVs and global CVs; then how many
        points agree.
    """
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
            f"{relative(t.rate, n.rate)} | "
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


def tier_table(tiers: Mapping[str, Mapping[Point, Stat]]) -> list[str]:
    """Tabulate the model tiers' rates and the hardware tier's departure per point.

    Parameters
    ----------
    tiers
        Tier -> its statistics per point (the twin's).

    Returns
    -------
    list of str
        Markdown lines: per point each model tier's rate, hardware relative to
        mapped with the verdict (:func:`experiments.report.verdicts.departs`),
        hardware relative to ideal and the mapped tier's synapse loss; then the
        verdicts tallied below and above :data:`DEPARTURE_HZ`.
    """
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
            rel_ideal = relative(tiers[HARDWARE][p].rate, tiers[IDEAL][p].rate)
        if p in tiers.get(HARDWARE, {}) and p in tiers.get(MAPPED, {}):
            h, m = tiers[HARDWARE][p], tiers[MAPPED][p]
            rel = relative(h.rate, m.rate)
            ok = not departs(h, m)
            verdict = "agree" if ok else "depart"
            tally = below if m.rate < DEPARTURE_HZ else above
            tally[0] += ok
            tally[1] += 1
        if p in tiers.get(MAPPED, {}):
            lost = f"{100 * tiers[MAPPED][p].extra.get('synapse_loss', 0):.1f} %"
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


def wafer_table(
    wafer: Mapping[Point, Stat],
    ref: Mapping[Point, Stat],
    ref_name: str,
    g_correction: bool,
) -> list[str]:
    """Tabulate a wafer's runs against a twin tier per (g, eta).

    Parameters
    ----------
    wafer
        The wafer's statistics per point
        (:func:`experiments.brunel.wafer_files.load_wafer`).
    ref
        The twin tier's statistics per point.
    ref_name
        The twin tier's name.
    g_correction
        Whether to give the wafer's effective g (:func:`corrected_g`).

    Returns
    -------
    list of str
        Markdown lines: per wafer point the rates, their difference (Hz), the
        wafer's CV and global CV.
    """
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
