"""The results store: one file per finished (point, tier), written atomically.

A store is a folder; every finished point is written the moment it is analysed
(:func:`experiments.runs.result.save_point`, atomic), and a sweep started again with
the same folder loads what it finds instead of recomputing it. The file's place
fingerprints everything that determines the result (workload realisation, tier,
wafer, workload settings, the tiers run with it in one stacked call), so a changed
setting never reuses an old point, and names the code that computed it
(:mod:`experiments.runs.codestamp`: ``points/<fingerprint>/<version>-<source
digest>/<coordinates>.npz``). A point computed by other code (another version, a
changed source file, or a store written before points carried the code) is *stale*:
loading it raises :class:`StaleResultsError` naming the folder and the remedy, unless
the store was opened with ``reuse_stale``, which reuses it and warns
(:class:`StaleResultsWarning`) once per folder. Points of the theory tiers are not
stored: they hold no spikes and are computed again in (milli)seconds
(:mod:`twin.theory.tier`).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.runs.codestamp import CodeStamp, code_stamp, simulator_versions
from experiments.runs.plan import RunUnit
from experiments.runs.result import PointResult, load_point, point_path, save_point
from experiments.runs.workload import Workload
from twin.errors import ResultsError
from twin.tiers import Tier
from twin.wafer import Wafer

__all__ = ["StaleResultsError", "StaleResultsWarning", "Store"]


class StaleResultsError(ResultsError):
    """A stored point was computed by other code than the running one."""


class StaleResultsWarning(UserWarning):
    """Stored points computed by other code are reused (``reuse_stale``)."""


@dataclass(frozen=True, slots=True)
class _Found:
    """A stored point file and the code that wrote it (``None``: not recorded)."""

    path: Path
    code: CodeStamp | None


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
    reuse_stale
        Reuse points computed by other code (with a warning) instead of refusing
        them.
    code
        The code whose points are reused and written (default: the running code's
        :func:`experiments.runs.codestamp.code_stamp`).
    """

    out: Path | None
    workload: Workload[Any]
    wafer: Wafer
    reuse_stale: bool = False
    code: CodeStamp = field(default_factory=code_stamp)

    def settings(self, tier: Tier, unit: RunUnit) -> str:
        """Everything besides the point and the code that determines a result.

        The tier, the wafer, the workload's settings, the tiers run with it in one
        stacked call and, for NEST, NEST's and PyNN's versions (a NEST point of
        another version is not found, so it is run again). (The unit's capacity
        scale sizes a buffer only and does not shape the draws, so it is not part
        of it.)
        """
        return repr(
            (
                tier,
                self.wafer.wafer_id,
                self.wafer.spec,
                self.wafer.defects,
                self.workload.settings,
                unit.names,
                simulator_versions(unit.backend),
            )
        )

    def _settings_path(self, tier: Tier, unit: RunUnit, point: Hashable) -> Path:
        """``points/<fingerprint>/<coordinates>.npz`` (the layout before stamps)."""
        assert self.out is not None
        return point_path(
            self.out,
            unit.backend,
            tier.name,
            self.workload,
            point,
            self.settings(tier, unit),
        )

    def path(self, tier: Tier, unit: RunUnit, point: Hashable) -> Path | None:
        """Where ``point`` of ``tier`` run in ``unit`` by this code is stored.

        ``None``: nowhere (the store has no folder).
        """
        if self.out is None:
            return None
        flat = self._settings_path(tier, unit, point)
        return flat.parent / self.code.tag / flat.name

    def _find(self, tier: Tier, unit: RunUnit, point: Hashable) -> _Found | None:
        """Return the stored file of a point: this code's, else the newest stale one."""
        if self.out is None:
            return None
        flat = self._settings_path(tier, unit, point)
        mine = flat.parent / self.code.tag / flat.name
        if mine.exists():
            return _Found(mine, self.code)
        if not flat.parent.is_dir():
            return None
        stale = [
            _Found(folder / flat.name, CodeStamp.from_tag(folder.name))
            for folder in flat.parent.iterdir()
            if (folder / flat.name).is_file()
        ]
        if flat.is_file():
            stale.append(_Found(flat, None))
        if not stale:
            return None
        return max(stale, key=lambda f: f.path.stat().st_mtime_ns)

    def computed_with(
        self, tier: Tier, unit: RunUnit, point: Hashable
    ) -> CodeStamp | None:
        """Return the code that computed the stored point :meth:`load` reads.

        ``None`` if none is stored, or it was written before points carried the
        code.
        """
        found = self._find(tier, unit, point)
        return None if found is None else found.code

    def load(self, tier: Tier, unit: RunUnit, point: Hashable) -> PointResult | None:
        """Load a finished point, or return ``None`` (always for a theory tier).

        Raises
        ------
        StaleResultsError
            If the point was stored by other code and the store does not
            ``reuse_stale``: the message names the file, both codes and the remedy.
        ResultsError
            If the stored file cannot be read (see
            :func:`experiments.runs.result.load_point`).
        """
        found = None if tier.behaviour.theory else self._find(tier, unit, point)
        if found is None:
            return None
        if found.code is None or not found.code.same_code(self.code):
            self._stale(found)
        return load_point(found.path, self.workload, point)

    def _stale(self, found: _Found) -> None:
        """Refuse a stale point, or (``reuse_stale``) say that it is reused."""
        assert self.out is not None
        other = (
            found.code.describe()
            if found.code is not None
            else "code that did not record its version (before stamped stores)"
        )
        where = found.path.relative_to(self.out)
        if not self.reuse_stale:
            raise StaleResultsError(
                f"{str(self.out)!r} holds points computed by other code: {where} "
                f"was computed by {other}, this is {self.code.describe()}; delete "
                f"{str(self.out / 'points')!r} to compute them again, or reuse "
                "them knowingly with --reuse-stale (reuse_stale=True)"
            )
        warnings.warn(
            StaleResultsWarning(
                f"reusing points computed by other code ({other}; this is "
                f"{self.code.describe()}) from {str(found.path.parent)!r}"
            ),
            stacklevel=3,
        )

    def save(
        self, tier: Tier, unit: RunUnit, point: Hashable, result: PointResult
    ) -> None:
        """Write a finished point atomically (if the store has a folder).

        A theory tier's point is not written (see the module docstring).
        """
        path = self.path(tier, unit, point)
        if path is not None and not tier.behaviour.theory:
            save_point(path, result)
