"""The files of a Brunel sweep (``twin brunel``, ``twin nest``), one set per member.

A sweep of one ensemble member writes, into its output folder: ``summary.csv`` (and
``chips.csv`` for the hardware tier), the seed's ``exc.h5``/``inh.h5`` (the first
tier in the folder, every other tier in a sub-folder named after it), heat maps per
tier and the seed's two rasters. An ensemble (several members) writes one
``summary.csv``/``chips.csv`` with a column per member label, and each member's
seed files, heat maps and rasters into ``members/<labels>/``, so no file shows one
member while the tables hold several; and ``ensemble.md``, the spread over its
factors. The seed files and heat maps hold every seed of their member (the heat
maps: the mean over seeds, as ``twin compare`` takes it). :func:`outputs` lists
them, in the order they are written (:meth:`BrunelWorkload.outputs
<experiments.brunel.workload.BrunelWorkload.outputs>`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.brunel.layout import SEED_FILE_NEURONS
from experiments.brunel.plots import heat_maps, raster
from experiments.brunel.seed_files import write_seed_files
from experiments.report.members import member_key, member_slug, varying
from experiments.report.outputs import chips_output, ensemble_output, summary_output
from experiments.runs.result import PointResult
from experiments.runs.workload import Finished, Output, Workload
from twin.recording import SpikeRecording
from twin.tiers import ablated_effect
from twin.wafer.draw import save_figure

__all__ = [
    "RASTER_POINTS",
    "member_files",
    "member_folders",
    "outputs",
    "population_sizes",
]

#: The (g, eta) points the seed shows as rasters.
RASTER_POINTS = ((1.0, 0.8), (8.0, 0.8))


def population_sizes(recording: SpikeRecording) -> tuple[int, int]:
    """Return the sizes of the run's ``exc`` and ``inh`` populations.

    From the recording itself (population offsets and the per-neuron counts), so
    the seed files' ``population_size`` is the network's, whatever its scale.
    """
    starts = [*sorted(recording.population_offsets.values()), recording.counts.size]
    size = {
        name: starts[starts.index(first) + 1] - first
        for name, first in recording.population_offsets.items()
    }
    return size["exc"], size["inh"]


def member_folders(labels: Sequence[Mapping[str, str]], out: Path) -> list[Path]:
    """Return each member's folder: ``out`` for one member, else ``out/members/..``.

    A member's folder is named by the labels that differ between the members, e.g.
    ``members/strategy-enum``.

    Parameters
    ----------
    labels
        Each member's labels.
    out
        The sweep's output folder.

    Returns
    -------
    list of pathlib.Path
        One folder per member.
    """
    if len(labels) == 1:
        return [out]
    keys = [member_key(m) for m in labels]
    names = varying(keys)
    return [out / "members" / member_slug(key, names) for key in keys]


def _member_files(
    results: Sequence[PointResult], folder: Path, title: str, labels: dict[str, str]
) -> list[Path]:
    """Write one member's seed files, heat maps and rasters into ``folder``.

    ``title`` starts the heat maps' titles; ``labels`` annotate the seed files.
    """
    n_exc, n_inh = population_sizes(results[0].recording)
    tiers = list(dict.fromkeys(r.tier for r in results))
    written: list[Path] = []
    for tier in tiers:
        mine = [r for r in results if r.tier == tier]
        where = folder if tier == tiers[0] else folder / tier
        written += write_seed_files(
            mine, where, n_exc, n_inh, SEED_FILE_NEURONS, [labels] * len(mine)
        )
        if ablated_effect(tier):
            continue
        figure = heat_maps(mine, title=f"{title} {tier}")
        written.append(save_figure(figure, folder / f"heatmaps_{tier}.png"))
        first = mine[0].seed
        for r in mine:
            if r.seed == first and (r["g"], r["eta"]) in RASTER_POINTS:
                t = r.recording.t_stop
                name = f"raster_{tier}_g{r['g']:g}_eta{r['eta']:g}.png"
                figure = raster(r, (t - 200.0, t - 100.0))
                written.append(save_figure(figure, folder / name))
    return written


def member_files(finished: Finished) -> list[Path]:
    """Write every member's seed files, heat maps and rasters; return their paths.

    Parameters
    ----------
    finished
        The sweep (its platform starts the heat maps' titles).

    Returns
    -------
    list of pathlib.Path
        The files written, member by member (none for a member without results).
    """
    labels = [labels for labels, _ in finished.members]
    shown = varying([member_key(m) for m in labels])
    folders = member_folders(labels, finished.out)
    written: list[Path] = []
    for (mine, results), folder in zip(finished.members, folders, strict=True):
        tags = [f"{k}={v}" for k, v in mine.items() if k in shown]
        if results:
            title = " ".join([finished.platform, *tags])
            written += _member_files(results, folder, title, dict(mine))
    return written


def outputs(workload: Workload[Any]) -> tuple[Output, ...]:
    """Return the files a Brunel sweep writes, in order (module docstring).

    Parameters
    ----------
    workload
        The sweep's workload.

    Returns
    -------
    tuple of Output
        ``summary.csv``, ``chips.csv``, each member's seed files, heat maps and
        rasters, ``ensemble.md``.
    """
    return (
        summary_output(workload),
        chips_output(workload),
        Output("exc.h5/inh.h5, heat maps and rasters per member", member_files),
        ensemble_output(workload),
    )
