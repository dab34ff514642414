"""Twin vs NEST per population, from the spikes: mean rates and the CV distributions.

``twin compare`` compares a microcircuit folder's tables with the generic report
(:class:`experiments.report.compare.Comparison`); this module adds what only the
spikes give, for ``compare.md``. The rate verdict is the rule of every comparison
report (:func:`experiments.report.verdicts.agrees`): a population whose NEST rate is
above :data:`MIN_RATE` agrees when the twin's mean rate over seeds is within
``max(15 % of NEST's rate, 2 combined sd)`` of NEST's, the combined sd ``hypot`` of
the two platforms' standard deviations of the mean rate over seeds. The CV-of-ISI
distributions
(every neuron with a CV, all seeds pooled) are compared with a two-sample
Kolmogorov-Smirnov test per population; its statistic and p-value are reported, not
thresholded (thousands of neurons make small differences significant).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.stats import ks_2samp

from experiments.microcircuit.analysis import MicrocircuitActivity
from experiments.report.aggregate import Estimate
from experiments.report.verdicts import agrees
from experiments.runs.analysis import allowed_difference

__all__ = [
    "MIN_RATE",
    "PopulationComparison",
    "compare",
    "sample_table",
    "table",
]

#: Populations at or below this NEST rate (Hz) are reported, not judged.
MIN_RATE: Final = 1.0


@dataclass(frozen=True, slots=True)
class PopulationComparison:
    """One population's twin and NEST statistics over seeds.

    Attributes
    ----------
    name
        Population.
    twin_rate, twin_sd, nest_rate, nest_sd
        Mean over seeds of the population's mean rate, and its sd over seeds, Hz.
    ks_statistic, ks_pvalue
        Two-sample KS test of the pooled CVs (nan if a side has no CV).
    """

    name: str
    twin_rate: float
    twin_sd: float
    nest_rate: float
    nest_sd: float
    ks_statistic: float
    ks_pvalue: float

    @property
    def judged(self) -> bool:
        """Whether the rule applies (NEST rate above :data:`MIN_RATE`)."""
        return self.nest_rate > MIN_RATE

    @property
    def allowed(self) -> float:
        """The accepted difference, Hz (:func:`allowed_difference`)."""
        return allowed_difference(self.nest_rate, self.twin_sd, self.nest_sd)

    @property
    def agrees(self) -> bool:
        """Whether the twin's rate is within :attr:`allowed` of NEST's."""
        return agrees(
            Estimate(self.twin_rate, self.twin_sd, 0),
            Estimate(self.nest_rate, self.nest_sd, 0),
        )


def _rates(runs: Sequence[MicrocircuitActivity], name: str) -> tuple[float, float]:
    values = np.array([run[name].mean_rate for run in runs])
    sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
    return float(values.mean()), sd


def _ks(
    twin: Sequence[MicrocircuitActivity],
    nest: Sequence[MicrocircuitActivity],
    name: str,
) -> tuple[float, float]:
    a = np.concatenate([run[name].cvs for run in twin])
    b = np.concatenate([run[name].cvs for run in nest])
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if not a.size or not b.size:
        return float("nan"), float("nan")
    # The asymptotic distribution: populations hold hundreds to thousands of CVs
    # (scipy's exact method gives up at such sizes with a warning).
    result = ks_2samp(a, b, method="asymp")
    return float(result.statistic), float(result.pvalue)


def compare(
    twin: Sequence[MicrocircuitActivity], nest: Sequence[MicrocircuitActivity]
) -> list[PopulationComparison]:
    """Compare the runs of one platform with the other's, population by population.

    Parameters
    ----------
    twin, nest
        One activity per seed (the same seeds, populations in the same order).
    """
    out = []
    for pop in twin[0].populations:
        t_rate, t_sd = _rates(twin, pop.name)
        n_rate, n_sd = _rates(nest, pop.name)
        stat, p = _ks(twin, nest, pop.name)
        out.append(PopulationComparison(pop.name, t_rate, t_sd, n_rate, n_sd, stat, p))
    return out


def table(rows: Sequence[PopulationComparison], twin_label: str = "twin") -> str:
    """Return a Markdown table of a comparison with a verdict per population."""
    lines = [
        f"| population | {twin_label} rate (Hz) | NEST rate (Hz) | allowed (Hz) | "
        "verdict | CV KS D | CV KS p |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = ("agrees" if r.agrees else "DIFFERS") if r.judged else "≤ 1 Hz"
        lines.append(
            f"| {r.name} | {r.twin_rate:.3f} ± {r.twin_sd:.3f} | "
            f"{r.nest_rate:.3f} ± {r.nest_sd:.3f} | {r.allowed:.3f} | {verdict} | "
            f"{r.ks_statistic:.3f} | {r.ks_pvalue:.3g} |"
        )
    return "\n".join(lines)


def sample_table(first: MicrocircuitActivity, second: MicrocircuitActivity) -> str:
    """Return a Markdown table of two samples of one configured wafer.

    Per population: both mean rates, the relative change of the mean, and the
    correlation (Pearson r) and mean absolute change of the neurons' own rates —
    how much of each neuron's rate the fixed pattern keeps from one sample to the
    next.
    """
    lines = [
        "| population | sample 1 (Hz) | sample 2 (Hz) | change of mean | "
        "neuron rates r | mean abs. neuron change (Hz) |",
        "|---|---|---|---|---|---|",
    ]
    for a in first.populations:
        b = second[a.name]
        change = (b.mean_rate - a.mean_rate) / a.mean_rate if a.mean_rate else np.nan
        varied = a.rates.std() > 0 and b.rates.std() > 0
        r = float(np.corrcoef(a.rates, b.rates)[0, 1]) if varied else float("nan")
        lines.append(
            f"| {a.name} | {a.mean_rate:.3f} | {b.mean_rate:.3f} | {change:+.1%} | "
            f"{r:.3f} | {np.abs(b.rates - a.rates).mean():.3f} |"
        )
    return "\n".join(lines)
