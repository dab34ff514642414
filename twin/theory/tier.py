"""The theory tiers: realise a network at a tier, then compute its stationary rates.

:func:`theory_tiers` is the theory tiers' counterpart of
:func:`twin.tier_run.run_tiers`: each request is realised by the same pipeline
(:meth:`twin.tier_inputs.TierRequest.realise`: nothing, the wafer mapping, or the
mapping and the hardware effects), so ``theory-mapped`` and ``theory-hardware``
describe the network the ``mapped`` and ``hardware`` tiers emulate — lost synapses
removed, the hardware's parameters, its variation and 4-bit weights — and the rates
of every variant come from :func:`twin.theory.network_rates.rates_over`. The
saturating synaptic input enters through its mean (:mod:`twin.theory.saturation`).

What the stationary theory cannot express is named in each result's note, never
dropped in silence: the wafer's rate limits (in-run priority encoders and DNC
mergers, the recording and input links after the run) where they act, a network it
cannot describe at all (current stimuli, spike-time sources, structured
connectivity of the requested network: no rates, the refusal's message; a
realisation's uneven synapse losses, e.g. on a small chip block, are described per
neuron, not refused), the flags of the solve
(``flags: slow_synapses, ...``: the names of :class:`twin.theory.Flag`, lower
case). Where there is no single stable fixed point, or a flag other than the
approximations' caveats (:data:`CAVEATS`) says the stationary rate is not what a run
shows (e.g. :attr:`Flag.OSCILLATORY <twin.theory.Flag.OSCILLATORY>`), every rate is
NaN. The losses
counted are the mapping's (``synapse_loss``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from twin.network import Network
from twin.realised import Realised
from twin.theory.connectivity import check_random
from twin.theory.errors import NotDescribableError
from twin.theory.network_rates import NetworkRates
from twin.theory.neuron_resolved import NeuronResolved, resolve_neurons
from twin.theory.saturation import saturated_rates, saturating
from twin.theory.stationary import CAVEATS
from twin.tier_inputs import RunVariant, TierRequest

__all__ = ["BANDWIDTH_NOTE", "CAVEATS", "SATURATION_NOTE", "TheoryRun", "theory_tiers"]


#: Note of a realisation whose spikes the wafer's rate limits act on.
BANDWIDTH_NOTE = (
    "not expressed: the wafer's rate limits (priority encoders, DNC mergers, "
    "recording and input links: rates before any spike loss)"
)
#: Note of rates from the neuron-resolved fixed point.
RESOLVED_NOTE = (
    "rates neuron-resolved (twin.theory.neuron_resolved: each neuron driven by its "
    "own presynaptic neurons' rates)"
)
#: Note of a neuron-resolved iteration that did not converge.
UNCONVERGED_NOTE = "the neuron-resolved iteration did not converge: no rates"
#: Note of a realisation with saturating synaptic input.
SATURATION_NOTE = (
    "saturating synaptic input as its mean (twin.theory.saturation: tanh at the "
    "mean conductance)"
)


@dataclass(frozen=True, slots=True, eq=False)
class TheoryRun:
    """The result of :func:`theory_tiers`.

    Attributes
    ----------
    realised
        The realisation of each request, in order.
    rates
        ``rates[v][k]``: population name -> each neuron's stationary rate, Hz
        (network order), of variant ``v`` at request ``k``; NaN where there is no
        single stable fixed point or the network cannot be described.
    notes
        ``notes[v][k]``: what the rates leave out or carry (flags, effects not
        expressed, a refusal), ``"; "``-separated; empty if nothing.
    losses
        ``losses[v][k]``: ``synapse_loss``, the fraction of requested synapses the
        mapping lost.
    timings
        Wall times, s: ``theory`` (the rates of every variant and request).
    """

    realised: tuple[Realised, ...]
    rates: tuple[tuple[Mapping[str, np.ndarray], ...], ...]
    notes: tuple[tuple[str, ...], ...]
    losses: tuple[tuple[Mapping[str, float], ...], ...]
    timings: Mapping[str, float] = field(default_factory=dict)


def _nan_rates(network: Network) -> dict[str, np.ndarray]:
    """Return NaN for every neuron of every population (no rate to give)."""
    return {p.name: np.full(p.size, np.nan) for p in network.populations}


def _neuron_rates(realised: Realised, found: NetworkRates) -> dict[str, np.ndarray]:
    """Return each population's neuron rates (NaN: no single one, or not a caveat)."""
    if found.stationary.readable:
        return {k: np.asarray(v, float) for k, v in found.neuron_rates.items()}
    return _nan_rates(realised.network)


def _flags(found: NetworkRates) -> list[str]:
    """Return the solve's flags as text (lower-case names).

    ``no rate: a`` names the flags that leave no rate to read (any but the
    :data:`CAVEATS`), ``flags: b, c`` the caveats.
    """
    fatal = sorted(f.name.lower() for f in found.flags - CAVEATS)
    caveats = sorted(f.name.lower() for f in found.flags & CAVEATS)
    items = [f"no rate: {', '.join(fatal)}"] if fatal else []
    return items + ([f"flags: {', '.join(caveats)}"] if caveats else [])


def _resolved_rates(
    realised: Realised, found: NeuronResolved
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Return each population's neuron rates and note items of a resolved variant."""
    closure = found.population
    items = _flags(closure)
    if not closure.stationary.readable:
        return _neuron_rates(realised, closure), items
    if not found.converged:
        return _nan_rates(realised.network), [*items, UNCONVERGED_NOTE]
    bounds = found.bounds
    rates = {
        p.name: np.asarray(found.neuron_rates[bounds[k] : bounds[k + 1]], float)
        for k, p in enumerate(realised.network.populations)
    }
    return rates, [*items, RESOLVED_NOTE]


def _variants_of(
    requested: Network, realised: Realised, variants: Sequence[RunVariant]
) -> list[tuple[dict[str, np.ndarray], list[str]]]:
    """Return the neuron rates and note items of every variant of one realisation.

    The requested network's projections must be random
    (:func:`twin.theory.connectivity.check_random`); the realisation's are not
    checked again (the mapping's losses are uneven across targets, which the
    per-neuron sums describe). A network with saturating input: the population
    closure with the mean saturation (:mod:`twin.theory.saturation`); any other: the
    neuron-resolved fixed point (:func:`twin.theory.neuron_resolved.resolve_neurons`),
    with the linear stability of the population closure.
    """
    network = realised.network
    unexpressed = [BANDWIDTH_NOTE] if realised.bandwidth_limited else []
    try:
        check_random(requested)
        if saturating(network):
            closures = [
                saturated_rates(
                    network, v.g_scale, v.rate_scale, check_connectivity=False
                )[0]
                for v in variants
            ]
            unexpressed.append(SATURATION_NOTE)
            return [
                (_neuron_rates(realised, c), [*_flags(c), *unexpressed])
                for c in closures
            ]
        resolved = resolve_neurons(
            network,
            np.array([v.g_scale for v in variants]),
            np.array([v.rate_scale for v in variants]),
            stability=True,
            check_connectivity=False,
        )
    except NotDescribableError as err:
        refused = f"not described by the stationary theory: {err}"
        return [(_nan_rates(network), [refused, *unexpressed]) for _ in variants]
    out = []
    for variant in resolved:
        rates, items = _resolved_rates(realised, variant)
        out.append((rates, [*items, *unexpressed]))
    return out


def theory_tiers(
    requests: Sequence[TierRequest], variants: Sequence[RunVariant]
) -> TheoryRun:
    """Realise networks at their tiers and compute their rates for variants.

    Parameters
    ----------
    requests
        The network at each tier (theory tiers, or any tier: the rates are of its
        realisation).
    variants
        The batch's variants (their inhibitory and rate scales; the Poisson stream
        label plays no part in a stationary rate).

    Returns
    -------
    TheoryRun
        Realisations, per-neuron rates, notes and losses per variant and request.

    Raises
    ------
    PlacementError, RoutingError, MappingLossError, NetworkError
        If a request cannot be realised (:func:`twin.tiers.realise`).
    TheoryInputError
        If a variant's scale is negative or not finite.
    """
    nets = tuple(r.realise() for r in requests)
    start = time.perf_counter()
    per_request = [
        _variants_of(r.network, tn, variants)
        for r, tn in zip(requests, nets, strict=True)
    ]
    wall = time.perf_counter() - start
    rates, notes, losses = [], [], []
    for v in range(len(variants)):
        rates.append(tuple(MappingProxyType(found[v][0]) for found in per_request))
        notes.append(tuple("; ".join(found[v][1]) for found in per_request))
        losses.append(
            tuple(MappingProxyType({"synapse_loss": tn.synapse_loss}) for tn in nets)
        )
    return TheoryRun(
        nets,
        tuple(rates),
        tuple(notes),
        tuple(losses),
        MappingProxyType({"theory": wall}),
    )
