"""What a tier run takes: the network at a tier, the batch's variants, the links.

:class:`TierRequest` (a network to realise at a tier, or a realisation made before),
:class:`RunVariant` (one variant of the batch: its Poisson stream and scales) and
:class:`RecordingLink` (the neurons the wafer records, the stream of the input
links' loss estimate) are the inputs of :func:`twin.tier_run.run_tiers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.network import Network
from twin.routing import MappingConfig, WaferMapping
from twin.routing.busgraph import BusGraph
from twin.streams import Label
from twin.tiers import Realised, Tier, realise
from twin.wafer import Wafer

__all__ = ["RecordingLink", "RunVariant", "TierRequest", "input_loss_label"]


@dataclass(frozen=True, slots=True, eq=False)
class TierRequest:
    """A network to run at one tier.

    Attributes
    ----------
    tier
        The tier.
    network
        The requested network (before the tier's pipeline).
    seed
        Seed of the mapping, the delay jitter and the wafer's fixed pattern
        (:func:`twin.tiers.realise`).
    wafer
        The wafer to map on (default: a perfect one).
    mapping_config
        Mapping settings (default: ``MappingConfig()``).
    mapping
        A mapping of ``network`` to reuse instead of mapping again.
    graph
        The wafer's L1 bus graph, to reuse.
    realised
        A realisation to run as it is, instead of realising the request: one made
        before for an equal request (a cache's; the pipeline is pure, so it equals
        what realising again would give), or a continued PyNN run's (the previous
        run's realisation with the spike sources of now: the wafer keeps its mapping
        and configuration within a run).
    """

    tier: Tier
    network: Network
    seed: int = 0
    wafer: Wafer | None = None
    mapping_config: MappingConfig | None = None
    mapping: WaferMapping | None = None
    graph: BusGraph | None = None
    realised: Realised | None = None

    def realise(self) -> Realised:
        """Return the request's realisation (the one given, else made now).

        Returns
        -------
        twin.tiers.Realised
            The network to simulate with its mapping, sites and hardware report.

        Raises
        ------
        PlacementError, RoutingError, MappingLossError, NetworkError
            See :func:`twin.tiers.realise`.
        """
        if self.realised is not None:
            return self.realised
        return realise(
            self.tier,
            self.network,
            seed=self.seed,
            wafer=self.wafer,
            mapping_config=self.mapping_config,
            mapping=self.mapping,
            graph=self.graph,
        )


@dataclass(frozen=True, slots=True)
class RunVariant:
    """One variant of a batched run.

    Attributes
    ----------
    label
        Label of the variant's Poisson stream (:mod:`twin.streams`); its first field
        names the stream (``("stream", name)``), the others identify the variant.
    g_scale
        Factor on every inhibitory weight.
    rate_scale
        Factor on every Poisson source's rate.
    weight_scale
        Factor on every weight, excitatory, inhibitory and from the sources (on top
        of ``g_scale``; on the mapped and hardware tiers on the realised weights).
    """

    label: Label
    g_scale: float = 1.0
    rate_scale: float = 1.0
    weight_scale: float = 1.0


@dataclass(frozen=True, slots=True, eq=False)
class RecordingLink:
    """The recording and external input links applied after the run.

    Attributes
    ----------
    recorded
        Global ids (of each tier's network) of the neurons the wafer records.
    stream
        Name of the stream of the input links' loss estimate
        (:func:`input_loss_label`).
    stationary
        The recorded window is part of a long run in its steady state (see
        :func:`twin.hardware.bandwidth_loss`).
    """

    recorded: np.ndarray
    stream: str
    stationary: bool = True


def input_loss_label(stream: str, tier: Tier, variant: RunVariant) -> Label:
    """Return the label of a variant's input-link loss estimate at a tier.

    ``(("stream", stream), ("tier", tier.name), *fields)`` where ``fields`` are the
    variant's label without its stream field: distinct per tier and variant.

    Parameters
    ----------
    stream
        The estimate's stream name (:attr:`RecordingLink.stream`).
    tier
        The tier.
    variant
        The variant.

    Returns
    -------
    twin.streams.Label
        The label (:func:`twin.streams.seed_sequence` turns it into the seed).
    """
    return (("stream", stream), ("tier", tier.name), *variant.label[1:])
