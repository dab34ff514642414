"""``twin compare`` of the seed sweep: twin vs NEST (vs wafer) per (g, eta).

Inputs are folders written by ``twin brunel`` and ``twin nest`` (read by
:mod:`experiments.report.load`) and, optionally, a folder with a real wafer's
``exc.h5`` / ``inh.h5`` in the seed's layout, analysed with the same protocol
(:mod:`experiments.brunel.wafer_files`). Over several seeds a point's value is the
mean; the verdict of a point is "agree" when the twin's mean rate is within
``max(15 % of NEST's, 2 combined standard deviations over seeds)`` of NEST's
(:mod:`experiments.report.verdicts`). The seed's own tables are in
:mod:`experiments.brunel.tables`; the hardware tier's losses and ablations are the
generic ones (:mod:`experiments.report.losses`, :mod:`experiments.report.tables`).
:class:`BrunelComparison` is the sweep's :class:`experiments.report.compare.Comparer`
(its figures: :mod:`experiments.brunel.compare_figures`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from experiments.brunel.stats import COORDS, SUMMARY_COLUMNS, Point, Stat, stats
from experiments.brunel.tables import nest_table, tier_table, wafer_table
from experiments.report.aggregate import aggregate as aggregate_rows
from experiments.report.compare import MemberRows
from experiments.report.load import Row
from experiments.report.losses import chip_table, drop_table
from experiments.report.members import describe_rows
from experiments.report.tables import ablation_table
from twin.tiers import HARDWARE, IDEAL, MAPPED, emulated_tier, is_ablation, is_theory

__all__ = ["BrunelComparison", "report"]


def report(
    twin: Sequence[Row],
    nest: Sequence[Row],
    wafer: Mapping[Point, Stat] | None = None,
    *,
    figures: Sequence[str] = (),
    g_correction: bool = False,
    chips: Sequence[Row] = (),
    member: str = "",
) -> str:
    """Return the Markdown report (tables per (g, eta); ``figures`` embedded).

    The report opens with the runs it is made of (:func:`members.describe_rows`).

    Parameters
    ----------
    twin, nest
        The rows of each platform (one ensemble member's).
    wafer
        A wafer's statistics per point, if any
        (:func:`experiments.brunel.wafer_files.load_wafer`).
    figures
        File names of figures to embed.
    g_correction
        Whether the wafer table gives the wafer's effective g.
    chips
        Rows of ``chips.csv`` (per-chip counts of the hardware tier).
    member
        The ensemble member the rows are of (title).

    Returns
    -------
    str
        The report, Markdown, ending in a newline.

    Raises
    ------
    ResultsError
        If rows of one platform, tier and point are not seeds of one experiment
        (:func:`experiments.report.aggregate.aggregate`).
    """
    t_rows = {tier: v for (_, tier), v in aggregate_rows(twin, COORDS).items()}
    n_rows = {tier: v for (_, tier), v in aggregate_rows(nest, COORDS).items()}
    t_groups = {t: stats(v) for t, v in t_rows.items()}
    n_groups = {t: stats(v) for t, v in n_rows.items()}
    title = "# The seed sweep: twin vs NEST" + (" vs wafer" if wafer else "")
    lines = [title + (f": {member}" if member else ""), ""]
    lines += [f"Runs of {describe_rows(side, rows)}." for side, rows in
              (("twin", twin), ("NEST", nest)) if rows] + [""]  # fmt: skip
    if IDEAL in t_groups and IDEAL in n_groups:
        lines += ["## Twin `ideal` tier vs NEST", ""]
        lines += nest_table(t_groups[IDEAL], n_groups[IDEAL])
    if MAPPED in n_groups and MAPPED in t_groups:
        lines += ["", "## Twin `mapped` tier vs NEST on the same mapped network", ""]
        lines += nest_table(t_groups[MAPPED], n_groups[MAPPED])
    for theory in (
        t for t in t_groups if is_theory(t) and emulated_tier(t) in n_groups
    ):
        partner = emulated_tier(theory)  # the tier whose network it describes
        lines += ["", f"## Theory `{theory}` vs NEST `{partner}`", ""]
        lines += nest_table(t_groups[theory], n_groups[partner])
    if len({MAPPED, HARDWARE} & set(t_groups)):
        lines += ["", "## Tiers (twin): ideal, mapped, hardware", ""]
        lines += tier_table(t_groups)
    if HARDWARE in t_groups:
        lines += [
            "",
            "## Hardware tier: events dropped by rate limits",
            "",
            "Priority encoders and DNC mergers: whole run, inside the emulation "
            "(dropped spikes reach no synapse); recording and input links: the "
            "analysis window.",
            "",
            *drop_table(t_rows[HARDWARE], COORDS),
        ]
    if chips and any(r["resource"] == "recording_per_hicann" for r in chips):
        lines += [
            "",
            "## Hardware tier: recording per chip (analysis window, mean over seeds)",
            "",
            *chip_table(chips, COORDS),
        ]
    if any(is_ablation(t) for t in t_groups):
        lines += [
            "",
            "## Ablation: hardware rate minus the rate with one effect off (Hz)",
            "",
            *ablation_table(t_rows, "rate_hz", "hardware Hz", COORDS),
        ]
    if wafer:
        ref_name = HARDWARE if HARDWARE in t_groups else IDEAL
        lines += ["", f"## Wafer vs twin `{ref_name}`", ""]
        lines += wafer_table(wafer, t_groups.get(ref_name, {}), ref_name, g_correction)
    if figures:
        lines += ["", "## Figures", ""] + [f"![{f}]({f})" for f in figures]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class BrunelComparison:
    """The seed sweep's report for ``twin compare`` (a :class:`Comparer`).

    Attributes
    ----------
    wafer
        A wafer's statistics per point, compared with every member (``None``:
        none).
    g_correction
        Whether the wafer's g is labelled with its effective value.
    common
        Figures every member's report embeds (the wafer's heat maps).
    """

    wafer: Mapping[Point, Stat] | None = None
    g_correction: bool = False
    common: tuple[str, ...] = ()

    @property
    def coords(self) -> tuple[str, ...]:
        """``("g", "eta")``."""
        return COORDS

    @property
    def required(self) -> Mapping[str, type]:
        """The columns of ``summary.csv`` the report reads (:data:`SUMMARY_COLUMNS`)."""
        return SUMMARY_COLUMNS

    def matches(self, columns: set[str]) -> bool:
        """Return whether ``columns`` hold g and eta.

        Parameters
        ----------
        columns
            The columns of a folder's rows.

        Returns
        -------
        bool
            Whether both are among them.
        """
        return set(COORDS) <= columns

    def with_wafer(
        self, folder: Path | None, g_correction: bool, out: Path
    ) -> BrunelComparison:
        """Return the comparison with a wafer's runs, its heat maps drawn in ``out``.

        Parameters
        ----------
        folder
            The wafer's folder of ``exc.h5`` and ``inh.h5`` (``None``: no wafer).
        g_correction
            Label the wafer's g with the seed's effective g.
        out
            The report's folder.

        Returns
        -------
        BrunelComparison
            With the wafer's statistics and its heat maps as a common figure.

        Raises
        ------
        ResultsError, ConfigError
            If the wafer's files cannot be analysed
            (:func:`experiments.brunel.wafer_files.load_wafer`).
        """
        if folder is None:
            return BrunelComparison(None, g_correction)
        from experiments.brunel.compare_figures import wafer_map
        from experiments.brunel.wafer_files import load_wafer

        wafer = load_wafer(folder)
        common = (wafer_map(wafer, g_correction, out),)
        return BrunelComparison(wafer, g_correction, common)

    def report(self, member: MemberRows, out: Path) -> str:
        """Return one member's report, its figures drawn into ``out``.

        Parameters
        ----------
        member
            The member's rows.
        out
            The report's folder.

        Returns
        -------
        str
            :func:`report` of the member, embedding :attr:`common` and the
            member's difference maps and tier curve.

        Raises
        ------
        ResultsError
            If rows of one platform, tier and point are not seeds of one
            experiment.
        """
        from experiments.brunel.compare_figures import member_figures

        mine = member_figures(member.twin, member.nest, self.wafer, out, member.suffix)
        figures = [*self.common, *mine]
        return report(
            member.twin,
            member.nest,
            self.wafer,
            figures=figures,
            g_correction=self.g_correction,
            chips=member.chips,
            member=member.title,
        )
