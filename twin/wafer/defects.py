"""``Defects``: the components of a wafer that cannot be used; JSON I/O; a generator.

Components are named by chip enum and on-chip index. A defective chip is present but
unusable (or absent); every component on it is unusable too. The synthetic generator
draws a reproducible defect map from per-component rates (see :data:`DEFAULT_RATES`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import numpy as np

from twin.errors import DefectError
from twin.files import atomic_write_text
from twin.wafer.coords import HICANNS, N_HICANNS
from twin.wafer.l1 import N_HLINES, N_VLINES
from twin.wafer.neurons import N_DENMEMS, N_DNC_MERGERS
from twin.wafer.synapse import N_DRIVERS, N_SWITCH_ROWS

__all__ = ["DEFAULT_RATES", "NO_HIGHSPEED_FPGAS", "Defects", "synthetic_defects"]

_FORMAT: Final = "bss1-twin-defects"
# Component kind -> number of such components per chip (None: chip-level or FPGA-level).
_PER_CHIP: Final = MappingProxyType(
    {
        "denmems": N_DENMEMS,
        "hlines": N_HLINES,
        "vlines": N_VLINES,
        "drivers": N_DRIVERS,
        "dnc_mergers": N_DNC_MERGERS,
        "switch_rows": N_SWITCH_ROWS,
    }
)

#: Default per-component defect probabilities of :func:`synthetic_defects`.
#: No per-component defect statistics of BSS-1 wafers are published (see
#: ``bss1_hardware.md`` §4.9 and §6); these are stated assumptions, chosen as small,
#: round rates of the same order as the public hints: one of 384 chips is missing
#: ("383 HICANN chips on a wafer"), calibration blacklists single denmems, and the
#: hardware database lists FPGAs 5 and 43 without high-speed (L2) links.
DEFAULT_RATES: Final = MappingProxyType(
    {
        "hicanns": 0.01,  # chips unusable beyond the one always missing
        "denmems": 0.03,  # failed calibration -> blacklisted denmem
        "hlines": 0.01,
        "vlines": 0.01,
        "drivers": 0.01,
        "dnc_mergers": 0.01,
        "switch_rows": 0.0,  # not drawn by default (see twin.wafer.wafer30)
    }
)
_MISSING_HICANN: Final = 383  # the one missing position of a "383 chip" wafer (choice)
#: FPGAs without high-speed (L2) links on production wafers, e.g. wafers 20 and 30.
NO_HIGHSPEED_FPGAS: Final = frozenset({5, 43})  # [hwdb db.yaml, highspeed: false]

Pairs = frozenset[tuple[int, int]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Defects:
    """Unusable components of a wafer.

    Parameters
    ----------
    hicanns
        Enums of unusable chips.
    denmems, hlines, vlines, drivers, dnc_mergers
        ``(chip enum, index on chip)`` pairs of unusable components.
    switch_rows
        ``(chip enum, switch row)`` pairs of synapse-switch rows that cannot be
        configured (switch RAM): no VLine reaches the driver behind the row through
        it (index :func:`~twin.wafer.synapse.switch_row_index`). The driver itself
        stays usable through its other switch row and as a chain member.
    fpgas_without_highspeed
        FPGAs whose high-speed (L2) links do not work: their reticles get no external
        input and no spike recording.

    Raises
    ------
    DefectError
        If a chip enum is outside 0..383, an FPGA outside 0..47, or an on-chip
        index outside the range of its component kind.

    Examples
    --------
    >>> d = Defects(hicanns=frozenset({3}), vlines=frozenset({(5, 17)}))
    >>> d.is_hicann_usable(3), d.is_hicann_usable(4)
    (False, True)
    """

    hicanns: frozenset[int] = frozenset()
    denmems: Pairs = frozenset()
    hlines: Pairs = frozenset()
    vlines: Pairs = frozenset()
    drivers: Pairs = frozenset()
    dnc_mergers: Pairs = frozenset()
    fpgas_without_highspeed: frozenset[int] = frozenset()
    switch_rows: Pairs = frozenset()

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, frozenset(getattr(self, f.name)))
        _check_range("hicanns", self.hicanns, N_HICANNS)
        _check_range("fpgas_without_highspeed", self.fpgas_without_highspeed, 48)
        for kind, count in _PER_CHIP.items():
            pairs = getattr(self, kind)
            _check_range(f"{kind} (chip)", {int(h) for h, _ in pairs}, N_HICANNS)
            _check_range(kind, {int(i) for _, i in pairs}, count)

    def is_hicann_usable(self, hicann: int) -> bool:
        """Return whether chip ``hicann`` (enum) can be used at all."""
        return hicann not in self.hicanns

    def on_hicann(self, kind: str, hicann: int) -> frozenset[int]:
        """Return the defective on-chip indices of one kind (``"denmems"``, ...)."""
        return frozenset(i for h, i in getattr(self, kind) if h == hicann)

    def union(self, other: Defects) -> Defects:
        """Return the defects of both maps."""
        return Defects(
            **{
                f.name: getattr(self, f.name) | getattr(other, f.name)
                for f in fields(self)
            }
        )

    def to_json(self) -> str:
        """Serialise to a JSON document (sorted, so equal maps give equal text)."""
        doc: dict[str, Any] = {"format": _FORMAT, "version": 1}
        for f in fields(self):
            doc[f.name] = sorted(
                list(v) if isinstance(v, tuple) else v for v in getattr(self, f.name)
            )
        return json.dumps(doc, indent=1)

    @classmethod
    def from_json(cls, text: str, *, source: str = "<string>") -> Defects:
        """Parse a document written by :meth:`to_json`.

        Raises
        ------
        DefectError
            If ``text`` is not valid JSON, not a defect map (no ``"format"`` marker),
            has unknown keys, or holds a malformed or out-of-range entry; the
            message starts with ``source``.
        """
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            raise DefectError(
                f"{source}: not valid JSON ({err}); fix the file"
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            raise DefectError(
                f'{source}: not a defect map (missing "format": "{_FORMAT}"); '
                "write it with Defects.save or `twin wafer --save-defects`"
            )
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(doc) - names - {"format", "version"})
        if unknown:
            raise DefectError(
                f"{source}: unknown keys {unknown}; known: {sorted(names)}"
            )
        try:
            values = {
                k: frozenset(
                    tuple(v) if isinstance(v, list) else v for v in doc.get(k, [])
                )
                for k in names
            }
            return cls(**values)  # type: ignore[arg-type]
        except (TypeError, ValueError) as err:
            if isinstance(err, DefectError):
                raise DefectError(f"{source}: {err}") from None
            raise DefectError(f"{source}: malformed entry ({err})") from None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the map to ``path`` as JSON (atomically)."""
        return atomic_write_text(path, self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Defects:
        """Read a map written by :meth:`save`.

        Raises
        ------
        DefectError
            If the file cannot be read or its content is not a valid defect map
            (see :meth:`from_json`).
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise DefectError(
                f"cannot read defect file {os.fspath(path)!r}: {err.strerror}"
            ) from None
        return cls.from_json(text, source=os.fspath(path))


def _check_range(name: str, values: Any, size: int) -> None:
    bad = sorted(int(v) for v in values if not 0 <= int(v) < size)
    if bad:
        raise DefectError(
            f"defects.{name}: {bad[:5]} outside 0..{size - 1}; fix the defect map"
        )


def synthetic_defects(
    seed: int | np.random.Generator = 0,
    rates: MappingProxyType[str, float] | dict[str, float] = DEFAULT_RATES,
) -> Defects:
    """Draw a reproducible synthetic defect map.

    Chip ``383`` is always missing and FPGAs 5 and 43 have no high-speed links (the
    public facts); every other component fails independently with its rate.

    Parameters
    ----------
    seed
        Seed or generator; the same seed gives the same map.
    rates
        Component kind -> defect probability (keys of :data:`DEFAULT_RATES`).

    Returns
    -------
    Defects

    Raises
    ------
    DefectError
        If ``rates`` names a component kind not in :data:`DEFAULT_RATES`.

    Examples
    --------
    >>> synthetic_defects(1) == synthetic_defects(1)
    True
    """
    rng = np.random.default_rng(seed)
    unknown = sorted(set(rates) - set(DEFAULT_RATES))
    if unknown:
        raise DefectError(
            f"unknown defect kinds {unknown}; use {sorted(DEFAULT_RATES)}"
        )
    chips = rng.random(len(HICANNS)) < rates.get("hicanns", 0.0)
    bad_chips = {int(i) for i in np.flatnonzero(chips)} | {_MISSING_HICANN}
    per_kind = {}
    for kind, count in _PER_CHIP.items():
        hit = rng.random((N_HICANNS, count)) < rates.get(kind, 0.0)
        per_kind[kind] = frozenset(
            (int(h), int(i)) for h, i in zip(*np.nonzero(hit), strict=True)
        )
    return Defects(
        hicanns=frozenset(bad_chips),
        fpgas_without_highspeed=NO_HIGHSPEED_FPGAS,
        **per_kind,
    )
