"""Synapse drivers and synapse switches: how a vertical L1 line reaches synapse rows.

A chip has 224 synapse-driver lines; each line ``y`` has its driver on one side (top
half: even y right, odd y left; bottom half: even y left, odd y right). Each driver
feeds 2 synapse rows. A VLine reaches 28 switch rows (14 top, 14 bottom); a switch row
feeds the local driver on that side if it exists, otherwise the driver of the same line
on the neighbouring chip (west for left rows, east for right rows). So every VLine
reaches 14 local drivers plus 14 on its neighbour. [halco ``synapse.h``/``synapse.cpp``,
``l1.cpp`` SynapseSwitch, SynapseSwitchRowOnWafer::toSynapseDriverOnWafer]
"""

from __future__ import annotations

from typing import Final, Literal

from twin.wafer.l1 import N_VLINES, is_right_vline

__all__ = [
    "N_DRIVERS",
    "N_SWITCH_ROWS",
    "ROWS_PER_DRIVER",
    "driver_side",
    "switch_row_index",
    "switch_rows",
    "vline_driver_reach",
]

N_DRIVERS: Final = 224
ROWS_PER_DRIVER: Final = 2
#: Synapse-switch rows per chip: one per driver line on each side (left, right).
N_SWITCH_ROWS: Final = 2 * N_DRIVERS
_HALF_DRIVERS: Final = N_DRIVERS // 2
Side = Literal["left", "right"]


def driver_side(y: int) -> Side:
    """Return the side of the chip on which driver line ``y`` has its driver.

    Examples
    --------
    >>> driver_side(0), driver_side(1), driver_side(112), driver_side(113)
    ('right', 'left', 'left', 'right')
    """
    even = y % 2 == 0
    top = y < _HALF_DRIVERS
    return "right" if even == top else "left"


def switch_row_index(side: Side, y: int) -> int:
    """Return the index of switch row ``(side, y)`` on its chip: left y, right 224 + y.

    Examples
    --------
    >>> switch_row_index("left", 5), switch_row_index("right", 5)
    (5, 229)
    """
    return N_DRIVERS * (side == "right") + y


def _top_rows_of_left_vline(v: int) -> tuple[int, ...]:
    return tuple(16 * (n // 2) + n % 2 + 2 * ((v % 32) // 4) for n in range(14))


def switch_rows(v: int) -> tuple[tuple[Side, int], ...]:
    """Return the 28 synapse-switch rows ``(side, y)`` that VLine ``v`` reaches.

    Examples
    --------
    >>> rows = switch_rows(0)
    >>> len(rows), rows[0], rows[-1]
    (28, ('left', 0), ('left', 223))
    """
    right = is_right_vline(v)
    side: Side = "right" if right else "left"
    mirror = N_VLINES - 1 - v if right else v
    top = _top_rows_of_left_vline(mirror)
    bottom = tuple(N_DRIVERS - 1 - top[13 - n] for n in range(14))
    return tuple((side, y) for y in top + bottom)


def vline_driver_reach(v: int) -> tuple[tuple[int, int], ...]:
    """Return the drivers VLine ``v`` reaches as ``(dx, y)`` pairs.

    ``dx`` is 0 for a driver on the same chip, -1 for the west neighbour (left VLines)
    and +1 for the east neighbour (right VLines); ``y`` is the driver line.

    Examples
    --------
    >>> reach = vline_driver_reach(5)
    >>> sum(dx == 0 for dx, _ in reach), sum(dx == -1 for dx, _ in reach)
    (14, 14)
    """
    result = []
    for side, y in switch_rows(v):
        if driver_side(y) == side:
            result.append((0, y))
        else:
            result.append((-1 if side == "left" else 1, y))
    return tuple(result)
