"""The outputs of every workload's sweep: ``summary.csv``, ``chips.csv``, ensemble.

Each is an :class:`experiments.runs.workload.Output` of a workload (its
:meth:`~experiments.runs.workload.Workload.outputs` lists them with its own), written
from the :class:`~experiments.runs.workload.Finished` sweep, theory tiers included:
the tables with a column per member label (:mod:`experiments.report.summary`) and,
where the results table's rows differ in a factor, the ensemble's spread
(:mod:`experiments.report.ensemble`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from experiments.report.ensemble import ensemble_report
from experiments.report.summary import write_chips, write_summary
from experiments.runs.workload import Finished, Output, Workload
from twin.files import atomic_write_text

__all__ = ["chips_output", "ensemble_output", "summary_output"]


def _summary(workload: Workload[Any], finished: Finished) -> list[Path]:
    path = finished.out / "summary.csv"
    return [write_summary(workload, finished.results, path, finished.labels)]


def _chips(workload: Workload[Any], finished: Finished) -> list[Path]:
    if not any(r.groups for r in finished.results):
        return []
    path = finished.out / "chips.csv"
    return [write_chips(workload, finished.results, path, finished.labels)]


def _ensemble(workload: Workload[Any], finished: Finished) -> list[Path]:
    from experiments.runs.table import TABLE_NAME, read_table

    rows = read_table(finished.out / TABLE_NAME).rows
    text = ensemble_report(rows, tuple(workload.coords))
    if not text:
        return []
    return [atomic_write_text(finished.out / "ensemble.md", text)]


def summary_output(workload: Workload[Any]) -> Output:
    """Return the output ``summary.csv``: a row per run (:func:`write_summary`).

    Parameters
    ----------
    workload
        The workload (its coordinates and metric columns).

    Returns
    -------
    Output
        Writes ``out/summary.csv``, keeping the rows of other runs.
    """
    return Output("summary.csv", partial(_summary, workload), theory=True)


def chips_output(workload: Workload[Any]) -> Output:
    """Return the output ``chips.csv``: the hardware tier's counts per unit.

    Parameters
    ----------
    workload
        The workload (its coordinates).

    Returns
    -------
    Output
        Writes ``out/chips.csv`` where a result counted events per unit (the
        hardware tier), else nothing.
    """
    return Output("chips.csv", partial(_chips, workload), theory=True)


def ensemble_output(workload: Workload[Any]) -> Output:
    """Return the output ``ensemble.md``: the spread over the results table's factors.

    Parameters
    ----------
    workload
        The workload (its coordinates name the points).

    Returns
    -------
    Output
        Writes ``out/ensemble.md`` from ``out/results.parquet`` where its rows
        differ in a factor (:func:`experiments.report.ensemble.ensemble_report`),
        else nothing.
    """
    return Output("ensemble.md", partial(_ensemble, workload), theory=True)
