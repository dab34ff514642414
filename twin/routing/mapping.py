"""``map_network``: place and route a network on a wafer; ``WaferMapping``: the result.

The stages run in order, each a pure function returning a frozen result with its own
loss report: neuron placement -> merger routing and L1 addresses -> input placement ->
L1 routing with driver allocation -> synapse-row assignment.
"""

from __future__ import annotations

import time
from types import MappingProxyType

import numpy as np

from twin.errors import ConfigError, MappingLossError
from twin.network import Network
from twin.routing.buses import route_mergers
from twin.routing.busgraph import BusGraph
from twin.routing.checks import check_mapping
from twin.routing.config import MappingConfig
from twin.routing.inputs import place_inputs
from twin.routing.place import place_neurons
from twin.routing.result import WaferMapping
from twin.routing.route_l1 import route_l1
from twin.routing.route_synapses import route_synapses
from twin.routing.synapses import build_synapse_table
from twin.wafer.wafer import Wafer
from twin.wafer_cells import check_wafer_cells

__all__ = ["WaferMapping", "map_network"]


def _check_max_loss(max_loss: object) -> None:
    """Check that ``max_loss`` is ``None`` or a fraction in [0, 1].

    Raises
    ------
    ConfigError
        If it is not a number, is NaN, or lies outside [0, 1].
    """
    if max_loss is None:
        return
    if (
        isinstance(max_loss, bool)
        or not isinstance(max_loss, int | float | np.number)
        or not 0 <= max_loss <= 1
    ):
        raise ConfigError(
            f"map_network: max_loss = {max_loss!r} is not a fraction in [0, 1]; give "
            "the largest lost fraction of synapses to accept (e.g. 0.05), or None"
        )


def map_network(
    network: Network,
    wafer: Wafer | None = None,
    *,
    config: MappingConfig | None = None,
    seed: int = 0,
    max_loss: float | None = None,
    validate: bool = False,
    graph: BusGraph | None = None,
) -> WaferMapping:
    """Place and route ``network`` on ``wafer``.

    Parameters
    ----------
    network
        What to map.
    wafer
        Where (default: a perfect wafer).
    config
        Mapping choices (default :class:`MappingConfig`).
    seed
        Reserved for randomised strategies; the current stages are deterministic.
    max_loss
        If given, raise :class:`MappingLossError` when the lost fraction exceeds it
        (a fraction in [0, 1]).
    validate
        Run the validity oracles of :mod:`twin.routing.checks` on the result.
    graph
        The L1 bus graph of ``wafer`` (``BusGraph.from_wafer(wafer)``), to reuse one
        built before; default: built here.

    Returns
    -------
    WaferMapping

    Raises
    ------
    ConfigError
        If ``max_loss`` is not a number in [0, 1] (before any work is done).
    UnsupportedError
        If a population's cell type is not one the wafer runs
        (:func:`twin.wafer_cells.check_wafer_cells`), before any work is done.
    PlacementError
        If no neuron can be placed (no usable chip, or no defect-free logical
        neuron of the configured size) or the pins or isolated neurons of ``config``
        do not fit the network or the wafer.
    WaferSpecError
        If ``config.bandwidth`` has no ``input_per_hicann`` or ``input_per_fpga``
        limit (input placement needs both).
    RoutingError
        If ``validate`` and the mapping violates an invariant of
        :mod:`twin.routing.checks`.
    MappingLossError
        If ``max_loss`` is exceeded.
    """
    del seed  # deterministic stages; kept for API stability
    _check_max_loss(max_loss)
    check_wafer_cells(network, "the wafer mapping (mapped and hardware tiers)")
    wafer = wafer or Wafer()
    config = config or MappingConfig()
    timings: dict[str, float] = {}

    def timed(name: str, start: float) -> None:
        timings[name] = time.perf_counter() - start

    t = time.perf_counter()
    placement = place_neurons(network, wafer, config)
    timed("placement", t)
    t = time.perf_counter()
    neuron_buses = route_mergers(network, placement, wafer)
    timed("merger_routing", t)
    t = time.perf_counter()
    buses = neuron_buses.merged(
        place_inputs(network, placement, neuron_buses, wafer, config)
    )
    timed("input_placement", t)
    t = time.perf_counter()
    if graph is None:
        graph = BusGraph.from_wafer(wafer)
    table = build_synapse_table(
        network, placement, buses, per_u=config.stp_classes == "mode_and_u"
    )
    timed("routing_graph", t)
    t = time.perf_counter()
    l1 = route_l1(network, table, graph, wafer, config)
    timed("l1_routing", t)
    t = time.perf_counter()
    synapses = route_synapses(network, table, l1, config.driver_chain_length)
    timed("synapse_routing", t)
    loss = placement.loss + buses.loss + l1.loss + synapses.loss
    mapping = WaferMapping(
        network=network, wafer=wafer, config=config, placement=placement, buses=buses,
        table=table, l1=l1, synapses=synapses, loss=loss,
        timings=MappingProxyType(timings),
    )  # fmt: skip
    if validate:
        check_mapping(mapping, graph)
    if max_loss is not None and loss.fraction_lost > max_loss:
        raise MappingLossError(
            f"mapping lost {loss.fraction_lost:.1%} of {loss.total_requested:,} "
            "synapses, "
            f"more than max_loss={max_loss:.1%}; try another strategy, router or a "
            "smaller network",
            loss,
        )
    return mapping
