"""``WaferMapping``: the result of mapping a network onto a wafer.

Its own module so that the stages (:mod:`twin.routing.mapping`) and the validity
oracles (:mod:`twin.routing.checks`) both import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from twin.network import Network
from twin.routing.buses import SourceBuses
from twin.routing.config import MappingConfig
from twin.routing.delays import DelayModel
from twin.routing.loss import LossReport
from twin.routing.place import Placement
from twin.routing.route_l1 import QUADRANT_OF_DRIVER, L1Routing
from twin.routing.route_synapses import SynapseRouting
from twin.routing.stp_drivers import N_DRIVER_CLASSES
from twin.routing.synapses import SynapseTable
from twin.streams import rng as stream_rng
from twin.wafer.wafer import Wafer

__all__ = ["WaferMapping"]

_CALIBRATED_DELAYS = DelayModel()


@dataclass(frozen=True, slots=True, eq=False)
class WaferMapping:
    """A network mapped onto a wafer.

    Attributes
    ----------
    network, wafer, config
        What was mapped, onto what, how.
    placement, buses, table, l1, synapses
        The stage results.
    loss
        All synapse losses of all stages.
    timings
        Stage name -> wall time in seconds (not part of equality).
    """

    network: Network
    wafer: Wafer
    config: MappingConfig
    placement: Placement
    buses: SourceBuses
    table: SynapseTable
    l1: L1Routing
    synapses: SynapseRouting
    loss: LossReport
    timings: Mapping[str, float]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WaferMapping):
            return NotImplemented
        return (
            self.network == other.network
            and self.wafer == other.wafer
            and self.config == other.config
            and self.placement == other.placement
            and self.buses == other.buses
            and self.l1 == other.l1
            and self.synapses == other.synapses
            and self.loss == other.loss
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def hops(self) -> Mapping[str, np.ndarray]:
        """Projection name -> chips on the route of each synapse (-1 where lost)."""
        return self.synapses.hops

    def realised_network(
        self, delay_model: DelayModel | None = _CALIBRATED_DELAYS, seed: int = 0
    ) -> Network:
        """Return the network the wafer realises: lost synapses removed.

        Parameters
        ----------
        delay_model
            Delays from route length; ``None`` keeps the requested delays.
        seed
            Seed of the delay jitter (its stream is labelled
            ``("stream", "twin.routing.delay_jitter"), ("seed", seed)``,
            :mod:`twin.streams`, so it shares no draws with other users of the seed).
        """
        rng = stream_rng((("stream", "twin.routing.delay_jitter"), ("seed", seed)))
        projections = []
        for proj in self.network.projections:
            keep = self.synapses.realised[proj.name]
            sub = proj.subset(keep)
            if delay_model is not None:
                delays = delay_model.delays(self.synapses.hops[proj.name][keep], rng)
                sub = sub.replace(delay=np.maximum(delays, self.network.timestep))
            projections.append(sub)
        return self.network.replace(projections=tuple(projections))

    def _per_realised(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """Spread one value per synapse-table entry to the realised synapses."""
        t, out = self.table, {}
        for k, proj in enumerate(self.network.projections):
            per_synapse = np.full(proj.size, -1, dtype=np.int64)
            mine = t.proj == k
            per_synapse[t.idx[mine]] = values[mine]
            out[proj.name] = per_synapse[self.synapses.realised[proj.name]]
        return out

    def synapse_quadrants(self) -> dict[str, np.ndarray]:
        """Return the driver quadrant of every realised synapse, per projection.

        A quadrant is ``4 * chip + q`` with ``q`` the quadrant of the synapse's
        driver chain on its target chip (:data:`QUADRANT_OF_DRIVER`; a chain never
        leaves its quadrant). Its floating-gate block holds the drivers' shared
        parameters, among them the STP time constant.

        Returns
        -------
        dict
            Projection name -> int64 array, one entry per realised synapse in the
            order of :meth:`realised_network`.
        """
        t, chain = self.table, self.l1.chain
        quadrant = np.where(
            chain[:, 0] >= 0,
            4 * t.group_target + QUADRANT_OF_DRIVER[np.maximum(chain[:, 0], 0)],
            -1,
        )
        return self._per_realised(quadrant[t.group])

    def synapse_driver_units(self) -> dict[str, np.ndarray]:
        """Return the drivers of every realised synapse, per projection.

        The drivers of one chain that serve one driver class share their STP
        setting; their id is ``group * N_DRIVER_CLASSES + class``
        (:mod:`twin.routing.stp_drivers`).

        Returns
        -------
        dict
            Projection name -> int64 array, one entry per realised synapse in the
            order of :meth:`realised_network`.
        """
        t = self.table
        return self._per_realised(t.group * N_DRIVER_CLASSES + t.synapse_class)

    def implemented_routes(self) -> dict[tuple[str, str], list[list[float]]]:
        """Return the seed's ``{(pre, post): [[pre, post, weight, hops], ...]}``."""
        routes: dict[tuple[str, str], list[list[float]]] = {}
        for proj in self.network.projections:
            keep = self.synapses.realised[proj.name]
            rows = np.column_stack(
                [
                    proj.pre_idx[keep],
                    proj.post_idx[keep],
                    proj.weight[keep],
                    self.hops[proj.name][keep],
                ]
            )
            routes.setdefault((proj.pre, proj.post), []).extend(
                [int(a), int(b), float(w), int(h)] for a, b, w, h in rows
            )
        return routes
