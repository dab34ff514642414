"""The results store: one file per finished (point, tier), written atomically.

A store is a folder; every finished point is written the moment it is analysed
(:func:`experiments.runs.result.save_point`, atomic), and a sweep started again with
the same folder loads what it finds instead of recomputing it. The file's place
fingerprints everything that determines the result (workload realisation, tier,
wafer, workload settings, the tiers run with it in one stacked call), so a changed
setting never reuses an old point.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.runs.plan import RunUnit
from experiments.runs.result import PointResult, load_point, point_path, save_point
from experiments.runs.workload import Workload
from twin.tiers import Tier
from twin.wafer import Wafer

__all__ = ["Store"]


@dataclass(frozen=True, slots=True)
class Store:
    """Where a sweep's finished points live (``out=None``: nowhere, nothing kept).

    Parameters
    ----------
    out
        The folder (points go to ``out/points``).
    workload
        The workload whose points are stored.
    wafer
        The wafer the mapped tiers run on (part of every fingerprint).
    """

    out: Path | None
    workload: Workload[Any]
    wafer: Wafer

    def settings(self, tier: Tier, unit: RunUnit) -> str:
        """Everything besides the point that determines a stored result.

        The tier, the wafer, the workload's settings, the tiers run with it in one
        stacked call and the unit's capacity scale (it sizes the emulator's buffers
        and with them the random draws: a point planned with other points may draw
        differently, so it is stored apart).
        """
        return repr(
            (
                tier,
                self.wafer.wafer_id,
                self.wafer.spec,
                self.wafer.defects,
                self.workload.settings,
                unit.names,
                unit.capacity_scale,
            )
        )

    def path(self, tier: Tier, unit: RunUnit, point: Hashable) -> Path | None:
        """Where ``point`` of ``tier`` run in ``unit`` is stored (``None``: nowhere)."""
        if self.out is None:
            return None
        return point_path(
            self.out,
            unit.backend,
            tier.name,
            self.workload,
            point,
            self.settings(tier, unit),
        )

    def load(self, tier: Tier, unit: RunUnit, point: Hashable) -> PointResult | None:
        """Load a finished point, or return ``None``.

        Raises
        ------
        ResultsError
            If the stored file cannot be read (see
            :func:`experiments.runs.result.load_point`).
        """
        path = self.path(tier, unit, point)
        if path is None or not path.exists():
            return None
        return load_point(path, self.workload, point)

    def save(
        self, tier: Tier, unit: RunUnit, point: Hashable, result: PointResult
    ) -> None:
        """Write a finished point atomically (if the store has a folder)."""
        path = self.path(tier, unit, point)
        if path is not None:
            save_point(path, result)
