"""What a sweep point asks of the twin: its streams, its variant, its tier request.

A point of a workload runs as a variant of its realisation's batched tier run
(:func:`twin.tier_run.run_tiers`): its Poisson stream is labelled by the workload's
variant key (:func:`point_key`), its scales move the realisation's reference network
to it (:func:`scaled`, as the batch does), and the workload says which network it
requests at a tier (:func:`tier_request`) and which neurons the wafer records
(:func:`recording_link`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from typing import Any

import numpy as np
from jax import numpy as jnp

from experiments.runs.workload import Variant, Workload
from twin.analog.keys import stream_key
from twin.network import Network, PoissonSource
from twin.routing import WaferMapping
from twin.streams import Label
from twin.tier_run import RecordingLink, RunVariant, TierRequest
from twin.tiers import Tier
from twin.wafer import Wafer

__all__ = [
    "INPUT_LOSS_STREAM",
    "POINT_STREAM",
    "point_key",
    "point_label",
    "point_variant",
    "recording_link",
    "scaled",
    "tier_request",
]


#: Name of the stream a sweep point's Poisson sources draw from (:func:`point_key`).
POINT_STREAM = "experiments.point"
#: Name of the stream of a point's input-link loss estimate (per tier).
INPUT_LOSS_STREAM = "experiments.input_loss"


def point_key(variant: Variant) -> jnp.ndarray:
    """Return the JAX PRNG key of a variant: the stream labelled by its integers.

    The label is ``("stream", POINT_STREAM)`` and one ``("key", k)`` field per integer
    (:mod:`twin.streams`): distinct integer tuples, of any length, give distinct keys.

    Parameters
    ----------
    variant
        The point's variant (its ``key`` integers).

    Returns
    -------
    jax.Array
        The key, shape ``(2,)``.

    Raises
    ------
    ConfigError
        If an entry of ``variant.key`` is not an integer.
    """
    return stream_key(point_label(variant))


def point_label(variant: Variant) -> Label:
    """Return the label of a variant's Poisson stream (see :func:`point_key`).

    Parameters
    ----------
    variant
        The point's variant.

    Returns
    -------
    twin.streams.Label
        ``(("stream", POINT_STREAM), ("key", k0), ("key", k1), ...)``.
    """
    return (("stream", POINT_STREAM), *(("key", k) for k in variant.key))


def scaled(network: Network, variant: Variant) -> Network:
    """Return the reference network moved to a variant (as the batch does).

    Inhibitory weights × ``g_scale``, Poisson rates × ``rate_scale``.

    Parameters
    ----------
    network
        The realisation's reference network.
    variant
        The point's scales.

    Returns
    -------
    Network
        The network of the point.

    Raises
    ------
    NetworkError
        If a scaled weight or rate is negative or not finite.
    """
    projections = tuple(
        p.replace(weight=p.weight * variant.g_scale)
        if p.receptor == "inhibitory"
        else p
        for p in network.projections
    )
    sources = tuple(
        dataclasses.replace(s, rate=np.asarray(s.rate) * variant.rate_scale)
        if isinstance(s, PoissonSource)
        else s
        for s in network.sources
    )
    return network.replace(projections=projections, sources=sources)


def point_variant(workload: Workload[Any], point: Hashable) -> RunVariant:
    """Return a point as a variant of its realisation's batched run.

    Its Poisson stream is labelled ``("stream", POINT_STREAM)`` and one
    ``("key", k)`` field per integer of the workload's variant key (as
    :func:`point_key`); inhibitory and rate scales are the workload's.

    Parameters
    ----------
    workload
        The experiment.
    point
        One of its points.

    Returns
    -------
    twin.tier_run.RunVariant
        The point's stream label and scales.
    """
    v = workload.variant(point)
    return RunVariant(point_label(v), v.g_scale, v.rate_scale)


def tier_request(
    workload: Workload[Any],
    point: Hashable,
    tier: Tier,
    layout: str,
    *,
    wafer: Wafer | None = None,
    mapping: WaferMapping | None = None,
) -> tuple[TierRequest, np.ndarray | None]:
    """Return the network the workload requests for ``point`` at ``tier``.

    Parameters
    ----------
    workload
        The experiment.
    point
        One of its points.
    tier
        The tier.
    layout
        The recording layout.
    wafer
        The wafer to map on (default: a perfect one).
    mapping
        A mapping of the requested network to reuse.

    Returns
    -------
    request : twin.tier_run.TierRequest
        The network at the tier, with the workload's realisation seed and mapping
        settings.
    v0 : numpy.ndarray or None
        The initial membrane potentials the workload asks for (mV), if any.

    Raises
    ------
    ConfigError
        If the workload cannot build the requested network.
    """
    req = workload.request(point, tier.fidelity, layout)
    request = TierRequest(
        tier,
        req.network,
        seed=workload.seed(point),
        wafer=wafer,
        mapping_config=req.mapping,
        mapping=mapping,
    )
    return request, req.v0


def recording_link(
    workload: Workload[Any], point: Hashable, layout: str
) -> RecordingLink:
    """Return the recording and input links of a point: its recorded neurons.

    Parameters
    ----------
    workload
        The experiment.
    point
        One of its points.
    layout
        The recording layout.

    Returns
    -------
    twin.tier_run.RecordingLink
        The neurons the wafer records at the point, and the stream of the input
        links' loss estimate (:data:`INPUT_LOSS_STREAM`).
    """
    return RecordingLink(workload.recorded(point, layout), INPUT_LOSS_STREAM)
