"""The files of a Brunel sweep (``twin brunel``, ``twin nest``), one set per member.

A sweep of one ensemble member writes, into its output folder: ``summary.csv`` (and
``chips.csv`` for the hardware tier), the seed's ``exc.h5``/``inh.h5`` (the first
tier in the folder, every other tier in a sub-folder named after it), heat maps per
tier and the seed's two rasters. An ensemble (several members) writes one
``summary.csv``/``chips.csv`` with a column per member label, and each member's
seed files, heat maps and rasters into ``members/<labels>/``, so no file shows one
member while the tables hold several. The seed files and heat maps hold every seed
of their member (the heat maps: the mean over seeds, as ``twin compare`` takes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from experiments.brunel.layout import SEED_FILE_NEURONS
from experiments.report.members import member_key, member_slug, varying
from experiments.report.plots import heat_maps, raster
from experiments.report.summary import write_chips, write_seed_files, write_summary
from experiments.runs.ensemble import Member
from experiments.runs.result import PointResult
from twin.errors import ResultsError
from twin.recording import SpikeRecording
from twin.tiers import ablated_effect
from twin.wafer.draw import save_figure

__all__ = ["RASTER_POINTS", "member_folders", "population_sizes", "sweep_outputs"]

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


def member_folders(members: Sequence[Member], out: Path) -> list[Path]:
    """Return each member's folder: ``out`` for one member, else ``out/members/..``.

    A member's folder is named by the labels that differ between the members, e.g.
    ``members/strategy-enum``.
    """
    if len(members) == 1:
        return [out]
    keys = [member_key(m.labels) for m in members]
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


def sweep_outputs(
    members: Sequence[Member],
    found: Sequence[Sequence[PointResult]],
    out: Path,
    platform: str,
) -> list[Path]:
    """Write the files of a finished sweep; return their paths.

    Parameters
    ----------
    members
        The sweep's ensemble members.
    found
        Each member's results (as :func:`experiments.runs.ensemble.run_ensemble`
        returns them).
    out
        The output folder.
    platform
        ``"twin"`` or ``"nest"`` (figure titles).

    Raises
    ------
    ResultsError
        If ``found`` does not hold one list of results per member.
    """
    if len(found) != len(members):
        raise ResultsError(
            f"{len(found)} result lists for {len(members)} members; give each "
            "member's results"
        )
    everything = [r for results in found for r in results]
    labels = [dict(m.labels) for m, rs in zip(members, found, strict=True) for _ in rs]
    workload = members[0].workload
    written = [write_summary(workload, everything, out / "summary.csv", labels)]
    if any(r.groups for r in everything):
        written.append(write_chips(workload, everything, out / "chips.csv", labels))
    shown = varying([member_key(m.labels) for m in members])
    for member, results, folder in zip(
        members, found, member_folders(members, out), strict=True
    ):
        tags = [f"{k}={v}" for k, v in member.labels.items() if k in shown]
        if results:
            title = " ".join([platform, *tags])
            written += _member_files(results, folder, title, dict(member.labels))
    return written
