"""A wafer-30-like defect map: the production blacklisting rules with assumed rates.

The production flow blacklists wafer components in layers: digital tests (chips,
repeaters, synapse drivers, switch RAM, sending repeaters and mergers), calibration
(a denmem without a complete calibration is blacklisted), and derived rules that
extend the list. :func:`wafer30_defects` draws the tested components at the rates of
:data:`WAFER30_RATES` and then applies the documented rules:

1. FPGAs 5 and 43 of wafer 30 have no high-speed link [hwdb ``db.yaml``]; all neurons
   and DNC mergers of their 16 chips are disabled [cake
   ``tools/cake_extend_hicann_neuron_and_dnc_blacklist_by_blacklisting.py``].
2. Synapse drivers 110-113 do not work on HICANN v4 and are disabled on every chip
   [cake ``tools/cake_extend_hicann_syndrvs_blacklist.py``].
3. Lines of the edge chips whose far end is connected, by post-processing, to a
   reticle without FPGA are disabled [cake
   ``tools/cake_extend_hicann_buses_blacklist_by_pp.py``].
4. A repeater block with more than one defective repeater is disabled as a whole
   [cake ``tools/cake_extend_hicann_repeater_blacklist_by_blacklisting.py``]; a
   defective repeater disables the line it belongs to and the neighbour's line it
   joins [cake ``tools/cake_extend_hicann_buses_blacklist_by_blacklisting.py``].
5. A chip with a defective floating-gate block is disabled as a whole [cake
   ``tools/cake_extend_hicann_blacklist_by_fgblock_blacklisting.py``]: part of the
   chip rate.

A defective sending repeater leaves its DNC merger without output, so both are drawn
as ``dnc_mergers``. Chip 383 is kept: wafer 30 powers all 48 reticles [hwdb
``db.yaml``], and why public texts count 383 chips is not documented.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

import numpy as np

from twin.errors import DefectError
from twin.wafer.coords import HICANNS, N_HICANNS
from twin.wafer.defects import NO_HIGHSPEED_FPGAS, Defects
from twin.wafer.l1 import (
    N_HLINES,
    N_VLINES,
    hline_east,
    hline_west,
    is_right_vline,
    vline_north,
    vline_south,
)
from twin.wafer.neurons import N_DENMEMS, N_DNC_MERGERS
from twin.wafer.synapse import N_DRIVERS, N_SWITCH_ROWS

__all__ = [
    "POSTPROCESSING_EDGES",
    "V4_BROKEN_DRIVERS",
    "WAFER30_RATES",
    "escalate_blocks",
    "repeater_blocks",
    "repeater_lines",
    "wafer30_defects",
]

#: Failure probability of each tested component (per chip, denmem, driver, switch
#: row, DNC merger, repeater). No per-component statistics of wafer 30 are public
#: (``bss1_hardware.md`` §4.9, §6): every rate is an assumption, a small round number
#: of the order the public hints allow (one chip in 384 missing from the public
#: count; 230 of 383 chips used by the synfire-chain demo).
WAFER30_RATES: Final = MappingProxyType(
    {
        "hicanns": 0.01,  # chip unusable: communication or a floating-gate block
        "denmems": 0.03,  # calibration incomplete -> denmem blacklisted
        "drivers": 0.01,  # synapse driver fails its test
        "switch_rows": 0.01,  # synapse-switch RAM row cannot be written
        "dnc_mergers": 0.01,  # DNC merger or its sending repeater fails
        "repeaters": 0.002,  # L1 repeater fails (rule 4 then applies)
    }
)
#: Drivers disabled on every HICANN v4. [cake cake_extend_hicann_syndrvs_blacklist.py]
V4_BROKEN_DRIVERS: Final = (110, 111, 112, 113)
#: Edge chips whose far line ends meet reticles without FPGA, by direction.
#: [cake cake_extend_hicann_buses_blacklist_by_pp.py]
POSTPROCESSING_EDGES: Final = MappingProxyType(
    {
        "west": (0, 12, 24, 44, 320, 340, 360, 372),
        "east": (11, 23, 43, 63, 339, 359, 371, 383),
        "north": (*range(24, 28), *range(64, 68), *range(40, 44), *range(88, 92)),
        "south": (
            *range(292, 296),
            *range(340, 344),
            *range(316, 320),
            *range(356, 360),
        ),
    }
)
_OPPOSITE: Final = MappingProxyType(
    {"west": "east", "east": "west", "north": "south", "south": "north"}
)


def _repeater_direction(orientation: str, line: int) -> str:
    """Return the neighbour a line's own repeater joins it to.

    HLines: even lines have their repeater on the left (west), odd on the right
    [halco ``l1.h`` HRepeaterOnHICANN]. VLines: left-half odd and right-half even lines
    have it at the top (north), the others at the bottom [halco ``l1.cpp``
    ``VLineOnHICANN::toVRepeaterOnHICANN``].
    """
    if orientation == "H":
        return "west" if line % 2 == 0 else "east"
    left = not is_right_vline(line)
    return "north" if (line % 2 == 1) == left else "south"


def repeater_blocks() -> tuple[np.ndarray, np.ndarray]:
    """Return the repeater block (0..5) of each HLine's and each VLine's repeater.

    Blocks: 0 and 1 are the middle-left and middle-right H-repeater blocks, 2..5 the
    V-repeater blocks top-left, bottom-left, top-right, bottom-right (left = VLines
    0..127). [halco ``l1.h`` RepeaterBlockOnHICANN]

    Returns
    -------
    h_block, v_block
        Shapes ``(64,)`` and ``(256,)``.

    Examples
    --------
    >>> h, v = repeater_blocks()
    >>> int(h[0]), int(h[1]), int(v[0]), int(v[1]), int(v[128])
    (0, 1, 3, 2, 4)
    """
    h = np.array([_repeater_direction("H", x) == "east" for x in range(N_HLINES)])
    v = np.array(
        [
            2 + 2 * is_right_vline(x) + (_repeater_direction("V", x) == "south")
            for x in range(N_VLINES)
        ]
    )
    return h.astype(np.int64), v.astype(np.int64)


def escalate_blocks(bad: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Disable every repeater of a block that holds more than one defective repeater.

    Parameters
    ----------
    bad
        Defective repeaters, shape ``(n_chips, n_repeaters)``.
    block
        Block of each repeater, shape ``(n_repeaters,)`` (see
        :func:`repeater_blocks`).

    Returns
    -------
    numpy.ndarray
        ``bad`` with the escalated blocks set, same shape.

    Examples
    --------
    >>> bad = np.array([[1, 1, 0, 0], [1, 0, 0, 1]], dtype=bool)
    >>> escalate_blocks(bad, block=np.array([0, 0, 0, 1]))
    array([[ True,  True,  True, False],
           [ True, False, False,  True]])
    """
    n_blocks = int(block.max()) + 1
    counts = np.stack([bad[:, block == b].sum(axis=1) for b in range(n_blocks)], 1)
    return bad | (counts[:, block] > 1)


def _neighbour(chip: int, direction: str) -> int | None:
    other = getattr(HICANNS[chip], direction)()
    return None if other is None else int(other.enum)


def repeater_lines(
    bad_h: np.ndarray, bad_v: np.ndarray
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Return the (chip, line) HLines and VLines that defective repeaters disable.

    A repeater joins its own line to the neighbour's continuation of it (HLine ``h``
    to ``h - 2`` on the west for even ``h``, to ``h + 2`` on the east for odd ``h``;
    VLines to the north or south, :func:`repeater_blocks`); both lines go.

    Parameters
    ----------
    bad_h, bad_v
        Defective H and V repeaters (indexed by their line), shapes
        ``(384, 64)`` and ``(384, 256)``.

    Returns
    -------
    hlines, vlines
        Sets of ``(chip enum, line)``.
    """
    shift = {"west": hline_west, "east": hline_east}
    shift_v = {"north": vline_north, "south": vline_south}
    hlines: set[tuple[int, int]] = set()
    vlines: set[tuple[int, int]] = set()
    for lines, bad, shifts, kind in (
        (hlines, bad_h, shift, "H"),
        (vlines, bad_v, shift_v, "V"),
    ):
        for chip, line in zip(*np.nonzero(bad), strict=True):
            lines.add((int(chip), int(line)))
            direction = _repeater_direction(kind, int(line))
            other = _neighbour(int(chip), direction)
            if other is not None:
                lines.add((other, shifts[direction](int(line))))
    return hlines, vlines


def _edge_lines() -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Return the HLines and VLines disabled by the post-processing rule (rule 3)."""
    hlines: set[tuple[int, int]] = set()
    vlines: set[tuple[int, int]] = set()
    for direction, chips in POSTPROCESSING_EDGES.items():
        own = _OPPOSITE[direction]  # the far end faces ``direction``
        for chip in chips:
            hlines |= {
                (chip, h) for h in range(N_HLINES) if _repeater_direction("H", h) == own
            }
            vlines |= {
                (chip, v) for v in range(N_VLINES) if _repeater_direction("V", v) == own
            }
    return hlines, vlines


def _pairs(hit: np.ndarray) -> frozenset[tuple[int, int]]:
    return frozenset((int(c), int(i)) for c, i in zip(*np.nonzero(hit), strict=True))


def wafer30_defects(
    seed: int | np.random.Generator = 0,
    rates: MappingProxyType[str, float] | dict[str, float] = WAFER30_RATES,
) -> Defects:
    """Draw a wafer-30-like defect map: tested components at ``rates``, then the rules.

    Parameters
    ----------
    seed
        Seed or generator; the same seed gives the same map. Every kind is drawn in a
        fixed order whatever its rate, so changing one rate leaves the others' draws
        unchanged.
    rates
        Component kind -> failure probability; kinds of :data:`WAFER30_RATES` (a
        missing kind has rate 0).

    Returns
    -------
    Defects
        With ``fpgas_without_highspeed = {5, 43}``.

    Raises
    ------
    DefectError
        If ``rates`` names a kind not in :data:`WAFER30_RATES` or a rate is not a
        probability in [0, 1].

    Examples
    --------
    >>> d = wafer30_defects(1)
    >>> d == wafer30_defects(1), (7, 112) in d.drivers
    (True, True)
    """
    unknown = sorted(set(rates) - set(WAFER30_RATES))
    if unknown:
        raise DefectError(
            f"unknown wafer-30 defect kinds {unknown}; use {sorted(WAFER30_RATES)}"
        )
    bad_rate = {k: v for k, v in rates.items() if not 0 <= v <= 1}
    if bad_rate:
        raise DefectError(
            f"wafer-30 defect rates {bad_rate} are not probabilities; give values "
            "in [0, 1]"
        )
    rng = np.random.default_rng(seed)

    def draw(kind: str, count: int) -> np.ndarray:
        return rng.random((N_HICANNS, count)) < rates.get(kind, 0.0)

    chips = draw("hicanns", 1)[:, 0]
    denmems, drivers = draw("denmems", N_DENMEMS), draw("drivers", N_DRIVERS)
    switch_rows = draw("switch_rows", N_SWITCH_ROWS)
    mergers = draw("dnc_mergers", N_DNC_MERGERS)
    h_block, v_block = repeater_blocks()
    bad_h = escalate_blocks(draw("repeaters", N_HLINES), h_block)
    bad_v = escalate_blocks(draw("repeaters", N_VLINES), v_block)
    no_link = [h.enum for h in HICANNS if h.fpga in NO_HIGHSPEED_FPGAS]
    denmems[no_link] = True
    mergers[no_link] = True
    drivers[:, list(V4_BROKEN_DRIVERS)] = True
    hlines, vlines = repeater_lines(bad_h, bad_v)
    edge_h, edge_v = _edge_lines()
    return Defects(
        hicanns=frozenset(int(c) for c in np.flatnonzero(chips)),
        denmems=_pairs(denmems),
        hlines=frozenset(hlines | edge_h),
        vlines=frozenset(vlines | edge_v),
        drivers=_pairs(drivers),
        dnc_mergers=_pairs(mergers),
        switch_rows=_pairs(switch_rows),
        fpgas_without_highspeed=NO_HIGHSPEED_FPGAS,
    )
