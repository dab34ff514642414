"""``rates_of``: the stationary rates of every population of a twin ``Network``.

Each population's rate is the mean over its neurons of the effective-LIF rate of
:mod:`twin.theory.conductance`, each neuron with its own parameters and its own
synapses (:mod:`twin.theory.connectivity`): parameter and weight variation are
averaged over the neurons, not replaced by the mean neuron. Presynaptic neurons fire
at their population's rate (heterogeneous mean field); Poisson generators at their
own. The self-consistent rates come from :func:`twin.theory.fixed_point.solve_rates`;
the approximations' conditions are checked at the stable fixed point and reported as
:class:`twin.theory.stationary.Flag` s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np

from twin.network import Network
from twin.theory.conductance import Neurons, effective_input, neuron_rates
from twin.theory.connectivity import Inputs, inputs_of
from twin.theory.errors import TheoryInputError
from twin.theory.fixed_point import DEFAULT_STARTS, solve_rates
from twin.theory.stationary import Flag, Stationary

__all__ = ["FAST_SYNAPSE_LIMIT", "SMALL_PSP_LIMIT", "NetworkRates", "rates_of"]

#: Largest population mean of sqrt(tau_s / tau_eff) before :attr:`Flag.SLOW_SYNAPSES`
#: (the Fourcaud-Brunel shift is the first order of an expansion in it).
FAST_SYNAPSE_LIMIT: Final = 0.5
#: Largest population mean of PSP jump / (v_thresh - v_reset) before
#: :attr:`Flag.LARGE_PSPS` (the diffusion approximation needs many small inputs).
SMALL_PSP_LIMIT: Final = 0.1
Resolution = Literal["each", "mean"]


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
    """

    stationary: Stationary
    neuron_rates: Mapping[str, np.ndarray]
    synaptic_ratio: Mapping[str, float]
    psp_ratio: Mapping[str, float]

    @property
    def rates(self) -> np.ndarray:
        """Population rates, Hz (see :attr:`Stationary.rates` for the errors)."""
        return self.stationary.rates

    @property
    def flags(self) -> frozenset[Flag]:
        """The flags of the point."""
        return self.stationary.flags


def _mean_neuron(neurons: Neurons, inputs: Inputs) -> tuple[Neurons, Inputs]:
    """Return one neuron of mean parameters and mean input sums."""
    fields = (f.name for f in dataclasses.fields(Neurons))
    mean = Neurons(*(np.mean(getattr(neurons, f), keepdims=True) for f in fields))
    sums = (inputs.first, inputs.second, inputs.ext_first, inputs.ext_second)
    return mean, Inputs(*(np.mean(x, axis=0, keepdims=True) for x in sums))


def rates_of(
    network: Network,
    *,
    neurons: Resolution = "each",
    starts: Sequence[float] = DEFAULT_STARTS,
) -> NetworkRates:
    """Return the stationary rates of every population of ``network``.

    Parameters
    ----------
    network
        Populations of ``IF_cond_exp`` or ``EIF_cond_exp_isfa_ista`` neurons,
        random projections (fixed in-degree or fixed probability) and Poisson
        sources.
    neurons
        ``"each"``: every neuron with its own parameters and synapses (the
        population rate is their mean); ``"mean"``: one neuron of mean parameters
        and mean input per population (faster; ignores variation).
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
        If ``neurons`` is neither ``"each"`` nor ``"mean"``, or a start is invalid.
    """
    if neurons not in ("each", "mean"):
        raise TheoryInputError(f"neurons = {neurons!r}; use 'each' or 'mean'")
    names = tuple(p.name for p in network.populations)
    inputs = inputs_of(network)
    cells = {p.name: Neurons.of(p) for p in network.populations}
    if neurons == "mean":
        for name in names:
            cells[name], inputs[name] = _mean_neuron(cells[name], inputs[name])

    def transfer(rates: np.ndarray) -> np.ndarray:
        return np.stack(
            [
                neuron_rates(cells[k], inputs[k].drive(rates)).mean(axis=-1)
                for k in names
            ],
            axis=-1,
        )

    (stationary,) = solve_rates(transfer, names, starts=starts)
    if any(np.any(c.delta_T > 0) for c in cells.values()):
        stationary = stationary.with_flags(Flag.EXPONENTIAL_THRESHOLD)
    if not stationary.ok:
        empty: Mapping[str, float] = MappingProxyType({})
        return NetworkRates(stationary, MappingProxyType({}), empty, empty)
    rates = stationary.rates
    per_neuron, synaptic, psp = {}, {}, {}
    for k in names:
        drive = inputs[k].drive(rates)
        per_neuron[k] = neuron_rates(cells[k], drive)
        own = per_neuron[k]
        eff = effective_input(cells[k], drive, own)
        synaptic[k] = float(np.mean(np.sqrt(eff.tau_s / eff.tau_eff)))
        psp[k] = float(np.mean(eff.jump / (cells[k].v_thresh - cells[k].v_reset)))
    if max(synaptic.values()) > FAST_SYNAPSE_LIMIT:
        stationary = stationary.with_flags(Flag.SLOW_SYNAPSES)
    if max(psp.values()) > SMALL_PSP_LIMIT:
        stationary = stationary.with_flags(Flag.LARGE_PSPS)
    return NetworkRates(
        stationary,
        MappingProxyType(per_neuron),
        MappingProxyType(synaptic),
        MappingProxyType(psp),
    )
