"""``twin compare`` for any workload: twin tiers vs NEST and vs each other, per member.

Inputs are the rows of a workload's sweep folders (:mod:`experiments.report.load`).
Rows are told apart by platform, tier and ensemble member
(:mod:`experiments.report.members`): a point's statistics are taken over the seeds
of one member, never over members (:func:`member_reports` gives each member its own
report, compared with the NEST member of the same labels). A :class:`Comparison`
reports a workload from its coordinates and metric columns alone: each tier NEST ran
against NEST, a theory tier against NEST's run of the tier it describes
(:func:`twin.tiers.emulated_tier`; :func:`experiments.report.tables.platform_table`),
every tier against
the first model tier (:func:`~experiments.report.tables.tier_table`), the hardware
tier's losses (:mod:`experiments.report.losses`) and its ablations. A workload with
tables of its own (Brunel's (g, eta) report) implements :class:`Comparer`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from experiments.report.aggregate import Group, Point, aggregate
from experiments.report.load import Row, required_columns
from experiments.report.losses import chip_table, drop_table
from experiments.report.members import (
    describe_rows,
    member_slug,
    member_text,
    nest_partner,
    split_members,
    varying,
)
from experiments.report.tables import ablation_table, platform_table, tier_table
from twin.errors import ConfigError
from twin.files import atomic_write_text
from twin.tiers import FIDELITIES, HARDWARE, emulated_tier, is_ablation

__all__ = [
    "Comparer",
    "Comparison",
    "MemberRows",
    "member_reports",
    "write_report",
]


@dataclass(frozen=True, slots=True)
class MemberRows:
    """The rows of one ensemble member, as one report takes them.

    Attributes
    ----------
    twin
        The member's twin rows.
    nest
        The NEST rows it is compared with (:func:`members.nest_partner`).
    chips
        The member's ``chips.csv`` rows.
    title
        The member's labels as text (``""`` for a folder of one member).
    suffix
        A file-name part for the member's figures (``""`` for one member).
    """

    twin: Sequence[Row]
    nest: Sequence[Row]
    chips: Sequence[Row] = ()
    title: str = ""
    suffix: str = ""


class Comparer(Protocol):
    """How ``twin compare`` reports one workload's rows."""

    @property
    def coords(self) -> tuple[str, ...]:
        """The workload's coordinates (a row's point)."""
        ...

    @property
    def required(self) -> Mapping[str, type]:
        """The columns ``summary.csv`` must have, each with its type."""
        ...

    def matches(self, columns: set[str]) -> bool:
        """Return whether rows with ``columns`` are this workload's.

        Parameters
        ----------
        columns
            The columns of a folder's rows.

        Returns
        -------
        bool
            Whether they hold the workload's coordinates.
        """
        ...

    def with_wafer(self, folder: Path | None, g_correction: bool, out: Path) -> Any:
        """Return the comparer with a wafer's runs (``--wafer``, ``--g-correction``).

        Parameters
        ----------
        folder
            A wafer's folder (``None``: none).
        g_correction
            Label the wafer's g with its effective value.
        out
            The report's folder (for the wafer's figures).

        Returns
        -------
        Comparer
            The comparer to report every member with.
        """
        ...

    def report(self, member: MemberRows, out: Path) -> str:
        """Return one member's Markdown report (figures written into ``out``).

        Parameters
        ----------
        member
            The member's rows.
        out
            The report's folder.

        Returns
        -------
        str
            The report, ending in a newline.
        """
        ...


def member_reports(
    twin: Sequence[Row],
    nest: Sequence[Row],
    chips: Sequence[Row],
    report: Callable[[MemberRows], str],
) -> str:
    """Return one report per ensemble member of ``twin``, each with its NEST partner.

    Parameters
    ----------
    twin, nest, chips
        Every twin row, NEST row and ``chips.csv`` row given.
    report
        Writes one member's report (e.g. :meth:`Comparison.report` with its folder).

    Returns
    -------
    str
        The members' reports, each with a note where its NEST rows are of another
        member; several members are introduced by a line naming the labels that
        differ.

    Raises
    ------
    ResultsError
        As ``report`` raises it (e.g. rows of one member that are not seeds of one
        experiment).
    """
    members = split_members(twin)
    nest_members = split_members(nest)
    chip_members = split_members(chips)
    shown = varying(list(members))
    several = len(members) > 1
    texts = []
    for key, mine in members.items():
        partner, note = nest_partner(key, nest_members)
        text = report(
            MemberRows(
                mine,
                partner,
                chip_members.get(key, []),
                member_text(key, shown) if several else "",
                f"_{member_slug(key, shown)}" if several else "",
            )
        )
        texts.append(text + (f"\nNote: {note}\n" if note else ""))
    head = (
        f"{len(members)} ensemble members ({', '.join(shown)} differ), one report "
        "each; a point's statistics are over the seeds of one member.\n\n"
        if several
        else ""
    )
    return head + "\n".join(texts)


def _tier_order(tiers: Sequence[str]) -> list[str]:
    """Return the model tiers in their order, then the others as they appear."""
    return [t for t in FIDELITIES if t in tiers] + [
        t for t in tiers if t not in FIDELITIES
    ]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The report of any workload: its coordinates and metrics, no tables of its own.

    Attributes
    ----------
    name
        The workload's name (the report's title).
    coords
        The workload's coordinates.
    metrics
        Its metric columns, in report order.
    judged
        The metrics judged (rates; :mod:`experiments.report.verdicts`).
    """

    name: str
    coords: tuple[str, ...]
    metrics: tuple[str, ...]
    judged: tuple[str, ...]

    @classmethod
    def of(cls, workload: Any) -> Comparison:
        """Return the comparison of a workload: its coordinates and columns.

        The workload is an :class:`experiments.runs.workload.Workload`; the
        columns marked ``judged`` are judged.

        Parameters
        ----------
        workload
            The workload (only ``name``, ``coords`` and ``columns`` are read).

        Returns
        -------
        Comparison
            Its report, judging the columns marked ``judged``.
        """
        columns = workload.columns
        return cls(
            workload.name,
            tuple(workload.coords),
            tuple(c.name for c in columns),
            tuple(c.name for c in columns if c.judged),
        )

    @property
    def required(self) -> Mapping[str, type]:
        """The coordinates and judged metrics, numbers."""
        return required_columns(self.coords, self.judged)

    def matches(self, columns: set[str]) -> bool:
        """Return whether ``columns`` hold the workload's coordinates.

        Parameters
        ----------
        columns
            The columns of a folder's rows.

        Returns
        -------
        bool
            Whether every coordinate is among them.
        """
        return set(self.coords) <= columns

    def with_wafer(
        self, folder: Path | None, g_correction: bool, out: Path
    ) -> Comparison:
        """Return the comparison itself: only the seed sweep has wafer files.

        Parameters
        ----------
        folder
            A wafer's folder (must be ``None``).
        g_correction
            Must be false (the seed's g correction).
        out
            The report's folder (unused).

        Returns
        -------
        Comparison
            ``self``.

        Raises
        ------
        ConfigError
            If a wafer folder or the g correction is asked for.
        """
        if folder is not None or g_correction:
            raise ConfigError(
                f"--wafer and --g-correction compare the seed sweep's (g, eta) "
                f"points; the {self.name} folders have none: leave them out"
            )
        return self

    def report(self, member: MemberRows, out: Path) -> str:
        """Return one member's Markdown report (module docstring; no figures).

        Parameters
        ----------
        member
            The member's rows.
        out
            The report's folder (unused: the generic report draws no figure).

        Returns
        -------
        str
            The report, ending in a newline.

        Raises
        ------
        ResultsError
            If rows of one platform, tier and point are not seeds of one experiment
            (:func:`experiments.report.aggregate.aggregate`).
        """
        twin = {t: v for (_, t), v in aggregate(member.twin, self.coords).items()}
        nest = {t: v for (_, t), v in aggregate(member.nest, self.coords).items()}
        sides_present = [
            n for n, rows in (("twin", member.twin), ("NEST", member.nest)) if rows
        ]
        head = f"# {self.name}: " + " vs ".join(sides_present)
        lines = [head + (f": {member.title}" if member.title else ""), ""]
        sides = (("twin", member.twin), ("NEST", member.nest))
        lines += [
            f"Runs of {describe_rows(side, rows, self.coords)}."
            for side, rows in sides
            if rows
        ]
        for tier in (t for t in FIDELITIES if t in twin and emulated_tier(t) in nest):
            partner = emulated_tier(tier)  # a theory tier: the tier it describes
            lines += ["", f"## Twin `{tier}` tier vs NEST `{partner}`", ""]
            lines += platform_table(
                twin[tier], nest[partner], self.coords, self.metrics, self.judged
            )
        tiers = {t: twin[t] for t in _tier_order(list(twin))}
        if len(tiers) > 1:
            ref = next(iter(tiers))
            lines += ["", f"## Tiers (twin) vs `{ref}`", ""]
            lines += tier_table(tiers, ref, self.coords, self.metrics, self.judged)
        lines += self._losses(tiers, member.chips)
        return "\n".join(lines) + "\n"

    def _losses(
        self, tiers: Mapping[str, Mapping[Point, Group]], chips: Sequence[Row]
    ) -> list[str]:
        """Return the hardware tier's sections: dropped events, recording, ablation."""
        lines: list[str] = []
        if HARDWARE in tiers:
            lines += ["", "## Hardware tier: events dropped by rate limits", ""]
            lines += drop_table(tiers[HARDWARE], self.coords)
        if any(r["resource"] == "recording_per_hicann" for r in chips):
            head = "recording per chip (analysis window, mean over seeds)"
            lines += ["", f"## Hardware tier: {head}", ""]
            lines += chip_table(chips, self.coords)
        if HARDWARE in tiers and any(is_ablation(t) for t in tiers):
            for m in self.judged:
                lines += ["", f"## Ablation: hardware {m} minus {m} with one effect "
                          "off", "", *ablation_table(tiers, m, f"hardware {m}",
                                                     self.coords)]  # fmt: skip
        return lines


def write_report(text: str, out: Path) -> Path:
    """Write ``report.md`` atomically.

    Parameters
    ----------
    text
        The report, Markdown.
    out
        The output folder (created if missing).

    Returns
    -------
    pathlib.Path
        ``out / "report.md"``.

    Raises
    ------
    OSError
        If the folder or the file cannot be written (an existing report is then
        left as it was; :func:`twin.files.atomic_write_text`).
    """
    return atomic_write_text(out / "report.md", text)
