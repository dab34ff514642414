"""``rates_of`` / ``rates_over``: stationary population rates of a twin ``Network``.

Each population's rate is the mean over its neurons of the effective-LIF rate of
:mod:`twin.theory.conductance`, each neuron with its own parameters and its own
synapses (:mod:`twin.theory.connectivity`): parameter and weight variation are
averaged over the neurons, not replaced by the mean neuron — by default with an
empirical cubature of at most ``nodes`` neurons per population
(:mod:`twin.theory.cubature`; exact where a population has no more distinct
neurons), or over every neuron (``neurons="each"``). Presynaptic neurons fire
at their population's rate (heterogeneous mean field); Poisson generators at their
own. The self-consistent rates come from :func:`twin.theory.fixed_point.solve_points`;
the approximations' conditions are checked at the stable fixed point and reported as
:class:`twin.theory.stationary.Flag` s (:func:`twin.theory.conditions.flag_conditions`).

:func:`rates_over` solves a batch of variants of one network at once (inhibitory
weights x ``g_scale``, Poisson rates x ``rate_scale``, as the twin's batched runs).
Neurons with identical parameters and identical input sums are one neuron counted
with its multiplicity (exact: their rates are equal; :mod:`twin.theory.plane_groups`),
and every population's neurons are evaluated in one call. With ``stability=True``
the stable fixed points' linear stability comes along
(:mod:`twin.theory.plane_stability`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np

from twin.network import Network
from twin.theory.conditions import (
    FAST_SYNAPSE_LIMIT,
    REGULAR_LIMIT,
    SMALL_PSP_LIMIT,
    flag_conditions,
)
from twin.theory.conductance import Neurons, effective_input
from twin.theory.connectivity import Inputs, Scales, inputs_of
from twin.theory.cubature import NODES, PROBES_PER_NODE, anchor_probes, cubature_group
from twin.theory.errors import TheoryInputError
from twin.theory.fixed_point import DEFAULT_STARTS, solve_points
from twin.theory.plane_groups import ExpandedRates, Joined, NeuronGroup, Resolution
from twin.theory.plane_stability import LinearStability, mean_delays, stability_over
from twin.theory.stationary import Flag, Stationary
from twin.theory.validate import require

__all__ = [
    "FAST_SYNAPSE_LIMIT",
    "REGULAR_LIMIT",
    "SMALL_PSP_LIMIT",
    "NetworkRates",
    "rates_of",
    "rates_over",
]

#: Largest number of neuron evaluations (starts x points x distinct neurons) of one
#: chunk of points; a larger batch is solved in chunks (each evaluation holds a few
#: temporaries per neuron, and the linear stability a frequency axis per neuron:
#: chunks keep them in tens of MiB).
CHUNK: Final = 1 << 18


@dataclass(frozen=True, slots=True, eq=False)
class NetworkRates:
    """Stationary rates of a network's populations and the conditions behind them.

    Attributes
    ----------
    stationary
        Fixed points and flags (:attr:`Stationary.rates` raises where there is no
        single stable one).
    neuron_rates
        Population name -> each neuron's rate at the stable fixed point, Hz (empty
        where there is none).
    synaptic_ratio
        Population name -> mean over its neurons of ``sqrt(tau_s / tau_eff)`` there.
    psp_ratio
        Population name -> mean of the larger PSP jump / (v_thresh - v_reset) there.
    stability
        The linear stability of the stable fixed point
        (:mod:`twin.theory.plane_stability`); ``None`` where not analysed (not
        asked for, or no single stable fixed point).
    """

    stationary: Stationary
    neuron_rates: Mapping[str, np.ndarray]
    synaptic_ratio: Mapping[str, float]
    psp_ratio: Mapping[str, float]
    stability: LinearStability | None = None

    @property
    def rates(self) -> np.ndarray:
        """Population rates, Hz (see :attr:`Stationary.rates` for the errors)."""
        return self.stationary.rates

    @property
    def flags(self) -> frozenset[Flag]:
        """The flags of the point."""
        return self.stationary.flags

    @property
    def oscillatory(self) -> bool | None:
        """Unstable through an oscillating mode; ``None`` where not analysed."""
        return None if self.stability is None else self.stability.oscillatory


def _scales(g_scale: object, rate_scale: object) -> tuple[np.ndarray, np.ndarray]:
    g = require("g_scale", g_scale, lambda x: x >= 0, ">= 0", "give a factor >= 0")
    r = require(
        "rate_scale", rate_scale, lambda x: x >= 0, ">= 0", "give a factor >= 0"
    )
    g, r = np.broadcast_arrays(g, r)
    return g, r


def rates_of(
    network: Network,
    *,
    neurons: Resolution = "cubature",
    nodes: int = NODES,
    starts: Sequence[float] = DEFAULT_STARTS,
) -> NetworkRates:
    """Return the stationary rates of every population of ``network``.

    The same as ``rates_over(network, 1.0, 1.0, ...)[0]``.

    Parameters
    ----------
    network
        Populations of ``IF_cond_exp`` or ``EIF_cond_exp_isfa_ista`` neurons,
        random projections (fixed in-degree or fixed probability) and Poisson
        sources.
    neurons
        ``"cubature"``: the mean over the neurons by the empirical cubature of
        :func:`twin.theory.cubature.cubature_group` (at most ``nodes`` neurons per
        population, weighted; exact where a population has no more distinct
        neurons); ``"each"``: every neuron with its own parameters and synapses
        (the population rate is their mean; neurons with equal parameters and
        inputs are evaluated once); ``"mean"``: one neuron of mean parameters and
        mean input per population (ignores variation).
    nodes
        Largest number of neurons per population of ``"cubature"`` (``>= 1``).
    starts
        Start rates of the self-consistent solve, Hz.

    Returns
    -------
    NetworkRates
        Rates with their fixed points, flags and the approximations' conditions.

    Raises
    ------
    NotDescribableError
        If a projection is not random, a source emits given spike times, the
        network has current stimuli or a population saturating synaptic input.
    TheoryInputError
        If ``neurons`` is not one of the three, ``nodes < 1``, or a start is
        invalid.
    """
    (result,) = rates_over(
        network, 1.0, 1.0, neurons=neurons, nodes=nodes, starts=starts
    )
    return result


def rates_over(
    network: Network,
    g_scale: np.ndarray | float = 1.0,
    rate_scale: np.ndarray | float = 1.0,
    *,
    neurons: Resolution = "cubature",
    nodes: int = NODES,
    starts: Sequence[float] = DEFAULT_STARTS,
    stability: bool = False,
    check_connectivity: bool = True,
) -> tuple[NetworkRates, ...]:
    """Return the stationary rates of a batch of variants of ``network``.

    A variant multiplies every inhibitory weight by ``g_scale`` and every Poisson
    source's rate by ``rate_scale`` (:class:`twin.tier_inputs.RunVariant`; the
    network of a variant is :func:`experiments.runs.points.scaled`).

    Parameters
    ----------
    network
        As :func:`rates_of`.
    g_scale, rate_scale
        Factors (``>= 0``), broadcast against each other: one variant per element.
    neurons, nodes, starts
        As :func:`rates_of`.
    stability
        Also analyse the linear stability of every stable fixed point
        (:func:`twin.theory.plane_stability.stability_over`; a few ms per point):
        :attr:`NetworkRates.stability` set, :attr:`Flag.OSCILLATORY` where it is
        unstable.
    check_connectivity
        Refuse a projection whose in-degrees are dispersed beyond a random one's
        (:func:`twin.theory.connectivity.check_random`); ``False`` for a realised
        network whose requested one passed it (the theory tiers: the mapping's
        uneven losses are described per neuron).

    Returns
    -------
    tuple of NetworkRates
        One per element of the broadcast shape of ``g_scale`` and ``rate_scale``,
        in C order.

    Raises
    ------
    NotDescribableError
        As :func:`rates_of`.
    TheoryInputError
        As :func:`rates_of`, or if a factor is negative or not finite.
    """
    if neurons not in ("cubature", "each", "mean"):
        raise TheoryInputError(
            f"neurons = {neurons!r}; use 'cubature', 'each' or 'mean'"
        )
    if nodes < 1:
        raise TheoryInputError(f"nodes = {nodes!r}; give >= 1 (default {NODES})")
    g, r = (x.reshape(-1) for x in _scales(g_scale, rate_scale))
    names = tuple(p.name for p in network.populations)
    inputs = inputs_of(network, check=check_connectivity)
    groups = _groups(network, inputs, neurons, g, r, nodes)
    exponential = any(np.any(k.cells.delta_T > 0) for k in groups.values())
    distinct = sum(k.share.size for k in groups.values())
    chunk = max(1, CHUNK // (max(1, len(starts)) * distinct))
    delays = mean_delays(network, names) if stability else None
    results: list[NetworkRates] = []
    for lo in range(0, g.size, chunk):
        scales = Scales.of(g[lo : lo + chunk], r[lo : lo + chunk])
        results += _solve(groups, names, scales, starts, exponential, delays)
    return tuple(results)


def _groups(
    network: Network,
    inputs: Mapping[str, Inputs],
    neurons: Resolution,
    g: np.ndarray,
    r: np.ndarray,
    nodes: int,
) -> dict[str, NeuronGroup]:
    """Return each population's neurons as :func:`rates_over`'s ``neurons`` asks."""
    names = tuple(p.name for p in network.populations)
    cells = {p.name: Neurons.of(p) for p in network.populations}
    if neurons == "each":
        return {k: NeuronGroup.distinct(cells[k], inputs[k]) for k in names}
    means = {k: NeuronGroup.mean(cells[k], inputs[k]) for k in names}
    if neurons == "mean":
        return means
    exact = {k: NeuronGroup.distinct(cells[k], inputs[k]) for k in names}
    if all(group.share.size <= nodes for group in exact.values()):
        return exact
    count = PROBES_PER_NODE * nodes
    probes = anchor_probes([means[k] for k in names], names, g, r, count)
    return {k: cubature_group(exact[k], probes, nodes) for k in names}


def _solve(
    groups: Mapping[str, NeuronGroup],
    names: tuple[str, ...],
    scales: Scales,
    starts: Sequence[float],
    exponential: bool,
    delays: np.ndarray | None,
) -> list[NetworkRates]:
    """Solve one chunk of variants (``scales.shape == (P,)``).

    With ``delays``, the stable fixed points' linear stability too.
    """
    joined = Joined.of([groups[k] for k in names])

    def transfer(rates: np.ndarray, point: np.ndarray) -> np.ndarray:
        return joined.population_rates(rates, scales.at(point))

    found = solve_points(transfer, names, scales.shape[0], starts=starts)
    if exponential:
        found = tuple(s.with_flags(Flag.EXPONENTIAL_THRESHOLD) for s in found)
    ok = np.array([s.ok for s in found])
    at = np.array([s.rates if s.ok else np.zeros(len(names)) for s in found])
    rows, synaptic, psp, busy = {}, {}, {}, {}
    for k in names:
        group = groups[k]
        drive = group.inputs.drive_over(at, scales)
        rows[k] = group.rates(at, scales)
        eff = effective_input(group.cells, drive, rows[k])
        ratio = np.sqrt(eff.tau_s / eff.tau_eff)
        jump = eff.jump / (group.cells.v_thresh - group.cells.v_reset)
        synaptic[k] = (ratio * group.share).sum(-1)
        psp[k] = (jump * group.share).sum(-1)
        refractory = rows[k] * group.cells.tau_refrac * 1e-3  # Hz x ms -> 1
        busy[k] = (refractory * group.share).sum(-1)
    linear: list[LinearStability | None] = [None] * len(found)
    if delays is not None and ok.any():
        good = np.flatnonzero(ok)
        analysed = stability_over(groups, names, at[good], scales.at(good), delays)
        for j, analysis in zip(good.tolist(), analysed, strict=True):
            linear[j] = analysis
    empty: Mapping[str, float] = MappingProxyType({})
    out = []
    for i, stationary in enumerate(found):
        if not ok[i]:
            out.append(NetworkRates(stationary, MappingProxyType({}), empty, empty))
            continue
        syn = {k: float(synaptic[k][i]) for k in names}
        big = {k: float(psp[k][i]) for k in names}
        stationary = flag_conditions(
            stationary,
            np.array(list(syn.values())),
            np.array(list(big.values())),
            np.array([busy[k][i] for k in names]),
        )
        point = linear[i]
        if point is not None and point.unstable:
            stationary = stationary.with_flags(Flag.OSCILLATORY)
        per_neuron = ExpandedRates(
            {k: rows[k][i] for k in names}, groups, at[i], scales.at(i)
        )
        out.append(
            NetworkRates(
                stationary,
                per_neuron,
                MappingProxyType(syn),
                MappingProxyType(big),
                linear[i],
            )
        )
    return out
