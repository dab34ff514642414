"""The files of a microcircuit run (``twin microcircuit``).

``summary.csv`` (and ``chips.csv`` for the hardware tier), ``compare.md`` where
there is something to compare (each twin tier against NEST, population by
population, and the hardware tier against its sample a day later;
:mod:`experiments.microcircuit.compare`), the per-population rate and CV
histograms of every tier and NEST overlaid, and one raster per tier (the first
seed's). Spikes are analysed from each run's ``recorded_from`` on: the workload
records from its analysis start (:meth:`MicrocircuitWorkload.sim_config
<experiments.microcircuit.workload.MicrocircuitWorkload.sim_config>`).
:func:`outputs` lists them in the order they are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from experiments.microcircuit.analysis import microcircuit_activity, recording_raster
from experiments.microcircuit.compare import compare, sample_table, table
from experiments.microcircuit.config import DAY_LATER
from experiments.report.outputs import chips_output, summary_output
from experiments.runs.result import PointResult
from experiments.runs.workload import Finished, Output, Workload
from twin.files import atomic_write_text
from twin.tiers import HARDWARE, IDEAL

__all__ = ["comparison", "figures", "outputs"]


def comparison(results: Sequence[PointResult]) -> str:
    """Return the comparison's Markdown (``""``: nothing to compare).

    Parameters
    ----------
    results
        Every run, twin and NEST.

    Returns
    -------
    str
        For each hardware realisation with a day-later sample, the two samples
        (:func:`experiments.microcircuit.compare.sample_table`); for each twin tier
        with as many runs as NEST's ideal tier, the population table against NEST
        (:func:`experiments.microcircuit.compare.table`).
    """

    def runs(backend: str, tier: str) -> list:
        return [
            microcircuit_activity(r.recording, r.recorded_from)
            for r in results
            if r.backend == backend and r.tier == tier
        ]

    nest = runs("nest", IDEAL)
    parts = []
    first, later = runs("twin", HARDWARE), runs("twin", DAY_LATER)
    for seed, (a, b) in enumerate(zip(first, later, strict=False)):
        parts += [
            f"hardware, realisation {seed + 1}: the same configured wafer recorded "
            "again a biological day later (new trial-to-trial noise):",
            sample_table(a, b),
        ]
    for tier in dict.fromkeys(r.tier for r in results if r.backend == "twin"):
        twin = runs("twin", tier)
        if tier != DAY_LATER and nest and len(twin) == len(nest):
            parts += [f"twin {tier} vs NEST ideal:", table(compare(twin, nest), tier)]
    return "\n\n".join(parts)


def _compare_md(finished: Finished) -> list[Path]:
    text = comparison(finished.results)
    if not text:
        return []
    return [atomic_write_text(finished.out / "compare.md", text + "\n")]


def figures(finished: Finished) -> list[Path]:
    """Draw the rate and CV histograms and one raster per tier; return the files.

    Parameters
    ----------
    finished
        The run (the first seed's runs are drawn).

    Returns
    -------
    list of pathlib.Path
        ``raster_<tier>.png`` per tier (``raster_nest.png``), ``rates.png`` and
        ``cvs.png``.
    """
    from experiments.microcircuit.plots import (
        cv_histograms,
        raster_plot,
        rate_histograms,
    )
    from twin.wafer.draw import save_figure

    results, out = finished.results, finished.out
    first = results[0].seed
    runs = {}
    written = []
    for r in results:
        if r.seed != first:
            continue
        label = "NEST" if r.backend == "nest" else f"twin {r.tier}"
        runs[label] = microcircuit_activity(r.recording, r.recorded_from)
        name = label.lower().replace(" ", "_")
        figure = raster_plot(recording_raster(r.recording), f"{label}, seed {first}")
        written.append(save_figure(figure, out / f"raster_{name}.png"))
    written.append(save_figure(rate_histograms(runs), out / "rates.png"))
    written.append(save_figure(cv_histograms(runs), out / "cvs.png"))
    return written


def outputs(workload: Workload[Any]) -> tuple[Output, ...]:
    """Return the files a microcircuit run writes, in order (module docstring).

    Parameters
    ----------
    workload
        The run's workload.

    Returns
    -------
    tuple of Output
        ``summary.csv``, ``chips.csv``, ``compare.md``, the figures.
    """
    return (
        summary_output(workload),
        chips_output(workload),
        Output("compare.md", _compare_md),
        Output("histograms and rasters", figures),
    )
