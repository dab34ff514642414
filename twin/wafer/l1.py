"""Layer-1 (L1) buses of a HICANN: lines, crossbar switches, repeater continuations.

Each chip has 64 horizontal lines (HLines) and 256 vertical lines (VLines; 0..127 the
left half, 128..255 the right half). A crossbar switch connects each HLine to 4 VLines
on each side, so each VLine meets exactly 2 HLines. Repeaters continue every line onto
the neighbouring chip with a shift of 2. Events carry a 6-bit L1 address; 0 is used for
locking and the four addresses with low nibble 0b0001 disable synapses, leaving 59.
[halco ``l1.h``/``l1.cpp``; marocco ``L1AddressPool``; calibtic
``SynapseDecoderDisablingSynapse``]
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple, TypeVar

import numpy as np

__all__ = [
    "N_HLINES",
    "N_VLINES",
    "RESERVED_L1_ADDRESSES",
    "USABLE_L1_ADDRESSES",
    "L1BusOnWafer",
    "crossbar_hlines",
    "crossbar_vlines",
    "hline_east",
    "hline_west",
    "is_right_vline",
    "sending_hline",
    "vline_north",
    "vline_south",
]

N_HLINES: Final = 64
N_VLINES: Final = 256
_HALF: Final = N_VLINES // 2
_SWITCH_OFFSETS: Final = (0, 32, 64, 96)

_Line = TypeVar("_Line", int, np.ndarray)

#: Address 0 (repeater and driver locking) and the 4 synapse-disabling addresses.
RESERVED_L1_ADDRESSES: Final = frozenset({0, 1, 17, 33, 49})
#: The 59 addresses a source bus gives to neurons, highest first (marocco high_first).
USABLE_L1_ADDRESSES: Final = tuple(
    a for a in range(63, -1, -1) if a not in RESERVED_L1_ADDRESSES
)


class L1BusOnWafer(NamedTuple):
    """One L1 line on one chip: a node of the wafer's L1 bus graph.

    A ``NamedTuple`` rather than a dataclass: the graph has ~123,000 of these nodes and
    tuple hashing keeps building it fast.

    Attributes
    ----------
    hicann
        Enum of the chip (0..383).
    orientation
        ``"H"`` for a horizontal line, ``"V"`` for a vertical line.
    line
        HLine 0..63 or VLine 0..255.
    """

    hicann: int
    orientation: Literal["H", "V"]
    line: int


def is_right_vline(v: _Line) -> _Line:
    """Return whether VLine ``v`` lies in the chip's right half (VLines 128..255).

    The one definition of the VLine side rule: left-half lines are 0..127 [halco
    ``l1.h`` VLineOnHICANN]. Works element-wise on an integer array.

    Parameters
    ----------
    v
        VLine index 0..255, or an integer array of them.

    Returns
    -------
    bool or numpy.ndarray
        ``True`` where the line is in the right half (a boolean array for an array).

    Examples
    --------
    >>> is_right_vline(127), is_right_vline(128)
    (False, True)
    >>> is_right_vline(np.array([0, 200])).tolist()
    [False, True]
    """
    return v >= _HALF


def crossbar_vlines(h: int) -> tuple[int, ...]:
    """Return the 8 VLines an HLine reaches through crossbar switches (4 per side).

    Examples
    --------
    >>> crossbar_vlines(0)
    (31, 63, 95, 127, 128, 160, 192, 224)
    """
    left = tuple(31 - h // 2 + off for off in _SWITCH_OFFSETS)
    right = tuple(_HALF + h // 2 + off for off in _SWITCH_OFFSETS)
    return left + right


def crossbar_hlines(v: int) -> tuple[int, int]:
    """Return the 2 HLines a VLine reaches through crossbar switches.

    Examples
    --------
    >>> crossbar_hlines(31), crossbar_hlines(128)
    ((0, 1), (0, 1))
    """
    base = 2 * (v % 32) if is_right_vline(v) else 2 * ((63 - v) % 32)
    return base, base + 1


def hline_east(h: int) -> int:
    """Return the line that HLine ``h`` continues as on the east neighbour."""
    return (h + 2) % N_HLINES


def hline_west(h: int) -> int:
    """Return the line that HLine ``h`` continues as on the west neighbour."""
    return (h - 2) % N_HLINES


def vline_north(v: int) -> int:
    """Return the line that VLine ``v`` continues as on the north neighbour."""
    if is_right_vline(v):
        return _HALF + (v - _HALF - 2) % _HALF
    return (v + 2) % _HALF


def vline_south(v: int) -> int:
    """Return the line that VLine ``v`` continues as on the south neighbour."""
    if is_right_vline(v):
        return _HALF + (v - _HALF + 2) % _HALF
    return (v - 2) % _HALF


def sending_hline(dnc_merger: int) -> int:
    """Return the HLine driven by DNC merger ``d`` through sending repeater ``7 - d``.

    Raises
    ------
    ValueError
        If ``dnc_merger`` is outside 0..7.

    Examples
    --------
    >>> sending_hline(0), sending_hline(7)
    (62, 6)
    """
    if not 0 <= dnc_merger < 8:
        raise ValueError(f"DNC merger {dnc_merger} outside 0..7")
    return 62 - 8 * dnc_merger
