"""Tables of any workload's metrics: twin vs NEST, tiers vs a reference, ablation.

Rows are points (the workload's coordinates) and metrics (its ``columns``); every
value is a mean ± sample standard deviation over the seeds of one member
(:mod:`experiments.report.aggregate`). Metrics that are rates are judged
(:mod:`experiments.report.verdicts`); others are shown. Values are written with
:func:`value_text`; a test recomputes them from a folder's own files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from experiments.report.aggregate import Estimate, Group, Point
from experiments.report.losses import point_cells
from experiments.report.verdicts import TOLERANCE, agrees, departs, relative
from twin.tiers import HARDWARE, ablated_effect

__all__ = ["ablation_table", "platform_table", "tier_table", "value_text"]

Tiers = Mapping[str, Mapping[Point, Group]]


def value_text(e: Estimate) -> str:
    """Return a mean over seeds as a table shows it (``± sd`` over several seeds).

    Parameters
    ----------
    e
        The metric's mean, sample sd and seeds.

    Returns
    -------
    str
        The mean to 4 significant digits, then ``± sd`` to 2 if ``e.n > 1``.

    Examples
    --------
    >>> value_text(Estimate(12.3456, 0.5, 2)), value_text(Estimate(3.0, 0.0, 1))
    ('12.35 ± 0.5', '3')
    """
    return f"{e.rate:.4g}" + (f" ± {e.rate_sd:.2g}" if e.n > 1 else "")


def _change(value: float, ref: float) -> str:
    """``value`` relative to ``ref`` (``–`` where the reference is 0 or not finite)."""
    return relative(value, ref) if ref > 0 else "–"


def platform_table(
    twin: Mapping[Point, Group],
    nest: Mapping[Point, Group],
    coords: Sequence[str],
    metrics: Sequence[str],
    judged: Sequence[str],
) -> list[str]:
    """Tabulate one tier on the twin against the same tier on NEST.

    Parameters
    ----------
    twin, nest
        The tier's groups by point on each platform.
    coords
        The workload's coordinates.
    metrics
        The metric columns, in report order.
    judged
        The metrics judged with :func:`experiments.report.verdicts.agrees` (rates).

    Returns
    -------
    list of str
        Markdown lines: a row per common point and metric (twin, NEST, twin
        relative to NEST, verdict), then how many judged values agree.
    """
    lines = [
        "| " + " | ".join(coords) + " | metric | twin | NEST | twin − NEST | verdict |",
        "|" + "---|" * (len(coords) + 5),
    ]
    agree = total = 0
    common = sorted(set(twin) & set(nest))
    for p in common:
        for m in metrics:
            t, n = twin[p].estimate(m), nest[p].estimate(m)
            verdict = "–"
            if m in judged:
                ok = agrees(t, n)
                agree, total = agree + ok, total + 1
                verdict = "agree" if ok else "differ"
            lines.append(
                f"{point_cells(p)} {m} | {value_text(t)} | {value_text(n)} | "
                f"{_change(t.rate, n.rate)} | {verdict} |"
            )
    seeds = min((twin[p].n for p in common), default=0)
    lines += [
        "",
        f"{agree} of {total} judged values agree (|twin − NEST| ≤ "
        f"max({TOLERANCE:.0%} of NEST's, 2 sd over {seeds} seed(s))).",
    ]
    return lines


def tier_table(
    tiers: Tiers,
    reference: str,
    coords: Sequence[str],
    metrics: Sequence[str],
    judged: Sequence[str],
) -> list[str]:
    """Tabulate every tier against a reference tier of the same realisations.

    Parameters
    ----------
    tiers
        Tier -> its groups by point (the twin's), in report order.
    reference
        The tier the others are measured against.
    coords, metrics, judged
        As :func:`platform_table`; judged metrics get
        :func:`experiments.report.verdicts.departs`.

    Returns
    -------
    list of str
        Markdown lines: a row per point, metric and tier other than the reference
        (the tier's value, the reference's, the change, the verdict).
    """
    lines = [
        "| " + " | ".join(coords) + f" | metric | tier | value | {reference} | "
        "change | verdict |",
        "|" + "---|" * (len(coords) + 6),
    ]
    ref = tiers[reference]
    for p in sorted(ref):
        for m in metrics:
            r = ref[p].estimate(m)
            for name, groups in tiers.items():
                if name == reference or p not in groups:
                    continue
                e = groups[p].estimate(m)
                verdict = "–"
                if m in judged:
                    verdict = "depart" if departs(e, r) else "agree"
                lines.append(
                    f"{point_cells(p)} {m} | {name} | {value_text(e)} | "
                    f"{value_text(r)} | {_change(e.rate, r.rate)} | {verdict} |"
                )
    return lines


def ablation_table(
    tiers: Tiers, metric: str, head: str, coords: Sequence[str]
) -> list[str]:
    """Tabulate the hardware tier's metric minus its value with one effect off.

    Parameters
    ----------
    tiers
        Tier -> its groups by point; must hold the hardware tier.
    metric
        The metric column (e.g. a rate).
    head
        The heading of the hardware tier's column (e.g. ``"hardware Hz"``).
    coords
        The workload's coordinates.

    Returns
    -------
    list of str
        Markdown lines: per point the hardware tier's mean, the difference to each
        ablation (effects in alphabetical order) and the effect of the largest
        difference.

    Raises
    ------
    KeyError
        If ``tiers`` has no hardware tier.
    """
    ablations = {e: t for t in tiers if (e := ablated_effect(t)) is not None}
    effects = sorted(ablations)
    hw = tiers[HARDWARE]
    lines = [
        "| " + " | ".join(coords) + f" | {head} | "
        + " | ".join(f"Δ {e}" for e in effects)
        + " | largest |",
        "|" + "---|" * (len(effects) + len(coords) + 2),
    ]  # fmt: skip
    for p in sorted(hw):
        rate = hw[p].estimate(metric).rate
        deltas = {}
        for e in effects:
            other = tiers[ablations[e]].get(p)
            if other is not None:
                deltas[e] = rate - other.estimate(metric).rate
        cells = [f"{deltas[e]:+.2f}" if e in deltas else "–" for e in effects]
        top = max(deltas, key=lambda e: abs(deltas[e]), default="–")
        lines.append(
            f"{point_cells(p)} {rate:.2f} | " + " | ".join(cells) + f" | {top} |"
        )
    return lines
