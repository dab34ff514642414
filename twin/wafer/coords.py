"""Chip-level coordinates of one BSS-1 wafer: HICANNs, reticles (DNCs) and their FPGAs.

The wafer is a 36 × 16 grid with the corners missing; exactly 384 positions hold a
HICANN. The enum is the row-major index into that list (y top to bottom, x left to
right). Reticles are 4 × 2 blocks of HICANNs; each reticle of a production wafer has
one FPGA. [halco ``hicann.h``, ``lookup_tables.cpp`` ``HICANNOnWaferGrid``,
``DNCOnWaferGrid``, ``reticle_fpga_grid_bss``]
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from twin.errors import WaferSpecError

__all__ = [
    "HICANNS",
    "N_HICANNS",
    "N_RETICLES",
    "RETICLES",
    "ROW_X_RANGES",
    "HICANNOnWafer",
    "ReticleOnWafer",
]

#: Inclusive x range of HICANNs in each row y = 0..15. [halco HICANNOnWaferGrid]
ROW_X_RANGES: Final[tuple[tuple[int, int], ...]] = (
    (12, 23), (12, 23), (8, 27), (8, 27), (4, 31), (4, 31),
    (0, 35), (0, 35), (0, 35), (0, 35),
    (4, 31), (4, 31), (8, 27), (8, 27), (12, 23), (12, 23),
)  # fmt: skip

_XY: Final = tuple((x, y) for y, (lo, hi) in enumerate(ROW_X_RANGES)
                   for x in range(lo, hi + 1))  # fmt: skip
_ENUM_OF_XY: Final = MappingProxyType({xy: e for e, xy in enumerate(_XY)})
N_HICANNS: Final = len(_XY)

#: Inclusive x range of reticles (DNCs) per reticle row y = 0..7. [halco DNCOnWaferGrid]
_RETICLE_ROW_X: Final = ((3, 5), (2, 6), (1, 7), (0, 8), (0, 8), (1, 7), (2, 6), (3, 5))
_RETICLE_XY: Final = tuple((x, y) for y, (lo, hi) in enumerate(_RETICLE_ROW_X)
                           for x in range(lo, hi + 1))  # fmt: skip
_RETICLE_ENUM_OF_XY: Final = MappingProxyType(
    {xy: e for e, xy in enumerate(_RETICLE_XY)}
)
N_RETICLES: Final = len(_RETICLE_XY)

#: FPGAOnWafer of each reticle, in reticle enum order. [halco reticle_fpga_grid_bss]
_FPGA_OF_RETICLE: Final = (
    12, 13, 11,
    16, 14, 15, 10, 9,
    20, 17, 19, 7, 6, 8, 3,
    22, 21, 23, 18, 5, 4, 0, 2, 1,
    25, 26, 24, 28, 43, 42, 47, 45, 46,
    27, 29, 30, 41, 40, 38, 44,
    31, 32, 39, 37, 36,
    33, 34, 35,
)  # fmt: skip


@dataclass(frozen=True, slots=True, order=True)
class HICANNOnWafer:
    """One HICANN chip, addressed by its (x, y) position on the wafer grid.

    Raises
    ------
    WaferSpecError
        If no HICANN sits at (x, y) (see :data:`ROW_X_RANGES`).

    Examples
    --------
    >>> HICANNOnWafer(18, 7).enum
    174
    >>> HICANNOnWafer.from_enum(276)
    HICANNOnWafer(x=16, y=10)
    """

    x: int
    y: int

    def __post_init__(self) -> None:
        if (self.x, self.y) not in _ENUM_OF_XY:
            raise WaferSpecError(
                f"no HICANN at (x={self.x}, y={self.y}); valid rows and x ranges: "
                f"{dict(enumerate(ROW_X_RANGES))}"
            )

    @classmethod
    def from_enum(cls, enum: int) -> HICANNOnWafer:
        """Return the HICANN with the given row-major enum (0..383).

        Raises
        ------
        WaferSpecError
            If ``enum`` is outside 0..383.
        """
        if not 0 <= enum < N_HICANNS:
            raise WaferSpecError(f"HICANN enum {enum} outside 0..{N_HICANNS - 1}")
        return cls(*_XY[enum])

    @staticmethod
    def exists(x: int, y: int) -> bool:
        """Return whether a HICANN sits at (x, y)."""
        return (x, y) in _ENUM_OF_XY

    @property
    def enum(self) -> int:
        """Row-major index of this chip, 0..383."""
        return _ENUM_OF_XY[(self.x, self.y)]

    def _step(self, dx: int, dy: int) -> HICANNOnWafer | None:
        xy = (self.x + dx, self.y + dy)
        return HICANNOnWafer(*xy) if xy in _ENUM_OF_XY else None

    def east(self) -> HICANNOnWafer | None:
        """Neighbour at x + 1, or ``None`` at the wafer edge."""
        return self._step(1, 0)

    def west(self) -> HICANNOnWafer | None:
        """Neighbour at x - 1, or ``None`` at the wafer edge."""
        return self._step(-1, 0)

    def north(self) -> HICANNOnWafer | None:
        """Neighbour at y - 1, or ``None`` at the wafer edge."""
        return self._step(0, -1)

    def south(self) -> HICANNOnWafer | None:
        """Neighbour at y + 1, or ``None`` at the wafer edge."""
        return self._step(0, 1)

    def neighbours(self) -> tuple[HICANNOnWafer, ...]:
        """Existing neighbours in the order east, west, north, south."""
        steps = (self.east(), self.west(), self.north(), self.south())
        return tuple(h for h in steps if h is not None)

    @property
    def reticle(self) -> ReticleOnWafer:
        """The reticle (DNC) holding this chip: ``(x // 4, y // 2)``."""
        return ReticleOnWafer(self.x // 4, self.y // 2)

    @property
    def fpga(self) -> int:
        """The FPGA (0..47) serving this chip's reticle."""
        return self.reticle.fpga


@dataclass(frozen=True, slots=True, order=True)
class ReticleOnWafer:
    """One reticle (= DNC) of 4 × 2 HICANNs, with one FPGA on production wafers.

    Raises
    ------
    WaferSpecError
        If no reticle sits at (x, y).

    Examples
    --------
    >>> ReticleOnWafer(6, 4).fpga
    47
    >>> [h.enum for h in ReticleOnWafer(3, 0).hicanns()]
    [0, 1, 2, 3, 12, 13, 14, 15]
    """

    x: int
    y: int

    def __post_init__(self) -> None:
        if (self.x, self.y) not in _RETICLE_ENUM_OF_XY:
            raise WaferSpecError(f"no reticle at (x={self.x}, y={self.y})")

    @classmethod
    def from_enum(cls, enum: int) -> ReticleOnWafer:
        """Return the reticle with the given row-major enum (0..47).

        Raises
        ------
        WaferSpecError
            If ``enum`` is outside 0..47.
        """
        if not 0 <= enum < N_RETICLES:
            raise WaferSpecError(f"reticle enum {enum} outside 0..{N_RETICLES - 1}")
        return cls(*_RETICLE_XY[enum])

    @property
    def enum(self) -> int:
        """Row-major index of this reticle, 0..47."""
        return _RETICLE_ENUM_OF_XY[(self.x, self.y)]

    @property
    def fpga(self) -> int:
        """FPGAOnWafer serving this reticle."""
        return _FPGA_OF_RETICLE[self.enum]

    def hicanns(self) -> tuple[HICANNOnWafer, ...]:
        """Return the 8 chips of this reticle, in HICANN enum order."""
        return tuple(
            HICANNOnWafer(4 * self.x + hx, 2 * self.y + hy)
            for hy in range(2)
            for hx in range(4)
        )


#: Every HICANN of the wafer, in enum order.
HICANNS: Final = tuple(HICANNOnWafer(x, y) for x, y in _XY)
#: Every reticle of the wafer, in enum order.
RETICLES: Final = tuple(ReticleOnWafer(x, y) for x, y in _RETICLE_XY)
