"""The session's reuse cache: pure results kept for later runs and ``setup`` calls.

Each entry is a function of its inputs only (a compiled emulator program of given
shapes, a tier's realisation of a network, a wafer's bus graph), so an equal input
— a re-run script, a reset session, a continued run of the same length — finds the
result made before instead of making it again.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from twin.analog.store import CompiledStore
from twin.network import Network
from twin.routing.busgraph import BusGraph
from twin.tiers import Realised
from twin.wafer import Wafer

__all__ = ["Reuse"]


@dataclass(slots=True)
class Reuse:
    """Pure results a session keeps, each kind bounded by ``keep``.

    Attributes
    ----------
    compiled
        Compiled emulator programs by argument shapes and settings
        (:class:`twin.analog.store.CompiledStore`).
    tiers
        ``(key, network, realisation)`` of the mapped and hardware tiers, most
        recent last (:meth:`realisation`, :meth:`remember`).
    graphs
        Wafer -> its L1 bus graph (:meth:`graph`).
    keep
        How many realisations and graphs are kept.
    """

    compiled: CompiledStore = field(default_factory=CompiledStore)
    tiers: list[tuple[Hashable, Network, Realised]] = field(default_factory=list)
    graphs: dict[Wafer, BusGraph] = field(default_factory=dict)
    keep: int = 4

    def realisation(self, key: Hashable, network: Network) -> Realised | None:
        """Return the realisation kept for ``(key, network)``, or ``None``.

        A found entry becomes the most recent.

        Parameters
        ----------
        key
            What else the realisation depends on: tier, seed, wafer, mapping
            settings.
        network
            The requested network.

        Returns
        -------
        Realised or None
            The realisation made before for equal inputs.
        """
        for k, (known, requested, realised) in enumerate(self.tiers):
            if known == key and requested == network:
                self.tiers.append(self.tiers.pop(k))
                return realised
        return None

    def remember(self, key: Hashable, network: Network, realised: Realised) -> None:
        """Keep a realisation of ``(key, network)``; drop the oldest beyond ``keep``.

        Parameters
        ----------
        key
            What else the realisation depends on (see :meth:`realisation`).
        network
            The requested network.
        realised
            Its realisation.
        """
        self.tiers.append((key, network, realised))
        del self.tiers[: -self.keep]

    def graph(self, wafer: Wafer) -> BusGraph:
        """Return the L1 bus graph of ``wafer``, made once and kept.

        Parameters
        ----------
        wafer
            The wafer.

        Returns
        -------
        twin.routing.busgraph.BusGraph
            Its bus graph.
        """
        graph = self.graphs.get(wafer)
        if graph is None:
            graph = self.graphs[wafer] = BusGraph.from_wafer(wafer)
            while len(self.graphs) > self.keep:
                del self.graphs[next(iter(self.graphs))]
        return graph
