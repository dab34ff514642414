"""``MappingConfig``: every choice a mapping run makes, frozen and validated."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final, Literal

import numpy as np

from twin.errors import ConfigError
from twin.wafer.bandwidth import BANDWIDTH, Bandwidth
from twin.wafer.coords import N_HICANNS
from twin.wafer.neurons import check_neuron_size

__all__ = [
    "PROFILES",
    "MappingConfig",
    "PlacementStrategy",
    "RouteOrder",
    "Router",
    "STPClasses",
]

PlacementStrategy = Literal["enum", "spiral", "cluster"]
Router = Literal["backbone", "shortest"]
RouteOrder = Literal["synapses", "coordinate"]
_STRATEGIES = ("enum", "spiral", "cluster")
_ROUTERS = ("backbone", "shortest")
_ROUTE_ORDERS = ("synapses", "coordinate")
STPClasses = Literal["mode_and_u", "mode"]
_STP_CLASSES = ("mode_and_u", "mode")


def _is_int(value: object) -> bool:
    """Return whether ``value`` is an integer (``bool`` is not)."""
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


def _check_int(name: str, value: object, remedy: str) -> None:
    """Raise :class:`ConfigError` if option ``name`` is not an integer.

    Raises
    ------
    ConfigError
        If ``value`` is not an ``int`` (or numpy integer).
    """
    if not _is_int(value):
        raise ConfigError(
            f"MappingConfig: {name} = {value!r} is not an integer; give {remedy}"
        )


def _isolate_entries(isolate: Iterable[object]) -> tuple[tuple[str, int], ...]:
    """Return the ``(population, index)`` pairs of ``isolate``, checked.

    Raises
    ------
    ConfigError
        If an entry is not a (name, index) pair, an index is negative or not an
        integer, or a neuron is listed twice.
    """
    out: list[tuple[str, int]] = []
    seen: set[tuple[str, int]] = set()
    for entry in isolate:
        pair = tuple(entry) if isinstance(entry, Iterable) else (entry,)
        if len(pair) != 2 or not isinstance(pair[0], str) or not _is_int(pair[1]):
            raise ConfigError(
                f"MappingConfig: isolate entry {entry!r} is not a (population, "
                "index) pair; give e.g. ('exc', 0)"
            )
        pop, index = pair[0], int(pair[1])
        if index < 0:
            raise ConfigError(
                f"MappingConfig: isolate entry ({pop!r}, {index}) has a negative "
                "index; give positions within the population (0, 1, ...)"
            )
        if (pop, index) in seen:
            raise ConfigError(
                f"MappingConfig: isolate lists ({pop!r}, {index}) twice; list each "
                "neuron once"
            )
        seen.add((pop, index))
        out.append((pop, index))
    return tuple(out)


def _pin_entries(
    pins: Iterable[tuple[str, Iterable[int]]],
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Return the ``(population, chip enums)`` pairs of ``pins``, checked.

    Raises
    ------
    ConfigError
        If a population is pinned twice or to no chip, a chip id is not an integer in
        ``0..N_HICANNS-1``, or a chip is listed twice (in one pin or in two).
    """
    out: list[tuple[str, tuple[int, ...]]] = []
    owner: dict[int, str] = {}
    for pop, chips in pins:
        if pop in dict(out):
            raise ConfigError(
                f"MappingConfig: population {pop!r} is pinned twice; give all its "
                "chips in one pin"
            )
        enums = tuple(chips)
        if not enums:
            raise ConfigError(
                f"MappingConfig: population {pop!r} is pinned to no chip; give at "
                "least one chip enum or drop the pin"
            )
        for enum in enums:
            if not _is_int(enum) or not 0 <= enum < N_HICANNS:
                raise ConfigError(
                    f"MappingConfig: population {pop!r} is pinned to chip {enum!r}; "
                    f"give chip enums in 0..{N_HICANNS - 1}"
                )
            if int(enum) in owner:
                raise ConfigError(
                    f"MappingConfig: chip {enum} is pinned twice (population "
                    f"{owner[int(enum)]!r} and {pop!r}); a pinned chip holds one "
                    "population, list it once"
                )
            owner[int(enum)] = pop
        out.append((pop, tuple(int(e) for e in enums)))
    return tuple(out)


def _check_isolated_not_pinned(
    isolate: tuple[tuple[str, int], ...], pins: tuple[tuple[str, tuple[int, ...]], ...]
) -> None:
    """Reject isolating a neuron of a pinned population (the two contradict).

    Raises
    ------
    ConfigError
        If an isolated neuron belongs to a pinned population.
    """
    pinned = {pop for pop, _ in pins}
    for pop, index in isolate:
        if pop in pinned:
            raise ConfigError(
                f"MappingConfig: isolate entry ({pop!r}, {index}) is in a pinned "
                "population; a neuron is either pinned with its population or "
                "isolated, drop one of the two"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class MappingConfig:
    """Settings of :func:`twin.routing.map_network`.

    Parameters
    ----------
    neuron_size
        Denmems per logical neuron (even, 2..64; the seed uses 8).
    strategy
        Chip order for neuron placement: ``"enum"`` (ascending chip enum, marocco's
        default), ``"spiral"`` (outwards from the wafer centre) or ``"cluster"``
        (spiral chips, neurons ordered by connectivity with reverse Cuthill-McKee).
    isolate
        ``(population, index)`` pairs placed alone, one per chip (the seed's
        recording trick); each neuron once, indices >= 0 (and below the population's
        size: checked against the network by the placement).
    pins
        ``(population, chip enums)`` pairs: the population is placed on exactly
        those chips (``on_hicann``), which no other population uses; each
        population and each chip once.
    router
        L1 routing algorithm: ``"backbone"`` or ``"shortest"``.
    driver_chain_length
        Maximum adjacent synapse drivers sharing one L1 input (marocco default 3).
    bandwidth
        Rate limits used by input placement (with their utilisation factor).
    input_rate_scale
        Source rates are multiplied by this when planning input bandwidth (plan for
        the highest rate of a sweep, as the seed did for eta = 3.2).
    max_neurons_per_hicann
        Cap on neurons per chip (``None``: as many as fit). The default, 59, keeps
        every chip's neurons on a single source bus (59 usable L1 addresses): fewer
        buses compete for the synapse drivers of each target chip (seed network,
        perfect wafer: 4.2 % loss at 59, 11.4 % without a cap; BENCHMARKS.md).
    inputs_on_neuron_chips
        Let input placement put sources on chips that hold neurons as readily as on
        others (marocco's behaviour). By default those chips come last.
    route_order
        Order in which L1 routing serves the source buses: ``"synapses"`` (most
        synapses first) or ``"coordinate"`` (ascending bus id, i.e. chip enum then
        DNC merger: marocco's order when every projection has its default
        priority).
    stp_classes
        What a synapse driver's short-term plasticity setting separates
        (:mod:`twin.routing.stp_drivers`): ``"mode_and_u"`` (mode and U_SE
        capacitor setting: each synapse gets the level nearest its U) or ``"mode"``
        (mode only, as marocco counts drivers: fewer drivers, and each driver's U_SE
        is chosen for its synapses by the hardware tier).

    Raises
    ------
    ConfigError
        If an option is of the wrong type or out of range: an unknown strategy,
        router or route order, ``driver_chain_length`` outside 1..56,
        ``input_rate_scale`` not finite and > 0, ``max_neurons_per_hicann`` < 1, a
        malformed, negative or repeated ``isolate`` entry, a pin with no chip, a chip
        outside the wafer or listed twice, a population pinned twice, or an isolated
        neuron of a pinned population.
    WaferSpecError
        If ``neuron_size`` is not an even number in 2..64.
    """

    neuron_size: int = 8
    strategy: PlacementStrategy = "spiral"
    isolate: tuple[tuple[str, int], ...] = ()
    pins: tuple[tuple[str, tuple[int, ...]], ...] = ()
    router: Router = "backbone"
    driver_chain_length: int = 3
    bandwidth: Bandwidth = BANDWIDTH
    input_rate_scale: float = 1.0
    max_neurons_per_hicann: int | None = 59
    inputs_on_neuron_chips: bool = False
    route_order: RouteOrder = "synapses"
    stp_classes: STPClasses = "mode_and_u"

    def __post_init__(self) -> None:
        _check_int("neuron_size", self.neuron_size, "an even number in 2..64")
        check_neuron_size(self.neuron_size)
        if self.strategy not in _STRATEGIES:
            raise ConfigError(
                f"placement strategy {self.strategy!r}; use one of {_STRATEGIES}"
            )
        if self.router not in _ROUTERS:
            raise ConfigError(f"router {self.router!r}; use one of {_ROUTERS}")
        if self.route_order not in _ROUTE_ORDERS:
            raise ConfigError(
                f"MappingConfig: route_order = {self.route_order!r}; use one of "
                f"{_ROUTE_ORDERS}"
            )
        if self.stp_classes not in _STP_CLASSES:
            raise ConfigError(
                f"MappingConfig: stp_classes = {self.stp_classes!r}; use one of "
                f"{_STP_CLASSES}"
            )
        _check_int("driver_chain_length", self.driver_chain_length, "1..56")
        if not 1 <= self.driver_chain_length <= 56:
            raise ConfigError(
                f"driver_chain_length {self.driver_chain_length}; must be in 1..56"
            )
        if not (
            isinstance(self.input_rate_scale, int | float | np.number)
            and 0 < self.input_rate_scale < math.inf
        ):
            raise ConfigError(
                f"MappingConfig: input_rate_scale = {self.input_rate_scale!r}; give a "
                "finite number > 0"
            )
        if self.max_neurons_per_hicann is not None:
            _check_int("max_neurons_per_hicann", self.max_neurons_per_hicann, ">= 1")
            if self.max_neurons_per_hicann < 1:
                raise ConfigError(
                    f"max_neurons_per_hicann {self.max_neurons_per_hicann} must be >= 1"
                )
        object.__setattr__(self, "isolate", _isolate_entries(self.isolate))
        object.__setattr__(self, "pins", _pin_entries(self.pins))
        _check_isolated_not_pinned(self.isolate, self.pins)

    def replace(self, **changes: object) -> MappingConfig:
        """Return a copy with fields replaced (validated again).

        Raises
        ------
        ConfigError
            If a replaced option is of the wrong type or out of range (see
            :class:`MappingConfig`).
        WaferSpecError
            If a new ``neuron_size`` is not an even number in 2..64.
        """
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def production(cls) -> MappingConfig:
        """Return the production mapper's settings (marocco's defaults, demo overrides).

        Each setting with its source (marocco paths are in electronicvisions/marocco,
        "demos" is electronicvisions/brainscales1-demos):

        - ``neuron_size = 8``: the demos' ``neuron_size = 8`` (``random_network.rst``,
          ``cortical_microcircuit.rst``) overrides marocco's default of 4
          [``placement/parameters/NeuronPlacement.cpp``].
        - ``strategy = "enum"``: ``byNeuronBlockEnumAndPopulationIDasc``, neuron
          blocks in ascending enum, populations in ascending id
          [``placement/parameters/NeuronPlacement.cpp``].
        - ``max_neurons_per_hicann = None``: no cap, a chip is filled to its
          defect-free capacity [``placement/algorithms``].
        - ``inputs_on_neuron_chips = True``: a source goes to the free DNC merger
          nearest to its targets, chips with neurons included
          [``placement/InputPlacement.cpp``].
        - ``bandwidth = BANDWIDTH``: ``bandwidth_utilization`` 0.8 of 17.8 MHz per chip
          and 125 MHz per FPGA [``placement/parameters/InputPlacement.cpp``,
          ``placement/InputPlacement.h``].
        - ``router = "backbone"`` [``routing/parameters/L1Routing.cpp``].
        - ``route_order = "coordinate"``: sources by mean projection priority (1 for
          every projection by default), ties by DNC merger coordinate
          [``routing/L1Routing.cpp``].
        - ``driver_chain_length = 3`` [``routing/parameters/SynapseRouting``; calibtic
          ``SynapseChainLengthCalibration``].
        - ``stp_classes = "mode"``: drivers are counted per STP mode
          [``routing/SynapseDriverRequirements.cpp`` ``count_drivers_per_STP``].

        Settings that are the same in both profiles: L1 addresses are handed out
        highest first (marocco's ``high_first`` default, see
        :data:`twin.wafer.l1.USABLE_L1_ADDRESSES`), and neuron blocks are merged onto
        as few DNC mergers as 59 addresses allow (marocco's
        ``minimize_number_of_sending_repeaters``; its default ``minimize_as_possible``
        additionally refuses a merge whose targets would need more drivers than the
        chain length). marocco's crossbar-switch shuffling (seeded per chip) has no
        counterpart: the twin's routers do not depend on switch order. The workload
        sets ``isolate`` and ``input_rate_scale`` (the seed's Brunel mapping: all
        neurons, input planned for eta = 3.2).

        Returns
        -------
        MappingConfig

        Examples
        --------
        >>> p = MappingConfig.production()
        >>> p.neuron_size, p.strategy, p.driver_chain_length, p.route_order
        (8, 'enum', 3, 'coordinate')
        """
        return cls(
            neuron_size=8,
            strategy="enum",
            max_neurons_per_hicann=None,
            inputs_on_neuron_chips=True,
            bandwidth=BANDWIDTH,
            router="backbone",
            route_order="coordinate",
            driver_chain_length=3,
            stp_classes="mode",
        )


#: Named mapping profiles: the twin's own strategy (the default) and the production
#: mapper's (:meth:`MappingConfig.production`).
PROFILES: Final = MappingProxyType(
    {"twin": MappingConfig(), "production": MappingConfig.production()}
)
